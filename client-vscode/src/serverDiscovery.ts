// Finding the executorch-lsp server: the setting, then the Python extension's
// interpreter, then PATH. Pure logic: the file system and process probing are
// injected, so the order and the failure messages are unit-tested without VS Code.
import * as path from "path";

export type CandidateSource = "setting" | "python" | "path";

export interface ServerCandidate {
  source: CandidateSource;
  /** argv prefix; the extension appends "serve". */
  command: string[];
}

export interface ProbeResult {
  ok: boolean;
  version?: string;
  error?: string;
}

export interface DiscoveryEnvironment {
  platform: NodeJS.Platform;
  pathVariable: string | undefined;
  isExecutable(file: string): boolean;
  /** Runs `command --version`. */
  probe(command: string[]): ProbeResult;
}

export interface DiscoveryInput {
  serverPath?: string;
  pythonExecutable?: string;
}

export type Discovery =
  | { found: true; candidate: ServerCandidate; version: string }
  | { found: false; tried: string[] };

export const INSTALL_COMMAND = "pip install executorch-lsp";

function executableName(platform: NodeJS.Platform): string {
  return platform === "win32" ? "executorch-lsp.exe" : "executorch-lsp";
}

export function candidates(input: DiscoveryInput, env: DiscoveryEnvironment): ServerCandidate[] {
  const paths = env.platform === "win32" ? path.win32 : path.posix;
  const found: ServerCandidate[] = [];
  const serverPath = input.serverPath?.trim();
  if (serverPath) {
    found.push({ source: "setting", command: [serverPath] });
  }
  if (input.pythonExecutable) {
    const script = paths.join(paths.dirname(input.pythonExecutable), executableName(env.platform));
    if (env.isExecutable(script)) {
      found.push({ source: "python", command: [script] });
    } else {
      found.push({ source: "python", command: [input.pythonExecutable, "-m", "executorch_lsp"] });
    }
  }
  const separator = env.platform === "win32" ? ";" : ":";
  for (const folder of (env.pathVariable ?? "").split(separator)) {
    if (!folder) {
      continue;
    }
    const file = paths.join(folder, executableName(env.platform));
    if (env.isExecutable(file)) {
      found.push({ source: "path", command: [file] });
      break;
    }
  }
  return found;
}

export function discover(input: DiscoveryInput, env: DiscoveryEnvironment): Discovery {
  const tried: string[] = [];
  for (const candidate of candidates(input, env)) {
    const probe = env.probe(candidate.command);
    const shown = `${candidate.command.join(" ")} (${candidate.source})`;
    if (probe.ok && probe.version) {
      return { found: true, candidate, version: probe.version };
    }
    tried.push(`${shown}: ${probe.error ?? "did not report a version"}`);
    if (candidate.source === "setting") {
      // An explicit setting that does not work is an error to fix, not something to hide.
      return { found: false, tried };
    }
  }
  if (tried.length === 0) {
    tried.push("no executorch-lsp in the selected Python interpreter or on PATH");
  }
  return { found: false, tried };
}

/** "executorch-lsp 0.1.0" -> "0.1.0"; anything else -> undefined. */
export function parseVersion(output: string): string | undefined {
  const match = /executorch-lsp\s+(\d+\.\d+\.\d+\S*)/.exec(output);
  return match ? match[1] : undefined;
}

// Mapping VS Code settings (executorchLsp.*) to what the server reads.
// Pure logic, unit-tested without VS Code.

export type Severity = "error" | "warning" | "info" | "hint";

export interface ServerSettings {
  enable: boolean;
  select: string[];
  ignore: string[];
  severity: Record<string, Severity>;
  exclude: string[];
  workspaceFileLimit?: number;
}

export interface ExtensionSettings extends ServerSettings {
  serverPath: string;
  workspaceDiagnostics: boolean;
}

const SEVERITIES = new Set<string>(["error", "warning", "info", "hint"]);
const CODE = /^ET\d{0,3}$|^ALL$/;

function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return value.filter((item): item is string => typeof item === "string" && item.trim() !== "")
    .map((item) => item.trim());
}

function codes(value: unknown): string[] {
  return stringList(value).map((code) => code.toUpperCase());
}

function severities(value: unknown): Record<string, Severity> {
  const result: Record<string, Severity> = {};
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [code, level] of Object.entries(value as Record<string, unknown>)) {
      const normalised = typeof level === "string" ? level.toLowerCase() : "";
      if (SEVERITIES.has(normalised)) {
        result[code.toUpperCase()] = normalised as Severity;
      }
    }
  }
  return result;
}

/** Reads and sanitises the settings through a getter (``WorkspaceConfiguration.get``). */
export function readSettings(get: (key: string) => unknown): ExtensionSettings {
  const serverPath = get("serverPath");
  const limit = get("workspaceFileLimit");
  return {
    enable: get("enable") !== false,
    select: codes(get("select")),
    ignore: codes(get("ignore")),
    severity: severities(get("severity")),
    exclude: stringList(get("exclude")),
    serverPath: typeof serverPath === "string" ? serverPath.trim() : "",
    workspaceDiagnostics: get("workspaceDiagnostics") === true,
    ...(typeof limit === "number" && Number.isInteger(limit) && limit > 0 ? { workspaceFileLimit: limit } : {}),
  };
}

/** The object sent as the ``executorchLsp`` configuration section. */
export function serverSettings(settings: ExtensionSettings): ServerSettings {
  const { enable, select, ignore, severity, exclude, workspaceFileLimit } = settings;
  return { enable, select, ignore, severity, exclude, ...(workspaceFileLimit ? { workspaceFileLimit } : {}) };
}

/** Codes in the settings that are not rule codes or prefixes (shown as a warning). */
export function invalidCodes(settings: ServerSettings): string[] {
  const all = [...settings.select, ...settings.ignore, ...Object.keys(settings.severity)];
  return all.filter((code) => !CODE.test(code));
}

/** The server executable and whether the server offers workspace diagnostics (a
 * capability, fixed at start) need a restart; the rest is sent live. */
export function needsRestart(affects: (key: string) => boolean): boolean {
  return affects("executorchLsp.serverPath") || affects("executorchLsp.workspaceDiagnostics");
}

/** Initialization options: workspace pull diagnostics only when the setting asks for them
 * (VS Code pulls them on its own, which costs a check of the whole workspace). */
export function initializationOptions(settings: ExtensionSettings): Record<string, unknown> {
  return { settings: serverSettings(settings), workspaceDiagnostics: settings.workspaceDiagnostics };
}

// VS Code entry point: finds the server, starts the language client, wires commands.
import * as childProcess from "child_process";
import * as fs from "fs";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from "vscode-languageclient/node";
import {
  DiscoveryEnvironment,
  INSTALL_COMMAND,
  ProbeResult,
  discover,
  parseVersion,
} from "./serverDiscovery";
import { initializationOptions, needsRestart, readSettings, serverSettings } from "./settings";

const SECTION = "executorchLsp";
const NAME = "ExecuTorch Lint";

// By language id, and by file name because the cmake/starlark ids only exist when other
// extensions are installed. Logs only from files and untitled editors: output channels are
// `log` documents too, including this extension's own.
const DOCUMENT_SELECTOR = [
  ...["cpp", "c", "objective-cpp", "cuda-cpp", "python", "cmake", "starlark", "bazel", "log"].flatMap(
    (language) => [{ scheme: "file", language }, { scheme: "untitled", language }],
  ),
  ...["**/CMakeLists.txt", "**/*.cmake", "**/BUCK", "**/TARGETS", "**/BUILD", "**/BUILD.bazel",
    "**/*.bzl", "**/*.bxl", "**/*.log"].map((pattern) => ({ scheme: "file", pattern })),
];

let client: LanguageClient | undefined;
let serverCommand: string[] | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;

function settings(scope?: vscode.ConfigurationScope) {
  const configuration = vscode.workspace.getConfiguration(SECTION, scope);
  return readSettings((key) => configuration.get(key));
}

function setStatus(text: string, tooltip: string, error = false): void {
  status.text = text;
  status.tooltip = tooltip;
  status.backgroundColor = error ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  status.show();
}

const realEnvironment: DiscoveryEnvironment = {
  platform: process.platform,
  pathVariable: process.env.PATH,
  isExecutable(file: string): boolean {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  },
  probe(command: string[]): ProbeResult {
    const run = childProcess.spawnSync(command[0], [...command.slice(1), "--version"], {
      encoding: "utf8",
      timeout: 60000, // a cold Python start on a busy machine can take a while
    });
    if (run.error) {
      return { ok: false, error: run.error.message };
    }
    const version = parseVersion(`${run.stdout}${run.stderr}`);
    return version ? { ok: true, version } : { ok: false, error: (run.stderr || run.stdout).trim() };
  },
};

async function pythonExecutable(): Promise<string | undefined> {
  if (!vscode.workspace.isTrusted || !vscode.extensions.getExtension("ms-python.python")) {
    return undefined; // limited mode: never run the workspace's interpreter
  }
  try {
    const { PythonExtension } = await import("@vscode/python-extension");
    const api = await PythonExtension.api();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const active = api.environments.getActiveEnvironmentPath(folder);
    const resolved = await api.environments.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath;
  } catch (error) {
    output.appendLine(`Python extension not usable: ${error}`);
    return undefined;
  }
}

async function reportMissingServer(tried: string[]): Promise<void> {
  setStatus("$(error) ExecuTorch", "executorch-lsp server not found", true);
  output.appendLine("executorch-lsp server not found. Tried:");
  tried.forEach((line) => output.appendLine(`  ${line}`));
  const choice = await vscode.window.showErrorMessage(
    `ExecuTorch Lint: the executorch-lsp server was not found. Install it with \`${INSTALL_COMMAND}\` ` +
      "in the Python environment you use, or set executorchLsp.serverPath.",
    "Open Settings",
    "Copy Install Command",
    "Show Output",
  );
  if (choice === "Open Settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.serverPath`);
  } else if (choice === "Copy Install Command") {
    await vscode.env.clipboard.writeText(INSTALL_COMMAND);
  } else if (choice === "Show Output") {
    output.show();
  }
}

async function startClient(): Promise<void> {
  setStatus("$(sync~spin) ExecuTorch", "Starting executorch-lsp");
  const found = discover(
    { serverPath: settings().serverPath, pythonExecutable: await pythonExecutable() },
    realEnvironment,
  );
  if (!found.found) {
    await reportMissingServer(found.tried);
    return;
  }
  serverCommand = found.candidate.command;
  output.appendLine(`executorch-lsp ${found.version}: ${serverCommand.join(" ")} (${found.candidate.source})`);
  const serverOptions: ServerOptions = {
    command: serverCommand[0],
    args: [...serverCommand.slice(1), "serve"],
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    initializationOptions: initializationOptions(settings()),
    middleware: {
      workspace: {
        configuration: (params) =>
          params.items.map((item) => {
            if (item.section !== SECTION) {
              return null;
            }
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            return serverSettings(settings(scope));
          }),
      },
    },
  };
  client = new LanguageClient(SECTION, NAME, serverOptions, clientOptions);
  client.onDidChangeState(({ newState }) => {
    if (newState === State.Running) {
      setStatus("$(check) ExecuTorch", `executorch-lsp ${found.version} is running`);
    } else if (newState === State.Stopped) {
      setStatus("$(error) ExecuTorch", "executorch-lsp stopped (see the output)", true);
    }
  });
  try {
    await client.start();
  } catch (error) {
    output.appendLine(`executorch-lsp failed to start: ${error}`);
    await reportMissingServer([`${serverCommand.join(" ")} serve: ${error}`]);
  }
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop().catch(() => undefined);
  }
}

async function restart(): Promise<void> {
  await stopClient();
  await startClient();
}

async function explain(): Promise<void> {
  const what = await vscode.window.showInputBox({
    title: "Explain an ExecuTorch error code or rule",
    prompt: "0x20, NotFound, error 20, 32, or a rule code such as ET101",
  });
  if (!what || !client) {
    return;
  }
  const text = await client.sendRequest(ExecuteCommandRequest.type, {
    command: "executorch-lsp.explain",
    arguments: [what],
  });
  if (typeof text !== "string") {
    void vscode.window.showWarningMessage(`'${what}' is neither an ExecuTorch error nor a rule code.`);
    return;
  }
  const document = await vscode.workspace.openTextDocument({ language: "markdown", content: text });
  await vscode.window.showTextDocument(document, { preview: true });
}

// Documents explained by text (not synced to the server): their diagnostics are a snapshot,
// cleared when the editor closes them.
const explainedByText = new Set<string>();

async function explainLog(): Promise<void> {
  const document = vscode.window.activeTextEditor?.document;
  if (!document || !client) {
    void vscode.window.showWarningMessage("ExecuTorch Lint: open a log (or paste one into an editor) first.");
    return;
  }
  const uri = client.code2ProtocolConverter.asUri(document.uri);
  // The text goes along for documents the server is not sent, such as an untitled
  // plain-text editor a log was pasted into; the server uses its own copy of the others.
  const text = await client.sendRequest(ExecuteCommandRequest.type, {
    command: "executorch-lsp.explainLog",
    arguments: [uri, document.getText()],
  });
  if (typeof text !== "string") {
    void vscode.window.showWarningMessage("ExecuTorch Lint: could not read this editor's text.");
    return;
  }
  if (vscode.languages.match(DOCUMENT_SELECTOR, document) === 0) {
    explainedByText.add(document.uri.toString());
  }
  const report = await vscode.workspace.openTextDocument({ language: "markdown", content: text });
  await vscode.window.showTextDocument(report, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}

function forgetExplained(document: vscode.TextDocument): void {
  if (explainedByText.delete(document.uri.toString())) {
    client?.diagnostics?.delete(document.uri);
  }
}

async function checkWorkspace(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || !serverCommand) {
    void vscode.window.showWarningMessage("ExecuTorch Lint: open a folder and start the server first.");
    return;
  }
  const execution = new vscode.ProcessExecution(serverCommand[0], [...serverCommand.slice(1), "check", "."], {
    cwd: folder.uri.fsPath,
  });
  const task = new vscode.Task({ type: "executorch-lsp", paths: ["."] }, folder, "check workspace",
    "executorch-lsp", execution, "$executorch-lsp");
  await vscode.tasks.executeTask(task);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel(NAME);
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  status.command = `${SECTION}.showOutput`;
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand(`${SECTION}.restart`, restart),
    vscode.commands.registerCommand(`${SECTION}.showOutput`, () => output.show()),
    vscode.commands.registerCommand(`${SECTION}.explain`, explain),
    vscode.commands.registerCommand(`${SECTION}.checkWorkspace`, checkWorkspace),
    vscode.commands.registerCommand(`${SECTION}.explainLog`, explainLog),
    vscode.workspace.onDidCloseTextDocument(forgetExplained),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration(SECTION)) {
        return;
      }
      if (needsRestart((key) => event.affectsConfiguration(key))) {
        await restart();
      } else if (client?.isRunning()) {
        await client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { [SECTION]: serverSettings(settings()) },
        });
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(restart),
  );
  await startClient();
}

export function deactivate(): Thenable<void> | undefined {
  return stopClient();
}

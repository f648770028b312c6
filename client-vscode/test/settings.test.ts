import assert from "node:assert/strict";
import { test } from "node:test";
import { initializationOptions, invalidCodes, needsRestart, readSettings, serverSettings } from "../src/settings";

function getter(values: Record<string, unknown>) {
  return (key: string) => values[key];
}

test("defaults when nothing is set", () => {
  const settings = readSettings(getter({}));
  assert.deepEqual(settings, {
    enable: true, select: [], ignore: [], severity: {}, exclude: [], serverPath: "", workspaceDiagnostics: false,
  });
});

test("values are sanitised and codes upper-cased", () => {
  const settings = readSettings(getter({
    enable: false,
    select: ["et1", "", 7, " ET201 "],
    ignore: "ET105",
    severity: { et101: "Warning", ET900: "loud", ET102: 3 },
    exclude: ["gen/**"],
    serverPath: " /opt/etlsp ",
  }));
  assert.equal(settings.enable, false);
  assert.deepEqual(settings.select, ["ET1", "ET201"]);
  assert.deepEqual(settings.ignore, []);
  assert.deepEqual(settings.severity, { ET101: "warning" });
  assert.equal(settings.serverPath, "/opt/etlsp");
});

test("the server section leaves out client-only settings", () => {
  const mapped = serverSettings(readSettings(getter({ serverPath: "/x", ignore: ["ET101"] })));
  assert.deepEqual(Object.keys(mapped).sort(), ["enable", "exclude", "ignore", "select", "severity"]);
  assert.deepEqual(mapped.ignore, ["ET101"]);
});

test("invalid codes are found", () => {
  const settings = serverSettings(readSettings(getter({ select: ["ET1", "E501"], severity: { "W001": "hint" } })));
  assert.deepEqual(invalidCodes(settings), ["E501", "W001"]);
});

test("serverPath and workspaceDiagnostics need a restart", () => {
  assert.equal(needsRestart((key) => key === "executorchLsp.serverPath"), true);
  assert.equal(needsRestart((key) => key === "executorchLsp.workspaceDiagnostics"), true);
  assert.equal(needsRestart((key) => key === "executorchLsp.ignore"), false);
});

test("workspace diagnostics are off unless asked for; the file limit reaches the server", () => {
  assert.equal(initializationOptions(readSettings(getter({}))).workspaceDiagnostics, false);
  const settings = readSettings(getter({ workspaceDiagnostics: true, workspaceFileLimit: 500 }));
  assert.equal(initializationOptions(settings).workspaceDiagnostics, true);
  assert.equal(serverSettings(settings).workspaceFileLimit, 500);
  assert.equal(readSettings(getter({ workspaceFileLimit: -3 })).workspaceFileLimit, undefined);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { DiscoveryEnvironment, candidates, discover, parseVersion } from "../src/serverDiscovery";

function environment(executables: string[], working: string[], pathVariable = "/usr/local/bin:/usr/bin"): DiscoveryEnvironment & { probed: string[][] } {
  const probed: string[][] = [];
  return {
    platform: "linux",
    pathVariable,
    probed,
    isExecutable: (file) => executables.includes(file),
    probe: (command) => {
      probed.push(command);
      return working.includes(command.join(" "))
        ? { ok: true, version: "0.1.0" }
        : { ok: false, error: "No module named executorch_lsp" };
    },
  };
}

test("the setting comes first, then the Python interpreter, then PATH", () => {
  const env = environment(["/venv/bin/executorch-lsp", "/usr/bin/executorch-lsp"], []);
  const found = candidates({ serverPath: "/opt/etlsp", pythonExecutable: "/venv/bin/python" }, env);
  assert.deepEqual(found, [
    { source: "setting", command: ["/opt/etlsp"] },
    { source: "python", command: ["/venv/bin/executorch-lsp"] },
    { source: "path", command: ["/usr/bin/executorch-lsp"] },
  ]);
});

test("an interpreter without the script is tried as python -m executorch_lsp", () => {
  const env = environment([], ["/venv/bin/python -m executorch_lsp"]);
  const result = discover({ pythonExecutable: "/venv/bin/python" }, env);
  assert.ok(result.found);
  assert.deepEqual(result.candidate.command, ["/venv/bin/python", "-m", "executorch_lsp"]);
  assert.equal(result.version, "0.1.0");
});

test("a broken setting is reported instead of silently falling back", () => {
  const env = environment(["/usr/bin/executorch-lsp"], ["/usr/bin/executorch-lsp"]);
  const result = discover({ serverPath: "/wrong/path" }, env);
  assert.equal(result.found, false);
  if (!result.found) {
    assert.equal(result.tried.length, 1);
    assert.match(result.tried[0], /\/wrong\/path \(setting\)/);
  }
});

test("falls back to PATH when the interpreter lacks the package", () => {
  const env = environment(["/usr/bin/executorch-lsp"], ["/usr/bin/executorch-lsp"]);
  const result = discover({ pythonExecutable: "/venv/bin/python" }, env);
  assert.ok(result.found);
  assert.equal(result.candidate.source, "path");
  assert.deepEqual(env.probed, [["/venv/bin/python", "-m", "executorch_lsp"], ["/usr/bin/executorch-lsp"]]);
});

test("nothing found gives a reason to show the user", () => {
  const result = discover({}, environment([], [], ""));
  assert.equal(result.found, false);
  if (!result.found) {
    assert.match(result.tried[0], /no executorch-lsp/);
  }
});

test("windows executable names and separators", () => {
  const env = { ...environment(["C:\\tools\\executorch-lsp.exe"], []), platform: "win32" as NodeJS.Platform,
    pathVariable: "C:\\other;C:\\tools" };
  const found = candidates({}, env);
  assert.equal(found.length, 1);
  assert.match(found[0].command[0], /executorch-lsp\.exe$/);
});

test("version parsing", () => {
  assert.equal(parseVersion("executorch-lsp 0.1.0\n"), "0.1.0");
  assert.equal(parseVersion("/usr/bin/python: No module named executorch_lsp"), undefined);
});

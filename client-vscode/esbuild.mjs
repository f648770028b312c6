// Bundles the extension (one file, vscode external) or the unit tests (node:test).
import { build } from "esbuild";
import { readdirSync } from "fs";

const common = { bundle: true, platform: "node", target: "node18", format: "cjs", sourcemap: true };

if (process.argv.includes("--tests")) {
  const tests = readdirSync("test").filter((name) => name.endsWith(".test.ts"));
  await build({ ...common, entryPoints: tests.map((name) => `test/${name}`), outdir: "out-test" });
} else {
  await build({
    ...common,
    entryPoints: ["src/extension.ts"],
    outfile: "out/extension.js",
    external: ["vscode"],
    minify: true,
  });
}

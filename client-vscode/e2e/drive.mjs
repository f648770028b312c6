// Drives real VS Code (code-server) in Chromium: diagnostics, hover, Problems panel,
// quick fix, the Explain command, an export script and runtime logs. Usage: node drive.mjs URL SCREENSHOT_DIR
// Prints one JSON object; exit code 0 when every step passed.
import { readFileSync } from "fs";
import { chromium } from "playwright-core";

const [url, shots, settingsFile, mode = "full"] = process.argv.slice(2);
const result = { steps: [] };
const FINISHED_EARLY = Symbol("finished early"); // the restricted-mode run stops after diagnostics
const started = Date.now();
const step = (name) => result.steps.push({ name, ms: Date.now() - started });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

async function openFile(name) {
  // Double-click keeps the tab open (a preview tab would be closed by the next file).
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: name }).first().dblclick();
  await page.locator(".tabs-container .tab", { hasText: name }).first().waitFor();
}

async function visibleLines() {
  return page.$$eval(".monaco-editor .view-lines .view-line", (lines) =>
    lines.map((line) => ({ top: parseFloat(line.style.top), text: line.textContent }))
      .sort((a, b) => a.top - b.top).map((line) => line.text));
}

try {
  await page.goto(url);
  await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
  if (mode === "restricted") {
    await page.getByRole("button", { name: /No, I don't trust/ }).click({ timeout: 60000 });
  }
  await page.waitForSelector(".explorer-folders-view", { timeout: 60000 });
  step("workbench");

  await openFile("CMakeLists.txt");
  await openFile("main.cpp");
  // Bring the ET101 line into view (only visible lines are rendered).
  await page.keyboard.press("Control+G");
  await page.locator(".quick-input-widget input").waitFor();
  await page.keyboard.type("48");
  await page.locator(".quick-input-widget", { hasText: "go to line 48" }).waitFor();
  await page.keyboard.press("Enter");
  await page.locator(".quick-input-widget").waitFor({ state: "hidden" });
  await page.waitForSelector(".monaco-editor .squiggly-error", { timeout: 90000 });
  step("diagnostics");
  if (mode === "restricted") {
    result.restricted = await page.locator(".statusbar", { hasText: "Restricted Mode" }).count() > 0;
    await page.screenshot({ path: `${shots}/vscode-restricted.png` });
    result.ok = true;
    throw FINISHED_EARLY;
  }

  await page.locator(".monaco-editor .view-line span span", { hasText: "NotFound" }).first().hover();
  const hover = page.locator(".monaco-hover:not(.hidden) .hover-contents", { hasText: "0x20" }).first();
  await hover.waitFor({ timeout: 30000 });
  result.hover = await hover.innerText();
  await page.screenshot({ path: `${shots}/vscode-hover.png` });
  step("hover");

  await page.mouse.move(5, 5);
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+Shift+M");
  const rows = page.locator(".markers-panel .monaco-list-row");
  await rows.filter({ hasText: "ET101" }).first().waitFor({ timeout: 30000 });
  await rows.filter({ hasText: "ET201" }).first().waitFor({ timeout: 30000 });
  result.problems = await rows.allInnerTexts();
  await page.screenshot({ path: `${shots}/vscode-problems.png` });
  step("problems");

  // A changed setting reaches the running server: ignoring ET201 removes its problem.
  // Edited in VS Code's own settings.json editor, as a user would.
  const userSettings = JSON.parse(readFileSync(settingsFile, "utf8"));
  await page.keyboard.press("Control+Shift+P");
  await page.keyboard.type("Preferences: Open User Settings (JSON)");
  await page.locator(".quick-input-list .monaco-list-row", { hasText: "Open User Settings (JSON)" })
    .first().click();
  // (It may open in a tab or in a modal editor, depending on the VS Code version.)
  const settingsLine = page.locator(".monaco-editor .view-line", { hasText: "executorchLsp.serverPath" });
  await settingsLine.first().click();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(JSON.stringify({ ...userSettings, "executorchLsp.ignore": ["ET201"] }));
  await page.keyboard.press("Control+S");
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll(".markers-panel .monaco-list-row")];
    return rows.some((row) => row.textContent.includes("ET101"))
      && !rows.some((row) => row.textContent.includes("ET201"));
  }, null, { timeout: 30000 });
  step("settings");

  await page.locator(".tabs-container .tab", { hasText: "main.cpp" }).first().click();
  await page.locator(".monaco-editor .view-line span span", { hasText: "_unsafe_reset_threadpool" }).first().click();
  await page.keyboard.press("Control+.");
  const fix = page.locator(".action-widget .monaco-list-row", { hasText: "Move the thread-pool reset" }).first();
  await fix.waitFor({ timeout: 30000 });
  await fix.click();
  await page.waitForFunction(() => {
    const lines = [...document.querySelectorAll(".monaco-editor .view-lines .view-line")]
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top)).map((l) => l.textContent);
    const reset = lines.findIndex((l) => l.includes("_unsafe_reset_threadpool"));
    const load = lines.findIndex((l) => l.includes("load_method"));
    return reset >= 0 && load >= 0 && reset < load;
  }, null, { timeout: 30000 });
  result.lines_after_fix = (await visibleLines()).filter((l) => /_unsafe_reset|load_method/.test(l));
  step("quick fix");

  await page.keyboard.press("Control+Shift+P");
  await page.keyboard.type("ExecuTorch: Explain Error Code");
  await page.locator(".quick-input-list .monaco-list-row", { hasText: "Explain Error Code" }).first().click();
  await page.locator(".quick-input-widget", { hasText: "Explain an ExecuTorch error code" }).waitFor();
  await page.locator(".quick-input-widget input").fill("0x14");
  await page.keyboard.press("Enter");
  await page.locator(".monaco-editor .view-line", { hasText: "OperatorMissing" }).first().waitFor({ timeout: 30000 });
  step("explain");

  // The CLI, run as a task, feeds the Problems panel through the contributed problem matcher
  // (it reads the project configuration only, so the editor-level ignore of ET201 does not apply).
  await page.keyboard.press("Control+Shift+P");
  await page.keyboard.type("ExecuTorch: Check Whole Workspace");
  await page.locator(".quick-input-list .monaco-list-row", { hasText: "Check Whole Workspace" }).first().click();
  // The task's terminal takes the panel when it starts: open Problems again until the
  // matcher's entry shows up.
  const taskProblem = page.locator(".markers-panel .monaco-list-row", { hasText: "ET201" }).first();
  for (let attempt = 0; attempt < 30 && !(await taskProblem.isVisible()); attempt++) {
    await page.waitForTimeout(1000);
    await page.keyboard.press("Control+Shift+M");
  }
  await taskProblem.waitFor({ timeout: 5000 });
  result.problems_after_check = await page.locator(".markers-panel .monaco-list-row").allInnerTexts();
  step("check workspace");

  // Problems of the open editors, by message text (the panel may need reopening while
  // a task's terminal holds it).
  async function problem(text) {
    const row = page.locator(".markers-panel .monaco-list-row", { hasText: text }).first();
    for (let attempt = 0; attempt < 30 && !(await row.isVisible()); attempt++) {
      await page.waitForTimeout(1000);
      await page.keyboard.press("Control+Shift+M");
    }
    await row.waitFor({ timeout: 5000 });
    return row.innerText();
  }

  await openFile("export_model.py");
  result.export_problem = await problem("ET402");
  step("export script");

  await openFile("run.log");
  result.log_problem = await problem("is not registered");
  step("log");

  // A log pasted into an untitled editor is explained on demand.
  await page.keyboard.press("Control+N");
  await page.keyboard.insertText("[ExecuTorch Error 0x14] Operator missing: Failed to load method: forward\n");
  await page.keyboard.press("Control+Shift+P");
  await page.keyboard.type("ExecuTorch: Explain Log in This Editor");
  await page.locator(".quick-input-list .monaco-list-row", { hasText: "Explain Log in This Editor" })
    .first().click();
  const report = page.locator(".monaco-editor .view-line", { hasText: "OperatorMissing" }).first();
  await report.waitFor({ timeout: 30000 });
  result.log_report = await report.innerText();
  step("explain log");
  result.ok = true;
} catch (error) {
  if (error === FINISHED_EARLY) {
    console.log(JSON.stringify(result));
    await browser.close();
    process.exit(0);
  }
  result.ok = false;
  result.error = String(error);
  await page.screenshot({ path: `${shots}/vscode-failure.png` }).catch(() => undefined);
  try {
    // The extension's output channel says which server it tried and why it failed.
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+Shift+P");
    await page.keyboard.type("ExecuTorch: Show Output");
    await page.keyboard.press("Enter");
    await page.waitForTimeout(1500);
    result.output = await page.locator(".output-view .view-lines").first().innerText({ timeout: 5000 });
    await page.screenshot({ path: `${shots}/vscode-failure-output.png` });
  } catch {
    // best effort
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);

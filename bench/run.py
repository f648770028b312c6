"""Benchmark executorch-lsp: CLI against the parse floor and ast-grep; LSP latencies.

Usage: python bench/run.py --corpus PATH [--only cli|lsp] [--reps N]
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

import executorch_lsp
from executorch_lsp.engine import grammars
from executorch_lsp.engine.discovery import iter_files
from executorch_lsp.engine.languages import LanguageId, detect_language

PROBE = (
    "\nvoid bench_probe(executorch::extension::Module& m) {\n"
    "  (void)m.load();\n"
    "  ::executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(4);\n"
    "}\n"
)
DOC_FOLDERS = ("runtime", "extension", "kernels/portable", "backends/xnnpack", "backends/vulkan")
AST_GREP_RULES = {
    "reset-arrow.yml": "id: reset-arrow\nlanguage: cpp\nseverity: error\nmessage: reset\n"
    "rule:\n  pattern: $O->_unsafe_reset_threadpool($$$)\n",
    "reset-dot.yml": "id: reset-dot\nlanguage: cpp\nseverity: error\nmessage: reset\n"
    "rule:\n  pattern: $O._unsafe_reset_threadpool($$$)\n",
    # ET105 and ET106 have no exact pattern equivalent; these find the same candidates.
    "error-value.yml": "id: error-value\nlanguage: cpp\nseverity: warning\nmessage: error\n"
    "rule:\n  pattern: $R.error()\n",
    "pal-hook.yml": "id: pal-hook\nlanguage: cpp\nseverity: warning\nmessage: hook\n"
    "rule:\n  kind: function_definition\n  has:\n    stopBy: end\n    kind: identifier\n"
    "    regex: ^et_pal_\n",
}


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.2f}"


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    return f"p50 {ms(statistics.median(ordered))} ms  p90 {ms(p90)} ms  (n={len(ordered)})"


# -- CLI ----------------------------------------------------------------------------------
def _parse_files(paths: list[str]) -> int:
    count = 0
    for path in paths:
        language = detect_language(path)
        data = Path(path).read_bytes()
        grammars.parse(language, grammars.prepare_source(language, data))
        count += 1
    return count


def parse_floor(files: list[str], jobs: int) -> float:
    chunks = [files[i :: jobs * 8] for i in range(jobs * 8)]
    started = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        sum(pool.map(_parse_files, chunks))
    return time.perf_counter() - started


def timed(command: list[str], cpu: list[float] | None = None) -> float:
    """Wall seconds of ``command``; its CPU seconds (with its workers') go to ``cpu``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return elapsed


def ast_grep_command(corpus: Path, workdir: Path) -> list[str] | None:
    binary = shutil.which("ast-grep") or shutil.which(
        "ast-grep", path=str(Path(sys.executable).parent)
    )
    if binary is None:
        return None
    rules = workdir / "rules"
    rules.mkdir(exist_ok=True)
    for name, content in AST_GREP_RULES.items():
        (rules / name).write_text(content)
    config = workdir / "sgconfig.yml"
    config.write_text("ruleDirs:\n  - rules\nlanguageGlobs:\n  cpp: ['*.h']\n")
    return [binary, "scan", "-c", str(config), "--report-style", "short", str(corpus)]


def bench_cli(corpus: Path, reps: int) -> None:
    files = [str(p) for p in iter_files([corpus])]
    size = sum(os.path.getsize(p) for p in files) / 1e6
    print(f"\n## CLI over {corpus} ({len(files)} files, {size:.1f} MB), 2 cores")
    check = [
        sys.executable,
        "-m",
        "executorch_lsp",
        "check",
        "-j",
        "2",
        "--format",
        "json",
        "--no-cache",
        str(corpus),
    ]
    one_job = [*check[:5], "1", *check[6:]]
    sanity = subprocess.run(check, capture_output=True, text=True, check=False)
    if sanity.returncode not in (0, 1):  # 2 = usage, configuration or internal error
        sys.exit(f"executorch-lsp check failed:\n{sanity.stderr[-2000:]}")
    with tempfile.TemporaryDirectory() as workdir:
        peer = ast_grep_command(corpus, Path(workdir))
        cached = [*check[:-2], "--cache-dir", str(Path(workdir) / "cache"), str(corpus)]
        rows: dict[str, list[float]] = {
            "check": [],
            "check -j 1": [],
            "check, warm cache": [],
            "parse floor": [],
            "ast-grep scan": [],
        }
        cpu: dict[str, list[float]] = {"check": [], "ast-grep scan": []}
        timed(check)  # warm the page cache
        timed(cached)  # fill the check cache
        for _ in range(reps):
            rows["check"].append(timed(check, cpu["check"]))
            rows["check -j 1"].append(timed(one_job))
            rows["check, warm cache"].append(timed(cached))
            rows["parse floor"].append(parse_floor(files, 2))
            if peer:
                rows["ast-grep scan"].append(timed(peer, cpu["ast-grep scan"]))
    for name, samples in rows.items():
        if samples:
            used = f"  cpu median {statistics.median(cpu[name]):6.2f} s" if cpu.get(name) else ""
            print(
                f"{name:17} median {statistics.median(samples):6.2f} s  min {min(samples):6.2f} s"
                + used
            )
    check_median = statistics.median(rows["check"])
    warm = statistics.median(rows["check, warm cache"])
    print(f"warm cache / cold  = {warm / check_median:.3f}")
    print(f"jobs 1 / jobs 2    = {statistics.median(rows['check -j 1']) / check_median:.2f}")
    print(f"check / parse floor = {check_median / statistics.median(rows['parse floor']):.2f}")
    if rows["ast-grep scan"]:
        print(
            f"check / ast-grep    = {check_median / statistics.median(rows['ast-grep scan']):.2f}"
        )


# -- LSP ----------------------------------------------------------------------------------
class BenchClient(LanguageClient):
    def __init__(self) -> None:
        super().__init__("executorch-lsp-bench", "1")
        self.waiting: dict[str, tuple[int | None, asyncio.Future]] = {}

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def diagnostics(params: types.PublishDiagnosticsParams) -> None:
            version, future = self.waiting.get(params.uri, (None, None))
            if future is not None and not future.done() and params.version == version:
                future.set_result(time.perf_counter())

        @self.feature(types.WINDOW_SHOW_MESSAGE)
        def show_message(params) -> None:
            pass

    def expect(self, uri: str, version: int) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiting[uri] = (version, future)
        return future


async def start_server(root: Path | None = None) -> tuple[BenchClient, float]:
    client = BenchClient()
    started = time.perf_counter()
    await client.start_io(sys.executable, "-m", "executorch_lsp", "serve")
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=root.as_uri() if root is not None else None,
        )
    )
    client.initialized(types.InitializedParams())
    return client, time.perf_counter() - started


async def stop_server(client: BenchClient) -> None:
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def synthetic_document(corpus: Path, lines: int) -> str:
    parts, count = [], 0
    for folder in DOC_FOLDERS:
        for path in sorted((corpus / folder).rglob("*.cpp")):
            if "/test" in path.as_posix() or path.is_symlink():
                continue
            text = path.read_text("utf-8", "replace")
            parts.append(text if text.endswith("\n") else text + "\n")
            count += text.count("\n")
            if count >= lines:
                return "".join(parts) + PROBE
    return "".join(parts) + PROBE


def middle_code_position(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    for number in range(len(lines) // 2, len(lines)):
        stripped = lines[number].strip()
        if stripped.endswith(";") and not stripped.startswith(("//", "*", "/*", "#")):
            column = next(i for i, ch in enumerate(lines[number]) if ch.isalpha())
            return number, column + 1
    raise RuntimeError("no code line")


async def open_and_wait(client: BenchClient, uri: str, text: str) -> float:
    future = client.expect(uri, 1)
    started = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="cpp", version=1, text=text)
        )
    )
    return await asyncio.wait_for(future, 120) - started


async def bench_lsp(corpus: Path, reps: int) -> None:
    print("\n## Language server (pygls over stdio)")
    starts = []
    for _ in range(max(5, reps // 3)):
        client, elapsed = await start_server()
        starts.append(elapsed)
        await stop_server(client)
    print(f"start -> initialized        {percentiles(starts)}")

    client, _ = await start_server()
    docs = {n: synthetic_document(corpus, n) for n in (1000, 5000, 20000)}
    for n, text in docs.items():
        samples = []
        for rep in range(reps):
            uri = f"file:///bench/open_{n}_{rep}.cpp"
            samples.append(await open_and_wait(client, uri, text))
            client.text_document_did_close(
                types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
            )
        print(f"didOpen   {n:5d} lines ({len(text) // 1024:3d} KB)  {percentiles(samples)}")
    for n, text in docs.items():
        uri = f"file:///bench/edit_{n}.cpp"
        await open_and_wait(client, uri, text)
        line, column = middle_code_position(text)
        samples = []
        for version in range(2, 2 * reps + 2):
            samples.append(await timed_keystroke(client, uri, version, line, column))
        print(f"didChange {n:5d} lines           {percentiles(samples)}")
    uri = "file:///bench/edit_5000.cpp"
    lines = docs[5000].split("\n")
    rng = random.Random(0)
    samples = []
    for _ in range(reps * 5):
        line = rng.randrange(len(lines))
        started = time.perf_counter()
        await client.text_document_hover_async(
            types.HoverParams(
                types.TextDocumentIdentifier(uri),
                types.Position(line, rng.randrange(len(lines[line]) + 1)),
            )
        )
        samples.append(time.perf_counter() - started)
    print(f"hover (5k-line document)    {percentiles(samples)}")
    await stop_server(client)
    await bench_memory(corpus)
    bench_index(corpus)
    await bench_cross_file(corpus, reps)
    await bench_workspace_check(corpus, docs, reps)


async def workspace_pull(client: BenchClient, previous: dict[str, str]) -> tuple[float, dict]:
    started = time.perf_counter()
    report = await client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(
            previous_result_ids=[
                types.PreviousResultId(uri, value) for uri, value in previous.items()
            ]
        )
    )
    elapsed = time.perf_counter() - started
    return elapsed, {item.uri: item.result_id for item in report.items if item.result_id}


async def timed_keystroke(
    client: BenchClient, uri: str, version: int, line: int, column: int
) -> float:
    """didChange -> diagnostics of one keystroke: an ``x`` typed on even versions and
    deleted again on odd ones, so the text alternates between two states."""
    typing = version % 2 == 0
    change = types.TextDocumentContentChangePartial(
        range=types.Range(
            types.Position(line, column), types.Position(line, column if typing else column + 1)
        ),
        text="x" if typing else "",
    )
    future = client.expect(uri, version)
    started = time.perf_counter()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version), [change]
        )
    )
    return await asyncio.wait_for(future, 120) - started


async def edits_while(
    client: BenchClient,
    uri: str,
    text: str,
    running,
    count: int,
    first_version: int = 2,
    pause: float = 0.05,
) -> list[float]:
    """didChange -> diagnostics of ``uri`` (``count`` times or until ``running`` is done),
    ``pause`` seconds apart (0.05: typing, not a flood). Versions only grow: a server
    ignores a change older than the text it has."""
    line, column = middle_code_position(text)
    samples = []
    for version in range(first_version, first_version + 2 * count):
        if running is not None and running.done():
            break
        samples.append(await timed_keystroke(client, uri, version, line, column))
        await asyncio.sleep(pause)
    return samples


async def bench_workspace_check(corpus: Path, docs: dict[int, str], reps: int) -> None:
    """workspace/diagnostic over the tree, cold and with the result ids of the first pass;
    an open document's edits while a whole-workspace check runs; the first diagnostics
    of a document opened while the server indexes the tree."""
    client, _ = await start_server(corpus)
    cold, held = await workspace_pull(client, {})
    warm = [(await workspace_pull(client, held))[0] for _ in range(max(3, reps // 5))]
    print(
        f"workspace/diagnostic over the tree: cold {cold:.2f} s ({len(held)} files with "
        f"findings); unchanged result ids {statistics.median(warm) * 1e3:.0f} ms p50"
    )
    print(f"RSS after a workspace diagnostic pass: {rss_mib(client._server.pid):.0f} MiB")
    await stop_server(client)

    # With the probe's load and thread-pool reset, so ET101 runs across files on every
    # edit (the file is one of the workspace's resetters).
    text = docs[5000]
    client, _ = await start_server(corpus)
    uri = "file:///bench/while_checking_5000.cpp"
    await open_and_wait(client, uri, text)
    await asyncio.sleep(5)  # the index
    quiet = await edits_while(client, uri, text, None, reps)
    version = 2 + 2 * reps
    # After each 0.4 s pause the server records what other files depend on in the file
    # (a walk over all of it); the next keystroke comes while that walk runs.
    paused = await edits_while(client, uri, text, None, reps, first_version=version, pause=0.4)
    version += 2 * reps
    running = asyncio.ensure_future(workspace_pull(client, {}))
    busy = await edits_while(client, uri, text, running, reps * 4, first_version=version)
    await running
    print(f"didChange 5000 lines, idle              {percentiles(quiet)}")
    print(f"didChange 5000 lines, after pauses      {percentiles(paused)}")
    print(f"didChange 5000 lines, workspace check   {percentiles(busy)}")
    await stop_server(client)

    # Right after start the server indexes the tree (about half a second): the first
    # keystrokes land during that.
    indexing: list[float] = []
    for _ in range(3):
        client, _ = await start_server(corpus)
        await open_and_wait(client, uri, text)
        indexing += await edits_while(client, uri, text, None, 3)
        await stop_server(client)
    print(f"didChange 5000 lines, first keystrokes  {percentiles(indexing)} (while indexing)")

    delays = {"no workspace": [], "indexing the tree": []}
    for _ in range(max(3, reps // 3)):
        for label, root in (("no workspace", None), ("indexing the tree", corpus)):
            client, _ = await start_server(root)
            delays[label].append(await open_and_wait(client, "file:///bench/first.cpp", docs[1000]))
            await stop_server(client)
    extra = statistics.median(delays["indexing the tree"]) - statistics.median(
        delays["no workspace"]
    )
    print(
        f"first diagnostics of a 1k-line file right after start: "
        f"{statistics.median(delays['no workspace']) * 1e3:.0f} ms without a workspace, "
        f"{statistics.median(delays['indexing the tree']) * 1e3:.0f} ms while the tree is indexed "
        f"({extra * 1e3:+.0f} ms)"
    )


CROSS_FILE = {
    "engine.cpp": (
        "#include <executorch/extension/module/module.h>\n"
        "class Engine { public: void init(); "
        "std::unique_ptr<executorch::extension::Module> module_; };\n"
        'void Engine::init() {\n  module_ = std::make_unique<executorch::extension::Module>("m");\n'
        '  (void)module_->load_method("forward");\n}\n'
    ),
    "threads.cpp": (
        "void set_threads(int n) {\n"
        "  ::executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(n);\n"
        "}\n"
    ),
    "main.cpp": (
        "void set_threads(int n);\nint main() {\n  Engine engine;\n  engine.init();\n"
        "  set_threads(4);\n}\n"
    ),
}


def bench_index(corpus: Path) -> None:
    """Building what the cross-file rules need, in-process, over the whole tree."""
    import tracemalloc

    from executorch_lsp.engine.analysis import prepare_workspace
    from executorch_lsp.engine.config import Config
    from executorch_lsp.engine.workspace import Workspace

    def build() -> tuple[int, float, float]:
        started = time.perf_counter()
        workspace = Workspace(roots=[corpus])
        files = len(workspace.files(LanguageId.CPP))
        listed = time.perf_counter() - started
        prepare_workspace(workspace, Config())
        return files, listed, time.perf_counter() - started

    files, listed, elapsed = build()
    tracemalloc.start()
    build()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"workspace index: {files} C++ files listed in {ms(listed).strip()} ms, thread-pool call "
        f"graph ready in {ms(elapsed).strip()} ms, peak Python memory {peak / 2**20:.0f} MiB"
    )


def edit_and_analyse(workspace, path: str, language: LanguageId, reps: int) -> list[float]:
    """Append a comment to ``path`` (as an editor buffer) and analyse it, ``reps`` times."""
    from executorch_lsp.engine.analysis import analyze
    from executorch_lsp.engine.config import Config
    from executorch_lsp.engine.document import Document

    data = workspace.read(path) or b""
    samples = []
    for version in range(reps):
        edited = data + f"\n# {version}\n".encode()
        begun = time.perf_counter()
        workspace.set_buffer(path, edited)
        analyze(Document(path, language, edited), Config(), workspace=workspace)
        samples.append(time.perf_counter() - begun)
    return samples


def bench_cmake(corpus: Path, reps: int) -> None:
    """The CMake model of the tree, cold; then one edited CMakeLists.txt analysed again
    (which builds the project's model again from the parsed files)."""
    from executorch_lsp.engine.workspace import Workspace
    from executorch_lsp.rules.cmake.build import _build

    workspace = Workspace(roots=[corpus])
    for path in workspace.files(LanguageId.CMAKE):
        workspace.read(path)  # disk reads are not measured
    root = str(corpus / "CMakeLists.txt")
    started = time.perf_counter()
    model = _build(workspace, root)
    cold = time.perf_counter() - started
    path = str(corpus / "backends" / "xnnpack" / "CMakeLists.txt")
    samples = edit_and_analyse(workspace, path, LanguageId.CMAKE, reps)
    print(
        f"CMake model of the tree ({len(model.files)} list files): {ms(cold).strip()} ms; "
        f"one CMakeLists.txt edited -> analysed again  {percentiles(samples)}"
    )
    # The worst case: every other list file is read below the top-level one.
    samples = edit_and_analyse(workspace, root, LanguageId.CMAKE, reps)
    print(f"the top-level CMakeLists.txt edited -> analysed again  {percentiles(samples)}")


def bench_buck(corpus: Path, reps: int) -> None:
    """The Buck model of every package, cold; then one edited file analysed again."""
    from executorch_lsp.engine.buck.graph import BUILD_FILE_NAMES, BuckGraph
    from executorch_lsp.engine.workspace import Workspace

    workspace = Workspace(roots=[corpus])
    files = workspace.files(LanguageId.STARLARK)
    packages = {os.path.dirname(p) for p in files if os.path.basename(p) in BUILD_FILE_NAMES}
    for path in files:
        workspace.read(path)  # disk reads are not measured
    started = time.perf_counter()
    graph = BuckGraph(workspace)
    for folder in packages:
        graph.package(folder)
    cold = time.perf_counter() - started
    path = str(corpus / "examples" / "portable" / "executor_runner" / "targets.bzl")
    samples = edit_and_analyse(workspace, path, LanguageId.STARLARK, reps)
    print(
        f"Buck model of {len(packages)} packages: {ms(cold).strip()} ms; "
        f"one .bzl edited -> analysed again  {percentiles(samples)}"
    )


async def bench_cross_file(corpus: Path, reps: int) -> None:
    """A callee's summary changes (its reset is commented out and back, unsaved):
    how long until the caller's diagnostics are republished, in a server indexing the tree.
    The three files are editor buffers inside the tree (nothing is written to it)."""
    folder = corpus / "executorch_lsp_bench"
    uris = {name: (folder / name).as_uri() for name in CROSS_FILE}
    started = time.perf_counter()
    client, _ = await start_server(corpus)
    for name in ("engine.cpp", "threads.cpp", "main.cpp"):
        await open_and_wait(client, uris[name], CROSS_FILE[name])
    first = time.perf_counter() - started
    print(f"root=ExecuTorch tree: start -> first cross-file diagnostics {ms(first).strip()} ms")
    line = CROSS_FILE["threads.cpp"].split("\n")[1]
    column = len(line) - len(line.lstrip())
    samples = []
    for version in range(2, 2 * reps + 2):
        commenting = version % 2 == 0
        change = types.TextDocumentContentChangePartial(
            range=types.Range(
                types.Position(1, column), types.Position(1, column if commenting else column + 3)
            ),
            text="// " if commenting else "",
        )
        future = client.expect(uris["main.cpp"], 1)
        begun = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uris["threads.cpp"], version=version),
                [change],
            )
        )
        samples.append(await asyncio.wait_for(future, 120) - begun)
    print(f"didChange of a callee -> caller republished  {percentiles(samples)}")
    print(f"RSS with the tree indexed: {rss_mib(client._server.pid):.0f} MiB")
    await stop_server(client)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def bench_memory(corpus: Path) -> None:
    paths = sorted(p for p in iter_files([corpus]) if detect_language(p) is LanguageId.CPP)
    chosen = random.Random(0).sample(paths, min(200, len(paths)))
    client, _ = await start_server()
    pid = client._server.pid
    before = rss_mib(pid)
    size = 0
    for path in chosen:
        text = path.read_text("utf-8", "replace")
        size += len(text.encode())
        await open_and_wait(client, path.as_uri(), text)
    print(
        f"RSS: {before:.0f} MiB after start, {rss_mib(pid):.0f} MiB with {len(chosen)} "
        f"C++ files open ({size / 1e6:.1f} MB)"
    )
    await stop_server(client)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="an ExecuTorch source tree")
    parser.add_argument("--only", choices=("cli", "lsp", "workspace", "workspace-check"))
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    # Measure the package as an install has it (compiled), not an editable checkout that
    # may compile its modules on every start.
    compileall.compile_dir(Path(executorch_lsp.__file__).parent, quiet=1)
    if args.only in (None, "cli"):
        bench_cli(args.corpus, max(3, args.reps // 5))
    if args.only in (None, "lsp"):
        asyncio.run(bench_lsp(args.corpus, args.reps))
    if args.only == "workspace":
        bench_index(args.corpus)
        bench_cmake(args.corpus, args.reps)
        bench_buck(args.corpus, args.reps)
        asyncio.run(bench_cross_file(args.corpus, args.reps))
    if args.only == "workspace-check":
        docs = {n: synthetic_document(args.corpus, n) for n in (1000, 5000)}
        asyncio.run(bench_workspace_check(args.corpus, docs, args.reps))


if __name__ == "__main__":
    main()

"""Command line: ``executorch-lsp check|explain|explain-log|rules|serve``.

Exit codes (check, explain-log): 0 no findings, 1 findings, 2 usage, configuration or
internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from . import __version__
from .engine.config import Config, ConfigError, load_file, load_for
from .engine.discovery import CACHE_DIR_NAME, iter_files
from .engine.text import TextBuffer

if TYPE_CHECKING:
    from .engine.check_cache import CheckCache
    from .engine.findings import Finding
    from .engine.results import FileResult
    from .engine.workspace import Workspace
    from .reporters import FileReport, ProblemReport, RuleNames

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
CACHE_DIR_VARIABLE = "EXECUTORCH_LSP_CACHE_DIR"


def _codes(value: str) -> list[str]:
    return [code.strip().upper() for code in value.split(",") if code.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="executorch-lsp",
        description="Language server and linter for ExecuTorch deployment mistakes.",
    )
    parser.add_argument("--version", action="version", version=f"executorch-lsp {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="check files and folders")
    check.add_argument("paths", nargs="*", type=Path, help="files or folders (default: .)")
    check.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    check.add_argument("--select", type=_codes, help="comma-separated codes or prefixes")
    check.add_argument("--ignore", type=_codes, help="comma-separated codes or prefixes")
    check.add_argument("--config", type=Path, help="configuration file to use")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply the configured excludes to files named on the command line too",
    )
    check.add_argument("--output-file", type=Path, help="write the report here")
    check.add_argument("-j", "--jobs", type=int, help="worker processes (default: cores)")
    check.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the check cache"
    )
    check.add_argument(
        "--cache-dir",
        type=Path,
        help=f"where the cache lives (default: ${CACHE_DIR_VARIABLE}, else {CACHE_DIR_NAME}/ "
        "at the project root)",
    )

    explain = commands.add_parser(
        "explain", help="explain a rule code, an ExecuTorch error or a runtime log line"
    )
    explain.add_argument(
        "what", nargs="+", help="ET101, 0x20, NotFound, 'error 20', 32, a log line ..."
    )

    explain_log = commands.add_parser(
        "explain-log", help="explain the ExecuTorch runtime problems a log shows"
    )
    explain_log.add_argument(
        "file", nargs="?", default="-", help="a log file, or - for stdin (the default)"
    )

    rules = commands.add_parser("rules", help="list all rules")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    serve = commands.add_parser("serve", help="run the language server")
    serve.add_argument("--stdio", action="store_true", help="use stdio (the default)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP (for debugging)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "explain":
            return _explain(" ".join(args.what))
        if args.command == "explain-log":
            return _explain_log(args.file)
        if args.command == "rules":
            return _rules(args.format)
        return _serve(args)
    except ConfigError as error:
        print(f"executorch-lsp: configuration error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR


def _load_config(args: argparse.Namespace, paths: list[Path]) -> Config:
    if args.config is not None:
        config = load_file(args.config) or Config(path=args.config.resolve())
    else:
        config = load_for(paths[0] if paths else Path.cwd())
    overrides: dict[str, list[str]] = {}
    if args.select:
        overrides["select"] = args.select
    if args.ignore:
        overrides["ignore"] = args.ignore
    return config.with_overrides(overrides) if overrides else config


def _display_paths(paths: list[str]) -> dict[str, str]:
    """Each path relative to the current folder, forward slashes: a folder's form is its
    parent's plus its name when the parent's is known (a walk lists parents first), else
    one relpath."""
    folders: dict[str, str] = {}
    shown = {}
    for path in paths:
        folder, name = os.path.split(path)
        if folder not in folders:
            parent, last = os.path.split(folder)
            known = folders.get(parent) if last not in ("", ".", "..") else None
            folders[folder] = (
                f"{known}{last}/"
                if known is not None and known[-3:] != "../"
                else _display_path(os.path.join(folder, "_"))[:-1]
            )
        shown[path] = folders[folder] + name
    return shown


def _display_path(path: str) -> str:
    try:
        return os.path.relpath(path).replace(os.sep, "/")
    except ValueError:
        return Path(path).as_posix()


def _workspace_for(
    paths: list[Path], files: list[str], config: Config, cache: CheckCache | None
) -> Workspace:
    """The files calls may lead into: the checked folders, or, when only files are named
    (as pre-commit does), the project they belong to. With a cache, one that records what
    each analysis read of it."""
    from .engine.tracking import TrackingWorkspace
    from .engine.workspace import Workspace

    kind = Workspace if cache is None else TrackingWorkspace
    folders = [path for path in paths if path.is_dir()]
    if folders:
        return kind(roots=folders, files=files)
    root = config.root or Path.cwd()
    listed = _project_files(root, config, cache) if cache is not None else None
    return kind(roots=[root], files=listed, exclude=config.exclude, exclude_root=config.root)


def _project_files(root: Path, config: Config, cache: CheckCache) -> list[str]:
    return cache.walk([root], config.exclude, config.root)


def _cache_for(args: argparse.Namespace, paths: list[Path], config: Config) -> CheckCache:
    """The cache of this workspace and configuration: in --cache-dir, else in
    $EXECUTORCH_LSP_CACHE_DIR, else at the project root (the configuration's folder, or the
    common folder of the checked paths)."""
    from .engine.check_cache import CheckCache, tool_key

    resolved = [path.resolve() for path in paths]
    folders = [path if path.is_dir() else path.parent for path in resolved]
    directory = args.cache_dir
    if directory is None and os.environ.get(CACHE_DIR_VARIABLE):
        directory = Path(os.environ[CACHE_DIR_VARIABLE])
    if directory is None:
        root = config.root or Path(os.path.commonpath([str(f) for f in folders]))
        directory = root / CACHE_DIR_NAME
    config_key = (
        config.select,
        config.ignore,
        config.exclude,
        sorted((code, level.value) for code, level in config.severity.items()),
        str(config.path),
        config.time_limit,
        config.max_file_bytes,
    )
    workspace_key = tuple(
        sorted(str(f) for f, p in zip(folders, resolved, strict=True) if p.is_dir())
    ) or ("project", str(config.root or Path.cwd()))
    return CheckCache(directory.resolve(), (tool_key(), config_key, workspace_key))


class _Output:
    """Findings written as files complete, in order (text, github); one document at the
    end for json and sarif. A progress bar on a watching terminal."""

    def __init__(self, args: argparse.Namespace, total: int) -> None:
        from .progress import Progress, wants_progress
        from .reporters import Tally

        self.format = args.format
        self.color = args.format == "text" and args.output_file is None and sys.stdout.isatty()
        self.sink = args.output_file.open("w", encoding="utf-8") if args.output_file else sys.stdout
        self.tally = Tally()
        self.reports: list[FileReport] = []
        self.progress = (
            Progress(total, sys.stderr) if wants_progress(sys.stderr, os.environ) else None
        )
        self.done = 0

    def file(self, report: FileReport | None, names: RuleNames) -> None:
        from .reporters import github_file, text_file

        self.done += 1
        if report is not None:
            self.tally.add(report.findings)
            if self.format == "text":
                self._write(text_file(report, self.color))
            elif self.format == "github":
                self._write(github_file(report, names))
            else:
                self.reports.append(report)
        if self.progress is not None:
            self.progress.update(self.done)

    def finish(self, problems: list[ProblemReport], names: RuleNames) -> None:
        from .reporters import github_ending, render, text_ending

        if self.format == "text":
            self._write(text_ending(self.tally, problems, color=self.color))
        elif self.format == "github":
            self._write(github_ending(problems))
        else:
            self._write(render(self.format, self.reports, problems, names=names))
        if self.progress is not None:
            self.progress.clear()
        if self.sink is not sys.stdout:
            self.sink.close()

    def _write(self, text: str) -> None:
        if not text:
            return
        if self.progress is not None:
            self.progress.clear()
        self.sink.write(text)
        self.sink.flush()


def _check(args: argparse.Namespace) -> int:
    from .reporters import FileReport, ProblemReport

    paths = args.paths or [Path.cwd()]
    missing = [path for path in paths if not path.exists()]
    if missing:
        print(f"executorch-lsp: no such file or folder: {missing[0]}", file=sys.stderr)
        return EXIT_ERROR
    config = _load_config(args, paths)
    cache = None if args.no_cache else _cache_for(args, paths, config)
    files = _files(paths, config, args.force_exclude, cache)
    display = _display_paths(files)
    ordered = sorted(files, key=display.__getitem__)
    output = _Output(args, len(files))
    problems: dict[str, list[ProblemReport]] = {}
    internal_error = False
    for outcome in _results(paths, files, ordered, config, args.jobs, cache):
        path = outcome.path
        for message in outcome.problems:
            problems.setdefault(path, []).append(ProblemReport(display[path], message))
        internal_error = internal_error or outcome.failed
        report = None
        if outcome.findings:
            data = outcome.data or _read_bytes(path)
            report = FileReport(display[path], TextBuffer(data), outcome.findings)
        output.file(report, _rule_names(cache))
    in_walk_order = [problem for path in files for problem in problems.get(path, [])]
    output.finish(in_walk_order, _rule_names(cache))
    if cache is not None and cache.changed:
        _save(cache)
    if args.format != "text":
        for problem in in_walk_order:
            print(f"executorch-lsp: {problem.path}: {problem.message}", file=sys.stderr)
    if internal_error:
        return EXIT_ERROR
    if output.tally.findings and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _files(
    paths: list[Path], config: Config, force_exclude: bool, cache: CheckCache | None
) -> list[str]:
    if cache is not None:
        return cache.walk(paths, config.exclude, config.root, force_exclude)
    found = iter_files(paths, config.exclude, config.root, force_exclude=force_exclude)
    return [str(path) for path in found]


class _Outcome(NamedTuple):
    """What to report of one file."""

    path: str
    findings: list[Finding]
    data: bytes = b""  # the text, when at hand
    problems: tuple[str, ...] = ()
    failed: bool = False  # a rule raised


def _outcome(result: FileResult) -> _Outcome:
    problems = [result.problem] if result.problem else []
    problems += [f"internal error in {f.code}: {f.error}" for f in result.failures]
    path = str(result.path)
    return _Outcome(path, result.findings, result.data, tuple(problems), bool(result.failures))


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _results(
    paths: list[Path],
    files: list[str],
    ordered: list[str],
    config: Config,
    jobs: int | None,
    cache: CheckCache | None,
) -> Iterator[_Outcome]:
    """The outcome of each file in ``ordered`` order: from the cache when nothing it
    depends on changed, else from a check of the files that need one."""
    cached: dict[str, list] = {}
    if cache is not None:
        workspace_files = files if any(p.is_dir() for p in paths) else None
        root = config.root or Path.cwd()
        cache.refresh(
            workspace_files if workspace_files is not None else _project_files(root, config, cache)
        )
        cached = {path: found for path in ordered if (found := cache.cached(path)) is not None}
    dirty = [path for path in ordered if path not in cached]
    fresh = _fresh_results(paths, files, dirty, config, jobs, cache) if dirty else iter(())
    for path in ordered:
        if path in cached:
            yield _Outcome(path, cached[path])
            continue
        result = next(fresh)
        if cache is not None:
            _remember(cache, result)
        yield _outcome(result)


def _fresh_results(
    paths: list[Path],
    files: list[str],
    dirty: list[str],
    config: Config,
    jobs: int | None,
    cache: CheckCache | None,
) -> Iterator[FileResult]:
    from .engine.batch import iter_check_files

    workspace = _workspace_for(paths, files, config, cache)
    return iter_check_files([Path(path) for path in dirty], config, jobs, workspace)


def _remember(cache: CheckCache, result: FileResult) -> None:
    path = str(result.path)
    if result.problem or result.failures or result.digest is None or result.dependencies is None:
        cache.forget(path)
    else:
        cache.store(path, result.digest, result.findings, result.dependencies)


def _rule_names(cache: CheckCache | None) -> RuleNames:
    """Rule names without importing the rules, when a cache knows them and nothing
    imported the rules anyway."""
    if cache is None or not cache.rule_names or "executorch_lsp.rules" in sys.modules:
        return None
    return cache.rule_names


def _save(cache: CheckCache) -> None:
    names = None
    if "executorch_lsp.rules" in sys.modules:
        from .rules import RULES

        names = {rule.code: rule.name for rule in RULES}
    try:
        cache.save(names)
    except OSError as error:
        print(f"executorch-lsp: cannot write the cache: {error}", file=sys.stderr)


def _explain(what: str) -> int:
    from .explain import explain_text

    text = explain_text(what)
    if text is None:
        print(
            f"executorch-lsp: '{what}' is neither a rule code (ET101), an ExecuTorch error "
            "(0x20, NotFound, 'error 20') nor a known runtime log line",
            file=sys.stderr,
        )
        return EXIT_ERROR
    print(text)
    return EXIT_CLEAN


# Logs are read up to this size; the analysis itself reads a bounded number of lines.
MAX_LOG_BYTES = 64 * 1024 * 1024


class LogInputError(Exception):
    """A log that cannot be read as text."""


def _read_log(file: str) -> tuple[bytes, str]:
    """The first MAX_LOG_BYTES of the file (``-``: stdin) and the name to report."""
    if file == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise LogInputError("give a log file, or pipe a log into stdin (- reads stdin)")
        return sys.stdin.buffer.read(MAX_LOG_BYTES), "<stdin>"
    path = Path(file)
    if not path.is_file():
        raise LogInputError(f"no such file: {file}")
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_LOG_BYTES), file
    except OSError as error:
        raise LogInputError(f"cannot read {file}: {error.strerror or error}") from error


def _decode_log(data: bytes, name: str) -> str:
    """Text of a log: UTF-8, or UTF-16 with a byte-order mark (PowerShell redirection)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    if b"\x00" in data[:65536]:
        raise LogInputError(f"{name} looks like a binary file, not a text log")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        print(
            f"executorch-lsp: {name} is not valid UTF-8; undecodable bytes were replaced",
            file=sys.stderr,
        )
        return data.decode("utf-8", "replace")


def _explain_log(file: str) -> int:
    from .knowledge.runtime_log import explain_log, report_text

    try:
        data, name = _read_log(file)
        text = _decode_log(data, name)
    except LogInputError as error:
        print(f"executorch-lsp: {error}", file=sys.stderr)
        return EXIT_ERROR
    report = explain_log(text)
    sys.stdout.write(report_text(report, name))
    if len(data) >= MAX_LOG_BYTES:
        note = f"only the first {MAX_LOG_BYTES >> 20} MiB of {name} were read"
        print(f"executorch-lsp: {note}", file=sys.stderr)
    return EXIT_FINDINGS if report.diagnoses else EXIT_CLEAN


def _rules(fmt: str) -> int:
    from .docs import languages_of
    from .rules import RULES

    if fmt == "json":
        entries = [
            {
                "code": rule.code,
                "name": rule.name,
                "title": rule.title,
                "severity": rule.severity.value,
                "fixable": rule.fixable,
                "languages": sorted(lang.value for lang in rule.languages),
                "url": rule.docs_url,
            }
            for rule in RULES
        ]
        print(json.dumps(entries, indent=2))
        return EXIT_CLEAN
    rows = [("CODE", "NAME", "SEVERITY", "FIX", "LANGUAGES")]
    rows += [
        (r.code, r.name, r.severity.value, "yes" if r.fixable else "-", languages_of(r))
        for r in RULES
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return EXIT_CLEAN


def _serve(args: argparse.Namespace) -> int:
    from .lsp.server import SWITCH_INTERVAL_SECONDS, create_server

    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    server = create_server()
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return EXIT_CLEAN

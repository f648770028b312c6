"""Command line: ``executorch-lsp check|explain|explain-log|rules|serve``.

Exit codes (check, explain-log): 0 no findings, 1 findings, 2 usage, configuration or
internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .engine.config import Config, ConfigError, load_file, load_for
from .engine.discovery import iter_files
from .engine.text import TextBuffer

if TYPE_CHECKING:
    from .engine.workspace import Workspace

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


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


def _display_path(path: Path) -> str:
    try:
        return os.path.relpath(path).replace(os.sep, "/")
    except ValueError:
        return path.as_posix()


def _workspace_for(paths: list[Path], files: list[Path], config) -> Workspace:
    """The files calls may lead into: the checked folders, or, when only files are named
    (as pre-commit does), the project they belong to."""
    from .engine.workspace import Workspace

    folders = [path for path in paths if path.is_dir()]
    if folders:
        return Workspace(roots=folders, files=files)
    root = config.root or Path.cwd()
    return Workspace(roots=[root], exclude=config.exclude, exclude_root=config.root)


def _check(args: argparse.Namespace) -> int:
    from .engine.batch import check_files
    from .reporters import FileReport, ProblemReport, render

    paths = args.paths or [Path.cwd()]
    missing = [path for path in paths if not path.exists()]
    if missing:
        print(f"executorch-lsp: no such file or folder: {missing[0]}", file=sys.stderr)
        return EXIT_ERROR
    config = _load_config(args, paths)
    files = list(iter_files(paths, config.exclude, config.root, force_exclude=args.force_exclude))
    results = check_files(files, config, args.jobs, _workspace_for(paths, files, config))
    reports, problems, internal_error = [], [], False
    for result in results:
        if not (result.problem or result.failures or result.findings):
            continue
        display = _display_path(result.path)
        if result.problem:
            problems.append(ProblemReport(display, result.problem))
        for failure in result.failures:
            internal_error = True
            problems.append(
                ProblemReport(display, f"internal error in {failure.code}: {failure.error}")
            )
        if result.findings:
            reports.append(FileReport(display, TextBuffer(result.data), result.findings))
    color = args.format == "text" and args.output_file is None and sys.stdout.isatty()
    output = render(args.format, reports, problems, color=color)
    if args.output_file:
        args.output_file.write_text(output, "utf-8")
    else:
        sys.stdout.write(output)
    if args.format != "text":
        for problem in problems:
            print(f"executorch-lsp: {problem.path}: {problem.message}", file=sys.stderr)
    if internal_error:
        return EXIT_ERROR
    if any(report.findings for report in reports) and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


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
    from .lsp.server import create_server

    server = create_server()
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return EXIT_CLEAN

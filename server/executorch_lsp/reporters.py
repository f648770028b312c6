"""Output of ``executorch-lsp check``: text, JSON, SARIF and GitHub Actions annotations.

Findings carry byte spans; every format reports 1-based rows and 1-based columns
counted in Unicode code points (SARIF says so with ``columnKind``). End columns
point just past the last character, as in ruff and SARIF. Every format sorts its
findings by path, row and column so the output is stable.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from . import DOCS_BASE_URL, __version__
from .engine.findings import Finding, Fix, Related, Severity, Span
from .engine.text import PositionEncoding, TextBuffer

if TYPE_CHECKING:
    from .rules.base import Rule

TOOL_NAME = "executorch-lsp"
INFORMATION_URI = "https://github.com/executorch-lsp/executorch-lsp"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"

Json = dict[str, Any]


@dataclass
class FileReport:
    """The findings of one file, with its text for row/column conversion."""

    path: str  # display path as given or relative, forward slashes
    buffer: TextBuffer
    findings: list[Finding]


@dataclass
class ProblemReport:
    """A file that could not be analysed, or a rule that crashed on it."""

    path: str
    message: str


@dataclass(frozen=True)
class Location:
    """1-based (row, column) of a span's start and end, column in code points."""

    row: int
    column: int
    end_row: int
    end_column: int


@dataclass(frozen=True)
class RuleInfo:
    """What a report says about a finding's rule."""

    name: str
    docs_url: str


# Rule names by code; None: ask the rules (importing them costs more than a cached check).
RuleNames = dict[str, str] | None


@dataclass(frozen=True)
class _Item:
    """One finding with everything the formats need, resolved once."""

    path: str
    buffer: TextBuffer
    finding: Finding
    location: Location
    names: RuleNames = None

    @property
    def rule(self) -> RuleInfo | None:
        return rule_info(self.finding.code, self.names)


def rule_info(code: str, names: RuleNames = None) -> RuleInfo | None:
    if names is not None:
        name = names.get(code)
        return RuleInfo(name, f"{DOCS_BASE_URL}/{code}.md") if name is not None else None
    from .rules import rule_by_code

    rule = rule_by_code(code)
    return RuleInfo(rule.name, rule.docs_url) if rule is not None else None


def _point(buffer: TextBuffer, offset: int) -> tuple[int, int]:
    line, column = buffer.position_at(offset, PositionEncoding.UTF32)
    return line + 1, column + 1


def locate(buffer: TextBuffer, span: Span) -> Location:
    """Rows and character columns (1-based) of a byte span."""
    row, column = _point(buffer, span.start)
    end_row, end_column = _point(buffer, max(span.start, span.end))
    return Location(row, column, end_row, end_column)


def _items(reports: Iterable[FileReport], names: RuleNames = None) -> list[_Item]:
    items = [
        _Item(report.path, report.buffer, finding, locate(report.buffer, finding.span), names)
        for report in reports
        for finding in report.findings
    ]
    items.sort(key=lambda i: (i.path, i.location.row, i.location.column, i.finding.code))
    return items


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# --- text -------------------------------------------------------------------

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_SEVERITY_COLOR = {
    Severity.ERROR: "\x1b[1;31m",
    Severity.WARNING: "\x1b[1;33m",
    Severity.INFO: "\x1b[1;36m",
    Severity.HINT: "\x1b[1;36m",
}


def _paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{_RESET}" if color else text


def _fix_hint(fix: Fix) -> str:
    suffix = "" if fix.safe else " (unsafe)"
    return f"  fix available: {fix.title}{suffix}"


def _text_finding(item: _Item, color: bool) -> list[str]:
    finding, loc = item.finding, item.location
    where = _paint(f"{item.path}:{loc.row}:{loc.column}:", _BOLD, color)
    code = _paint(finding.code, _SEVERITY_COLOR[finding.severity], color)
    lines = [f"{where} {code} [{finding.severity.value}] {finding.message}"]
    if finding.fix is not None:
        lines.append(_fix_hint(finding.fix))
    for related in finding.related:
        where_else = related_location(item, related) if related.path else None
        if where_else is not None:
            path, other = where_else
            lines.append(f"  note: {path}:{other.row}:{other.column}: {related.message}")
    return lines


@dataclass
class Tally:
    """Counts for the text summary, kept while findings are reported file by file."""

    findings: int = 0
    files: int = 0
    fixable: int = 0

    def add(self, findings: Sequence[Finding]) -> None:
        if findings:
            self.findings += len(findings)
            self.files += 1
            self.fixable += sum(1 for finding in findings if finding.fix is not None)


def _text_summary(tally: Tally, problems: Sequence[ProblemReport]) -> str:
    if tally.findings:
        summary = (
            f"Found {_plural(tally.findings, 'finding')} in {_plural(tally.files, 'file')} "
            f"({tally.fixable} fixable)."
        )
    else:
        summary = "All checked files are clean."
    if problems:
        failed = len({problem.path for problem in problems})
        summary += f" {_plural(failed, 'file')} could not be fully checked."
    return summary


def render_text(
    reports: Sequence[FileReport], problems: Sequence[ProblemReport] = (), *, color: bool = False
) -> str:
    tally = Tally()
    parts = []
    for report in sorted(reports, key=lambda report: report.path):
        parts.append(text_file(report, color))
        tally.add(report.findings)
    parts.append(text_ending(tally, problems, color=color))
    return "".join(parts)


def text_file(report: FileReport, color: bool = False) -> str:
    """The text lines of one file's findings (the files go in order of their paths)."""
    return "".join(line + "\n" for item in _items([report]) for line in _text_finding(item, color))


def text_ending(tally: Tally, problems: Sequence[ProblemReport], *, color: bool = False) -> str:
    """What follows the findings in text: the problems, then the summary."""
    error = _paint("error:", _SEVERITY_COLOR[Severity.ERROR], color)
    lines = [f"{_paint(p.path + ':', _BOLD, color)} {error} {p.message}" for p in problems]
    if lines or tally.findings:
        lines.append("")
    lines.append(_text_summary(tally, problems))
    return "\n".join(lines) + "\n"


# --- json (ruff's shape) ----------------------------------------------------


def _row_column(row: int, column: int) -> Json:
    return {"row": row, "column": column}


def _json_fix(buffer: TextBuffer, fix: Fix | None) -> Json | None:
    if fix is None:
        return None
    edits = []
    for edit in sorted(fix.edits, key=lambda e: (e.span.start, e.span.end)):
        loc = locate(buffer, edit.span)
        edits.append(
            {
                "content": edit.new_text,
                "location": _row_column(loc.row, loc.column),
                "end_location": _row_column(loc.end_row, loc.end_column),
            }
        )
    return {
        "applicability": "safe" if fix.safe else "unsafe",
        "message": fix.title,
        "edits": edits,
    }


def _json_finding(item: _Item) -> Json:
    finding, loc = item.finding, item.location
    return {
        "filename": item.path,
        "code": finding.code,
        "name": item.rule.name if item.rule else None,
        "severity": finding.severity.value,
        "message": finding.message,
        "url": item.rule.docs_url if item.rule else None,
        "location": _row_column(loc.row, loc.column),
        "end_location": _row_column(loc.end_row, loc.end_column),
        "fix": _json_fix(item.buffer, finding.fix),
        "noqa_row": loc.row,
    }


def _json_problem(problem: ProblemReport) -> Json:
    """A problem in the finding shape with ``code`` null (as ruff does for syntax errors)."""
    return {
        "filename": problem.path,
        "code": None,
        "name": None,
        "severity": Severity.ERROR.value,
        "message": problem.message,
        "url": None,
        "location": _row_column(1, 1),
        "end_location": _row_column(1, 1),
        "fix": None,
        "noqa_row": None,
    }


def render_json(
    reports: Sequence[FileReport],
    problems: Sequence[ProblemReport] = (),
    names: RuleNames = None,
) -> str:
    entries = [_json_finding(item) for item in _items(reports, names)]
    entries += [_json_problem(problem) for problem in problems]
    entries.sort(key=lambda e: (e["filename"], e["location"]["row"], e["location"]["column"]))
    return _indented_json(entries) + "\n"


def _indented_json(value: object, depth: int = 0) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, several times faster: with an
    indent the standard library falls back to its pure-Python encoder, and reports
    hold thousands of small objects."""
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = "\n" + "  " * (depth + 1)
        items = (
            f"{encode_basestring(key)}: "
            + (
                encode_basestring(item)  # strings and counts, most values: no call
                if type(item) is str
                else str(item)
                if type(item) is int
                else _indented_json(item, depth + 1)
            )
            for key, item in value.items()
        )
        return "{" + inner + ("," + inner).join(items) + "\n" + "  " * depth + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = "\n" + "  " * (depth + 1)
        items = (_indented_json(item, depth + 1) for item in value)
        return "[" + inner + ("," + inner).join(items) + "\n" + "  " * depth + "]"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value)  # floats, booleans, None


# --- sarif ------------------------------------------------------------------

_SARIF_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.HINT: "note",
}


def _plain(markdown: str) -> str:
    return markdown.replace("`", "")


def _is_absolute(path: str) -> bool:
    return PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute()


def _artifact_location(path: str) -> Json:
    path = path.replace("\\", "/")
    if _is_absolute(path):
        if PureWindowsPath(path).drive:
            return {"uri": PureWindowsPath(path).as_uri()}
        return {"uri": PurePosixPath(path).as_uri()}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _region(loc: Location) -> Json:
    return {
        "startLine": loc.row,
        "startColumn": loc.column,
        "endLine": loc.end_row,
        "endColumn": loc.end_column,
    }


def _physical(path: str, loc: Location) -> Json:
    return {"artifactLocation": _artifact_location(path), "region": _region(loc)}


def _rule_help_markdown(rule: Rule) -> str:
    docs, fence = rule.docs, "```"
    parts = [
        docs.problem,
        f"## Why\n\n{docs.why}",
        f"## Bad\n\n{fence}{docs.example_language}\n{docs.bad.rstrip()}\n{fence}",
        f"## Good\n\n{fence}{docs.example_language}\n{docs.good.rstrip()}\n{fence}",
        f"## Exceptions\n\n{docs.exceptions}",
    ]
    if docs.sources:
        parts.append("## Sources\n\n" + "\n".join(f"- [{s.title}]({s.url})" for s in docs.sources))
    parts.append(f"[Rule documentation]({rule.docs_url})")
    return "\n\n".join(parts)


def _rule_help_text(rule: Rule) -> str:
    docs = rule.docs
    return _plain(f"{docs.problem}\n\n{docs.why}\n\nSee {rule.docs_url}")


def _sarif_rule(rule: Rule) -> Json:
    tags = ["executorch", *sorted(language.value for language in rule.languages)]
    if rule.fixable:
        tags.append("fixable")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": _plain(rule.docs.problem)},
        "helpUri": rule.docs_url,
        "help": {"text": _rule_help_text(rule), "markdown": _rule_help_markdown(rule)},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        "properties": {"tags": tags},
    }


def _line_digest(item: _Item) -> str:
    """Hash of code, path and the finding's stripped line: survives edits elsewhere."""
    line = item.buffer.line_bytes(item.location.row - 1).decode("utf-8", "replace").strip()
    key = "\0".join((item.finding.code, item.path, line))
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _sarif_fix(item: _Item, fix: Fix) -> Json:
    replacements = []
    for edit in sorted(fix.edits, key=lambda e: (e.span.start, e.span.end)):
        replacement: Json = {"deletedRegion": _region(locate(item.buffer, edit.span))}
        if edit.new_text:
            replacement["insertedContent"] = {"text": edit.new_text}
        replacements.append(replacement)
    change = {"artifactLocation": _artifact_location(item.path), "replacements": replacements}
    return {"description": {"text": fix.title}, "artifactChanges": [change]}


def _sarif_related(item: _Item) -> list[Json]:
    entries = []
    for index, related in enumerate(item.finding.related, start=1):
        where = related_location(item, related)
        if where is not None:
            path, location = where
            entries.append(
                {
                    "id": index,
                    "physicalLocation": _physical(path, location),
                    "message": {"text": related.message},
                }
            )
    return entries


def related_location(item: _Item, related: Related) -> tuple[str, Location] | None:
    """Where a related place is: in the finding's file, or in another file (read here)."""
    if related.path is None:
        return item.path, locate(item.buffer, related.span)
    buffer = _other_file(related.path)
    if buffer is None:
        return None
    return _relative(related.path), locate(buffer, related.span)


@cache
def _other_file(path: str) -> TextBuffer | None:
    try:
        return TextBuffer(Path(path).read_bytes())
    except OSError:
        return None


def _relative(path: str) -> str:
    try:
        return os.path.relpath(path).replace(os.sep, "/")
    except ValueError:
        return Path(path).as_posix()


def _sarif_result(item: _Item, rule_index: dict[str, int], fingerprint: str) -> Json:
    finding = item.finding
    result: Json = {"ruleId": finding.code}
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    result |= {
        "level": _SARIF_LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": _physical(item.path, item.location)}],
        "partialFingerprints": {"primaryLocationLineHash": fingerprint},
    }
    if finding.related:
        result["relatedLocations"] = _sarif_related(item)
    if finding.fix is not None and finding.fix.edits:
        result["fixes"] = [_sarif_fix(item, finding.fix)]
    return result


def _sarif_results(items: Sequence[_Item]) -> list[Json]:
    from .rules import RULES

    rule_index = {rule.code: index for index, rule in enumerate(RULES)}
    seen: dict[str, int] = {}
    results = []
    for item in items:
        digest = _line_digest(item)
        seen[digest] = seen.get(digest, 0) + 1  # identical lines: count them, as GitHub does
        results.append(_sarif_result(item, rule_index, f"{digest}:{seen[digest]}"))
    return results


def _sarif_notification(problem: ProblemReport) -> Json:
    notification: Json = {"level": "error", "message": {"text": problem.message}}
    if problem.path:
        location = {"physicalLocation": {"artifactLocation": _artifact_location(problem.path)}}
        notification["locations"] = [location]
    return notification


def _sarif_invocation(problems: Sequence[ProblemReport]) -> Json:
    invocation: Json = {"executionSuccessful": not problems}
    if problems:
        notifications = [_sarif_notification(problem) for problem in problems]
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _root_uri(root: str | Path | None) -> str:
    uri = Path(root if root is not None else Path.cwd()).resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def render_sarif(
    reports: Sequence[FileReport],
    problems: Sequence[ProblemReport] = (),
    *,
    root: str | Path | None = None,
) -> str:
    """A SARIF 2.1.0 log; relative paths resolve against ``root`` (default: cwd)."""
    from .rules import RULES

    driver = {
        "name": TOOL_NAME,
        "informationUri": INFORMATION_URI,
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_sarif_rule(rule) for rule in RULES],
    }
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(root)}},
        "columnKind": "unicodeCodePoints",
        "invocations": [_sarif_invocation(problems)],
        "results": _sarif_results(_items(reports)),
    }
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


# --- github -----------------------------------------------------------------

_GITHUB_COMMAND = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
    Severity.HINT: "notice",
}
_DATA_ESCAPES = {"%": "%25", "\r": "%0D", "\n": "%0A"}
_PROPERTY_ESCAPES = {**_DATA_ESCAPES, ":": "%3A", ",": "%2C"}


def _escaper(table: dict[str, str]) -> Callable[[str], str]:
    pattern = re.compile("|".join(re.escape(char) for char in table))
    return lambda text: pattern.sub(lambda m: table[m.group()], text)


escape_data = _escaper(_DATA_ESCAPES)
escape_property = _escaper(_PROPERTY_ESCAPES)


def _command(name: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {props}::{escape_data(message)}"


def _github_finding(item: _Item) -> str:
    finding, loc = item.finding, item.location
    title = f"{finding.code} ({item.rule.name})" if item.rule else finding.code
    properties: dict[str, object] = {
        "file": item.path,
        "line": loc.row,
        "col": loc.column,
        "endLine": loc.end_row,
        "endColumn": loc.end_column,
        "title": title,
    }
    return _command(_GITHUB_COMMAND[finding.severity], properties, finding.message)


def _github_problem(problem: ProblemReport) -> str:
    return _command("error", {"file": problem.path, "title": TOOL_NAME}, problem.message)


def render_github(
    reports: Sequence[FileReport],
    problems: Sequence[ProblemReport] = (),
    names: RuleNames = None,
) -> str:
    ordered = sorted(reports, key=lambda report: report.path)
    return "".join(github_file(report, names) for report in ordered) + github_ending(problems)


def github_file(report: FileReport, names: RuleNames = None) -> str:
    """The annotations of one file's findings (the files go in order of their paths)."""
    return "".join(_github_finding(item) + "\n" for item in _items([report], names))


def github_ending(problems: Sequence[ProblemReport]) -> str:
    return "".join(_github_problem(problem) + "\n" for problem in problems)


# --- dispatch ---------------------------------------------------------------

FORMATS: tuple[str, ...] = ("text", "json", "sarif", "github")


def render(
    fmt: str,
    reports: Sequence[FileReport],
    problems: Sequence[ProblemReport] = (),
    *,
    color: bool = False,
    root: str | Path | None = None,
    names: RuleNames = None,
) -> str:
    """Render findings and problems in ``fmt``; the result ends with a newline (or is empty).

    ``color`` only affects ``text``; ``root`` is SARIF's ``%SRCROOT%`` (default: cwd);
    ``names``: rule names by code, when known without importing the rules.
    """
    if fmt == "text":
        return render_text(reports, problems, color=color)
    if fmt == "json":
        return render_json(reports, problems, names)
    if fmt == "sarif":
        return render_sarif(reports, problems, root=root)
    if fmt == "github":
        return render_github(reports, problems, names)
    raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")

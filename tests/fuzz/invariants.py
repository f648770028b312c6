"""What must hold for every input, however broken: the checks each fuzzed input runs."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise

from executorch_lsp.engine.analysis import Analysis, analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.findings import Finding, Fix, Span, TextEdit, apply_edits
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.engine.suppressions import disable_edit
from executorch_lsp.engine.text import PositionEncoding
from executorch_lsp.knowledge.runtime_log import explain_log, report_markdown, report_text

from .corpus import LOG

PATHS = {
    LanguageId.CPP: "main.cpp",
    LanguageId.CMAKE: "CMakeLists.txt",
    LanguageId.STARLARK: "BUCK",
    LanguageId.PYTHON: "export.py",
}
# Fixes and "disable for this line" edits are checked for this many findings per input
# (each check analyses the edited text again).
EDITS_CHECKED = 3
# Above this size only the analysis itself is checked (the edits' checks re-analyse).
EDITS_CHECKED_BELOW = 256 * 1024
# Findings whose editor positions are worked out again (from the text's start, each).
POSITIONS_CHECKED = 20


_DIGITS = re.compile(r"\d+")


class InvariantViolation(AssertionError):
    pass


@dataclass
class Outcome:
    seconds: float
    findings: int
    checked_edits: int = 0
    notes: list[str] = field(default_factory=list)


def check_input(
    kind: LanguageId | str, data: bytes, seconds_allowed: float = 10.0, edits: bool = True
) -> Outcome:
    """Run every invariant on one input; raises InvariantViolation (or the engine's own
    exception) on the first that fails. Without ``edits``, fixes and "disable" edits are
    not applied and checked (each costs another analysis)."""
    if kind == LOG:
        return check_log(data, seconds_allowed)
    assert isinstance(kind, LanguageId)
    return check_source(kind, data, seconds_allowed, edits)


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise InvariantViolation(message)


def analyse(language: LanguageId, data: bytes) -> tuple[Document, Analysis]:
    document = Document(PATHS[language], language, data)
    return document, analyze(document, Config())


def check_source(
    language: LanguageId, data: bytes, seconds_allowed: float, edits: bool = True
) -> Outcome:
    started = time.perf_counter()
    document, analysis = analyse(language, data)
    seconds = time.perf_counter() - started
    _expect(not analysis.failures, f"rules failed: {analysis.failures}")
    _expect(seconds <= seconds_allowed, f"analysis took {seconds:.1f} s")
    for finding in analysis.findings:
        _check_spans(finding, len(data))
    for finding in analysis.findings[:POSITIONS_CHECKED]:
        _check_positions(document, finding)
    outcome = Outcome(seconds, len(analysis.findings))
    if edits and len(data) < EDITS_CHECKED_BELOW:
        for finding in _with_fix(analysis.findings):
            _check_fix(language, document, finding, analysis.findings)
            outcome.checked_edits += 1
        for finding in _distinct_lines(analysis.findings):
            _check_disable(language, document, finding)
            outcome.checked_edits += 1
    return outcome


# --- spans -----------------------------------------------------------------------------------


def _inside(span: Span, size: int) -> bool:
    return 0 <= span.start <= span.end <= size


def _check_spans(finding: Finding, size: int) -> None:
    _expect(_inside(finding.span, size), f"{finding.code} span {finding.span} outside 0..{size}")
    for related in finding.related:
        if related.path is None:
            _expect(_inside(related.span, size), f"{finding.code} related {related.span}")
    if finding.fix is not None:
        for edit in finding.fix.edits:
            _expect(_inside(edit.span, size), f"{finding.code} fix edit {edit.span}")
        _expect(not _overlapping(finding.fix), f"{finding.code} fix edits overlap: {finding.fix}")


_LSP_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def lsp_position(data: bytes, offset: int) -> tuple[int, int] | None:
    """The LSP (UTF-16) position of ``offset``, worked out from the protocol's words; None
    where there is none (inside a character or between the two bytes of "\r\n")."""
    try:
        prefix = data[:offset].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if prefix.endswith("\r") and data[offset : offset + 1] == b"\n":
        return None
    lines = _LSP_LINE_BREAK.split(prefix)
    return len(lines) - 1, len(lines[-1].encode("utf-16-le")) // 2


def _check_positions(document: Document, finding: Finding) -> None:
    """Editor positions of a finding agree with the protocol's line and unit counting."""
    for offset in (finding.span.start, finding.span.end):
        expected = lsp_position(document.data, offset)
        if expected is not None:
            actual = document.buffer.position_at(offset, PositionEncoding.UTF16)
            _expect(actual == expected, f"{finding.code} at {offset}: {actual} != {expected}")


def _overlapping(fix: Fix) -> bool:
    spans = sorted(edit.span for edit in fix.edits)
    return any(
        later.start < earlier.end or later.start == earlier.start
        for earlier, later in pairwise(spans)
    )


# --- fixes -----------------------------------------------------------------------------------


def _with_fix(findings: list[Finding]) -> Iterator[Finding]:
    return iter([finding for finding in findings if finding.fix is not None][:EDITS_CHECKED])


def map_offset(offset: int, edits: tuple[TextEdit, ...], at_end: bool) -> int:
    """Where ``offset`` of the old text is in the text with ``edits`` applied (an offset
    inside a replaced range maps to the start or the end of its replacement)."""
    shift = 0
    for edit in sorted(edits, key=lambda e: e.span):
        inserted = len(edit.new_text.encode("utf-8", "surrogatepass"))
        start, end = edit.span.start, edit.span.end
        if end < offset or (end == offset and (at_end or start < end)):
            shift += inserted - (end - start)
        elif start < offset < end or (start == offset == end and at_end):
            return start + shift + (inserted if at_end else 0)
    return offset + shift


def _same_place(old: Span, new: Span, edits: tuple[TextEdit, ...]) -> bool:
    mapped = Span(map_offset(old.start, edits, False), map_offset(old.end, edits, True))
    if mapped.start == mapped.end or new.start == new.end:
        return mapped.start <= new.start <= mapped.end
    return new.start < mapped.end and mapped.start < new.end


def _same_finding(old: Finding, new: Finding) -> bool:
    """Same code and message (line numbers in messages may move with the fix)."""
    return old.code == new.code and _DIGITS.sub("N", old.message) == _DIGITS.sub("N", new.message)


def _check_fix(
    language: LanguageId, document: Document, finding: Finding, findings: list[Finding]
) -> None:
    assert finding.fix is not None
    edits = finding.fix.edits
    if "\ufffd" not in document.buffer.text():
        for edit in edits:
            _expect("\ufffd" not in edit.new_text, f"{finding.code} fix replaces bytes: {edit}")
    fixed = apply_edits(document.data, list(edits))
    _, again = analyse(language, fixed)
    _expect(not again.failures, f"rules failed after the {finding.code} fix: {again.failures}")
    repeated = [
        other
        for other in again.findings
        if _same_finding(finding, other) and _same_place(finding.span, other.span, edits)
    ]
    # A duplicate (the same code twice in one directive) may move into the fixed place;
    # then one fewer is reported.
    before = sum(_same_finding(finding, other) for other in findings)
    after = sum(_same_finding(finding, other) for other in again.findings)
    _expect(not repeated or after < before, f"{finding.code} again after its fix: {repeated}")


# --- "disable for this line" -----------------------------------------------------------------


def _distinct_lines(findings: list[Finding]) -> Iterator[Finding]:
    seen: set[tuple[int, str]] = set()
    chosen = []
    for finding in findings:
        if finding.code.startswith("ET9") or not finding.code.startswith("ET"):
            continue
        key = (finding.span.start, finding.code)
        if key not in seen:
            seen.add(key)
            chosen.append(finding)
    return iter(chosen[:EDITS_CHECKED])


def comment_spans(document: Document) -> list[Span]:
    spans = []
    cursor = document.tree.walk()
    visited_children = False
    while True:
        node = cursor.node
        if not visited_children and node is not None and "comment" in node.type:
            spans.append(Span(node.start_byte, node.end_byte))
            visited_children = True
        if not visited_children and cursor.goto_first_child():
            continue
        if cursor.goto_next_sibling():
            visited_children = False
            continue
        if not cursor.goto_parent():
            return spans
        visited_children = True


def _in_comment(document: Document, span: Span) -> bool:
    node = document.tree.root_node.descendant_for_byte_range(span.start, span.end)
    while node is not None:
        if "comment" in node.type and node.start_byte <= span.start and span.end <= node.end_byte:
            return True
        if node.type == "preproc_arg":  # tree-sitter-cpp keeps a macro's comment in its value
            return 0 <= document.data.find(b"//", node.start_byte, span.end) <= span.start
        node = node.parent
    return False


def _parses_cleanly(document: Document, line: int) -> bool:
    """Whether the smallest node around ``line`` is free of syntax errors (on broken code
    the comments are not known, so nothing is checked about them)."""
    start, end = document.buffer.line_start(line), document.buffer.line_end(line)
    node = document.tree.root_node.descendant_for_byte_range(start, end)
    return node is not None and not node.has_error


def _check_disable(language: LanguageId, document: Document, finding: Finding) -> None:
    line = document.buffer.line_of(finding.span.start)
    edit = disable_edit(document, line, finding.code)
    if edit is None or not _parses_cleanly(document, line):
        return
    old_comments = comment_spans(document)
    for comment in old_comments:
        touched = comment.start < edit.span.end and edit.span.start < comment.end
        _expect(
            not touched or edit.new_text.replace(" ", "").replace(",", "").isalnum(),
            f"disabling {finding.code} on line {line} rewrites the comment at {comment}",
        )
    edited = Document(PATHS[language], language, apply_edits(document.data, [edit]))
    for comment in old_comments:
        moved = Span(
            map_offset(comment.start, (edit,), False), map_offset(comment.end, (edit,), True)
        )
        _expect(
            _in_comment(edited, moved),
            f"disabling {finding.code} on line {line} ends the comment at {comment}",
        )
    lead = len(edit.new_text) - len(edit.new_text.lstrip())
    inserted = Span(edit.span.start + lead, edit.span.start + len(edit.new_text.encode()))
    _expect(_in_comment(edited, inserted), f"the directive for {finding.code} is not a comment")
    after = analyze(edited, Config())
    still = [
        other
        for other in after.findings
        if other.code == finding.code and edited.buffer.line_of(other.span.start) == line
    ]
    _expect(not still, f"{finding.code} on line {line} not disabled by {edit}")


# --- runtime logs ----------------------------------------------------------------------------


def check_log(data: bytes, seconds_allowed: float) -> Outcome:
    text = data.decode("utf-8", "surrogateescape")
    started = time.perf_counter()
    report = explain_log(text)
    report_text(report, "fuzz.log")
    report_markdown(report)
    seconds = time.perf_counter() - started
    _expect(seconds <= seconds_allowed, f"explain_log took {seconds:.1f} s")
    lines = text.split("\n")
    for diagnosis in report.diagnoses:
        for seen in diagnosis.sightings:
            _expect(0 <= seen.line < report.lines_read <= len(lines), f"sighting {seen}")
            _expect(0 <= seen.start <= seen.end <= len(lines[seen.line]), f"sighting {seen}")
    return Outcome(seconds, sum(len(d.sightings) for d in report.diagnoses))

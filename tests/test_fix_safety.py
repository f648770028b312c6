"""Fixes are safe to apply in bulk: fix-all edits never overlap, touch only the statements
of their finding and of its related places (or the import block), and applying fix-all
twice changes nothing the second time."""

from __future__ import annotations

from pathlib import Path

import pytest

from executorch_lsp.engine.analysis import analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.findings import Finding, apply_edits, non_overlapping_fixes
from executorch_lsp.engine.languages import detect_language
from executorch_lsp.rules import RULES
from test_registry import _FENCE_LANGUAGE

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo-app"


def _samples() -> dict[str, tuple[str, bytes]]:
    samples = {
        path.name: (path.name, path.read_bytes())
        for path in sorted(DEMO.iterdir())
        if detect_language(path.name) is not None
    }
    names = {"cpp": "main.cpp", "cmake": "CMakeLists.txt", "starlark": "BUCK", "python": "x.py"}
    for rule in RULES:
        language = _FENCE_LANGUAGE[rule.docs.example_language]
        samples[rule.code] = (names[language.value], rule.docs.bad.encode())
    return samples


SAMPLES = _samples()


_STATEMENTS = frozenset(
    {"expression_statement", "declaration", "return_statement", "normal_command"}
)


def _fix_all(name: str, data: bytes) -> tuple[bytes, list[Finding], Document]:
    document = Document(name, detect_language(name), data)
    findings = analyze(document, Config()).findings
    safe = [f.fix for f in findings if f.fix is not None and f.fix.safe]
    fixes = non_overlapping_fixes(safe)
    edits = [edit for fix in fixes for edit in fix.edits]
    return apply_edits(data, edits), [f for f in findings if f.fix in fixes], document


def _statement_span(document: Document, start: int, end: int) -> tuple[int, int]:
    """The statement (or CMake command) holding a span; the span itself outside one."""
    node = document.tree.root_node.descendant_for_byte_range(start, end)
    while node is not None and node.type not in _STATEMENTS:
        node = node.parent
    return (node.start_byte, node.end_byte) if node is not None else (start, end)


def _lines(data: bytes, start: int, end: int) -> range:
    """The lines a span covers (a span ending with a line break ends on that line)."""
    last = max(start, end - 1)
    return range(data.count(b"\n", 0, start), data.count(b"\n", 0, last) + 1)


def _import_block_end(data: bytes) -> int:
    """Offset after the leading comments, includes, imports and docstring."""
    offset = 0
    for line in data.splitlines(keepends=True):
        stripped = line.strip()
        if stripped and not stripped.startswith((b"#", b"//", b"import ", b"from ", b'"""')):
            break
        offset += len(line)
    return offset


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_fix_all_stays_near_its_findings_and_is_idempotent(name: str) -> None:
    path, data = SAMPLES[name]
    fixed, applied, document = _fix_all(path, data)
    for finding in applied:
        places = [finding.span, *(r.span for r in finding.related if r.path is None)]
        allowed: set[int] = set()
        for place in places:
            allowed.update(_lines(data, *_statement_span(document, place.start, place.end)))
        for edit in finding.fix.edits:
            if edit.span.end <= _import_block_end(data):
                continue
            touched = set(_lines(data, edit.span.start, edit.span.end))
            assert touched <= allowed, (finding.code, finding.fix.title, touched, allowed)
    again, _, _ = _fix_all(path, fixed)
    assert again == fixed

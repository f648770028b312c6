"""Re-analysing only the functions an edit touched.

Rules marked ``incremental`` report findings that depend on one function at a time.
After an edit inside function bodies, their previous findings elsewhere are kept
(shifted by the edit) and only the touched functions are examined again. Any edit
outside a function body, a configuration change or a document rebuilt from scratch
falls back to a full analysis.
"""

from __future__ import annotations

from dataclasses import replace

import tree_sitter as ts

from .findings import Finding, Fix, Related, Span, TextEdit
from .text import ByteEdit


def map_offset(offset: int, edits: list[ByteEdit]) -> int | None:
    """Where ``offset`` moves through ``edits`` (None when an edit replaced it)."""
    for edit in edits:
        if offset <= edit.start_byte:
            continue
        if offset >= edit.old_end_byte:
            offset += edit.new_end_byte - edit.old_end_byte
        else:
            return None
    return offset


def _map_span(span: Span, edits: list[ByteEdit]) -> Span | None:
    start, end = map_offset(span.start, edits), map_offset(span.end, edits)
    if start is None or end is None or end - start != span.end - span.start:
        return None
    return Span(start, end)


def shift_finding(finding: Finding, edits: list[ByteEdit]) -> Finding | None:
    """The finding moved through ``edits``; None when an edit touched any of its places."""
    span = _map_span(finding.span, edits)
    if span is None:
        return None
    related = []
    for item in finding.related:
        moved = _map_span(item.span, edits)
        if moved is None:
            return None
        related.append(Related(moved, item.message))
    fix = finding.fix
    if fix is not None:
        moved_edits = []
        for edit in fix.edits:
            moved = _map_span(edit.span, edits)
            if moved is None:
                return None
            moved_edits.append(TextEdit(moved, edit.new_text))
        fix = Fix(fix.title, tuple(moved_edits), fix.safe)
    return replace(finding, span=span, related=tuple(related), fix=fix)


def dirty_functions(
    root: ts.Node, edits: list[ByteEdit], changed: list[tuple[int, int, int]]
) -> list[tuple[int, int]] | None:
    """Byte ranges of the outermost functions containing every change; None if a change
    lies outside function bodies (then everything must be analysed again)."""
    ranges = []
    for index, edit in enumerate(edits):
        later = edits[index + 1 :]
        start, end = map_offset(edit.start_byte, later), map_offset(edit.new_end_byte, later)
        if start is None or end is None:
            return None
        ranges.append((start, end))
    for count, start, end in changed:
        later = edits[count:]
        mapped_start, mapped_end = map_offset(start, later), map_offset(end, later)
        if mapped_start is None or mapped_end is None:
            return None
        ranges.append((mapped_start, mapped_end))
    functions: set[tuple[int, int]] = set()
    for start, end in ranges:
        function = _outermost_function(root, start, end)
        if function is None:
            return None
        functions.add(function)
    return sorted(functions)


def _outermost_function(root: ts.Node, start: int, end: int) -> tuple[int, int] | None:
    node = root.descendant_for_byte_range(start, max(start, end))
    outermost = None
    while node is not None:
        if node.type == "function_definition":
            body = node.child_by_field_name("body")
            if body is not None and body.start_byte < start and end < body.end_byte:
                outermost = node
        node = node.parent
    return (outermost.start_byte, outermost.end_byte) if outermost is not None else None


def inside(span: Span, ranges: list[tuple[int, int]]) -> bool:
    return any(start <= span.start and span.end <= end for start, end in ranges)

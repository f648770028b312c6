"""Engine results to LSP types (positions in the negotiated encoding)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types

from ..engine.findings import Finding, Fix, Severity, Span, TextEdit
from ..engine.text import PositionEncoding, TextBuffer

SOURCE = "executorch-lsp"
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}


def to_range(buffer: TextBuffer, span: Span, encoding: PositionEncoding) -> types.Range:
    start = buffer.position_at(span.start, encoding)
    end = buffer.position_at(span.end, encoding)
    return types.Range(types.Position(*start), types.Position(*end))


def to_offset(buffer: TextBuffer, position: types.Position, encoding: PositionEncoding) -> int:
    return buffer.offset_at(position.line, position.character, encoding)


def text_edits(
    buffer: TextBuffer, edits: tuple[TextEdit, ...] | list[TextEdit], encoding: PositionEncoding
) -> list[types.TextEdit]:
    return [types.TextEdit(to_range(buffer, e.span, encoding), e.new_text) for e in edits]


def fix_data(
    buffer: TextBuffer, fix: Fix | None, encoding: PositionEncoding
) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "title": fix.title,
        "safe": fix.safe,
        "edits": [
            {
                "range": _range_json(edit.range),
                "newText": edit.new_text,
            }
            for edit in text_edits(buffer, fix.edits, encoding)
        ],
    }


def _range_json(value: types.Range) -> dict[str, Any]:
    return {
        "start": {"line": value.start.line, "character": value.start.character},
        "end": {"line": value.end.line, "character": value.end.character},
    }


def to_diagnostic(
    uri: str,
    buffer: TextBuffer,
    finding: Finding,
    encoding: PositionEncoding,
    version: int | None,
    related_supported: bool = True,
    buffer_for: Callable[[str], TextBuffer | None] | None = None,
) -> types.Diagnostic:
    from ..rules import rule_by_code

    rule = rule_by_code(finding.code)
    related = None
    message = finding.message
    if finding.related and related_supported:
        related = []
        for item in finding.related:
            other = buffer_for(item.path) if item.path and buffer_for else None
            if item.path and other is None:
                continue
            location = (
                types.Location(Path(item.path).as_uri(), to_range(other, item.span, encoding))
                if other is not None
                else types.Location(uri, to_range(buffer, item.span, encoding))
            )
            related.append(types.DiagnosticRelatedInformation(location, item.message))
    return types.Diagnostic(
        range=to_range(buffer, finding.span, encoding),
        message=message,
        severity=_SEVERITY[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=rule.docs_url) if rule else None,
        source=SOURCE,
        related_information=related,
        tags=[types.DiagnosticTag.Unnecessary] if finding.code == "ET900" else None,
        data={"version": version, "fix": fix_data(buffer, finding.fix, encoding)},
    )

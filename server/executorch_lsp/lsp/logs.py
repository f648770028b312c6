"""Log documents: the ExecuTorch runtime's lines as information diagnostics and hovers.

``*.log`` files and documents the editor calls ``log`` are kept here, apart from the
source documents (no syntax tree, no rules); ``knowledge.runtime_log`` does the reading.
Everything in this module runs on the document thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lsprotocol import types

from ..engine.findings import Span
from ..engine.text import PositionEncoding, TextBuffer
from ..knowledge.runtime_log import (
    Diagnosis,
    LogReport,
    Sighting,
    explain_log,
    problem_markdown,
)
from .convert import SOURCE, to_offset, to_range

LOG_LANGUAGE_ID = "log"
EXPLAIN_LOG_COMMAND = "executorch-lsp.explainLog"


def is_log_document(path: str, language_id: str | None) -> bool:
    return language_id == LOG_LANGUAGE_ID or path.lower().endswith(".log")


@dataclass
class LogDocument:
    """A log's text as the editor has it, and its report for the current version."""

    buffer: TextBuffer
    version: int | None
    synced: bool  # the editor sends its edits (opened by didOpen, not only by the command)
    _report: LogReport | None = field(default=None, repr=False)
    _report_version: int | None = field(default=None, repr=False)

    def edit(
        self, start: tuple[int, int], end: tuple[int, int], text: str, encoding: PositionEncoding
    ) -> None:
        self.buffer.replace(start[0], start[1], end[0], end[1], text, encoding)
        self._report = None

    def replace_all(self, text: str) -> None:
        self.buffer = TextBuffer.from_text(text)
        self._report = None

    @property
    def report(self) -> LogReport:
        if self._report is None or self._report_version != self.version:
            self._report = explain_log(self.buffer.text())
            self._report_version = self.version
        return self._report


class LogDocuments:
    """Open log documents by URI."""

    def __init__(self) -> None:
        self._documents: dict[str, LogDocument] = {}

    def open(self, uri: str, text: str, version: int | None, synced: bool = True) -> LogDocument:
        document = LogDocument(TextBuffer.from_text(text), version, synced)
        self._documents[uri] = document
        return document

    def get(self, uri: str) -> LogDocument | None:
        return self._documents.get(uri)

    def close(self, uri: str) -> None:
        self._documents.pop(uri, None)


def _span(buffer: TextBuffer, seen: Sighting) -> Span:
    """Byte span of a sighting (its columns count code points of the line)."""
    start_of_line = buffer.line_start(seen.line)
    text = buffer.line_bytes(seen.line).decode("utf-8", "replace")

    def offset(column: int) -> int:
        return start_of_line + len(text[:column].encode("utf-8", "surrogatepass"))

    return Span(offset(seen.start), offset(seen.end))


def diagnostics(document: LogDocument, encoding: PositionEncoding) -> list[types.Diagnostic]:
    """An information diagnostic on each recognised line."""
    return [
        types.Diagnostic(
            range=to_range(document.buffer, _span(document.buffer, seen), encoding),
            message=diagnosis.problem.headline,
            severity=types.DiagnosticSeverity.Information,
            code=diagnosis.problem.code,
            code_description=types.CodeDescription(href=diagnosis.problem.docs_url),
            source=SOURCE,
        )
        for diagnosis in document.report.diagnoses
        for seen in diagnosis.sightings
    ]


def _seen_on(diagnosis: Diagnosis) -> str:
    numbers = diagnosis.line_numbers
    if len(numbers) == 1:
        return ""
    shown = ", ".join(str(n) for n in numbers[:20])
    return f"\nSeen on {len(numbers)} lines: {shown}{', ...' if len(numbers) > 20 else ''}.\n"


def hover(
    document: LogDocument, position: types.Position, encoding: PositionEncoding
) -> types.Hover | None:
    buffer = document.buffer
    offset = to_offset(buffer, position, encoding)
    line = buffer.line_of(offset)
    column = len(buffer.data[buffer.line_start(line) : offset].decode("utf-8", "replace"))
    diagnosis = document.report.problem_at(line, column)
    if diagnosis is None:
        return None
    seen = next(s for s in diagnosis.sightings if s.line == line)
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown,
            value=problem_markdown(diagnosis.problem) + _seen_on(diagnosis),
        ),
        range=to_range(buffer, _span(buffer, seen), encoding),
    )

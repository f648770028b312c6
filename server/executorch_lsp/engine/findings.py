"""What a rule reports: findings with byte spans, fixes and related places."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    HINT = "hint"


@dataclass(frozen=True, order=True)
class Span:
    """Half-open byte range [start, end) in a document."""

    start: int
    end: int

    def contains(self, offset: int) -> bool:
        return self.start <= offset <= self.end


@dataclass(frozen=True)
class TextEdit:
    span: Span
    new_text: str


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[TextEdit, ...]
    safe: bool = True


@dataclass(frozen=True)
class Site:
    """A byte range in a named file (facts about other files of the workspace)."""

    path: str
    start: int
    end: int


@dataclass(frozen=True)
class Related:
    """Another place that explains a finding (e.g. where the model was loaded)."""

    span: Span
    message: str
    path: str | None = None  # another file; None for the finding's own file


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    span: Span
    severity: Severity
    fix: Fix | None = None
    related: tuple[Related, ...] = field(default=())


def apply_edits(data: bytes, edits: list[TextEdit]) -> bytes:
    """Apply non-overlapping edits (later ones first, so offsets stay valid)."""
    result = data
    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end), reverse=True):
        result = result[: edit.span.start] + edit.new_text.encode() + result[edit.span.end :]
    return result


def non_overlapping_fixes(fixes: list[Fix]) -> list[Fix]:
    """Keep fixes in order, dropping any whose edits overlap an earlier one."""
    taken: list[Span] = []
    kept = []
    for fix in fixes:
        spans = [edit.span for edit in fix.edits]
        if any(a.start < b.end and b.start < a.end for a in spans for b in taken):
            continue
        if any(a.start == a.end == b.start == b.end for a in spans for b in taken):
            continue
        taken.extend(spans)
        kept.append(fix)
    return kept

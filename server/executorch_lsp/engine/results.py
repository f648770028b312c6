"""The result of checking one file (light: the CLI renders cached results without the rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .dependencies import Dependencies
from .findings import Finding

if TYPE_CHECKING:
    from .analysis import RuleFailure


@dataclass
class FileResult:
    path: Path
    findings: list[Finding] = field(default_factory=list)
    data: bytes = b""  # kept only when there are findings (for positions in reports)
    problem: str | None = None
    failures: list[RuleFailure] = field(default_factory=list)
    # With a tracking workspace: the digest of the text checked, and what else was read.
    digest: str | None = None
    dependencies: Dependencies | None = None

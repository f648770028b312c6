"""The rule contract: metadata (the one source for docs, hover and CLI text) and a check."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import tree_sitter as ts

from .. import DOCS_BASE_URL
from ..engine.document import Document
from ..engine.findings import Finding, Fix, Related, Severity, Span
from ..engine.languages import LanguageId
from .screens import TextScreen

if TYPE_CHECKING:
    from ..engine.config import Config
    from ..engine.suppressions import Suppression
    from ..engine.workspace import Workspace


@dataclass(frozen=True)
class Source:
    """Where a rule's guidance comes from (FAQ entry, ExecuTorch file or doc)."""

    title: str
    url: str


@dataclass(frozen=True)
class RuleDocs:
    """Documentation in a fixed shape: problem, bad and good code, why, exceptions; rules
    about speed also say how to measure it (``knowledge.profiling.MEASURE``)."""

    problem: str
    bad: str
    good: str
    why: str
    exceptions: str
    sources: tuple[Source, ...]
    example_language: str
    measuring: str = ""


Match = tuple[int, dict[str, list[ts.Node]]]


@dataclass
class RuleContext:
    rule: Rule
    document: Document
    matches: Sequence[Match] = ()
    # Set when only these byte ranges need examining (incremental re-analysis).
    byte_ranges: Sequence[tuple[int, int]] | None = None
    # Only for meta rules, which judge the directives after the other rules ran.
    suppressions: Sequence[Suppression] = ()
    config: Config | None = None
    # The other files of the workspace, for rules that follow calls across files.
    workspace: Workspace | None = None

    def ranges(self) -> Sequence[tuple[int, int]]:
        """The byte ranges to examine: the whole document unless restricted."""
        if self.byte_ranges is None:
            return ((0, len(self.document.data)),)
        return self.byte_ranges

    def finding(
        self,
        span: Span,
        message: str,
        fix: Fix | None = None,
        related: Iterable[Related] = (),
    ) -> Finding:
        return Finding(
            code=self.rule.code,
            message=message,
            span=span,
            severity=self.rule.severity,
            fix=fix,
            related=tuple(related),
        )


CheckFunction = Callable[[RuleContext], Iterable[Finding]]
HoverFunction = Callable[[Document, int], "str | None"]
WorkspaceAnchor = Callable[["Workspace"], "TextScreen | None"]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    title: str
    languages: frozenset[LanguageId]
    severity: Severity
    fixable: bool
    docs: RuleDocs
    check: CheckFunction
    # Byte strings of which at least one must occur in a file for the rule to
    # apply; files without any are never parsed for this rule.
    anchors: tuple[bytes, ...] = ()
    # Stricter prefilters, tried in order after the anchors; all must match.
    anchor_patterns: tuple[TextScreen, ...] = ()
    # Query file under grammars/, e.g. "cpp/et101_threadpool_reset_after_load.scm".
    query: str | None = None
    # "file": the engine runs the query over the whole tree (merged with the other
    # rules' queries) and passes the matches; "local": the rule runs it itself over
    # the byte ranges it cares about.
    query_scope: str = "file"
    hover: HoverFunction | None = None
    # Findings depend on one function at a time: after an edit inside function bodies,
    # only the touched functions are examined again (see engine/incremental.py).
    incremental: bool = False
    # Rules that consume other rules' results (ET900) run last and get no query.
    meta: bool = field(default=False)
    # With a workspace, a file also applies when this pattern (which depends on the
    # other files, e.g. names of functions defined elsewhere) occurs in it.
    workspace_anchor: WorkspaceAnchor | None = None
    # What other files' findings of this rule may depend on in one file of the workspace.
    workspace_fingerprint: Callable[[Workspace, str], Hashable] | None = None

    @property
    def docs_url(self) -> str:
        return f"{DOCS_BASE_URL}/{self.code}.md"

    def applies_to(self, data: bytes, workspace: Workspace | None = None) -> bool:
        if self._anchored(data):
            return True
        if workspace is None or self.workspace_anchor is None:
            return False
        pattern = self.workspace_anchor(workspace)
        return pattern is not None and pattern.search(data) is not None

    def _anchored(self, data: bytes) -> bool:
        if self.anchors and not any(anchor in data for anchor in self.anchors):
            return False
        return all(pattern.search(data) is not None for pattern in self.anchor_patterns)

"""Run the rules on one document: the single entry point for the CLI and the server."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

import tree_sitter as ts

from ..rules import RULES, rules_for
from ..rules.base import Match, Rule, RuleContext
from . import grammars
from .config import Config
from .document import Document
from .findings import Finding, Severity, Span
from .incremental import dirty_functions, inside, shift_finding
from .interrupts import AnalysisInterrupted, interrupt_at
from .languages import LanguageId
from .suppressions import MARKER, Suppression, find_suppressions
from .workspace import Workspace

log = logging.getLogger(__name__)

# The code of the note that says which rules a slow analysis skipped (not a rule: it
# cannot be selected, ignored or suppressed; the time limit is the setting).
TIME_LIMIT_CODE = "time-limit"


class _Deadline:
    """When an analysis has to stop its rules (``config.time_limit`` from its start)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def passed(self) -> bool:
        return time.monotonic() > self.at


@dataclass(frozen=True)
class RuleFailure:
    """A rule that raised; the other rules still reported."""

    code: str
    error: str


@dataclass
class Analysis:
    findings: list[Finding] = field(default_factory=list)
    failures: list[RuleFailure] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    # Per rule, before suppressions and severity overrides: what incremental runs reuse.
    raw: dict[str, list[Finding]] = field(default_factory=dict)
    config: Config | None = None
    active: frozenset[str] = frozenset()  # the rules that ran


@dataclass(frozen=True)
class _MergedQuery:
    query: ts.Query
    # rule code -> (first pattern index, pattern count)
    patterns: dict[str, tuple[int, int]]


@cache
def merged_query(language: LanguageId) -> _MergedQuery | None:
    """One Query per language with every file-scope rule's patterns: one tree traversal
    serves all rules (far cheaper than one Query per rule). Compiled once per process."""
    texts, patterns, first = [], {}, 0
    for rule in rules_for(language):
        if not rule.query or rule.query_scope != "file" or rule.meta:
            continue
        count = grammars.compile_query(language, rule.query).pattern_count
        patterns[rule.code] = (first, count)
        first += count
        texts.append(grammars.query_text(rule.query))
    if not texts:
        return None
    return _MergedQuery(ts.Query(grammars.language(language), "\n".join(texts)), patterns)


def applicable_rules(
    language: LanguageId, data: bytes, config: Config, workspace: Workspace | None = None
) -> Iterator[Rule]:
    """Enabled rules whose literal anchors occur in ``data`` (the cheap screen)."""
    return (
        rule
        for rule in rules_for(language)
        if config.is_enabled(rule.code) and rule.applies_to(data, workspace)
    )


def prepare_workspace(
    workspace: Workspace, config: Config, languages: Collection[LanguageId] | None = None
) -> None:
    """Compute what the screen of every file (of ``languages``) needs from the
    workspace, once."""
    for rule in RULES:
        if languages is not None and not rule.languages & set(languages):
            continue
        if rule.workspace_anchor is not None and config.is_enabled(rule.code):
            rule.workspace_anchor(workspace)


def active_rules(
    document: Document, config: Config, workspace: Workspace | None = None
) -> list[Rule]:
    return list(applicable_rules(document.language, document.data, config, workspace))


def _matches_by_rule(
    document: Document, rules: Sequence[Rule], byte_range: tuple[int, int] | None
) -> dict[str, list[Match]]:
    wanted = {rule.code for rule in rules if rule.query and rule.query_scope == "file"}
    by_rule: dict[str, list[Match]] = {code: [] for code in wanted}
    merged = merged_query(document.language) if wanted else None
    if merged is None:
        return by_rule
    cursor = ts.QueryCursor(merged.query)
    if byte_range is not None:
        cursor.set_byte_range(*byte_range)
    ranges = [(code, span) for code, span in merged.patterns.items() if code in wanted]
    for pattern_index, captures in cursor.matches(document.tree.root_node):
        for code, (first, count) in ranges:
            if first <= pattern_index < first + count:
                by_rule[code].append((pattern_index - first, captures))
                break
    return by_rule


def analyze(
    document: Document,
    config: Config,
    previous: Analysis | None = None,
    workspace: Workspace | None = None,
    screened: Sequence[Rule] | None = None,
) -> Analysis:
    """All findings for ``document`` under ``config``, suppressions applied.

    With ``previous`` (the analysis of this document before its latest edits), rules
    marked incremental re-examine only the functions the edits touched. With
    ``workspace``, rules that follow calls into other files can do so. ``screened``:
    the rules that apply to the document, when the caller has worked them out already.

    Rules not started within ``config.time_limit`` seconds are skipped, a rule still
    running then is stopped, and an information finding names them. A parse or query in
    progress finishes first (it runs in tree-sitter).
    """
    deadline = _Deadline(config.time_limit)
    has_directives = MARKER in document.data
    dirty = None
    if previous is not None and previous.config == config and previous.active:
        root = document.tree.root_node
        edits, changed = document.checkpoint()
        dirty = dirty_functions(root, edits, changed) if edits is not None else None
        rules = _rules_after_edit(document, config, previous, dirty, workspace)
    else:
        # The tree is built only when a rule asks for it: some rules settle most files
        # from the text alone.
        if screened is None:
            screened = active_rules(document, config, workspace)
        rules = list(screened)
        edits, changed = None, []
    result = Analysis(config=config, active=frozenset(rule.code for rule in rules))
    checks = [rule for rule in rules if not rule.meta]
    reuse = {
        rule.code
        for rule in checks
        if rule.incremental and dirty is not None and rule.code in previous.raw
    }
    matches = _matches_by_rule(document, [r for r in checks if r.code not in reuse], None)
    skipped: list[str] = []
    stopped: list[str] = []
    for rule in checks:
        if deadline.passed():
            skipped.append(rule.code)
            continue
        try:
            with interrupt_at(deadline.at):
                if rule.code in reuse:
                    found = _incremental(document, rule, previous.raw[rule.code], edits, dirty)
                else:
                    found = _run(document, rule, matches.get(rule.code, ()), workspace=workspace)
        except AnalysisInterrupted:
            stopped.append(rule.code)
            document.forget_derived()  # what the rule was building may be half done
            continue
        if isinstance(found, RuleFailure):
            log.error("rule %s failed on %s:\n%s", rule.code, document.path, found.error)
            result.failures.append(found)
            continue
        result.raw[rule.code] = found
        result.findings.extend(found)
    if has_directives:
        result.suppressions = find_suppressions(document)
        result.findings = _apply_suppressions(document, result.findings, result.suppressions)
        for rule in (r for r in rules if r.meta):
            if deadline.passed():
                skipped.append(rule.code)
                continue
            context = RuleContext(
                rule=rule, document=document, suppressions=result.suppressions, config=config
            )
            result.findings.extend(rule.check(context))
        result.findings = _apply_suppressions(
            document, result.findings, result.suppressions, only_code="ET900"
        )
    result.findings = sorted(
        (replace(f, severity=config.severity_for(f.code, f.severity)) for f in result.findings),
        key=lambda f: (f.span.start, f.code),
    )
    if skipped or stopped:
        result.findings.insert(0, _time_limit_finding(stopped, skipped, deadline.seconds))
    if dirty is None:
        document.checkpoint()
    return result


def _time_limit_finding(stopped: list[str], skipped: list[str], seconds: float) -> Finding:
    parts = [f"{', '.join(stopped)} stopped"] if stopped else []
    parts += [f"{', '.join(skipped)} not run"] if skipped else []
    return Finding(
        code=TIME_LIMIT_CODE,
        message=(
            f"analysis skipped: {'; '.join(parts)}, the analysis of this file took"
            f" longer than {seconds:g} s (setting 'analysis-time-limit')"
        ),
        span=Span(0, 0),
        severity=Severity.INFO,
    )


def _rules_after_edit(
    document: Document,
    config: Config,
    previous: Analysis,
    dirty: list[tuple[int, int]] | None,
    workspace: Workspace | None,
) -> list[Rule]:
    """After edits inside functions only, a rule that did not apply can only start to apply
    if one of its anchors appears in the edited functions; re-screening the whole document
    is needed just then. Rules that applied keep running (they never rely on the screen)."""
    if dirty is None:
        return active_rules(document, config, workspace)
    data = document.data
    slices = [data[start:end] for start, end in dirty]
    chosen = []
    for rule in rules_for(document.language):
        if not config.is_enabled(rule.code):
            continue
        if rule.code in previous.active or (
            _anchored_in(rule, slices, workspace) and rule.applies_to(data, workspace)
        ):
            chosen.append(rule)
    return chosen


def _anchored_in(rule: Rule, slices: list[bytes], workspace: Workspace | None) -> bool:
    if not rule.anchors and not rule.anchor_patterns:
        return True
    extra = rule.workspace_anchor(workspace) if workspace and rule.workspace_anchor else None
    if extra is not None and any(extra.search(piece) for piece in slices):
        return True
    return any(
        any(anchor in piece for anchor in rule.anchors)
        or any(pattern.search(piece) for pattern in rule.anchor_patterns)
        for piece in slices
    )


def _run(
    document: Document,
    rule: Rule,
    matches: Sequence[Match],
    byte_ranges: Sequence[tuple[int, int]] | None = None,
    workspace: Workspace | None = None,
) -> list[Finding] | RuleFailure:
    """The rule's findings, or its failure (one failing rule never hides the others)."""
    context = RuleContext(
        rule=rule,
        document=document,
        matches=matches,
        byte_ranges=byte_ranges,
        workspace=workspace,
    )
    try:
        return list(rule.check(context))
    except Exception:  # logged by the caller, outside the time-limit watch
        return RuleFailure(rule.code, traceback.format_exc(limit=3))


def _incremental(
    document: Document,
    rule: Rule,
    before: list[Finding],
    edits: list,
    dirty: list[tuple[int, int]],
) -> list[Finding] | RuleFailure:
    kept = [
        moved
        for finding in before
        if (moved := shift_finding(finding, edits)) is not None and not inside(moved.span, dirty)
    ]
    matches: list[Match] = []
    for byte_range in dirty:
        matches.extend(_matches_by_rule(document, [rule], byte_range).get(rule.code, []))
    found = _run(document, rule, matches, dirty)
    if isinstance(found, RuleFailure):
        return found
    return kept + [finding for finding in found if inside(finding.span, dirty)]


def _apply_suppressions(
    document: Document,
    findings: list[Finding],
    suppressions: list[Suppression],
    only_code: str | None = None,
) -> list[Finding]:
    kept = []
    for finding in findings:
        if only_code and finding.code != only_code:
            kept.append(finding)
            continue
        line = document.buffer.line_of(finding.span.start)
        entry = next(
            (hit for s in suppressions if (hit := s.covers(finding.code, line)) is not None), None
        )
        if entry is None:
            kept.append(finding)
        else:
            entry.used = True
    return kept

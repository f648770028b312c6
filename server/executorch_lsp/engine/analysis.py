"""Run the rules on one document: the single entry point for the CLI and the server."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache

import tree_sitter as ts

from ..rules import RULES, rules_for
from ..rules.base import Match, Rule, RuleContext
from . import grammars
from .config import Config
from .document import Document
from .findings import Finding
from .languages import LanguageId
from .suppressions import MARKER, Suppression, find_suppressions

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class _MergedQuery:
    query: ts.Query
    # rule code -> (first pattern index, pattern count)
    patterns: dict[str, tuple[int, int]]


@cache
def _merged_query(language: LanguageId, codes: tuple[str, ...]) -> _MergedQuery | None:
    """One Query per language and rule set: far cheaper than one Query per rule."""
    texts, patterns, first = [], {}, 0
    for code in codes:
        rule = next(r for r in RULES if r.code == code)
        assert rule.query is not None
        count = grammars.compile_query(language, rule.query).pattern_count
        patterns[code] = (first, count)
        first += count
        texts.append(grammars.query_text(rule.query))
    if not texts:
        return None
    return _MergedQuery(ts.Query(grammars.language(language), "\n".join(texts)), patterns)


def active_rules(document: Document, config: Config) -> list[Rule]:
    return [
        rule
        for rule in rules_for(document.language)
        if config.is_enabled(rule.code) and rule.applies_to(document.data)
    ]


def _matches_by_rule(
    document: Document, rules: Sequence[Rule], byte_range: tuple[int, int] | None
) -> dict[str, list[Match]]:
    codes = tuple(
        rule.code for rule in rules if rule.query and rule.query_scope == "file" and not rule.meta
    )
    merged = _merged_query(document.language, codes)
    by_rule: dict[str, list[Match]] = {code: [] for code in codes}
    if merged is None:
        return by_rule
    cursor = ts.QueryCursor(merged.query)
    if byte_range is not None:
        cursor.set_byte_range(*byte_range)
    ranges = list(merged.patterns.items())
    for pattern_index, captures in cursor.matches(document.tree.root_node):
        for code, (first, count) in ranges:
            if first <= pattern_index < first + count:
                by_rule[code].append((pattern_index - first, captures))
                break
    return by_rule


def analyze(document: Document, config: Config) -> Analysis:
    """All findings for ``document`` under ``config``, suppressions applied."""
    rules = active_rules(document, config)
    has_directives = MARKER in document.data
    if not rules and not has_directives:
        return Analysis()
    result = Analysis()
    checks = [rule for rule in rules if not rule.meta]
    matches = _matches_by_rule(document, checks, None) if checks else {}
    for rule in checks:
        context = RuleContext(rule=rule, document=document, matches=matches.get(rule.code, ()))
        try:
            result.findings.extend(rule.check(context))
        except Exception:  # one failing rule never hides the others
            log.exception("rule %s failed on %s", rule.code, document.path)
            result.failures.append(RuleFailure(rule.code, traceback.format_exc(limit=3)))
    if has_directives:
        result.suppressions = find_suppressions(document)
        result.findings = _apply_suppressions(document, result.findings, result.suppressions)
        for rule in (r for r in rules if r.meta):
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
    return result


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

"""The fixed-length fuzz run of the test suite: every language's analysis and the log
explainer on generated and mutated inputs (deterministic: derandomized, fixed budgets).
The long run is ``python -m tests.fuzz.run --minutes 10``."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings

from executorch_lsp.engine.analysis import active_rules, analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.rules import rules_for
from executorch_lsp.rules.base import Rule

from .corpus import KINDS
from .invariants import PATHS, analyse, check_input
from .mutations import deeply_nested, huge_line
from .strategies import generated_text, mutated_inputs

EXAMPLES_PER_KIND = 40

ci_budget = settings(
    derandomize=True,
    max_examples=EXAMPLES_PER_KIND,
    deadline=None,  # time is checked by the invariants, with room for a busy machine
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(autouse=True)
def _quiet_rule_failures():
    """A failing rule is logged with its traceback; the invariants report it instead."""
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_mutated_seeds_keep_every_invariant(kind) -> None:
    @ci_budget
    @given(mutated_inputs(kind))
    def check(data: bytes) -> None:
        check_input(kind, data)

    check()


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_generated_text_keeps_every_invariant(kind) -> None:
    @settings(ci_budget, max_examples=EXAMPLES_PER_KIND // 2)
    @given(generated_text(kind))
    def check(data: bytes) -> None:
        check_input(kind, data)

    check()


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_5000_levels_of_nesting_are_analysed(kind) -> None:
    outcome = check_input(kind, deeply_nested(kind, 5_000), seconds_allowed=20, edits=False)
    assert outcome.findings >= 1  # the documented bad example before the nesting


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_a_1_mb_line_is_analysed(kind) -> None:
    check_input(kind, huge_line(kind), seconds_allowed=20, edits=False)


def _exploding(language: LanguageId) -> Rule:
    def explode(context):
        raise RuntimeError("boom")

    model = next(rule for rule in rules_for(language) if not rule.meta)
    return Rule(**{**model.__dict__, "code": "ET499", "check": explode})


@pytest.mark.parametrize("language", list(LanguageId), ids=str)
def test_a_failing_rule_hides_no_other_finding(language: LanguageId, reserved_code) -> None:
    @settings(ci_budget, max_examples=EXAMPLES_PER_KIND // 4)
    @given(mutated_inputs(language))
    def check(data: bytes) -> None:
        _, alone = analyse(language, data)
        document = Document(PATHS[language], language, data)
        screened = [_exploding(language), *active_rules(document, Config())]
        with_failure = analyze(document, Config(), screened=screened)
        assert [failure.code for failure in with_failure.failures] == ["ET499"]
        assert with_failure.findings == alone.findings

    check()

"""The rule registry: codes, metadata, queries, grammar pins, docs and executable examples."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest

from executorch_lsp import docs
from executorch_lsp.engine import grammars
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.rules import ASSIGNED_CODES, RULES
from harness import findings

ROOT = Path(__file__).resolve().parent.parent
_BLOCKS = {
    "1": {LanguageId.CPP},
    "2": {LanguageId.CMAKE},
    "3": {LanguageId.STARLARK},
    "4": {LanguageId.PYTHON},
    "9": set(LanguageId),
}
_FENCE_LANGUAGE = {
    "cpp": LanguageId.CPP,
    "cmake": LanguageId.CMAKE,
    "python": LanguageId.PYTHON,
    "starlark": LanguageId.STARLARK,
}


def test_codes_and_names_are_unique_and_assigned() -> None:
    codes = [rule.code for rule in RULES]
    names = [rule.name for rule in RULES]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)
    for rule in RULES:
        assert ASSIGNED_CODES[rule.code] == rule.name


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_metadata_is_complete(rule) -> None:
    assert re.fullmatch(r"ET\d{3}", rule.code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
    assert set(rule.languages) <= _BLOCKS[rule.code[2]] and rule.languages
    for field in ("problem", "bad", "good", "why", "exceptions"):
        assert getattr(rule.docs, field).strip(), field
    assert rule.docs.sources and all(s.url.startswith("https://") for s in rule.docs.sources)
    assert rule.docs_url.endswith(f"/{rule.code}.md")
    assert rule.title and rule.title[0].isupper()


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_examples_in_the_docs_behave_as_documented(rule) -> None:
    language = _FENCE_LANGUAGE[rule.docs.example_language]
    assert findings(rule.docs.bad, rule.code, language), "the bad example must be reported"
    assert not findings(rule.docs.good, rule.code, language), "the good example must be clean"


def test_every_rule_has_a_test_module() -> None:
    test_files = {p.name for p in (ROOT / "tests" / "rules").glob("test_et*.py")}
    for rule in RULES:
        prefix = f"test_{rule.code.lower()}_{rule.name.replace('-', '_')}.py"
        assert prefix in test_files


def test_every_query_compiles_and_is_used() -> None:
    used = {rule.query for rule in RULES if rule.query} | grammars.SHARED_QUERIES
    shipped = set(grammars.query_files())
    assert used <= shipped
    assert shipped <= used, f"unused query files: {shipped - used}"
    for path in shipped:
        language = LanguageId(path.split("/")[0])
        assert grammars.compile_query(language, path).pattern_count > 0


def test_installed_grammars_match_the_pins() -> None:
    pins = (ROOT / "grammars" / "pins.txt").read_text().splitlines()
    for line in pins:
        if line and not line.startswith("#"):
            name, version = line.split("==")
            assert metadata.version(name) == version, name


def test_generated_docs_are_fresh() -> None:
    assert docs.stale_files(ROOT) == [], "run: python -m executorch_lsp.docs"


PERFORMANCE_RULES = ("ET101", "ET102", "ET201", "ET401", "ET402", "ET405")


@pytest.mark.parametrize("code", PERFORMANCE_RULES)
def test_performance_rules_end_with_how_to_measure(code: str) -> None:
    from executorch_lsp.explain import explain_text
    from executorch_lsp.knowledge.profiling import MEASURE
    from executorch_lsp.rules import rule_by_code

    rule = rule_by_code(code)
    assert rule.docs.measuring == MEASURE
    assert f"## Measuring\n\n{MEASURE}\n" in docs.rule_markdown(rule)
    assert MEASURE in explain_text(code)
    hover = docs.rule_hover_markdown(rule)
    assert hover.endswith(f"{MEASURE}\n\n[Rule documentation]({rule.docs_url})")


def test_other_rules_have_no_measuring_section() -> None:
    for rule in RULES:
        if rule.code not in PERFORMANCE_RULES:
            assert "## Measuring" not in docs.rule_markdown(rule), rule.code

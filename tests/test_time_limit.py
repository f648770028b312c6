"""The per-file time limit: rules not started in time are skipped, and a note says which."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from executorch_lsp.engine.analysis import TIME_LIMIT_CODE, analyze
from executorch_lsp.engine.config import DEFAULT_TIME_LIMIT, Config, ConfigError, load_file
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.findings import Severity
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.rules import rule_by_code
from executorch_lsp.rules.base import Rule

ROOT = Path(__file__).resolve().parent.parent
DEMO_MAIN = (ROOT / "examples" / "demo-app" / "main.cpp").read_bytes()


def sleeping(code: str, seconds: float) -> Rule:
    """ET101 under another code, sleeping before it checks."""
    et101 = rule_by_code("ET101")

    def check(context):
        time.sleep(seconds)
        return et101.check(context)

    return Rule(**{**et101.__dict__, "code": code, "check": check})


def analyse(rules: list[Rule], time_limit: float, data: bytes = DEMO_MAIN):
    document = Document("main.cpp", LanguageId.CPP, data)
    return analyze(document, Config(time_limit=time_limit), screened=rules)


def test_rules_after_the_limit_are_skipped_and_named() -> None:
    slow, after = sleeping("ET102", 0.3), rule_by_code("ET101")
    result = analyse([slow, after], time_limit=0.1)
    note = result.findings[0]
    assert note.code == TIME_LIMIT_CODE and note.severity is Severity.INFO
    assert note.message == (
        "analysis skipped: ET102 stopped; ET101 not run, the analysis of this file took"
        " longer than 0.1 s (setting 'analysis-time-limit')"
    )
    assert result.findings[1:] == []  # the slow rule was stopped when its sleep ended
    assert result.failures == []


def test_suppressions_of_skipped_rules_are_not_called_unused() -> None:
    data = DEMO_MAIN + b"int x;  // executorch-lsp: ignore[ET101]\n"
    rules = [sleeping("ET102", 0.3), rule_by_code("ET101"), rule_by_code("ET900")]
    result = analyse(rules, time_limit=0.1, data=data)
    assert [f.code for f in result.findings] == [TIME_LIMIT_CODE]
    assert "ET102 stopped; ET101, ET900 not run" in result.findings[0].message


def test_rules_within_the_limit_all_run() -> None:
    result = analyse([sleeping("ET102", 0.01), rule_by_code("ET101")], time_limit=5)
    assert [f.code for f in result.findings] == ["ET101", "ET102"]


def test_the_limit_is_read_from_the_configuration(tmp_path: Path) -> None:
    config_file = tmp_path / ".executorch-lsp.toml"
    config_file.write_text("analysis-time-limit = 0.5\n")
    assert load_file(config_file).time_limit == 0.5
    assert Config().time_limit == DEFAULT_TIME_LIMIT == 5.0
    editor = Config().with_overrides({"analysis-time-limit": 2})
    assert editor.time_limit == 2.0


@pytest.mark.parametrize("value", ["0", "-1", '"5"', "true", "nan"])
def test_a_limit_that_is_not_a_positive_number_is_an_error(tmp_path: Path, value: str) -> None:
    config_file = tmp_path / ".executorch-lsp.toml"
    config_file.write_text(f"analysis-time-limit = {value}\n")
    with pytest.raises(ConfigError, match="'analysis-time-limit' must be a number of seconds"):
        load_file(config_file)


def looping(code: str, catches: bool = False) -> Rule:
    """ET101 under another code, running until it is stopped (optionally through an
    ``except Exception`` that must not swallow the stop)."""
    et101 = rule_by_code("ET101")

    def check(context):
        while True:
            try:
                sum(range(1000))
            except Exception:
                if not catches:
                    raise

    return Rule(**{**et101.__dict__, "code": code, "check": check})


@pytest.mark.parametrize("catches", [False, True])
def test_a_rule_still_running_at_the_limit_is_stopped(catches: bool) -> None:
    started = time.monotonic()
    result = analyse([looping("ET102", catches), rule_by_code("ET101")], time_limit=0.2)
    assert time.monotonic() - started < 2
    assert [f.code for f in result.findings] == [TIME_LIMIT_CODE]
    assert result.findings[0].message == (
        "analysis skipped: ET102 stopped; ET101 not run, the analysis of this file took"
        " longer than 0.2 s (setting 'analysis-time-limit')"
    )
    assert result.failures == []


def test_nothing_is_left_to_stop_the_code_after_an_analysis() -> None:
    result = analyse([sleeping("ET102", 0.3)], time_limit=0.1)  # the limit passes in a sleep
    assert [f.code for f in result.findings] == [TIME_LIMIT_CODE]
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:  # a stop still pending would be raised here
        sum(range(1000))


def test_a_stopped_rule_runs_again_on_the_next_analysis() -> None:
    document = Document("main.cpp", LanguageId.CPP, DEMO_MAIN)
    looping_rule = looping("ET102")
    first = analyze(document, Config(time_limit=0.1), screened=[looping_rule])
    assert "ET102 stopped" in first.findings[0].message
    second = analyze(document, Config(time_limit=5), screened=[rule_by_code("ET101")])
    assert [f.code for f in second.findings] == ["ET101"]


def test_deep_nesting_is_bounded_by_the_limit() -> None:
    """20,000 nested calls of the function they are in: ET101 looks up each call's
    ancestors, which is quadratic in the depth."""
    body = b"deep(" * 20_000 + b"m.load()" + b")" * 20_000
    reset = b"::executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(2);"
    data = DEMO_MAIN + b"\nError deep(Module& m) { m.load(); " + reset + body + b"; }\n"
    started = time.monotonic()
    result = analyse([rule_by_code(code) for code in ("ET101", "ET103", "ET104")], 1.0, data)
    assert time.monotonic() - started < 4
    assert result.findings[0].code == TIME_LIMIT_CODE

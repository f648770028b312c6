"""The engine stays up on hostile input, and one failing rule never hides the others."""

from __future__ import annotations

from pathlib import Path

import pytest

from executorch_lsp.engine import analysis
from executorch_lsp.engine.batch import check_file
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.rules import rule_by_code
from executorch_lsp.rules.base import Rule
from harness import run

ROOT = Path(__file__).resolve().parent.parent
DEMO_MAIN = (ROOT / "examples" / "demo-app" / "main.cpp").read_text()


def test_a_failing_rule_is_reported_and_the_others_still_run(monkeypatch) -> None:
    def explode(context):
        raise RuntimeError("boom")

    et101 = rule_by_code("ET101")
    broken = Rule(**{**et101.__dict__, "code": "ET102", "name": "broken", "check": explode})
    monkeypatch.setattr(analysis, "rules_for", lambda language: (broken, et101))
    _, result = run(DEMO_MAIN)
    assert [f.code for f in result.findings] == ["ET101"]
    assert [failure.code for failure in result.failures] == ["ET102"]
    assert "boom" in result.failures[0].error


@pytest.mark.parametrize("cut", range(0, len(DEMO_MAIN), 97))
def test_half_typed_code_never_raises(cut: int) -> None:
    _, result = run(DEMO_MAIN[:cut] + "\n" + DEMO_MAIN[cut + 5 :])
    assert result.failures == []


def test_deep_nesting_is_analysed() -> None:
    depth = 150
    body = "if (a) {" * depth + "(void)m.load(); get_threadpool()->_unsafe_reset_threadpool(2);"
    source = "void f(Module& m, bool a) {" + body + "}" * depth + "}\n"
    _, result = run(source)
    assert result.failures == [] and [f.code for f in result.findings] == ["ET101"]


def test_pathological_nesting_does_not_crash() -> None:
    depth = 5000
    source = "void f() {" + "{" * depth + "x->_unsafe_reset_threadpool(1);" + "}" * depth + "}\n"
    run(source)  # findings or a recorded failure are both fine; an exception is not


def test_huge_and_binary_files_are_skipped(tmp_path: Path) -> None:
    huge = tmp_path / "huge.cpp"
    huge.write_bytes(b"int x;\n" * 800_000)
    assert "over the 4 MiB limit" in check_file(huge, Config()).problem
    binary = tmp_path / "blob.cpp"
    binary.write_bytes(b"\x7fELF\x00\x00" + b"_unsafe_reset_threadpool" * 10)
    assert check_file(binary, Config()).problem == "skipped: binary file"


def test_invalid_utf8_is_analysed() -> None:
    data = DEMO_MAIN.encode().replace(b"// Constructing", b"// \xff\xfe Constructing")
    from executorch_lsp.engine.document import Document

    result = analysis.analyze(Document("x.cpp", LanguageId.CPP, data), Config())
    assert [f.code for f in result.findings] == ["ET101"]

"""Suppression comments and ET900 unused-suppression."""

from __future__ import annotations

from executorch_lsp.engine.config import Config
from executorch_lsp.engine.findings import apply_edits
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.engine.suppressions import disable_edit
from harness import document, findings, run

LOAD_THEN_RESET = """int main() {{
  Module module("m.pte");
  (void)module.load();
  {before}
  ::executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(4);{after}
}}
"""


def source(before: str = "", after: str = "") -> str:
    return LOAD_THEN_RESET.format(before=before, after=after)


def codes(text: str, language: LanguageId = LanguageId.CPP, config: Config | None = None):
    _, analysis = run(text, language, config)
    return [f.code for f in analysis.findings]


def test_unsuppressed_finding_is_reported() -> None:
    assert codes(source()) == ["ET101"]


def test_trailing_suppression_on_the_line() -> None:
    assert codes(source(after="  // executorch-lsp: ignore[ET101] -- reloaded below")) == []


def test_own_line_suppression_covers_the_next_line() -> None:
    assert codes(source(before="// executorch-lsp: ignore[ET101]")) == []


def test_block_comment_and_several_codes(reserved_code: str) -> None:
    text = source(after=f"  /* executorch-lsp: ignore[{reserved_code}, ET101] */")
    assert codes(text) == []


def test_file_wide_suppression() -> None:
    assert codes("// executorch-lsp: file-ignore[ET101]\n" + source()) == []


def test_suppression_does_not_reach_two_lines_down() -> None:
    text = source(before="// executorch-lsp: ignore[ET101]\n  int spacer = 0;")
    assert sorted(codes(text)) == ["ET101", "ET900"]


def test_unused_suppression_is_reported_with_a_removal_fix() -> None:
    text = "int main() {\n  run();  // executorch-lsp: ignore[ET101]\n}\n"
    (finding,) = findings(text, "ET900")
    assert "Unused suppression: ET101" in finding.message
    assert text[finding.span.start : finding.span.end] == "ET101"
    fixed = apply_edits(text.encode(), list(finding.fix.edits)).decode()
    assert fixed == "int main() {\n  run();\n}\n"


def test_own_line_unused_suppression_fix_removes_the_line() -> None:
    text = "int main() {\n  // executorch-lsp: ignore[ET101]\n  run();\n}\n"
    (finding,) = findings(text, "ET900")
    assert (
        apply_edits(text.encode(), list(finding.fix.edits)).decode()
        == "int main() {\n  run();\n}\n"
    )


def test_only_the_unused_code_is_removed() -> None:
    text = source(after="  // executorch-lsp: ignore[ET101, ET999]")
    (finding,) = findings(text, "ET900")
    assert finding.message == "Unknown rule code ET999 in suppression comment"
    fixed = apply_edits(text.encode(), list(finding.fix.edits)).decode()
    assert "ignore[ET101]" in fixed
    assert codes(fixed) == []


def test_code_of_another_language_is_reported(reserved_code: str) -> None:
    text = f"int main() {{\n  run();  // executorch-lsp: ignore[{reserved_code}]\n}}\n"
    assert findings(text, "ET900") == []  # assigned but not implemented: silent
    (finding,) = findings(text.replace(reserved_code, "ET201"), "ET900")
    assert "ET201 (build-type-not-release) never applies to cpp files" in finding.message
    (finding,) = findings("x = 1  # executorch-lsp: ignore[ET101]\n", "ET900", LanguageId.PYTHON)
    assert "never applies to python files" in finding.message


def test_disabled_rules_are_not_reported_as_unused() -> None:
    text = "int main() {\n  run();  // executorch-lsp: ignore[ET101]\n}\n"
    assert codes(text, config=Config(ignore=("ET101",))) == []


def test_directive_inside_a_string_is_not_a_suppression() -> None:
    text = source(after='  const char* s = "executorch-lsp: ignore[ET101]";')
    assert codes(text) == ["ET101"]


def test_python_cmake_and_buck_comment_syntax() -> None:
    unused = "# executorch-lsp: ignore[ET101]\n"
    assert codes("x = 1  " + unused, LanguageId.PYTHON) == ["ET900"]
    assert codes("project(demo)  " + unused, LanguageId.CMAKE) == ["ET900"]
    assert codes("cxx_library(name = 'x')  " + unused, LanguageId.STARLARK) == ["ET900"]


def test_et900_can_be_suppressed_file_wide() -> None:
    text = "// executorch-lsp: file-ignore[ET900]\nint x;  // executorch-lsp: ignore[ET101]\n"
    assert codes(text) == []


def test_disable_edit_appends_or_merges() -> None:
    doc = document(source())
    line = 4
    edit = disable_edit(doc, line, "ET101")
    assert edit.new_text == "  // executorch-lsp: ignore[ET101]"
    merged = document(source(after="  // executorch-lsp: ignore[ET105]"))
    edit = disable_edit(merged, line, "ET101")
    assert edit.new_text == "ET101, ET105"
    assert disable_edit(document('const char* s = R"(a\nb)";\n'), 0, "ET101") is None

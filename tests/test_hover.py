"""Engine hovers: Error names, integers used as Error, codes in strings, suppressions."""

from __future__ import annotations

import pytest

from executorch_lsp.engine.hover import hover_at
from executorch_lsp.engine.languages import LanguageId
from harness import document


def hover(source: str, marker: str, language: LanguageId = LanguageId.CPP, delta: int = 1):
    doc = document(source, language)
    offset = len(source[: source.index(marker)].encode()) + delta
    return hover_at(doc, offset)


@pytest.mark.parametrize(
    "expression",
    [
        "Error::NotFound",
        "executorch::runtime::Error::NotFound",
        "::executorch::runtime::Error::NotFound",
        "torch::executor::Error::NotFound",
    ],
)
def test_error_enum_names(expression: str) -> None:
    source = f"bool missing(Error e) {{ return e == {expression}; }}\n"
    result = hover(source, "NotFound")
    assert result is not None
    assert "Error::NotFound (0x20 = 32)" in result.markdown
    assert "xnnpack_backend" in result.markdown


def test_bare_error_name_in_check_macro() -> None:
    source = (
        'Error f(int n) {\n  ET_CHECK_OR_RETURN_ERROR(n > 0, InvalidArgument, "bad %d", n);\n}\n'
    )
    result = hover(source, "InvalidArgument")
    assert result is not None and "Error::InvalidArgument (0x12 = 18)" in result.markdown


def test_other_identifiers_named_like_errors_get_nothing() -> None:
    source = "int f() { int NotFound = 1; return Status::NotFound + NotFound; }\n"
    assert hover(source, "NotFound") is None
    assert hover(source, "Status::NotFound", delta=9) is None


@pytest.mark.parametrize(
    ("source", "marker", "name"),
    [
        ("void f(Result<int> r) { if (r.error() == 0x14) {} }\n", "0x14", "OperatorMissing"),
        ("Error f() { return static_cast<Error>(0x20); }\n", "0x20", "NotFound"),
        ("Error f() { return (Error)32; }\n", "32", "NotFound"),
        ("Error f() { return 0x12; }\n", "0x12", "InvalidArgument"),
        (
            "void f(Result<int> r) { switch (r.error()) { case 0x10: break; } }\n",
            "0x10",
            "NotSupported",
        ),
    ],
)
def test_integers_used_as_errors(source: str, marker: str, name: str) -> None:
    result = hover(source, marker)
    assert result is not None and f"Error::{name}" in result.markdown


@pytest.mark.parametrize(
    ("source", "marker"),
    [
        ("const uint8_t table[] = {0x20, 0x14, 0x10};\n", "0x14"),
        ("int f() { int flags = 0x20; return flags; }\n", "0x20"),
        ("void f(char* d, const char* s) { memcpy(d, s, 0x20); }\n", "0x20"),
        ("int f(int x) { if (x == 0x20) return 1; return 0; }\n", "0x20"),
        ("uint32_t f() { return 0x14; }\n", "0x14"),
    ],
)
def test_hex_literals_that_are_not_errors_get_no_hover(source: str, marker: str) -> None:
    assert hover(source, marker) is None


def test_codes_in_strings_and_comments() -> None:
    source = 'void f() {\n  ET_LOG(Error, "Loading failed with status 0x20");  // error 20\n}\n'
    result = hover(source, "0x20")
    assert result is not None and "Error::NotFound" in result.markdown
    result = hover(source, "20\n", delta=0)
    assert result is not None
    assert "OperatorMissing" in result.markdown and "NotFound" in result.markdown


def test_python_string_with_decimal_code_shows_both_readings() -> None:
    source = 'raise RuntimeError("Failed to load method forward, error 20")\n'
    result = hover(source, "20", LanguageId.PYTHON, delta=0)
    assert result is not None
    assert "OperatorMissing" in result.markdown and "NotFound" in result.markdown


def test_format_strings_are_not_codes() -> None:
    source = 'void f(int e) { printf("failed: error 0x%x\\n", e); }\n'
    assert hover(source, "0x%x") is None


def test_code_inside_a_suppression_comment() -> None:
    source = "int x;  // executorch-lsp: ignore[ET101, ET203, ET777]\n"
    result = hover(source, "ET101")
    assert result is not None and result.markdown.startswith(
        "**ET101 threadpool-reset-after-load**"
    )
    assert "reserved" in hover(source, "ET203").markdown
    assert "not an executorch-lsp rule code" in hover(source, "ET777").markdown


def test_plain_code_gets_no_hover_so_clangd_answers_alone() -> None:
    source = "#include <vector>\nint f(std::vector<int>& v, Module& m) { return v.size(); }\n"
    for marker in ("vector<int>", "size", "Module", "include"):
        assert hover(source, marker) is None, marker

"""Engine hovers: Error names, integers used as Error, codes in strings, suppressions."""

from __future__ import annotations

import pytest

from executorch_lsp.engine.document import Document
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


def test_code_inside_a_suppression_comment(reserved_code: str) -> None:
    source = f"int x;  // executorch-lsp: ignore[ET101, {reserved_code}, ET777]\n"
    result = hover(source, "ET101")
    assert result is not None and result.markdown.startswith(
        "**ET101 threadpool-reset-after-load**"
    )
    assert "reserved" in hover(source, reserved_code).markdown
    assert "not an executorch-lsp rule code" in hover(source, "ET777").markdown


def test_plain_code_gets_no_hover_so_clangd_answers_alone() -> None:
    source = "#include <vector>\nint f(std::vector<int>& v, Module& m) { return v.size(); }\n"
    for marker in ("vector<int>", "size", "Module", "include"):
        assert hover(source, marker) is None, marker


INCLUDE = "#include <executorch/runtime/executor/method.h>\n"


def spanned(source: str, result) -> str:
    return source.encode()[result.span.start : result.span.end].decode()


@pytest.mark.parametrize(
    ("line", "marker", "quoted", "name"),
    [
        (
            'ET_LOG(Error, "Backend %s is not registered.", name);',
            "registered",
            "Backend %s is not registered",
            "NotFound",
        ),
        (
            'ET_LOG(Error, "Missing operator: [%" PRIu32 "] %s", i, op);',
            "operator:",
            'Missing operator: [%" PRIu32 "] %s',
            "OperatorMissing",
        ),
        (
            'ET_LOG(Error, "Input %zu has not been set" ".", i);',
            "not been",
            "Input %zu has not been set",
            "InvalidArgument",
        ),
        (
            "// E 00:00:00.366934 executorch:method.cpp:88] Backend XnnpackBackend is not "
            "registered.",
            "Xnnpack",
            "Backend XnnpackBackend is not registered",
            "NotFound",
        ),
        (
            '/* é😀 */ log("Attempted to resize a static tensor. Expected shape %s, but '
            'received %s.");',
            "static",
            "Attempted to resize a static tensor. Expected shape %s, but received %s.",
            "NotSupported",
        ),
        (
            "// 😀 Re-registering aten::add.out, from libportable_ops_lib.a",
            "aten::add",
            "Re-registering aten::add.out, from libportable_ops_lib.a",
            "RegistrationAlreadyRegistered",
        ),
    ],
)
def test_runtime_log_messages_in_cpp_strings_and_comments(
    line: str, marker: str, quoted: str, name: str
) -> None:
    source = f"{INCLUDE}void f() {{\n  {line}\n}}\n"
    result = hover(source, marker)
    assert result is not None
    assert result.markdown.startswith(f"### ExecuTorch log message: Error::{name} ")
    assert spanned(source, result) == quoted


def test_log_message_hover_links_the_file_and_the_fix() -> None:
    source = f"{INCLUDE}void f() {{ ET_LOG(Error, \"kernel '%s' not found.\", name); }}\n"
    result = hover(source, "kernel")
    assert result is not None
    assert "Error::OperatorMissing (0x14 = 20)" in result.markdown
    assert "blob/main/runtime/kernel/operator_registry.cpp" in result.markdown
    assert "executorch_generated_lib" in result.markdown


def test_runtime_log_message_in_a_python_string() -> None:
    source = (
        "from executorch.runtime import Runtime\n"
        "def test_missing_backend(caplog):\n"
        '    assert "Backend XnnpackBackend is not registered" in caplog.text  # é😀\n'
    )
    result = hover(source, "Xnnpack", LanguageId.PYTHON)
    assert result is not None and "Error::NotFound" in result.markdown
    assert spanned(source, result) == "Backend XnnpackBackend is not registered"


@pytest.mark.parametrize(
    ("source", "marker"),
    [
        # No ExecuTorch in the file: a message with the same words is someone else's.
        ('void f() { log("Failed to open %s: %s (%d)", p, e, n); }\n', "open"),
        ('void f() { log("Backend %s is not registered.", n); }\n', "Backend"),
        # Fragments and other wording.
        (f'{INCLUDE}void f() {{ log("Backend is not registered"); }}\n', "Backend"),
        (f"{INCLUDE}// Missing operator support is tracked elsewhere\n", "operator"),
        # Outside the message in the same comment.
        (f"{INCLUDE}// see: Backend QnnBackend is not available.\n", "see"),
    ],
)
def test_no_log_message_hover(source: str, marker: str) -> None:
    assert hover(source, marker) is None


def _cmake_hover(source: str, word: str, occurrence: int = 0):
    doc = document(source, LanguageId.CMAKE)
    offset = doc.data.index(word.encode())
    for _ in range(occurrence):
        offset = doc.data.index(word.encode(), offset + 1)
    return hover_at(doc, offset + 1)


def test_cmake_hover_on_targets_options_and_build_type() -> None:
    source = (
        "# Größe\nif(NOT CMAKE_BUILD_TYPE)\n  set(CMAKE_BUILD_TYPE Release)\nendif()\n"
        'option(EXECUTORCH_BUILD_XNNPACK "" ON)\n'
        "target_link_libraries(app PRIVATE xnnpack_backend my_lib)\n"
    )
    target = _cmake_hover(source, "xnnpack_backend")
    assert "WHOLE_ARCHIVE" in target.markdown and "0x20" in target.markdown
    assert source.encode()[target.span.start : target.span.end] == b"xnnpack_backend"
    option = _cmake_hover(source, "EXECUTORCH_BUILD_XNNPACK")
    assert "Default: `OFF`" in option.markdown
    build_type = _cmake_hover(source, "CMAKE_BUILD_TYPE", occurrence=1)
    assert "`Release`" in build_type.markdown and "Debug" in build_type.markdown
    assert _cmake_hover(source, "my_lib") is None
    assert _cmake_hover(source, "target_link_libraries") is None


def test_build_type_hover_lists_the_presets_next_to_the_file(tmp_path) -> None:
    (tmp_path / "CMakePresets.json").write_text(
        '{"version": 3, "configurePresets": ['
        '{"name": "base", "hidden": true, "cacheVariables": {"CMAKE_BUILD_TYPE": "Release"}},'
        '{"name": "release", "inherits": "base"},'
        '{"name": "debug", "cacheVariables": {"CMAKE_BUILD_TYPE": {"type": "STRING", '
        '"value": "Debug"}}},'
        '{"name": "xcode", "generator": "Xcode"}]}'
    )
    source = "project(app)\nmessage(${CMAKE_BUILD_TYPE})\n"
    path = tmp_path / "CMakeLists.txt"
    path.write_text(source)
    doc = Document(str(path), LanguageId.CMAKE, source.encode())
    markdown = hover_at(doc, source.index("CMAKE_BUILD_TYPE") + 1).markdown
    assert "`release`: `Release`" in markdown and "`debug`: `Debug`" in markdown
    assert "`xcode`: `multi-config`" in markdown and "`base`" not in markdown


def test_build_type_hover_without_presets_says_where_the_value_comes_from(tmp_path) -> None:
    source = "message(${CMAKE_BUILD_TYPE})\n"
    path = tmp_path / "CMakeLists.txt"
    path.write_text(source)
    doc = Document(str(path), LanguageId.CMAKE, source.encode())
    markdown = hover_at(doc, source.index("CMAKE_BUILD_TYPE") + 1).markdown
    assert "presets next to it" not in markdown and "command line or a preset" in markdown


def test_build_type_hover_shows_what_the_project_sets_and_where(tmp_path) -> None:
    from executorch_lsp.engine.workspace import Workspace

    (tmp_path / "CMakeLists.txt").write_text(
        "project(app)\nif(NOT CMAKE_BUILD_TYPE)\n  set(CMAKE_BUILD_TYPE Release)\nendif()\n"
        "add_subdirectory(runner)\n"
    )
    (tmp_path / "runner").mkdir()
    source = 'message("${CMAKE_BUILD_TYPE}")\nadd_executable(runner main.cpp)\n'
    path = tmp_path / "runner" / "CMakeLists.txt"
    path.write_text(source)
    doc = Document(str(path), LanguageId.CMAKE, source.encode())
    workspace = Workspace(roots=[tmp_path])
    found = hover_at(doc, source.index("CMAKE_BUILD_TYPE") + 1, workspace=workspace)
    assert "`Release` (../CMakeLists.txt, line 3)" in found.markdown
    alone = hover_at(doc, source.index("CMAKE_BUILD_TYPE") + 1).markdown
    assert "No value is set in the project" in alone

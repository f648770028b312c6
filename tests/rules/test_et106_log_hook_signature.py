"""ET106 log-hook-signature."""

from __future__ import annotations

from pathlib import Path

import pytest

from executorch_lsp.engine.analysis import analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.languages import LanguageId
from harness import assert_marked, findings

HOOK = """void et_pal_emit_log_message(  // <- ET106
    et_timestamp_t timestamp, et_pal_log_level_t level, const char* filename,
    const char* function, size_t line, const char* message, size_t length) {
  write(message, length);
}
"""
INCLUDE = "#include <executorch/runtime/platform/platform.h>\n"

POSITIVE = {
    "inside_namespace": "namespace app {\n" + HOOK + "}\n",
    "inside_anonymous_namespace": INCLUDE + "namespace {\n" + HOOK + "}\n",
    "wrong_parameter_type": INCLUDE + HOOK.replace("size_t line", "int line"),
    "missing_parameter": INCLUDE + HOOK.replace(", size_t length", ""),
    "cpp_linkage_without_declaration": "#include <cstdio>\n" + HOOK,
    "allocate_returning_the_wrong_type": (
        INCLUDE + "char* et_pal_allocate(size_t size) { return nullptr; }  // <- ET106\n"
    ),
}

NEGATIVE = {
    "with_platform_header": INCLUDE + HOOK,
    "extern_c_block": 'extern "C" {\n' + HOOK + "}\n",
    "extern_c_definition": 'extern "C" ' + HOOK,
    "unused_attributes_and_equivalent_types": INCLUDE
    + """void et_pal_emit_log_message(
    ET_UNUSED uint64_t ts, et_pal_log_level_t level, char const* file,
    ET_UNUSED const char * fn, std::size_t line, const char* msg, ET_UNUSED std::size_t n) {}
""",
    "other_hooks": INCLUDE
    + """void et_pal_init(void) {}
et_timestamp_t et_pal_current_ticks(void) { return 0; }
void* et_pal_allocate(size_t size) { return malloc(size); }
void et_pal_free(void* ptr) { free(ptr); }
""",
    "calling_a_hook_is_not_defining_it": "void f() { et_pal_init(); }\n",
    "unknown_pal_name": "void et_pal_custom_thing(int x) {}\n",
    "half_typed_without_return_type": INCLUDE + "et_pal_init(void) {}\n",
}


def _strip_markers(source: str) -> str:
    return source.replace("  // <- ET106", "")


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_reports_hooks_that_do_not_replace_the_default(name: str) -> None:
    assert_marked(POSITIVE[name], "ET106")


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_no_report(name: str) -> None:
    assert findings(_strip_markers(NEGATIVE[name]), "ET106") == []


def test_messages() -> None:
    (finding,) = findings(POSITIVE["inside_namespace"], "ET106")
    assert finding.message.startswith("`et_pal_emit_log_message` is defined inside namespace app")
    (finding,) = findings(POSITIVE["wrong_parameter_type"], "ET106")
    assert "does not match its declaration" in finding.message


def test_local_header_that_includes_the_platform_header(tmp_path: Path) -> None:
    (tmp_path / "log.h").write_text(INCLUDE)
    source = '#include "log.h"\n' + _strip_markers(HOOK)
    path = tmp_path / "log.cpp"
    path.write_text(source)
    result = analyze(Document(str(path), LanguageId.CPP, source.encode()), Config())
    assert [f.code for f in result.findings] == []
    (tmp_path / "log.h").write_text("#include <cstdio>\n")
    result = analyze(Document(str(path), LanguageId.CPP, source.encode()), Config())
    assert [f.code for f in result.findings] == ["ET106"]

"""ET109 et-unwrap-not-portable."""

from __future__ import annotations

import pytest

from harness import assert_marked, findings, fixed

WINDOWS = """
#if defined(_MSC_VER)
#define EXPORT __declspec(dllexport)
#else
#define EXPORT
#endif
"""

POSITIVE = {
    "msvc_conditional": WINDOWS
    + """
Result<size_t> count(Module& module) {
  auto names = ET_UNWRAP(module.method_names());  // <- ET109
  return names.size();
}
""",
    "win32_include_and_message": """
#ifdef _WIN32
#include <windows.h>
#endif
Error run(Module& module) {
  auto outputs = ET_UNWRAP(module.forward(input), "forward failed: %s", name);  // <- ET109
  for (auto& v : ET_UNWRAP(module.execute("eos"))) {}  // <- ET109
  return Error::Ok;
}
""",
    "windows_header_only": """
#include <Windows.h>
Error f(TextDecoderRunner* runner) {
  logits = ET_UNWRAP_TOKENIZER(tokenizer->encode(prompt));  // <- ET109
  return Error::Ok;
}
""",
    "inside_the_msvc_branch": """
#ifdef _WIN64
Error f(Module& m) {
  auto meta = ET_UNWRAP(m.method_meta("forward"));  // <- ET109
  return Error::Ok;
}
#endif
""",
    "in_a_macro_argument": WINDOWS
    + """
Error f(Module& m) {
  ET_LOG(Info, "n=%zu", ET_UNWRAP(m.num_methods()));  // <- ET109
  return Error::Ok;
}
""",
}

NEGATIVE = {
    "no_windows_sign": """
Result<size_t> count(Module& module) {
  auto names = ET_UNWRAP(module.method_names());
  return names.size();
}
""",
    "windows_sign_only_in_comments_and_strings": """
// Not supported on _WIN32 yet.
const char* kPlatform = "_MSC_VER";
/* #include <windows.h> */
Result<size_t> count(Module& module) {
  auto names = ET_UNWRAP(module.method_names());
  return names.size();
}
""",
    "branches_msvc_never_compiles": """
#ifdef _MSC_VER
#define UNUSED
#endif
#ifndef _MSC_VER
Error a(Module& m) { auto x = ET_UNWRAP(m.num_methods()); return Error::Ok; }
#endif
#if defined(__GNUC__) || defined(__clang__)
Error b(Module& m) { auto x = ET_UNWRAP(m.num_methods()); return Error::Ok; }
#endif
#if !defined(_WIN32) && ENABLE_FAST_PATH
Error c(Module& m) { auto x = ET_UNWRAP(m.num_methods()); return Error::Ok; }
#endif
#if defined(_MSC_VER) || defined(_WIN32)
Error d(Module& m) { ET_ASSIGN_OR_RETURN(x, m.num_methods()); return Error::Ok; }
#else
Error d(Module& m) { auto x = ET_UNWRAP(m.num_methods()); return Error::Ok; }
#endif
""",
    "portable_macro_and_comments": WINDOWS
    + """
// ET_UNWRAP(x) is not portable; see result.h.
Error f(Module& m) {
  ET_ASSIGN_OR_RETURN(names, m.method_names());
  const char* doc = "ET_UNWRAP(result)";
  return Error::Ok;
}
""",
    "macro_definitions": WINDOWS
    + """
#define ET_UNWRAP(result__, ...) ET_INTERNAL_UNWRAP(result__, ##__VA_ARGS__)
#define MY_UNWRAP(x) ET_UNWRAP(x)
""",
    "own_portable_definition": WINDOWS
    + """
#define ET_UNWRAP_TOKENIZER(result__) \\
  unwrap_or_die(result__)
Error f(Tokenizer* tokenizer) {
  auto ids = ET_UNWRAP_TOKENIZER(tokenizer->encode(prompt));
  return Error::Ok;
}
""",
    "lookalike_names": WINDOWS
    + """
Error f(Module& m) {
  auto a = MY_ET_UNWRAP(m.num_methods());
  auto b = ET_UNWRAP_OR(m.num_methods(), 0);
  return Error::Ok;
}
""",
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_reports_et_unwrap_in_windows_files(name: str) -> None:
    assert_marked(POSITIVE[name], "ET109")


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_no_report(name: str) -> None:
    assert findings(NEGATIVE[name], "ET109") == []


def test_fix_declares_the_variable_with_assign_or_return() -> None:
    result = fixed(POSITIVE["msvc_conditional"], "ET109")
    assert "  ET_ASSIGN_OR_RETURN(names, module.method_names());  // <- ET109\n" in result
    assert findings(result, "ET109") == []
    result = fixed(POSITIVE["win32_include_and_message"], "ET109")
    expected = 'ET_ASSIGN_OR_RETURN(outputs, module.forward(input), "forward failed: %s", name);'
    assert expected in result


def test_no_fix_outside_a_plain_auto_declaration() -> None:
    assert fixed(POSITIVE["windows_header_only"], "ET109") is None
    assert fixed(POSITIVE["in_a_macro_argument"], "ET109") is None
    source = POSITIVE["msvc_conditional"].replace("auto names", "const auto& names")
    assert fixed(source, "ET109") is None


def test_no_fix_that_would_keep_a_nested_et_unwrap() -> None:
    nested = "module.method_names()", "ET_UNWRAP(module.method_names())"
    source = POSITIVE["msvc_conditional"].replace(*nested)
    assert len(findings(source, "ET109")) == 2
    assert fixed(source, "ET109") is None
    broken = source.replace("return names.size();", "return names.size(")
    assert fixed(broken, "ET109") is None


def test_message_names_the_windows_sign() -> None:
    (finding,) = findings(POSITIVE["windows_header_only"], "ET109")
    assert "<Windows.h>" in finding.message and "ET_ASSIGN_OR_RETURN_TOKENIZER" in finding.message

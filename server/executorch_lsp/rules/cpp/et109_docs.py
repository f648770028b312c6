"""Documentation of ET109."""

from ..base import RuleDocs, Source

RESULT_H = "https://github.com/pytorch/executorch/blob/main/runtime/core/result.h"
LLM_UTIL_H = "https://github.com/pytorch/executorch/blob/main/extension/llm/runner/util.h"

DOCS = RuleDocs(
    problem=(
        "`ET_UNWRAP(...)` (or `ET_UNWRAP_TOKENIZER(...)`) used in a file that shows it is "
        "built on Windows: it tests `_MSC_VER`, `_WIN32` or `_WIN64`, or includes "
        "`<windows.h>`."
    ),
    bad=(
        "#ifdef _WIN32\n"
        "#include <windows.h>\n"
        "#endif\n"
        "\n"
        "Result<size_t> count_methods(Module& module) {\n"
        "  auto names = ET_UNWRAP(module.method_names());\n"
        "  return names.size();\n"
        "}\n"
    ),
    good=(
        "#ifdef _WIN32\n"
        "#include <windows.h>\n"
        "#endif\n"
        "\n"
        "Result<size_t> count_methods(Module& module) {\n"
        "  ET_ASSIGN_OR_RETURN(names, module.method_names());\n"
        "  return names.size();\n"
        "}\n"
    ),
    why=(
        "`ET_UNWRAP` expands to a GNU statement expression `({ ... })` so that it can "
        "return from the enclosing function in the middle of an expression. GCC and Clang "
        "(including clang-cl) accept it; MSVC's `cl.exe` does not, and the build fails with "
        "syntax errors at every use. ExecuTorch documents this in `result.h` and provides "
        "`ET_ASSIGN_OR_RETURN(var, result[, message, ...])`, a plain statement that declares "
        "`var` or returns the error, for code that must compile with MSVC "
        "(`ET_ASSIGN_OR_RETURN_TOKENIZER` likewise replaces `ET_UNWRAP_TOKENIZER`). The "
        "quick fix rewrites `auto x = ET_UNWRAP(r);` into `ET_ASSIGN_OR_RETURN(x, r);` "
        "(not when `r` holds another `ET_UNWRAP`: that one needs its own variable first)."
    ),
    exceptions=(
        "Files without a Windows sign are not reported, since most ExecuTorch code targets "
        "GCC and Clang only; neither are uses inside a branch MSVC never compiles "
        "(`#ifndef _MSC_VER`, `#if defined(__GNUC__)`, `#ifdef __clang__`, the `#else` of "
        "`#ifdef _WIN32`), uses inside other macros' definitions, and files that define "
        "their own `ET_UNWRAP` without a statement expression. A Windows build that uses "
        "clang-cl only can suppress the rule with "
        "`// executorch-lsp: file-ignore[ET109] -- built with clang-cl`."
    ),
    sources=(
        Source("runtime/core/result.h (ET_UNWRAP and ET_ASSIGN_OR_RETURN)", RESULT_H),
        Source("extension/llm/runner/util.h (the tokenizer variants)", LLM_UTIL_H),
    ),
    example_language="cpp",
)

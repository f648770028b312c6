"""Documentation of ET104."""

from ..base import RuleDocs, Source

RESULT_H = "https://github.com/pytorch/executorch/blob/main/runtime/core/result.h"
ERROR_H = "https://github.com/pytorch/executorch/blob/main/runtime/core/error.h"

DOCS = RuleDocs(
    problem=(
        "The value of an ExecuTorch `Result<T>` is read with `.get()`, `*result` or "
        "`result->` before anything looks at `result.ok()` or `result.error()`, or the "
        '`Result` returned by a call (`module.method_meta("forward")->...`) is dereferenced '
        "on the spot."
    ),
    bad=(
        "Error run(Module& module) {\n"
        '  auto meta = module.method_meta("forward");\n'
        '  ET_LOG(Info, "inputs: %zu", meta->num_inputs());  // aborts if loading failed\n'
        "  return Error::Ok;\n"
        "}\n"
    ),
    good=(
        "Error run(Module& module) {\n"
        '  auto meta = module.method_meta("forward");\n'
        "  ET_CHECK_OK_OR_RETURN_ERROR(meta.error());\n"
        '  ET_LOG(Info, "inputs: %zu", meta->num_inputs());\n'
        "  return Error::Ok;\n"
        "}\n"
    ),
    why=(
        "`Result::get()`, `operator*` and `operator->` call `CheckOk()`, which is "
        '`ET_CHECK(hasValue_)`: when the call failed, the process aborts with "assert '
        'failed: hasValue_" in every build type, and the error that said why (a missing '
        "operator 0x14, an unlinked backend 0x20, a bad file 0x23) never reaches the caller. "
        "Only `ok()` and `error()` are `[[nodiscard]]`, so the compiler does not warn. Checking "
        "first turns a crash on the device into an error the app can log and report; "
        "`ET_ASSIGN_OR_RETURN(auto value, call())` (or `ET_UNWRAP`, which MSVC cannot "
        "compile) does both in one line."
    ),
    exceptions=(
        "A result counts as checked once any use of it comes first: `ok()`, `error()`, "
        "`ET_CHECK_MSG(result.ok(), ...)` (an explicit abort with a message), or handing it to "
        "another function. The rule follows the text of one function, not every path: a check "
        "inside an unrelated branch also counts, so some unchecked accesses are missed, never "
        "the other way round. Only ExecuTorch results are considered: `Result<T>` declared "
        "with an ExecuTorch qualifier or in a file that uses ExecuTorch (and no other "
        "library's `Result`), and `auto` variables initialized from a call on a receiver "
        "whose ExecuTorch type is visible. Results built from a value (`Result<int> r = 4;`) "
        "and function parameters (checked by the caller) are not reported."
    ),
    sources=(
        Source("runtime/core/result.h (CheckOk, ET_UNWRAP, ET_ASSIGN_OR_RETURN)", RESULT_H),
        Source("runtime/core/error.h (ET_CHECK_OK_OR_RETURN_ERROR)", ERROR_H),
    ),
    example_language="cpp",
)

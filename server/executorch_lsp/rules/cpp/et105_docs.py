"""Documentation of ET105."""

from ..base import RuleDocs, Source

ERROR_H = "https://github.com/pytorch/executorch/blob/main/runtime/core/error.h"
RUNNER = (
    "https://github.com/pytorch/executorch/blob/main/examples/portable/executor_runner/"
    "executor_runner.cpp"
)

DOCS = RuleDocs(
    problem=(
        "An ExecuTorch `Error` (a variable of type `Error`, or `result.error()` of a "
        "`Result`) is passed to a printf-style call (`printf`, `ET_LOG`, `ET_CHECK_MSG`, ...) "
        "for a `%d`, `%i` or `%u` conversion, or cast to an integer and streamed with `<<` or "
        "`std::to_string`."
    ),
    bad=(
        "void report(Result<Method>& method) {\n"
        '  printf("Failed to load method: error %d\\n", (int)method.error());\n'
        "}\n"
    ),
    good=(
        "void report(Result<Method>& method) {\n"
        '  printf("Failed to load method: error 0x%x\\n", (unsigned)method.error());\n'
        "}\n"
    ),
    why=(
        "ExecuTorch's error codes are defined in hex and grouped by their high digit: 0x1x "
        "logical errors, 0x2x resource errors, 0x3x delegate errors. The runtime, the Python "
        "bindings and Android print them in hex, so users and search results know them that "
        'way: "error 20" printed in decimal is 0x14 OperatorMissing (a missing kernel), '
        "but reads like 0x20 NotFound (a backend that is not linked); decimal 32 is NotFound "
        "while 0x32 is DelegateInvalidHandle. Printing `0x%x` (or the name from "
        "`executorch::runtime::to_string`) removes the ambiguity."
    ),
    exceptions=(
        "Only values known to be ExecuTorch errors are reported: variables declared as "
        "`Error`, `auto` variables initialized from an ExecuTorch call that returns `Error` or "
        "`Result`, and `.error()` of such results. Integers that merely hold a status (for "
        "example a JNI `jint`) are not traced. Printing `%d` on purpose for a decimal surface "
        "(an iOS `NSError` code) can be suppressed with "
        "`// executorch-lsp: ignore[ET105] -- NSError codes are decimal`."
    ),
    sources=(
        Source("runtime/core/error.h (the Error enum)", ERROR_H),
        Source("executor_runner.cpp (how the runtime prints errors)", RUNNER),
    ),
    example_language="cpp",
)

"""Documentation of ET106."""

from ..base import RuleDocs, Source

PLATFORM_H = "https://github.com/pytorch/executorch/blob/main/runtime/platform/platform.h"
PAL_DOC = (
    "https://github.com/pytorch/executorch/blob/main/docs/source/"
    "runtime-platform-abstraction-layer.md"
)
FAQ_URL = "https://github.com/pytorch/executorch/blob/main/docs/source/using-executorch-faqs.md"

DOCS = RuleDocs(
    problem=(
        "A definition of a platform hook (`et_pal_emit_log_message`, `et_pal_init`, "
        "`et_pal_abort`, `et_pal_current_ticks`, `et_pal_ticks_to_ns_multiplier`, "
        "`et_pal_allocate`, `et_pal_free`) that cannot replace the runtime's default: it is "
        "inside a namespace, its signature differs from `runtime/platform/platform.h`, or it "
        'has C++ linkage because no `extern "C"` declaration is visible.'
    ),
    bad=(
        "namespace app {\n"
        "void et_pal_emit_log_message(et_timestamp_t timestamp, et_pal_log_level_t level,\n"
        "    const char* filename, const char* function, size_t line,\n"
        "    const char* message, size_t length) {\n"
        "  send_to_logcat(level, message, length);\n"
        "}\n"
        "}  // namespace app\n"
    ),
    good=(
        "#include <executorch/runtime/platform/platform.h>\n"
        "void et_pal_emit_log_message(et_timestamp_t timestamp, et_pal_log_level_t level,\n"
        "    const char* filename, const char* function, size_t line,\n"
        "    const char* message, size_t length) {\n"
        "  send_to_logcat(level, message, length);\n"
        "}\n"
    ),
    why=(
        "The runtime's default hooks are weak C symbols; a strong definition with the same C "
        'name replaces them at link time (FAQ "Missing Logs"). A definition in a namespace, '
        "with different parameter types, or with C++ linkage has a different symbol name, so "
        "the program links fine and the default hook silently stays: logs keep going to "
        "stderr (or nowhere on a device) instead of your sink. Registering the hooks at run "
        "time with `executorch::runtime::register_pal(PalImpl::create(...))` avoids the "
        "linker subtleties."
    ),
    exceptions=(
        "Parameter names and `ET_UNUSED` do not matter; `uint64_t` is accepted for "
        "`et_timestamp_t` and `std::size_t` for `size_t`. A file that includes any ExecuTorch "
        'header is assumed to see the `extern "C"` declaration.'
    ),
    sources=(
        Source("runtime/platform/platform.h", PLATFORM_H),
        Source("Runtime Platform Abstraction Layer", PAL_DOC),
        Source("ExecuTorch FAQ: Missing logs", FAQ_URL),
    ),
    example_language="cpp",
)

"""Documentation of ET203."""

from ..base import RuleDocs, Source

FAQ_URL = "https://github.com/pytorch/executorch/blob/main/docs/source/using-executorch-faqs.md"
KERNELS_URL = (
    "https://github.com/pytorch/executorch/blob/main/docs/source/kernel-library-overview.md"
)

DOCS = RuleDocs(
    problem=(
        "An executable or library ends up linked, directly or through the project's own "
        "targets, with two operator libraries that register the standard `aten::` kernels: "
        "`portable_ops_lib`, `optimized_native_cpu_ops_lib`, `optimized_ops_lib`, or a "
        "`gen_operators_lib()` output built from the portable or optimized kernels; "
        "`${EXECUTORCH_LIBRARIES}` counts as `portable_ops_lib`."
    ),
    bad=(
        "find_package(executorch REQUIRED)\n"
        "add_executable(app main.cpp)\n"
        "target_link_libraries(app PRIVATE executorch portable_ops_lib)\n"
        "target_link_libraries(app PRIVATE optimized_native_cpu_ops_lib)\n"
    ),
    good=(
        "find_package(executorch REQUIRED)\n"
        "add_executable(app main.cpp)\n"
        "target_link_libraries(app PRIVATE executorch optimized_native_cpu_ops_lib)\n"
    ),
    why=(
        "Each operator library registers its kernels from a static constructor when the "
        "program starts. ExecuTorch refuses to register a kernel twice: the second library "
        'logs "Re-registering aten::..., from ..." and aborts with "Kernel registration '
        'failed with error 22" (0x16 RegistrationAlreadyRegistered) before `main()` runs. '
        "`optimized_native_cpu_ops_lib` already contains the portable kernels as fallbacks "
        "for the operators it does not optimize, so it is linked instead of, not next to, "
        "`portable_ops_lib`."
    ),
    exceptions=(
        "Libraries with their own operator namespaces are disjoint and never reported: "
        "`quantized_ops_lib` (`quantized_decomposed::`), `custom_ops` (`llama::`), "
        "backend-specific kernels. Libraries chosen in different branches of an `if()` "
        "(one per option value), also through a list built in those branches, are not "
        "linked together. Operator libraries generated from other kernels, and values that "
        "cannot be known, are not reported."
    ),
    sources=(
        Source("ExecuTorch FAQ: duplicate kernel registration", FAQ_URL),
        Source("Kernel library overview", KERNELS_URL),
    ),
    example_language="cmake",
)

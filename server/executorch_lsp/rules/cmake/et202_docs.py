"""Documentation of ET202."""

from ..base import RuleDocs, Source

FAQ_URL = "https://github.com/pytorch/executorch/blob/main/docs/source/using-executorch-faqs.md"
UTILS_URL = "https://github.com/pytorch/executorch/blob/main/tools/cmake/Utils.cmake"
XNNPACK_URL = (
    "https://github.com/pytorch/executorch/blob/main/docs/source/backends/xnnpack/"
    "xnnpack-troubleshooting.md"
)

DOCS = RuleDocs(
    problem=(
        "A library that registers an ExecuTorch backend or operator kernels from a static "
        "constructor (`xnnpack_backend`, `coremldelegate`, `vulkan_backend`, "
        "`qnn_executorch_backend`, the Ethos-U delegate, `*_ops_lib`, `custom_ops`, "
        "libraries made by `gen_operators_lib`, and the `executorch` runtime library itself, "
        "which registers the `executorch_prim::` operators) is linked as a static archive "
        "file, a `-l` flag, a `find_library()` result or a hand-made `IMPORTED` target, "
        "outside any whole-archive region. An empty `--whole-archive ... --no-whole-archive` "
        "pair is reported too."
    ),
    bad=(
        "find_library(XNNPACK_BACKEND xnnpack_backend PATHS ${ET_LIB_DIR})\n"
        "add_executable(app main.cpp)\n"
        "target_link_libraries(app PRIVATE ${XNNPACK_BACKEND})\n"
    ),
    good=(
        "find_library(XNNPACK_BACKEND xnnpack_backend PATHS ${ET_LIB_DIR})\n"
        "add_executable(app main.cpp)\n"
        'target_link_libraries(app PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,${XNNPACK_BACKEND}>")\n'
    ),
    why=(
        "Backends and kernel libraries register themselves from static initializers that no "
        "other code references. A static archive only contributes the object files the "
        "program refers to, so the linker silently drops the registration: the program "
        "builds, and loading a model fails at run time with `Error 0x20 NotFound` "
        '("Backend XnnpackBackend is not registered.") for a backend, or `Error 0x14 '
        "OperatorMissing` for kernels and the `executorch_prim::` operators. Whole-archive "
        "(`-Wl,--whole-archive`, `-force_load` on Apple, `/WHOLEARCHIVE` on MSVC, or "
        "`$<LINK_LIBRARY:WHOLE_ARCHIVE,...>`) keeps every object file."
    ),
    exceptions=(
        "ExecuTorch's own CMake targets (from `add_subdirectory` of the ExecuTorch tree or "
        "`find_package(executorch)`) already carry whole-archive as an INTERFACE link "
        "option, so linking them by target name is fine, as is a target that received "
        "`executorch_target_link_options_shared_lib()` or whole-archive `INTERFACE` link "
        "options. Links inside the project's own helper functions are understood (the "
        "helper's whole-archive region counts). Shared libraries (`.so`, `.dylib`) do not "
        "drop constructors. Values that cannot be known (a variable set outside the files "
        "read, `$ENV{...}`) are not reported. The quick fix needs CMake 3.24 and is not "
        "applied by fix-all."
    ),
    sources=(
        Source("ExecuTorch FAQ: Error 0x20 / backend not registered", FAQ_URL),
        Source("tools/cmake/Utils.cmake (whole-archive helpers)", UTILS_URL),
        Source("XNNPACK troubleshooting: backend not found", XNNPACK_URL),
    ),
    example_language="cmake",
)

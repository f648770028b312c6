"""Documentation of ET204."""

from ..base import RuleDocs, Source

FAQ_URL = "https://github.com/pytorch/executorch/blob/main/docs/source/using-executorch-faqs.md"
CPP_URL = "https://github.com/pytorch/executorch/blob/main/docs/source/using-executorch-cpp.md"

DOCS = RuleDocs(
    problem=(
        "An executable whose sources load models (`Module`, `Program::load`, `load_method`, "
        "an LLM runner factory) links the ExecuTorch runtime (`executorch`, "
        "`executorch_core`, `executorch::runtime`) but no operator library at all: no "
        "`portable_ops_lib`, `optimized_native_cpu_ops_lib`, selective-build output or "
        "`${EXECUTORCH_LIBRARIES}`. Also an operator library generated with "
        "`gen_operators_lib()` that no target links."
    ),
    bad=(
        "find_package(executorch REQUIRED)\n"
        "gen_operators_lib(LIB_NAME app_ops KERNEL_LIBS portable_kernels DEPS executorch_core)\n"
        "add_executable(app main.cpp)  # main.cpp runs a Module\n"
        "target_link_libraries(app PRIVATE executorch extension_module_static)\n"
    ),
    good=(
        "find_package(executorch REQUIRED)\n"
        "gen_operators_lib(LIB_NAME app_ops KERNEL_LIBS portable_kernels DEPS executorch_core)\n"
        "add_executable(app main.cpp)\n"
        "target_link_libraries(app PRIVATE executorch extension_module_static app_ops)\n"
    ),
    why=(
        "The runtime contains no kernels (only the `executorch_prim::` operators). A "
        "program built against it alone compiles and links; the model then fails to load "
        "with `Error 0x14 OperatorMissing` and \"kernel 'aten::...' not found\" for the "
        "first operator that no backend took. ExecuTorch's C++ guide: with only the engine, "
        "a model loads and then fails with a missing operator."
    ),
    exceptions=(
        "Only executables whose own source files (as listed in the build) use a model-loading "
        "API are checked, and only when everything they link is known: a variable that "
        "cannot be resolved, a generator expression or an unknown imported target may hide "
        "an operator library, so nothing is reported then. A program whose models are fully "
        "delegated to a backend needs no kernels; suppress the finding there."
    ),
    sources=(
        Source("ExecuTorch FAQ: Error 0x14 OperatorMissing", FAQ_URL),
        Source("Using ExecuTorch with C++: linking kernels", CPP_URL),
    ),
    example_language="cmake",
)

"""Documentation of ET301 (kept apart from the check so both stay short)."""

from ..base import RuleDocs, Source

SELECTIVE_BUILD_URL = (
    "https://github.com/pytorch/executorch/blob/main/docs/source/kernel-library-selective-build.md"
)
CODEGEN_URL = (
    "https://github.com/pytorch/executorch/blob/main/shim_et/xplat/executorch/codegen/codegen.bzl"
)
REGISTRY_URL = (
    "https://github.com/pytorch/executorch/blob/main/runtime/kernel/operator_registry.cpp"
)

DOCS = RuleDocs(
    problem=(
        "A C++ binary, library or test (`runtime.cxx_binary`, `cxx_library`, "
        "`fb_xplat_cxx_binary`, ...) depends, directly or through other targets, on two "
        "generated operator libraries (`executorch_generated_lib` targets, or ExecuTorch's "
        "prebuilt `//executorch/kernels/portable:generated_lib`, "
        "`//executorch/kernels/optimized:generated_lib`, "
        "`//executorch/configurations:optimized_native_cpu_ops`) that register the same "
        "operators: both select every operator of one yaml file (`include_all_operators = "
        "True`, `ops_schema_yaml_target`), or both select an operator that their yaml files "
        "contain. Labels are followed into other BUCK/TARGETS files and the `.bzl` files "
        "they load when a workspace is open; related information points at both "
        "dependencies."
    ),
    bad=(
        'load("@fbsource//xplat/executorch/codegen:codegen.bzl", "et_operator_library", '
        '"executorch_generated_lib")\n\n'
        'et_operator_library(name = "model_ops", include_all_operators = True)\n\n'
        "executorch_generated_lib(\n"
        '    name = "model_lib",\n'
        '    functions_yaml_target = "//executorch/kernels/portable:functions.yaml",\n'
        '    kernel_deps = ["//executorch/kernels/portable:operators"],\n'
        '    deps = [":model_ops"],\n'
        ")\n\n"
        "runtime.cxx_binary(\n"
        '    name = "app",  # ET301\n'
        '    srcs = ["main.cpp"],\n'
        "    deps = [\n"
        '        ":model_lib",\n'
        '        "//executorch/kernels/portable:generated_lib",  # registers them again\n'
        "    ],\n"
        ")\n"
    ),
    good=(
        'load("@fbsource//xplat/executorch/codegen:codegen.bzl", "et_operator_library", '
        '"executorch_generated_lib")\n\n'
        'et_operator_library(name = "model_ops", include_all_operators = True)\n\n'
        "executorch_generated_lib(\n"
        '    name = "model_lib",\n'
        '    functions_yaml_target = "//executorch/kernels/portable:functions.yaml",\n'
        '    kernel_deps = ["//executorch/kernels/portable:operators"],\n'
        '    deps = [":model_ops"],\n'
        ")\n\n"
        "runtime.cxx_binary(\n"
        '    name = "app",\n'
        '    srcs = ["main.cpp"],\n'
        "    deps = [\n"
        '        ":model_lib",\n'
        '        "//executorch/kernels/quantized:generated_lib",  # other operators\n'
        "    ],\n"
        ")\n"
    ),
    why=(
        "Each generated library registers its kernels from a static initializer (it is "
        "linked whole). The registry refuses a second kernel with the same operator name "
        'and kernel key: it logs "Re-registering aten::add.out" and aborts ("Kernel '
        'registration failed with error 22", `RegistrationAlreadyRegistered`) before '
        "`main()` runs. The build itself succeeds. "
        "Selective builds are meant to have one generated library per binary whose "
        "`deps` list every `et_operator_library` the binary needs; libraries over disjoint "
        "operator sets (portable operators plus `//executorch/kernels/quantized:"
        "generated_lib`, or a custom-ops library) can be combined."
    ),
    exceptions=(
        "Only overlaps that are certain are reported: operator sets are read from literal "
        "values, and an `ops` list is compared through the yaml files when they can be read "
        "(in an ExecuTorch checkout) or against operators those files are known to contain. "
        "Unknown values (`select()`, `read_config()`, parameters, lists built in loops or "
        "with `append`), `model`- or server-generated operator lists, unresolved labels, "
        "ATen-mode libraries (a separate registry) and `manual_registration = True` are "
        "never guessed. Kernels only for specific dtypes or dim orders (`arg_meta` in the "
        "yaml file) have their own kernel keys and do not count. Two libraries linked only "
        "through one dependency are reported at "
        "that dependency, not at every target above it. A function that defines the "
        "binary, in the same file or loaded from a `.bzl` file of the workspace (a label "
        "of the same cell: `//pkg:defs.bzl`, `:defs.bzl`), is read through at each call "
        "that names a target, with the call's arguments; an overlap that does not depend "
        "on them is reported once, in the function. Functions loaded from other cells "
        "(`@cell//`, `fbsource//`) or from files the workspace does not have are not "
        "followed. Prim ops are not compared."
    ),
    sources=(
        Source("ExecuTorch: kernel library selective build", SELECTIVE_BUILD_URL),
        Source("codegen.bzl (executorch_generated_lib, executorch_ops_check)", CODEGEN_URL),
        Source("runtime/kernel/operator_registry.cpp (duplicate registration)", REGISTRY_URL),
    ),
    example_language="starlark",
)

"""Documentation of ET302 and the hover on the codegen macros."""

from __future__ import annotations

from ...engine.buck.graph import document_model
from ...engine.buck.model import CODEGEN_MACROS, GENERATED_LIB, Target
from ...engine.buck.values import is_truthy
from ...engine.document import Document
from ..base import RuleDocs, Source

CODEGEN_URL = (
    "https://github.com/pytorch/executorch/blob/main/shim_et/xplat/executorch/codegen/codegen.bzl"
)
SELECTIVE_BUILD_URL = (
    "https://github.com/pytorch/executorch/blob/main/docs/source/kernel-library-selective-build.md"
)
EXAMPLE_URL = "https://github.com/pytorch/executorch/blob/main/examples/selective_build/targets.bzl"

DOCS = RuleDocs(
    problem=(
        "Arguments that make ExecuTorch's codegen macros fail:\n\n"
        "- `executorch_generated_lib` with neither `functions_yaml_target` nor "
        '`custom_ops_yaml_target` (outside ATen mode): "At least one of '
        'functions_yaml_target, custom_ops_yaml_target needs to be provided".\n'
        "- `executorch_generated_lib` with `functions_yaml_target` and `aten_mode = True`: "
        "ATen mode takes its operators from `native_functions.yaml`, and the macro fails.\n"
        "- `dtype_selective_build = True` with `kernel_deps` that names neither "
        "`//executorch/kernels/portable:operators` nor "
        "`//executorch/kernels/optimized:optimized_operators` (compared as exact strings).\n"
        "- `dtype_selective_build = True` with one of those kernel libraries in "
        "`kernel_deps` while an entry of `deps` is, or depends on, the same library "
        '("Dependency violation ... should not depend on"): duplicate symbols.\n'
        "- `expose_operator_symbols = True` without `dtype_selective_build = True`.\n"
        "- `et_operator_library` with `server_generated_yaml_target` and any of `ops`, "
        "`ops_dict`, `include_all_operators`, `ops_schema_yaml_target` or `model`."
    ),
    bad=(
        'load("@fbsource//xplat/executorch/codegen:codegen.bzl", "et_operator_library", '
        '"executorch_generated_lib")\n\n'
        'et_operator_library(name = "model_ops", ops = ["aten::add.out", "aten::mm.out"])\n\n'
        "executorch_generated_lib(  # ET302: no functions_yaml_target\n"
        '    name = "model_lib",\n'
        '    deps = [":model_ops"],\n'
        '    kernel_deps = ["//executorch/kernels/portable:operators"],\n'
        "    dtype_selective_build = True,\n"
        ")\n"
    ),
    good=(
        'load("@fbsource//xplat/executorch/codegen:codegen.bzl", "et_operator_library", '
        '"executorch_generated_lib")\n\n'
        'et_operator_library(name = "model_ops", ops = ["aten::add.out", "aten::mm.out"])\n\n'
        "executorch_generated_lib(\n"
        '    name = "model_lib",\n'
        '    functions_yaml_target = "//executorch/kernels/portable:functions.yaml",\n'
        '    deps = [":model_ops"],\n'
        '    kernel_deps = ["//executorch/kernels/portable:operators"],\n'
        "    dtype_selective_build = True,\n"
        ")\n"
    ),
    why=(
        "These are the checks `codegen.bzl` makes when Buck evaluates the macros (the "
        "dependency check of dtype selective build runs as a query when building): the "
        "build stops with the quoted message. Seeing them while editing saves a round "
        "trip through Buck, and the messages say what to change. With dtype selective "
        "build, the macro rebuilds the portable or optimized kernels with only the "
        "selected dtypes; it recognises them only under their exact labels in "
        "`kernel_deps`, and a second copy through `deps` would clash with the rebuilt one."
    ),
    exceptions=(
        "Only literal values are judged: `select()`, `read_config()`, loop variables, "
        "parameters of a function read on its own and unknown `**kwargs` never give a "
        "finding (an unknown `**kwargs` may supply a missing argument). A function that "
        "calls the macro, in the same file or loaded from a `.bzl` file of the workspace (a "
        "label of the same cell: `//pkg:defs.bzl`, `:defs.bzl`), is read through at each "
        "of its calls that names a target, with the call's arguments: the finding is on "
        "the call, or once in the function when the arguments do not matter. Functions "
        "loaded from other cells (`@cell//`, `fbsource//`) or from files the workspace "
        "does not have are not followed. A dependency of `deps` is "
        "followed only through labels that resolve in the workspace or are ExecuTorch's "
        "prebuilt generated libraries. Calls of a function of the same name defined in "
        "the file itself, or loaded from a file other than `codegen.bzl`, are not the "
        "macros (they are read through like any other function). The fbcode-only "
        "condition of dtype selective build (it needs `expose_operator_symbols` outside "
        "xplat) depends on where the build runs and is not reported."
    ),
    sources=(
        Source("codegen.bzl (et_operator_library, executorch_generated_lib)", CODEGEN_URL),
        Source("ExecuTorch: kernel library selective build", SELECTIVE_BUILD_URL),
        Source("examples/selective_build/targets.bzl", EXAMPLE_URL),
    ),
    example_language="starlark",
)


def hover(document: Document, offset: int) -> str | None:
    """What a codegen macro call generates, on its name."""
    data = document.data
    if not any(macro.encode() in data for macro in CODEGEN_MACROS):
        return None
    for target in document_model(document).targets:
        if target.kind in CODEGEN_MACROS and target.start <= offset <= target.end:
            word = _word_at(data, offset)
            if word == target.kind or (target.callee_start <= offset <= target.callee_end):
                return _generated_lib(target) if target.kind == GENERATED_LIB else _oplist(target)
    return None


def _word_at(data: bytes, offset: int) -> str:
    start = offset
    while start > 0 and (data[start - 1 : start].isalnum() or data[start - 1 : start] == b"_"):
        start -= 1
    end = offset
    while end < len(data) and (data[end : end + 1].isalnum() or data[end : end + 1] == b"_"):
        end += 1
    return data[start:end].decode("utf-8", "replace")


def _generated_lib(target: Target) -> str:
    name = target.name or "<name>"
    lines = [
        f"**executorch_generated_lib** `{name}` generates:",
        f"- `:{name}`: the kernel registration library (linked whole; registers the "
        "selected operators when the program starts)",
        f"- `:{name}_headers`: declarations of the generated operator functions",
    ]
    if is_truthy(target.value("custom_ops_yaml_target", None)) is not False:
        lines.append(f"- `:custom_ops_{name}`: registers the custom ops with PyTorch (AOT)")
    if is_truthy(target.value("define_static_targets", False)) is not False:
        lines.append(f"- `:{name}_static` variants (define_static_targets)")
    lines.append(
        "\nOperators: those of the yaml files (functions_yaml_target, custom_ops_yaml_target) "
        "selected by the `et_operator_library` targets in `deps`. Link one generated library "
        f"per binary (ET301).\n\n[codegen.bzl]({CODEGEN_URL})"
    )
    return "\n".join(lines)


def _oplist(target: Target) -> str:
    name = target.name or "<name>"
    return (
        f"**et_operator_library** `{name}` generates `:{name}`, a genrule writing "
        "`selected_operators.yaml` (the operators to keep: `ops`, `ops_dict`, a model, a "
        "schema yaml or all), plus `selected_prim_ops.h` for prim ops listed in `ops`. "
        "Put it in the `deps` of an `executorch_generated_lib`.\n\n"
        f"[codegen.bzl]({CODEGEN_URL}) · [selective build]({SELECTIVE_BUILD_URL})"
    )

"""What a runtime log line means and how to fix it: one ``Problem`` per kind of line.

``runtime_log`` finds the lines; the functions here turn what a line names (a backend, an
operator, an error code) into the explanation, the likely causes and the fixes. Facts come
from the ExecuTorch tree (runtime/executor/method.cpp, runtime/kernel/operator_registry.cpp,
kernels/prim_ops, exir/passes, extension/data_loader) and its FAQ and troubleshooting pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from .backends import Backend, backend_by_id
from .error_codes import FAQ_URL, REPO_URL, ErrorCode, by_value

_FAQ_OPERATOR_MISSING = FAQ_URL + "#error-0x14-operator-missing"
_FAQ_NOT_FOUND = FAQ_URL + "#error-0x20-not-found"
_FAQ_DUPLICATE = FAQ_URL + "#duplicate-kernel-registration-abort"
_FAQ_RESIZE = FAQ_URL + "#error-setting-input-0x10--attempted-to-resize-a-bounded-tensor"
_FAQ_OUT_VARIANTS = FAQ_URL + "#missing-out-variants-_-"
_ERROR_H = REPO_URL + "runtime/core/error.h"
_MMAP_LOADER_H = REPO_URL + "extension/data_loader/mmap_data_loader.h"
_METHOD_H = REPO_URL + "runtime/executor/method.h"
_SELECTIVE_BUILD = REPO_URL + "docs/source/kernel-library-selective-build.md"

# Registered by the `executorch` library itself (kernels/prim_ops/register_prim_ops.cpp).
_PRIM_OPS_OUTSIDE_PRIM_NAMESPACE = frozenset(
    {"aten::sym_size.int", "aten::sym_numel", "aten::_local_scalar_dense"}
)
# Operators that only appear when a model is exported in training mode.
_TRAINING_ONLY_OPS = frozenset(
    {"aten::native_dropout", "aten::dropout", "aten::_native_batch_norm_legit"}
)
_WHOLE_ARCHIVE_WHY = (
    "A static library that only registers kernels or backends from static constructors "
    "is dropped by the linker unless it is linked whole-archive."
)


@dataclass(frozen=True)
class Problem:
    """One kind of trouble a log shows; equal problems (``key``) are reported once."""

    code: str  # stable per kind: diagnostic code and report label
    key: tuple[str, ...]
    title: str
    meaning: str
    causes: tuple[str, ...]
    fixes: tuple[str, ...]
    docs_url: str

    @property
    def headline(self) -> str:
        """Title plus the first fix: one line for a diagnostic."""
        return f"{self.title}. {self.fixes[0]}" if self.fixes else self.title


def _error_suffix(value: int) -> str:
    code = by_value(value)
    return f" ({code.qualified}, {code.hex})" if code else ""


# --- backends -----------------------------------------------------------------------------


def _whole_archive_fixes(target: str) -> tuple[str, ...]:
    return (
        f"CMake: `target_link_libraries(app PRIVATE {target})` links ExecuTorch's target with "
        f"whole-archive already; when you link the archive file, use "
        f'`"$<LINK_LIBRARY:WHOLE_ARCHIVE,{target}>"` or `-Wl,--whole-archive lib{target}.a '
        f"-Wl,--no-whole-archive` (`-Wl,-force_load,lib{target}.a` on Apple).",
    )


def _known_backend_fixes(backend: Backend) -> tuple[str, ...]:
    fixes = [
        f"Build it: `-D{backend.build_option}=ON`, then link `{backend.cmake_target}`.",
        *_whole_archive_fixes(backend.cmake_target),
    ]
    if backend.package_target:
        fixes.append(
            f"Prebuilt package: `target_link_libraries(app PRIVATE {backend.package_target})`."
        )
    if backend.apple_library:
        fixes.append(
            f"iOS/macOS: add the `{backend.apple_library}` framework and "
            f"`-force_load` its `lib{backend.apple_library}_<platform>.a` in `OTHER_LDFLAGS`."
        )
    if backend.buck_target:
        fixes.append(f"Buck: depend on `{backend.buck_target}` (it sets `link_whole = True`).")
    return tuple(fixes)


def _unknown_backend_fixes(name: str) -> tuple[str, ...]:
    return (
        f"Link the library that calls `register_backend` for `{name}`, whole-archive "
        '(`"$<LINK_LIBRARY:WHOLE_ARCHIVE,<target>>"`, `-Wl,--whole-archive`, `-force_load` '
        "on Apple).",
    )


def backend_not_registered(name: str) -> Problem:
    backend = backend_by_id(name)
    what = f"{backend.description} (`{backend.cmake_target}`)" if backend else f"`{name}`"
    return Problem(
        code="backend-not-registered",
        key=("backend-not-registered", name),
        title=f"Backend {name} is not registered{_error_suffix(0x20)}",
        meaning=f"The `.pte` delegates part of the model to `{name}`, but this binary never "
        f"registered a backend by that name: loading the method fails with Error 0x20 "
        f"NotFound. The library that provides it is {what}.",
        causes=(
            "The backend library is not linked into the app (or the Python wheel was built "
            "without it).",
            f"It is linked as a static archive without whole-archive. {_WHOLE_ARCHIVE_WHY}",
        ),
        fixes=_known_backend_fixes(backend) if backend else _unknown_backend_fixes(name),
        docs_url=_FAQ_NOT_FOUND,
    )


def backend_not_available(name: str) -> Problem:
    return Problem(
        code="backend-not-available",
        key=("backend-not-available", name),
        title=f"Backend {name} is registered but not available on this device{_error_suffix(0x20)}",
        meaning=f"`{name}` is linked, but its `is_available()` said no: the hardware, driver "
        "or vendor runtime it needs is missing here, so loading fails with Error 0x20 NotFound.",
        causes=(
            "The device lacks what the backend needs (a Vulkan driver, the Qualcomm QNN "
            "libraries on the library path, Apple silicon or a recent OS for Core ML/MPS).",
            "The app runs in an emulator, simulator or container without that hardware.",
        ),
        fixes=(
            "Run on a device the backend supports, with its vendor libraries where the "
            "backend looks for them.",
            "Ship a fallback `.pte` lowered for CPU with `XnnpackPartitioner` for other devices.",
        ),
        docs_url=_FAQ_NOT_FOUND,
    )


def backend_init_failed(name: str, value: int | None) -> Problem:
    code = by_value(value) if value is not None else None
    shown = f": {code.qualified} ({code.hex})" if code else ""
    causes: list[str] = list(code.causes[:2]) if code else []
    if name == "XnnpackBackend":
        causes.append(
            "Dynamic quantization exported with `get_symmetric_quantization_config("
            "is_dynamic=True)` but without `is_per_channel=True`: XNNPACK cannot build that graph."
        )
    fixes = list(code.fixes[:2]) if code else []
    fixes.append("Read the backend's own log lines just before this one: they name the node.")
    return Problem(
        code="backend-init-failed",
        key=("backend-init-failed", name, str(value)),
        title=f"Backend {name} failed to initialise its part of the model{shown}",
        meaning=f"`{name}` is registered, but its `init()` rejected the delegated payload "
        "while the method was loading.",
        causes=tuple(causes),
        fixes=tuple(fixes),
        docs_url=_ERROR_H,
    )


# --- operators ----------------------------------------------------------------------------


def _base_name(operator: str) -> str:
    """``aten::native_dropout.out`` -> ``aten::native_dropout`` (the overload dropped)."""
    namespace, _, name = operator.partition("::")
    return f"{namespace}::{name.split('.', 1)[0]}"


def is_prim_op(operator: str) -> bool:
    return operator.startswith("executorch_prim::") or operator in _PRIM_OPS_OUTSIDE_PRIM_NAMESPACE


def _training_mode_advice(operator: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (
        (
            f"`{operator}` only appears when the model is exported in training mode: "
            "`model.eval()` was not called before `torch.export.export`.",
        ),
        (
            "Call `model.eval()` before exporting, then export and lower again (dropout and "
            "training-mode batch norm do nothing at inference).",
        ),
    )


def _prim_op_advice(operator: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (
        (
            f"`{operator}` is registered by the `executorch` library itself; missing means "
            "only `executorch_core` is linked, or `libexecutorch.a` is linked without "
            "whole-archive so its registration was dropped.",
        ),
        (
            "CMake: link the `executorch` target, not `executorch_core`; when linking the "
            'archive file use `"$<LINK_LIBRARY:WHOLE_ARCHIVE,executorch>"` or '
            "`-Wl,--whole-archive libexecutorch.a -Wl,--no-whole-archive` (`-force_load` on "
            "Apple).",
            "Buck: depend on `//executorch/kernels/prim_ops:prim_ops_registry` (kept by "
            "`executorch_generated_lib` unless `include_all_prim_ops = False`).",
        ),
    )


def _quantized_advice(operator: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (
        (
            "The quantize/dequantize ops stayed outside any delegate: the quantized graph was "
            "not lowered to XNNPACK.",
            "Or they are meant to run on CPU but the quantized kernels are not linked.",
        ),
        (
            "Lower with the partitioner: `to_edge_transform_and_lower(exported, "
            "partitioner=[XnnpackPartitioner()])`.",
            "To run them on CPU, link `quantized_ops_lib` (`-DEXECUTORCH_BUILD_KERNELS_QUANTIZED="
            'ON`; whole-archive when linking the file: `"$<LINK_LIBRARY:WHOLE_ARCHIVE,'
            'quantized_ops_lib>"`), `executorch::kernels_quantized` from the prebuilt package.',
        ),
    )


def _llm_custom_op_advice(operator: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (
        (
            f"`{operator}` is an LLM custom op from the `custom_ops` library, which is not "
            "linked (or linked without whole-archive).",
        ),
        (
            "CMake: `-DEXECUTORCH_BUILD_KERNELS_LLM=ON` and link "
            '`"$<LINK_LIBRARY:WHOLE_ARCHIVE,custom_ops>"`.',
            "Python: build `custom_ops_aot_lib` (`cmake --preset pybind`) and "
            "`from executorch.extension.llm.custom_ops import custom_ops` before loading.",
            "Buck: depend on `//executorch/extension/llm/custom_ops:custom_ops`.",
        ),
    )


def _selective_build_advice(operator: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (
        (
            "The app's selective build does not include it: the operator list was made for "
            "another (older) version of the model.",
            "No kernel library is linked at all (only the runtime), so every operator is missing.",
            "The portable library has no kernel for this operator or dtype yet.",
        ),
        (
            "CMake: build the operator list from the model, `-DEXECUTORCH_SELECT_OPS_MODEL="
            f'model.pte`, or add it: `-DEXECUTORCH_SELECT_OPS_LIST="...,{operator}"` / '
            f'`gen_selected_ops(LIB_NAME "select_build_lib" ROOT_OPS "{operator}" ...)`.',
            f'Buck: `et_operator_library(name = "model_ops", ops = ["{operator}"])` in `deps` '
            "of the app's `executorch_generated_lib`, and depend on that generated lib.",
            "No kernel library linked: link `optimized_native_cpu_ops_lib` (or "
            "`portable_ops_lib`), `executorch::kernels_optimized` from the prebuilt package.",
        ),
    )


def _custom_op_advice(operator: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    namespace = operator.partition("::")[0]
    return (
        (
            f"`{operator}` is a custom operator (`{namespace}::`): the library with its kernel "
            "is not linked, or linked without whole-archive so its registration was dropped.",
        ),
        (
            "Link the operator library made for it by `gen_operators_lib` (or the one with "
            '`EXECUTORCH_LIBRARY`) whole-archive: `"$<LINK_LIBRARY:WHOLE_ARCHIVE,<lib>>"`, '
            "`-Wl,--whole-archive`, `-force_load` on Apple.",
        ),
    )


def _operator_advice(operator: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    namespace = operator.partition("::")[0]
    if _base_name(operator) in _TRAINING_ONLY_OPS:
        return _training_mode_advice(operator)
    if is_prim_op(operator):
        return _prim_op_advice(operator)
    if namespace == "quantized_decomposed":
        return _quantized_advice(operator)
    if namespace == "llama":
        return _llm_custom_op_advice(operator)
    if namespace in ("aten", "dim_order_ops", ""):
        return _selective_build_advice(operator)
    return _custom_op_advice(operator)


def operator_missing(operator: str) -> Problem:
    causes, fixes = _operator_advice(operator)
    return Problem(
        code="operator-missing",
        key=("operator-missing", operator),
        title=f"Operator {operator} is missing{_error_suffix(0x14)}",
        meaning=f"The program calls `{operator}`, but no kernel for it is registered in this "
        "binary: loading the method fails with Error 0x14 OperatorMissing.",
        causes=causes,
        fixes=fixes,
        docs_url=_FAQ_OPERATOR_MISSING,
    )


def operators_missing(count: str) -> Problem:
    causes, fixes = _selective_build_advice("<operator>")
    return Problem(
        code="operator-missing",
        key=("operator-missing", ""),
        title=f"{count} instructions call operators that are not registered{_error_suffix(0x14)}",
        meaning="The runtime lists each operator in a `Missing operator: [<n>] <name>` line "
        "before this summary (with logging enabled).",
        causes=causes,
        fixes=fixes,
        docs_url=_FAQ_OPERATOR_MISSING,
    )


def missing_out_variants(operators: tuple[str, ...]) -> Problem:
    namespaces = {op.partition("::")[0] for op in operators}
    listed = ", ".join(f"`{op}`" for op in operators) or "some operators"
    causes: list[str] = []
    fixes: list[str] = []
    if "quantized_decomposed" in namespaces:
        causes.append(
            "A PT2E-quantized graph (`convert_pt2e`) was not lowered to XNNPACK, so the "
            "quantize/dequantize ops need CPU out variants."
        )
        fixes.append(
            "Lower it: `to_edge_transform_and_lower(exported, partitioner=[XnnpackPartitioner()])`."
        )
        fixes.append(
            "To keep them on CPU, `import executorch.kernels.quantized` before `to_executorch()` "
            "(registers their out variants)."
        )
    if "llama" in namespaces:
        fixes.append(
            "Load the LLM custom ops before exporting: "
            "`from executorch.extension.llm.custom_ops import custom_ops`."
        )
    if namespaces - {"quantized_decomposed", "llama", "aten"}:
        causes.append("Custom operators without an ExecuTorch out variant loaded at export time.")
        fixes.append(
            "Register an `.out` overload for each custom op (`torch.library`) or "
            "`torch.ops.load_library(...)` its AOT library before `to_executorch()`."
        )
    if "aten" in namespaces:
        causes.append("An ATen operator with no out variant survived to `to_executorch()`.")
        fixes.append("Delegate it or decompose it before `to_executorch()`; else file an issue.")
    return Problem(
        code="missing-out-variants",
        key=("missing-out-variants", *operators),
        title=f"Export failed: missing out variants for {listed}",
        meaning="`to_executorch()` replaces every operator left outside a delegate by its "
        "out variant; these have none registered in the exporting Python process.",
        causes=tuple(causes),
        fixes=tuple(fixes),
        docs_url=_FAQ_OUT_VARIANTS,
    )


# --- kernel registration -----------------------------------------------------------------


def kernel_registered_twice(operator: str | None) -> Problem:
    named = f" ({operator})" if operator else ""
    return Problem(
        code="kernel-registered-twice",
        key=("kernel-registered-twice",),
        title=f"A kernel is registered twice{named}; the runtime aborts at start-up"
        f"{_error_suffix(0x16)}",
        meaning="Two libraries in the process register the same kernel. The registration "
        "code prints `error 22` in decimal: 22 = 0x16 RegistrationAlreadyRegistered.",
        causes=(
            "More than one generated operator library (`gen_operators_lib` / "
            "`executorch_generated_lib` outputs) is linked into the binary.",
            "`portable_ops_lib` next to `optimized_native_cpu_ops_lib`, which already holds "
            "the portable fallbacks.",
            "Both the static runtime and the shared one (`executorch_shared`, "
            "`executorch::runtime`) are linked: two registries.",
        ),
        fixes=(
            "Keep one generated operator library per binary: merge each model's "
            "`gen_selected_ops` into one `gen_operators_lib`.",
            "Link one CPU kernel library: `optimized_native_cpu_ops_lib` *or* `portable_ops_lib`.",
        ),
        docs_url=_FAQ_DUPLICATE,
    )


def too_many_kernels() -> Problem:
    return Problem(
        code="too-many-kernels",
        key=("too-many-kernels",),
        title=f"More kernels than the kernel table holds; the runtime aborts at start-up"
        f"{_error_suffix(0x15)}",
        meaning="The registration code prints `error 21` in decimal: 21 = 0x15 "
        "RegistrationExceedingMaxKernels.",
        causes=(
            "Several large kernel libraries (portable, optimized, quantized, custom) in one "
            "binary, or a build with a small `MAX_KERNEL_NUM`.",
        ),
        fixes=(
            "Link fewer kernel libraries, or use a selective build "
            "(`-DEXECUTORCH_SELECT_OPS_MODEL=model.pte`) so only the model's kernels register.",
            "Raise the limit by compiling the runtime with a larger `-DMAX_KERNEL_NUM=<n>`.",
        ),
        docs_url=_SELECTIVE_BUILD,
    )


# --- inputs, outputs, loading ------------------------------------------------------------


def input_shape_mismatch() -> Problem:
    return Problem(
        code="input-shape-mismatch",
        key=("input-shape-mismatch",),
        title=f"An input's shape does not fit the shapes the model was exported with"
        f"{_error_suffix(0x10)}",
        meaning="Setting the input needed a resize the exported program does not allow: the "
        "dimension is static, above its `max` bound, or the rank changed.",
        causes=(
            "The input differs from the example inputs given to `torch.export.export` and "
            "that dimension was exported static.",
            "A dynamic dimension goes past the `Dim(..., max=N)` it was exported with.",
        ),
        fixes=(
            "Export with dynamic shapes: `torch.export.export(model, (x,), dynamic_shapes="
            '{"x": {1: torch.export.Dim("seq", max=512)}})`, then lower and save again.',
            "Or feed inputs with the exported shape (pad or resize them before `execute`).",
            "The rank can never change: reshape the input to the exported rank.",
        ),
        docs_url=_FAQ_RESIZE,
    )


def input_type_mismatch() -> Problem:
    return Problem(
        code="input-type-mismatch",
        key=("input-type-mismatch",),
        title=f"An input has another type or dtype than the exported one{_error_suffix(0x12)}",
        meaning="The method checks each input against the program: tensor vs scalar and the "
        "tensor's dtype must match what was exported.",
        causes=("A float64 or int32 tensor where float32 or int64 (token ids) was exported.",),
        fixes=(
            "Convert before calling: `x.to(torch.float32)` in Python; in C++ read "
            '`method_meta("forward")->input_tensor_meta(i)->scalar_type()`.',
        ),
        docs_url=_ERROR_H,
    )


def mlock_failed() -> Problem:
    return Problem(
        code="mlock-failed",
        key=("mlock-failed",),
        title="mlock() of the model file failed, so loading fails",
        meaning="`MmapDataLoader` with `MlockConfig::UseMlock` (what "
        "`Module::LoadMode::MmapUseMlock` uses) locks the mapped model into RAM and fails "
        "the load when the kernel refuses.",
        causes=(
            "The model is larger than the locked-memory limit (`ulimit -l`, RLIMIT_MEMLOCK) or "
            "the free RAM of the device.",
        ),
        fixes=(
            "Load with `Module::LoadMode::Mmap`, or `Module::LoadMode::MmapUseMlockIgnoreErrors` "
            "to keep locking when it works.",
            "Or raise the locked-memory limit of the process (`ulimit -l`).",
        ),
        docs_url=_MMAP_LOADER_H,
    )


def output_memory_planned() -> Problem:
    return Problem(
        code="output-memory-planned",
        key=("output-memory-planned",),
        title="An output buffer was set on an output that the memory plan owns",
        meaning="`set_output_data_ptr` / `Module::set_output` only works for outputs that "
        "are not memory-planned and not constants; the runtime keeps its own buffer.",
        causes=("The model was exported with the default memory planning, which plans outputs.",),
        fixes=(
            "Check `method_meta.output_tensor_meta(i)->is_memory_planned()` and read planned "
            "outputs from the runtime instead of setting them.",
            "To provide output buffers, export with `ExecutorchBackendConfig(memory_planning_"
            "pass=MemoryPlanningPass(alloc_graph_output=False))`.",
        ),
        docs_url=_METHOD_H,
    )


# --- error codes --------------------------------------------------------------------------


def _code_causes(readings: tuple[ErrorCode, ...]) -> tuple[str, ...]:
    primary = readings[0]
    causes = list(primary.causes[:3])
    for other in readings[1:]:
        causes.append(f"If the number is hex instead: {other.title}: {other.meaning}")
    return tuple(causes)


def _surface_note(shown: str, code: ErrorCode) -> str:
    if shown.lower().startswith("0x"):
        return f"Printed in hex: `{shown}` is {code.value} in decimal."
    if code.value < 10:
        return ""
    return f"Printed in decimal (iOS `NSError` `Code=`, `%d`): `{shown}` is {code.hex}."


def error_code(readings: tuple[ErrorCode, ...], shown: str, context: str) -> Problem:
    """``readings``: the codes the printed number can be, the likeliest first; ``shown``:
    the number as printed; ``context``: what failed, from the line (may be empty)."""
    primary = readings[0]
    if len(readings) == 1:
        title = f"{context}{primary.title}: {primary.meaning}"
        meaning = _surface_note(shown, primary)
    else:
        others = ", ".join(f"{code.qualified} ({code.hex}) if hex" for code in readings[1:])
        title = f"{context}error {shown}: {primary.qualified} ({primary.hex}) if decimal, {others}"
        meaning = (
            f"`{shown}` is printed without `0x`. iOS `NSError` (`Code=`) and code printing the "
            f"error with `%d` show decimal: {primary.title}. Printed in hex it would be "
            + "; ".join(code.title for code in readings[1:])
            + "."
        )
    return Problem(
        code="error-code",
        key=("error-code", context, *(str(code.value) for code in readings)),
        title=title,
        meaning=meaning,
        causes=_code_causes(readings),
        fixes=primary.fixes[:3],
        docs_url=_code_page(primary),
    )


def _code_page(code: ErrorCode) -> str:
    return {0x14: _FAQ_OPERATOR_MISSING, 0x20: _FAQ_NOT_FOUND, 0x10: _FAQ_RESIZE}.get(
        code.value, _ERROR_H
    )

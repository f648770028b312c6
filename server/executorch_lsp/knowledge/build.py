"""ExecuTorch's CMake targets and build options, for hovers in CMake files.

Facts from the ExecuTorch tree (CMakeLists.txt, tools/cmake/preset/default.cmake,
tools/cmake/Utils.cmake, tools/cmake/executorch-config.cmake).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .error_codes import REPO_URL
from .profiling import MEASURE


@dataclass(frozen=True)
class BuildTarget:
    name: str
    provides: str
    registers: str | None  # what is lost when its registration is dropped, and the error
    source: str


@dataclass(frozen=True)
class BuildOption:
    name: str
    default: str
    meaning: str
    source: str = "tools/cmake/preset/default.cmake"


_WHOLE_ARCHIVE = (
    "Linked as ExecuTorch's CMake target (`add_subdirectory` or `find_package(executorch)`) "
    "it carries whole-archive for its consumers. Linked as a file (`lib{name}.a`, "
    "`-l{name}`, a `find_library` result) it needs `$<LINK_LIBRARY:WHOLE_ARCHIVE,...>`, "
    "`-Wl,--whole-archive` or `-force_load` (Apple), else {registers}."
)
_BACKEND_LOST = "the linker drops its registration and loading fails with Error 0x20 NotFound"
_KERNELS_LOST = (
    "the linker drops its kernel registrations and loading fails with Error 0x14 OperatorMissing"
)

TARGETS: dict[str, BuildTarget] = {
    target.name: target
    for target in (
        BuildTarget(
            "executorch",
            "The runtime: `executorch_core` plus the `executorch_prim::` operators.",
            "the executorch_prim:: operators are dropped (Error 0x14 OperatorMissing)",
            "CMakeLists.txt",
        ),
        BuildTarget(
            "executorch_core",
            "The bare runtime, without any operator (not even the prim ops).",
            None,
            "CMakeLists.txt",
        ),
        BuildTarget(
            "portable_ops_lib",
            "Registers the portable (reference C++) kernels for the aten:: operators. "
            "Do not link it together with optimized_native_cpu_ops_lib (duplicate "
            "registration aborts at start-up).",
            _KERNELS_LOST,
            "kernels/portable/CMakeLists.txt",
        ),
        BuildTarget(
            "optimized_native_cpu_ops_lib",
            "Registers the optimized CPU kernels, with the portable kernels as fallback for "
            "the other aten:: operators: link it instead of portable_ops_lib.",
            _KERNELS_LOST,
            "configurations/CMakeLists.txt",
        ),
        BuildTarget(
            "optimized_ops_lib",
            "Registers only the optimized kernels; overlaps portable_ops_lib.",
            _KERNELS_LOST,
            "kernels/optimized/CMakeLists.txt",
        ),
        BuildTarget(
            "quantized_ops_lib",
            "Registers the quantized_decomposed:: kernels (disjoint from the aten:: ones).",
            _KERNELS_LOST,
            "kernels/quantized/CMakeLists.txt",
        ),
        BuildTarget(
            "custom_ops",
            "Registers the LLM custom operators (llama::sdpa_with_kv_cache, ...).",
            _KERNELS_LOST,
            "extension/llm/custom_ops/CMakeLists.txt",
        ),
        BuildTarget(
            "xnnpack_backend",
            "The XNNPACK delegate (CPU), registered as `XnnpackBackend`.",
            _BACKEND_LOST + ' ("Backend XnnpackBackend is not registered.")',
            "backends/xnnpack/CMakeLists.txt",
        ),
        BuildTarget(
            "vulkan_backend",
            "The Vulkan delegate (GPU), registered as `VulkanBackend`.",
            _BACKEND_LOST + ' ("Backend VulkanBackend is not registered.")',
            "backends/vulkan/CMakeLists.txt",
        ),
        BuildTarget(
            "coremldelegate",
            "The Core ML delegate (Apple), registered as `CoreMLBackend`.",
            _BACKEND_LOST + ' ("Backend CoreMLBackend is not registered.")',
            "backends/apple/coreml/CMakeLists.txt",
        ),
        BuildTarget(
            "mpsdelegate",
            "The MPS delegate (Apple GPU), registered as `MPSBackend`.",
            _BACKEND_LOST + ' ("Backend MPSBackend is not registered.")',
            "backends/apple/mps/CMakeLists.txt",
        ),
        BuildTarget(
            "qnn_executorch_backend",
            "The Qualcomm QNN delegate (Hexagon NPU).",
            _BACKEND_LOST,
            "backends/qualcomm/CMakeLists.txt",
        ),
        BuildTarget(
            "extension_module_static",
            "The `Module` extension (static): loads programs lazily and runs methods.",
            None,
            "extension/module/CMakeLists.txt",
        ),
    )
}

OPTIONS: dict[str, BuildOption] = {
    option.name: option
    for option in (
        BuildOption(
            "EXECUTORCH_BUILD_XNNPACK",
            "OFF",
            "Builds the XNNPACK backend "
            "(`xnnpack_backend`); needs the cpuinfo and pthreadpool libraries.",
        ),
        BuildOption("EXECUTORCH_BUILD_VULKAN", "OFF", "Builds the Vulkan backend."),
        BuildOption("EXECUTORCH_BUILD_COREML", "OFF", "Builds the Core ML backend."),
        BuildOption("EXECUTORCH_BUILD_MPS", "OFF", "Builds the MPS backend."),
        BuildOption("EXECUTORCH_BUILD_QNN", "OFF", "Builds the Qualcomm backend."),
        BuildOption(
            "EXECUTORCH_BUILD_KERNELS_OPTIMIZED",
            "OFF",
            "Builds the optimized kernels and `optimized_native_cpu_ops_lib`.",
        ),
        BuildOption(
            "EXECUTORCH_BUILD_KERNELS_QUANTIZED",
            "OFF",
            "Builds the quantized kernels and `quantized_ops_lib`.",
        ),
        BuildOption(
            "EXECUTORCH_BUILD_KERNELS_LLM", "OFF", "Builds the LLM custom kernels (`custom_ops`)."
        ),
        BuildOption("EXECUTORCH_BUILD_PORTABLE_OPS", "ON", "Builds `portable_ops_lib`."),
        BuildOption("EXECUTORCH_BUILD_EXTENSION_MODULE", "OFF", "Builds the `Module` extension."),
        BuildOption(
            "EXECUTORCH_BUILD_EXTENSION_DATA_LOADER", "ON", "Builds the file and mmap data loaders."
        ),
        BuildOption("EXECUTORCH_BUILD_EXTENSION_TENSOR", "OFF", "Builds the tensor extension."),
        BuildOption(
            "EXECUTORCH_BUILD_EXTENSION_LLM_RUNNER", "OFF", "Builds the LLM runner extension."
        ),
        BuildOption(
            "EXECUTORCH_BUILD_DEVTOOLS",
            "OFF",
            "Builds ETDump and the other developer tools (operator-level profiling).",
        ),
        BuildOption(
            "EXECUTORCH_ENABLE_EVENT_TRACER",
            "OFF",
            "Compiles in the event tracer used by ETDump profiling.",
        ),
        BuildOption(
            "EXECUTORCH_ENABLE_LOGGING",
            "ON in Debug builds, OFF otherwise",
            "Compiles `ET_LOG` in. A Release build logs nothing unless it is ON: "
            "set it while diagnosing a failing load.",
        ),
        BuildOption("EXECUTORCH_LOG_LEVEL", "Info", "The lowest `ET_LOG` level compiled in."),
        BuildOption(
            "EXECUTORCH_ENABLE_PROGRAM_VERIFICATION",
            "ON in Debug builds, OFF otherwise",
            "Verifies programs when they are loaded.",
        ),
        BuildOption("EXECUTORCH_OPTIMIZE_SIZE", "OFF", "Optimizes the runtime for size."),
        BuildOption(
            "EXECUTORCH_SELECT_OPS_YAML",
            '""',
            "Selective build: the operators listed in a YAML file "
            "(exclusive with _LIST and _MODEL).",
        ),
        BuildOption(
            "EXECUTORCH_SELECT_OPS_LIST",
            '""',
            "Selective build: a comma-separated operator list (exclusive with _YAML and _MODEL).",
        ),
        BuildOption(
            "EXECUTORCH_SELECT_OPS_MODEL",
            '""',
            "Selective build: the operators a .pte file uses (exclusive with _YAML and _LIST).",
        ),
        BuildOption(
            "EXECUTORCH_ENABLE_DTYPE_SELECTIVE_BUILD",
            "OFF",
            "Keeps only the dtypes the model uses; needs EXECUTORCH_SELECT_OPS_MODEL.",
        ),
    )
}


def target_markdown(target: BuildTarget) -> str:
    parts = [f"### `{target.name}` (ExecuTorch CMake target)", target.provides]
    if target.registers is not None:
        parts.append(_WHOLE_ARCHIVE.format(name=target.name, registers=target.registers))
    parts.append(f"Source: [{target.source}]({REPO_URL}{target.source})")
    return "\n\n".join(parts) + "\n"


def option_markdown(option: BuildOption) -> str:
    return (
        f"### `{option.name}` (ExecuTorch build option)\n\n{option.meaning}\n\n"
        f"Default: `{option.default}`.\n\n"
        f"Source: [{option.source}]({REPO_URL}{option.source})\n"
    )


def build_type_markdown(
    values: Sequence[tuple[str, str]], presets: Sequence[tuple[str, str]] = ()
) -> str:
    """``values``: (value, where it is set) in the project; ``presets``: (name, value)."""
    if values:
        resolved = "; ".join(f"`{value}` ({where})" for value, where in values)
        seen = f"Set in the project: {resolved}."
    else:
        seen = "No value is set in the project: it comes from the command line or a preset."
    if presets:
        listed = ", ".join(f"`{name}`: `{value}`" for name, value in presets)
        seen += f"\n\nConfigure presets next to it: {listed}."
    return (
        "### `CMAKE_BUILD_TYPE`\n\n"
        f"{seen}\n\n"
        "ExecuTorch's own CMakeLists defaults to `Debug` when none is given, and a Debug "
        "build of the runtime and kernels runs several times slower: use `Release` for "
        "anything you measure or ship. Multi-config generators (Xcode, Visual Studio, Ninja "
        "Multi-Config) ignore it: pass `--config Release` instead.\n\n"
        f"{MEASURE}\n"
    )

"""ExecuTorch's own Buck targets that applications depend on, as far as the rules need
them when the ExecuTorch sources are not part of the workspace.

Ids are canonical ids (``executorch//<package>:<name>``, whatever the spelling).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...engine.buck.labels import EXECUTORCH_CELL

PORTABLE_FUNCTIONS = EXECUTORCH_CELL + "kernels/portable:functions.yaml"
PORTABLE_CUSTOM_OPS = EXECUTORCH_CELL + "kernels/portable:custom_ops.yaml"
OPTIMIZED_FUNCTIONS = EXECUTORCH_CELL + "kernels/optimized:optimized.yaml"
QUANTIZED_FUNCTIONS = EXECUTORCH_CELL + "kernels/quantized:quantized.yaml"
PORTABLE_KERNELS = EXECUTORCH_CELL + "kernels/portable:operators"
OPTIMIZED_KERNELS = EXECUTORCH_CELL + "kernels/optimized:optimized_operators"
QUANTIZED_KERNELS = EXECUTORCH_CELL + "kernels/quantized:quantized_operators"

# As ``executorch_generated_lib`` compares them (exact strings, kernel_deps only).
PORTABLE_KERNELS_LABEL = "//executorch/kernels/portable:operators"
OPTIMIZED_KERNELS_LABEL = "//executorch/kernels/optimized:optimized_operators"

# Operators in both optimized.yaml and portable's functions.yaml.
_SHARED = (
    "_log_softmax.out", "add.out", "add.Scalar_out", "bmm.out", "div.out", "div.Scalar_out",
    "elu.out", "exp.out", "gelu.out", "grid_sampler_2d.out", "le.Scalar_out", "le.Tensor_out",
    "mm.out", "mul.out", "mul.Scalar_out", "native_layer_norm.out", "sub.out", "sub.Scalar_out",
    "sum.IntList_out", "where.self_out",
)  # fmt: skip
_PORTABLE_ONLY = (
    "addmm.out", "cat.out", "clone.out", "convolution.out", "mean.out", "permute_copy.out",
    "relu.out", "sigmoid.out", "_softmax.out", "tanh.out", "view_copy.out",
)  # fmt: skip
_QUANTIZED = (
    "add.out", "choose_qparams.Tensor_out", "dequantize_per_channel.out",
    "dequantize_per_tensor.out", "dequantize_per_tensor.Tensor_out", "dequantize_per_token.out",
    "embedding_byte.out", "mixed_linear.out", "mixed_mm.out", "quantize_per_channel.out",
    "quantize_per_tensor.out", "quantize_per_tensor.Tensor_out", "quantize_per_token.out",
)  # fmt: skip

# Operators each yaml file certainly contains: enough to show an overlap when the file
# cannot be read (a sample, never the whole list).
YAML_OPERATORS: dict[str, frozenset[str]] = {
    PORTABLE_FUNCTIONS: frozenset(f"aten::{op}" for op in _SHARED + _PORTABLE_ONLY),
    OPTIMIZED_FUNCTIONS: frozenset(f"aten::{op}" for op in _SHARED),
    QUANTIZED_FUNCTIONS: frozenset(f"quantized_decomposed::{op}" for op in _QUANTIZED),
}


@dataclass(frozen=True)
class PrebuiltLibrary:
    """A generated operator library ExecuTorch defines: it registers every operator of
    ``yamls`` and links the kernel libraries ``kernels``."""

    yamls: tuple[str, ...]
    kernels: tuple[str, ...]


_PORTABLE = PrebuiltLibrary((PORTABLE_FUNCTIONS, PORTABLE_CUSTOM_OPS), (PORTABLE_KERNELS,))
_QUANTIZED_LIB = PrebuiltLibrary((QUANTIZED_FUNCTIONS,), (QUANTIZED_KERNELS,))
GENERATED_LIBRARIES: dict[str, PrebuiltLibrary] = {
    EXECUTORCH_CELL + "kernels/portable:generated_lib": _PORTABLE,
    EXECUTORCH_CELL + "kernels/portable:generated_lib_no_exceptions": _PORTABLE,
    EXECUTORCH_CELL + "kernels/optimized:generated_lib": PrebuiltLibrary(
        (OPTIMIZED_FUNCTIONS,), (OPTIMIZED_KERNELS,)
    ),
    EXECUTORCH_CELL + "configurations:optimized_native_cpu_ops": PrebuiltLibrary(
        (OPTIMIZED_FUNCTIONS, PORTABLE_FUNCTIONS), (OPTIMIZED_KERNELS, PORTABLE_KERNELS)
    ),
    EXECUTORCH_CELL + "kernels/quantized:generated_lib": _QUANTIZED_LIB,
    EXECUTORCH_CELL + "kernels/quantized:generated_lib_no_exceptions": _QUANTIZED_LIB,
}

# ``et_operator_library`` targets of ExecuTorch that select whole yaml files (None: all).
OPERATOR_LISTS: dict[str, str | None] = {
    EXECUTORCH_CELL + "kernels/portable:executorch_all_ops": None,
    EXECUTORCH_CELL + "kernels/portable:executorch_aten_ops": PORTABLE_FUNCTIONS,
    EXECUTORCH_CELL + "kernels/portable:executorch_custom_ops": PORTABLE_CUSTOM_OPS,
    EXECUTORCH_CELL + "kernels/optimized:optimized_oplist": OPTIMIZED_FUNCTIONS,
    EXECUTORCH_CELL + "kernels/quantized:all_quantized_ops": QUANTIZED_FUNCTIONS,
}

_STATIC_SUFFIX = "_static"


def generated_library(canonical: str) -> PrebuiltLibrary | None:
    """The prebuilt generated library an id names (``<name>_static`` included)."""
    found = GENERATED_LIBRARIES.get(canonical)
    if found is None and canonical.endswith(_STATIC_SUFFIX):
        found = GENERATED_LIBRARIES.get(canonical[: -len(_STATIC_SUFFIX)])
    return found

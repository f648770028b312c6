"""Hover notes on the Python export APIs: what ``torch.export`` fixes at export time and what
the runtime does when inputs differ, and what the lowering calls delegate.

Facts from ``docs/source/using-executorch-export.md``, ``exir/program/_program.py`` and
``runtime/core/portable_type/tensor_impl.cpp`` (the resize messages and ``NotSupported``).
"""

from __future__ import annotations

from .api_notes import ApiNote
from .error_codes import FAQ_URL

EXPORT_DOC = "docs/source/using-executorch-export.md"
PROGRAM_PY = "exir/program/_program.py"
XNNPACK_PARTITIONER_PY = "backends/xnnpack/partition/xnnpack_partitioner.py"
DYNAMISM_URL = "https://pytorch.org/docs/stable/export.html#expressing-dynamism"

_AT_RUN_TIME = (
    "At run time every input must fit what was exported. A static dimension that differs "
    'fails with "Attempted to resize a static tensor. Expected shape ..., but received ..." '
    'and a dimension above its `Dim` bound with "Attempted to resize a bounded tensor with a '
    'maximum capacity of N elements to M elements"; both are followed by "Error resizing '
    f'tensor at input N" and `Error::NotSupported` (0x10) ([FAQ]({FAQ_URL})).'
)
_DECLARE = (
    'Declare the dimensions that vary: `dynamic_shapes={"x": {2: Dim("h", min=16, '
    "max=1024)}}` (keys are the `forward()` parameter names, inner keys the dimension "
    "indexes). Keep each `max` as low as the app needs: memory is planned for the upper "
    f"bound ([Expressing Dynamism]({DYNAMISM_URL}))."
)

TORCH_EXPORT = ApiNote(
    title="`{name}`: shapes are fixed by the example inputs",
    body=(
        "`torch.export.export(model, example_inputs, dynamic_shapes=...)` traces the model "
        "into an `ExportedProgram`. Every dimension not named in `dynamic_shapes` is "
        "specialised to the example input's size, and ExecuTorch plans the memory of every "
        "tensor for those sizes (or for the declared upper bounds).",
        _AT_RUN_TIME,
        _DECLARE,
        "Put the model in eval mode first (`model.eval()`): a training-mode export keeps "
        "dropout and batch-norm training operators such as `aten::native_dropout.out`, "
        "which the runtime then reports as missing (`OperatorMissing`, 0x14).",
    ),
    source=EXPORT_DOC,
)

DIM = ApiNote(
    title="`{name}`: a dynamic dimension and its bounds",
    body=(
        '`Dim("name", min=..., max=...)` declares a dimension that may vary between calls. '
        "ExecuTorch uses the bounds to optimize the model and to plan its memory: space is "
        "reserved for `max`, so a high bound costs memory on the device whether or not it "
        "is used. Set it to the largest size the app really feeds.",
        _AT_RUN_TIME,
    ),
    source=EXPORT_DOC,
)

DYNAMIC_SHAPES = ApiNote(
    title="`{name}`: which input dimensions may vary",
    body=(
        "A dict keyed by the `forward()` parameter names (or a tuple in parameter order); "
        "each value maps a dimension index to a `Dim`. Dimensions left out are fixed to the "
        "example input's size.",
        _AT_RUN_TIME,
        _DECLARE,
    ),
    source=EXPORT_DOC,
)

TO_EDGE_TRANSFORM_AND_LOWER = ApiNote(
    title="`{name}`: convert to Edge dialect and delegate in one step",
    body=(
        "ExecuTorch's recommended way to lower. Each partitioner in `partitioner=[...]` "
        "claims the parts of the graph its backend runs (operators it handles are kept "
        "whole rather than decomposed first); what no partitioner claims runs on the "
        "portable CPU kernels, which are not optimized for speed. Order matters: earlier "
        "partitioners take their operators first (e.g. `[VulkanPartitioner(), "
        "XnnpackPartitioner()]`).",
        "The runtime must link every backend used here, with whole-archive, or loading the "
        'method fails with `NotFound` (0x20, "Backend ... is not registered.").',
    ),
    source=PROGRAM_PY,
    measuring=True,
)

TO_EDGE = ApiNote(
    title="`{name}`: Edge dialect without delegation",
    body=(
        "Converts an `ExportedProgram` to the Edge dialect; nothing is delegated. Going "
        "from here to `to_executorch()` runs every operator on the portable kernels; "
        "`.to_backend(...)` afterwards is the deprecated flow, which ExecuTorch documents "
        "as giving inconsistent or wrong results. Use `to_edge_transform_and_lower(..., "
        "partitioner=[...])` instead.",
    ),
    source=PROGRAM_PY,
    measuring=True,
)

XNNPACK_PARTITIONER = ApiNote(
    title="`{name}`: delegate to XNNPACK (Arm and x86 CPUs)",
    body=(
        "Claims the operators XNNPACK supports (fp32 and fp16, and the quantized patterns "
        "its configs allow); the rest stays on the portable kernels. Pass it to "
        "`to_edge_transform_and_lower(..., partitioner=[XnnpackPartitioner()])`.",
        "The runtime must link `xnnpack_backend` with whole-archive (CMake: it carries the "
        "option itself when linked as a target; by file, wrap it in "
        "`$<LINK_LIBRARY:WHOLE_ARCHIVE,...>`), or loading fails with `NotFound` (0x20, "
        '"Backend XnnpackBackend is not registered."). XNNPACK uses the thread pool set '
        "before the method is loaded.",
    ),
    source=XNNPACK_PARTITIONER_PY,
    measuring=True,
)

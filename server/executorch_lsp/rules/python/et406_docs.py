"""Documentation of ET406."""

from ..base import RuleDocs, Source

BLOB = "https://github.com/pytorch/executorch/blob/main"

DOCS = RuleDocs(
    problem=(
        "A call of XNNPACK's `get_symmetric_quantization_config` (from "
        "`executorch.backends.xnnpack.quantizer.xnnpack_quantizer`, or the older copy in "
        "`torch.ao.quantization.quantizer.xnnpack_quantizer`) in a script that uses "
        "ExecuTorch, with `is_dynamic=True` and without `is_per_channel=True`: the "
        "activations are quantized dynamically and the weights per tensor."
    ),
    bad=(
        "from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import (\n"
        "    XNNPACKQuantizer,\n"
        "    get_symmetric_quantization_config,\n"
        ")\n"
        "\n"
        "quantizer = XNNPACKQuantizer()\n"
        "quantizer.set_global(get_symmetric_quantization_config(is_dynamic=True))\n"
    ),
    good=(
        "from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import (\n"
        "    XNNPACKQuantizer,\n"
        "    get_symmetric_quantization_config,\n"
        ")\n"
        "\n"
        "quantizer = XNNPACKQuantizer()\n"
        "quantizer.set_global(\n"
        "    get_symmetric_quantization_config(is_per_channel=True, is_dynamic=True)\n"
        ")\n"
    ),
    why=(
        "`is_per_channel` defaults to `False`, so the weights get one scale per tensor. "
        "XNNPACK's dynamically quantized kernels take per-channel (or per-group) weights "
        'only, and its partitioner refuses the layers otherwise ("XNNPACK does not support '
        'per tensor quantized weights for dynamic quantization of activations", in '
        "`backends/xnnpack/partition/config/gemm_configs.py`). The quantized layers stay "
        "outside the delegate: they run on the CPU kernels if the quantized operator "
        "library is linked, and `to_executorch()` fails with `Missing out variants: "
        "{'quantized_decomposed::...'}` if not. Releases before that check lowered them "
        "and the program failed at load with `XnnpackBackend init failed` (issue #8830). "
        "The quick fix adds `is_per_channel=True` (or turns `False` into `True`); it is "
        "marked unsafe because it changes how the model is quantized."
    ),
    exceptions=(
        "Values the script does not settle (a parameter, a helper's result, a condition "
        "that is not a constant) are not reported; `argparse` defaults are followed. "
        "Arm's and Vulkan's functions of the same name are different APIs and are not "
        "checked, and neither are scripts that import nothing from ExecuTorch. Test files "
        "are not checked."
    ),
    sources=(
        Source(
            "backends/xnnpack/quantizer/xnnpack_quantizer.py (get_symmetric_quantization_config)",
            f"{BLOB}/backends/xnnpack/quantizer/xnnpack_quantizer.py",
        ),
        Source(
            "backends/xnnpack/partition/config/gemm_configs.py (per-tensor weights refused)",
            f"{BLOB}/backends/xnnpack/partition/config/gemm_configs.py",
        ),
        Source(
            "XNNPACK quantization",
            f"{BLOB}/docs/source/backends/xnnpack/xnnpack-quantization.md",
        ),
        Source(
            "Issue #8830: XnnpackBackend init failed with dynamic quantization",
            "https://github.com/pytorch/executorch/issues/8830",
        ),
    ),
    example_language="python",
)

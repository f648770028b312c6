"""Documentation of ET407."""

from ..base import RuleDocs, Source

BLOB = "https://github.com/pytorch/executorch/blob/main"

DOCS = RuleDocs(
    problem=(
        "`prepare_pt2e` or `prepare_qat_pt2e` imported from "
        "`torch.ao.quantization.quantize_pt2e` and called with one of ExecuTorch's "
        "quantizers: a class imported from `executorch.*` whose name ends in `Quantizer` "
        "(`XNNPACKQuantizer`, `CoreMLQuantizer`, `VulkanQuantizer`, `QnnQuantizer`, Arm's "
        "and the others), built in the same function."
    ),
    bad=(
        "from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import XNNPACKQuantizer\n"
        "from torch.ao.quantization.quantize_pt2e import convert_pt2e, prepare_pt2e\n"
        "\n"
        "quantizer = XNNPACKQuantizer().set_global(config)\n"
        "prepared = prepare_pt2e(graph_module, quantizer)\n"
    ),
    good=(
        "from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import XNNPACKQuantizer\n"
        "from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e\n"
        "\n"
        "quantizer = XNNPACKQuantizer().set_global(config)\n"
        "prepared = prepare_pt2e(graph_module, quantizer)\n"
    ),
    why=(
        "PT2E quantization moved from PyTorch (`torch.ao.quantization`) to torchao "
        "(`torchao.quantization.pt2e`), and ExecuTorch's quantizers now build their "
        "quantization specs, observers and fake-quantizers from torchao. The copy left in "
        "`torch.ao` checks each spec against its own `QuantizationSpec` class, so preparing "
        "with an ExecuTorch quantizer stops with `assert isinstance(quantization_spec, "
        "QuantizationSpec)` (issue #12267); recent PyTorch releases drop the module "
        "altogether. torchao's `prepare_pt2e` accepts both kinds of quantizer, and every "
        "ExecuTorch quantization guide imports it from there. The quick fix points the "
        "`from torch.ao.quantization.quantize_pt2e import ...` statement at "
        "`torchao.quantization.pt2e.quantize_pt2e`, which defines `prepare_pt2e`, "
        "`prepare_qat_pt2e` and `convert_pt2e` with the same signatures; it is offered "
        "only when the statement imports nothing else."
    ),
    exceptions=(
        "A quantizer that arrives as a parameter or from a helper is not reported, nor "
        "is torch.ao's own `XNNPACKQuantizer` (from `torch.ao.quantization.quantizer`) "
        "used with torch.ao's flow on an older PyTorch. Test files are not checked."
    ),
    sources=(
        Source("Quantization overview", f"{BLOB}/docs/source/quantization-overview.md"),
        Source(
            "backends/xnnpack/quantizer/xnnpack_quantizer.py (built on torchao)",
            f"{BLOB}/backends/xnnpack/quantizer/xnnpack_quantizer.py",
        ),
        Source(
            "Issue #12267: assert isinstance(quantization_spec, QuantizationSpec)",
            "https://github.com/pytorch/executorch/issues/12267",
        ),
        Source(
            "PR #16473: Migrate CoreMLQuantizer to torchao",
            "https://github.com/pytorch/executorch/pull/16473",
        ),
    ),
    example_language="python",
)

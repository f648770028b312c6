"""Documentation of ET403."""

from ..base import RuleDocs, Source

BLOB = "https://github.com/pytorch/executorch/blob/main"

DOCS = RuleDocs(
    problem=(
        "A script that lowers to ExecuTorch and passes `torch.export.export` (or "
        "`export_for_training`) a model it builds itself, in training mode: nothing calls "
        "`.eval()` (or `.train(...)`) on the model, and the model has layers whose "
        "behaviour depends on the mode. The model is built by a class defined in the "
        "file whose code (with the file's classes it uses or derives from) builds batch "
        "norm, or dropout (transformer layers included) whose rate is above zero (a "
        "literal, a constant, a parameter's default or the layer's own default), or "
        "reads `self.training`; by a `torch.nn` container holding such layers; or by a "
        "torchvision classification model (ResNet, MobileNet, EfficientNet, VGG, ...)."
    ),
    bad=(
        "import torch\n"
        "from executorch.exir import to_edge_transform_and_lower\n"
        "\n"
        "class Classifier(torch.nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.linear = torch.nn.Linear(16, 4)\n"
        "        self.dropout = torch.nn.Dropout(0.2)\n"
        "\n"
        "    def forward(self, x):\n"
        "        return self.dropout(self.linear(x))\n"
        "\n"
        "model = Classifier()\n"
        "exported = torch.export.export(model, (torch.randn(1, 16),))\n"
        "program = to_edge_transform_and_lower(exported).to_executorch()\n"
    ),
    good=(
        "import torch\n"
        "from executorch.exir import to_edge_transform_and_lower\n"
        "\n"
        "class Classifier(torch.nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.linear = torch.nn.Linear(16, 4)\n"
        "        self.dropout = torch.nn.Dropout(0.2)\n"
        "\n"
        "    def forward(self, x):\n"
        "        return self.dropout(self.linear(x))\n"
        "\n"
        "model = Classifier().eval()\n"
        "exported = torch.export.export(model, (torch.randn(1, 16),))\n"
        "program = to_edge_transform_and_lower(exported).to_executorch()\n"
    ),
    why=(
        "Every `nn.Module` starts in training mode, and `torch.export` records the "
        "operators of the mode the model is in. Exported in training mode, dropout stays "
        "in the program (`native_dropout`, which zeroes random activations on every run, "
        "so outputs differ from the eager model and from run to run) and batch norm "
        "normalizes each input with its own statistics instead of the trained running "
        "averages (and updates those averages as it runs). ExecuTorch's export guide: "
        '"Models should always be exported in evaluation mode unless performing on-device '
        'training." Older runtimes failed instead with `aten::native_dropout.out` '
        "missing. The quick fix exports `model.eval()`; it is marked unsafe because it "
        "changes what the program computes (and leaves the model in eval mode)."
    ),
    exceptions=(
        "A model that arrives as a parameter, comes back from a helper or a loader "
        "(`from_pretrained` already returns it in eval mode), is handed to another "
        "function before export, or is built from a class defined elsewhere is not "
        "reported; neither is one with an `.eval()` or `.train(...)` call on any path, "
        "a dropout whose rate is zero or comes from a configuration object, "
        "nor a class that switches itself (`self.eval()` in its code). Scripts that "
        "export in training mode on purpose are skipped: on-device training "
        "(`_export_forward_backward`, `executorch.exir.training`, `_export_for_training`) "
        "and quantization-aware training (`prepare_qat_pt2e`, "
        "`move_exported_model_to_eval`). Scripts that never call ExecuTorch's `to_edge...` "
        "functions and test files are not checked."
    ),
    sources=(
        Source(
            "Using ExecuTorch export (evaluation mode)",
            f"{BLOB}/docs/source/using-executorch-export.md",
        ),
        Source(
            "kernels/portable/cpu/op_native_dropout.cpp (dropout at run time)",
            f"{BLOB}/kernels/portable/cpu/op_native_dropout.cpp",
        ),
        Source(
            "Issue #1287: native_dropout in an exported model",
            "https://github.com/pytorch/executorch/issues/1287",
        ),
    ),
    example_language="python",
)

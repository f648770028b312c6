"""ET403 export-in-training-mode."""

from __future__ import annotations

import pytest

from executorch_lsp.engine.analysis import analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.languages import LanguageId
from harness import assert_marked, findings, fixed

PY = LanguageId.PYTHON
IMPORTS = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.models as models
from torch.export import export
from executorch.exir import to_edge_transform_and_lower


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.bn = nn.BatchNorm2d(8)

    def forward(self, x):
        return self.bn(self.conv(x))


class Plain(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 4)
        self.dropout = nn.Dropout(0.0)

    def forward(self, x):
        return self.dropout(self.linear(x))


"""
LOWER = "\nprogram = to_edge_transform_and_lower(ep).to_executorch()\n"

POSITIVE = {
    "built_in_the_script": """
model = Net()
ep = torch.export.export(model, (torch.randn(1, 3, 8, 8),))  # <- ET403
""",
    "built_inline": """
ep = export(Net(), (torch.randn(1, 3, 8, 8),))  # <- ET403
""",
    "moved_and_loaded_but_not_eval": """
def main():
    model = Net().to("cpu")
    model.load_state_dict(torch.load("weights.pt"))
    model = model.float()
    with torch.no_grad():
        model(torch.randn(1, 3, 8, 8))
    print(model)
    ep = export(model, (torch.randn(1, 3, 8, 8),))  # <- ET403
""",
    "requires_grad_off_is_not_eval": """
model = Net()
model.requires_grad_(False)
ep = export(model, (torch.randn(1, 3, 8, 8),))  # <- ET403
""",
    "torchvision_model": """
model = models.mobilenet_v2(weights="DEFAULT")
ep = export(model, (torch.randn(1, 3, 224, 224),))  # <- ET403
""",
    "nn_container_with_dropout": """
model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(p=0.1))
ep = export(model, (torch.randn(1, 4),))  # <- ET403
""",
    "layer_in_a_class_it_uses": """
class Block(nn.Module):
    def forward(self, x):
        return F.dropout(x, 0.1, training=self.training)
class Wrapper(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
    def forward(self, x):
        return self.block(x)
ep = export(Wrapper(), (torch.randn(1, 4),))  # <- ET403
""",
    "transformer_layer_default_dropout": """
class Encoder(nn.Module):
    def __init__(self, width=64, dropout=0.1):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(width, 4, dropout=dropout)
        self.drop = nn.Dropout(p=dropout)
    def forward(self, x):
        return self.drop(self.layer(x))
model = Encoder(width=32)
ep = export(model, (torch.randn(1, 8, 32),))  # <- ET403
ep2 = export(nn.TransformerEncoderLayer(32, 4), (torch.randn(1, 8, 32),))  # <- ET403
""",
    "export_for_training": """
m = torch.export.export_for_training(Net(), (torch.randn(1, 3, 8, 8),))  # <- ET403
""",
}

NEGATIVE = {
    "eval_on_construction": """
a = export(Net().eval(), (x,))
model = Net().eval()
b = export(model, (x,))
other = Net().to("cpu").train(False)
c = export(other, (x,))
""",
    "eval_statement_on_some_path": """
def main(args):
    model = Net()
    if args.eval_mode:
        model.eval()
    return export(model, (x,))
""",
    "eval_assigned_back": """
model = Net()
model = model.eval()
ep = export(model, (x,))
""",
    "eval_inline": """
model = Net()
ep = export(model.eval(), (x,))
""",
    "train_mode_on_purpose": """
model = Net()
model.train()
ep = export(model, (x,))
""",
    "submodule_switched": """
model = Net()
model.bn.eval()
ep = export(model, (x,))
""",
    "handed_to_a_helper": """
model = Net()
prepare(model)
ep = export(model, (x,))
wrapped = Net()
engine = Engine(model=wrapped)
ep2 = export(wrapped, (x,))
""",
    "aliased": """
model = Net()
alias = model
alias.eval()
ep = export(model, (x,))
""",
    "unknown_method_may_switch": """
model = Net()
model.prepare_for_export()
ep = export(model, (x,))
""",
    "parameter_and_helper_result": """
def lower(model):
    return export(model, (x,))
built = build_model()
ep = export(built, (x,))
loaded = torch.load("model.pt")
ep2 = export(loaded, (x,))
""",
    "model_without_training_sensitive_layers": """
ep = export(Plain(), (x,))
seq = nn.Sequential(nn.Linear(4, 4), nn.ReLU())
ep2 = export(seq, (x,))
vit = models.vit_b_16()
ep3 = export(vit, (x,))
""",
    "dropout_rate_zero_or_unknown": """
RATE = 0.0
class Config:
    dropout = 0.2
class NoDrop(nn.Module):
    def __init__(self, config, rate=0):
        super().__init__()
        self.a = nn.Dropout(RATE)
        self.b = nn.Dropout(p=rate)
        self.c = nn.Dropout(config.dropout)
        self.d = nn.TransformerEncoderLayer(32, 4, dropout=0.0)
        self.e = nn.Dropout(0.)
ep = export(NoDrop(Config()), (x,))
""",
    "class_defined_elsewhere": """
from mymodels import Classifier
ep = export(Classifier(), (x,))
""",
    "class_switches_itself": """
class SelfEval(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(4)
        self.eval()
ep = export(SelfEval(), (x,))
""",
    "reassigned_from_elsewhere": """
model = Net()
if args.pretrained:
    model = load_pretrained()
ep = export(model, (x,))
""",
    "model_in_a_loop": """
for model in (Net(), Net()):
    ep = export(model, (x,))
""",
}


def _source(body: str, lower: str = LOWER) -> str:
    return IMPORTS + body + lower


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_positive(name: str) -> None:
    assert_marked(_source(POSITIVE[name]), "ET403", PY)


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_negative(name: str) -> None:
    assert findings(_source(NEGATIVE[name]), "ET403", PY) == []


def test_script_that_does_not_lower_to_executorch_is_not_checked() -> None:
    source = _source(POSITIVE["built_in_the_script"], "\nonnx_program = to_onnx(ep)\n")
    assert findings(source, "ET403", PY) == []


@pytest.mark.parametrize(
    "marker",
    [
        "from executorch.exir.training import _export_forward_backward\n",
        "from torch.export._trace import _export_for_training\n",
        "from torchao.quantization.pt2e.quantize_pt2e import prepare_qat_pt2e\n",
        "from torchao.quantization.pt2e import move_exported_model_to_eval\n",
    ],
)
def test_training_on_purpose_is_not_reported(marker: str) -> None:
    assert findings(marker + _source(POSITIVE["built_in_the_script"]), "ET403", PY) == []


def test_test_files_are_not_checked() -> None:
    document = Document.from_text("tests/export.py", PY, _source(POSITIVE["built_inline"]))
    assert [f for f in analyze(document, Config()).findings if f.code == "ET403"] == []


def test_related_points_at_construction_and_layer() -> None:
    (finding,) = findings(_source(POSITIVE["built_in_the_script"]), "ET403", PY)
    notes = [related.message for related in finding.related]
    assert notes == [
        "built here, in training mode",
        "`BatchNorm2d` behaves differently in training mode",
    ]


def test_fix_exports_in_eval_mode() -> None:
    result = fixed(_source(POSITIVE["built_in_the_script"]), "ET403", PY)
    assert "torch.export.export(model.eval(), (torch.randn(1, 3, 8, 8),))" in result
    assert findings(result, "ET403", PY) == []


def test_half_typed_script_does_not_fail() -> None:
    findings(_source("model = Net()\nep = export(model, \n"), "ET403", PY)

"""ET407 torch-ao-quantization-flow."""

from __future__ import annotations

import pytest

from executorch_lsp.engine.analysis import analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.languages import LanguageId
from harness import assert_marked, findings, fixed

PY = LanguageId.PYTHON
IMPORTS = """\
from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import XNNPACKQuantizer
from executorch.backends.apple.coreml.quantizer import CoreMLQuantizer
"""
TORCH_AO = "from torch.ao.quantization.quantize_pt2e import convert_pt2e, prepare_pt2e\n"
TORCHAO = "from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e\n"

POSITIVE = {
    "quantizer_in_a_name": """
quantizer = XNNPACKQuantizer()
quantizer.set_global(config)
prepared = prepare_pt2e(graph_module, quantizer)  # <- ET407
""",
    "quantizer_inline_and_chained": """
a = prepare_pt2e(graph_module, CoreMLQuantizer(config))  # <- ET407
b = prepare_pt2e(graph_module, XNNPACKQuantizer().set_global(config))  # <- ET407
c = prepare_pt2e(graph_module, quantizer=XNNPACKQuantizer())  # <- ET407
""",
    "module_import_and_qat": """
import torch.ao.quantization.quantize_pt2e as pt2e
from torch.ao.quantization.quantize_pt2e import prepare_qat_pt2e
def quantize(model):
    quantizer = XNNPACKQuantizer().set_global(config)
    a = pt2e.prepare_pt2e(model, quantizer)  # <- ET407
    b = prepare_qat_pt2e(model, quantizer)  # <- ET407
    return a, b
""",
}

NEGATIVE = {
    "torchao_flow": """
from torchao.quantization.pt2e.quantize_pt2e import prepare_pt2e as ao_prepare
a = ao_prepare(graph_module, XNNPACKQuantizer())
""",
    "torch_ao_quantizer_with_torch_ao_flow": """
from torch.ao.quantization.quantizer.xnnpack_quantizer import XNNPACKQuantizer as AoQuantizer
quantizer = AoQuantizer()
a = prepare_pt2e(graph_module, quantizer)
""",
    "quantizer_from_elsewhere": """
def quantize(model, quantizer):
    return prepare_pt2e(model, quantizer)
b = prepare_pt2e(graph_module, make_quantizer())
c = prepare_pt2e(graph_module, MyQuantizer())
""",
    "quantizer_reassigned_from_a_helper": """
quantizer = XNNPACKQuantizer()
if use_custom:
    quantizer = make_quantizer()
a = prepare_pt2e(graph_module, quantizer)
""",
    "composable_quantizer": """
from torchao.quantization.pt2e.quantizer import ComposableQuantizer
a = prepare_pt2e(graph_module, ComposableQuantizer([XNNPACKQuantizer()]))
""",
    "convert_only": """
a = convert_pt2e(prepared)
""",
}


def _source(body: str, flow: str = TORCH_AO) -> str:
    return IMPORTS + flow + body


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_positive(name: str) -> None:
    assert_marked(_source(POSITIVE[name]), "ET407", PY)


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_negative(name: str) -> None:
    assert findings(_source(NEGATIVE[name]), "ET407", PY) == []


def test_test_files_are_not_checked() -> None:
    source = _source(POSITIVE["quantizer_in_a_name"])
    document = Document.from_text("test/quantize.py", PY, source)
    assert [f for f in analyze(document, Config()).findings if f.code == "ET407"] == []


def test_message_names_the_quantizer_and_the_import() -> None:
    (finding,) = findings(_source(POSITIVE["quantizer_in_a_name"]), "ET407", PY)
    assert "`XNNPACKQuantizer`" in finding.message
    assert "torchao.quantization.pt2e.quantize_pt2e" in finding.message


def test_fix_points_the_import_at_torchao() -> None:
    result = fixed(_source(POSITIVE["quantizer_in_a_name"]), "ET407", PY)
    assert result == _source(POSITIVE["quantizer_in_a_name"], TORCHAO)
    assert findings(result, "ET407", PY) == []


def test_no_fix_when_the_import_has_other_names() -> None:
    flow = "from torch.ao.quantization.quantize_pt2e import prepare_pt2e, _helper\n"
    assert fixed(_source(POSITIVE["quantizer_in_a_name"], flow), "ET407", PY) is None


def test_no_fix_for_module_attribute_calls() -> None:
    source = _source(
        "import torch.ao.quantization.quantize_pt2e as pt2e\n"
        "a = pt2e.prepare_pt2e(graph_module, XNNPACKQuantizer())\n",
        "",
    )
    assert fixed(source, "ET407", PY) is None

"""ET406 dynamic-quantization-not-per-channel."""

from __future__ import annotations

import pytest

from executorch_lsp.engine.analysis import analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.languages import LanguageId
from harness import assert_marked, findings, fixed

PY = LanguageId.PYTHON
IMPORTS = """\
import argparse
from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import (
    XNNPACKQuantizer,
    get_symmetric_quantization_config,
)
"""

POSITIVE = {
    "per_channel_missing": """
config = get_symmetric_quantization_config(is_dynamic=True)  # <- ET406
""",
    "per_channel_off": """
a = get_symmetric_quantization_config(is_per_channel=False, is_dynamic=True)  # <- ET406
b = get_symmetric_quantization_config(False, False, True)  # <- ET406
c = get_symmetric_quantization_config(is_qat=True, is_dynamic=True)  # <- ET406
""",
    "inline_in_set_global": """
quantizer = XNNPACKQuantizer()
quantizer.set_global(get_symmetric_quantization_config(is_dynamic=True))  # <- ET406
""",
    "flags_in_names": """
DYNAMIC = True
def quantize():
    per_channel = False
    return get_symmetric_quantization_config(  # <- ET406
        is_per_channel=per_channel, is_dynamic=DYNAMIC
    )
""",
    "module_alias_and_torch_ao_copy": """
import executorch.backends.xnnpack.quantizer.xnnpack_quantizer as xq
from torch.ao.quantization.quantizer.xnnpack_quantizer import (
    get_symmetric_quantization_config as ao_config,
)
a = xq.get_symmetric_quantization_config(is_dynamic=True)  # <- ET406
b = ao_config(is_dynamic=True)  # <- ET406
""",
    "cli_per_channel_off_by_default": """
parser = argparse.ArgumentParser()
parser.add_argument("--per-channel", action="store_true")
args = parser.parse_args()
config = get_symmetric_quantization_config(  # <- ET406
    is_per_channel=args.per_channel, is_dynamic=True
)
""",
}

NEGATIVE = {
    "per_channel_on": """
a = get_symmetric_quantization_config(is_per_channel=True, is_dynamic=True)
b = get_symmetric_quantization_config(True, False, True)
""",
    "static_quantization": """
a = get_symmetric_quantization_config()
b = get_symmetric_quantization_config(is_per_channel=False)
c = get_symmetric_quantization_config(is_dynamic=False)
d = get_symmetric_quantization_config(is_qat=True)
""",
    "flags_the_script_does_not_settle": """
def config(per_channel, dynamic=True):
    a = get_symmetric_quantization_config(is_per_channel=per_channel, is_dynamic=True)
    b = get_symmetric_quantization_config(is_per_channel=True, is_dynamic=dynamic)
    c = get_symmetric_quantization_config(is_dynamic=dynamic)
    return a, b, c
""",
    "cli_dynamic_off_by_default": """
parser = argparse.ArgumentParser()
parser.add_argument("--dynamic", action="store_true")
args = parser.parse_args()
config = get_symmetric_quantization_config(is_dynamic=args.dynamic)
""",
    "kwargs_may_carry_it": """
options = {"is_per_channel": True}
a = get_symmetric_quantization_config(is_dynamic=True, **options)
b = get_symmetric_quantization_config(*flags)
""",
    "other_backends_functions": """
from executorch.backends.arm.quantizer.arm_quantizer import get_symmetric_quantization_config as arm
from executorch.backends.vulkan.quantizer.vulkan_quantizer import (
    get_symmetric_quantization_config as vulkan,
)
a = arm(is_dynamic=True)
b = vulkan(is_dynamic=True)
""",
    "local_function_of_the_same_name": """
def get_symmetric_quantization_config(is_dynamic=False):
    return None
config = get_symmetric_quantization_config(is_dynamic=True)
""",
}


def _source(body: str) -> str:
    return IMPORTS + body


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_positive(name: str) -> None:
    assert_marked(_source(POSITIVE[name]), "ET406", PY)


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_negative(name: str) -> None:
    assert findings(_source(NEGATIVE[name]), "ET406", PY) == []


def test_script_without_executorch_is_not_checked() -> None:
    source = (
        "from torch.ao.quantization.quantizer.xnnpack_quantizer import (\n"
        "    get_symmetric_quantization_config,\n"
        ")\n"
        "config = get_symmetric_quantization_config(is_dynamic=True)\n"
    )
    assert findings(source, "ET406", PY) == []


def test_test_files_are_not_checked() -> None:
    document = Document.from_text("tests/quantize.py", PY, _source(POSITIVE["per_channel_missing"]))
    assert [f for f in analyze(document, Config()).findings if f.code == "ET406"] == []


def test_cli_default_is_related() -> None:
    (finding,) = findings(_source(POSITIVE["cli_per_channel_off_by_default"]), "ET406", PY)
    assert any("without `--per-channel`" in related.message for related in finding.related)


def test_fix_adds_per_channel() -> None:
    result = fixed(_source(POSITIVE["per_channel_missing"]), "ET406", PY)
    assert result == _source(
        "\nconfig = get_symmetric_quantization_config(is_dynamic=True, is_per_channel=True)"
        "  # <- ET406\n"
    )
    assert findings(result, "ET406", PY) == []


def test_fix_turns_false_into_true() -> None:
    source = _source(
        "a = get_symmetric_quantization_config(is_per_channel=False, is_dynamic=True)\n"
    )
    assert fixed(source, "ET406", PY) == _source(
        "a = get_symmetric_quantization_config(is_per_channel=True, is_dynamic=True)\n"
    )


def test_no_fix_when_the_flag_is_a_name() -> None:
    assert fixed(_source(POSITIVE["flags_in_names"]), "ET406", PY) is None

"""ET405 vulkan-without-cpu-fallback."""

from __future__ import annotations

import pytest

from executorch_lsp.engine.analysis import analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.findings import Severity
from executorch_lsp.engine.languages import LanguageId
from harness import assert_marked, findings, fixed

PY = LanguageId.PYTHON
IMPORTS = """\
from executorch.backends.vulkan.partitioner.vulkan_partitioner import VulkanPartitioner
from executorch.exir import to_edge_transform_and_lower
"""

POSITIVE = {
    "list_literal": """
a = to_edge_transform_and_lower(ep, partitioner=[VulkanPartitioner()])  # <- ET405
b = to_edge_transform_and_lower(ep, None, [VulkanPartitioner({"force_fp16": True})])  # <- ET405
""",
    "list_in_a_name": """
def lower(ep, options):
    partitioners = [VulkanPartitioner(options)]
    return to_edge_transform_and_lower(ep, partitioner=partitioners)  # <- ET405
""",
    "partitioner_in_a_name": """
vulkan = VulkanPartitioner()
edge = to_edge_transform_and_lower(ep, partitioner=[vulkan])  # <- ET405
""",
    "module_alias": """
import executorch.backends.vulkan as vk
edge = to_edge_transform_and_lower(ep, partitioner=[vk.VulkanPartitioner()])  # <- ET405
""",
}

NEGATIVE = {
    "other_partitioner_after_it": """
from executorch.backends.qualcomm.partition.qnn_partitioner import QnnPartitioner
a = to_edge_transform_and_lower(ep, partitioner=[VulkanPartitioner(), QnnPartitioner(spec)])
""",
    "list_from_elsewhere": """
def lower(ep, partitioners):
    return to_edge_transform_and_lower(ep, partitioner=partitioners)
def make():
    return VulkanPartitioner()
b = to_edge_transform_and_lower(ep, partitioner=[make()])
c = to_edge_transform_and_lower(ep, partitioner=get_partitioners())
d = to_edge_transform_and_lower(ep, partitioner=[*common, VulkanPartitioner()])
""",
    "list_filled_after_assignment": """
parts = [VulkanPartitioner()]
if cpu_fallback:
    parts.append(make_cpu_partitioner())
e = to_edge_transform_and_lower(ep, partitioner=parts)
""",
    "per_method_dictionary": """
f = to_edge_transform_and_lower(ep, partitioner={"forward": [VulkanPartitioner()]})
""",
    "builder_method": """
builder = builder.to_edge_transform_and_lower([VulkanPartitioner()])
""",
    "nothing_given": """
g = to_edge_transform_and_lower(ep)
h = to_edge_transform_and_lower(ep, partitioner=[])
""",
}


def _source(body: str) -> str:
    return IMPORTS + body


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_positive(name: str) -> None:
    assert_marked(_source(POSITIVE[name]), "ET405", PY)


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_negative(name: str) -> None:
    assert findings(_source(NEGATIVE[name]), "ET405", PY) == []


def test_is_information() -> None:
    (finding, _) = findings(_source(POSITIVE["list_literal"]), "ET405", PY)
    assert finding.severity is Severity.INFO


def test_script_that_also_uses_xnnpack_chose_per_program() -> None:
    source = _source(
        "from executorch.backends.xnnpack.partition.xnnpack_partitioner import "
        "XnnpackPartitioner\n"
        "gpu = to_edge_transform_and_lower(ep, partitioner=[VulkanPartitioner()])\n"
        "cpu = to_edge_transform_and_lower(ep, partitioner=[XnnpackPartitioner()])\n"
    )
    assert findings(source, "ET405", PY) == []
    aliased = _source(
        "import executorch.backends.xnnpack.partition.xnnpack_partitioner as xp\n"
        "gpu = to_edge_transform_and_lower(ep, partitioner=[VulkanPartitioner()])\n"
        "cpu = to_edge_transform_and_lower(ep, partitioner=[xp.XnnpackPartitioner()])\n"
    )
    assert findings(aliased, "ET405", PY) == []


@pytest.mark.parametrize(
    "path",
    [
        "tests/export.py",
        "backends/vulkan/scripts/export.py",
        "examples/vulkan/export.py",
        "backends/webgpu/scripts/export.py",
    ],
)
def test_tests_and_the_vulkan_backends_own_scripts_are_not_checked(path: str) -> None:
    document = Document.from_text(path, PY, _source(POSITIVE["list_literal"]))
    assert [f for f in analyze(document, Config()).findings if f.code == "ET405"] == []


def test_fix_appends_xnnpack_and_its_import() -> None:
    source = _source("edge = to_edge_transform_and_lower(ep, partitioner=[VulkanPartitioner()])\n")
    assert fixed(source, "ET405", PY) == (
        IMPORTS + "from executorch.backends.xnnpack.partition.xnnpack_partitioner import "
        "XnnpackPartitioner\n"
        "edge = to_edge_transform_and_lower(ep, partitioner=[VulkanPartitioner(), "
        "XnnpackPartitioner()])\n"
    )

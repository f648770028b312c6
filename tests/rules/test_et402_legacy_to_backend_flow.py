"""ET402 legacy-to-backend-flow."""

from __future__ import annotations

import pytest

from executorch_lsp.engine.languages import LanguageId
from harness import assert_marked, findings, fixed

PY = LanguageId.PYTHON
IMPORTS = """\
import torch
from executorch.exir import to_edge
from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
"""

POSITIVE = {
    "two_statements": """
edge = to_edge(exported)
edge = edge.to_backend(XnnpackPartitioner())  # <- ET402
program = edge.to_executorch()
""",
    "chained": """
program = to_edge(ep).to_backend(XnnpackPartitioner()).to_executorch()  # <- ET402
""",
    "new_name_for_the_lowered_manager": """
def export(model, inputs):
    edge_manager = to_edge(torch.export.export(model, inputs))
    lowered = edge_manager.to_backend(XnnpackPartitioner())  # <- ET402
    return lowered.to_executorch()
""",
    "result_discarded": """
edge = to_edge(ep)
edge.to_backend(XnnpackPartitioner())  # <- ET402
program = edge.to_executorch()
""",
    "module_attribute_form": """
import executorch.exir as exir
edge = exir.to_edge(ep)
edge = edge.to_backend(XnnpackPartitioner())  # <- ET402
""",
    "mps_branch_without_partitioner": """
def export_for(backend, ep):
    if backend == "portable":
        return to_edge_transform_and_lower(ep).to_executorch()
    elif backend == "mps":
        # MPS does not need a partitioner
        return to_edge(ep).to_executorch()  # <- ET402
""",
    "no_lowering_at_all": """
def main():
    edge = to_edge(ep, compile_config=config)  # <- ET402
    print(edge.exported_program())
    program = edge.to_executorch()
    chained = to_edge(ep).to_executorch()  # <- ET402
""",
}

NEGATIVE = {
    "recommended_flow": """
from executorch.exir import to_edge_transform_and_lower
edge = to_edge_transform_and_lower(ep, partitioner=[XnnpackPartitioner()])
program = edge.to_executorch()
""",
    "manager_handed_to_a_helper": """
def main():
    edge = to_edge(ep)
    lower_for_target(edge, args.target)
    program = edge.to_executorch()
def build():
    edge = to_edge(ep)
    return edge
def store(managers):
    managers.append(to_edge(ep))
""",
    "to_edge_without_to_executorch": """
edge = to_edge(ep)
print(edge.exported_program().graph_module)
""",
    "already_lowered_module": """
from executorch.exir.backend.backend_api import to_backend
lowered_module = to_backend("CoreMLBackend", edge.exported_program(), specs)
def export_lowered(lowered_module, inputs):
    return to_edge(torch.export.export(lowered_module, inputs)).to_executorch()
""",
    "module_from_a_backend_helper": """
from executorch.backends.qualcomm.utils.utils import skip_annotation
graph_module, _ = skip_annotation(nn_module=model, quantizer=quantizer)
program = to_edge(torch.export.export(graph_module, inputs)).to_executorch()
""",
    "portable_on_purpose": """
program_portable = to_edge(ep).to_executorch()
# No backends: the portable reference program.
reference = to_edge(ep).to_executorch()
def export_no_delegate(ep):
    return to_edge(ep).to_executorch()
def export_for(backend, ep):
    if backend == "portable":
        return to_edge(ep).to_executorch()
    elif backend in ("portable-fp16", "ref"):
        return to_edge(ep).to_executorch()
""",
    "other_to_edge": """
from mylib import to_edge
edge = to_edge(ep)
edge = edge.to_backend(partitioner)
program = edge.to_executorch()
""",
    "suppressed": """
program = to_edge(ep).to_executorch()  # executorch-lsp: ignore[ET402] -- portable build
""",
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_positive(name: str) -> None:
    assert_marked(IMPORTS + POSITIVE[name], "ET402", PY)


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_negative(name: str) -> None:
    assert findings(IMPORTS + NEGATIVE[name], "ET402", PY) == []


def test_discarded_result_says_so() -> None:
    (finding,) = findings(IMPORTS + POSITIVE["result_discarded"], "ET402", PY)
    assert "thrown away: nothing is delegated" in finding.message
    assert finding.fix is None


def test_fix_merges_two_statements() -> None:
    source = IMPORTS + POSITIVE["two_statements"].replace("  # <- ET402", "")
    result = fixed(source, "ET402", PY)
    assert result == (
        IMPORTS
        + "from executorch.exir import to_edge_transform_and_lower\n"
        + "\nedge = to_edge_transform_and_lower(exported, partitioner=[XnnpackPartitioner()])\n"
        + "program = edge.to_executorch()\n"
    )
    assert findings(result, "ET402", PY) == []


def test_fix_rewrites_a_chain() -> None:
    source = "import executorch.exir as exir\n" + (
        "program = exir.to_edge(ep, compile_config=c).to_backend(P()).to_executorch()\n"
    )
    assert fixed(source, "ET402", PY) == (
        "import executorch.exir as exir\n"
        "program = exir.to_edge_transform_and_lower(ep, compile_config=c, partitioner=[P()])"
        ".to_executorch()\n"
    )


def test_fix_for_no_lowering_adds_both_imports() -> None:
    source = "from executorch.exir import to_edge\n\nprogram = to_edge(ep).to_executorch()\n"
    result = fixed(source, "ET402", PY)
    assert result == (
        "from executorch.exir import to_edge\n"
        "from executorch.backends.xnnpack.partition.xnnpack_partitioner import "
        "XnnpackPartitioner\n"
        "from executorch.exir import to_edge_transform_and_lower\n"
        "\nprogram = to_edge_transform_and_lower(ep, partitioner=[XnnpackPartitioner()])"
        ".to_executorch()\n"
    )
    assert findings(result, "ET402", PY) == []

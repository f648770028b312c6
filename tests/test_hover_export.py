"""Hovers on the export APIs of Python scripts."""

from __future__ import annotations

import pytest

from executorch_lsp.engine.hover import HoverResult, hover_at
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.knowledge.profiling import MEASURE
from harness import document

SCRIPT = """\
import torch
import torch.export as te
from torch.export import Dim, export
import executorch.exir as exir
from executorch.exir import to_edge
from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner

batch = Dim("batch", min=1, max=8)
ep = torch.export.export(model, inputs, dynamic_shapes={"x": {0: batch}})
ep2 = export(model, inputs, dynamic_shapes=None)
ep3 = te.export(model, inputs)
lowered = exir.to_edge_transform_and_lower(ep, partitioner=[XnnpackPartitioner()])
edge = to_edge(ep)
"""


def hover(source: str, marker: str, delta: int = 1) -> HoverResult | None:
    doc = document(source, LanguageId.PYTHON)
    return hover_at(doc, len(source[: source.index(marker)].encode()) + delta)


def title(result: HoverResult | None) -> str:
    assert result is not None
    return result.markdown.splitlines()[0]


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        (
            "export(model, inputs, dynamic_shapes={",
            "`export`: shapes are fixed by the example inputs",
        ),
        ("export(model, inputs, dynamic_shapes=None", "`export`: shapes are fixed"),
        ("export(model, inputs)\n", "`export`: shapes are fixed"),
        ('Dim("batch"', "`Dim`: a dynamic dimension and its bounds"),
        ("dynamic_shapes={", "`dynamic_shapes`: which input dimensions may vary"),
        ("dynamic_shapes=None", "`dynamic_shapes`: which input dimensions may vary"),
        ("to_edge_transform_and_lower(ep", "`to_edge_transform_and_lower`: convert to Edge"),
        ("to_edge(ep)", "`to_edge`: Edge dialect without delegation"),
        ("XnnpackPartitioner()]", "`XnnpackPartitioner`: delegate to XNNPACK"),
    ],
)
def test_export_api_notes(marker: str, expected: str) -> None:
    assert expected in title(hover(SCRIPT, marker))


def test_runtime_consequence_of_static_shapes_is_explained() -> None:
    result = hover(SCRIPT, "export(model, inputs, dynamic_shapes={")
    assert result is not None
    assert "Attempted to resize a bounded tensor" in result.markdown
    assert "`Error::NotSupported` (0x10)" in result.markdown
    assert 'dynamic_shapes={"x": {2: Dim("h", min=16, max=1024)}}' in result.markdown


def test_lowering_notes_end_with_how_to_measure() -> None:
    result = hover(SCRIPT, "to_edge_transform_and_lower(ep")
    assert result is not None and MEASURE in result.markdown


@pytest.mark.parametrize(
    "marker",
    ["torch.export.export", "model, inputs, dynamic", "batch = Dim"],
)
def test_other_names_get_no_note(marker: str) -> None:
    result = hover(SCRIPT, marker)
    assert result is None or "shapes are fixed" not in result.markdown


def test_other_libraries_export_gets_nothing() -> None:
    source = "import executorch\nfrom mylib import export, Dim\nep = export(m, x)\nd = Dim(3)\n"
    assert hover(source, "export(m") is None
    assert hover(source, "Dim(3)") is None


def test_scripts_without_executorch_get_nothing() -> None:
    source = "import torch\nep = torch.export.export(m, x)\n"
    assert hover(source, "export(m") is None

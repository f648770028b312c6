"""End-to-end: Python export scripts through the real server over stdio."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import diagnostics_for, edit_document, open_document, start

SCRIPT = """\
import argparse
import torch
from executorch.exir import to_edge_transform_and_lower

parser = argparse.ArgumentParser()
parser.add_argument("--xnnpack", action="store_true")
args = parser.parse_args()
partitioners = [XnnpackPartitioner()] if args.xnnpack else []
ep = torch.export.export(model, inputs)
# modèle exporté → « ExecuTorch »
note = "«é»"; edge = to_edge_transform_and_lower(ep, partitioner=partitioners)
"""


async def test_export_script_diagnostic_related_information_and_fix(
    client: LanguageClient, tmp_path: Path
):
    await start(client, tmp_path.as_uri())
    uri = (tmp_path / "export.py").as_uri()
    open_document(client, uri, SCRIPT, language_id="python")
    (diagnostic,) = await diagnostics_for(client, uri, version=1)
    assert diagnostic.code == "ET401"
    # UTF-16 columns: the three non-ASCII characters before the call count once each.
    assert diagnostic.range == types.Range(types.Position(10, 21), types.Position(10, 48))
    related = {info.message: info.location.range for info in diagnostic.related_information}
    assert related["without `--xnnpack`, `args.xnnpack` is False"].start.line == 5
    assert related["`partitioners` is empty here"].start == types.Position(7, 0)

    # The partitioner list is filled later: no longer "empty on every path".
    edit_document(client, uri, 2, (8, 0), (8, 0), "partitioners.append(make_partitioner())\n")
    assert list(await diagnostics_for(client, uri, version=2)) == []


async def test_missing_partitioner_quick_fix_adds_import(client: LanguageClient, tmp_path: Path):
    await start(client, tmp_path.as_uri())
    uri = (tmp_path / "lower.py").as_uri()
    text = (
        "from executorch.exir import to_edge_transform_and_lower\n\n"
        "edge = to_edge_transform_and_lower(ep)\n"
    )
    open_document(client, uri, text, language_id="python")
    diagnostics = await diagnostics_for(client, uri)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=diagnostics),
        )
    )
    fix = next(a for a in actions if a.title == "ET401: Delegate to XNNPACK")
    assert not fix.is_preferred  # changes what the program contains
    edits = sorted(
        fix.edit.changes[uri], key=lambda e: (e.range.start.line, e.range.start.character)
    )
    assert edits[0].range.start == types.Position(1, 0)
    assert "import XnnpackPartitioner" in edits[0].new_text
    assert edits[1].new_text == ", partitioner=[XnnpackPartitioner()]"


async def test_hover_on_export_explains_dynamic_shapes(client: LanguageClient, tmp_path: Path):
    await start(client, tmp_path.as_uri())
    uri = (tmp_path / "export.py").as_uri()
    open_document(client, uri, SCRIPT, language_id="python")
    await diagnostics_for(client, uri)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(8, 20),
        )
    )
    assert hover is not None
    assert "shapes are fixed by the example inputs" in hover.contents.value
    assert hover.range == types.Range(types.Position(8, 18), types.Position(8, 24))

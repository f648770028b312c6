"""Hovers on the export APIs in Python scripts: ``torch.export.export``, ``Dim``,
``dynamic_shapes=``, ``to_edge_transform_and_lower``, ``to_edge``, ``XnnpackPartitioner``.

Names are resolved through the script's imports (``from torch.export import Dim, export``,
``import executorch.exir as exir``), so another library's ``export`` gets nothing; only
scripts that mention ExecuTorch are considered.
"""

from __future__ import annotations

import tree_sitter as ts

from ..knowledge import export
from ..knowledge.api_notes import ApiNote, render_markdown
from ..rules.python.model import script_model, text
from .api_hover import ApiHover, mentions_executorch
from .document import Document
from .findings import Span
from .languages import LanguageId

_EXPORT_FUNCTIONS = frozenset({"torch.export.export", "torch.export.export_for_training"})
_DIM = frozenset({"torch.export.Dim", "torch.export.dynamic_shapes.Dim"})
_EXIR_NOTES = {
    "to_edge_transform_and_lower": export.TO_EDGE_TRANSFORM_AND_LOWER,
    "to_edge": export.TO_EDGE,
}


def export_hover(document: Document, node: ts.Node) -> ApiHover | None:
    """The note for the export API named at ``node`` (the innermost node at the pointer)."""
    if document.language is not LanguageId.PYTHON or node.type != "identifier":
        return None
    if not mentions_executorch(document):
        return None
    note = _keyword_note(document, node) or _name_note(document, node)
    if note is None:
        return None
    return ApiHover(render_markdown(note, text(node)), Span(node.start_byte, node.end_byte))


def _keyword_note(document: Document, node: ts.Node) -> ApiNote | None:
    """``dynamic_shapes=`` in a call of ``torch.export.export``."""
    keyword = node.parent
    if keyword is None or keyword.type != "keyword_argument" or text(node) != "dynamic_shapes":
        return None
    if keyword.child_by_field_name("name") != node:
        return None
    call = keyword.parent.parent if keyword.parent is not None else None
    function = call.child_by_field_name("function") if call is not None else None
    qualified = script_model(document).qualified_name(function) if function else None
    return export.DYNAMIC_SHAPES if qualified in _EXPORT_FUNCTIONS else None


def _name_note(document: Document, node: ts.Node) -> ApiNote | None:
    named = node
    parent = node.parent
    if parent is not None and parent.type == "attribute":
        if parent.child_by_field_name("attribute") != node:
            return None  # the pointer is on the module part (``torch`` of ``torch.export``)
        named = parent
    qualified = script_model(document).qualified_name(named)
    if qualified is None:
        return None
    if qualified in _EXPORT_FUNCTIONS:
        return export.TORCH_EXPORT
    if qualified in _DIM:
        return export.DIM
    last = qualified.rsplit(".", 1)[-1]
    if qualified.startswith("executorch.exir.") and last in _EXIR_NOTES:
        return _EXIR_NOTES[last]
    if qualified.startswith("executorch.backends.xnnpack") and last == "XnnpackPartitioner":
        return export.XNNPACK_PARTITIONER
    return None

"""Hovers in CMake files: ExecuTorch targets, build options and CMAKE_BUILD_TYPE."""

from __future__ import annotations

import tree_sitter as ts

from ..knowledge.build import (
    OPTIONS,
    TARGETS,
    build_type_markdown,
    option_markdown,
    target_markdown,
)
from .cmake_model import UNKNOWN, Interpreter, untag
from .document import Document
from .findings import Span


def build_hover(document: Document, node: ts.Node) -> tuple[str, Span] | None:
    """The hover for the CMake word under the pointer, if it names something we know."""
    word_node = _word(node)
    if word_node is None:
        return None
    text = document.text_of(word_node)
    word = text.strip('"').removeprefix("${").removesuffix("}")
    span = Span(word_node.start_byte, word_node.end_byte)
    if word in TARGETS:
        return target_markdown(TARGETS[word]), span
    if word in OPTIONS:
        return option_markdown(OPTIONS[word]), span
    if word == "CMAKE_BUILD_TYPE":
        return build_type_markdown(_build_types(document)), span
    return None


def _word(node: ts.Node) -> ts.Node | None:
    while node is not None and node.type not in ("argument", "variable_ref"):
        if node.type in ("normal_command", "source_file"):
            return None
        node = node.parent
    return node


def _build_types(document: Document) -> list[str]:
    own = {document.path: document.data}
    model = Interpreter(own.get).run_file(document.path)
    values = []
    for assignment in model.assignments:
        if assignment.name == "CMAKE_BUILD_TYPE":
            value = untag(assignment.value)[0]
            values.append("unknown" if UNKNOWN in value else value or '""')
    return list(dict.fromkeys(values))

"""Hovers in CMake files: ExecuTorch targets, build options and CMAKE_BUILD_TYPE."""

from __future__ import annotations

import os

import tree_sitter as ts

from ..knowledge.build import (
    OPTIONS,
    TARGETS,
    build_type_markdown,
    option_markdown,
    target_markdown,
)
from .cmake_model import UNKNOWN, untag
from .cmake_presets import read_presets
from .document import Document
from .findings import Site, Span
from .workspace import Workspace


def build_hover(
    document: Document, node: ts.Node, workspace: Workspace | None = None
) -> tuple[str, Span] | None:
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
        presets = _preset_build_types(document.path, workspace)
        return build_type_markdown(_build_types(document, workspace), presets), span
    return None


def _word(node: ts.Node) -> ts.Node | None:
    while node is not None and node.type not in ("argument", "variable_ref"):
        if node.type in ("normal_command", "source_file"):
            return None
        node = node.parent
    return node


def _build_types(document: Document, workspace: Workspace | None) -> list[tuple[str, str]]:
    """The values the project's model gives CMAKE_BUILD_TYPE, with where (the file alone
    without a workspace)."""
    from ..rules.cmake.build import project_model

    model = project_model(document, workspace)
    values = []
    for assignment in model.assignments:
        if assignment.name == "CMAKE_BUILD_TYPE":
            value = untag(assignment.value)[0]
            shown = "unknown" if UNKNOWN in value else value or '""'
            values.append((shown, _where(assignment.site, document, workspace)))
    return list(dict.fromkeys(values))


def _where(site: Site, document: Document, workspace: Workspace | None) -> str:
    if site.path == document.path:
        data = document.data
        name = "this file"
    else:
        data = (workspace.read(site.path) if workspace is not None else None) or b""
        name = _relative(site.path, document.path)
    line = data.count(b"\n", 0, site.start) + 1
    return f"{name}, line {line}"


def _relative(path: str, start_file: str) -> str:
    try:
        return os.path.relpath(path, os.path.dirname(start_file)).replace(os.sep, "/")
    except ValueError:
        return path


def _preset_build_types(path: str, workspace: Workspace | None) -> list[tuple[str, str]]:
    """(preset, its build type) for the configure presets next to ``path``; a
    multi-config preset reads "multi-config"."""
    read = workspace.read if workspace is not None else _read_file
    found = []
    for preset in read_presets(read, os.path.dirname(path)):
        if preset.hidden:
            continue
        if preset.multi_config:
            found.append((preset.name, "multi-config"))
        elif "CMAKE_BUILD_TYPE" in preset.cache_variables:
            found.append((preset.name, preset.cache_variables["CMAKE_BUILD_TYPE"] or '""'))
    return found


def _read_file(path: str) -> bytes | None:
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError:
        return None

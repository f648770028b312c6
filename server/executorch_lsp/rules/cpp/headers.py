"""Members declared in headers: ``std::unique_ptr<Module> module_;`` in engine.h makes
``module_->load()`` in engine.cpp an ExecuTorch call."""

from __future__ import annotations

import os
import re

import tree_sitter as ts

from ...engine import grammars
from ...engine.languages import LanguageId
from ...engine.workspace import Workspace
from ..base import RuleContext
from .file_model import FieldLookup, FileModel
from .model_loads import TypeInfo

_HEADER_SUFFIXES = (".h", ".hh", ".hpp", ".hxx", ".h++", ".cuh")
_INCLUDE = re.compile(rb'(?m)^[ \t]*#[ \t]*include[ \t]*["<]([^">\n]+)[">]')
# Only headers that may declare an ExecuTorch member are parsed.
_EXECUTORCH_TYPES = (b"Module", b"Program", b"Method", b"Runner")
_MAX_INCLUDES = 64


def model_for(context: RuleContext) -> FileModel:
    """The file model of the checked document, seeing header members when it can."""
    document = context.document
    workspace = context.workspace

    def build() -> FileModel:
        lookup = header_fields(workspace, document.path) if workspace else None
        return FileModel(document.tree.root_node, document.data, lookup)

    return document.derived(("cpp-file-model", id(workspace)), build)


def header_fields(workspace: Workspace, path: str) -> FieldLookup:
    def lookup(class_name: str) -> dict[str, TypeInfo]:
        for header in included_headers(workspace, path):
            fields = classes_in(workspace, header).get(class_name)
            if fields:
                return fields
        return {}

    return lookup


def included_stems(data: bytes) -> list[str]:
    stems = []
    for match in _INCLUDE.finditer(data):
        name = match.group(1).decode("utf-8", "replace").rsplit("/", 1)[-1]
        stems.append(name.rsplit(".", 1)[0])
    return list(dict.fromkeys(stems))[:_MAX_INCLUDES]


def included_headers(workspace: Workspace, path: str) -> list[str]:
    """Workspace headers that ``path`` includes, matched by file name (no include paths)."""

    def compute(data: bytes) -> list[str]:
        own = os.path.splitext(os.path.basename(path))[0]
        headers: dict[str, None] = {}
        for stem in [own, *included_stems(data)]:
            for candidate in workspace.with_stem(stem, LanguageId.CPP)[:8]:
                if candidate != path and candidate.endswith(_HEADER_SUFFIXES):
                    headers[candidate] = None
        return list(headers)

    return workspace.per_file(path, "cpp-included-headers", compute) or []


def classes_in(workspace: Workspace, path: str) -> dict[str, dict[str, TypeInfo]]:
    """ExecuTorch-typed fields of each class defined in ``path``."""

    def compute(data: bytes) -> dict[str, dict[str, TypeInfo]]:
        if not any(word in data for word in _EXECUTORCH_TYPES):
            return {}
        document = workspace.document(path, data, LanguageId.CPP)
        model = FileModel(document.tree.root_node, data)
        query = grammars.compile_query(LanguageId.CPP, "cpp/classes.scm")
        classes: dict[str, dict[str, TypeInfo]] = {}
        for _, captures in ts.QueryCursor(query).matches(document.tree.root_node):
            for name_node in captures.get("name", []):
                name = data[name_node.start_byte : name_node.end_byte].decode("utf-8", "replace")
                fields = model.fields_of(name)
                if fields:
                    classes[name] = fields
        return classes

    return workspace.per_file(path, "cpp-class-fields", compute) or {}

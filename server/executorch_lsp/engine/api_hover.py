"""Hovers on ExecuTorch C++ API names: loads, the thread pool, logging and the PAL.

Only in files that name ExecuTorch, and only where the call is recognisably ExecuTorch's.
A member call counts when the receiver's declaration in this file shows an ExecuTorch type
(the same ``FileModel`` and load tables the rules use), so ``flag.load()`` on a
``std::atomic`` gets nothing; constructing a ``Module`` counts when the constructed type is
ExecuTorch's ``Module`` (not ``torch::jit::Module``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter as ts

from ..knowledge import loading, platform, threadpool
from ..knowledge.api_notes import ApiNote, render_markdown
from ..rules.cpp.call_graph import RESET_METHOD
from ..rules.cpp.file_model import FieldLookup, FileModel, call_of_name
from ..rules.cpp.model_loads import (
    MODULE_LOAD_METHODS,
    PROGRAM_LOAD_METHODS,
    RUNNER_FACTORIES,
    RUNNER_LOAD_METHODS,
    Entity,
    TypeInfo,
    is_direct_load,
    type_from_declaration,
    type_from_initializer,
)
from ..rules.cpp.syntax import callee_parts, member_call, text
from .document import Document
from .findings import Span
from .languages import LanguageId

# Include paths, namespaces, imports and log prefixes all spell it.
_EXECUTORCH = re.compile(rb"(?i)executorch|torch::executor")

_MODULE_NOTES = {
    "load": loading.MODULE_LOAD,
    "load_method": loading.MODULE_LOAD_METHOD,
    "load_forward": loading.MODULE_LOAD_METHOD,
    "forward": loading.MODULE_RUN,
    "execute": loading.MODULE_RUN,
    "method_meta": loading.MODULE_METADATA,
    "method_names": loading.MODULE_METADATA,
    "num_methods": loading.MODULE_METADATA,
}
_RUNNER_NOTES = {"load": loading.RUNNER_LOAD}
_MEMBER_NAMES = (
    MODULE_LOAD_METHODS | PROGRAM_LOAD_METHODS | RUNNER_LOAD_METHODS | {"execute", RESET_METHOD}
)
_NAME_NODES = frozenset({"field_identifier", "identifier", "type_identifier"})
# What a constructor call's type may be wrapped in between the call and the type name.
_TEMPLATE_PARTS = frozenset(
    {"qualified_identifier", "type_descriptor", "template_argument_list", "template_function"}
)


@dataclass(frozen=True)
class ApiHover:
    markdown: str
    span: Span


def mentions_executorch(document: Document) -> bool:
    return _EXECUTORCH.search(document.data) is not None


def api_hover(
    document: Document, node: ts.Node, fields: FieldLookup | None = None
) -> ApiHover | None:
    """The note for the ExecuTorch API named by ``node`` (the innermost node at the pointer)."""
    if document.language is not LanguageId.CPP or node.type not in _NAME_NODES:
        return None
    if not mentions_executorch(document):
        return None
    name = document.text_of(node)
    if node.type == "field_identifier":
        note = _member_note(document, node, name, fields)
    else:
        note = _name_note(document, node, name)
    if note is None:
        return None
    return ApiHover(render_markdown(note, name), Span(node.start_byte, node.end_byte))


def _member_note(
    document: Document, node: ts.Node, name: str, fields: FieldLookup | None = None
) -> ApiNote | None:
    if name not in _MEMBER_NAMES:
        return None
    call = call_of_name(node)
    member = member_call(call, document.data) if call is not None else None
    if member is None:
        return None
    if name == RESET_METHOD:
        return threadpool.RESET_THREADPOOL
    receiver, operator, _ = member
    model = FileModel(document.tree.root_node, document.data, fields)
    receiver_type = model.receiver_type(receiver, model.unit_at(call))
    if receiver_type is None or (operator == "->") != receiver_type.indirect:
        return None  # e.g. unique_ptr<Module>::get(), an unknown or non-ExecuTorch receiver
    return _note_for_method(receiver_type, name)


def _note_for_method(receiver_type: TypeInfo, name: str) -> ApiNote | None:
    entity = receiver_type.entity
    if entity is Entity.MODULE and name in MODULE_LOAD_METHODS:
        return _MODULE_NOTES.get(name, loading.MODULE_METHOD_ACCESS)
    if entity is Entity.PROGRAM and name in PROGRAM_LOAD_METHODS:
        return loading.PROGRAM_LOAD_METHOD
    if entity is Entity.RUNNER and name in RUNNER_LOAD_METHODS:
        return _RUNNER_NOTES.get(name, loading.RUNNER_RUN)
    if entity is Entity.METHOD and name == "execute":
        return loading.METHOD_EXECUTE
    return None


def _name_note(document: Document, node: ts.Node, name: str) -> ApiNote | None:
    if name == "et_pal_emit_log_message":
        return platform.EMIT_LOG_MESSAGE
    if name.startswith("et_pal_"):
        return platform.hook_note(name)
    call = call_of_name(node) if node.type == "identifier" else None
    if call is not None:
        return _call_note(document, call, name)
    if node.type == "type_identifier" and name == "Module":
        return _constructed_module(document, node)
    return None


def _call_note(document: Document, call: ts.Node, name: str) -> ApiNote | None:
    """The note for a free or static call whose callee ends with ``name``."""
    data = document.data
    if callee_parts(call, data)[-1:] != [name]:
        return None  # ``name`` is the receiver of a member call, or an argument
    if name == "ET_LOG":
        return platform.ET_LOG
    if name == "register_pal":
        return platform.REGISTER_PAL
    if name == "get_threadpool":
        return threadpool.GET_THREADPOOL
    if name in RUNNER_FACTORIES:
        return loading.RUNNER_FACTORY
    if is_direct_load(call, data):
        return loading.PROGRAM_LOAD
    return _module_construction(call, data)


def _module_construction(call: ts.Node, data: bytes) -> ApiNote | None:
    """``Module(...)``, ``std::make_unique<Module>(...)``, ``std::make_shared<Module>(...)``."""
    if callee_parts(call, data)[-1:] not in (["Module"], ["make_unique"], ["make_shared"]):
        return None
    constructed = type_from_initializer(call, data)
    if constructed is None or constructed.entity is not Entity.MODULE:
        return None
    return loading.MODULE_CONSTRUCTOR


def _constructed_module(document: Document, node: ts.Node) -> ApiNote | None:
    """``Module`` as the type of ``Module m(...)``, ``new Module(...)`` or
    ``std::make_unique<Module>(...)``; a plain mention of the type is not a construction."""
    data = document.data
    outer = node
    while outer.parent is not None and outer.parent.type == "qualified_identifier":
        outer = outer.parent
    if type_from_declaration(text(outer, data), False) is None:
        return None
    parent = outer.parent
    if parent is None:
        return None
    if parent.type == "new_expression":
        return loading.MODULE_CONSTRUCTOR
    if parent.type == "declaration" and parent.child_by_field_name("type") == outer:
        constructs = any(_has_arguments(d) for d in parent.children_by_field_name("declarator"))
        return loading.MODULE_CONSTRUCTOR if constructs else None
    call = _call_of_template_argument(node)
    return _module_construction(call, data) if call is not None else None


def _has_arguments(declarator: ts.Node) -> bool:
    if declarator.type != "init_declarator":
        return False
    value = declarator.child_by_field_name("value")
    return value is not None and value.type in ("argument_list", "initializer_list")


def _call_of_template_argument(node: ts.Node) -> ts.Node | None:
    """The call ``std::make_unique<...>(...)`` whose template arguments hold ``node``."""
    current = node
    while current.parent is not None and current.parent.type in _TEMPLATE_PARTS:
        current = current.parent
    parent = current.parent
    if current is node or parent is None or parent.type != "call_expression":
        return None
    return parent if parent.child_by_field_name("function") == current else None

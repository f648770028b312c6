"""Which C++ calls load an ExecuTorch model, and which objects are ExecuTorch types.

Constructing a ``Module`` does not load anything (the Module is lazy); loading
happens in ``load``/``load_method``/``forward``... (executorch-facts section 3).
A receiver counts only when its declaration in the same file shows an
ExecuTorch type, so ``flag.load()`` on a ``std::atomic`` is never a load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

import tree_sitter as ts

from .syntax import callee_parts, declarator_name, member_call, path_parts, text


class Entity(str, Enum):
    MODULE = "Module"
    PROGRAM = "Program"
    RUNNER = "runner"
    METHOD = "Method"


MODULE_LOAD_METHODS = frozenset(
    {
        "load",
        "load_method",
        "load_forward",
        "method",
        "execute",
        "forward",
        "get",
        "set_input",
        "set_inputs",
        "set_output",
        "set_outputs",
        "get_output",
        "get_outputs",
        "num_methods",
        "method_names",
        "method_meta",
    }
)
PROGRAM_LOAD_METHODS = frozenset({"load_method"})
RUNNER_LOAD_METHODS = frozenset({"load", "generate", "warmup", "prefill"})
RUNNER_FACTORIES = frozenset(
    {
        "create_text_llm_runner",
        "create_multimodal_runner",
        "create_llama_runner",
    }
)
_ENTITY_METHODS = {
    Entity.MODULE: MODULE_LOAD_METHODS,
    Entity.PROGRAM: PROGRAM_LOAD_METHODS,
    Entity.RUNNER: RUNNER_LOAD_METHODS,
    Entity.METHOD: frozenset(),  # a Method is already loaded
}
_INDIRECT_WRAPPERS = re.compile(r"\b(?:unique_ptr|shared_ptr|Result|optional)\s*<")
_WORD = re.compile(r"[A-Za-z_]\w*")
_FOREIGN_MODULE_SCOPES = frozenset({"jit", "nn", "script", "torch::jit", "py", "pybind11"})


@dataclass(frozen=True)
class TypeInfo:
    entity: Entity
    indirect: bool  # True when ``->`` reaches the entity (pointer, smart pointer, Result)


def _entity_in_type(type_text: str) -> Entity | None:
    for match in _WORD.finditer(type_text):
        word = match.group(0)
        qualifier = type_text[: match.start()].rstrip()
        if word == "Module":
            scope = path_parts(qualifier + "x")[:-1] if qualifier.endswith("::") else []
            if not (set(scope) & _FOREIGN_MODULE_SCOPES):
                return Entity.MODULE
        elif word == "Program":
            return Entity.PROGRAM
        elif word == "Method":
            return Entity.METHOD
        elif word.endswith("Runner") and word not in ("Runner", "TestRunner"):
            return Entity.RUNNER
    return None


def type_from_declaration(type_text: str, pointer: bool) -> TypeInfo | None:
    entity = _entity_in_type(type_text)
    if entity is None:
        return None
    return TypeInfo(entity, pointer or bool(_INDIRECT_WRAPPERS.search(type_text)))


def type_from_initializer(value: ts.Node | None, data: bytes) -> TypeInfo | None:
    """The type of ``auto x = <value>`` when the value reveals it."""
    if value is None:
        return None
    if value.type == "new_expression":
        return type_from_declaration(text(value.child_by_field_name("type"), data), True)
    if value.type != "call_expression":
        return None
    parts = callee_parts(value, data)
    if not parts:
        return None
    name = parts[-1]
    function_text = text(value.child_by_field_name("function"), data)
    if name in ("make_unique", "make_shared"):
        arguments = re.search(r"<(.*)>", function_text)
        inner = type_from_declaration(arguments.group(1), False) if arguments else None
        return TypeInfo(inner.entity, True) if inner else None
    if name in RUNNER_FACTORIES:
        return TypeInfo(Entity.RUNNER, True)
    if name.lower() == "load" and len(parts) >= 2 and parts[-2] == "Program":
        return TypeInfo(Entity.PROGRAM, True)
    if parts[-1] in ("Module", "Program") or parts[-1].endswith("Runner"):
        return type_from_declaration("::".join(parts), False)
    return None


def declared_type(declaration: ts.Node, declarator: ts.Node, data: bytes) -> TypeInfo | None:
    """Type of one declarator of a declaration, parameter or field."""
    type_node = declaration.child_by_field_name("type")
    type_text = text(type_node, data)
    _, pointer = declarator_name(declarator, data)
    if type_node is not None and type_node.type == "placeholder_type_specifier":
        value = (
            declarator.child_by_field_name("value")
            if declarator.type == "init_declarator"
            else None
        )
        found = type_from_initializer(value, data)
        if found is not None and pointer:
            return TypeInfo(found.entity, True)
        return found
    return type_from_declaration(type_text, pointer)


def is_direct_load(call: ts.Node, data: bytes) -> bool:
    """Free or static calls that load: runner factories and ``Program::load``."""
    parts = callee_parts(call, data)
    if not parts:
        return False
    if parts[-1] in RUNNER_FACTORIES:
        return True
    return parts[-1] in ("load", "Load") and len(parts) >= 2 and parts[-2] == "Program"


def is_member_load(call: ts.Node, data: bytes, receiver_type: TypeInfo | None) -> bool:
    member = member_call(call, data)
    if member is None or receiver_type is None:
        return False
    _, operator, name = member
    if (operator == "->") != receiver_type.indirect:
        return False  # e.g. unique_ptr<Module>::get(), Result<Program>::get()
    return name in _ENTITY_METHODS[receiver_type.entity]

"""The targets one Buck file defines, as plain data (no syntax nodes are kept).

Every call statement with a ``name`` (at module level, inside ``if``/``for`` blocks or
inside function bodies such as ``define_common_targets()``) is a target. Its kind is
normalised: ``executorch_generated_lib`` and ``et_operator_library`` (when loaded from a
``codegen.bzl`` or not bound at all), ``cxx_library``/``cxx_binary``/``cxx_test`` for
``runtime.cxx_library``, ``fb_xplat_cxx_binary``, ``native.cxx_test``, ... The
``fbcode_target(_kind = ..., ...)`` wrappers count as their ``_kind``. Calls of functions
defined in the same file are read through: the body is evaluated with the parameters bound
to the call's arguments (see wrappers.py), and the targets it defines are the call's. A
call of a local function that defines no target keeps the kind ``local:<function>``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cached_property

import tree_sitter as ts

from .. import grammars
from ..languages import LanguageId
from .values import (
    UNKNOWN,
    DictValue,
    Evaluator,
    Item,
    Scope,
    Value,
    collect_bindings,
)
from .wrappers import MAX_EXPANSION_DEPTH, bind_parameters

GENERATED_LIB = "executorch_generated_lib"
OPERATOR_LIBRARY = "et_operator_library"
CODEGEN_MACROS = frozenset({GENERATED_LIB, OPERATOR_LIBRARY})
CXX_KINDS = frozenset({"cxx_library", "cxx_binary", "cxx_test", "cxx_python_extension"})
# fb_xplat_cxx_library, fb_android_cxx_library, prebuilt_cxx_library, cxx_binary, ...
_CXX_RULE = re.compile(r"(?:\w+_)?(cxx_(?:library|binary|test|python_extension))")
# Matches the text of every file that defines a C++ target: the kinds contain "cxx_", and
# a loaded symbol can be given another spelling only with escapes or "+".
MAY_DEFINE_CXX = re.compile(rb"cxx_|\\|\+")
_WRAPPER_KIND_ARGUMENT = "_kind"
_LOCAL = "local:"
_NESTED_BLOCKS = frozenset({"if_statement", "for_statement", "elif_clause", "else_clause", "block"})


@dataclass(frozen=True)
class Load:
    module: str  # the label of the loaded .bzl file
    symbols: tuple[tuple[str, str], ...]  # (name in this file, name exported there)


@dataclass(frozen=True, eq=False)
class Target:
    path: str
    kind: str
    callee: str  # as written: "runtime.cxx_binary", "executorch_generated_lib"
    name: str | None
    start: int  # the call
    end: int
    callee_start: int
    callee_end: int
    name_item: Item | None
    arguments: dict[str, Item] = field(default_factory=dict)
    # A ``**kwargs`` or ``*args`` that could not be expanded: an argument that is not
    # written out may still be given, so it is unknown rather than its default.
    open_arguments: bool = False
    function: str | None = None  # the ``def`` the call is in
    # For a target defined by calling a function of the same file: the start of the call
    # inside that function's body (the target's own span is the outer call's).
    origin: int | None = None

    def value(self, key: str, default: Value = None) -> Value:
        item = self.arguments.get(key)
        if item is not None:
            return item.value
        return UNKNOWN if self.open_arguments else default

    @property
    def is_cxx(self) -> bool:
        return self.kind in CXX_KINDS

    @property
    def label(self) -> str:
        return f":{self.name}" if self.name else self.callee


@dataclass(frozen=True)
class _Outer:
    """The call of a same-file function whose body is being read through."""

    call: ts.Node
    callee: ts.Node
    active: frozenset[str]  # the functions being read through (no recursion)


@dataclass
class BuckFile:
    path: str
    loads: tuple[Load, ...]
    functions: frozenset[str]
    targets: tuple[Target, ...]
    has_errors: bool

    @cached_property
    def by_name(self) -> dict[str, list[Target]]:
        named: dict[str, list[Target]] = {}
        for target in self.targets:
            if target.name is not None:
                named.setdefault(target.name, []).append(target)
        return named

    @cached_property
    def codegen_symbols(self) -> dict[str, str]:
        """Names in this file of what it loads from codegen.bzl -> the names there."""
        return {
            local: exported
            for load in self.loads
            if _is_codegen(load.module)
            for local, exported in load.symbols
        }

    def loaded(self, local_name: str) -> tuple[str, str] | None:
        """(module label, exported name) of a symbol this file loads."""
        for load in self.loads:
            for local, exported in load.symbols:
                if local == local_name:
                    return load.module, exported
        return None


def build(path: str, data: bytes, tree: ts.Tree | None = None) -> BuckFile:
    """The model of one Buck/Starlark file (a file that fails to parse gives what can be
    read from the parts that did)."""
    if tree is None:
        tree = grammars.parse(LanguageId.STARLARK, data)
    return _Builder(path, data, tree.root_node).build()


class _Builder:
    def __init__(self, path: str, data: bytes, root: ts.Node) -> None:
        self.path = path
        self.data = data
        self.root = root
        self.evaluator = Evaluator(data, root)
        self.has_kind_arguments = _WRAPPER_KIND_ARGUMENT.encode() in data
        self.loads: list[Load] = []
        self.functions: set[str] = set()
        self.definitions: dict[str, ts.Node] = {}
        self.targets: list[Target] = []
        self.module = Scope()

    def build(self) -> BuckFile:
        module = self.module
        self._collect_loads_and_functions(module)
        collect_bindings(self.root, module, self.data)
        for load in self.loads:
            for local, _ in load.symbols:
                module.forget(local)
        for name in self.functions:
            module.forget(name)
        self._walk(self.root, module, None)
        return BuckFile(
            self.path,
            tuple(self.loads),
            frozenset(self.functions),
            tuple(self.targets),
            self.root.has_error,
        )

    def _collect_loads_and_functions(self, module: Scope) -> None:
        for statement in self.root.named_children:
            if statement.type == "function_definition":
                name = statement.child_by_field_name("name")
                if name is not None:
                    self.functions.add(self._text(name))
                    self.definitions[self._text(name)] = statement
            elif statement.type == "expression_statement":
                call = statement.named_children[0] if statement.named_children else None
                if call is not None and call.type == "call" and self._callee(call) == "load":
                    load = self._load(call, module)
                    if load is not None:
                        self.loads.append(load)

    def _load(self, call: ts.Node, module: Scope) -> Load | None:
        arguments = call.child_by_field_name("arguments")
        if arguments is None:
            return None
        label: str | None = None
        symbols: list[tuple[str, str]] = []
        for child in arguments.named_children:
            if child.type == "string":
                text = self.evaluator.value(child, module)
                if not isinstance(text, str):
                    continue
                if label is None:
                    label = text
                else:
                    symbols.append((text, text))
            elif child.type == "keyword_argument":
                alias = child.child_by_field_name("name")
                value = child.child_by_field_name("value")
                exported = self.evaluator.value(value, module) if value is not None else None
                if alias is not None and isinstance(exported, str):
                    symbols.append((self._text(alias), exported))
        return Load(label, tuple(symbols)) if label is not None else None

    def _walk(
        self, block: ts.Node, scope: Scope, function: str | None, outer: _Outer | None = None
    ) -> None:
        stack = list(reversed(block.named_children))
        while stack:
            node = stack.pop()
            if node.type == "function_definition":
                if outer is None:
                    self._function(node, scope)
            elif node.type == "expression_statement":
                for child in node.named_children:
                    if child.type == "call":
                        self._call(child, scope, function, outer)
            elif node.type in _NESTED_BLOCKS:
                stack.extend(reversed(node.named_children))

    def _function(self, node: ts.Node, parent: Scope) -> None:
        name_node = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if body is None:
            return
        scope = Scope(parent)
        parameters = node.child_by_field_name("parameters")
        for child in parameters.named_children if parameters is not None else ():
            for identifier in _identifiers(child):
                scope.forget(self._text(identifier))
        collect_bindings(body, scope, self.data)
        self._walk(body, scope, self._text(name_node) if name_node is not None else None)

    def _call(
        self, call: ts.Node, scope: Scope, function: str | None, outer: _Outer | None
    ) -> None:
        callee_node = call.child_by_field_name("function")
        arguments = call.child_by_field_name("arguments")
        if callee_node is None or arguments is None or arguments.type != "argument_list":
            return
        kind_node = self._wrapped_kind(arguments) or callee_node
        kind = self._kind(kind_node)
        if kind is None:
            return
        local = kind.startswith(_LOCAL)
        known = kind in CODEGEN_MACROS or kind in CXX_KINDS
        if not local and not known and not self._may_name(arguments):
            return  # not a target: load(), oncall(), fail(), ...
        values, open_arguments, positional = self._arguments(arguments, scope)
        if local and self._expand(
            kind[len(_LOCAL) :], call, values, positional, open_arguments, function, outer
        ):
            return
        if len(positional) > 1 and known:
            open_arguments = True
        name_item = values.get("name")
        if name_item is None and positional and known:
            name_item = values["name"] = positional[0]  # the macros' first parameter
        if name_item is None and not (known and open_arguments):
            return  # not a target: define_common_targets(), fail(), ...
        name = name_item.value if name_item is not None else None
        spans = outer.call if outer is not None else call
        callee_spans = outer.callee if outer is not None else callee_node
        self.targets.append(
            Target(
                path=self.path,
                kind=kind,
                callee=self._text(kind_node),
                name=name if isinstance(name, str) else None,
                start=spans.start_byte,
                end=spans.end_byte,
                callee_start=callee_spans.start_byte,
                callee_end=callee_spans.end_byte,
                name_item=name_item,
                arguments=values,
                open_arguments=open_arguments,
                function=function,
                origin=call.start_byte if outer is not None else None,
            )
        )

    def _expand(
        self,
        name: str,
        call: ts.Node,
        values: dict[str, Item],
        positional: list[Item],
        open_arguments: bool,
        function: str | None,
        outer: _Outer | None,
    ) -> bool:
        """Read the body of the called function with its parameters bound; True when that
        defines targets."""
        definition = self.definitions.get(name)
        body = definition.child_by_field_name("body") if definition is not None else None
        parameters = definition.child_by_field_name("parameters") if body is not None else None
        active = outer.active if outer is not None else frozenset()
        if parameters is None or not parameters.named_children:
            # define_common_targets(): its targets are read from the definition already
            return body is not None and any(
                t.function == name and t.origin is None for t in self.targets
            )
        if name in active or len(active) >= MAX_EXPANSION_DEPTH:
            return False
        scope = bind_parameters(
            definition, values, positional, open_arguments, call, self.module, self.data
        )
        collect_bindings(body, scope, self.data)
        before = len(self.targets)
        if outer is None:
            outer = _Outer(call, call.child_by_field_name("function"), frozenset())
        self._walk(body, scope, function, _Outer(outer.call, outer.callee, active | {name}))
        return len(self.targets) > before

    def _may_name(self, arguments: ts.Node) -> bool:
        """Whether the arguments may give a ``name`` (written out, or in a ``**`` dict)."""
        for child in arguments.named_children:
            if child.type == "dictionary_splat":
                return True
            if child.type == "keyword_argument":
                name = child.child_by_field_name("name")
                if name is not None and self._text(name) == "name":
                    return True
        return False

    def _wrapped_kind(self, arguments: ts.Node) -> ts.Node | None:
        """The rule named by ``_kind = ...`` in ``fbcode_target(_kind = ..., ...)``."""
        if not self.has_kind_arguments:
            return None
        for child in arguments.named_children:
            if child.type == "keyword_argument":
                name = child.child_by_field_name("name")
                if name is not None and self._text(name) == _WRAPPER_KIND_ARGUMENT:
                    value = child.child_by_field_name("value")
                    if value is not None and value.type in ("identifier", "attribute"):
                        return value
        return None

    def _kind(self, callee: ts.Node) -> str | None:
        text = self._text(callee)
        if callee.type == "attribute":
            attribute = callee.child_by_field_name("attribute")
            last = self._text(attribute) if attribute is not None else ""
            match = _CXX_RULE.fullmatch(last)
            return match.group(1) if match else text
        if callee.type != "identifier":
            return None
        if text in self.functions:
            return _LOCAL + text
        exported = text
        for load in self.loads:
            for local, symbol in load.symbols:
                if local == text:
                    if symbol in CODEGEN_MACROS and not _is_codegen(load.module):
                        return f"loaded:{symbol}"
                    exported = symbol
        match = _CXX_RULE.fullmatch(exported)
        return match.group(1) if match else exported

    def _arguments(
        self, arguments: ts.Node, scope: Scope
    ) -> tuple[dict[str, Item], bool, list[Item]]:
        values: dict[str, Item] = {}
        open_arguments = arguments.has_error
        positional: list[Item] = []
        for child in arguments.named_children:
            if child.type == "keyword_argument":
                name = child.child_by_field_name("name")
                value = child.child_by_field_name("value")
                if name is None or value is None:
                    open_arguments = True
                    continue
                key = self._text(name)
                if key != _WRAPPER_KIND_ARGUMENT:
                    values[key] = self.evaluator.item(value, scope)
            elif child.type == "dictionary_splat":
                inner = child.named_children[0] if child.named_children else None
                splat = self.evaluator.value(inner, scope) if inner is not None else UNKNOWN
                if isinstance(splat, DictValue):
                    for key, item in splat.entries:
                        values.setdefault(key, item)
                else:
                    open_arguments = True
            elif child.type == "list_splat":
                open_arguments = True
            elif child.type != "comment":
                positional.append(self.evaluator.item(child, scope))
        return values, open_arguments, positional

    def _callee(self, call: ts.Node) -> str | None:
        function = call.child_by_field_name("function")
        return self._text(function) if function is not None else None

    def _text(self, node: ts.Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _is_codegen(module: str) -> bool:
    """``load("@fbsource//xplat/executorch/codegen:codegen.bzl", ...)`` and other
    spellings of the file that defines the macros."""
    return os.path.basename(module.replace(":", "/")) == "codegen.bzl"


def _identifiers(node: ts.Node) -> list[ts.Node]:
    if node.type == "identifier":
        return [node]
    if node.type in ("default_parameter", "typed_default_parameter", "typed_parameter"):
        name = node.child_by_field_name("name")
        return [name] if name is not None else []
    return [child for child in node.named_children if child.type == "identifier"]

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

With a ``Loader`` (given by the workspace), a call with a ``name`` of a function loaded
from another ``.bzl`` file is read through the same way, in that file (its own loads,
functions and constants). The loader decides which labels are followed; what it cannot
find, and files that do not parse, define nothing. The values written in the other file
are reported at the call.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import tree_sitter as ts

from .. import grammars
from ..findings import Span
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
# Matches the text of every file that defines a C++ target directly: the kinds contain
# "cxx_", and a loaded symbol can be given another spelling only with escapes or "+".
# (A wrapper loaded from another file may define one without any of these.)
MAY_DEFINE_CXX = re.compile(rb"cxx_|\\|\+")
_WRAPPER_KIND_ARGUMENT = "_kind"
_LOCAL = "local:"
_NESTED_BLOCKS = frozenset({"if_statement", "for_statement", "elif_clause", "else_clause", "block"})


@dataclass(frozen=True)
class LoadedFile:
    """The ``.bzl`` file a ``load()`` names, as the workspace holds it."""

    path: str
    version: int  # the workspace's version of the file when it was read
    data: bytes
    tree: ts.Tree | None  # None: the workspace does not have the file


# (label of a load(), path of the file holding the load()) -> the file, or None when the
# label is not followed.
Loader = Callable[[str, str], LoadedFile | None]


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
    # For a target defined by calling a function: the start of the call inside that
    # function's body (the target's own span is the outer call's), and the file of that
    # body when it is not ``path`` (a wrapper loaded from another .bzl file).
    origin: int | None = None
    origin_path: str | None = None

    def located(self, span: Item | Span | Target) -> Span:
        """Where to report something at ``span``: there when it is inside the target's
        call; for a target defined through a function whose problem lies in the
        function's body, at the call of the function."""
        if self.origin is not None and not self.start <= span.start < self.end:
            return Span(self.callee_start, self.callee_end)
        return Span(span.start, span.end)

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

    @property
    def key(self) -> tuple[str, int, str | None, int | None, str | None]:
        """Tells the targets of a workspace apart (one call of a wrapper may define several,
        all with the span of the call)."""
        return (self.path, self.start, self.origin_path, self.origin, self.name)


@dataclass(frozen=True)
class _Outer:
    """The call (in the file being modelled) of a function whose body is being read
    through."""

    call: ts.Node
    callee: ts.Node
    # (file, function) of the functions being read through (no recursion)
    active: frozenset[tuple[str, str]]


@dataclass
class BuckFile:
    path: str
    loads: tuple[Load, ...]
    functions: frozenset[str]
    targets: tuple[Target, ...]
    has_errors: bool
    # The other .bzl files the targets were read from (and those that were looked for),
    # with their versions in the workspace then.
    sources: tuple[tuple[str, int], ...] = ()
    # Changes when what calls of this file's wrappers from other files read changes.
    wrapper_digest: int | None = None

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


def build(
    path: str, data: bytes, tree: ts.Tree | None = None, loader: Loader | None = None
) -> BuckFile:
    """The model of one Buck/Starlark file (a file that fails to parse gives what can be
    read from the parts that did). ``loader`` finds the .bzl files of wrappers it loads."""
    if tree is None:
        tree = grammars.parse(LanguageId.STARLARK, data)
    return _Builder(path, data, tree.root_node, _Session(path, loader)).build()


class _Session:
    """One model being built: its targets so far, and the .bzl files read for it."""

    def __init__(self, home: str, loader: Loader | None) -> None:
        self.home = home
        self.loader = loader
        self.targets: list[Target] = []
        self.sources: dict[str, int] = {}
        self.readers: dict[str, _Builder] = {}  # by path
        self.by_label: dict[tuple[str, str], _Builder | None] = {}  # by (folder, label)


class _Builder:
    """Reads one file: the file being modelled, or a .bzl file whose wrappers it calls."""

    def __init__(self, path: str, data: bytes, root: ts.Node, session: _Session) -> None:
        self.path = path
        self.data = data
        self.root = root
        self.session = session
        self.is_home = path == session.home
        self.evaluator = Evaluator(data, root)
        self.has_kind_arguments = _WRAPPER_KIND_ARGUMENT.encode() in data
        self.loads: list[Load] = []
        self.functions: set[str] = set()
        self.definitions: dict[str, ts.Node] = {}
        self.module = Scope()

    def build(self) -> BuckFile:
        self._prepare()
        self._walk(self.root, self.module, None)
        return BuckFile(
            self.path,
            tuple(self.loads),
            frozenset(self.functions),
            tuple(self.session.targets),
            self.root.has_error,
            tuple(self.session.sources.items()),
            self._wrapper_digest(),
        )

    def _prepare(self) -> None:
        module = self.module
        self._collect_loads_and_functions(module)
        collect_bindings(self.root, module, self.data)
        for load in self.loads:
            for local, _ in load.symbols:
                module.forget(local)
        for name in self.functions:
            module.forget(name)

    def _wrapper_digest(self) -> int | None:
        """Every top-level statement but comments and functions without parameters (what a
        call of a wrapper reads); None when no other file can call a function of this one
        (only .bzl files are loaded) or it defines no function with parameters."""
        if not self.path.endswith(".bzl"):
            return None
        kept = [
            statement
            for statement in self.root.named_children
            if statement.type != "comment" and not _without_parameters(statement)
        ]
        if not any(statement.type == "function_definition" for statement in kept):
            return None
        return hash(tuple(self.data[s.start_byte : s.end_byte] for s in kept))

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
        read = _Arguments(values, positional, open_arguments)
        if local and self._read_through(self, kind[len(_LOCAL) :], call, read, function, outer):
            return
        if not local and not known and self._read_loaded(kind_node, call, read, function, outer):
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
        self.session.targets.append(
            Target(
                path=self.session.home,
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
                origin_path=None if self.is_home else self.path,
            )
        )

    def _read_through(
        self,
        definer: _Builder,
        name: str,
        call: ts.Node,
        arguments: _Arguments,
        function: str | None,
        outer: _Outer | None,
    ) -> bool:
        """Read the body of ``definer``'s function ``name`` for this call; True when that
        defines targets."""
        if outer is None:
            outer = _Outer(call, call.child_by_field_name("function"), frozenset())
        span = self.evaluator.anchor or (call.start_byte, call.end_byte)
        return definer._expand(name, span, arguments, function, outer)

    def _read_loaded(
        self,
        callee: ts.Node,
        call: ts.Node,
        arguments: _Arguments,
        function: str | None,
        outer: _Outer | None,
    ) -> bool:
        """Read through a function this file loads from another .bzl file."""
        if callee.type != "identifier":
            return False
        found = self._loaded(self._text(callee))
        if found is None:
            return False
        module, exported = found
        definer = self._reader(module)
        if definer is None:
            return False
        return self._read_through(definer, exported, call, arguments, function, outer)

    def _expand(
        self,
        name: str,
        call_span: tuple[int, int],
        arguments: _Arguments,
        function: str | None,
        outer: _Outer,
    ) -> bool:
        """Read the body of this file's function ``name`` with its parameters bound; True
        when that defines targets."""
        definition = self.definitions.get(name)
        body = definition.child_by_field_name("body") if definition is not None else None
        parameters = definition.child_by_field_name("parameters") if body is not None else None
        if parameters is None or not parameters.named_children:
            # define_common_targets(): its targets are read from the definition already
            return (
                self.is_home
                and body is not None
                and any(t.function == name and t.origin is None for t in self.session.targets)
            )
        key = (self.path, name)
        if key in outer.active or len(outer.active) >= MAX_EXPANSION_DEPTH:
            return False
        if not self.is_home:
            self.evaluator.anchor = (outer.callee.start_byte, outer.callee.end_byte)
        scope = bind_parameters(
            definition,
            arguments.keywords,
            arguments.positional,
            arguments.open,
            call_span,
            self.module,
            self.data,
        )
        collect_bindings(body, scope, self.data)
        before = len(self.session.targets)
        self._walk(body, scope, function, _Outer(outer.call, outer.callee, outer.active | {key}))
        return len(self.session.targets) > before

    def _loaded(self, local_name: str) -> tuple[str, str] | None:
        """(module label, exported name) of a symbol this file loads."""
        for load in self.loads:
            for local, exported in load.symbols:
                if local == local_name:
                    return load.module, exported
        return None

    def _reader(self, module: str) -> _Builder | None:
        """The reader of the .bzl file a load() of this file names (None when it is not
        followed, missing, or does not parse)."""
        session = self.session
        if session.loader is None:
            return None
        key = (os.path.dirname(self.path), module)
        if key not in session.by_label:
            session.by_label[key] = self._open(module)
        return session.by_label[key]

    def _open(self, module: str) -> _Builder | None:
        session = self.session
        loaded = session.loader(module, self.path) if session.loader is not None else None
        if loaded is None:
            return None
        session.sources[loaded.path] = loaded.version
        tree = loaded.tree
        if tree is None or tree.root_node.has_error or loaded.path == session.home:
            return None
        reader = session.readers.get(loaded.path)
        if reader is None:
            reader = _Builder(loaded.path, loaded.data, tree.root_node, session)
            reader._prepare()
            session.readers[loaded.path] = reader
        return reader

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


@dataclass(frozen=True)
class _Arguments:
    """The arguments of a call, as read at the call."""

    keywords: dict[str, Item]
    positional: list[Item]
    open: bool  # arguments that could not be read (``**unknown``, ``*args``)


def _without_parameters(statement: ts.Node) -> bool:
    if statement.type != "function_definition":
        return False
    parameters = statement.child_by_field_name("parameters")
    return parameters is None or not parameters.named_children


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

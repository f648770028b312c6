"""What an export script's names refer to: imports, scopes, assignments and CLI defaults.

One ``ScriptModel`` per document (``Document.derived``) answers the questions the export
rules ask: which qualified function a call invokes (through ``import ... as`` and
``from ... import``), which assignments of a name can reach a use in a scope (Python's
function scopes, falling back to enclosing ones), whether a name is changed in place
after its assignment (``append``, ``+=``, passed to a call), and what default an
``argparse`` option has.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import tree_sitter as ts

from ...engine import grammars
from ...engine.document import Document
from ...engine.languages import LanguageId

_BLOCKS = frozenset({"module", "block"})
SCOPE_TYPES = frozenset({"function_definition", "lambda", "class_definition"})
_FUNCTION_TYPES = frozenset({"function_definition", "lambda"})
_PARAMETER_NAME_TYPES = frozenset(
    {"default_parameter", "typed_parameter", "typed_default_parameter"}
)
_DEFAULT_PARAMETER_TYPES = frozenset({"default_parameter", "typed_default_parameter"})
# Methods that change a list or dict in place: a name they are called on may be filled
# after its (empty) assignment.
_MUTATING_METHODS = frozenset(
    {"append", "extend", "insert", "update", "setdefault", "__setitem__", "__iadd__"}
)


# Builtins and logging calls that only read their arguments.
_READ_ONLY_FUNCTIONS = frozenset(
    {
        "all",
        "any",
        "bool",
        "dict",
        "enumerate",
        "frozenset",
        "id",
        "isinstance",
        "iter",
        "len",
        "list",
        "print",
        "repr",
        "reversed",
        "set",
        "sorted",
        "str",
        "tuple",
        "type",
        "zip",
    }
)
_LOGGING_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception"})


def text(node: ts.Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text else ""


def unwrap(node: ts.Node) -> ts.Node:
    """The expression inside any parentheses."""
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


@dataclass(frozen=True)
class Binding:
    """One place a name is given a value. ``value`` is None when the value is not a
    plain expression (a loop target, ``with ... as``, tuple unpacking, an import)."""

    name: str
    target: ts.Node
    value: ts.Node | None


@dataclass(frozen=True)
class _ScopeFacts:
    """What one walk of a scope's own statements finds (nested scopes left out)."""

    declared: set[str]  # global/nonlocal: bound elsewhere
    parameters: set[str]
    bindings: dict[str, list[Binding]]


@dataclass(frozen=True)
class CliOption:
    """An ``add_argument`` call: the attribute it fills and what it holds by default."""

    dest: str
    call: ts.Node
    default: ts.Node | None  # the ``default=`` expression
    implicit_default: object  # False/True for store_true/store_false, else None


class ScriptModel:
    def __init__(self, tree: ts.Tree) -> None:
        self.root = tree.root_node

    # -- imports ----------------------------------------------------------------------
    @cached_property
    def imports(self) -> dict[str, str]:
        """Local name -> qualified name, from every import statement in the file (the
        scripts import inside functions too; a name imported twice keeps the first)."""
        names: dict[str, str] = {}
        for node in self._nodes.get("import", []):
            for local, qualified in _imported_names(node):
                names.setdefault(local, qualified)
        return names

    def qualified_name(self, node: ts.Node) -> str | None:
        """``exir.to_edge`` -> ``executorch.exir.to_edge`` when ``exir`` is an imported
        module; a bare name -> what it was imported as; None for anything else."""
        node = unwrap(node)
        if node.type == "identifier":
            return self._imported_as(node)
        if node.type == "attribute":
            owner = node.child_by_field_name("object")
            owner_name = self.qualified_name(owner) if owner is not None else None
            attribute = node.child_by_field_name("attribute")
            if owner_name is not None and attribute is not None:
                return f"{owner_name}.{text(attribute)}"
        return None

    def _imported_as(self, name: ts.Node) -> str | None:
        """What ``name`` was imported as, unless the scope it is used in rebinds it."""
        local = text(name)
        if local not in self.imports:
            return None
        scope = self.scope_of(name)
        key = (_key(scope), local)
        cache: dict = self.__dict__.setdefault("_imported_as_cache", {})
        if key not in cache:
            cache[key] = self._resolve_import(name, local)
        return cache[key]

    def _resolve_import(self, name: ts.Node, local: str) -> str | None:
        resolved = self.resolve(name)
        if resolved is None:
            return None
        _, bindings = resolved
        meanings = set()
        for binding in bindings:
            if binding.target.type not in ("import_statement", "import_from_statement"):
                return None
            meanings.update(q for n, q in self._names_imported_by(binding.target) if n == local)
        return meanings.pop() if len(meanings) == 1 else None

    def _names_imported_by(self, statement: ts.Node) -> list[tuple[str, str]]:
        cache: dict = self.__dict__.setdefault("_statement_imports", {})
        key = _key(statement)
        if key not in cache:
            cache[key] = list(_imported_names(statement))
        return cache[key]

    @property
    def all_imports(self) -> list[ts.Node]:
        """Every import statement, at any depth (``import_statements`` is the top level)."""
        return self._nodes.get("import", [])

    def import_statements(self) -> list[ts.Node]:
        return [
            child
            for child in self.root.named_children
            if child.type
            in ("import_statement", "import_from_statement", "future_import_statement")
        ]

    # -- calls ------------------------------------------------------------------------
    @cached_property
    def _nodes(self) -> dict[str, list[ts.Node]]:
        query = grammars.compile_query(LanguageId.PYTHON, "python/script_nodes.scm")
        found = ts.QueryCursor(query).captures(self.root)
        return {name: sorted(nodes, key=lambda n: n.start_byte) for name, nodes in found.items()}

    @property
    def calls(self) -> list[ts.Node]:
        return self._nodes.get("call", [])

    @property
    def comments(self) -> list[ts.Node]:
        return self._nodes.get("comment", [])

    def calls_named(self, names: set[str]) -> Iterator[ts.Node]:
        """Calls whose function is spelled with one of ``names`` last (``f(...)``,
        ``mod.f(...)``) or with a name imported as one of them (cheap: no resolution)."""
        spellings = set(names) | {
            local
            for local, qualified in self.imports.items()
            if qualified.rsplit(".", 1)[-1] in names
        }
        for call in self.calls:
            function = call.child_by_field_name("function")
            if function is not None and last_name(function) in spellings:
                yield call

    def calls_to(self, name: str, matches) -> Iterator[tuple[ts.Node, str]]:
        """Calls of a function spelled ``name`` (bare or as an attribute) whose qualified
        name satisfies ``matches``."""
        for call in self.calls_named({name}):
            qualified = self.qualified_name(call.child_by_field_name("function"))
            if qualified is not None and matches(qualified):
                yield call, qualified

    # -- scopes and bindings ----------------------------------------------------------
    def scope_of(self, node: ts.Node) -> ts.Node:
        """The innermost function (or the module) whose local names ``node`` sees."""
        current = node.parent
        while current is not None:
            if current.type in _FUNCTION_TYPES:
                return current
            current = current.parent
        return self.root

    def enclosing_scopes(self, node: ts.Node) -> Iterator[ts.Node]:
        scope = self.scope_of(node)
        yield scope
        while scope is not self.root and scope != self.root:
            scope = self.scope_of(scope)
            yield scope

    def parameters(self, scope: ts.Node) -> set[str]:
        return self._scope_facts(scope).parameters

    def parameter_default(self, use: ts.Node) -> ts.Node | None:
        """The default value of the parameter that the name used at ``use`` refers to
        (``dropout`` in ``def __init__(self, dropout=0.1)``), when it is one and has one."""
        name = text(use)
        for scope in self.enclosing_scopes(use):
            if scope.type not in _FUNCTION_TYPES or name not in self.parameters(scope):
                if self.bindings_in(scope, name):
                    return None
                continue
            parameters = scope.child_by_field_name("parameters")
            for parameter in parameters.named_children if parameters is not None else ():
                if parameter.type in _DEFAULT_PARAMETER_TYPES and (
                    text(parameter.child_by_field_name("name")) == name
                ):
                    return parameter.child_by_field_name("value")
            return None
        return None

    def bindings_in(self, scope: ts.Node, name: str) -> list[Binding]:
        return self._scope_facts(scope).bindings.get(name, [])

    def resolve(self, use: ts.Node) -> tuple[ts.Node, list[Binding]] | None:
        """The scope that defines the name used at ``use`` and its bindings there; None
        when it is a parameter, declared ``global``/``nonlocal``, or bound nowhere."""
        name = text(use)
        for scope in self.enclosing_scopes(use):
            if scope.type in _FUNCTION_TYPES and name in self.parameters(scope):
                return None
            if name in self._declared_elsewhere(scope):
                return None
            bindings = self.bindings_in(scope, name)
            if bindings:
                return scope, bindings
        return None

    def docstring(self, scope: ts.Node) -> ts.Node | None:
        """The string that opens a module or function body."""
        body = _scope_body(scope)
        first = (
            next((c for c in body.named_children if c.type != "comment"), None) if body else None
        )
        if first is None or first.type != "expression_statement" or not first.named_children:
            return None
        string = first.named_children[0]
        return string if string.type == "string" else None

    def comments_near(self, node: ts.Node, lines_above: int = 3) -> list[ts.Node]:
        """Comments on the lines of ``node``'s statement, the few lines above it, and the
        whole comment block directly above it."""
        statement = node
        while statement.parent is not None and statement.parent.type not in _BLOCKS:
            statement = statement.parent
        first = statement.start_point.row - lines_above
        last = statement.end_point.row
        rows = {comment.start_point.row: comment for comment in self.comments}
        block_top = statement.start_point.row - 1
        while block_top in rows:
            block_top -= 1
        first = min(first, block_top + 1)
        return [comment for row, comment in rows.items() if first <= row <= last]

    def uses_in(self, scope: ts.Node, name: str) -> Iterator[ts.Node]:
        """Identifiers spelling ``name`` in ``scope`` (nested functions included)."""
        pattern = re.compile(rb"(?<![\w.])" + re.escape(name.encode()) + rb"\b")
        data = self.root.text or b""
        for match in pattern.finditer(data, scope.start_byte, scope.end_byte):
            node = self.root.descendant_for_byte_range(match.start(), match.end())
            if node is not None and node.type == "identifier" and node.parent is not None:
                yield node

    def sole_value(self, name: ts.Node) -> tuple[ts.Node, ts.Node] | None:
        """The scope that defines the name used at ``name`` and the one value it is given
        there; None when it is a parameter, bound in several places or not by a plain
        expression (a loop target, ``with ... as``, an import)."""
        resolved = self.resolve(name)
        if resolved is None:
            return None
        scope, bindings = resolved
        if len(bindings) != 1 or bindings[0].value is None:
            return None
        return scope, bindings[0].value

    def fixed_value(self, name: ts.Node, consumer: ts.Node | None) -> ts.Node | None:
        """``sole_value``, unless the name is also changed in place (outside ``consumer``,
        the call that reads it)."""
        found = self.sole_value(name)
        if found is None or self.changed_in_place(found[0], text(name), consumer):
            return None
        return found[1]

    def changed_in_place(self, scope: ts.Node, name: str, except_in: ts.Node | None) -> bool:
        """Whether ``name`` may be filled or replaced other than by plain assignment in
        ``scope`` or any function nested in it: a mutating method, augmented
        assignment, item assignment, or being handed to a call (outside ``except_in``)."""
        return any(
            _mutated_at(node) for node in self.uses_in(scope, name) if not _inside(node, except_in)
        )

    def _declared_elsewhere(self, scope: ts.Node) -> set[str]:
        return self._scope_facts(scope).declared

    def _scope_facts(self, scope: ts.Node) -> _ScopeFacts:
        cache = self.__dict__.setdefault("_scope_cache", {})
        key = _key(scope)
        if key not in cache:
            declared: set[str] = set()
            by_name: dict[str, list[Binding]] = {}
            for node in _own_nodes(_scope_body(scope), _FACT_TYPES):
                if node.type in ("global_statement", "nonlocal_statement"):
                    declared.update(text(child) for child in node.named_children)
                    continue
                for binding in _bindings_of(node):
                    by_name.setdefault(binding.name, []).append(binding)
            parameters = _parameters(scope) if scope.type in _FUNCTION_TYPES else set()
            cache[key] = _ScopeFacts(declared, parameters, by_name)
        return cache[key]

    # -- argparse ---------------------------------------------------------------------
    @cached_property
    def cli_options(self) -> dict[str, list[CliOption]]:
        options: dict[str, list[CliOption]] = {}
        for call in self.calls:
            function = call.child_by_field_name("function")
            if function is None or function.type != "attribute":
                continue
            if text(function.child_by_field_name("attribute")) != "add_argument":
                continue
            option = _cli_option(call)
            if option is not None:
                options.setdefault(option.dest, []).append(option)
        return options

    def cli_option(self, node: ts.Node) -> CliOption | None:
        """The option behind ``args.name``, when ``args`` holds ``parse_args()`` (or is a
        parameter of the function) and exactly one ``add_argument`` fills ``name``."""
        node = unwrap(node)
        if node.type != "attribute":
            return None
        owner = node.child_by_field_name("object")
        if owner is None or owner.type != "identifier" or not self._holds_parsed_args(owner):
            return None
        found = self.cli_options.get(text(node.child_by_field_name("attribute")), [])
        return found[0] if len(found) == 1 else None

    def _holds_parsed_args(self, owner: ts.Node) -> bool:
        resolved = self.resolve(owner)
        if resolved is None:
            return True  # a parameter (``def main(args)``) or a module-level name
        _, bindings = resolved
        return all(
            binding.value is not None and _is_parse_args(binding.value) for binding in bindings
        )


def script_model(document: Document) -> ScriptModel:
    return document.derived("python-script-model", lambda: ScriptModel(document.tree))


# -- tree walking ---------------------------------------------------------------------
def _key(node: ts.Node) -> tuple[int, int, str]:
    return (node.start_byte, node.end_byte, node.type)


def _parameters(scope: ts.Node) -> set[str]:
    parameters = scope.child_by_field_name("parameters")
    names: set[str] = set()
    for parameter in parameters.named_children if parameters is not None else ():
        if parameter.type == "identifier":
            names.add(text(parameter))
        elif parameter.type in _PARAMETER_NAME_TYPES:
            name = parameter.child_by_field_name("name") or parameter.named_children[0]
            names.add(text(name))
        elif parameter.named_children:
            names.add(text(parameter.named_children[0]))
    return names


def last_name(function: ts.Node) -> str:
    """``f`` of ``f`` and of ``mod.f``."""
    if function.type == "attribute":
        return text(function.child_by_field_name("attribute"))
    return text(function)


def _own_nodes(body: ts.Node | None, types: tuple[str, ...]) -> Iterator[ts.Node]:
    """Nodes of ``types`` in ``body`` outside nested functions, lambdas and classes."""
    if body is None:
        return
    stack = list(reversed(body.named_children))
    while stack:
        node = stack.pop()
        if node.type in types:
            yield node
        if node.type in SCOPE_TYPES:
            # A nested definition binds its own name in this scope; its body is its own.
            continue
        stack.extend(reversed(node.named_children))


def _scope_body(scope: ts.Node) -> ts.Node | None:
    if scope.type == "module":
        return scope
    return scope.child_by_field_name("body")


def _inside(node: ts.Node, container: ts.Node | None) -> bool:
    return container is not None and container.start_byte <= node.start_byte < container.end_byte


_BINDING_TYPES = (
    "assignment",
    "augmented_assignment",
    "named_expression",
    "for_statement",
    "for_in_clause",
    "as_pattern",
    "function_definition",
    "class_definition",
    "import_statement",
    "import_from_statement",
)


_FACT_TYPES = (*_BINDING_TYPES, "global_statement", "nonlocal_statement")


def _bindings_of(node: ts.Node) -> Iterator[Binding]:
    kind = node.type
    if kind == "assignment":
        right = node.child_by_field_name("right")
        value = right if right is not None and right.type != "assignment" else None
        if right is not None and right.type == "assignment":
            value = _final_value(right)
        yield from _targets(node.child_by_field_name("left"), value)
    elif kind == "augmented_assignment":
        yield from _targets(node.child_by_field_name("left"), None)
    elif kind == "named_expression":
        yield from _targets(node.child_by_field_name("name"), node.child_by_field_name("value"))
    elif kind in ("for_statement", "for_in_clause"):
        yield from _targets(node.child_by_field_name("left"), None)
    elif kind == "as_pattern":
        alias = node.child_by_field_name("alias")
        if alias is not None:
            yield from _targets(alias, None)
    elif kind in ("function_definition", "class_definition"):
        yield from _targets(node.child_by_field_name("name"), None)
    else:  # imports
        for local, _ in _imported_names(node):
            yield Binding(local, node, None)


def _final_value(assignment: ts.Node) -> ts.Node | None:
    while assignment.type == "assignment":
        right = assignment.child_by_field_name("right")
        if right is None:
            return None
        assignment = right
    return assignment


_UNPACKED_TARGETS = frozenset(
    {
        "pattern_list",
        "tuple_pattern",
        "list_pattern",
        "as_pattern_target",
        "list_splat_pattern",
        "parenthesized_expression",
    }
)


def _targets(target: ts.Node | None, value: ts.Node | None) -> Iterator[Binding]:
    if target is None:
        return
    if target.type == "identifier":
        yield Binding(text(target), target, value)
    elif target.type in _UNPACKED_TARGETS:
        for child in target.named_children:
            yield from _targets(child, None)


def _mutated_at(node: ts.Node) -> bool:
    parent = node.parent
    if parent is None:
        return False
    if parent.type == "attribute" and parent.child_by_field_name("object") == node:
        call = parent.parent
        method = text(parent.child_by_field_name("attribute"))
        return call is not None and call.type == "call" and method in _MUTATING_METHODS
    if parent.type == "augmented_assignment" and parent.child_by_field_name("left") == node:
        return True
    if parent.type == "subscript" and parent.child_by_field_name("value") == node:
        holder = parent.parent
        return (
            holder is not None
            and holder.type in ("assignment", "augmented_assignment", "delete_statement")
            and holder.child_by_field_name("left") in (parent, None)
        )
    if parent.type == "keyword_argument":
        if parent.child_by_field_name("value") != node:
            return False
        parent = parent.parent
    elif parent.type == "list_splat":
        parent = parent.parent
    if parent is None or parent.type != "argument_list":
        return False
    return not _reads_only(parent.parent)  # handed to a function, which may fill it


def _reads_only(call: ts.Node | None) -> bool:
    function = call.child_by_field_name("function") if call is not None else None
    if function is None:
        return False
    if function.type == "identifier":
        return text(function) in _READ_ONLY_FUNCTIONS
    return (
        function.type == "attribute"
        and text(function.child_by_field_name("attribute")) in _LOGGING_METHODS
    )


# -- imports --------------------------------------------------------------------------
def _imported_names(node: ts.Node) -> Iterator[tuple[str, str]]:
    if node.type == "import_statement":
        for name in node.children_by_field_name("name"):
            if name.type == "aliased_import":
                yield (
                    text(name.child_by_field_name("alias")),
                    text(name.child_by_field_name("name")),
                )
            else:
                dotted = text(name)
                head = dotted.split(".")[0]
                yield head, head
        return
    module = node.child_by_field_name("module_name")
    if module is None or module.type == "relative_import":
        return
    base = text(module)
    for name in node.children_by_field_name("name"):
        if name.type == "aliased_import":
            original = text(name.child_by_field_name("name"))
            yield text(name.child_by_field_name("alias")), f"{base}.{original}"
        else:
            yield text(name), f"{base}.{text(name)}"


# -- argparse -------------------------------------------------------------------------
def _is_parse_args(value: ts.Node) -> bool:
    value = unwrap(value)
    if value.type == "subscript":  # parse_known_args()[0]
        inner = value.child_by_field_name("value")
        return inner is not None and _is_parse_args(inner)
    if value.type != "call":
        return False
    function = value.child_by_field_name("function")
    if function is None or function.type != "attribute":
        return False
    return text(function.child_by_field_name("attribute")) in ("parse_args", "parse_known_args")


def call_arguments(call: ts.Node) -> tuple[list[ts.Node], dict[str, ts.Node]]:
    """A call's positional arguments (``*``/``**`` splats left out) and its keyword ones."""
    arguments = call.child_by_field_name("arguments")
    positional: list[ts.Node] = []
    keywords: dict[str, ts.Node] = {}
    for child in arguments.named_children if arguments is not None else ():
        if child.type == "keyword_argument":
            name, value = child.child_by_field_name("name"), child.child_by_field_name("value")
            if name is not None and value is not None:
                keywords[text(name)] = value
        elif child.type not in ("comment", "list_splat", "dictionary_splat"):
            positional.append(child)
    return positional, keywords


def is_method_call(node: ts.Node, method: str) -> bool:
    """``x.method(...)``."""
    function = node.child_by_field_name("function") if node.type == "call" else None
    return (
        function is not None
        and function.type == "attribute"
        and text(function.child_by_field_name("attribute")) == method
    )


def string_value(node: ts.Node) -> str | None:
    """The text of a plain string literal (None for f-strings and other nodes)."""
    if node.type != "string":
        return None
    content = [child for child in node.named_children if child.type == "string_content"]
    if any(child.type == "interpolation" for child in node.named_children):
        return None
    return "".join(text(child) for child in content)


def _cli_option(call: ts.Node) -> CliOption | None:
    arguments = call.child_by_field_name("arguments")
    if arguments is None:
        return None
    flags = [
        value
        for value in (string_value(a) for a in arguments.named_children if a.type == "string")
        if value is not None
    ]
    keywords = call_arguments(call)[1]
    dest_node = keywords.get("dest")
    dest = string_value(dest_node) if dest_node is not None else None
    if dest is None:
        longs = [flag for flag in flags if flag.startswith("--")]
        chosen = longs[0] if longs else (flags[0] if flags else None)
        if chosen is None:
            return None
        dest = chosen.lstrip("-").replace("-", "_")
    action = keywords.get("action")
    action_name = string_value(action) if action is not None else None
    implicit = {"store_true": False, "store_false": True}.get(action_name or "")
    return CliOption(dest, call, keywords.get("default"), implicit)

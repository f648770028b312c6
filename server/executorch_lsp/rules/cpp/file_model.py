"""A lazy model of one C++ file: functions, lambdas, declarations and member types.

It answers two questions for the order-of-events rules: what type does a
receiver have (from its declaration in this file), and which function of this
file does a call reach. Everything is computed on demand and cached, from text
searches and small byte-range queries, so the cost follows the code around the
anchors a rule looks at, not the size of the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import tree_sitter as ts

from ...engine import grammars
from ...engine.languages import LanguageId
from .model_loads import TypeInfo, declared_type, type_from_initializer
from .syntax import ancestors, declarator_name, function_name, member_call, path_parts, text

NESTED_BODIES = frozenset({"lambda_expression", "class_specifier", "struct_specifier"})
_SCOPES = frozenset(
    {
        "compound_statement",
        "for_statement",
        "for_range_loop",
        "catch_clause",
        "if_statement",
        "while_statement",
        "switch_statement",
        "lambda_expression",
        "function_definition",
    }
)
_PARAMETER_SCOPES = frozenset({"function_definition", "lambda_expression", "catch_clause"})
# Containers that hold function definitions; function bodies are never entered.
_CONTAINERS = frozenset(
    {
        "translation_unit",
        "namespace_definition",
        "declaration_list",
        "template_declaration",
        "linkage_specification",
        "preproc_if",
        "preproc_ifdef",
        "preproc_else",
        "preproc_elif",
        "class_specifier",
        "struct_specifier",
        "field_declaration_list",
        "declaration",
        "type_definition",
        "field_declaration",
    }
)
_WORD = re.compile(r"[A-Za-z_]\w*")
_FIND_LIMIT = 64
_MACRO_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_LIBRARY_WORDS = frozenset({"std", "auto", "const", "unsigned", "signed", "struct", "class"})


def _class_words(type_text: str) -> set[str]:
    """Words of a declared type that may name a class of this file (not std or builtins)."""
    if type_text.lstrip(":").startswith("std::"):
        return set()
    return {w for w in _WORD.findall(type_text) if w not in _LIBRARY_WORDS and w[0].isupper()}


@dataclass(eq=False)
class Unit:
    """A function body or a lambda body: the unit of order analysis."""

    node: ts.Node
    body: ts.Node
    name: str
    class_name: str | None
    is_lambda: bool = False


@dataclass(frozen=True)
class Variable:
    name: str
    start: int  # where the declaration starts
    scope_end: int  # where its enclosing scope ends
    type: TypeInfo | None
    type_text: str = ""
    lambda_node: ts.Node | None = None
    value: ts.Node | None = None  # the initializer, when there is one
    is_function: bool = False  # a function declaration (``void f(int);``), not a variable


FieldLookup = Callable[[str], dict[str, TypeInfo]]


class FileModel:
    def __init__(
        self, root: ts.Node, data: bytes, header_fields: FieldLookup | None = None
    ) -> None:
        self.root = root
        self.data = data
        # Fields of classes defined in other files (the headers this file includes).
        self.header_fields = header_fields
        self._declarations = grammars.compile_query(LanguageId.CPP, "cpp/declarations.scm")
        self._units: dict[int, Unit] = {}
        self._scope_variables: dict[int, dict[str, list[Variable]]] = {}
        self._fields: dict[str, dict[str, TypeInfo]] = {}
        self._hints: dict[str, TypeInfo | None] = {}
        self._functions: dict[str, list[Unit]] = {}
        self._globals: dict[str, list[Variable]] = {}

    # -- text search ---------------------------------------------------------------------
    def occurrences(self, word: str) -> list[int]:
        """Offsets of ``word`` as a whole identifier.

        ``bytes.find`` is ~30x faster than a regex scan when the word is rare inside
        other words; short or common words fall back to one regex pass.
        """
        data, needle = self.data, word.encode()
        if data.count(needle) > _FIND_LIMIT:
            pattern = re.compile(rb"\b" + re.escape(needle) + rb"\b")
            return [match.start() for match in pattern.finditer(data)]
        found = []
        index = data.find(needle)
        while index >= 0:
            end = index + len(needle)
            if not _is_word_byte(data, index - 1) and not _is_word_byte(data, end):
                found.append(index)
            index = data.find(needle, end)
        return found

    def node_at(self, offset: int) -> ts.Node | None:
        return self.root.descendant_for_byte_range(offset, offset + 1)

    # -- units -----------------------------------------------------------------------------
    def unit_for(self, node: ts.Node) -> Unit:
        """The Unit of a function_definition or lambda_expression node (cached)."""
        unit = self._units.get(node.id)
        if unit is None:
            body = node.child_by_field_name("body")
            if node.type == "lambda_expression":
                unit = Unit(node, body, "<lambda>", None, is_lambda=True)
            else:
                name, class_name = function_name(node, self.data)
                unit = Unit(node, body, name, class_name)
            self._units[node.id] = unit
        return unit

    def unit_at(self, node: ts.Node) -> Unit | None:
        """The innermost function or lambda whose body contains ``node``."""
        for current in ancestors(node, self.root):
            if current.type in ("function_definition", "lambda_expression"):
                body = current.child_by_field_name("body")
                if body is not None and body.start_byte <= node.start_byte < body.end_byte:
                    return self.unit_for(current)
        return None

    def functions_named(self, name: str) -> list[Unit]:
        """Function definitions (with a body) named ``name``, found by text search."""
        cached = self._functions.get(name)
        if cached is None:
            cached = []
            for offset in self.occurrences(name):
                definition = _definition_of_name(self.node_at(offset))
                if definition is not None:
                    cached.append(self.unit_for(definition))
            self._functions[name] = cached
        return cached

    # -- declarations ----------------------------------------------------------------------
    def _variables_in(self, scope: ts.Node) -> dict[str, list[Variable]]:
        cached = self._scope_variables.get(scope.id)
        if cached is not None:
            return cached
        variables: dict[str, list[Variable]] = {}
        cursor = ts.QueryCursor(self._declarations)
        cursor.set_byte_range(scope.start_byte, scope.end_byte)
        for _, captures in cursor.matches(scope):
            for node in captures.get("declaration", []) + captures.get("parameter", []):
                for variable in self._declared(node):
                    variables.setdefault(variable.name, []).append(variable)
        self._scope_variables[scope.id] = variables
        return variables

    def _declared(self, node: ts.Node) -> list[Variable]:
        scope = node.parent
        kinds = _PARAMETER_SCOPES if "parameter" in node.type else _SCOPES
        while scope is not None and scope.type not in kinds:
            scope = scope.parent
        scope_end = scope.end_byte if scope is not None else len(self.data)
        result = []
        for declarator in node.children_by_field_name("declarator"):
            name, _ = declarator_name(declarator, self.data)
            if not name:
                continue
            value = (
                declarator.child_by_field_name("value")
                if declarator.type == "init_declarator"
                else None
            )
            type_text = text(node.child_by_field_name("type"), self.data)
            if value is not None and type_text == "auto":
                type_text = text(value.child_by_field_name("function"), self.data)
            is_lambda = value is not None and value.type == "lambda_expression"
            result.append(
                Variable(
                    name=name,
                    start=node.start_byte,
                    scope_end=scope_end,
                    type=declared_type(node, declarator, self.data),
                    type_text=type_text,
                    lambda_node=value if is_lambda else None,
                    value=value,
                    is_function=declarator.type == "function_declarator",
                )
            )
        return result

    def _outermost_unit_node(self, node: ts.Node) -> ts.Node | None:
        around = ancestors(node, self.root)
        return next((n for n in reversed(around) if n.type == "function_definition"), None)

    def _globals_named(self, name: str) -> list[Variable]:
        """Namespace-scope declarations of ``name``, found by text search."""
        cached = self._globals.get(name)
        if cached is None:
            cached = []
            for offset in self.occurrences(name):
                declaration = _namespace_declaration_of(self.node_at(offset), self.root)
                if declaration is not None:
                    cached.extend(v for v in self._declared(declaration) if v.name == name)
            self._globals[name] = cached
        return cached

    def lookup(self, name: str, at: ts.Node) -> Variable | None:
        """The innermost declaration of ``name`` visible at ``at``."""
        outer = self._outermost_unit_node(at)
        local = self._variables_in(outer).get(name, []) if outer is not None else []
        visible = [v for v in local if v.start <= at.start_byte < v.scope_end]
        if not visible:  # only then search the namespace scope (a text search)
            visible = [v for v in self._globals_named(name) if v.start <= at.start_byte]
        return max(visible, key=lambda v: v.start) if visible else None

    # -- members ---------------------------------------------------------------------------
    def fields_of(self, class_name: str) -> dict[str, TypeInfo]:
        if class_name not in self._fields:
            fields: dict[str, TypeInfo] = {}
            for offset in self.occurrences(class_name):
                node = self.node_at(offset)
                parent = node.parent if node is not None else None
                if parent is None or parent.type not in ("class_specifier", "struct_specifier"):
                    continue
                body = parent.child_by_field_name("body")
                for member in body.named_children if body is not None else ():
                    if member.type != "field_declaration":
                        continue
                    for declarator in member.children_by_field_name("declarator"):
                        name, _ = declarator_name(declarator, self.data)
                        found = declared_type(member, declarator, self.data)
                        if name and found:
                            fields[name] = found
            self._fields[class_name] = fields
        return self._fields[class_name]

    def member_hint(self, name: str) -> TypeInfo | None:
        """A member's type learnt from ``m_ = make_unique<Module>(...)`` or ``m_(...)`` inits."""
        if name not in self._hints:
            self._hints[name] = None  # while searching: a hint that leads back here is none
            try:
                self._hints[name] = self._search_hint(name)
            except BaseException:
                del self._hints[name]  # stopped half way (a time limit): search again later
                raise
        return self._hints[name]

    def _search_hint(self, name: str) -> TypeInfo | None:
        for offset in self.occurrences(name):
            node = self.node_at(offset)
            found = self._hint_from(node) if node is not None else None
            if found is not None:
                return found
        return None

    def _hint_from(self, node: ts.Node) -> TypeInfo | None:
        parent = node.parent
        if parent is not None and parent.type == "field_expression":
            node, parent = parent, parent.parent
        if parent is None:
            return None
        if parent.type == "assignment_expression" and parent.child_by_field_name("left") == node:
            return type_from_initializer(parent.child_by_field_name("right"), self.data)
        if parent.type == "field_initializer":
            arguments = next((c for c in parent.named_children if c.type == "argument_list"), None)
            if arguments is not None and arguments.named_child_count == 1:
                return type_from_initializer(arguments.named_children[0], self.data)
        return None

    def class_of(self, unit: Unit | None) -> str | None:
        """The class of the method ``unit`` is (or whose lambda it is) in."""
        while unit is not None and unit.is_lambda:
            unit = self.unit_at(unit.node)
        return unit.class_name if unit is not None else None

    def receiver_type(self, receiver: ts.Node, unit: Unit | None) -> TypeInfo | None:
        if receiver.type == "field_expression":
            base = receiver.child_by_field_name("argument")
            if base is None or base.type != "this":
                return None
            receiver = receiver.child_by_field_name("field")
        if receiver is None or receiver.type not in ("identifier", "field_identifier"):
            return None
        name = text(receiver, self.data)
        if receiver.type == "identifier":
            variable = self.lookup(name, receiver)
            if variable is not None:
                return variable.type
        class_name = self.class_of(unit)
        if class_name and name in self.fields_of(class_name):
            return self.fields_of(class_name)[name]
        hint = self.member_hint(name)
        if hint is None and class_name and self.header_fields is not None:
            return self.header_fields(class_name).get(name)
        return hint

    # -- calls -----------------------------------------------------------------------------
    def resolve_call(self, call: ts.Node, unit: Unit | None) -> Unit | None:
        """The function or local lambda of this file that ``call`` reaches, if known.

        Macros (ALL_CAPS), ``std::`` functions and members of library types are never
        functions of this file, so they are not searched for.
        """
        function = call.child_by_field_name("function")
        if function is None:
            return None
        if function.type == "identifier":
            name = text(function, self.data)
            if _MACRO_NAME.fullmatch(name):
                return None
            variable = self.lookup(name, call)
            if variable is not None:
                return self.unit_for(variable.lambda_node) if variable.lambda_node else None
            return self._pick(name, self.class_of(unit))
        if function.type == "qualified_identifier":
            parts = path_parts(text(function, self.data))
            if not parts or parts[0] == "std" or _MACRO_NAME.fullmatch(parts[-1]):
                return None
            return self._pick(parts[-1], parts[-2] if len(parts) > 1 else None, exact=True)
        member = member_call(call, self.data)
        if member is None:
            return None
        receiver, _, name = member
        if receiver.type == "this":
            return self._pick(name, self.class_of(unit), exact=True)
        if receiver.type == "identifier":
            variable = self.lookup(text(receiver, self.data), call)
            words = _class_words(variable.type_text) if variable is not None else set()
            if words:
                return next(
                    (unit for unit in self.functions_named(name) if unit.class_name in words), None
                )
        return None

    def _pick(self, name: str, class_name: str | None, exact: bool = False) -> Unit | None:
        candidates = self.functions_named(name)
        same_class = [unit for unit in candidates if unit.class_name == class_name]
        if same_class:
            return same_class[0]
        if exact:
            return None
        free = [unit for unit in candidates if unit.class_name is None]
        return free[0] if free else None

    def method_calls(self, method: str) -> list[ts.Node]:
        """Every call ``x.method(...)`` / ``x->method(...)`` in this file, by text search."""
        calls = []
        for offset in self.occurrences(method):
            node = self.node_at(offset)
            if node is not None and node.type == "field_identifier":
                call = call_of_name(node)
                if call is not None:
                    calls.append(call)
        return calls

    def callers(self, unit: Unit) -> list[tuple[Unit, ts.Node]]:
        """Calls in this file that reach ``unit`` (by name, then confirmed by resolution)."""
        if unit.is_lambda or not unit.name:
            return []
        found = []
        for offset in self.occurrences(unit.name):
            node = self.node_at(offset)
            call = call_of_name(node)
            if call is None:
                continue
            caller = self.unit_at(call)
            if (
                caller is not None
                and caller is not unit
                and self.resolve_call(call, caller) is unit
            ):
                found.append((caller, call))
        return found


def _definition_of_name(node: ts.Node | None) -> ts.Node | None:
    """The function_definition whose declarator names ``node`` (``f``, ``C::f``)."""
    current = node
    while (
        current is not None
        and current.parent is not None
        and current.parent.type in ("qualified_identifier", "destructor_name", "operator_name")
    ):
        current = current.parent
    declarator = current.parent if current is not None else None
    if declarator is None or declarator.type != "function_declarator":
        return None
    if declarator.child_by_field_name("declarator") != current:
        return None
    outer = declarator.parent
    while outer is not None and outer.type in ("pointer_declarator", "reference_declarator"):
        outer = outer.parent
    if outer is None or outer.type != "function_definition":
        return None
    return outer if outer.child_by_field_name("body") is not None else None


_NAMESPACE_SCOPES = frozenset(
    {
        "translation_unit",
        "declaration_list",
        "preproc_if",
        "preproc_ifdef",
        "preproc_else",
        "linkage_specification",
    }
)


def _namespace_declaration_of(node: ts.Node | None, root: ts.Node) -> ts.Node | None:
    if node is None:
        return None
    chain = [node, *ancestors(node, root)]
    for index, current in enumerate(chain):
        if current.type in ("function_definition", "compound_statement", "field_declaration_list"):
            return None
        if current.type == "declaration":
            parent = chain[index + 1] if index + 1 < len(chain) else None
            return current if parent is not None and parent.type in _NAMESPACE_SCOPES else None
    return None


def _is_word_byte(data: bytes, index: int) -> bool:
    if index < 0 or index >= len(data):
        return False
    byte = data[index]
    return byte == 95 or 48 <= byte <= 57 or 65 <= byte <= 90 or 97 <= byte <= 122 or byte > 127


def call_of_name(node: ts.Node | None) -> ts.Node | None:
    """The call whose callee ends with ``node`` (``f()``, ``ns::f()``, ``x.f()``)."""
    current = node
    while (
        current is not None
        and current.parent is not None
        and current.parent.type in ("qualified_identifier", "field_expression", "template_function")
    ):
        current = current.parent
    parent = current.parent if current is not None else None
    if (
        parent is not None
        and parent.type == "call_expression"
        and parent.child_by_field_name("function") == current
    ):
        return parent
    return None

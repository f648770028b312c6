"""Literal values of Starlark expressions, evaluated only as far as they are certain.

Strings, numbers, booleans, None, lists and dicts written out in the file are evaluated;
so are names bound exactly once in their scope (and never mutated) and ``+`` on known
parts. Anything else (calls such as ``select()`` or ``read_config()``, comprehensions,
parameters, loop variables) is ``UNKNOWN``. A list with unknown parts keeps its known
items and is marked incomplete: its items are certain, its length is not.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property

import tree_sitter as ts

from .. import grammars
from ..languages import LanguageId


class Unknown:
    """A value that cannot be known without running the build."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()


@dataclass(frozen=True)
class Item:
    """A value and the bytes of the expression it came from."""

    value: Value
    start: int
    end: int


@dataclass(frozen=True)
class ListValue:
    items: tuple[Item, ...]
    complete: bool  # False: more elements may be added by parts that are unknown

    def strings(self) -> Iterator[Item]:
        """The items that are known strings."""
        return (item for item in self.items if isinstance(item.value, str))

    def all_strings(self) -> list[str] | None:
        """Every element, when each is a known string and nothing else can be added."""
        if not self.complete or any(not isinstance(i.value, str) for i in self.items):
            return None
        return [item.value for item in self.items]  # type: ignore[misc]


@dataclass(frozen=True)
class DictValue:
    entries: tuple[tuple[str, Item], ...]

    def get(self, key: str) -> Item | None:
        return next((item for name, item in self.entries if name == key), None)


Value = str | int | bool | None | ListValue | DictValue | Unknown

_MUTATING_METHODS = frozenset(
    {"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault"}
)
_MUTATING_METHOD_BYTES = tuple(method.encode() for method in _MUTATING_METHODS)
# "]" before an assignment operator, with whitespace, comments or the grammar's non-ASCII
# spaces between: in a file that parses without errors and has no line continuation,
# every assignment to a subscript has it.
_SUBSCRIPT_ASSIGNMENT = re.compile(
    rb"\](?:\s|#[^\n]*|[\x80-\xff])*(?:[:=]|//=|<<=|>>=|\*\*=|[-+*/%&|^@]=)"
)
_MAX_DEPTH = 32
# Triple-quoted literals whose value is the text between the quotes ("\r\n" in one is
# read as "\n": those go to the parser).
_TRIPLE_QUOTED = re.compile(r'"""([^"\\\r\0]*)"""|\'\'\'([^\'\\\r\0]*)\'\'\'')
_MUTATIONS = """
(call function: (attribute object: (identifier) @name attribute: (identifier) @method))
(assignment left: (subscript value: (identifier) @name))
(augmented_assignment left: (subscript value: (identifier) @name))
"""


def is_truthy(value: Value) -> bool | None:
    """Starlark truthiness, or None when it cannot be known."""
    if isinstance(value, Unknown):
        return None
    if isinstance(value, ListValue):
        return True if value.items else (False if value.complete else None)
    if isinstance(value, DictValue):
        return bool(value.entries)
    return bool(value)


def plain(value: Value) -> object:
    """The value without positions (for comparisons and fingerprints)."""
    if isinstance(value, ListValue):
        return (tuple(plain(item.value) for item in value.items), value.complete)
    if isinstance(value, DictValue):
        return tuple((key, plain(item.value)) for key, item in value.entries)
    return value


class Scope:
    """Names bound in one block (the module or one function body).

    ``bindings`` maps a name to the one expression assigned to it, or to None when
    its value cannot be known (assigned twice, mutated, a parameter, a loop variable,
    a loaded symbol or a function)."""

    def __init__(self, parent: Scope | None = None) -> None:
        self.parent = parent
        self.bindings: dict[str, ts.Node | Item | None] = {}

    def bind(self, name: str, expression: ts.Node | Item | None) -> None:
        self.bindings[name] = None if name in self.bindings else expression

    def forget(self, name: str) -> None:
        self.bindings[name] = None

    def lookup(self, name: str) -> tuple[ts.Node | Item | None, Scope] | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.bindings:
                return scope.bindings[name], scope
            scope = scope.parent
        return None


def collect_bindings(block: ts.Node, scope: Scope, data: bytes) -> None:
    """Record the assignments of ``block`` (nested blocks included, function bodies not)."""
    for node in _statements(block):
        if node.type == "assignment" and node.has_error:
            for name in _identifiers(node.child_by_field_name("left"), data):
                scope.forget(name)
        elif node.type == "assignment":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None and left.type == "identifier" and right is not None:
                scope.bind(_text(left, data), right)
            elif left is not None:
                for name in _identifiers(left, data):
                    scope.forget(name)
        elif node.type == "augmented_assignment" or node.type == "for_statement":
            for name in _identifiers(node.child_by_field_name("left"), data):
                scope.forget(name)


def mutated_names(root: ts.Node, data: bytes) -> frozenset[str]:
    """Names changed in place anywhere in the file: ``x.append(...)``, ``x[k] = v``."""
    if not _may_mutate(root, data):
        return frozenset()
    found: set[str] = set()
    for _, captures in ts.QueryCursor(_mutations_query()).matches(root):
        method = captures.get("method")
        if method is not None and _text(method[0], data) not in _MUTATING_METHODS:
            continue
        found.add(_text(captures["name"][0], data))
    return frozenset(found)


def _may_mutate(root: ts.Node, data: bytes) -> bool:
    """False when the text shows that nothing is changed in place (the query is not run)."""
    return (
        root.has_error
        or b"\\" in data
        or any(method in data for method in _MUTATING_METHOD_BYTES)
        or _SUBSCRIPT_ASSIGNMENT.search(data) is not None
    )


@cache
def _mutations_query() -> ts.Query:
    return ts.Query(grammars.language(LanguageId.STARLARK), _MUTATIONS)


class Evaluator:
    def __init__(self, data: bytes, root: ts.Node) -> None:
        self.data = data
        self.root = root
        self._active: set[int] = set()
        # Where the values made here are reported, when that is not where they are written:
        # the call in another file whose wrapper's body (in this file) is being read.
        self.anchor: tuple[int, int] | None = None

    @cached_property
    def mutated(self) -> frozenset[str]:
        """Computed on the first name looked up (many files evaluate none)."""
        return mutated_names(self.root, self.data)

    def item(self, node: ts.Node, scope: Scope) -> Item:
        """The value with its position; a parameter bound to an argument keeps the
        argument's position (where the value was written)."""
        if node.type == "identifier":
            name = _text(node, self.data)
            found = scope.lookup(name)
            if found is not None and isinstance(found[0], Item) and name not in self.mutated:
                return found[0]
        value = self.value(node, scope)
        if self.anchor is not None:
            return Item(value, *self.anchor)
        return Item(value, node.start_byte, node.end_byte)

    def value(self, node: ts.Node, scope: Scope, depth: int = 0) -> Value:
        if depth > _MAX_DEPTH or node.has_error or node.is_missing:
            return UNKNOWN  # never read a value out of text that did not parse
        kind = node.type
        if kind == "string":
            text = _text(node, self.data)
            plain = _plain_string(text)
            return plain if plain is not None else _string(text)
        if kind == "concatenated_string":
            return _string(_text(node, self.data))
        if kind == "integer":
            return _integer(_text(node, self.data))
        if kind == "true":
            return True
        if kind == "false":
            return False
        if kind == "none":
            return None
        if kind == "parenthesized_expression":
            inner = node.named_children
            return self.value(inner[0], scope, depth + 1) if len(inner) == 1 else UNKNOWN
        if kind in ("list", "tuple"):
            return self._list(node, scope, depth)
        if kind == "dictionary":
            return self._dictionary(node, scope, depth)
        if kind == "identifier":
            return self._name(node, scope, depth)
        if kind == "binary_operator":
            return self._binary(node, scope, depth)
        if kind == "not_operator":
            inner = node.child_by_field_name("argument")
            truth = is_truthy(self.value(inner, scope, depth + 1)) if inner else None
            return UNKNOWN if truth is None else not truth
        return UNKNOWN

    def _list(self, node: ts.Node, scope: Scope, depth: int) -> Value:
        items = []
        anchor = self.anchor
        for child in node.named_children:
            kind = child.type
            if kind == "comment":
                continue
            if kind == "list_splat":
                return UNKNOWN
            value = self.value(child, scope, depth + 1)
            if anchor is None:
                items.append(Item(value, child.start_byte, child.end_byte))
            else:
                items.append(Item(value, *anchor))
        return ListValue(tuple(items), True)

    def _dictionary(self, node: ts.Node, scope: Scope, depth: int) -> Value:
        entries: list[tuple[str, Item]] = []
        for child in node.named_children:
            if child.type == "comment":
                continue
            if child.type != "pair":
                return UNKNOWN  # a splat or a comprehension
            key = self.value(child.child_by_field_name("key"), scope, depth + 1)
            value_node = child.child_by_field_name("value")
            if not isinstance(key, str) or value_node is None:
                return UNKNOWN
            value = self.value(value_node, scope, depth + 1)
            entries = [(k, v) for k, v in entries if k != key]
            span = self.anchor or (value_node.start_byte, value_node.end_byte)
            entries.append((key, Item(value, *span)))
        return DictValue(tuple(entries))

    def _name(self, node: ts.Node, scope: Scope, depth: int) -> Value:
        name = _text(node, self.data)
        found = scope.lookup(name)
        if found is None or found[0] is None or name in self.mutated:
            return UNKNOWN
        expression, owner = found
        if isinstance(expression, Item):
            return expression.value
        key = id(expression)
        if key in self._active:
            return UNKNOWN
        self._active.add(key)
        try:
            return self.value(expression, owner, depth + 1)
        finally:
            self._active.discard(key)

    def _binary(self, node: ts.Node, scope: Scope, depth: int) -> Value:
        operator = node.child_by_field_name("operator")
        left_node = node.child_by_field_name("left")
        right_node = node.child_by_field_name("right")
        if operator is None or left_node is None or right_node is None:
            return UNKNOWN
        symbol = _text(operator, self.data)
        left = self.value(left_node, scope, depth + 1)
        right = self.value(right_node, scope, depth + 1)
        if symbol == "+":
            return add(left, right)
        if symbol == "|" and isinstance(left, DictValue) and isinstance(right, DictValue):
            keys = {key for key, _ in right.entries}
            return DictValue(tuple(e for e in left.entries if e[0] not in keys) + right.entries)
        return UNKNOWN


def add(left: Value, right: Value) -> Value:
    """``left + right``; a list plus something unknown (a ``select()``) is a list whose
    known items are certain."""
    if isinstance(left, str) and isinstance(right, str):
        return left + right
    if isinstance(left, int) and isinstance(right, int) and not isinstance(left, bool):
        return left + right
    left_list = isinstance(left, ListValue)
    right_list = isinstance(right, ListValue)
    if left_list and right_list:
        return ListValue(left.items + right.items, left.complete and right.complete)
    if left_list and isinstance(right, Unknown):
        return ListValue(left.items, False)
    if right_list and isinstance(left, Unknown):
        return ListValue(right.items, False)
    return UNKNOWN


def _statements(block: ts.Node) -> Iterator[ts.Node]:
    """Statements of a block and of the blocks nested in it (not in function bodies)."""
    stack = list(reversed(block.named_children))
    while stack:
        node = stack.pop()
        if node.type == "function_definition":
            continue
        if node.type == "expression_statement":
            yield from (child for child in node.named_children)
            continue
        yield node
        if node.type in ("if_statement", "for_statement", "elif_clause", "else_clause", "block"):
            stack.extend(reversed(node.named_children))


def _identifiers(node: ts.Node | None, data: bytes) -> Iterator[str]:
    if node is None:
        return
    if node.type == "identifier":
        yield _text(node, data)
        return
    for child in node.named_children:
        yield from _identifiers(child, data)


def _text(node: ts.Node, data: bytes) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _string(text: str) -> Value:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return UNKNOWN
    return value if isinstance(value, str) else UNKNOWN


def _plain_string(text: str) -> str | None:
    """The value of a string literal without prefix or escapes (most of them), read
    without the Python parser; None when that needs the parser."""
    quote = text[:1]
    if (quote == '"' or quote == "'") and len(text) >= 2 and text[-1] == quote:
        inner = text[1:-1]
        # A newline ends a one-line string; escapes need the parser.
        if not (quote in inner or "\\" in inner or "\n" in inner or "\r" in inner or "\0" in inner):
            return inner
    match = _TRIPLE_QUOTED.fullmatch(text)
    return match[match.lastindex] if match is not None else None


def _integer(text: str) -> Value:
    try:
        return int(text, 0)
    except ValueError:
        return UNKNOWN

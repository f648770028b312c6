"""Small helpers over tree-sitter-cpp nodes, shared by the C++ rules."""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

_TEMPLATE_ARGS = re.compile(r"<[^<>]*>")
_SPACE = re.compile(r"\s+")


def text(node: ts.Node | None, data: bytes) -> str:
    if node is None:
        return ""
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def ancestors(node: ts.Node, root: ts.Node) -> list[ts.Node]:
    """The nodes around ``node``, innermost first, up to ``root``. Found from the root
    down in one pass: tree-sitter finds each ``parent`` from the root too, so a walk up
    deep nesting with ``parent`` is quadratic."""
    chain = []
    current: ts.Node | None = root
    while current is not None and current != node:
        chain.append(current)
        current = current.child_with_descendant(node)
    if current is None:
        return []
    chain.reverse()
    return chain


def path_parts(name: str) -> list[str]:
    """``ns::Cls<T>::fn`` -> ["ns", "Cls", "fn"] (template arguments dropped)."""
    name = _SPACE.sub("", name)
    previous = None
    while previous != name:
        previous, name = name, _TEMPLATE_ARGS.sub("", name)
    return [part for part in name.split("::") if part]


def callee_parts(call: ts.Node, data: bytes) -> list[str]:
    """Qualified name parts of a free or static function call; [] for member calls."""
    function = call.child_by_field_name("function")
    if function is None or function.type not in (
        "identifier",
        "qualified_identifier",
        "template_function",
    ):
        return []
    return path_parts(text(function, data))


def called_name_offset(match: re.Match[bytes]) -> int:
    """Where the called name starts in a match that ends with ``name(`` (``x.load (``)."""
    head = match.group(0).rstrip(b"( \t")
    name_length = len(re.search(rb"\w+$", head).group(0))
    return match.start() + len(head) - name_length


def member_call(call: ts.Node, data: bytes) -> tuple[ts.Node, str, str] | None:
    """(receiver, operator, method name) of ``recv.m(...)`` or ``recv->m(...)``."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "field_expression":
        return None
    receiver = function.child_by_field_name("argument")
    operator = function.child_by_field_name("operator")
    field = function.child_by_field_name("field")
    if receiver is None or field is None:
        return None
    name = text(field, data)
    if field.type == "template_method":
        name = text(field.child_by_field_name("name"), data)
    return receiver, text(operator, data) if operator else ".", name


def declarator_name(declarator: ts.Node | None, data: bytes) -> tuple[str, bool]:
    """The declared name and whether the declarator adds a pointer."""
    pointer = False
    node = declarator
    while node is not None:
        if node.type in ("identifier", "field_identifier"):
            return text(node, data), pointer
        if node.type == "pointer_declarator":
            pointer = True
        if node.type in ("qualified_identifier", "destructor_name", "operator_name"):
            return path_parts(text(node, data))[-1] if text(node, data) else "", pointer
        inner = node.child_by_field_name("declarator")
        if inner is None:
            inner = next(
                (
                    c
                    for c in node.named_children
                    if "declarator" in c.type or c.type in ("identifier", "field_identifier")
                ),
                None,
            )
        node = inner
    return "", pointer


def function_name(definition: ts.Node, data: bytes) -> tuple[str, str | None]:
    """(name, class name) of a function definition; class from ``C::f`` or the enclosing class."""
    node = definition.child_by_field_name("declarator")
    while node is not None and node.type != "function_declarator":
        node = node.child_by_field_name("declarator")
    if node is None:
        return "", None
    inner = node.child_by_field_name("declarator")
    parts = path_parts(text(inner, data)) if inner is not None else []
    if not parts:
        return "", None
    if len(parts) >= 2:
        return parts[-1], parts[-2]
    return parts[-1], enclosing_class_name(definition, data)


def enclosing_class_name(node: ts.Node, data: bytes) -> str | None:
    parent = node.parent
    while parent is not None:
        if parent.type in ("class_specifier", "struct_specifier"):
            name = parent.child_by_field_name("name")
            return path_parts(text(name, data))[-1] if name is not None else None
        if parent.type in ("function_definition", "translation_unit"):
            return None
        parent = parent.parent
    return None


def descendants(node: ts.Node, skip: frozenset[str] = frozenset()) -> Iterator[ts.Node]:
    """Pre-order walk that does not enter nodes whose type is in ``skip`` (root excepted)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if current is not node and current.type in skip:
            continue
        stack.extend(reversed(current.named_children))

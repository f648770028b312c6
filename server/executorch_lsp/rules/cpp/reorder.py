"""Quick fix that moves a statement before another statement of the same block."""

from __future__ import annotations

import tree_sitter as ts

from ...engine.document import Document
from ...engine.findings import Fix, Span, TextEdit
from .syntax import descendants, text

# Wrappers a moved call may sit in: its statement, or an #if block holding only it.
_MOVABLE = frozenset({"expression_statement", "declaration", "preproc_if", "preproc_ifdef"})
_BLOCKS = frozenset({"compound_statement"})


def _statement_in_block(node: ts.Node, block: ts.Node) -> ts.Node | None:
    """The ancestor of ``node`` (or ``node``) that is a direct child of ``block``."""
    current = node
    while current.parent is not None and current.parent.id != block.id:
        current = current.parent
    return current if current.parent is not None else None


def _movable_statement(call: ts.Node) -> ts.Node | None:
    statement = call.parent
    while statement is not None and statement.type not in _MOVABLE:
        if statement.type in ("compound_statement", "lambda_expression", "if_statement"):
            return None
        statement = statement.parent
    while (
        statement is not None
        and statement.parent is not None
        and statement.parent.type in ("preproc_if", "preproc_ifdef")
    ):
        wrapper = statement.parent
        statements = [
            c
            for c in wrapper.named_children
            if c.type.endswith("statement") or c.type == "declaration"
        ]
        if len(statements) != 1 or wrapper.child_by_field_name("alternative") is not None:
            return None
        statement = wrapper
    if statement is None or statement.parent is None or statement.parent.type not in _BLOCKS:
        return None
    return statement


def _declared_names(nodes: list[ts.Node], data: bytes) -> set[str]:
    names = set()
    for node in nodes:
        for inner in descendants(node, frozenset({"lambda_expression"})):
            if inner.type in ("init_declarator",):
                declarator = inner.child_by_field_name("declarator")
                if declarator is not None:
                    names.add(text(declarator, data).lstrip("*&"))
            elif inner.type == "declaration":
                for declarator in inner.children_by_field_name("declarator"):
                    if declarator.type == "identifier":
                        names.add(text(declarator, data))
    return names


def _used_names(node: ts.Node, data: bytes) -> set[str]:
    return {text(n, data) for n in descendants(node) if n.type == "identifier"}


def _whole_lines(document: Document, node: ts.Node) -> Span | None:
    buffer = document.buffer
    first, last = buffer.line_of(node.start_byte), buffer.line_of(node.end_byte)
    start, end = buffer.line_start(first), buffer.line_end(last)
    data = document.data
    trailing = data[node.end_byte : end].strip()
    if data[start : node.start_byte].strip() or (trailing and not trailing.startswith(b"//")):
        return None
    return Span(start, min(end + 1, len(data)))


def move_before(document: Document, call: ts.Node, target_call: ts.Node, title: str) -> Fix | None:
    """Move the statement holding ``call`` before the statement holding ``target_call``.

    Only when both are direct statements of the same block, the moved statement
    occupies whole lines, and it uses no name declared between the two places.
    """
    statement = _movable_statement(call)
    if statement is None:
        return None
    block = statement.parent
    target = _statement_in_block(target_call, block)
    if target is None or target.start_byte >= statement.start_byte:
        return None
    data = document.data
    between = [
        c for c in block.named_children if target.start_byte <= c.start_byte < statement.start_byte
    ]
    if _used_names(statement, data) & _declared_names(between, data):
        return None
    moved = _whole_lines(document, statement)
    target_lines = _whole_lines(document, target)
    if moved is None or target_lines is None:
        return None
    indent_of = document.buffer.line_start(document.buffer.line_of(statement.start_byte))
    moved_text = data[moved.start : moved.end].decode("utf-8", "replace")
    if not moved_text.endswith("\n"):
        moved_text += "\n"
    old_indent = data[indent_of : statement.start_byte].decode()
    new_indent = data[target_lines.start : target.start_byte].decode()
    if old_indent != new_indent and not statement.type.startswith("preproc"):
        moved_text = "".join(
            new_indent + line[len(old_indent) :] if line.startswith(old_indent) else line
            for line in moved_text.splitlines(keepends=True)
        )
    return Fix(
        title,
        (
            TextEdit(Span(target_lines.start, target_lines.start), moved_text),
            TextEdit(moved, ""),
        ),
    )

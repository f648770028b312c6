"""CMake command calls as plain data, shared by the CMake rules."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import tree_sitter as ts

from ...engine.document import Document


@dataclass(frozen=True)
class Argument:
    text: str  # unquoted value ("Debug" for both Debug and "Debug")
    node: ts.Node


@dataclass(frozen=True)
class Command:
    name: str  # lower case: CMake command names are case-insensitive
    node: ts.Node
    arguments_node: ts.Node | None
    document: Document

    @cached_property
    def arguments(self) -> tuple[Argument, ...]:
        """Read on first use: most commands are only looked at by name."""
        if self.arguments_node is None:
            return ()
        return tuple(
            Argument(_unquote(self.document.text_of(child)), child)
            for child in self.arguments_node.named_children
            if child.type == "argument"
        )

    def argument_texts(self) -> list[str]:
        return [argument.text for argument in self.arguments]


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


def commands(document: Document, matches) -> list[Command]:
    found = []
    for _, captures in matches:
        node = captures["command"][0]
        name = document.text_of(captures["name"][0]).lower()
        arguments = captures["arguments"][0] if "arguments" in captures else None
        found.append(Command(name, node, arguments, document))
    return sorted(found, key=lambda command: command.node.start_byte)


def enclosing_conditions(command: Command, document: Document) -> list[str]:
    """The ``if(...)`` conditions around a command, innermost first (``else`` marked)."""
    conditions = []
    node = command.node.parent
    while node is not None:
        if node.type == "if_condition":
            head = next((c for c in node.named_children if c.type == "if_command"), None)
            arguments = (
                next((c for c in head.named_children if c.type == "argument_list"), None)
                if head is not None
                else None
            )
            text = document.text_of(arguments) if arguments is not None else ""
            in_else = any(
                c.type in ("else_command", "elseif_command")
                and c.start_byte < command.node.start_byte
                for c in node.named_children
            )
            conditions.append(("else:" if in_else else "") + " ".join(text.split()))
        elif node.type in ("function_def", "macro_def"):
            conditions.append("function")
        node = node.parent
    return conditions

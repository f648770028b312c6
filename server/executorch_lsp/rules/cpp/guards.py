"""Guards: a thread-pool reset that refuses to run once a model is loaded.

``if (module_->is_loaded()) return false;`` before the reset, or the reset inside
``if (!loaded_) { ... }``, makes calling the wrapper after a load harmless.
"""

from __future__ import annotations

import re

import tree_sitter as ts

from .syntax import descendants, text

_LOADED = re.compile(r"loaded", re.IGNORECASE)
_EXITS = frozenset({"return_statement", "throw_statement"})


def is_guarded(call: ts.Node, body: ts.Node, data: bytes) -> bool:
    """Whether an ``if`` on a loaded-state condition encloses or precedes-and-exits."""
    node = call
    while node is not None and node.id != body.id:
        parent = node.parent
        if parent is None:
            return False
        if (
            parent.type == "if_statement"
            and node.id != _condition_id(parent)
            and _LOADED.search(text(parent.child_by_field_name("condition"), data))
        ):
            return True
        if parent.type == "compound_statement":
            for sibling in parent.named_children:
                if sibling.start_byte >= node.start_byte:
                    break
                if sibling.type == "if_statement" and _exits_when_loaded(sibling, data):
                    return True
        node = parent
    return False


def _condition_id(statement: ts.Node) -> int | None:
    condition = statement.child_by_field_name("condition")
    return condition.id if condition is not None else None


def _exits_when_loaded(statement: ts.Node, data: bytes) -> bool:
    if not _LOADED.search(text(statement.child_by_field_name("condition"), data)):
        return False
    consequence = statement.child_by_field_name("consequence")
    if consequence is None:
        return False
    return consequence.type in _EXITS or any(
        child.type in _EXITS for child in descendants(consequence, frozenset({"lambda_expression"}))
    )

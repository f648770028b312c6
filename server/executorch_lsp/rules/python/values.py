"""Whether an expression holds partitioners, decided from the script's own text.

The answer is one of: ``NONE`` (``None``), ``EMPTY`` (``[]``, ``{}``, a dict whose every
method gets nothing), ``FILLED`` (at least one partitioner), or ``UNKNOWN`` (built at run
time: a parameter, a helper's result, a list filled in a loop). Only ``NONE`` and
``EMPTY`` ever lead to a finding, and only when every assignment that can reach the use
agrees. Conditions and dictionary keys are followed when they are constants, including
``argparse`` defaults (``args.backend`` is ``"portable"`` unless the user passes
``--backend``); each such step is kept as a ``Reason`` for the finding's related
information.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import tree_sitter as ts

from .model import ScriptModel, string_value, text, unwrap

_MAX_DEPTH = 12
_EMPTY_CONSTRUCTORS = frozenset({"list", "tuple", "dict", "set"})
_NO_VALUE = object()


class Holds(Enum):
    NONE = "None"
    EMPTY = "empty"
    FILLED = "filled"
    UNKNOWN = "unknown"

    @property
    def is_nothing(self) -> bool:
        return self in (Holds.NONE, Holds.EMPTY)


@dataclass(frozen=True)
class Reason:
    """A step that decided the value: an assignment, a CLI default, a missing key."""

    node: ts.Node
    message: str


@dataclass(frozen=True)
class Verdict:
    holds: Holds
    reasons: tuple[Reason, ...] = ()


_UNKNOWN = Verdict(Holds.UNKNOWN)


@dataclass(frozen=True)
class Constant:
    value: object
    reasons: tuple[Reason, ...] = ()


class PartitionerValues:
    """Evaluates expressions of one script; ``outside`` is the call that consumes the
    value, whose own arguments do not count as changing a name in place."""

    def __init__(self, model: ScriptModel, outside: ts.Node) -> None:
        self.model = model
        self.outside = outside

    # -- collections of partitioners --------------------------------------------------
    def holds(self, node: ts.Node, depth: int = 0) -> Verdict:
        if depth > _MAX_DEPTH:
            return _UNKNOWN
        node = unwrap(node)
        kind = node.type
        if kind == "none":
            return Verdict(Holds.NONE)
        if kind in ("list", "tuple", "set"):
            return self._sequence(node, depth)
        if kind == "dictionary":
            return self._dictionary(node, depth)
        if kind == "call":
            return self._call(node, depth)
        if kind == "conditional_expression":
            return self._conditional(node, depth)
        if kind == "boolean_operator":
            return self._boolean(node, depth)
        if kind == "subscript":
            return self._lookup(node, node.child_by_field_name("subscript"), None, depth)
        if kind == "identifier":
            return self._name(node, depth)
        return _UNKNOWN

    def _sequence(self, node: ts.Node, depth: int) -> Verdict:
        items = [child for child in node.named_children if child.type != "comment"]
        if not items:
            return Verdict(Holds.EMPTY)
        if any(item.type != "list_splat" for item in items):
            return Verdict(Holds.FILLED)
        return _all_of([self.holds(item.named_children[0], depth + 1) for item in items])

    def _dictionary(self, node: ts.Node, depth: int) -> Verdict:
        items = [child for child in node.named_children if child.type != "comment"]
        if not items:
            return Verdict(Holds.EMPTY)
        if any(item.type != "pair" for item in items):
            return _UNKNOWN
        verdicts = [self.holds(item.child_by_field_name("value"), depth + 1) for item in items]
        if any(verdict.holds is Holds.FILLED for verdict in verdicts):
            return Verdict(Holds.FILLED)
        combined = _all_of(verdicts)
        return Verdict(Holds.EMPTY, combined.reasons) if combined.holds.is_nothing else combined

    def _call(self, node: ts.Node, depth: int) -> Verdict:
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        argument_count = len(arguments.named_children) if arguments is not None else 0
        if function is None:
            return _UNKNOWN
        name = text(function)
        if function.type == "identifier" and name in _EMPTY_CONSTRUCTORS and not argument_count:
            return Verdict(Holds.EMPTY)
        if name.rsplit(".", 1)[-1].endswith("Partitioner"):
            return Verdict(Holds.FILLED)
        if (
            function.type == "attribute"
            and text(function.child_by_field_name("attribute")) == "get"
        ):
            positional = [a for a in arguments.named_children if a.type != "keyword_argument"]
            if 1 <= len(positional) <= 2:
                default = positional[1] if len(positional) == 2 else None
                return self._lookup(function, positional[0], default, depth, dict_get=True)
        return _UNKNOWN

    def _conditional(self, node: ts.Node, depth: int) -> Verdict:
        parts = [child for child in node.named_children if child.type != "comment"]
        if len(parts) != 3:
            return _UNKNOWN
        chosen, condition, other = parts
        decided = self.constant(condition, depth + 1)
        if decided is not None:
            branch = chosen if decided.value else other
            verdict = self.holds(branch, depth + 1)
            return Verdict(verdict.holds, decided.reasons + verdict.reasons)
        both = [self.holds(chosen, depth + 1), self.holds(other, depth + 1)]
        return _all_of(both)

    def _boolean(self, node: ts.Node, depth: int) -> Verdict:
        operator = text(node.child_by_field_name("operator"))
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if operator != "or" or left is None or right is None:
            return _UNKNOWN
        first = self.holds(left, depth + 1)
        if first.holds is Holds.FILLED:
            return first
        if first.holds.is_nothing:
            second = self.holds(right, depth + 1)
            return Verdict(second.holds, first.reasons + second.reasons)
        return _UNKNOWN

    def _lookup(
        self,
        node: ts.Node,
        key_node: ts.Node | None,
        default: ts.Node | None,
        depth: int,
        dict_get: bool = False,
    ) -> Verdict:
        """``table[key]`` or ``table.get(key[, default])`` on a dict literal of this file."""
        owner = node.child_by_field_name("value" if node.type == "subscript" else "object")
        table = self._dictionary_of(owner, depth) if owner is not None else None
        key = self.constant(key_node, depth + 1) if key_node is not None else None
        if table is None or key is None or not isinstance(key.value, str | int | None):
            return _UNKNOWN
        for pair in table.named_children:
            if pair.type != "pair":
                return _UNKNOWN
            pair_key = self.constant(pair.child_by_field_name("key"), depth + 1)
            if pair_key is None:
                return _UNKNOWN
            if pair_key.value == key.value:
                verdict = self.holds(pair.child_by_field_name("value"), depth + 1)
                return Verdict(verdict.holds, key.reasons + verdict.reasons)
        if not dict_get:
            return _UNKNOWN  # a KeyError, not a silent fallback
        missing = Reason(table, f"{key.value!r} is not a key of this table")
        if default is None:
            return Verdict(Holds.NONE, (*key.reasons, missing))
        verdict = self.holds(default, depth + 1)
        return Verdict(verdict.holds, (*key.reasons, missing, *verdict.reasons))

    def _dictionary_of(self, node: ts.Node, depth: int) -> ts.Node | None:
        node = unwrap(node)
        if node.type == "dictionary":
            return node
        if node.type != "identifier" or depth > _MAX_DEPTH:
            return None
        value = self.model.fixed_value(node, self.outside)
        return self._dictionary_of(value, depth + 1) if value is not None else None

    def _name(self, node: ts.Node, depth: int) -> Verdict:
        resolved = self.model.resolve(node)
        if resolved is None:
            return _UNKNOWN
        scope, bindings = resolved
        if any(binding.value is None for binding in bindings):
            return _UNKNOWN
        if self.model.changed_in_place(scope, text(node), self.outside):
            return _UNKNOWN
        verdicts = []
        for binding in bindings:
            verdict = self.holds(binding.value, depth + 1)
            reason = Reason(binding.target, f"`{binding.name}` is {_describe(verdict.holds)} here")
            verdicts.append(Verdict(verdict.holds, (reason, *verdict.reasons)))
        return _all_of(verdicts)

    # -- constants (conditions, keys) -------------------------------------------------
    def constant(self, node: ts.Node, depth: int = 0) -> Constant | None:
        if depth > _MAX_DEPTH:
            return None
        node = unwrap(node)
        kind = node.type
        if kind in ("true", "false", "none"):
            return Constant({"true": True, "false": False, "none": None}[kind])
        if kind == "string":
            value = string_value(node)
            return Constant(value) if value is not None else None
        if kind == "integer":
            try:
                return Constant(int(text(node), 0))
            except ValueError:
                return None
        if kind == "attribute":
            return self._cli_default(node, depth)
        if kind == "identifier":
            value = self.model.fixed_value(node, self.outside)
            return self.constant(value, depth + 1) if value is not None else None
        if kind == "not_operator":
            inner = self.constant(node.child_by_field_name("argument"), depth + 1)
            return Constant(not inner.value, inner.reasons) if inner is not None else None
        if kind == "comparison_operator":
            return self._comparison(node, depth)
        return None

    def _cli_default(self, node: ts.Node, depth: int) -> Constant | None:
        option = self.model.cli_option(node)
        if option is None:
            return None
        flag = f"--{option.dest.replace('_', '-')}"
        if option.default is not None:
            value = self.constant(option.default, depth + 1)
            if value is None:
                return None
            message = f"without `{flag}`, `{text(node)}` is {value.value!r} (the default)"
            return Constant(value.value, (Reason(option.default, message), *value.reasons))
        value = option.implicit_default
        message = f"without `{flag}`, `{text(node)}` is {value!r}"
        return Constant(value, (Reason(option.call, message),))

    def _comparison(self, node: ts.Node, depth: int) -> Constant | None:
        operands = [child for child in node.named_children if child.type != "comment"]
        operators = [text(child) for child in node.children if not child.is_named]
        if len(operands) != 2 or len(operators) not in (1, 2):
            return None
        operator = " ".join(operators)
        left = self.constant(operands[0], depth + 1)
        if operator in ("in", "not in"):
            right_values = self._constant_items(operands[1], depth)
            if left is None or right_values is None:
                return None
            found = left.value in right_values
            return Constant(found if operator == "in" else not found, left.reasons)
        right = self.constant(operands[1], depth + 1)
        if left is None or right is None:
            return None
        result = {
            "==": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
            "is": lambda a, b: a is b,
            "is not": lambda a, b: a is not b,
        }.get(operator)
        if result is None:
            return None
        return Constant(result(left.value, right.value), left.reasons + right.reasons)

    def _constant_items(self, node: ts.Node, depth: int) -> list[object] | None:
        node = unwrap(node)
        if node.type not in ("list", "tuple", "set"):
            return None
        values = [self.constant(child, depth + 1) for child in node.named_children]
        if any(value is None for value in values):
            return None
        return [value.value for value in values if value is not None]


def _all_of(verdicts: list[Verdict]) -> Verdict:
    """Nothing only when every alternative holds nothing; filled when every one is."""
    if verdicts and all(verdict.holds.is_nothing for verdict in verdicts):
        holds = Holds.EMPTY if any(v.holds is Holds.EMPTY for v in verdicts) else Holds.NONE
        return Verdict(holds, tuple(r for verdict in verdicts for r in verdict.reasons))
    if verdicts and all(verdict.holds is Holds.FILLED for verdict in verdicts):
        return Verdict(Holds.FILLED)
    return _UNKNOWN


def _describe(holds: Holds) -> str:
    return {Holds.NONE: "None", Holds.EMPTY: "empty"}.get(holds, "set")

"""Order of events inside one function body, respecting control flow.

A may-analysis over the syntax tree: the state is the set of "load" events
that may have happened before the current point. Branches of ``if``/``else``,
``switch`` cases and ``#if``/``#else`` start from the same state and are
joined afterwards, so calls in mutually exclusive branches are never ordered.
Code after ``return``/``throw``/``break`` is unreachable. Loop bodies are
walked twice, so a load late in an iteration precedes a reset in the next.
Lambda and local class bodies are not executed where they are written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import tree_sitter as ts

from .file_model import NESTED_BODIES


@dataclass(frozen=True)
class Event:
    kind: str  # "load" or "reset"
    node: ts.Node  # the call where it happens in this function
    origin: ts.Node | None = None  # the call inside a helper, when reached through one
    helper: str | None = None  # the helper's name
    remote: object | None = None  # where it happens in another file (call_graph.RemoteEvent)

    @property
    def start(self) -> int:
        return self.node.start_byte


State = frozenset[Event] | None  # None: unreachable
Classifier = Callable[[ts.Node], list[Event]]
_LOOPS = frozenset({"for_statement", "for_range_loop", "while_statement", "do_statement"})
_EXITS = frozenset({"return_statement", "throw_statement", "co_return_statement"})
# Statements nested deeper than this are not walked (the walk recurses once per level,
# and Python's stack is finite); no real function nests a tenth as deep.
_MAX_DEPTH = 320
# Loops nested deeper than this are walked once rather than twice (each level doubles).
_MAX_TWICE_WALKED_LOOPS = 6


def _join(*states: State) -> State:
    reachable = [state for state in states if state is not None]
    if not reachable:
        return None
    return frozenset().union(*reachable)


class OrderWalker:
    """Walks a body and reports each reset that may follow a load."""

    def __init__(self, classify: Classifier) -> None:
        self.classify = classify
        self.violations: dict[int, tuple[Event, Event]] = {}
        self.events: list[Event] = []
        self._breaks: list[list[State]] = []
        self._depth = 0

    def run(self, body: ts.Node) -> list[tuple[Event, Event]]:
        self._statement(body, frozenset())
        return sorted(self.violations.values(), key=lambda pair: pair[0].start)

    def _statement(self, node: ts.Node | None, state: State) -> State:
        if node is None or state is None or self._depth >= _MAX_DEPTH:
            return state
        self._depth += 1
        try:
            kind = node.type
            if kind in ("compound_statement", "preproc_else", "labeled_statement", "else_clause"):
                return self._sequence(node.named_children, state)
            if kind == "if_statement":
                state = self._expression(node.child_by_field_name("condition"), state)
                alternative = node.child_by_field_name("alternative")
                return _join(
                    self._statement(node.child_by_field_name("consequence"), state),
                    self._statement(alternative, state) if alternative is not None else state,
                )
            if kind in ("preproc_if", "preproc_ifdef", "preproc_elif", "preproc_elifdef"):
                return self._preprocessor(node, state)
            if kind == "switch_statement":
                return self._switch(node, state)
            if kind in _LOOPS:
                return self._loop(node, state)
            if kind == "try_statement":
                after_try = self._statement(node.child_by_field_name("body"), state)
                handlers = [
                    self._statement(clause.child_by_field_name("body"), _join(state, after_try))
                    for clause in node.named_children
                    if clause.type == "catch_clause"
                ]
                return _join(after_try, *handlers)
            if kind in _EXITS:
                self._expression(node, state)
                return None
            if kind in ("break_statement", "continue_statement"):
                if self._breaks:
                    self._breaks[-1].append(state)
                return None
            if kind in NESTED_BODIES or kind in ("function_definition", "comment"):
                return state
            return self._expression(node, state)
        finally:
            self._depth -= 1

    def _sequence(self, nodes: Iterable[ts.Node], state: State) -> State:
        for child in nodes:
            state = self._statement(child, state)
        return state

    def _preprocessor(self, node: ts.Node, state: State) -> State:
        skip = {node.child_by_field_name(f) for f in ("condition", "name", "alternative")}
        skip_ids = {n.id for n in skip if n is not None}
        body = [child for child in node.named_children if child.id not in skip_ids]
        alternative = node.child_by_field_name("alternative")
        return _join(
            self._sequence(body, state),
            self._statement(alternative, state) if alternative is not None else state,
        )

    def _switch(self, node: ts.Node, state: State) -> State:
        state = self._expression(node.child_by_field_name("condition"), state)
        body = node.child_by_field_name("body")
        self._breaks.append([])
        falling: State = None
        has_default = False
        for case in body.named_children if body is not None else ():
            if case.type != "case_statement":
                continue
            value = case.child_by_field_name("value")
            has_default = has_default or value is None
            statements = [c for c in case.named_children if value is None or c.id != value.id]
            falling = self._sequence(statements, _join(state, falling))
        exits = self._breaks.pop()
        return _join(falling, *exits, None if has_default else state)

    def _loop(self, node: ts.Node, state: State) -> State:
        if node.type != "do_statement":
            for field in ("initializer", "right", "condition"):
                state = self._expression(node.child_by_field_name(field), state)
        body = node.child_by_field_name("body")
        self._breaks.append([])
        first = self._expression(node.child_by_field_name("update"), self._statement(body, state))
        if len(self._breaks) > _MAX_TWICE_WALKED_LOOPS:
            exits = self._breaks.pop()
            return _join(state, first, *exits)
        again = _join(state, first, *self._breaks[-1])
        second = self._expression(node.child_by_field_name("update"), self._statement(body, again))
        exits = self._breaks.pop()
        if node.type == "do_statement":
            return _join(first, second, *exits)
        return _join(state, first, second, *exits)

    def _expression(self, node: ts.Node | None, state: State) -> State:
        """Calls inside an expression, innermost (arguments) first."""
        if node is None or state is None:
            return state
        for call in _calls_in_evaluation_order(node):
            for event in self.classify(call):
                self.events.append(event)
                if event.kind == "load":
                    state = state | {event}
                elif event.kind == "reset" and state:
                    first_load = min(state, key=lambda e: e.start)
                    self.violations.setdefault(event.node.id, (event, first_load))
        return state


def _calls_in_evaluation_order(node: ts.Node) -> list[ts.Node]:
    """Post-order (arguments before the call), iterative so deep expressions are safe."""
    calls: list[ts.Node] = []
    stack: list[tuple[ts.Node, bool]] = [(node, False)]
    while stack:
        current, visited = stack.pop()
        if visited:
            if current.type == "call_expression":
                calls.append(current)
            continue
        if current.type in NESTED_BODIES and current.id != node.id:
            continue
        stack.append((current, True))
        stack.extend((child, False) for child in reversed(current.named_children))
    return calls

"""ET101 threadpool-reset-after-load: ``_unsafe_reset_threadpool`` after a model load."""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from ...engine.document import Document
from ...engine.findings import Finding, Related, Severity, Span
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from .call_graph import (
    RESET_METHOD,
    CallGraph,
    RemoteEvent,
    call_target,
    classify_local,
    fingerprint,
)
from .et101_docs import DOCS
from .file_model import FileModel, Unit, call_of_name
from .flow import Event, OrderWalker
from .headers import model_for
from .reorder import move_before
from .syntax import text

_MAX_UNITS = 256  # bound on the functions examined per file


class _Analysis:
    """Lazy order analysis: only functions that may reset the pool are walked, and a
    helper's summary (what it loads or resets, in order) is computed when first called."""

    def __init__(self, model: FileModel, path: str, graph: CallGraph | None = None) -> None:
        self.model = model
        self.path = path
        self.graph = graph
        self._summaries: dict[int, list[Event]] = {}
        self._in_progress: set[int] = set()

    def classify(self, unit: Unit, call: ts.Node) -> list[Event]:
        kind = classify_local(self.model, unit, call)
        if kind is not None:
            return [Event(kind, call)]
        callee = self.model.resolve_call(call, unit)
        if callee is None:
            return self._remote(unit, call)
        if callee is unit:
            return []
        return [
            Event(
                event.kind,
                call,
                event.origin or event.node,
                event.helper or callee.name,
                event.remote,
            )
            for event in self.summary(callee)
        ]

    def _remote(self, unit: Unit, call: ts.Node) -> list[Event]:
        """Loads and resets in functions of other files that ``call`` reaches."""
        if self.graph is None:
            return []
        target = call_target(self.model, unit, call)
        if target is None:
            return []
        name, scope = target
        context_class = self.model.class_of(unit)
        events = self.graph.events(name, scope, context_class, self.path)
        helper = f"{scope}::{name}" if scope else name
        return [Event(event.kind, call, helper=helper, remote=event) for event in events]

    def summary(self, unit: Unit) -> list[Event]:
        key = id(unit)
        if key in self._summaries:
            return self._summaries[key]
        if key in self._in_progress:
            return []  # recursion: the outer walk completes the summary
        self._in_progress.add(key)
        walker = OrderWalker(lambda call: self.classify(unit, call))
        walker.run(unit.body)
        self._in_progress.discard(key)
        self._summaries[key] = _first_of_each_kind(walker.events)
        return self._summaries[key]

    def units_that_may_reset(self) -> list[Unit]:
        """Functions holding a reset call, then their callers in this file (bounded)."""
        found: dict[int, Unit] = {}
        pending: list[Unit] = []
        for call in self._reset_calls():
            unit = self.model.unit_at(call)
            if unit is not None and id(unit) not in found:
                found[id(unit)] = unit
                pending.append(unit)
        while pending and len(found) < _MAX_UNITS:
            for caller, _ in self.model.callers(pending.pop()):
                if id(caller) not in found:
                    found[id(caller)] = caller
                    pending.append(caller)
        return sorted(found.values(), key=lambda unit: unit.node.start_byte)

    def _reset_calls(self) -> list[ts.Node]:
        calls = self.model.method_calls(RESET_METHOD)
        pattern = self.graph.resetter_call_pattern() if self.graph is not None else None
        if pattern is not None:
            for match in pattern.finditer(self.model.data):
                call = call_of_name(self.model.node_at(match.start()))
                if call is not None:
                    calls.append(call)
        return calls


def _first_of_each_kind(events: list[Event]) -> list[Event]:
    firsts: dict[str, Event] = {}
    for event in events:
        firsts.setdefault(event.kind, event)
    return sorted(firsts.values(), key=events.index)


def _describe_call(node: ts.Node, data: bytes) -> str:
    call_text = text(node, data)
    if len(call_text) <= 60 and "\n" not in call_text:
        return call_text
    return call_text.split("\n")[0][:57] + "..."


def check(context: RuleContext) -> Iterator[Finding]:
    document = context.document
    graph = CallGraph(context.workspace) if context.workspace is not None else None
    model = model_for(context)
    analysis = _Analysis(model, document.path, graph)
    for unit in analysis.units_that_may_reset():
        walker = OrderWalker(lambda call, unit=unit: analysis.classify(unit, call))
        for reset, load in walker.run(unit.body):
            yield _finding(context, document, reset, load)


def _finding(context: RuleContext, document: Document, reset: Event, load: Event) -> Finding:
    data = document.data
    line = document.buffer.line_of(load.start) + 1
    if load.helper:
        loaded = f"`{load.helper}()` loaded the model (line {line})"
    else:
        loaded = f"the model was loaded (line {line}: `{_describe_call(load.node, data)}`)"
    if reset.helper:
        subject = f"`{reset.helper}()` resets the ExecuTorch thread pool"
    else:
        subject = "`_unsafe_reset_threadpool` runs"
    message = (
        f"{subject} after {loaded}; backends such as XNNPACK keep using the old pool. "
        "Set the thread count before loading or running a model"
    )
    related = [Related(Span(load.node.start_byte, load.node.end_byte), "model loaded here")]
    if load.origin is not None:
        related.append(
            Related(
                Span(load.origin.start_byte, load.origin.end_byte), f"load inside `{load.helper}()`"
            )
        )
    if reset.origin is not None:
        related.append(
            Related(Span(reset.origin.start_byte, reset.origin.end_byte), "thread pool reset here")
        )
    related.extend(_remote_related(load.remote, "model loaded here"))
    related.extend(_remote_related(reset.remote, "thread pool reset here"))
    fix = move_before(
        document, reset.node, load.node, "Move the thread-pool reset before the first model load"
    )
    span = _reset_span(reset, data)
    return context.finding(span, message, fix=fix, related=related)


def _remote_related(event: RemoteEvent | None, what: str) -> list[Related]:
    if event is None:
        return []
    chain = " → ".join(f"{name}()" for name in event.via)
    site = event.site
    return [Related(Span(site.start, site.end), f"{what} (through {chain})", path=site.path)]


def _reset_span(reset: Event, data: bytes) -> Span:
    """The method name for direct resets (a short squiggle); the helper call otherwise."""
    if reset.helper is None:
        field = reset.node.child_by_field_name("function").child_by_field_name("field")
        return Span(field.start_byte, reset.node.end_byte)
    return Span(reset.node.start_byte, reset.node.end_byte)


RULE = Rule(
    code="ET101",
    name="threadpool-reset-after-load",
    title="Thread pool resized after the model was loaded",
    languages=frozenset({LanguageId.CPP}),
    severity=Severity.ERROR,
    fixable=True,
    docs=DOCS,
    check=check,
    anchors=(RESET_METHOD.encode(),),
    workspace_anchor=lambda workspace: CallGraph(workspace).resetter_call_pattern(),
    workspace_fingerprint=fingerprint,
)

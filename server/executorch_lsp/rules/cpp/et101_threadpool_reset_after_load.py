"""ET101 threadpool-reset-after-load: ``_unsafe_reset_threadpool`` after a model load."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import tree_sitter as ts

from ...engine.document import Document
from ...engine.findings import Finding, Related, Severity, Span
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from .et101_docs import DOCS, HOVER_TEXT
from .file_model import FileModel, Unit
from .flow import Event, OrderWalker
from .model_loads import is_direct_load, is_member_load
from .reorder import move_before
from .syntax import member_call, text

RESET_METHOD = "_unsafe_reset_threadpool"


def _is_reset(call: ts.Node, data: bytes) -> bool:
    member = member_call(call, data)
    return member is not None and member[2] == RESET_METHOD


class _Analysis:
    def __init__(self, model: FileModel) -> None:
        self.model = model
        self.summaries: dict[int, list[Event]] = {}

    def classify(self, unit: Unit, call: ts.Node) -> list[Event]:
        data = self.model.data
        if _is_reset(call, data):
            return [Event("reset", call)]
        member = member_call(call, data)
        receiver_type = self.model.receiver_type(member[0], unit) if member else None
        if is_direct_load(call, data) or is_member_load(call, data, receiver_type):
            return [Event("load", call)]
        callee = self.model.resolve_call(call, unit)
        if callee is None or callee is unit:
            return []
        return [
            Event(event.kind, call, event.origin or event.node, event.helper or callee.name)
            for event in self.summaries.get(id(callee), [])
        ]

    def summarize(self) -> None:
        """What each function does, first kind first, through same-file calls (fixpoint)."""
        for _ in range(8):
            changed = False
            for unit in self.model.units:
                walker = OrderWalker(lambda call, unit=unit: self.classify(unit, call))
                walker.run(unit.body)
                summary = _first_of_each_kind(walker.events)
                if [e.kind for e in summary] != [e.kind for e in self.summaries.get(id(unit), [])]:
                    self.summaries[id(unit)] = summary
                    changed = True
            if not changed:
                return


def _first_of_each_kind(events: list[Event]) -> list[Event]:
    firsts: dict[str, Event] = {}
    for event in events:
        firsts.setdefault(event.kind, event)
    return sorted(firsts.values(), key=lambda e: events.index(e))


def _describe_call(node: ts.Node, data: bytes) -> str:
    call_text = text(node, data)
    return (
        call_text
        if len(call_text) <= 60 and "\n" not in call_text
        else call_text[:57].split("\n")[0] + "..."
    )


def check(context: RuleContext) -> Iterator[Finding]:
    document = context.document
    data = document.data
    captures: dict[str, list[ts.Node]] = defaultdict(list)
    for _, match_captures in context.matches:
        for name, nodes in match_captures.items():
            captures[name].extend(nodes)
    analysis = _Analysis(FileModel.build(document.tree.root_node, data, captures))
    analysis.summarize()
    for unit in analysis.model.units:
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
    fix = move_before(
        document, reset.node, load.node, "Move the thread-pool reset before the first model load"
    )
    span = _reset_span(reset, data)
    return context.finding(span, message, fix=fix, related=related)


def _reset_span(reset: Event, data: bytes) -> Span:
    """The method name for direct resets (a short squiggle); the helper call otherwise."""
    if reset.helper is None:
        field = reset.node.child_by_field_name("function").child_by_field_name("field")
        return Span(field.start_byte, reset.node.end_byte)
    return Span(reset.node.start_byte, reset.node.end_byte)


def hover(document: Document, offset: int) -> str | None:
    node = document.tree.root_node.descendant_for_byte_range(offset, offset)
    if (
        node is not None
        and node.type == "field_identifier"
        and text(node, document.data) == RESET_METHOD
    ):
        return HOVER_TEXT
    return None


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
    query="cpp/et101_threadpool_reset_after_load.scm",
    hover=hover,
)

"""ET402 legacy-to-backend-flow: ``to_edge(...)`` then ``.to_backend(...)``, or
``to_edge(...)`` straight to ``.to_executorch()`` with no lowering at all.

The edge manager is followed through one name in one scope: ``edge = to_edge(ep)``, then
``edge.to_backend(p)`` or ``edge.to_executorch()``, or the same calls chained. A manager
that leaves the scope (returned, passed to a helper, stored in a container, reassigned
from elsewhere) is not followed, so a helper that lowers it later is never mistaken for
"no lowering".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from ...engine.findings import Finding, Fix, Severity, Span, TextEdit
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from ..screens import AnyOf
from .et402_docs import DOCS
from .lowering import (
    XNNPACK_IMPORT,
    XNNPACK_LIST,
    XNNPACK_PARTITIONER,
    add_keyword_edit,
    direct_target,
    import_edit,
    is_exir_function,
    is_test_path,
    portable_on_purpose,
)
from .model import ScriptModel, is_method_call, script_model, text, unwrap

TO_EDGE = "to_edge"
_BACKEND_API = "executorch.exir.backend.backend_api.to_backend"
LOWER = "to_edge_transform_and_lower"
# Uses of the edge manager that neither lower it nor hand it on.
_READS = frozenset({"exported_program", "methods", "config_methods", "to_executorch"})


@dataclass(frozen=True)
class _Flow:
    """What happens to one ``to_edge`` result: its ``to_backend`` calls, or the
    ``to_executorch`` call reached without any lowering."""

    to_backend: tuple[ts.Node, ...] = ()
    to_executorch: ts.Node | None = None


def check(context: RuleContext) -> Iterator[Finding]:
    if is_test_path(context.document.path):
        return
    model = script_model(context.document)
    for call, _ in model.calls_to(TO_EDGE, lambda name: is_exir_function(name, TO_EDGE)):
        if not any(start <= call.start_byte < end for start, end in context.ranges()):
            continue
        flow = _follow(model, call)
        if flow is None:
            continue
        for to_backend in flow.to_backend:
            yield _legacy_finding(context, model, call, to_backend)
        if flow.to_backend or flow.to_executorch is None:
            continue
        if not _lowered_elsewhere(model, call) and not portable_on_purpose(model, call):
            yield _unlowered_finding(context, model, call)


def _lowered_elsewhere(model: ScriptModel, to_edge: ts.Node) -> bool:
    """The program may hold delegates already: the script lowers with the functional
    ``to_backend``, the exported module is called ``lowered...``, or it comes from a
    backend's own helper (``executorch.backends.qualcomm.utils...``)."""
    if any(model.calls_to("to_backend", lambda name: name == _BACKEND_API)):
        return True
    arguments = to_edge.child_by_field_name("arguments")
    if arguments is None or "lower" in text(arguments).lower():
        return True
    return any(_built_by_backend_helper(model, name) for name in _identifiers(arguments))


def _identifiers(node: ts.Node) -> list[ts.Node]:
    found: list[ts.Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "identifier":
            found.append(current)
        stack.extend(current.named_children)
    return found


def _built_by_backend_helper(model: ScriptModel, name: ts.Node) -> bool:
    scope = model.scope_of(name)
    for binding in model.bindings_in(scope, text(name)):
        statement = binding.target.parent
        while statement is not None and statement.type not in ("assignment", "block", "module"):
            statement = statement.parent
        value = statement.child_by_field_name("right") if statement is not None else None
        if value is not None and value.type == "call":
            callee = model.qualified_name(value.child_by_field_name("function"))
            if callee is not None and callee.startswith("executorch.backends."):
                return True
    return False


def _follow(model: ScriptModel, call: ts.Node) -> _Flow | None:
    chained = _method_called_on(call)
    if chained is not None:
        method, method_call = chained
        if method == "to_backend":
            return _Flow(to_backend=(method_call,))
        return _Flow(to_executorch=method_call) if method == "to_executorch" else None
    name = direct_target(call)
    if name is None:
        return None
    scope = model.scope_of(call)
    if len(model.bindings_in(scope, name)) != 1:
        return _follow_reassigned(model, scope, name, call)
    to_backend: list[ts.Node] = []
    to_executorch: ts.Node | None = None
    for use in model.uses_in(scope, name):
        if use.start_byte < call.end_byte or _is_binding_target(use):
            continue
        chained = _method_called_on(use)
        if chained is None:
            return None  # handed on, returned or stored: someone else may lower it
        method, method_call = chained
        if method == "to_backend":
            to_backend.append(method_call)
        elif method == "to_executorch":
            to_executorch = to_executorch or method_call
        elif method not in _READS:
            return None
    return _Flow(tuple(to_backend), to_executorch)


def _follow_reassigned(
    model: ScriptModel, scope: ts.Node, name: str, call: ts.Node
) -> _Flow | None:
    """``edge = to_edge(ep)`` then ``edge = edge.to_backend(p)``: the other assignments
    must all be ``to_backend`` calls on the name itself."""
    found: list[ts.Node] = []
    for binding in model.bindings_in(scope, name):
        value = unwrap(binding.value) if binding.value is not None else None
        if value == call:
            continue
        if value is None or not is_method_call(value, "to_backend"):
            return None
        receiver = _receiver(value)
        if receiver is None or receiver.type != "identifier" or text(receiver) != name:
            return None
        found.append(value)
    return _Flow(to_backend=tuple(found))


def _receiver(call: ts.Node) -> ts.Node | None:
    function = call.child_by_field_name("function")
    return function.child_by_field_name("object") if function is not None else None


def _method_called_on(node: ts.Node) -> tuple[str, ts.Node] | None:
    """``node.method(...)``: the method's name and the call."""
    attribute = node.parent
    if attribute is None or attribute.type != "attribute":
        return None
    if attribute.child_by_field_name("object") != node:
        return None
    call = attribute.parent
    if call is None or call.type != "call" or call.child_by_field_name("function") != attribute:
        return None
    return text(attribute.child_by_field_name("attribute")), call


def _is_binding_target(node: ts.Node) -> bool:
    parent = node.parent
    return (
        parent is not None
        and parent.type == "assignment"
        and parent.child_by_field_name("left") == node
    )


# -- findings -------------------------------------------------------------------------
def _legacy_finding(
    context: RuleContext, model: ScriptModel, to_edge: ts.Node, to_backend: ts.Node
) -> Finding:
    function = to_backend.child_by_field_name("function")
    name = function.child_by_field_name("attribute")
    discarded = to_backend.parent is not None and to_backend.parent.type == "expression_statement"
    if discarded:
        message = (
            "`to_backend` returns a new, lowered program and this one is thrown away: "
            "nothing is delegated. The `to_edge(...)` + `to_backend(...)` flow is deprecated "
            f"besides; lower in one step with `{LOWER}(exported, partitioner=[...])`"
        )
    else:
        message = (
            "Legacy `to_edge(...)` + `to_backend(...)` flow: ExecuTorch documents it as giving "
            f"inconsistent or wrong results and XNNPACK logs a deprecation warning. Use "
            f"`{LOWER}(exported, partitioner=[...])`, which also runs the backend's "
            "transforms before lowering"
        )
    fix = None if discarded else _legacy_fix(context, model, to_edge, to_backend)
    return context.finding(Span(name.start_byte, name.end_byte), message, fix=fix)


def _unlowered_finding(context: RuleContext, model: ScriptModel, to_edge: ts.Node) -> Finding:
    function = to_edge.child_by_field_name("function")
    message = (
        "`to_edge(...)` goes to `to_executorch()` without any lowering: nothing is delegated, "
        "so every operator runs on the portable CPU kernels, which are not optimized for "
        f"speed. Lower to the target's backend with `{LOWER}(exported, partitioner=[...])`, "
        f"e.g. `{XNNPACK_LIST}` on Arm and x86 CPUs"
    )
    fix = _unlowered_fix(context, model, to_edge)
    return context.finding(Span(function.start_byte, function.end_byte), message, fix=fix)


def _lower_import_edits(
    context: RuleContext, model: ScriptModel, to_edge: ts.Node
) -> list[TextEdit]:
    """Make ``to_edge_transform_and_lower`` importable the way ``to_edge`` is."""
    function = to_edge.child_by_field_name("function")
    if function.type == "attribute":
        return []  # exir.to_edge -> exir.to_edge_transform_and_lower
    if LOWER in model.imports:
        return []
    edit = import_edit(model, context.document.data, LOWER, f"from executorch.exir import {LOWER}")
    return [edit] if edit is not None else []


def _callee_edit(to_edge: ts.Node) -> TextEdit:
    function = to_edge.child_by_field_name("function")
    if function.type == "attribute":
        name = function.child_by_field_name("attribute")
        return TextEdit(Span(name.start_byte, name.end_byte), LOWER)
    return TextEdit(Span(function.start_byte, function.end_byte), LOWER)


def _legacy_fix(
    context: RuleContext, model: ScriptModel, to_edge: ts.Node, to_backend: ts.Node
) -> Fix | None:
    """``to_edge(ep).to_backend(p)`` or ``edge = to_edge(ep)`` directly followed by
    ``edge = edge.to_backend(p)`` become ``to_edge_transform_and_lower(ep, partitioner=[p])``."""
    arguments = to_backend.child_by_field_name("arguments")
    given = [child for child in arguments.named_children if child.type != "comment"]
    if len(given) != 1 or given[0].type in ("keyword_argument", "dictionary", "list_splat"):
        return None
    partitioner = text(given[0])
    add = add_keyword_edit(to_edge, "partitioner", f"[{partitioner}]")
    if add is None:
        return None
    edits = [*_lower_import_edits(context, model, to_edge), _callee_edit(to_edge), add]
    if _receiver(to_backend) == to_edge:  # chained
        tail = Span(to_edge.end_byte, to_backend.end_byte)
        edits.append(TextEdit(tail, ""))
    else:
        removal = _statement_removal(context.document.data, to_edge, to_backend)
        if removal is None:
            return None
        edits.append(removal)
    return Fix(f"Use {LOWER}", tuple(sorted(edits, key=lambda e: e.span.start)), safe=False)


def _statement_removal(data: bytes, to_edge: ts.Node, to_backend: ts.Node) -> TextEdit | None:
    """The ``edge = edge.to_backend(p)`` line, when it directly follows ``edge = to_edge``."""
    first = to_edge.parent.parent if to_edge.parent is not None else None
    second = to_backend.parent.parent if to_backend.parent is not None else None
    if (
        first is None
        or second is None
        or first.type != "expression_statement"
        or second.type != "expression_statement"
        or to_backend.parent.type != "assignment"
        or first.next_named_sibling != second
        or _receiver(to_backend).type != "identifier"
    ):
        return None
    start = data.rfind(b"\n", 0, second.start_byte) + 1
    end = data.find(b"\n", second.end_byte)
    end = len(data) if end < 0 else end + 1
    if data[start : second.start_byte].strip() or data[second.end_byte : end].strip():
        return None  # other code or a comment shares the line
    return TextEdit(Span(start, end), "")


def _unlowered_fix(context: RuleContext, model: ScriptModel, to_edge: ts.Node) -> Fix | None:
    add = add_keyword_edit(to_edge, "partitioner", XNNPACK_LIST)
    if add is None:
        return None
    edits = [*_lower_import_edits(context, model, to_edge), _callee_edit(to_edge), add]
    partitioner_import = import_edit(
        model, context.document.data, XNNPACK_PARTITIONER, XNNPACK_IMPORT
    )
    if partitioner_import is not None:
        edits.insert(0, partitioner_import)
    return Fix("Delegate to XNNPACK", tuple(_merged(edits)), safe=False)


def _merged(edits: list[TextEdit]) -> list[TextEdit]:
    """Insertions at one offset become one edit, in the order given."""
    merged: list[TextEdit] = []
    for edit in edits:
        if merged and merged[-1].span == edit.span and edit.span.start == edit.span.end:
            merged[-1] = TextEdit(edit.span, merged[-1].new_text + edit.new_text)
        else:
            merged.append(edit)
    return sorted(merged, key=lambda e: e.span.start)


RULE = Rule(
    code="ET402",
    name="legacy-to-backend-flow",
    title="Export uses to_edge + to_backend, or no lowering at all",
    languages=frozenset({LanguageId.PYTHON}),
    severity=Severity.WARNING,
    fixable=True,
    docs=DOCS,
    check=check,
    anchors=(b"to_edge",),
    anchor_patterns=(AnyOf(rb"\bto_edge\s*\("),),
)

"""ET401 lowering-without-partitioner: ``to_edge_transform_and_lower`` that lowers to
nothing, so every operator runs on the portable CPU kernels.

Reported when the ``partitioner`` argument is missing, ``None``, empty, or a name whose
every assignment in the script is ``None``/empty (following ``x if cond else y`` and dict
lookups when the condition or key is a constant or an ``argparse`` default). Partitioners
passed in as parameters, returned by helpers or appended in loops are not findings.
Only ExecuTorch's function (imported from ``executorch.exir``) counts: the LLM builder's
``to_edge_transform_and_lower`` method takes its partitioners elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from ...engine.findings import Finding, Fix, Related, Severity, Span, TextEdit
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from .et401_docs import DOCS
from .lowering import (
    PARTITIONER_POSITION,
    XNNPACK_LIST,
    add_keyword_edit,
    argument,
    direct_target,
    is_exir_function,
    is_test_path,
    portable_on_purpose,
    xnnpack_fix,
)
from .model import ScriptModel, script_model, text, unwrap
from .values import Holds, PartitionerValues, Verdict

LOWER = "to_edge_transform_and_lower"
_PASS_MANAGER = re.compile(r"Pass(?:Manager)?$|pass_manager$")


def check(context: RuleContext) -> Iterator[Finding]:
    if is_test_path(context.document.path):
        return
    model = script_model(context.document)
    for call, _ in model.calls_to(LOWER, lambda name: is_exir_function(name, LOWER)):
        if not _in_ranges(call, context):
            continue
        given, hidden = argument(call, "partitioner", PARTITIONER_POSITION)
        if given is None and hidden:
            continue
        verdict = (
            Verdict(Holds.NONE) if given is None else PartitionerValues(model, call).holds(given)
        )
        if verdict.holds.is_nothing and not _without_delegate_on_purpose(model, call):
            yield _finding(context, model, call, given, verdict)


def _without_delegate_on_purpose(model: ScriptModel, call: ts.Node) -> bool:
    """The script says so (see ``portable_on_purpose``), or the lowered graph goes on to
    a pass manager that swaps in another kernel library (Cortex-M:
    ``CortexMPassManager(edge.exported_program())``)."""
    if portable_on_purpose(model, call):
        return True
    result = direct_target(call)
    if result is None:
        return False
    scope = model.scope_of(call)
    for use in model.uses_in(scope, result):
        owner = use.parent
        method = owner.child_by_field_name("attribute") if owner.type == "attribute" else None
        if text(method) == "_edge_programs":
            return True
        if text(method) == "exported_program" and _handed_to_pass_manager(owner.parent):
            return True
    return False


def _handed_to_pass_manager(exported_program_call: ts.Node | None) -> bool:
    arguments = exported_program_call.parent if exported_program_call is not None else None
    if arguments is None or arguments.type != "argument_list" or arguments.parent is None:
        return False
    callee = text(arguments.parent.child_by_field_name("function"))
    return _PASS_MANAGER.search(callee) is not None


def _in_ranges(call: ts.Node, context: RuleContext) -> bool:
    return any(start <= call.start_byte < end for start, end in context.ranges())


def _finding(
    context: RuleContext,
    model: ScriptModel,
    call: ts.Node,
    given: ts.Node | None,
    verdict: Verdict,
) -> Finding:
    function = call.child_by_field_name("function")
    name_span = Span(function.start_byte, function.end_byte)
    if given is None:
        what = "without a partitioner"
    elif not verdict.reasons:
        what = f"with `partitioner={text(given)}`"
    else:
        what = f"with `partitioner={text(given)}`, which is {_describe(verdict)}"
    message = (
        f"`{LOWER}` {what}: nothing is delegated, so every operator runs on the portable "
        "CPU kernels, which are not optimized for speed. Pass the backend's partitioner, "
        f"e.g. `partitioner={XNNPACK_LIST}`"
    )
    related = [
        Related(Span(reason.node.start_byte, reason.node.end_byte), reason.message)
        for reason in verdict.reasons
    ]
    return context.finding(
        name_span, message, fix=_fix(context, model, call, given), related=related
    )


def _describe(verdict: Verdict) -> str:
    if any("without `--" in reason.message for reason in verdict.reasons):
        return "empty unless a command-line option says otherwise"
    return "None" if verdict.holds is Holds.NONE else "empty"


def _fix(
    context: RuleContext, model: ScriptModel, call: ts.Node, given: ts.Node | None
) -> Fix | None:
    if given is None:
        edit = add_keyword_edit(call, "partitioner", XNNPACK_LIST)
    elif unwrap(given).type in ("none", "list", "tuple"):
        edit = TextEdit(Span(given.start_byte, given.end_byte), XNNPACK_LIST)
    else:
        return None  # the value comes from elsewhere; which backend is the author's call
    if edit is None:
        return None
    return xnnpack_fix("Delegate to XNNPACK", model, context.document.data, [edit])


RULE = Rule(
    code="ET401",
    name="lowering-without-partitioner",
    title="Lowering without a partitioner runs everything on portable kernels",
    languages=frozenset({LanguageId.PYTHON}),
    severity=Severity.WARNING,
    fixable=True,
    docs=DOCS,
    check=check,
    anchors=(LOWER.encode(),),
)

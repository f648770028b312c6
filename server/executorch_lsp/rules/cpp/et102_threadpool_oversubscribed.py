"""ET102 threadpool-oversubscribed: the thread pool sized to every core (or more than 8)."""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from ...engine.findings import Finding, Fix, Severity, Span, TextEdit
from ...engine.languages import LanguageId
from ...knowledge.profiling import MEASURE
from ..base import Rule, RuleContext, RuleDocs, Source
from .error_values import integer_cast_inner
from .et101_threadpool_reset_after_load import RESET_METHOD
from .file_model import FileModel
from .headers import model_for
from .syntax import callee_parts, descendants, text

ALL_CORES = frozenset(
    {
        "hardware_concurrency",
        "get_nprocs",
        "get_nprocs_conf",
        "cpuinfo_get_processors_count",
        "cpuinfo_get_cores_count",
    }
)
MOBILE_LIMIT = 8
FAQ_URL = "https://github.com/pytorch/executorch/blob/main/docs/source/using-executorch-faqs.md"


def _all_cores_call(node: ts.Node, data: bytes) -> ts.Node | None:
    """The core-count call in ``hardware_concurrency()``, ``sysconf(_SC_NPROCESSORS_ONLN)``,
    or ``std::max(1u, <that>)``; None for anything else (``/ 2`` included)."""
    node, _ = integer_cast_inner(node, data)
    if node.type != "call_expression":
        return None
    parts = callee_parts(node, data)
    if not parts:
        return None
    arguments = node.child_by_field_name("arguments").named_children
    if parts[-1] in ALL_CORES and not arguments:
        return node
    if (
        parts[-1] == "sysconf"
        and len(arguments) == 1
        and text(arguments[0], data).startswith("_SC_NPROCESSORS")
    ):
        return node
    if parts[-1] == "max" and len(arguments) == 2:
        return next((c for a in arguments if (c := _all_cores_call(a, data)) is not None), None)
    return None


def _only_assignments(model: FileModel, name: str, body: ts.Node) -> list[ts.Node]:
    data = model.data
    return [
        node.child_by_field_name("right")
        for node in descendants(body)
        if node.type == "assignment_expression"
        and text(node.child_by_field_name("left"), data) == name
    ]


def check(context: RuleContext) -> Iterator[Finding]:
    model = model_for(context)
    ranges = context.ranges()
    for call in model.method_calls(RESET_METHOD):
        if not any(start <= call.start_byte < end for start, end in ranges):
            continue
        arguments = call.child_by_field_name("arguments").named_children
        if len(arguments) == 1:
            yield from _check_argument(context, model, call, arguments[0])


def _check_argument(context: RuleContext, model: FileModel, call: ts.Node, argument: ts.Node):
    data = model.data
    span = Span(argument.start_byte, argument.end_byte)
    cores = _all_cores_call(argument, data)
    if cores is not None:
        edit = TextEdit(Span(cores.end_byte, cores.end_byte), " / 2")
        yield context.finding(
            span, _message("every core"), fix=Fix("Use half of the cores", (edit,))
        )
        return
    inner, _ = integer_cast_inner(argument, data)
    if inner.type == "number_literal":
        value = int(text(inner, data).rstrip("uUlL"), 0)
        if value > MOBILE_LIMIT:
            yield context.finding(span, _message(f"{value} threads"))
        return
    if inner.type != "identifier":
        return
    variable = model.lookup(text(inner, data), inner)
    unit = model.unit_at(call)
    if variable is None or variable.value is None or unit is None:
        return
    if _all_cores_call(variable.value, data) is None:
        return
    if _only_assignments(model, variable.name, unit.body):
        return  # reassigned (for example from a command-line flag): not always every core
    yield context.finding(span, _message("every core"))


def _message(what: str) -> str:
    return (
        f"The ExecuTorch thread pool is sized to {what}: the FAQ advises cores / 2, or 4 on "
        "mobile CPUs, because big.LITTLE efficiency cores and SMT siblings slow the parallel "
        "kernels down. Measure with ETDump; note that get_num_performant_cores() misreports "
        "on some devices"
    )


RULE = Rule(
    code="ET102",
    name="threadpool-oversubscribed",
    title="Thread pool sized to every core",
    languages=frozenset({LanguageId.CPP}),
    severity=Severity.INFO,
    fixable=True,
    incremental=True,
    check=check,
    anchors=(RESET_METHOD.encode(),),
    docs=RuleDocs(
        problem=(
            "`_unsafe_reset_threadpool(n)` is given the number of all cores "
            "(`std::thread::hardware_concurrency()`, `sysconf(_SC_NPROCESSORS_ONLN)`, "
            "`get_nprocs()`, `cpuinfo_get_processors_count()`), directly or through a variable "
            "that only ever holds it, or a constant above 8."
        ),
        bad=(
            "void configure() {\n"
            "  ::executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(\n"
            "      std::thread::hardware_concurrency());\n"
            "}\n"
        ),
        good=(
            "void configure() {\n"
            "  ::executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(\n"
            "      std::thread::hardware_concurrency() / 2);\n"
            "}\n"
        ),
        why=(
            "The ExecuTorch FAQ's performance advice: consider cores / 2, or just 4 on mobile "
            "CPUs. Using every logical core puts kernels on efficiency cores and SMT siblings, "
            "where the slowest thread sets the pace of each parallel operator. The best count "
            "depends on the model and device. `get_num_performant_cores()` is a good default "
            "but has misreported on some phones, so allow an explicit override."
        ),
        exceptions=(
            "Divided counts (`/ 2`), `get_num_performant_cores()`, constants up to 8 and "
            "variables that can also come from elsewhere (a command-line flag) are not "
            "reported. Servers with a dedicated machine may want every core: suppress with "
            "`// executorch-lsp: ignore[ET102] -- dedicated host`."
        ),
        sources=(
            Source("ExecuTorch FAQ: Inference is slow / performance troubleshooting", FAQ_URL),
        ),
        example_language="cpp",
        measuring=MEASURE,
    ),
)

"""ET208 selective-build-options: ExecuTorch's selective-build options set so that the
configure step fails, or under names the top-level build never reads."""

from __future__ import annotations

from collections.abc import Iterator

from ...engine.cmake_model import UNKNOWN, Assignment, BuildModel, compatible, untag
from ...engine.findings import Finding, Fix, Severity, Span, TextEdit
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext, RuleDocs, Source
from .build import model_for, related_at

DEFAULTS_URL = "https://github.com/pytorch/executorch/blob/main/tools/cmake/preset/default.cmake"
SELECTIVE_URL = (
    "https://github.com/pytorch/executorch/blob/main/docs/source/kernel-library-selective-build.md"
)
SPECIFIERS = (
    "EXECUTORCH_SELECT_OPS_YAML",
    "EXECUTORCH_SELECT_OPS_LIST",
    "EXECUTORCH_SELECT_OPS_MODEL",
)
DTYPE = "EXECUTORCH_ENABLE_DTYPE_SELECTIVE_BUILD"
# Names shown in docs and examples that the top-level build does not read.
UNREAD = {
    "EXECUTORCH_SELECT_OPS_FROM_MODEL": "EXECUTORCH_SELECT_OPS_MODEL",
    "EXECUTORCH_DTYPE_SELECTIVE_BUILD": DTYPE,
}
_FALSE = frozenset({"", "0", "OFF", "NO", "FALSE", "N"})


def check(context: RuleContext) -> Iterator[Finding]:
    model = model_for(context)
    if model.executorch != "subdirectory":
        return  # only a project that configures ExecuTorch's own build
    here = [a for a in model.assignments if a.site.path == context.document.path]
    yield from _conflicting(context, model, here)
    yield from _dtype_without_model(context, model, here)
    yield from _unread_names(context, model, here)


def _set(assignment: Assignment) -> bool:
    value = untag(assignment.value)[0]
    return UNKNOWN not in value and value.upper() not in _FALSE


def _conflicting(context: RuleContext, model: BuildModel, here: list[Assignment]):
    chosen = [a for a in model.assignments if a.name in SPECIFIERS and _set(a)]
    for later in (a for a in here if a.name in SPECIFIERS and _set(a)):
        earlier = next(
            (
                a
                for a in chosen
                if a.name != later.name
                and a.site.start < later.site.start
                and compatible(a.branch, later.branch)
            ),
            None,
        )
        if earlier is not None:
            yield context.finding(
                Span(later.site.start, later.site.end),
                f"{later.name} and {earlier.name} are both set: ExecuTorch's selective-build "
                "specifiers are mutually exclusive and its configure step stops with an error. "
                "Choose one",
                related=[related_at(context, earlier.site, f"{earlier.name} is set here")],
            )


def _dtype_without_model(context: RuleContext, model: BuildModel, here: list[Assignment]):
    models = [a for a in model.assignments if a.name == "EXECUTORCH_SELECT_OPS_MODEL" and _set(a)]
    for dtype in (a for a in here if a.name == DTYPE and _set(a)):
        if not any(compatible(m.branch, dtype.branch) for m in models):
            yield context.finding(
                Span(dtype.site.start, dtype.site.end),
                f"{DTYPE} needs EXECUTORCH_SELECT_OPS_MODEL (the .pte whose dtypes are kept): "
                "without it ExecuTorch's configure step stops with an error",
            )


def _unread_names(context: RuleContext, model: BuildModel, here: list[Assignment]):
    data = context.document.data
    for assignment in (a for a in here if a.name in UNREAD):
        name = assignment.name
        if data.count(name.encode()) > sum(1 for a in here if a.name == name):
            continue  # the project reads the variable itself
        replacement = UNREAD[name]
        start = data.find(name.encode(), assignment.site.start, assignment.site.end)
        fix = None
        if start >= 0:
            span = Span(start, start + len(name))
            fix = Fix(f"Rename to {replacement}", (TextEdit(span, replacement),), safe=False)
        yield context.finding(
            Span(assignment.site.start, assignment.site.end),
            f"ExecuTorch's build does not read {name}: the setting is silently ignored and "
            f"every operator is built. The option is {replacement}",
            fix=fix,
        )


RULE = Rule(
    code="ET208",
    name="selective-build-options",
    title="ExecuTorch selective-build options that cannot work",
    languages=frozenset({LanguageId.CMAKE}),
    severity=Severity.WARNING,
    fixable=True,
    check=check,
    anchors=(b"EXECUTORCH_SELECT_OPS", b"DTYPE_SELECTIVE_BUILD"),
    docs=RuleDocs(
        problem=(
            "A project that builds ExecuTorch from source sets more than one of "
            "`EXECUTORCH_SELECT_OPS_YAML`, `EXECUTORCH_SELECT_OPS_LIST` and "
            "`EXECUTORCH_SELECT_OPS_MODEL`, sets `EXECUTORCH_ENABLE_DTYPE_SELECTIVE_BUILD` "
            "without `EXECUTORCH_SELECT_OPS_MODEL`, or sets a name that only appears in docs "
            "and examples (`EXECUTORCH_SELECT_OPS_FROM_MODEL`, "
            "`EXECUTORCH_DTYPE_SELECTIVE_BUILD`)."
        ),
        bad=(
            'set(EXECUTORCH_SELECT_OPS_FROM_MODEL "${CMAKE_SOURCE_DIR}/model.pte")\n'
            "add_subdirectory(third-party/executorch)\n"
        ),
        good=(
            'set(EXECUTORCH_SELECT_OPS_MODEL "${CMAKE_SOURCE_DIR}/model.pte")\n'
            "add_subdirectory(third-party/executorch)\n"
        ),
        why=(
            "ExecuTorch's build checks these options when it is configured: the three "
            "specifiers exclude each other and dtype selective build needs the model. A name "
            "the build does not read is worse: nothing fails, the selection is ignored and the "
            "binary carries every operator."
        ),
        exceptions=(
            "Only projects that configure ExecuTorch's own build (`add_subdirectory`) are "
            "checked; values set in branches that cannot both run are not combined; a "
            "doc-only name the project reads itself (for its own `gen_selected_ops()` call) "
            "is not reported."
        ),
        sources=(
            Source("tools/cmake/preset/default.cmake (option checks)", DEFAULTS_URL),
            Source("Kernel library selective build", SELECTIVE_URL),
        ),
        example_language="cmake",
    ),
)

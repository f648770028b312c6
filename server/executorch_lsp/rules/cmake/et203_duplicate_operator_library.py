"""ET203 duplicate-operator-library: two libraries registering the same ATen kernels
end up in one binary."""

from __future__ import annotations

from collections.abc import Iterator

from ...engine.cmake_model import BuildModel, LinkItem, compatible
from ...engine.findings import Finding, Severity, Span
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from .build import Reached, binaries_linked_in, model_for, reached, related_at
from .et203_docs import DOCS
from .registering import generated_libraries

# Libraries that register the standard (aten::) operators. Any two of them overlap:
# optimized_native_cpu_ops_lib registers the optimized kernels plus portable fallbacks.
ATEN_OPERATOR_LIBRARIES = frozenset(
    {"portable_ops_lib", "optimized_native_cpu_ops_lib", "optimized_ops_lib"}
)
_ATEN_KERNELS = frozenset({"portable_kernels", "optimized_kernels", "optimized_portable_kernels"})


def check(context: RuleContext) -> Iterator[Finding]:
    document = context.document
    model = model_for(context)
    reported: set[tuple[int, int]] = set()
    for name in binaries_linked_in(model, document.path):
        for earlier, later in _duplicates(model, name):
            site = later.first.site
            if site.path != document.path or (site.start, site.end) in reported:
                continue
            reported.add((site.start, site.end))
            yield _finding(context, name, earlier, later)


def _duplicates(model: BuildModel, binary: str) -> list[tuple[Reached, Reached]]:
    """Each operator library reaching ``binary`` after another one it can be linked with
    (the first such), wherever they are linked: the same for every file of the build."""
    return model.cached(
        ("duplicate-operator-libraries", binary), lambda: _find_duplicates(model, binary)
    )


def _find_duplicates(model: BuildModel, binary: str) -> list[tuple[Reached, Reached]]:
    if not any(t.kind in ("executable", "library") for t in model.targets[binary]):
        return []
    operator_libraries = model.cached(("aten-operator-libraries",), lambda: _operators(model))
    found = [r for r in reached(model, binary) if r.library in operator_libraries]
    duplicates = []
    for index, later in enumerate(found):
        earlier = next(
            (
                earlier
                for earlier in found[:index]
                if earlier.library != later.library and compatible(earlier.branch, later.branch)
            ),
            None,
        )
        if earlier is not None:
            duplicates.append((earlier, later))
    return duplicates


def _operators(model: BuildModel) -> frozenset[str]:
    """Libraries registering aten:: operators: ExecuTorch's and those generated from them."""
    return ATEN_OPERATOR_LIBRARIES | {
        library.name for library in generated_libraries(model) if library.kernels & _ATEN_KERNELS
    }


def _names_variable(context: RuleContext, item: LinkItem, variable: str) -> bool:
    if item.site.path != context.document.path:
        return False
    return variable.encode() in context.document.data[item.site.start : item.site.end]


def _finding(context: RuleContext, binary: str, earlier: Reached, later: Reached) -> Finding:
    message = (
        f"`{binary}` links both `{earlier.library}` and `{later.library}`, which register "
        "the same aten:: operators: the second registration aborts the program at start-up "
        '("Re-registering ..., Kernel registration failed with error 22"). Link one operator '
        "library: optimized_native_cpu_ops_lib already falls back to the portable kernels"
    )
    if _names_variable(context, later.first, "EXECUTORCH_LIBRARIES") or _names_variable(
        context, earlier.first, "EXECUTORCH_LIBRARIES"
    ):
        message += (
            " (`${EXECUTORCH_LIBRARIES}` from find_package(executorch) includes "
            "portable_ops_lib in a default ExecuTorch build)"
        )
    related = [related_at(context, earlier.item, f"`{earlier.library}` is linked here")]
    if earlier.first != earlier.item:
        related.append(
            related_at(context, earlier.first, f"`{earlier.library}` reaches `{binary}` here")
        )
    if later.first != later.item:
        related.append(related_at(context, later.item, f"`{later.library}` is linked here"))
    later_site = later.first.site
    return context.finding(Span(later_site.start, later_site.end), message, related=related)


RULE = Rule(
    code="ET203",
    name="duplicate-operator-library",
    title="Two operator libraries register the same kernels",
    languages=frozenset({LanguageId.CMAKE}),
    severity=Severity.ERROR,
    fixable=False,
    docs=DOCS,
    check=check,
    # No literal anchors: a link can come from a call of the project's own helper,
    # defined in another file; the build model is shared by the project's files.
)

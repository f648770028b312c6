"""ET203 duplicate-operator-library: two libraries registering the same ATen kernels
end up in one binary."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ...engine.cmake_model import Branch, BuildModel, LinkItem, compatible
from ...engine.findings import Finding, Related, Severity, Span
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from .build import model_for
from .et203_docs import DOCS

# Libraries that register the standard (aten::) operators. Any two of them overlap:
# optimized_native_cpu_ops_lib registers the optimized kernels plus portable fallbacks.
ATEN_OPERATOR_LIBRARIES = frozenset(
    {"portable_ops_lib", "optimized_native_cpu_ops_lib", "optimized_ops_lib"}
)
_ATEN_KERNELS = frozenset({"portable_kernels", "optimized_kernels", "optimized_portable_kernels"})
_MAX_DEPTH = 6


@dataclass(frozen=True)
class Reached:
    library: str | None  # None when the value cannot be known
    first: LinkItem  # the link in the binary's own chain (where it is reported)
    item: LinkItem  # where the library itself is named
    branch: Branch


def check(context: RuleContext) -> Iterator[Finding]:
    document = context.document
    model = model_for(context)
    operator_libraries = ATEN_OPERATOR_LIBRARIES | _generated_aten_libraries(model)
    reported: set[tuple[int, int]] = set()
    for name, targets in model.targets.items():
        if not any(t.kind in ("executable", "library") for t in targets):
            continue
        found = [r for r in reached(model, name) if r.library in operator_libraries]
        for index, later in enumerate(found):
            for earlier in found[:index]:
                if earlier.library == later.library or not compatible(earlier.branch, later.branch):
                    continue
                site = later.first.site
                if site.path != document.path or (site.start, site.end) in reported:
                    continue
                reported.add((site.start, site.end))
                yield _finding(context, name, earlier, later)
                break


def reached(model: BuildModel, target: str) -> list[Reached]:
    """Libraries linked into ``target``, through the project's own targets too."""
    return model.cached(("reached", target), lambda: _reached(model, target))


def _reached(model: BuildModel, target: str) -> list[Reached]:
    found: list[Reached] = []
    seen: set[str] = set()

    def visit(
        name: str, first: LinkItem | None, branch: Branch, depth: int, shared: bool = False
    ) -> None:
        if depth > _MAX_DEPTH or name in seen:
            return
        seen.add(name)
        for item in model.links_of(name):
            if shared and item.scope == "PRIVATE":
                continue  # linked into the shared library itself, not into its users
            if item.kind not in ("target", "file", "unknown", "genex"):
                continue
            combined = (*branch, *item.branch)
            if not compatible(branch, item.branch):
                continue
            head = first or item
            found.append(Reached(item.library, head, item, combined))
            defined = model.target(item.library) if item.kind == "target" and item.library else None
            if defined is not None and not defined.executorch:
                visit(item.library, head, combined, depth + 1, defined.shared)
        seen.discard(name)

    visit(target, None, (), 0)
    return found


def _generated_aten_libraries(model: BuildModel) -> set[str]:
    """gen_operators_lib() outputs built from the portable or optimized kernels."""
    names = set()
    for command, values, _, _ in model.calls:
        if command != "gen_operators_lib" or "LIB_NAME" not in values:
            continue
        name_index = values.index("LIB_NAME") + 1
        kernels = _keyword_values(values, "KERNEL_LIBS")
        if name_index < len(values) and set(kernels) & _ATEN_KERNELS:
            names.add(values[name_index])
    return names


def _keyword_values(values: tuple[str, ...], keyword: str) -> list[str]:
    if keyword not in values:
        return []
    collected = []
    for value in values[values.index(keyword) + 1 :]:
        if value.isupper() and value.replace("_", "").isalpha():
            break
        collected.append(value)
    return collected


def _related(context: RuleContext, item: LinkItem, message: str) -> Related:
    site = item.site
    path = site.path if site.path != context.document.path else None
    return Related(Span(site.start, site.end), message, path=path)


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
    related = [_related(context, earlier.item, f"`{earlier.library}` is linked here")]
    if earlier.first != earlier.item:
        related.append(
            _related(context, earlier.first, f"`{earlier.library}` reaches `{binary}` here")
        )
    if later.first != later.item:
        related.append(_related(context, later.item, f"`{later.library}` is linked here"))
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

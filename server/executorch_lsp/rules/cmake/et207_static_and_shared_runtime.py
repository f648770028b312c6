"""ET207 static-and-shared-runtime: the static and the shared ExecuTorch runtime in one
binary, which then has two operator registries."""

from __future__ import annotations

from collections.abc import Iterator

from ...engine.findings import Finding, Severity, Span
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext, RuleDocs, Source
from .build import binaries_linked_in, model_for, paired_links, related_at

CONFIG_URL = "https://github.com/pytorch/executorch/blob/main/tools/cmake/executorch-config.cmake"
STATIC = frozenset({"executorch", "executorch_core"})
SHARED = frozenset({"executorch_shared", "executorch-shared", "executorch::runtime"})


def check(context: RuleContext) -> Iterator[Finding]:
    document = context.document
    model = model_for(context)
    if model.executorch == "source":
        return  # ExecuTorch's own build makes the shared runtime out of the static one
    for name in binaries_linked_in(model, document.path):
        if not any(t.kind in ("executable", "library") for t in model.targets[name]):
            continue
        for one, other in paired_links(model, name, SHARED, STATIC):
            later, earlier = (
                (one, other)
                if one.first.site.start > other.first.site.start
                else (
                    other,
                    one,
                )
            )
            site = later.first.site
            if site.path != document.path:
                continue
            yield context.finding(
                Span(site.start, site.end),
                f"`{name}` links the static ExecuTorch runtime (`{other.library}`) and the "
                f"shared one (`{one.library}`): each has its own operator registry, so kernels "
                "register twice and the program aborts before main, or models do not find "
                "the kernels. Link one runtime",
                related=[related_at(context, earlier.first, "the other runtime is linked here")],
            )
            break


RULE = Rule(
    code="ET207",
    name="static-and-shared-runtime",
    title="Static and shared ExecuTorch runtime in one binary",
    languages=frozenset({LanguageId.CMAKE}),
    severity=Severity.ERROR,
    fixable=False,
    check=check,
    anchors=(b"executorch_shared", b"executorch-shared", b"executorch::runtime"),
    docs=RuleDocs(
        problem=(
            "A binary links the static runtime (`executorch`, `executorch_core`) and the "
            "shared one (`executorch_shared`, `executorch::runtime` from the pip package's "
            "CMake config)."
        ),
        bad=(
            "add_executable(app main.cpp)\n"
            "target_link_libraries(app PRIVATE executorch executorch::runtime)\n"
        ),
        good="add_executable(app main.cpp)\ntarget_link_libraries(app PRIVATE executorch)\n",
        why=(
            "ExecuTorch's CMake package warns that linking both gives a consumer two kernel "
            "registries, which aborts during registration before main. Even when it does not "
            "abort, kernels registered in one registry are invisible to a method loaded "
            "through the other (Error 0x14 OperatorMissing)."
        ),
        exceptions="Runtimes chosen in branches that cannot both be taken are not reported.",
        sources=(Source("tools/cmake/executorch-config.cmake", CONFIG_URL),),
        example_language="cmake",
    ),
)

"""ET209 libtorch-with-xnnpack: libtorch and ExecuTorch's XNNPACK backend in one binary."""

from __future__ import annotations

from collections.abc import Iterator

from ...engine.cmake_model import BuildModel
from ...engine.findings import Finding, Severity, Span
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext, RuleDocs, Source
from .build import Reached, binaries_linked_in, model_for, paired_links, related_at

ISSUE_URL = "https://github.com/pytorch/executorch/issues/3696"
TORCH = frozenset({"torch", "torch_cpu", "torch_library"})
XNNPACK = frozenset(
    {"xnnpack_backend", "executorch::backend_xnnpack", "executorch_backend_xnnpack"}
)


def check(context: RuleContext) -> Iterator[Finding]:
    document = context.document
    model = model_for(context)
    for name in binaries_linked_in(model, document.path):
        for backend, other in _torch_with_xnnpack(model, name):
            site = backend.first.site
            if site.path != document.path:
                continue
            yield context.finding(
                Span(site.start, site.end),
                f"`{name}` links libtorch and ExecuTorch's XNNPACK backend: both carry XNNPACK "
                "and pthreadpool, the linker keeps one copy of each symbol, and the program "
                "crashes or reads out of bounds (for example when the thread pool is reset). "
                "Keep libtorch out of the binary that runs ExecuTorch",
                related=[related_at(context, other.first, "libtorch is linked here")],
            )
            break


def _torch_with_xnnpack(model: BuildModel, binary: str) -> list[tuple[Reached, Reached]]:
    """Each XNNPACK link reaching ``binary`` with the first libtorch link it can go with."""
    return model.cached(
        ("torch-with-xnnpack", binary), lambda: _find_torch_with_xnnpack(model, binary)
    )


def _find_torch_with_xnnpack(model: BuildModel, binary: str) -> list[tuple[Reached, Reached]]:
    if not any(t.kind == "executable" or t.shared for t in model.targets[binary]):
        return []
    return paired_links(model, binary, XNNPACK, TORCH)


RULE = Rule(
    code="ET209",
    name="libtorch-with-xnnpack",
    title="XNNPACK backend linked together with libtorch",
    languages=frozenset({LanguageId.CMAKE}),
    severity=Severity.WARNING,
    fixable=False,
    check=check,
    anchors=(b"TORCH_LIBRARIES", b"torch"),
    docs=RuleDocs(
        problem=(
            "An executable or shared library links libtorch (`${TORCH_LIBRARIES}` from "
            "`find_package(Torch)`, `torch`) and ExecuTorch's XNNPACK backend."
        ),
        bad=(
            "find_package(Torch REQUIRED)\nfind_package(executorch REQUIRED)\n"
            "add_executable(app main.cpp)\n"
            "target_link_libraries(app PRIVATE ${TORCH_LIBRARIES} executorch xnnpack_backend)\n"
        ),
        good=(
            "find_package(executorch REQUIRED)\nadd_executable(app main.cpp)\n"
            "target_link_libraries(app PRIVATE executorch xnnpack_backend)\n"
        ),
        why=(
            "libtorch bundles its own XNNPACK and pthreadpool. Linked next to ExecuTorch's "
            "copies, one definition of each symbol wins, so one side runs against data "
            "structures of another version: crashes and out-of-bounds accesses, notably when "
            "the thread pool is resized."
        ),
        exceptions="Links in branches that cannot both be taken are not combined.",
        sources=(Source("ExecuTorch issue #3696", ISSUE_URL),),
        example_language="cmake",
    ),
)

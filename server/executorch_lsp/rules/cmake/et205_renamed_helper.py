"""ET205 renamed-cmake-helper: ExecuTorch's whole-archive helpers under their old names."""

from __future__ import annotations

from collections.abc import Iterator

from ...engine.cmake_model import BuildModel
from ...engine.findings import Finding, Fix, Severity, Site, Span, TextEdit
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext, RuleDocs, Source
from .build import model_for

UTILS_URL = "https://github.com/pytorch/executorch/blob/main/tools/cmake/Utils.cmake"
RENAMED = {
    "target_link_options_shared_lib": "executorch_target_link_options_shared_lib",
    "kernel_link_options": "executorch_kernel_link_options",
    "macos_kernel_link_options": "executorch_macos_kernel_link_options",
    "msvc_kernel_link_options": "executorch_msvc_kernel_link_options",
}


def check(context: RuleContext) -> Iterator[Finding]:
    document = context.document
    model = model_for(context)
    for name, site in _renamed_calls(model):
        new = RENAMED[name]
        if site.path != document.path or name in model.functions:
            continue
        head = document.data[site.start : site.end]
        length = len(head.split(b"(", 1)[0].rstrip())
        span = Span(site.start, site.start + length)
        yield context.finding(
            span,
            f"`{name}()` was renamed `{new}()` in ExecuTorch's tools/cmake/Utils.cmake: with "
            'a current ExecuTorch this fails with "Unknown CMake command", and without the '
            "helper the library loses its whole-archive link option",
            fix=Fix(f"Rename to {new}", (TextEdit(span, new),)),
        )


def _renamed_calls(model: BuildModel) -> list[tuple[str, Site]]:
    return model.cached(
        ("renamed-helper-calls",),
        lambda: [(name, site) for name, _, site, _ in model.calls if name in RENAMED],
    )


RULE = Rule(
    code="ET205",
    name="renamed-cmake-helper",
    title="ExecuTorch CMake helper called by its old name",
    languages=frozenset({LanguageId.CMAKE}),
    severity=Severity.ERROR,
    fixable=True,
    check=check,
    anchors=tuple(name.encode() for name in RENAMED),
    docs=RuleDocs(
        problem=(
            "A CMake file calls `target_link_options_shared_lib()`, `kernel_link_options()`, "
            "`macos_kernel_link_options()` or `msvc_kernel_link_options()` and does not define "
            "it itself."
        ),
        bad="target_link_options_shared_lib(my_backend)\n",
        good="executorch_target_link_options_shared_lib(my_backend)\n",
        why=(
            "ExecuTorch renamed its CMake helpers with an `executorch_` prefix. Build files "
            'written for older releases stop configuring with "Unknown CMake command"; the '
            "helper is what gives a backend or kernel library its whole-archive link option, "
            "so it cannot simply be dropped."
        ),
        exceptions=(
            "A project that defines a function or macro of the old name itself (a "
            "compatibility shim) is not reported."
        ),
        sources=(Source("tools/cmake/Utils.cmake", UTILS_URL),),
        example_language="cmake",
    ),
)

"""ET204 no-operator-library: a program that loads models links the runtime but no
kernels; or an operator library is generated and linked nowhere."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...engine.cmake_model import BuildModel, Target
from ...engine.findings import Finding, Severity, Span
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from .build import model_for, reached
from .et204_docs import DOCS
from .registering import BACKENDS, generated_libraries, generated_operator_libraries

RUNTIME_LIBRARIES = frozenset(
    {
        "executorch",
        "executorch_core",
        "executorch_no_prim_ops",
        "executorch::runtime",
        "executorch-shared",
        "executorch_shared",
    }
)
_KERNEL_NAMES = frozenset(
    {
        "executorch_kernels",
        "executorch::kernels",
        "executorch::kernels_optimized",
        "executorch::kernels_quantized",
        "executorch_selected_kernels",
    }
)
_KERNEL_IMPLEMENTATIONS = frozenset(
    {"portable_kernels", "optimized_kernels", "quantized_kernels", "optimized_portable_kernels"}
)
_KERNEL_PATTERN = re.compile(r"_ops_lib|_kernels_bindings|custom_ops")
# What a program that runs models calls (in its own sources).
_LOADS_MODELS = re.compile(
    rb"\bModule\s*[({a-z_]|Program::load\b|\bload_method\s*\(|\bcreate_\w+_runner\s*\("
)
# Every match of _LOADS_MODELS holds one of these: sources without any are not searched.
_LOADS_MODELS_WORDS = (b"Module", b"Program::load", b"load_method", b"create_")
_SOURCE_SUFFIXES = (".cpp", ".cc", ".cxx", ".mm", ".c")


def check(context: RuleContext) -> Iterator[Finding]:
    document = context.document
    workspace = context.workspace
    model = model_for(context)
    for name, targets in model.targets.items():
        target = targets[0]
        if target.kind != "executable" or target.site.path != document.path:
            continue
        if workspace is not None and _misses_kernels(model, target, workspace.read):
            yield context.finding(Span(target.site.start, target.site.end), _message(name))
    yield from _unused_generated_libraries(context, model)


def _misses_kernels(model: BuildModel, target: Target, read) -> bool:
    items = reached(model, target.name)
    if not items or any(r.item.kind in ("unknown", "genex") for r in items):
        return False
    libraries = {r.library for r in items}
    if not libraries & RUNTIME_LIBRARIES:
        return False
    generated = generated_operator_libraries(model)
    if any(_is_kernel_library(library, generated) for library in libraries):
        return False
    # A backend may take every operator (NPU delegates usually do); kernel
    # implementations may be registered by code the build does not show.
    if any(library in BACKENDS or library in _KERNEL_IMPLEMENTATIONS for library in libraries):
        return False
    return _loads_models(target, read)


def _is_kernel_library(library: str, generated: frozenset[str]) -> bool:
    return library in _KERNEL_NAMES or library in generated or bool(_KERNEL_PATTERN.search(library))


def _loads_models(target: Target, read) -> bool:
    for path in target.sources:
        if path.endswith(_SOURCE_SUFFIXES):
            data = read(path)
            if data is None or not any(word in data for word in _LOADS_MODELS_WORDS):
                continue
            if _LOADS_MODELS.search(data):
                return True
    return False


def _message(name: str) -> str:
    return (
        f"`{name}` links the ExecuTorch runtime and loads models, but no operator library "
        "(portable_ops_lib, optimized_native_cpu_ops_lib, a selective build, "
        "${EXECUTORCH_LIBRARIES}): loading a model fails with Error 0x14 OperatorMissing "
        "(\"kernel '...' not found\") unless a backend takes every operator. Link one "
        "operator library"
    )


def _unused_generated_libraries(context: RuleContext, model: BuildModel) -> Iterator[Finding]:
    """Only in an application's build: ExecuTorch's own operator libraries and those of a
    project that installs them are products for other builds."""
    if model.executorch not in ("subdirectory", "find_package"):
        return
    installed = {
        value for command, values, _, _ in model.calls if command == "install" for value in values
    }
    linked = {item.library for item in model.links if item.library} | installed
    mentioned = " ".join(item.text for item in model.links)
    for library in generated_libraries(model):
        name, site = library.name, library.site
        if site.path != context.document.path:
            continue
        if name in linked or name in mentioned or "\x00" in name:
            continue
        yield context.finding(
            Span(site.start, site.end),
            f"The operator library `{name}` is generated but no target links it: its "
            "kernels never reach the program, which then fails to load models with Error "
            "0x14 OperatorMissing. Link it (ExecuTorch's gen_operators_lib() target carries "
            "whole-archive) or remove it",
        )


RULE = Rule(
    code="ET204",
    name="no-operator-library",
    title="Program without an operator library",
    languages=frozenset({LanguageId.CMAKE}),
    severity=Severity.WARNING,
    fixable=False,
    docs=DOCS,
    check=check,
    anchors=(b"add_executable", b"gen_operators_lib"),
)

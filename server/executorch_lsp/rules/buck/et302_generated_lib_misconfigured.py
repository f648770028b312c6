"""ET302 generated-lib-misconfigured: arguments of ``executorch_generated_lib`` and
``et_operator_library`` that make the macros fail when Buck evaluates them (or, for the
dependency checks of dtype selective build, when it builds)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from ...engine.buck.graph import BuckGraph, document_model, wrapper_call_screen
from ...engine.buck.model import GENERATED_LIB, OPERATOR_LIBRARY, Target
from ...engine.buck.values import UNKNOWN, Item, ListValue, is_truthy
from ...engine.findings import Finding, Severity, Span
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from .et302_docs import DOCS, hover
from .prebuilt import (
    OPTIMIZED_KERNELS,
    OPTIMIZED_KERNELS_LABEL,
    PORTABLE_KERNELS,
    PORTABLE_KERNELS_LABEL,
    generated_library,
)

_SERVER_CONFLICTS = ("ops", "ops_dict", "include_all_operators", "ops_schema_yaml_target", "model")


class _Problem(NamedTuple):
    tag: str  # which check, and what it is about
    span: Item | Span
    message: str


def check(context: RuleContext) -> Iterator[Finding]:
    model = document_model(context.document, context.workspace)
    graph = BuckGraph(context.workspace, model)
    # Targets defined through a function of the file come last: a problem that does not
    # depend on the function's arguments is reported once, in the function (for a wrapper
    # loaded from another file, in that file).
    targets = sorted(model.targets, key=lambda t: t.origin is not None)
    in_definitions: set[tuple[int, str]] = set()
    for target in targets:
        for problem in _problems(graph, target):
            if target.origin is None:
                in_definitions.add((target.start, problem.tag))
            elif _reported_in_function(graph, target, problem.tag, in_definitions):
                continue
            yield context.finding(target.located(problem.span), problem.message)


def _reported_in_function(
    graph: BuckGraph, target: Target, tag: str, in_definitions: set[tuple[int, str]]
) -> bool:
    """Whether the body of the function that defines ``target`` reports the problem."""
    if target.origin_path is None:
        return (target.origin, tag) in in_definitions
    return tag in _in_wrapper(graph, target)


def _in_wrapper(graph: BuckGraph, target: Target) -> frozenset[str]:
    """The problems reported in the body of the loaded wrapper that defines ``target``."""
    path, start = target.origin_path, target.origin
    key = ("et302-in-wrapper", path, start)
    return graph.remember(key, lambda: _problems_at(graph, path, start))


def _problems_at(graph: BuckGraph, path: str | None, start: int | None) -> frozenset[str]:
    model = graph.model(path) if path is not None else None
    if model is None:
        return frozenset()
    return frozenset(
        problem.tag
        for target in model.targets
        if target.origin is None and target.start == start
        for problem in _problems(graph, target)
    )


def _problems(graph: BuckGraph, target: Target) -> Iterator[_Problem]:
    if target.kind == GENERATED_LIB:
        yield from _generated_lib(graph, target)
    elif target.kind == OPERATOR_LIBRARY:
        yield from _operator_library(target)


def _generated_lib(graph: BuckGraph, target: Target) -> Iterator[_Problem]:
    name = target.name or "executorch_generated_lib"
    aten_mode = is_truthy(target.value("aten_mode", False))
    functions = _argument(target, "functions_yaml_target")
    custom = _argument(target, "custom_ops_yaml_target")
    if functions is not None and is_truthy(functions.value) is True and aten_mode is True:
        yield _Problem(
            "aten-functions-yaml",
            functions,
            f'"{name} is providing functions_yaml_target in ATen mode, it will be ignored": '
            "executorch_generated_lib fails when aten_mode = True is combined with "
            "functions_yaml_target (ATen's native_functions.yaml is used instead). Remove "
            "functions_yaml_target, or set aten_mode = False",
        )
    if (
        aten_mode is False
        and _absent(target, functions, "functions_yaml_target")
        and _absent(target, custom, "custom_ops_yaml_target")
    ):
        yield _Problem(
            "no-yaml",
            Span(target.callee_start, target.callee_end),
            '"At least one of functions_yaml_target, custom_ops_yaml_target needs to be '
            f'provided": `{name}` names no yaml file to generate kernel registrations from. '
            'Add functions_yaml_target = "//executorch/kernels/portable:functions.yaml" '
            "(or the yaml of your kernel library), or custom_ops_yaml_target for custom ops",
        )
    yield from _dtype_selective_build(graph, target, name)


def _dtype_selective_build(graph: BuckGraph, target: Target, name: str) -> Iterator[_Problem]:
    dtype_selective = is_truthy(target.value("dtype_selective_build", False))
    expose = _argument(target, "expose_operator_symbols")
    if expose is not None and is_truthy(expose.value) is True and dtype_selective is False:
        yield _Problem(
            "expose-symbols",
            expose,
            '"expose_operator_symbols is only available in dtype selective build mode": '
            f"`{name}` sets expose_operator_symbols without dtype_selective_build = True. "
            "Remove expose_operator_symbols",
        )
    if dtype_selective is not True:
        return
    kernel_deps = target.value("kernel_deps", ListValue((), True))
    if not isinstance(kernel_deps, ListValue):
        return
    written = [item.value for item in kernel_deps.strings()]
    portable = PORTABLE_KERNELS_LABEL in written
    optimized = OPTIMIZED_KERNELS_LABEL in written
    if not portable and not optimized and kernel_deps.all_strings() is not None:
        anchor = _argument(target, "kernel_deps") or _argument(target, "dtype_selective_build")
        yield _Problem(
            "dtype-kernel-deps",
            anchor,
            "Dtype selective build only works with the portable and optimized kernel "
            f"libraries, and `{name}`'s kernel_deps names neither: executorch_generated_lib "
            f'fails. Add "{PORTABLE_KERNELS_LABEL}" (or "{OPTIMIZED_KERNELS_LABEL}") to '
            "kernel_deps, spelled exactly so; for a custom kernel library, remove "
            "dtype_selective_build = True and use plain selective build",
        )
    deps = target.value("deps", None)
    if not isinstance(deps, ListValue):
        return
    for wanted, label, kind in (
        (PORTABLE_KERNELS, PORTABLE_KERNELS_LABEL, "portable"),
        (OPTIMIZED_KERNELS, OPTIMIZED_KERNELS_LABEL, "optimized"),
    ):
        if label not in written:
            continue
        for item in deps.strings():
            if _depends_on(graph, target, item.value, wanted):
                yield _Problem(
                    f"dtype-deps:{item.value}",
                    item,
                    f"Dependency violation: '{item.value}' should not depend on '{label}'. "
                    f"Dtype selective build rebuilds the {kind} kernels from kernel_deps, so "
                    f"having them in deps too gives duplicate symbols. Remove them from deps "
                    "(kernel_deps already has them)",
                )


def _depends_on(graph: BuckGraph, target: Target, label: str, wanted: str) -> bool:
    location = graph.locate(label, target.path)
    if location is None:
        return False
    if location.canonical == wanted:
        return True
    prebuilt = generated_library(location.canonical)
    if prebuilt is not None and wanted in prebuilt.kernels:
        return True
    dependency = graph.resolve(location, target.path)
    if dependency is None:
        return False
    reached = graph.closure(dependency)
    if wanted in reached:
        return True
    return any(
        (found := generated_library(canonical)) is not None and wanted in found.kernels
        for canonical, resolved in reached.items()
        if resolved is None
    )


def _operator_library(target: Target) -> Iterator[_Problem]:
    server = _argument(target, "server_generated_yaml_target")
    if server is None or not is_truthy(server.value):
        return
    given = [key for key in _SERVER_CONFLICTS if _given(target, key)]
    if not given:
        return
    listed = ", ".join(given)
    yield _Problem(
        "server-yaml",
        server,
        '"Since server_generated_yaml_target is set, ops, ops_dict, include_all_operators '
        f"and ops_schema_yaml_target shouldn't be set\": `{target.name or 'this target'}` "
        f"also sets {listed}, and et_operator_library fails. Keep either the "
        f"server-generated yaml or {listed}",
    )


def _argument(target: Target, key: str) -> Item | None:
    return target.arguments.get(key)


def _absent(target: Target, item: Item | None, key: str) -> bool:
    """Certainly not given: not written (and no unknown ``**kwargs``), or a falsy value."""
    if item is None:
        return target.value(key, None) is None
    return is_truthy(item.value) is False


def _given(target: Target, key: str) -> bool:
    item = _argument(target, key)
    return item is not None and item.value is not UNKNOWN and is_truthy(item.value) is True


RULE = Rule(
    code="ET302",
    name="generated-lib-misconfigured",
    title="Codegen macro arguments that executorch_generated_lib or et_operator_library reject",
    languages=frozenset({LanguageId.STARLARK}),
    severity=Severity.ERROR,
    fixable=False,
    docs=DOCS,
    check=check,
    anchors=(b"executorch_generated_lib", b"et_operator_library"),
    hover=hover,
    workspace_anchor=wrapper_call_screen,
)

"""ET301 duplicate-generated-lib: one binary links two generated operator libraries that
register the same operators, which aborts at start-up."""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterator
from dataclasses import dataclass

from ...engine.buck.graph import BuckGraph, document_model, wrapper_call_screen
from ...engine.buck.labels import EXECUTORCH_CELL
from ...engine.buck.model import MAY_DEFINE_CXX, Target
from ...engine.buck.values import Item, plain
from ...engine.findings import Finding, Related, Severity, Span
from ...engine.languages import LanguageId, detect_language
from ...engine.workspace import Workspace
from ..base import Rule, RuleContext
from .et301_docs import DOCS
from .registrations import Registration, overlap, registration, shared_operators


@dataclass(frozen=True)
class _Site:
    """One dependency of the checked target and the generated libraries behind it."""

    item: Item
    canonical: str
    libraries: dict[str, Registration]


def check(context: RuleContext) -> Iterator[Finding]:
    model = document_model(context.document, context.workspace)
    graph = BuckGraph(context.workspace, model)
    # Targets defined through a function of the file come last: an overlap that does not
    # depend on the function's arguments is reported once, in the function (for a wrapper
    # loaded from another file, in that file).
    in_definitions: set[tuple[int, tuple[str, ...]]] = set()
    for target in sorted(model.targets, key=lambda t: t.origin is not None):
        for first, second, a, b in _overlaps(graph, target):
            pair = _pair(a, b)
            if target.origin is None:
                in_definitions.add((target.start, pair))
            elif _reported_in_function(graph, target, pair, in_definitions):
                continue
            yield _finding(context, graph, target, first, second, a, b)


def _reported_in_function(
    graph: BuckGraph,
    target: Target,
    pair: tuple[str, ...],
    in_definitions: set[tuple[int, tuple[str, ...]]],
) -> bool:
    """Whether the body of the function that defines ``target`` reports the overlap."""
    if target.origin_path is None:
        return (target.origin, pair) in in_definitions
    return pair in _in_wrapper(graph, target)


def _overlaps(
    graph: BuckGraph, target: Target
) -> Iterator[tuple[_Site, _Site, Registration, Registration]]:
    """The overlapping libraries a C++ target links, with the dependencies behind them."""
    if not target.is_cxx:
        return
    sites = _sites(graph, target)
    reported: set[tuple[str, ...]] = set()
    for index, first in enumerate(sites):
        for second in sites[index + 1 :]:
            for a, b in _overlapping(first, second, sites, reported):
                yield first, second, a, b


def _in_wrapper(graph: BuckGraph, target: Target) -> frozenset[tuple[str, ...]]:
    """The overlaps reported in the body of the loaded wrapper that defines ``target``."""
    path, start = target.origin_path, target.origin
    key = ("et301-in-wrapper", path, start)
    return graph.remember(key, lambda: _overlaps_at(graph, path, start))


def _overlaps_at(graph: BuckGraph, path: str | None, start: int | None) -> frozenset:
    model = graph.model(path) if path is not None else None
    if model is None:
        return frozenset()
    return frozenset(
        _pair(a, b)
        for target in model.targets
        if target.origin is None and target.start == start
        for _, _, a, b in _overlaps(graph, target)
    )


def _pair(a: Registration, b: Registration) -> tuple[str, ...]:
    return tuple(sorted((a.identity, b.identity)))


def _finding(
    context: RuleContext,
    graph: BuckGraph,
    target: Target,
    first: _Site,
    second: _Site,
    a: Registration,
    b: Registration,
) -> Finding:
    return context.finding(
        target.located(target.name_item or target),
        _message(graph, target, first, second, a, b, overlap(a, b)),
        related=(
            Related(
                _span(first.item), f"{_shown(graph, target, first, a)} registers these operators"
            ),
            Related(_span(second.item), f"{_shown(graph, target, second, b)} registers them again"),
        ),
    )


def _sites(graph: BuckGraph, target: Target) -> list[_Site]:
    sites = []
    for item in graph.dependency_items(target):
        location = graph.locate(item.value, target.path)
        if location is None:
            continue
        dependency = graph.resolve(location, target.path)
        reached = {location.canonical: dependency}
        if dependency is not None:
            reached.update(
                (key, value)
                for key, value in graph.closure(dependency).items()
                if key not in reached
            )
        libraries = {}
        for canonical, resolved in reached.items():
            found = registration(graph, canonical, resolved)
            if found is not None:
                libraries[canonical] = found
        if libraries:
            sites.append(_Site(item, location.canonical, libraries))
    return sites


def _overlapping(
    first: _Site, second: _Site, sites: list[_Site], reported: set[tuple[str, ...]]
) -> Iterator[tuple[Registration, Registration]]:
    """Pairs of different libraries, one behind each site, that no single dependency
    links both of (those are reported where they meet)."""
    for a in first.libraries.values():
        for b in second.libraries.values():
            pair = _pair(a, b)
            if a.identity == b.identity or pair in reported:
                continue
            if any(a.identity in s.libraries and b.identity in s.libraries for s in sites):
                continue
            if overlap(a, b) is not None:
                reported.add(pair)
                yield a, b


def _message(
    graph: BuckGraph,
    target: Target,
    first: _Site,
    second: _Site,
    a: Registration,
    b: Registration,
    what: str,
) -> str:
    shared = shared_operators(a, b)
    example = f"; here e.g. {shared[0]}" if shared else ""
    return (
        f"`{target.name or 'this target'}` links two generated operator libraries that both "
        f"register {what}: {_shown(graph, target, first, a)} and "
        f"{_shown(graph, target, second, b)}. The second registration aborts at start-up "
        '("Kernel registration failed with error 22, Re-registering <operator>", '
        f"RegistrationAlreadyRegistered{example}). Link one generated library: put the "
        "et_operator_library targets of both into the deps of a single "
        "executorch_generated_lib, or drop the one that is covered"
    )


def _shown(graph: BuckGraph, target: Target, site: _Site, library: Registration) -> str:
    written = f"`{site.item.value}`"
    if library.identity == site.canonical:
        return written
    return f"`{_display(graph, target, library.identity)}` (through {written})"


def _display(graph: BuckGraph, target: Target, canonical: str) -> str:
    """A label for a canonical id, as the user would write it."""
    if canonical.startswith(EXECUTORCH_CELL):
        return "//executorch/" + canonical[len(EXECUTORCH_CELL) :]
    folder, _, name = canonical.rpartition(":")
    if folder == os.path.dirname(os.path.abspath(target.path)):
        return f":{name}"
    root = graph.cell_root(target.path)
    if root is not None and folder.startswith(root + os.sep):
        return f"//{os.path.relpath(folder, root).replace(os.sep, '/')}:{name}"
    return f"{os.path.basename(folder)}:{name}"


def _span(item: Item) -> Span:
    return Span(item.start, item.end)


def fingerprint(workspace: Workspace, path: str) -> Hashable:
    """The targets of a Buck file without positions, and its wrappers (what other files'
    findings use)."""
    if detect_language(path) is not LanguageId.STARLARK:
        return ()
    model = BuckGraph(workspace).model(path)
    if model is None:
        return ()
    targets = tuple(
        (
            t.name,
            t.kind,
            t.open_arguments,
            tuple((k, plain(v.value)) for k, v in t.arguments.items()),
        )
        for t in model.targets
    )
    return (targets, model.wrapper_digest)


RULE = Rule(
    code="ET301",
    name="duplicate-generated-lib",
    title="Two generated operator libraries register the same operators",
    languages=frozenset({LanguageId.STARLARK}),
    severity=Severity.ERROR,
    fixable=False,
    docs=DOCS,
    check=check,
    anchors=(b"deps",),
    anchor_patterns=(MAY_DEFINE_CXX,),
    workspace_anchor=wrapper_call_screen,
    workspace_fingerprint=fingerprint,
)

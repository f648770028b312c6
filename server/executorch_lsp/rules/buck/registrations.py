"""Which operators a generated operator library registers, as far as that is certain.

An ``executorch_generated_lib`` registers the operators of its yaml files
(``functions_yaml_target``, ``fallback_yaml_target``, ``custom_ops_yaml_target``) that the
``et_operator_library`` targets in its ``deps`` (followed transitively, as the macro's
query does) select. Everything here is a lower bound: an unknown value, an unresolved
label or an unreadable yaml file only leaves operators out, so an overlap of two lower
bounds is an overlap of the real sets.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ...engine.buck.graph import BuckGraph, Location
from ...engine.buck.model import GENERATED_LIB, OPERATOR_LIBRARY, Target
from ...engine.buck.values import DictValue, ListValue
from .prebuilt import OPERATOR_LISTS, YAML_OPERATORS, generated_library

_YAML_ENTRY = re.compile(rb"^-\s*(?:op|func):\s*([\w:.]+)", re.MULTILINE)
_DEFAULT_KERNEL = re.compile(rb"arg_meta:\s*null")
_PRIM_OPERATOR = re.compile(r"^(?:executorch_prim::|aten::sym_)")


@dataclass(frozen=True)
class Registration:
    """What one generated operator library registers with the runtime (a lower bound)."""

    identity: str  # the canonical id of the library
    yamls: frozenset[str]  # every operator of these yaml files (canonical ids)
    operators: frozenset[str]  # these operators, "namespace::name.overload"


@dataclass
class _Selection:
    everything: bool = False
    yamls: set[str] = field(default_factory=set)
    operators: set[str] = field(default_factory=set)


def overlap(first: Registration, second: Registration) -> str | None:
    """What both register (for a message), or None when no overlap is certain."""
    yamls = sorted(first.yamls & second.yamls, key=lambda yaml: (yaml.endswith("ops.yaml"), yaml))
    if yamls:
        return "every operator of " + " and ".join(f"`{_short(yaml)}`" for yaml in yamls)
    operators = shared_operators(first, second)
    if not operators:
        return None
    more = f" and {len(operators) - 1} more" if len(operators) > 1 else ""
    return f"`{operators[0]}`{more}"


def shared_operators(first: Registration, second: Registration) -> list[str]:
    """Operators known to be registered by both, well-known ones first (aten::add.out
    rather than aten::_log_softmax.out)."""
    return sorted(
        first.operators & second.operators, key=lambda op: (op.split("::")[-1][:1] == "_", op)
    )


def registration(graph: BuckGraph, canonical: str, target: Target | None) -> Registration | None:
    """The registration of the library ``canonical`` names (resolved to ``target`` when
    the label could be followed); None when it is not a generated library, registers
    into another registry (ATen mode), registers manually, or cannot be known."""
    if target is not None:
        if target.kind != GENERATED_LIB:
            return None
        key = ("buck-registration", target.key, canonical)
        return graph.remember(key, lambda: _from_target(graph, canonical, target))
    prebuilt = generated_library(canonical)
    if prebuilt is None:
        return None
    yamls = frozenset(prebuilt.yamls)
    operators = frozenset(op for yaml in yamls for op in _yaml_operators(graph, yaml, None))
    return Registration(canonical, yamls, operators)


def _from_target(graph: BuckGraph, canonical: str, target: Target) -> Registration | None:
    if target.value("aten_mode", False) is not False:
        return None
    if target.value("manual_registration", False) is not False:
        return None
    domain: dict[str, Location] = {}
    for key in ("functions_yaml_target", "fallback_yaml_target", "custom_ops_yaml_target"):
        value = target.value(key, None)
        location = graph.locate(value, target.path) if isinstance(value, str) else None
        if location is not None:
            domain[location.canonical] = location
    if not isinstance(target.value("functions_yaml_target", None), str):
        runtime = target.value("custom_ops_requires_runtime_registration", True)
        if runtime is not True:
            return None  # no registration library is generated, or it cannot be known
    selection = _selection(graph, target)
    available: set[str] = set()
    for yaml, location in domain.items():
        available |= _yaml_operators(graph, yaml, location)
    chosen = set(selection.operators)
    for yaml in selection.yamls:
        chosen |= _yaml_operators(graph, yaml, domain.get(yaml))
    if selection.everything:
        yamls = frozenset(domain)
        chosen |= available
    else:
        yamls = frozenset(domain) & frozenset(selection.yamls)
    operators = {op for op in chosen & available if not _PRIM_OPERATOR.match(op)}
    for yaml in yamls:
        operators |= _yaml_operators(graph, yaml, domain[yaml])
    return Registration(canonical, yamls, frozenset(operators))


def _selection(graph: BuckGraph, target: Target) -> _Selection:
    """What the ``et_operator_library`` targets reachable from ``deps`` select."""
    selection = _Selection()
    deps = target.value("deps", None)
    if not isinstance(deps, ListValue):
        return selection
    reached: dict[str, Target | None] = {}
    for item in deps.strings():
        location = graph.locate(item.value, target.path)
        if location is None:
            continue
        dependency = graph.resolve(location, target.path)
        reached.setdefault(location.canonical, dependency)
        if dependency is not None:
            for canonical, inner in graph.closure(dependency).items():
                reached.setdefault(canonical, inner)
    for canonical, dependency in reached.items():
        if dependency is not None and dependency.kind == OPERATOR_LIBRARY:
            _add_operator_library(graph, dependency, selection)
        elif dependency is None and canonical in OPERATOR_LISTS:
            yaml = OPERATOR_LISTS[canonical]
            if yaml is None:
                selection.everything = True
            else:
                selection.yamls.add(yaml)
    return selection


def _add_operator_library(graph: BuckGraph, library: Target, selection: _Selection) -> None:
    if library.value("include_all_operators", False) is True:
        selection.everything = True
    schema = library.value("ops_schema_yaml_target", None)
    if isinstance(schema, str):
        location = graph.locate(schema, library.path)
        if location is not None:
            selection.yamls.add(location.canonical)
    operators = library.value("ops", None)
    if isinstance(operators, ListValue):
        selection.operators |= {_qualified(item.value) for item in operators.strings()}
    by_dict = library.value("ops_dict", None)
    if isinstance(by_dict, DictValue):
        selection.operators |= {_qualified(key) for key, _ in by_dict.entries}


def _yaml_operators(graph: BuckGraph, yaml: str, location: Location | None) -> frozenset[str]:
    """The operators of a yaml file: all of them when it can be read, else a sample."""
    path = graph.file_of(location) if location is not None else None
    if path is None and yaml in YAML_OPERATORS:
        root = graph.executorch_root()
        if root is not None:
            package, name = yaml.split("//", 1)[1].split(":", 1)
            path = os.path.join(root, package, name)
    found = (
        graph.from_text(path, "buck-yaml-operators", _default_kernel_operators)
        if path is not None
        else None
    )
    return found if found is not None else YAML_OPERATORS.get(yaml, frozenset())


def _default_kernel_operators(data: bytes) -> frozenset[str]:
    """Operators of a yaml file that have a kernel for the default kernel key. Kernels
    only for specific dtypes or dim orders (``arg_meta: {...}``) have keys of their own and
    do not collide with another library's default kernel."""
    entries = list(_YAML_ENTRY.finditer(data))
    found = set()
    for index, entry in enumerate(entries):
        end = entries[index + 1].start() if index + 1 < len(entries) else len(data)
        body = data[entry.end() : end]
        if b"arg_meta:" in body and not _DEFAULT_KERNEL.search(body):
            continue
        found.add(_qualified(entry.group(1).decode()))
    return frozenset(found)


def _qualified(operator: str) -> str:
    return operator if "::" in operator else f"aten::{operator}"


def _short(yaml: str) -> str:
    package, _, name = yaml.rpartition(":")
    return f"{package.rsplit('/', 1)[-1]}/{name}" if "/" in package else name

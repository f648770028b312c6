"""Which code of a script ends up in a program that ``to_executorch()`` serializes
without delegating anything.

The answer is built from what the file shows, and errs towards "not exported":

* the script lowers with ``to_edge`` or ``to_edge_transform_and_lower`` (from
  ``executorch.exir``) or ``export_to_edge``, calls ``.to_executorch()``, and delegates
  nothing a custom operator could go to: no ``to_backend``, no ``transform`` or
  ``transform_passes`` that may rewrite the graph, and every ``partitioner`` is missing,
  empty, or only XNNPACK's (which takes ATen operators only); ``export_to_exec_prog``
  does all of that in one call;
* a model is exported when the first argument of ``torch.export.export`` (or
  ``export_for_training``, ``capture_pre_autograd_graph``, ``export_to_edge``,
  ``export_to_exec_prog``) is built by a call of one of the script's classes or
  functions: directly, through names assigned in the same function, through
  ``.eval()``-style method chains, or through a parameter of a function the script calls.

Code "uses" something when it mentions it: a class uses what its methods mention, a
subclass what its base uses, a function what it calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import tree_sitter as ts

from .lowering import argument, direct_target, is_exir_function
from .model import ScriptModel, is_method_call, text, unwrap
from .values import PartitionerValues

_EXPORTS = {
    "export": ("torch.export.",),
    "export_for_training": ("torch.export.",),
    "capture_pre_autograd_graph": ("torch._export.",),
    "export_to_edge": ("executorch.", "examples."),
    "export_to_exec_prog": ("executorch.", "examples."),
}
_LOWERINGS = ("to_edge", "to_edge_transform_and_lower")
# The script edits graphs itself: a custom op may be rewritten or removed before
# ``to_executorch()``.
_GRAPH_SURGERY = (
    b"to_backend",
    b"erase_node",
    b"replace_all_uses_with",
    b"ignore_to_out_var_failure",
)
_PARTITIONER_POSITION = 2
_TRANSFORM_POSITION = 1
_ATEN_ONLY_PARTITIONER = re.compile(r"Xnnpack\w*Partitioner$")
_DEFINITIONS = ("class_definition", "function_definition")
_MAX_DEPTH = 8


class ExportedModels:
    def __init__(self, model: ScriptModel) -> None:
        self.model = model
        self._users: dict[ts.Node, list[ts.Node]] = {}

    # -- the lowering -----------------------------------------------------------------
    def serializes_undelegated(self) -> bool:
        """The script reaches ``to_executorch()`` and nothing it lowers may take a custom
        operator away from the portable path."""
        data = self.model.root.text or b""
        if any(marker in data for marker in _GRAPH_SURGERY):
            return False
        if self._calls("export_to_exec_prog"):
            return self._lowerings_keep_custom_ops()
        if not self._method_calls("to_executorch"):
            return False
        return self._lowerings_keep_custom_ops() and not self._method_calls("transform")

    def _lowerings_keep_custom_ops(self) -> bool:
        lowerings = [call for name in _LOWERINGS for call in self._exir_calls(name)]
        if any(self._handed_on(call) for call in lowerings):
            return False
        for call in self._exir_calls("to_edge_transform_and_lower"):
            passes, hidden = argument(call, "transform_passes", _TRANSFORM_POSITION)
            if hidden or (passes is not None and unwrap(passes).type != "none"):
                return False
            given, hidden = argument(call, "partitioner", _PARTITIONER_POSITION)
            if hidden or (given is not None and not self._aten_only(given, call)):
                return False
        return True

    def _handed_on(self, lowering: ts.Node) -> bool:
        """``edge = to_edge(ep)`` then ``helper(edge)``: the helper may rewrite it."""
        result = direct_target(lowering)
        if result is None:
            return False
        scope = self.model.scope_of(lowering)
        return any(
            use.parent is not None and use.parent.type in ("argument_list", "keyword_argument")
            for use in self.model.uses_in(scope, result)
        )

    def _aten_only(self, partitioner: ts.Node, call: ts.Node) -> bool:
        if PartitionerValues(self.model, call).holds(partitioner).holds.is_nothing:
            return True
        node = unwrap(partitioner)
        items = node.named_children if node.type in ("list", "tuple") else []
        return bool(items) and all(_is_aten_only_partitioner(item) for item in items)

    def _exir_calls(self, name: str) -> list[ts.Node]:
        return [call for call, _ in self.model.calls_to(name, lambda q: is_exir_function(q, name))]

    def _calls(self, name: str) -> list[ts.Node]:
        prefixes = _EXPORTS[name]
        return [
            call
            for call, _ in self.model.calls_to(
                name, lambda q: q.startswith(prefixes) and q.endswith("." + name)
            )
        ]

    def _method_calls(self, method: str) -> list[ts.Node]:
        return [call for call in self.model.calls if is_method_call(call, method)]

    # -- the exported models ----------------------------------------------------------
    def export_calls(self) -> Iterator[tuple[ts.Node, str]]:
        """Calls that export a model, with the exporting function's name."""
        for name in _EXPORTS:
            for call in self._calls(name):
                yield call, name

    def exported_definitions(self) -> set[ts.Node]:
        """The classes and functions whose calls build a model the script exports and
        serializes."""
        found: set[ts.Node] = set()
        for call, name in self.export_calls():
            if not self._reaches_to_executorch(call, name):
                continue
            model_argument, _ = argument(call, "model", 0)
            if model_argument is None:
                model_argument, _ = argument(call, "mod", 0)
            if model_argument is not None:
                found.update(self._built_by(model_argument, 0))
        return found

    def _reaches_to_executorch(self, export_call: ts.Node, name: str) -> bool:
        """In the function that exports: the exported program goes into a lowering and
        ``.to_executorch()`` is called (``export_to_exec_prog`` does both)."""
        if name == "export_to_exec_prog":
            return True
        scope = self.model.scope_of(export_call)
        if not any(_inside(call, scope) for call in self._method_calls("to_executorch")):
            return False
        if name == "export_to_edge":
            return True
        result = direct_target(export_call)
        for lowering_name in _LOWERINGS:
            for lowering in self._exir_calls(lowering_name):
                arguments = lowering.child_by_field_name("arguments")
                if arguments is None or not _inside(lowering, scope):
                    continue
                if _inside(export_call, arguments) or (
                    result is not None and _mentions(arguments, result)
                ):
                    return True
        return False

    def _built_by(self, node: ts.Node, depth: int) -> Iterator[ts.Node]:
        if depth > _MAX_DEPTH:
            return
        node = unwrap(node)
        if node.type == "call":
            function = node.child_by_field_name("function")
            if function is None:
                return
            if function.type == "identifier":
                yield from self._definitions_named(function)
            elif function.type == "attribute":  # Model().eval(), model.to("cpu")
                owner = function.child_by_field_name("object")
                if owner is not None:
                    yield from self._built_by(owner, depth + 1)
        elif node.type == "identifier":
            yield from self._built_by_name(node, depth)

    def _built_by_name(self, name: ts.Node, depth: int) -> Iterator[ts.Node]:
        resolved = self.model.resolve(name)
        if resolved is not None:
            for binding in resolved[1]:
                if binding.value is not None:
                    yield from self._built_by(binding.value, depth + 1)
            return
        function = self.model.scope_of(name)
        if function.type == "function_definition" and text(name) in self.model.parameters(function):
            for given in self._arguments_for(function, text(name)):
                yield from self._built_by(given, depth + 1)

    def _arguments_for(self, function: ts.Node, parameter: str) -> Iterator[ts.Node]:
        """What the script's calls of ``function`` pass for ``parameter``."""
        position = _parameter_position(function, parameter)
        name = function.child_by_field_name("name")
        if name is None:
            return
        for call in self.model.calls:
            callee = call.child_by_field_name("function")
            if callee is None or callee.type != "identifier" or text(callee) != text(name):
                continue
            if function not in set(self._definitions_named(callee)):
                continue
            given, _ = argument(call, parameter, position if position is not None else -1)
            if given is not None:
                yield given

    def _definitions_named(self, name: ts.Node) -> Iterator[ts.Node]:
        resolved = self.model.resolve(name)
        for binding in resolved[1] if resolved is not None else ():
            definition = binding.target.parent
            if definition is not None and definition.type in _DEFINITIONS:
                yield definition

    # -- what uses what ---------------------------------------------------------------
    def users(self, references: Iterable[ts.Node]) -> set[ts.Node]:
        """The classes and functions that use any of ``references``, directly or through
        other classes and functions of the script."""
        found: set[ts.Node] = set()
        pending = [unit for unit in map(self.unit_of, references) if unit is not None]
        while pending:
            unit = pending.pop()
            if unit in found:
                continue
            found.add(unit)
            if unit not in self._users:
                self._users[unit] = list(self._units_using(unit))
            pending.extend(self._users[unit])
        return found

    def unit_of(self, node: ts.Node) -> ts.Node | None:
        """The class a node is in, else the innermost function; None at module level."""
        function = None
        current = node.parent
        while current is not None:
            if current.type == "class_definition":
                return current
            if current.type == "function_definition" and function is None:
                function = current
            current = current.parent
        return function

    def _units_using(self, definition: ts.Node) -> Iterator[ts.Node]:
        name = definition.child_by_field_name("name")
        if name is None:
            return
        for use in self.model.uses_in(self.model.root, text(name)):
            if use == name or _inside(use, definition):
                continue
            if definition in set(self._definitions_named(use)):
                unit = self.unit_of(use)
                if unit is not None:
                    yield unit


def exported_models(model: ScriptModel) -> ExportedModels:
    cache = model.__dict__
    if "_exported_models" not in cache:
        cache["_exported_models"] = ExportedModels(model)
    return cache["_exported_models"]


def _is_aten_only_partitioner(item: ts.Node) -> bool:
    item = unwrap(item)
    if item.type != "call":
        return False
    function = item.child_by_field_name("function")
    return _ATEN_ONLY_PARTITIONER.search(text(function)) is not None


def _parameter_position(function: ts.Node, parameter: str) -> int | None:
    parameters = function.child_by_field_name("parameters")
    for index, child in enumerate(parameters.named_children if parameters is not None else []):
        if child.type in ("keyword_separator", "list_splat_pattern", "dictionary_splat_pattern"):
            return None
        name = child if child.type == "identifier" else child.child_by_field_name("name")
        if name is None and child.named_children:
            name = child.named_children[0]
        if text(name) == parameter:
            return index
    return None


def _mentions(node: ts.Node, name: str) -> bool:
    """``name`` appears as an identifier in ``node`` (``{"forward": ep}``, ``[ep]``)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "identifier" and text(current) == name:
            return True
        stack.extend(current.named_children)
    return False


def _inside(node: ts.Node, container: ts.Node) -> bool:
    return container.start_byte <= node.start_byte < container.end_byte

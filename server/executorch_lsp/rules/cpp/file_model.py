"""A per-file model of C++ code: functions, lambdas, declarations and member types.

It answers two questions for the order-of-events rules: what type does a
receiver have (from its declaration in this file), and which function of this
file does a call reach.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field

import tree_sitter as ts

from .model_loads import TypeInfo, declared_type, type_from_initializer
from .syntax import declarator_name, enclosing_class_name, function_name, member_call, text

_SCOPES = frozenset(
    {
        "compound_statement",
        "for_statement",
        "for_range_loop",
        "catch_clause",
        "if_statement",
        "while_statement",
        "switch_statement",
        "lambda_expression",
        "function_definition",
    }
)
_WORD = re.compile(r"[A-Za-z_]\w*")
NESTED_BODIES = frozenset({"lambda_expression", "class_specifier", "struct_specifier"})


@dataclass(eq=False)
class Unit:
    """A function body or a lambda body: the unit of order analysis."""

    node: ts.Node
    body: ts.Node
    name: str
    class_name: str | None
    is_lambda: bool = False


@dataclass(frozen=True)
class Variable:
    name: str
    start: int  # where the declaration starts
    scope_end: int  # where its enclosing scope ends
    type: TypeInfo | None
    type_text: str = ""
    lambda_unit: Unit | None = None


@dataclass
class FileModel:
    data: bytes
    units: list[Unit] = field(default_factory=list)
    variables: dict[str, list[Variable]] = field(default_factory=lambda: defaultdict(list))
    fields: dict[str, dict[str, TypeInfo]] = field(default_factory=lambda: defaultdict(dict))
    # Member types learnt from ``m_ = make_unique<Module>(...)`` and initializer lists.
    member_hints: dict[str, TypeInfo] = field(default_factory=dict)
    functions: dict[str, list[Unit]] = field(default_factory=lambda: defaultdict(list))
    _unit_starts: list[int] = field(default_factory=list)

    @classmethod
    def build(cls, root: ts.Node, data: bytes, captures: dict[str, list[ts.Node]]) -> FileModel:
        model = cls(data)
        lambdas: dict[int, Unit] = {}
        for node in captures.get("function", []):
            body = node.child_by_field_name("body")
            name, class_name = function_name(node, data)
            unit = Unit(node, body, name, class_name)
            model.units.append(unit)
            model.functions[name].append(unit)
        for node in captures.get("lambda", []):
            unit = Unit(node, node.child_by_field_name("body"), "<lambda>", None, is_lambda=True)
            model.units.append(unit)
            lambdas[node.id] = unit
        for node in captures.get("declaration", []) + captures.get("parameter", []):
            model._add_declaration(node, lambdas)
        for node in captures.get("field", []):
            class_name = enclosing_class_name(node, data)
            for declarator in node.children_by_field_name("declarator"):
                name, _ = declarator_name(declarator, data)
                found = declared_type(node, declarator, data)
                if class_name and name and found:
                    model.fields[class_name][name] = found
        for left, right in zip(
            captures.get("assign.left", []), captures.get("assign.right", []), strict=False
        ):
            model._add_hint(left, type_from_initializer(right, data))
        for member, args in zip(
            captures.get("init.field", []), captures.get("init.args", []), strict=False
        ):
            value = args.named_children[0] if args.named_child_count == 1 else None
            model._add_hint(member, type_from_initializer(value, data))
        model.units.sort(key=lambda unit: unit.node.start_byte)
        model._unit_starts = [unit.node.start_byte for unit in model.units]
        return model

    def _add_hint(self, target: ts.Node, found: TypeInfo | None) -> None:
        if found is None:
            return
        if target.type == "field_expression":
            target = target.child_by_field_name("field")
        if target is not None and target.type in ("identifier", "field_identifier"):
            self.member_hints.setdefault(text(target, self.data), found)

    def _add_declaration(self, node: ts.Node, lambdas: dict[int, Unit]) -> None:
        scope = node.parent
        while scope is not None and scope.type not in _SCOPES:
            scope = scope.parent
        if node.type in ("parameter_declaration", "optional_parameter_declaration"):
            while scope is not None and scope.type not in (
                "function_definition",
                "lambda_expression",
                "catch_clause",
            ):
                scope = scope.parent
        scope_end = scope.end_byte if scope is not None else len(self.data)
        for declarator in node.children_by_field_name("declarator"):
            name, _ = declarator_name(declarator, self.data)
            if not name:
                continue
            value = (
                declarator.child_by_field_name("value")
                if declarator.type == "init_declarator"
                else None
            )
            lambda_unit = (
                lambdas.get(value.id)
                if value is not None and value.type == "lambda_expression"
                else None
            )
            type_text = text(node.child_by_field_name("type"), self.data)
            if value is not None and type_text == "auto":
                type_text = text(value.child_by_field_name("function"), self.data)
            self.variables[name].append(
                Variable(
                    name,
                    node.start_byte,
                    scope_end,
                    declared_type(node, declarator, self.data),
                    type_text,
                    lambda_unit,
                )
            )

    def lookup(self, name: str, at: int) -> Variable | None:
        """The innermost declaration of ``name`` visible at byte ``at``."""
        visible = [v for v in self.variables.get(name, ()) if v.start <= at < v.scope_end]
        return max(visible, key=lambda v: v.start) if visible else None

    def unit_at(self, node: ts.Node) -> Unit | None:
        """The innermost function or lambda whose body contains ``node``."""
        index = bisect.bisect_right(self._unit_starts, node.start_byte) - 1
        while index >= 0:
            unit = self.units[index]
            if (
                unit.body is not None
                and unit.body.start_byte <= node.start_byte < unit.body.end_byte
            ):
                return unit
            index -= 1
        return None

    def receiver_type(self, receiver: ts.Node, unit: Unit | None) -> TypeInfo | None:
        if receiver.type == "field_expression":
            base = receiver.child_by_field_name("argument")
            if base is None or base.type != "this":
                return None
            receiver = receiver.child_by_field_name("field")
        if receiver is None or receiver.type not in ("identifier", "field_identifier"):
            return None
        name = text(receiver, self.data)
        if receiver.type == "identifier":
            variable = self.lookup(name, receiver.start_byte)
            if variable is not None:
                return variable.type
        class_name = self._class_of(unit)
        if class_name and name in self.fields.get(class_name, {}):
            return self.fields[class_name][name]
        return self.member_hints.get(name)

    def _class_of(self, unit: Unit | None) -> str | None:
        while unit is not None and unit.is_lambda:
            unit = self.unit_at(unit.node)
        return unit.class_name if unit is not None else None

    def resolve_call(self, call: ts.Node, unit: Unit | None) -> Unit | None:
        """The function or local lambda of this file that ``call`` reaches, if known."""
        function = call.child_by_field_name("function")
        if function is None:
            return None
        if function.type == "identifier":
            name = text(function, self.data)
            variable = self.lookup(name, call.start_byte)
            if variable is not None:
                return variable.lambda_unit
            return self._pick(name, self._class_of(unit))
        if function.type == "qualified_identifier":
            parts = text(function, self.data).replace(" ", "").split("::")
            return self._pick(parts[-1], parts[-2] if len(parts) > 1 else None, exact=True)
        member = member_call(call, self.data)
        if member is None:
            return None
        receiver, _, name = member
        if receiver.type == "this":
            return self._pick(name, self._class_of(unit), exact=True)
        if receiver.type == "identifier":
            variable = self.lookup(text(receiver, self.data), call.start_byte)
            declared = self._declared_class_name(variable)
            if declared:
                return self._pick(name, declared, exact=True)
        return None

    def _declared_class_name(self, variable: Variable | None) -> str | None:
        """A class of this file named in the variable's type (or ``make_unique<T>``)."""
        if variable is None:
            return None
        classes = {unit.class_name for unit in self.units if unit.class_name}
        return next((w for w in _WORD.findall(variable.type_text) if w in classes), None)

    def _pick(self, name: str, class_name: str | None, exact: bool = False) -> Unit | None:
        candidates = self.functions.get(name, [])
        same_class = [unit for unit in candidates if unit.class_name == class_name]
        if same_class:
            return same_class[0]
        if exact:
            return None
        free = [unit for unit in candidates if unit.class_name is None]
        return free[0] if free else None

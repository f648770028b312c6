"""Custom operators a script defines with ``torch.library`` and where it uses them.

Definitions come in three spellings: the ``@torch.library.custom_op("ns::name")``
decorator (or its call form), ``torch.library.define("ns::name(...) -> ...")``, and
``Library("ns", "DEF"/"FRAGMENT").define("name(...) -> ...")``. A ``Library(..., "IMPL")``
defines nothing. Names and namespaces are followed when they are string constants (or a
name holding one); an f-string or a computed name is not an operator this module knows.

An operator has an out variant, in ExecuTorch's sense (``exir/operator/convert.py``),
when another overload of the same name is an out function: it has a keyword-only
argument written to (``*, Tensor(a!) out``). Any overload whose schema cannot be read is
counted as one, so that an unreadable definition never leads to a finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import tree_sitter as ts

from .model import ScriptModel, call_arguments, last_name, text, unwrap
from .values import PartitionerValues

_CUSTOM_OP = frozenset(
    {
        "torch.library.custom_op",
        "torch._custom_ops.custom_op",
        "torch._library.custom_ops.custom_op",
    }
)
_DEFINE = "torch.library.define"
# The last part of every callee that defines an op: ``custom_op``, ``define``.
_DEFINING_FUNCTIONS = {"custom_op", "define"}
_LIBRARY = "torch.library.Library"
_DEFINING_KINDS = frozenset({"DEF", "FRAGMENT"})
_SCHEMA = re.compile(
    r"^\s*(?:(?P<ns>\w+)::)?(?P<name>[A-Za-z_]\w*)(?:\.(?P<overload>\w+))?"
    r"\s*\((?P<arguments>.*)\)\s*->\s*(?P<returns>.+?)\s*$",
    re.DOTALL,
)
_QUALIFIED_NAME = re.compile(r"^\s*(?P<ns>\w+)::(?P<name>[A-Za-z_]\w*)(?:\.(?P<overload>\w+))?\s*$")
_WRITTEN = re.compile(r"\(\w+!\)")
_MAX_ALIAS_DEPTH = 6
_IMPLICIT_KERNEL = "CompositeImplicitAutograd"


@dataclass(frozen=True)
class Schema:
    """``name.overload(arguments) -> returns``; ``arguments`` keeps the ``*`` marker."""

    name: str
    overload: str
    arguments: tuple[str, ...]
    returns: str

    @property
    def is_out_function(self) -> bool:
        if "*" not in self.arguments:
            return False
        keyword_only = self.arguments[self.arguments.index("*") + 1 :]
        return any(_WRITTEN.search(argument) for argument in keyword_only)


@dataclass(frozen=True)
class OpDefinition:
    """One overload defined in the script. ``schema`` is None when it cannot be read
    (the decorator form infers it from the function). ``string`` names the operator;
    ``function`` is the Python function a ``custom_op`` decorates (or the name its call
    form is assigned to)."""

    namespace: str
    name: str
    overload: str
    schema: Schema | None
    string: ts.Node
    call: ts.Node
    function: ts.Node | None = None
    may_be_out: bool = False  # a custom_op that may write to keyword-only arguments
    unreadable: bool = False  # named, but its schema does not parse
    library: str | None = None  # the Library name its ``define`` was called on

    @property
    def qualified(self) -> str:
        return f"{self.namespace}::{self.name}"


@dataclass
class CustomOp:
    namespace: str
    name: str
    definitions: list[OpDefinition] = field(default_factory=list)

    @property
    def qualified(self) -> str:
        return f"{self.namespace}::{self.name}"

    @property
    def functional(self) -> OpDefinition | None:
        """The overload export keeps in the graph: the first that is neither an out
        function nor in place."""
        for definition in self.definitions:
            if definition.may_be_out or definition.unreadable or definition.name.endswith("_"):
                continue
            schema = definition.schema
            if schema is None or not schema.is_out_function:
                return definition
        return None

    @property
    def has_out_variant(self) -> bool:
        return any(
            definition.may_be_out
            or definition.unreadable
            or (definition.schema is not None and definition.schema.is_out_function)
            for definition in self.definitions
        )


class ScriptOps:
    """The custom operators of one script, by ``ns::name``."""

    def __init__(self, model: ScriptModel) -> None:
        self.model = model
        self._references: dict[str, list[ts.Node]] = {}
        self.ops: dict[str, CustomOp] = {}
        for definition in self._definitions():
            key = definition.qualified
            self.ops.setdefault(key, CustomOp(definition.namespace, definition.name))
            self.ops[key].definitions.append(definition)

    # -- definitions ------------------------------------------------------------------
    def _definitions(self) -> Iterator[OpDefinition]:
        for call in self.model.calls_named(_DEFINING_FUNCTIONS):
            function = call.child_by_field_name("function")
            qualified = self.model.qualified_name(function)
            if qualified in _CUSTOM_OP:
                found = self._custom_op(call)
            elif qualified == _DEFINE:
                found = self._library_define(call)
            elif function.type == "attribute" and text(_attribute(function)) == "define":
                found = self._method_define(call, function.child_by_field_name("object"))
            else:
                found = None
            if found is not None:
                yield found

    def _custom_op(self, call: ts.Node) -> OpDefinition | None:
        positional, keywords = call_arguments(call)
        name_node = positional[0] if positional else keywords.get("name")
        match = _QUALIFIED_NAME.match(self._string(name_node) or "")
        if match is None or name_node is None:
            return None
        target = _decorated_function(call)
        if target is None and (len(positional) > 1 or "fn" in keywords):
            target = _assigned_identifier(call)
        function = target.child_by_field_name("name") if target is not None else None
        if target is not None and target.type == "identifier":
            function = target
        return OpDefinition(
            match["ns"],
            match["name"],
            match["overload"] or "",
            None,
            name_node,
            call,
            function=function,
            may_be_out=self._may_write_keyword_only(target, keywords),
        )

    def _may_write_keyword_only(self, target: ts.Node | None, keywords: dict[str, ts.Node]) -> bool:
        """``custom_op(..., mutates_args={"out"})`` on ``def f(x, *, out)`` is an out
        function itself; only an empty ``mutates_args`` rules that out."""
        if "schema" in keywords:
            schema = parse_schema(self._string(keywords["schema"]) or "")
            return schema is None or schema.is_out_function
        if target is None or target.type != "function_definition":
            return True
        mutated = keywords.get("mutates_args")
        if mutated is not None and _is_empty_literal(mutated):
            return False
        return _has_keyword_only_parameters(target)

    def _library_define(self, call: ts.Node) -> OpDefinition | None:
        """``torch.library.define("ns::name(...) -> ...")`` or
        ``torch.library.define("ns::name", "(...) -> ...")``."""
        positional, keywords = call_arguments(call)
        first = positional[0] if positional else keywords.get("qualname")
        second = positional[1] if len(positional) > 1 else keywords.get("schema")
        head = self._string(first)
        if head is None or first is None:
            return None
        if second is not None:
            rest = self._string(second)
            if rest is None:
                return None
            head += rest
        schema = parse_schema(head)
        if schema is None:
            return self._unreadable(head, first, call)
        namespace = _SCHEMA.match(head)["ns"]
        if namespace is None:
            return None
        return OpDefinition(namespace, schema.name, schema.overload, schema, first, call)

    def _method_define(self, call: ts.Node, owner: ts.Node | None) -> OpDefinition | None:
        """``lib.define("name(...) -> ...")`` on a ``Library("ns", "DEF"/"FRAGMENT")``."""
        namespace = self._library_namespace(owner) if owner is not None else None
        positional, keywords = call_arguments(call)
        string = positional[0] if positional else keywords.get("schema")
        head = self._string(string)
        if namespace is None or head is None or string is None:
            return None
        schema = parse_schema(head)
        if schema is None:
            return self._unreadable(f"{namespace}::{head}", string, call)
        library = text(owner) if owner is not None and owner.type == "identifier" else None
        return OpDefinition(
            namespace, schema.name, schema.overload, schema, string, call, library=library
        )

    def _unreadable(self, head: str, string: ts.Node, call: ts.Node) -> OpDefinition | None:
        """A definition whose schema does not parse still names an overload; it counts
        as a possible out variant."""
        match = re.match(r"\s*(\w+)::([A-Za-z_]\w*)(?:\.(\w+))?", head)
        if match is None:
            return None
        return OpDefinition(match[1], match[2], match[3] or "", None, string, call, unreadable=True)

    def _library_namespace(self, owner: ts.Node) -> str | None:
        value = unwrap(owner)
        if value.type == "identifier":
            value = self.single_value(value)
        if value is None or value.type != "call":
            return None
        function = value.child_by_field_name("function")
        if function is None or self.model.qualified_name(function) != _LIBRARY:
            return None
        positional, keywords = call_arguments(value)
        namespace = self._string(positional[0] if positional else keywords.get("ns"))
        kind = self._string(positional[1] if len(positional) > 1 else keywords.get("kind"))
        return namespace if kind in _DEFINING_KINDS and namespace else None

    # -- values -----------------------------------------------------------------------
    def _string(self, node: ts.Node | None) -> str | None:
        if node is None:
            return None
        if node.type == "concatenated_string":  # "name(Tensor x, " "int k) -> Tensor"
            parts = [self._string(c) for c in node.named_children if c.type != "comment"]
            return None if None in parts else "".join(parts)
        constant = PartitionerValues(self.model, node).constant(node)
        return constant.value if constant is not None and isinstance(constant.value, str) else None

    def single_value(self, name: ts.Node) -> ts.Node | None:
        """The one value ``name`` is ever given, or None."""
        found = self.model.sole_value(name)
        return unwrap(found[1]) if found is not None else None

    # -- decompositions ---------------------------------------------------------------
    def decomposed_in_export(self, op: CustomOp) -> bool:
        """A ``CompositeImplicitAutograd`` kernel is traced through by export, so the op
        never reaches the exported graph."""
        names = {op.name, op.qualified, f"{op.name}.default", f"{op.qualified}.default"}
        for call in self.model.calls:
            function = call.child_by_field_name("function")
            if function is None or last_name(function) not in ("impl", "register_kernel"):
                continue
            arguments = call.child_by_field_name("arguments")
            if arguments is None or _IMPLICIT_KERNEL not in text(arguments):
                continue
            strings = {self._string(child) for child in arguments.named_children}
            if strings & names:
                return True
        return False

    # -- uses -------------------------------------------------------------------------
    def references(self, op: CustomOp) -> list[ts.Node]:
        """Expressions that denote the operator: ``torch.ops.ns.name`` (through aliases
        such as ``ops = torch.ops.ns``), the function a ``custom_op`` decorates, and names
        assigned either of those."""
        if op.qualified not in self._references:
            self._references[op.qualified] = self._find_references(op)
        return self._references[op.qualified]

    def _find_references(self, op: CustomOp) -> list[ts.Node]:
        found = [*self._ops_attributes(op), *self._decorated_uses(op)]
        pending = list(found)
        seen = {(node.start_byte, node.end_byte) for node in found}
        while pending:
            node = pending.pop()
            for alias_use in self._alias_uses(node):
                key = (alias_use.start_byte, alias_use.end_byte)
                if key not in seen:
                    seen.add(key)
                    found.append(alias_use)
                    pending.append(alias_use)
        return sorted(found, key=lambda node: node.start_byte)

    def _ops_attributes(self, op: CustomOp) -> Iterator[ts.Node]:
        wanted = f"torch.ops.{op.namespace}.{op.name}"
        pattern = re.compile(rb"\.\s*" + re.escape(op.name.encode()) + rb"\b")
        data = self.model.root.text or b""
        for match in pattern.finditer(data):
            name = self.model.root.descendant_for_byte_range(
                match.end() - len(op.name), match.end()
            )
            attribute = name.parent if name is not None else None
            if attribute is None or attribute.type != "attribute" or _attribute(attribute) != name:
                continue
            if self.resolved_path(attribute) == wanted:
                yield attribute

    def _decorated_uses(self, op: CustomOp) -> Iterator[ts.Node]:
        for definition in op.definitions:
            name = definition.function
            if name is None:
                continue
            for use in self.model.uses_in(self.model.root, text(name)):
                if use != name and self._refers_to(use, name):
                    yield use

    def _refers_to(self, use: ts.Node, name: ts.Node) -> bool:
        resolved = self.model.resolve(use)
        return resolved is not None and any(b.target == name for b in resolved[1])

    def _alias_uses(self, reference: ts.Node) -> Iterator[ts.Node]:
        """``alias = <reference>``: the uses of ``alias`` that see only this value."""
        node = reference
        while node.parent is not None and node.parent.type == "attribute":
            node = node.parent  # torch.ops.ns.name.default
        parent = node.parent
        if (
            parent is None
            or parent.type != "assignment"
            or parent.child_by_field_name("right") != node
        ):
            return
        target = parent.child_by_field_name("left")
        if target is None or target.type != "identifier":
            return
        scope = self.model.scope_of(target)
        for use in self.model.uses_in(scope, text(target)):
            if use != target and self._only_binding_is(use, target):
                yield use

    def _only_binding_is(self, use: ts.Node, target: ts.Node) -> bool:
        resolved = self.model.resolve(use)
        return resolved is not None and [b.target for b in resolved[1]] == [target]

    def resolved_path(self, node: ts.Node, depth: int = 0) -> str | None:
        """The dotted name an expression stands for, through imports and names
        assigned once (``ops = torch.ops.my_ops``; ``ops.mul3`` -> ``torch.ops.my_ops.mul3``)."""
        node = unwrap(node)
        if depth > _MAX_ALIAS_DEPTH:
            return None
        if node.type == "identifier":
            qualified = self.model.qualified_name(node)
            if qualified is not None:
                return qualified
            value = self.single_value(node)
            return self.resolved_path(value, depth + 1) if value is not None else None
        if node.type == "attribute":
            owner = node.child_by_field_name("object")
            path = self.resolved_path(owner, depth + 1) if owner is not None else None
            return f"{path}.{text(_attribute(node))}" if path is not None else None
        return None


def script_ops(model: ScriptModel) -> ScriptOps:
    cache = model.__dict__
    if "_script_ops" not in cache:
        cache["_script_ops"] = ScriptOps(model)
    return cache["_script_ops"]


# -- schemas --------------------------------------------------------------------------
def parse_schema(schema: str) -> Schema | None:
    match = _SCHEMA.match(schema)
    if match is None:
        return None
    arguments = tuple(part.strip() for part in _split_top_level(match["arguments"]))
    if arguments == ("",):
        arguments = ()
    return Schema(match["name"], match["overload"] or "", arguments, match["returns"].strip())


def _split_top_level(arguments: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for index, char in enumerate(arguments):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(arguments[start:index])
            start = index + 1
    parts.append(arguments[start:])
    return parts


# -- syntax helpers -------------------------------------------------------------------
def _attribute(node: ts.Node) -> ts.Node | None:
    return node.child_by_field_name("attribute")


def _decorated_function(call: ts.Node) -> ts.Node | None:
    decorator = call.parent
    if decorator is None or decorator.type != "decorator":
        return None
    definition = decorator.parent
    if definition is None or definition.type != "decorated_definition":
        return None
    function = definition.child_by_field_name("definition")
    return function if function is not None and function.type == "function_definition" else None


def _assigned_identifier(call: ts.Node) -> ts.Node | None:
    parent = call.parent
    if parent is None or parent.type != "assignment" or parent.child_by_field_name("right") != call:
        return None
    target = parent.child_by_field_name("left")
    return target if target is not None and target.type == "identifier" else None


def _is_empty_literal(node: ts.Node) -> bool:
    node = unwrap(node)
    if node.type in ("tuple", "list", "dictionary", "set"):
        return not [child for child in node.named_children if child.type != "comment"]
    if node.type == "call":
        arguments = node.child_by_field_name("arguments")
        return text(node.child_by_field_name("function")) in ("set", "tuple", "list") and (
            arguments is None or not arguments.named_children
        )
    return False


def _has_keyword_only_parameters(function: ts.Node) -> bool:
    parameters = function.child_by_field_name("parameters")
    children = parameters.named_children if parameters is not None else []
    return any(child.type in ("keyword_separator", "list_splat_pattern") for child in children)


# -- the out variant to add -----------------------------------------------------------
_SCALAR_TYPES = {"int": "int", "float": "float", "bool": "bool", "str": "str"}
_TENSOR_TYPES = frozenset({"Tensor", "torch.Tensor"})
_OPTIONAL = re.compile(r"^(?:typing\.)?Optional\[(.+)\]$|^(.+?)\s*\|\s*None$")
_SEQUENCE = re.compile(
    r"^(?:typing\.)?(?:list|List|Sequence|tuple|Tuple)\[([^,\]]+)(?:,\s*\.\.\.)?\]$"
)


def schema_of(definition: OpDefinition) -> Schema | None:
    """The functional schema: written out, or inferred from the type hints of the
    function a ``custom_op`` decorates (simple types only)."""
    if definition.schema is not None:
        return definition.schema
    function = definition.function.parent if definition.function is not None else None
    if function is None or function.type != "function_definition":
        return None
    arguments = [_schema_argument(parameter) for parameter in _parameters(function)]
    returns = _schema_type(text(function.child_by_field_name("return_type")))
    if returns is None or any(argument is None for argument in arguments):
        return None
    return Schema(definition.name, "", tuple(a for a in arguments if a is not None), returns)


def out_schema(schema: Schema) -> str | None:
    """``name(args) -> Tensor`` -> ``name.out(args, *, Tensor(a!) out) -> Tensor(a!)``."""
    returns = _returned_tensors(schema.returns)
    if returns is None:
        return None
    marks = "abcdefghijklmnopqrstuvwxyz"[: len(returns)]
    names = ["out"] if len(returns) == 1 else [f"out{index}" for index in range(len(returns))]
    outs = [f"Tensor({mark}!) {name}" for mark, name in zip(marks, names, strict=True)]
    arguments = [*schema.arguments, *([] if "*" in schema.arguments else ["*"]), *outs]
    written = [f"Tensor({mark}!)" for mark in marks]
    result = written[0] if len(written) == 1 else f"({', '.join(written)})"
    return f"{schema.name}.out({', '.join(arguments)}) -> {result}"


def argument_names(schema: Schema) -> list[str]:
    """The names of the arguments, ``*`` kept as the keyword-only marker."""
    names = []
    for argument in schema.arguments:
        declaration = argument.split("=", 1)[0].split()
        names.append(declaration[-1] if declaration else argument)
    return names


def _returned_tensors(returns: str) -> list[str] | None:
    returns = returns.strip()
    if returns.startswith("(") and returns.endswith(")"):
        parts = [part.strip() for part in _split_top_level(returns[1:-1]) if part.strip()]
    else:
        parts = [returns]
    tensors = [part.split()[0] if part else "" for part in parts]
    return tensors if tensors and all(part == "Tensor" for part in tensors) else None


def _parameters(function: ts.Node) -> list[ts.Node]:
    parameters = function.child_by_field_name("parameters")
    return [
        child
        for child in (parameters.named_children if parameters is not None else [])
        if child.type != "comment"
    ]


def _schema_argument(parameter: ts.Node) -> str | None:
    if parameter.type == "keyword_separator":
        return "*"
    if parameter.type not in ("typed_parameter", "typed_default_parameter"):
        return None
    name = parameter.child_by_field_name("name") or parameter.named_children[0]
    kind = _schema_type(text(parameter.child_by_field_name("type")))
    if kind is None or name.type != "identifier":
        return None
    default = parameter.child_by_field_name("value")
    if default is None:
        return f"{kind} {text(name)}"
    if default.type not in ("integer", "float", "true", "false", "none", "unary_operator"):
        return None
    return f"{kind} {text(name)}={text(default)}"


def _schema_type(annotation: str) -> str | None:
    annotation = annotation.strip()
    if annotation in _TENSOR_TYPES:
        return "Tensor"
    if annotation in _SCALAR_TYPES:
        return _SCALAR_TYPES[annotation]
    optional = _OPTIONAL.match(annotation)
    if optional is not None:
        inner = _schema_type(optional[1] or optional[2])
        return f"{inner}?" if inner is not None and not inner.endswith("?") else None
    sequence = _SEQUENCE.match(annotation)
    if sequence is not None:
        inner = _schema_type(sequence[1])
        return f"{inner}[]" if inner in ("Tensor", "int", "float", "bool") else None
    if annotation.startswith(("tuple[", "Tuple[")):
        inner = [_schema_type(part) for part in _split_top_level(annotation[6:-1])]
        if inner and all(part == "Tensor" for part in inner):
            return f"({', '.join('Tensor' for _ in inner)})"
    return None

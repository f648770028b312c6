"""ET108 mlock-load-mode: a model loaded with mlock that fails the load when mlock fails.

``Module::LoadMode::MmapUseMlock`` (and ``MmapDataLoader::MlockConfig::UseMlock``) make
every page load fail with ``Error::NotSupported`` when ``mlock()`` fails, which it does
on devices with a small locked-memory limit (Android, Raspberry Pi). Only the places
where the mode reaches a loader are reported: an argument of a ``Module`` construction
or a ``create_*_runner`` factory, ``MmapDataLoader::from``, or a wrapper's default
parameter. Comparisons, ``case`` labels and mode tables that translate a caller's
explicit choice are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from ...engine.findings import Finding, Fix, Severity, Span, TextEdit
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from .et108_docs import DOCS
from .file_model import FileModel
from .headers import model_for
from .model_loads import Entity, type_from_declaration
from .syntax import callee_parts, function_name, text

STRICT_MLOCK = re.compile(
    rb"\b(?P<enum>LoadMode|MlockConfig)\s*::\s*(?P<value>MmapUseMlock|UseMlock)\b"
)
_VALUES = {"LoadMode": "MmapUseMlock", "MlockConfig": "UseMlock"}
_RUNNER_FACTORY = re.compile(r"create_\w*runner")
_FACTORIES = frozenset({"make_unique", "make_shared"})
_TO_MODULE = "passed to a Module"
_WRAPPERS = frozenset({"qualified_identifier", "parenthesized_expression"})


def check(context: RuleContext) -> Iterator[Finding]:
    data = context.document.data
    model = model_for(context)
    for start, end in context.ranges():
        for match in STRICT_MLOCK.finditer(data, start, end):
            enum, value = match.group("enum").decode(), match.group("value").decode()
            if _VALUES[enum] != value:
                continue
            name = model.node_at(match.start("value"))
            if name is None or name.type not in ("identifier", "type_identifier"):
                continue  # comments, strings, macro bodies
            expression = name
            while expression.parent is not None and expression.parent.type in _WRAPPERS:
                expression = expression.parent
            where = _reaches_loader(model, expression, enum)
            if where is not None:
                yield _finding(context, expression, name, enum, where)


def _reaches_loader(model: FileModel, expression: ts.Node, enum: str) -> str | None:
    """What the mode is handed to, when it visibly reaches a loader; else None."""
    parent = expression.parent
    if parent is None:
        return None
    if parent.type == "optional_parameter_declaration" and enum == "LoadMode":
        if parent.child_by_field_name("default_value") == expression:
            return "as this function's default load mode"
        return None
    if parent.type == "parameter_declaration" and enum == "LoadMode":
        return _misparsed_construction(model, parent)
    if parent.type not in ("argument_list", "initializer_list"):
        return None
    owner = parent.parent
    if owner is None:
        return None
    if enum == "MlockConfig":
        parts = callee_parts(owner, model.data) if owner.type == "call_expression" else []
        return (
            "passed to `MmapDataLoader::from`" if parts[-2:] == ["MmapDataLoader", "from"] else None
        )
    return _module_construction(model, owner)


def _module_construction(model: FileModel, owner: ts.Node) -> str | None:
    data = model.data
    if owner.type == "call_expression":
        function_text = text(owner.child_by_field_name("function"), data)
        parts = callee_parts(owner, data)
        name = parts[-1] if parts else ""
        if _RUNNER_FACTORY.fullmatch(name):
            return f"passed to `{name}`"
        template = re.search(r"<(.*)>", function_text)
        if name in _FACTORIES and template and _is_module(template.group(1)):
            return _TO_MODULE
        return _TO_MODULE if parts and _is_module("::".join(parts)) else None
    if owner.type == "new_expression":
        return _TO_MODULE if _is_module(text(owner.child_by_field_name("type"), data)) else None
    if owner.type == "init_declarator":
        declaration = owner.parent
        if declaration is not None and declaration.type == "declaration":
            type_text = text(declaration.child_by_field_name("type"), data)
            return _TO_MODULE if _is_module(type_text) else None
        return None
    if owner.type == "field_initializer":
        return _TO_MODULE if _initializes_module_field(model, owner) else None
    return None


def _misparsed_construction(model: FileModel, parameter: ts.Node) -> str | None:
    """``Module m(path, LoadMode::X);`` in a body parses as a function declaration."""
    if parameter.child_by_field_name("declarator") is not None:
        return None
    declarator = parameter.parent.parent if parameter.parent is not None else None
    declaration = declarator.parent if declarator is not None else None
    if (
        declarator is None
        or declarator.type != "function_declarator"
        or declaration is None
        or declaration.type != "declaration"
        or declaration.parent is None
        or declaration.parent.type != "compound_statement"
    ):
        return None
    type_text = text(declaration.child_by_field_name("type"), model.data)
    return _TO_MODULE if _is_module(type_text) else None


def _is_module(type_text: str) -> bool:
    found = type_from_declaration(type_text, False)
    return found is not None and found.entity is Entity.MODULE and not found.indirect


def _initializes_module_field(model: FileModel, initializer: ts.Node) -> bool:
    """``module_(path, mode)`` in a constructor's initializer list, for a Module field."""
    definition = initializer.parent
    while definition is not None and definition.type != "function_definition":
        definition = definition.parent
    if definition is None:
        return False
    _, class_name = function_name(definition, model.data)
    field = initializer.named_children[0] if initializer.named_children else None
    if class_name is None or field is None:
        return False
    found = model.fields_of(class_name).get(text(field, model.data))
    return found is not None and found.entity is Entity.MODULE and not found.indirect


def _finding(
    context: RuleContext, expression: ts.Node, name: ts.Node, enum: str, where: str
) -> Finding:
    value = _VALUES[enum]
    safer = f"{value}IgnoreErrors"
    alternative = "`Mmap`" if enum == "LoadMode" else "`NoMlock`"
    message = (
        f"`{enum}::{value}` {where} fails the whole load when mlock() fails, as it "
        "does on devices with a small locked-memory limit (Android, Raspberry Pi): "
        f'"mlock(...) failed: Out of memory", Error::NotSupported. Use `{safer}` '
        f"(locks when it can) or {alternative}"
    )
    edit = TextEdit(Span(name.start_byte, name.end_byte), safer)
    fix = Fix(f"Use {safer}", (edit,))
    return context.finding(Span(expression.start_byte, expression.end_byte), message, fix=fix)


RULE = Rule(
    code="ET108",
    name="mlock-load-mode",
    title="Model loaded with mlock that fails on constrained devices",
    languages=frozenset({LanguageId.CPP}),
    severity=Severity.WARNING,
    fixable=True,
    docs=DOCS,
    check=check,
    incremental=True,
    anchors=(b"MmapUseMlock", b"UseMlock"),
    anchor_patterns=(STRICT_MLOCK,),
)

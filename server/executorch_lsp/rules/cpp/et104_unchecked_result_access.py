"""ET104 unchecked-result-access: a Result's value used before anything checks it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from ...engine.findings import Finding, Fix, Severity, Span, TextEdit
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from ..screens import AnyOf
from .et104_docs import DOCS
from .file_model import FileModel, call_of_name
from .headers import model_for
from .result_screen import ResultReadScreen
from .returns import RETURNS_RESULT, returned_kind, returns_error_or_result
from .syntax import called_name_offset, declarator_name, path_parts, text

_RESULT_NAMES = sorted({name for names in RETURNS_RESULT.values() for name in names})
# Calls that may return an ExecuTorch Result (confirmed on the tree afterwards).
RESULT_CALL = AnyOf(
    rb"(?:\.|->)(?:" + "|".join(_RESULT_NAMES).encode() + rb")\s*\(",
    rb"\bProgram::[lL]oad\s*\(",
    rb"\bprepare_input_tensors\s*\(",
)
RESULT_TYPE = AnyOf(rb"\bResult\s*<")
# The screen: files without an ExecuTorch Result type or a Result-returning call (``get`` is
# left out: ``.get(`` is in nearly every C++ file) are never parsed for ET104.
SCREEN = AnyOf(
    rb"\bResult\s*<",
    rb"(?:\.|->)(?:" + "|".join(n for n in _RESULT_NAMES if n != "get").encode() + rb")\s*\(",
    rb"\bProgram::[lL]oad\s*\(",
    rb"\bprepare_input_tensors\s*\(",
)
_RESULT_TYPE_TEXT = re.compile(r"((?:::)?(?:[\w]+::)*)Result\s*<(.*)>", re.S)
_EXECUTORCH_SCOPES = frozenset({"executorch", "runtime", "executor", "aten"})
# Another library's Result in scope makes an unqualified ``Result<T>`` ambiguous.
_FOREIGN_RESULT = (
    # (a literal every match holds, the pattern): the literal is searched first
    (b"::Result", re.compile(rb"using\s+(?:::)?(?!executorch|torch)\w+(?:::\w+)*::Result\s*;")),
    (b"tokenizers", re.compile(rb"using\s+namespace\s+(?:::)?tokenizers\b")),
    (b"Result", AnyOf(rb"\bclass\s+Result\b", rb"\bstruct\s+Result\b")),
)
_EXECUTORCH_TYPES = re.compile(
    r"\b(?:Method|Program|MethodMeta|EValue|BufferCleanup|FileDataLoader|MmapDataLoader)\b"
)
# Accessors that fail only for an index out of range.
_BOUNDED_ACCESSORS = frozenset({"get_method_name"})
_SCOPE_TYPES = frozenset(
    {
        "compound_statement",
        "if_statement",
        "for_statement",
        "for_range_loop",
        "while_statement",
        "switch_statement",
    }
)


@dataclass(frozen=True)
class _ResultVariable:
    name: str
    declaration: ts.Node
    scope_end: int


def check(context: RuleContext) -> Iterator[Finding]:
    document = context.document
    data = document.data
    model = model_for(context)
    unqualified_ok = _unqualified_result_is_executorch(data)
    seen: set[int] = set()
    for start, end in context.ranges():
        for match in RESULT_CALL.finditer(data, start, end):
            yield from _check_call(context, model, called_name_offset(match), seen)
        for match in RESULT_TYPE.finditer(data, start, end):
            variable = _typed_result_variable(model, match.start(), unqualified_ok)
            if variable is not None and variable.declaration.id not in seen:
                seen.add(variable.declaration.id)
                yield from _check_variable(context, model, variable)


def _unqualified_result_is_executorch(data: bytes) -> bool:
    return b"executorch" in data and not any(
        literal in data and pattern.search(data) is not None for literal, pattern in _FOREIGN_RESULT
    )


def _check_call(
    context: RuleContext, model: FileModel, offset: int, seen: set[int]
) -> Iterator[Finding]:
    call = call_of_name(model.node_at(offset))
    if call is None or returned_kind(call, model) != "Result":
        return
    access = _access_of(call, model.data)
    if access is not None:
        if not _indexed_by_its_loop(call, model.data):
            yield _temporary_finding(context, model, call, access)
        return
    declarator = _unwrapped(call).parent
    if declarator is None or declarator.type != "init_declarator":
        return
    declaration = declarator.parent
    if declaration is None or declaration.type != "declaration" or declaration.id in seen:
        return
    type_node = declaration.child_by_field_name("type")
    if type_node is None or type_node.type != "placeholder_type_specifier":
        return
    seen.add(declaration.id)
    name, pointer = declarator_name(declarator, model.data)
    if name and not pointer:
        yield from _check_variable(
            context, model, _ResultVariable(name, declaration, _scope_end(declaration))
        )


def _indexed_by_its_loop(call: ts.Node, data: bytes) -> bool:
    """``program->get_method_name(i)`` inside ``for (i = 0; i < count; ...)``: it fails
    only for an index out of range, which the loop rules out."""
    function = call.child_by_field_name("function")
    field = function.child_by_field_name("field") if function is not None else None
    if text(field, data) not in _BOUNDED_ACCESSORS:
        return False
    arguments = call.child_by_field_name("arguments").named_children
    if len(arguments) != 1 or arguments[0].type != "identifier":
        return False
    index = text(arguments[0], data)
    loop = call.parent
    while loop is not None and loop.type != "for_statement":
        loop = loop.parent
    condition = text(loop.child_by_field_name("condition"), data) if loop is not None else ""
    return re.match(rf"\s*{re.escape(index)}\s*<", condition) is not None


def _unwrapped(node: ts.Node) -> ts.Node:
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node


def _typed_result_variable(
    model: FileModel, offset: int, unqualified_ok: bool
) -> _ResultVariable | None:
    """The local variable declared ``Result<T> name = ...`` at ``offset``, if ExecuTorch's."""
    node = model.node_at(offset)
    while node is not None and node.type not in ("declaration", "compound_statement"):
        if node.type in ("parameter_declaration", "field_declaration", "template_argument_list"):
            return None
        node = node.parent
    if node is None or node.type != "declaration" or model.unit_at(node) is None:
        return None
    type_text = text(node.child_by_field_name("type"), model.data)
    match = _RESULT_TYPE_TEXT.fullmatch(type_text.strip())
    if match is None or not _is_executorch_result(match, unqualified_ok):
        return None
    declarators = node.children_by_field_name("declarator")
    if len(declarators) != 1 or declarators[0].type != "init_declarator":
        return None
    name, pointer = declarator_name(declarators[0], model.data)
    if not name or pointer or not _may_fail(declarators[0].child_by_field_name("value"), model):
        return None
    return _ResultVariable(name, node, _scope_end(node))


def _may_fail(value: ts.Node | None, model: FileModel) -> bool:
    """Only a call can hand back an error; ``Result<int> r = 5`` always holds a value."""
    if value is not None and value.type in ("argument_list", "initializer_list"):
        value = value.named_children[0] if value.named_child_count == 1 else None
    if value is None or value.type != "call_expression":
        return False
    callee = path_parts(text(value.child_by_field_name("function"), model.data))
    return bool(callee) and callee[-1] not in ("move", "forward", "Result")


def _is_executorch_result(match: re.Match[str], unqualified_ok: bool) -> bool:
    qualifier = path_parts(match.group(1) + "x")[:-1]
    if qualifier:
        return bool(set(qualifier) & _EXECUTORCH_SCOPES) and "tokenizers" not in qualifier
    return unqualified_ok or bool(_EXECUTORCH_TYPES.search(match.group(2)))


def _scope_end(declaration: ts.Node) -> int:
    scope = declaration.parent
    while scope is not None and scope.type not in _SCOPE_TYPES:
        scope = scope.parent
    return scope.end_byte if scope is not None else declaration.end_byte


def _check_variable(
    context: RuleContext, model: FileModel, variable: _ResultVariable
) -> Iterator[Finding]:
    """The first use of the variable decides: a check or hand-over, or an access."""
    declaration = variable.declaration
    for offset in model.occurrences(variable.name):
        if not declaration.end_byte <= offset < variable.scope_end:
            continue
        node = model.node_at(offset)
        if node is None or node.type != "identifier" or not _refers_to(model, node, declaration):
            continue
        access = _access_of(node, model.data)
        if access is not None:
            yield _variable_finding(context, model, variable, access)
        return


def _refers_to(model: FileModel, node: ts.Node, declaration: ts.Node) -> bool:
    found = model.lookup(text(node, model.data), node)
    return found is None or found.start == declaration.start_byte


def _access_of(node: ts.Node, data: bytes) -> ts.Node | None:
    """The expression that reads the value of the Result ``node``: ``.get()``, ``*``, ``->``."""
    node = _unwrapped(node)
    parent = node.parent
    if parent is None:
        return None
    if parent.type == "pointer_expression" and text(
        parent.child_by_field_name("operator"), data
    ) == ("*"):
        return parent
    if parent.type != "field_expression" or parent.child_by_field_name("argument") != node:
        return None
    if text(parent.child_by_field_name("operator"), data) == "->":
        return parent
    field = text(parent.child_by_field_name("field"), data)
    call = parent.parent
    if field == "get" and call is not None and call.type == "call_expression":
        return call
    return None


def _variable_finding(
    context: RuleContext, model: FileModel, variable: _ResultVariable, access: ts.Node
) -> Finding:
    name = variable.name
    message = (
        f"`{name}` is used before anything checks it: if the call failed, `{_short(access, model)}`"
        " aborts the process (Result's value accessors run ET_CHECK) instead of returning the "
        f"error. Check `{name}.ok()` first, or use ET_ASSIGN_OR_RETURN"
    )
    return context.finding(
        Span(access.start_byte, access.end_byte),
        message,
        fix=_fix(model, variable, access),
    )


def _temporary_finding(
    context: RuleContext, model: FileModel, call: ts.Node, access: ts.Node
) -> Finding:
    message = (
        f"The Result of `{_short(call, model)}` is dereferenced without a check: if the call "
        "fails, the process aborts (ET_CHECK) instead of returning the error. Store the result "
        "and check `.ok()` first, or use ET_ASSIGN_OR_RETURN"
    )
    return context.finding(Span(access.start_byte, access.end_byte), message)


def _short(node: ts.Node, model: FileModel) -> str:
    value = " ".join(text(node, model.data).split())
    return value if len(value) <= 50 else value[:47] + "..."


def _fix(model: FileModel, variable: _ResultVariable, access: ts.Node) -> Fix | None:
    """Return the error first, when the enclosing function returns Error or Result."""
    data = model.data
    if not returns_error_or_result(model.unit_at(access), data):
        return None
    statement = access
    while statement.parent is not None and statement.parent.type != "compound_statement":
        statement = statement.parent
    if statement.parent is None:
        return None
    line_start = data.rfind(b"\n", 0, statement.start_byte) + 1
    indent = data[line_start : statement.start_byte]
    if indent.strip():
        return None
    check_line = f"ET_CHECK_OK_OR_RETURN_ERROR({variable.name}.error());\n{indent.decode()}"
    at = statement.start_byte
    return Fix(
        f"Return the error of {variable.name} first (ET_CHECK_OK_OR_RETURN_ERROR)",
        (TextEdit(Span(at, at), check_line),),
    )


RULE = Rule(
    code="ET104",
    name="unchecked-result-access",
    title="ExecuTorch Result used without a check",
    languages=frozenset({LanguageId.CPP}),
    severity=Severity.WARNING,
    fixable=True,
    incremental=True,
    docs=DOCS,
    check=check,
    anchors=(
        b"Result",
        b"forward(",
        b"execute(",
        b"method(",
        b"method_meta(",
        b"method_names(",
        b"num_methods(",
        b"get_output",
        b"get_method_name(",
        b"prefill(",
        b"Program::",
        b"prepare_input_tensors",
    ),
    # Then files that may read a Result's value at all (most only check theirs).
    anchor_patterns=(SCREEN, ResultReadScreen(RESULT_CALL, RESULT_TYPE)),
)

"""ET105 error-code-printed-as-number: an ``Error`` printed in decimal."""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from ...engine.findings import Finding, Fix, Severity, Span, TextEdit
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from ..screens import AnyOf
from .error_values import integer_cast_inner, is_error_value
from .et105_docs import DOCS
from .file_model import FileModel
from .format_strings import Conversion, format_conversions
from .headers import model_for

_SIGNED = ("int", "long", "short", "signed", "int32_t", "int64_t", "std::int32_t", "std::int64_t")
# Where a decimal print can start: a decimal conversion, to_string or a stream cast.
DECIMAL_PRINT = re.compile(
    rb"%[-+ #0']*\d*(?:\.\d+)?(?:hh|h|ll|l|j|z|t)?[diu]|PRI[diu]|ET_PRIs?size_t"
    rb"|to_string\s*\(|<<\s*(?:static_cast\s*<|\()"
)
# The screen: files with such a print and a visible Error value (.error(), an Error
# variable, or an auto variable initialised from an ExecuTorch call). One literal-led
# pattern per alternative (fast to search).
_DECIMAL_PRINT_SCREEN = AnyOf(
    rb"%[-+ #0']*\d*(?:\.\d+)?(?:hh|h|ll|l|j|z|t)?[diu]",
    rb"PRI[diu]",
    rb"ET_PRIs?size_t",
    rb"to_string\s*\(",
    rb"<<\s*(?:static_cast\s*<|\()",
)
_ERROR_VALUE_SCREEN = AnyOf(
    rb"(?:\.|->)error\(\)",
    rb"\bError\s+[A-Za-z_]\w*\s*[=;,)]",
    rb"\bauto\s+\w+\s*=[^;\n]{0,160}?\b(?:load|load_method|load_forward|execute|forward"
    rb"|set_inputs?|set_outputs?|get_outputs?|method_meta|method_names|prepare_input_tensors"
    rb"|step|generate|warmup|prefill|set_output_data_ptr)\s*\(",
)
MESSAGE = (
    'ExecuTorch `Error` printed as a decimal number: "error 20" reads like 0x20 NotFound but '
    "is 0x14 OperatorMissing. Print it in hex (`0x%x`) like the runtime does, or by name with "
    "`executorch::runtime::to_string(error)`"
)


def check(context: RuleContext) -> Iterator[Finding]:
    """Driven by the text: only the places a decimal print can start are looked at."""
    document = context.document
    data = document.data
    root = document.tree.root_node
    model = model_for(context)
    seen: set[int] = set()
    for start, end in context.ranges():
        for match in DECIMAL_PRINT.finditer(data, start, end):
            node = root.descendant_for_byte_range(match.start(), match.start() + 1)
            target = _candidate(node, match.group(0), data)
            if target is None or target.id in seen:
                continue
            seen.add(target.id)
            yield from _check_candidate(context, model, target)


def _candidate(node: ts.Node | None, text: bytes, data: bytes) -> ts.Node | None:
    """The call (format string, to_string) or ``<<`` expression a match belongs to."""
    while node is not None:
        if text.startswith(b"<<") and node.type == "binary_expression":
            operator = node.child_by_field_name("operator")
            if operator is not None and data[operator.start_byte : operator.end_byte] == b"<<":
                return node
        if node.type == "call_expression":
            return node
        if node.type in ("expression_statement", "compound_statement", "declaration"):
            return None
        node = node.parent
    return None


def _check_candidate(context: RuleContext, model: FileModel, node: ts.Node) -> Iterator[Finding]:
    data = model.data
    if node.type == "binary_expression":
        if not _stream_in_hex(node, data):
            yield from _check_cast(context, model, node.child_by_field_name("right"))
        return
    function = node.child_by_field_name("function")
    name = data[function.start_byte : function.end_byte] if function is not None else b""
    if name in (b"to_string", b"std::to_string"):
        arguments = node.child_by_field_name("arguments").named_children
        if len(arguments) == 1:
            yield from _check_cast(context, model, arguments[0])
        return
    yield from _check_format_call(context, model, node)


def _format_argument(call: ts.Node, document) -> tuple[int, list[Conversion]] | None:
    arguments = call.child_by_field_name("arguments").named_children
    for index, argument in enumerate(arguments):
        conversions = format_conversions(document, argument)
        if conversions is not None:
            return index, conversions
    return None


def _check_format_call(context: RuleContext, model: FileModel, call: ts.Node) -> Iterator[Finding]:
    document = context.document
    found = _format_argument(call, document)
    if found is None:
        return
    index, conversions = found
    values = call.child_by_field_name("arguments").named_children[index + 1 :]
    for conversion, value in zip(conversions, values, strict=False):
        if conversion.type not in ("d", "i", "u"):
            continue
        inner, cast_type = integer_cast_inner(value, model.data)
        if is_error_value(inner, model) and not _also_named(value, inner, model.data):
            fix = _fix(document, conversion, value, inner, cast_type)
            yield context.finding(Span(value.start_byte, value.end_byte), MESSAGE, fix=fix)


def _stream_in_hex(stream: ts.Node, data: bytes) -> bool:
    """``os << std::hex << (int)err`` prints hex: look left along the ``<<`` chain."""
    node = stream.child_by_field_name("left")
    while node is not None:
        operand = node.child_by_field_name("right") if node.type == "binary_expression" else node
        if operand is not None and data[operand.start_byte : operand.end_byte] in (
            b"std::hex",
            b"hex",
        ):
            return True
        node = node.child_by_field_name("left") if node.type == "binary_expression" else None
    return False


def _check_cast(context: RuleContext, model: FileModel, value: ts.Node) -> Iterator[Finding]:
    """``<< (int)err`` and ``std::to_string((int)err)``: an Error turned into a decimal."""
    inner, cast_type = integer_cast_inner(value, model.data)
    if (
        cast_type is not None
        and is_error_value(inner, model)
        and not _also_named(value, inner, model.data)
    ):
        yield context.finding(Span(value.start_byte, value.end_byte), MESSAGE)


_NAMED = re.compile(rb"(?<![\w:])(?:(?:::)?executorch::runtime::)?to_string\s*\(\s*")


def _also_named(value: ts.Node, inner: ts.Node, data: bytes) -> bool:
    """The same statement also prints the error's name (``to_string(err)``, not
    ``std::to_string``): the number is then not the only reading."""
    statement = value
    while statement.parent is not None and statement.type not in (
        "expression_statement",
        "declaration",
        "return_statement",
        "throw_statement",
    ):
        statement = statement.parent
    text = data[statement.start_byte : statement.end_byte]
    inner_text = re.escape(data[inner.start_byte : inner.end_byte])
    return re.search(_NAMED.pattern + inner_text + rb"\s*\)", text) is not None


def _fix(document, conversion: Conversion, value, inner, cast_type) -> Fix | None:
    if not conversion.plain or conversion.span is None:
        return None
    edits = [TextEdit(Span(*conversion.span), "0x%x")]
    if cast_type is None:
        edits.append(TextEdit(Span(inner.start_byte, inner.start_byte), "static_cast<unsigned>("))
        edits.append(TextEdit(Span(inner.end_byte, inner.end_byte), ")"))
    elif " ".join(document.text_of(cast_type).split()) in _SIGNED:
        edits.append(TextEdit(Span(cast_type.start_byte, cast_type.end_byte), "unsigned"))
    return Fix("Print the error in hex (0x%x)", tuple(edits))


RULE = Rule(
    code="ET105",
    name="error-code-printed-as-number",
    title="ExecuTorch Error printed as a decimal number",
    languages=frozenset({LanguageId.CPP}),
    severity=Severity.WARNING,
    fixable=True,
    docs=DOCS,
    check=check,
    incremental=True,
    anchors=(b"error()", b"Error", b"auto "),
    # The cheaper screen first (both must match).
    anchor_patterns=(_DECIMAL_PRINT_SCREEN, _ERROR_VALUE_SCREEN),
)

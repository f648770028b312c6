"""What to show when the pointer rests on something: LSP-free, so tests call it directly.

Answers, most specific first: a code inside a suppression comment; an ExecuTorch
``Error`` name or an integer used as an ``Error``; an error code or a runtime log message
quoted in a string or comment. Otherwise the note on an ExecuTorch API name (loads, the
thread pool, logging, see ``api_hover``), rules' own hovers and the documentation of any
finding under the pointer are shown together.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import tree_sitter as ts

from ..knowledge.error_codes import ErrorCode, by_name, by_value, render_markdown
from ..knowledge.explain import Mention, find_mentions
from ..knowledge.log_messages import log_message_at
from ..knowledge.log_messages import render_markdown as render_log_message
from ..knowledge.profiling import MEASURE
from .api_hover import api_hover, mentions_executorch
from .build_hover import build_hover
from .document import Document
from .export_hover import export_hover
from .findings import Finding, Span
from .languages import LanguageId
from .literal_text import literal_text
from .suppressions import find_suppressions
from .workspace import Workspace

# Macros whose argument at this index is a bare Error name.
_ERROR_NAME_ARGUMENT = {
    "ET_CHECK_OR_RETURN_ERROR": 1,
    "ET_KERNEL_CHECK": 2,
    "ET_KERNEL_CHECK_MSG": 2,
}
_ERROR_TYPE = re.compile(r"^(?:(?:::)?[\w:]*::)?Error$")
_ERROR_VALUE = re.compile(r"\bError::\w+|(?:\.|->)error\(\s*\)")
_INTEGER = re.compile(r"(0[xX][0-9a-fA-F]+|[1-9][0-9]*|0)[uUlL]*")


@dataclass(frozen=True)
class HoverResult:
    markdown: str
    span: Span


def hover_at(
    document: Document,
    offset: int,
    findings: Sequence[Finding] = (),
    workspace: Workspace | None = None,
) -> HoverResult | None:
    """With ``workspace``, members declared in the headers the file includes are known."""
    from ..docs import rule_hover_markdown
    from ..rules import ASSIGNED_CODES, rule_by_code, rules_for
    from ..rules.cpp.headers import header_fields

    for suppression in find_suppressions(document) if b"executorch-lsp:" in document.data else []:
        for entry in suppression.codes:
            if entry.span.contains(offset):
                rule = rule_by_code(entry.code)
                if rule is not None:
                    return HoverResult(rule_hover_markdown(rule), entry.span)
                name = ASSIGNED_CODES.get(entry.code)
                text = (
                    f"**{entry.code} {name}**: reserved, not implemented yet."
                    if name
                    else (f"`{entry.code}` is not an executorch-lsp rule code.")
                )
                return HoverResult(text, entry.span)
    node = document.tree.root_node.descendant_for_byte_range(offset, offset)
    sections: list[str] = []
    span: Span | None = None
    if node is not None:
        found = _error_hover(document, node, offset)
        if found is not None:
            return found
        fields = header_fields(workspace, document.path) if workspace is not None else None
        api = api_hover(document, node, fields) or export_hover(document, node)
        if api is not None:
            sections.append(api.markdown)
            span = api.span
        if document.language is LanguageId.CMAKE:
            build = build_hover(document, node, workspace)
            if build is not None:
                sections.append(build[0])
                span = build[1]
    for rule in rules_for(document.language):
        if rule.hover is not None and rule.applies_to(document.data):
            text = rule.hover(document, offset)
            if text:
                sections.append(text)
                span = span or (Span(node.start_byte, node.end_byte) if node is not None else None)
    for finding in findings:
        if finding.span.start <= offset <= finding.span.end:
            rule = rule_by_code(finding.code)
            if rule is not None:
                sections.append(rule_hover_markdown(rule))
                span = span or finding.span
    if not sections or span is None:
        return None
    return HoverResult("\n\n---\n\n".join(_measure_once(list(dict.fromkeys(sections)))), span)


def _measure_once(sections: list[str]) -> list[str]:
    """The profiling advice closes the hover once, even when several sections carry it
    (the thread-pool note and the ET101 finding on the same call)."""
    holders = [index for index, text in enumerate(sections) if MEASURE in text]
    return [
        text.replace(f"{MEASURE}\n\n", "", 1) if index in holders[:-1] else text
        for index, text in enumerate(sections)
    ]


def _error_hover(document: Document, node: ts.Node, offset: int) -> HoverResult | None:
    if document.language is LanguageId.CPP:
        code = _error_name_at(document, node)
        if code is not None:
            return HoverResult(render_markdown(code), Span(node.start_byte, node.end_byte))
        if node.type == "number_literal":
            return _integer_hover(document, node)
    if "string" in node.type or "comment" in node.type:
        return _mention_hover(document, node, offset) or _log_message_hover(document, node, offset)
    return None


def _text(document: Document, node: ts.Node | None) -> str:
    return document.text_of(node) if node is not None else ""


def _error_name_at(document: Document, node: ts.Node) -> ErrorCode | None:
    if node.type != "identifier":
        return None
    parent = node.parent
    if parent is not None and parent.type == "qualified_identifier":
        scope = parent.child_by_field_name("scope")
        if _text(document, scope) == "Error" and parent.child_by_field_name("name") == node:
            return by_name(_text(document, node))
        return None
    if parent is not None and parent.type == "argument_list":
        call = parent.parent
        macro = _text(document, call.child_by_field_name("function")) if call is not None else ""
        index = _ERROR_NAME_ARGUMENT.get(macro)
        arguments = parent.named_children
        if index is not None and index < len(arguments) and arguments[index] == node:
            return by_name(_text(document, node))
    return None


def _integer_hover(document: Document, node: ts.Node) -> HoverResult | None:
    literal = _text(document, node)
    match = _INTEGER.fullmatch(literal)
    if match is None or not _used_as_error(document, node):
        return None
    value = int(match.group(1), 0)
    code = by_value(value)
    span = Span(node.start_byte, node.end_byte)
    if code is None:
        return HoverResult(
            f"`{literal}` is used as an ExecuTorch `Error`, but no `Error` has "
            f"the value {value} (0x{value:x}).",
            span,
        )
    return HoverResult(render_markdown(code), span)


def _used_as_error(document: Document, literal: ts.Node) -> bool:
    """Compared with, cast to, returned as, or a switch case over an ``Error``."""
    node = literal
    while node.parent is not None and node.parent.type in ("parenthesized_expression",):
        node = node.parent
    parent = node.parent
    if parent is None:
        return False
    if parent.type == "binary_expression" and _text(
        document, parent.child_by_field_name("operator")
    ) in ("==", "!="):
        other = [
            c
            for c in (parent.child_by_field_name("left"), parent.child_by_field_name("right"))
            if c is not None and c != node
        ]
        return any(_ERROR_VALUE.search(_text(document, c)) for c in other)
    if parent.type == "cast_expression":
        return bool(_ERROR_TYPE.match(_text(document, parent.child_by_field_name("type")).strip()))
    if parent.type == "argument_list" and parent.parent is not None:
        function = parent.parent.child_by_field_name("function")
        name = _text(document, function).replace(" ", "")
        return bool(re.fullmatch(r"(?:static_cast<(?:[\w:]*::)?Error>|(?:[\w:]*::)?Error)", name))
    if parent.type == "case_statement":
        switch = parent.parent.parent if parent.parent is not None else None
        condition = switch.child_by_field_name("condition") if switch is not None else None
        return bool(_ERROR_VALUE.search(_text(document, condition)))
    if parent.type == "return_statement":
        function = parent.parent
        while function is not None and function.type not in (
            "function_definition",
            "lambda_expression",
        ):
            function = function.parent
        if function is None or function.type != "function_definition":
            return False
        return bool(
            _ERROR_TYPE.match(_text(document, function.child_by_field_name("type")).strip())
        )
    return False


def _mention_hover(document: Document, node: ts.Node, offset: int) -> HoverResult | None:
    text = _text(document, node)
    prefix_chars = len(document.data[node.start_byte : offset].decode("utf-8", "replace"))
    for mention in find_mentions(text):
        if mention.start <= prefix_chars <= mention.end:
            return HoverResult(_mention_markdown(mention), _mention_span(node, text, mention))
    return None


def _mention_span(node: ts.Node, text: str, mention: Mention) -> Span:
    start = node.start_byte + len(text[: mention.start].encode("utf-8"))
    end = node.start_byte + len(text[: mention.end].encode("utf-8"))
    return Span(start, end)


def _mention_markdown(mention: Mention) -> str:
    if len(mention.readings) == 1:
        return render_markdown(mention.readings[0].code)
    parts = ["**Ambiguous ExecuTorch error code**: which one depends on where it was printed."]
    for reading in mention.readings:
        parts.append(
            f"#### {reading.code.title}\n\n_{reading.label}_\n\n"
            f"{render_markdown(reading.code, heading=False)}"
        )
    return "\n\n".join(parts)


def _log_message_hover(document: Document, node: ts.Node, offset: int) -> HoverResult | None:
    """A runtime log message quoted in a string or comment of a file that uses ExecuTorch."""
    if not mentions_executorch(document):
        return None
    quoted = literal_text(document, node)
    if quoted is None:
        return None
    index = quoted.index_of(offset)
    found = log_message_at(quoted.text, index) if index is not None else None
    if found is None:
        return None
    span = Span(quoted.offset_of(found.start), quoted.offset_of(found.end, end=True))
    return HoverResult(render_log_message(found), span)

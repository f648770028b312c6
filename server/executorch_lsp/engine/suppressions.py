"""Suppression comments, in each language's own comment syntax.

// executorch-lsp: ignore[ET101]            this line (trailing) or the next (own line)
# executorch-lsp: ignore[ET201, ET202] -- reason
// executorch-lsp: file-ignore[ET101]       the whole file
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tree_sitter as ts

from .document import Document
from .findings import Span, TextEdit
from .languages import LanguageId

MARKER = b"executorch-lsp:"
_DIRECTIVE = re.compile(
    rb"executorch-lsp:[ \t]*(?P<kind>ignore|file-ignore)[ \t]*\[(?P<codes>[^\]\n]*)\]"
    rb"(?:[ \t]*--[ \t]*(?P<reason>[^\n]*))?"
)
_CODE = re.compile(rb"[A-Za-z0-9_-]+")
LINE_COMMENT = {
    LanguageId.CPP: "//",
    LanguageId.CMAKE: "#",
    LanguageId.STARLARK: "#",
    LanguageId.PYTHON: "#",
}


@dataclass
class SuppressedCode:
    code: str
    span: Span
    used: bool = False


@dataclass
class Suppression:
    file_wide: bool
    line: int  # the line the directive covers (ignored when file_wide)
    comment_line: int
    directive: Span  # from "executorch-lsp:" to the closing bracket
    codes_span: Span  # the text between the brackets
    codes: list[SuppressedCode] = field(default_factory=list)
    reason: str | None = None

    def covers(self, code: str, line: int) -> SuppressedCode | None:
        if not self.file_wide and line != self.line:
            return None
        return next((entry for entry in self.codes if entry.code == code), None)


# In a macro's value as tree-sitter-cpp keeps it: strings, characters and comments.
_MACRO_LEXEMES = re.compile(
    rb"""
      "(?:[^"\\\n]|\\.)*"
    | '(?:[^'\\\n]|\\.)*'
    | //
    | /\*.*?(?:\*/|$)
    """,
    re.VERBOSE | re.DOTALL,
)


def _in_comment(document: Document, offset: int) -> bool:
    node = document.tree.root_node.descendant_for_byte_range(offset, offset + 1)
    while node is not None:
        if "comment" in node.type:
            return True
        if node.type == "preproc_arg":
            return _in_macro_comment(document.data, node, offset)
        if node.type in ("string", "string_literal", "raw_string_literal", "string_content"):
            return False
        node = node.parent
    return False


def _in_macro_comment(data: bytes, value: ts.Node, offset: int) -> bool:
    """tree-sitter-cpp keeps the comment after a macro's value (``#define X 1  // ...``)
    inside the value: lex it to know whether ``offset`` is in a comment."""
    for lexeme in _MACRO_LEXEMES.finditer(data, value.start_byte, value.end_byte):
        if lexeme.start() > offset:
            return False
        if lexeme.group() == b"//":
            return True  # a line comment runs to the end of the value
        if offset < lexeme.end():
            return lexeme.group().startswith(b"/*")
    return False


def find_suppressions(document: Document) -> list[Suppression]:
    data = document.data
    if MARKER not in data:
        return []
    found = []
    for match in _DIRECTIVE.finditer(data):
        if not _in_comment(document, match.start()):
            continue
        buffer = document.buffer
        comment_line = buffer.line_of(match.start())
        line_prefix = data[buffer.line_start(comment_line) : match.start()]
        own_line = _is_own_line(line_prefix, LINE_COMMENT[document.language].encode())
        codes_start = match.start("codes")
        suppression = Suppression(
            file_wide=match.group("kind") == b"file-ignore",
            line=comment_line + 1 if own_line else comment_line,
            comment_line=comment_line,
            directive=Span(match.start(), match.end("codes") + 1),
            codes_span=Span(codes_start, match.end("codes")),
            reason=match.group("reason").decode("utf-8", "replace").strip()
            if match.group("reason")
            else None,
        )
        for code_match in _CODE.finditer(match.group("codes")):
            suppression.codes.append(
                SuppressedCode(
                    code=code_match.group(0).decode().upper(),
                    span=Span(codes_start + code_match.start(), codes_start + code_match.end()),
                )
            )
        found.append(suppression)
    return found


def _is_own_line(prefix: bytes, token: bytes) -> bool:
    """True when nothing but the comment opener precedes the directive on its line."""
    stripped = prefix.lstrip()
    return stripped.startswith(token) or (token == b"//" and stripped.startswith(b"/*"))


def removal_edit(document: Document, suppression: Suppression, entry: SuppressedCode) -> TextEdit:
    """Remove one code from a directive, or the whole comment when it is the only one."""
    codes = suppression.codes
    if len(codes) == 1:
        return _whole_comment_removal(document, suppression)
    # Only this code and one separator go: the other codes stay as written.
    index = next(i for i, e in enumerate(codes) if e is entry)
    if index + 1 < len(codes):
        return TextEdit(Span(entry.span.start, codes[index + 1].span.start), "")
    return TextEdit(Span(codes[index - 1].span.end, entry.span.end), "")


def _whole_comment_removal(document: Document, suppression: Suppression) -> TextEdit:
    buffer = document.buffer
    line = suppression.comment_line
    start, end = buffer.line_start(line), buffer.line_end(line)
    line_text = buffer.data[start:end]
    directive_start = suppression.directive.start - start
    comment_token = LINE_COMMENT[document.language].encode()
    token_at = line_text.rfind(comment_token, 0, directive_start)
    if token_at < 0:
        return TextEdit(suppression.directive, "")
    before = line_text[:token_at]
    after = line_text[suppression.directive.end - start :]
    if after.strip():
        return TextEdit(suppression.directive, "")
    if before.strip():
        return TextEdit(Span(start + len(before.rstrip()), end), "")
    next_start = buffer.line_start(line + 1)
    return TextEdit(Span(start, next_start if next_start > end else end), "")


def disable_edit(document: Document, line: int, code: str) -> TextEdit | None:
    """The edit that suppresses ``code`` on ``line``, merged into an existing directive."""
    for suppression in find_suppressions(document):
        if suppression.file_wide or suppression.line != line:
            continue
        if any(entry.code == code for entry in suppression.codes):
            return None
        codes = sorted({*(entry.code for entry in suppression.codes), code})
        return TextEdit(suppression.codes_span, ", ".join(codes))
    buffer = document.buffer
    end = buffer.line_end(line)
    line_text = buffer.line_bytes(line)
    if line_text.rstrip().endswith(b"\\") or _inside_string(document, end):
        return None
    token = LINE_COMMENT[document.language]
    return TextEdit(Span(end, end), f"  {token} executorch-lsp: ignore[{code}]")


def _inside_string(document: Document, offset: int) -> bool:
    """True when a string or block comment continues past ``offset``."""
    node = document.tree.root_node.descendant_for_byte_range(max(0, offset - 1), offset)
    while node is not None:
        if ("string" in node.type or "comment" in node.type) and node.end_byte > offset:
            return True
        node = node.parent
    return False

"""printf-style format strings in C++ calls: which argument each conversion consumes."""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter as ts

from ...engine.document import Document

_CONVERSION = re.compile(
    r"%(?P<flags>[-+ #0']*)(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?"
    r"(?P<length>hh|h|ll|l|j|z|t|L|q)?(?P<type>[diouxXeEfFgGaAcspn%])"
)
# <inttypes.h> and ExecuTorch format macros, by the conversion they expand to.
_FORMAT_MACRO = re.compile(
    r"^(?:PRI(?P<type>[diouxX])(?:8|16|32|64|PTR|MAX|LEAST\d+|FAST\d+)"
    r"|ET_PRI(?P<et>s?size_t))$"
)


@dataclass(frozen=True)
class Conversion:
    type: str  # d, i, u, x, s, ... ("*" for a star width or precision)
    plain: bool  # a simple %d / %i / %u written in one string literal (fixable)
    span: tuple[int, int] | None  # byte span of the conversion in the document, when plain


def _piece_conversions(document: Document, piece: ts.Node) -> list[Conversion]:
    text = document.text_of(piece)
    if not text.startswith(('"', 'u8"', 'L"', 'u"', 'U"')):
        match = _FORMAT_MACRO.match(text)
        if match is None:
            return []
        kind = match.group("type") or ("u" if match.group("et") == "size_t" else "d")
        return [Conversion(kind, False, None)]
    found = []
    raw = document.data[piece.start_byte : piece.end_byte]
    for match in _CONVERSION.finditer(text):
        if match.group("type") == "%":
            continue
        for star in (match.group("width"), match.group("precision")):
            if star == "*":
                found.append(Conversion("*", False, None))
        simple = match.group(0) in ("%d", "%i", "%u")
        start = piece.start_byte + len(text[: match.start()].encode())
        span = (start, start + len(match.group(0))) if simple and raw.isascii() else None
        found.append(Conversion(match.group("type"), simple and span is not None, span))
    return found


def format_conversions(document: Document, node: ts.Node) -> list[Conversion] | None:
    """Conversions of a string literal or a concatenation (None if ``node`` is neither)."""
    if node.type == "string_literal":
        return _piece_conversions(document, node)
    if node.type == "concatenated_string":
        conversions: list[Conversion] = []
        for piece in node.named_children:
            conversions.extend(_piece_conversions(document, piece))
        return conversions
    return None

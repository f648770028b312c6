"""The text a string literal or comment spells, with a way back to document offsets.

Adjacent literals are joined (``"Missing operator: [%" PRIu32 "] %s"`` reads as one
message); format macros between them add nothing. Works on the C++ and Python trees.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from .document import Document

_STRING_PARTS = frozenset(
    {"string_literal", "raw_string_literal", "concatenated_string", "string", "string_content"}
)
_PIECES = frozenset({"string_content", "raw_string_content", "escape_sequence"})


@dataclass(frozen=True)
class _Piece:
    start_byte: int
    text: str
    start_index: int  # where ``text`` starts in the joined text


class LiteralText:
    def __init__(self, document: Document, pieces: list[tuple[int, str]]) -> None:
        self.document = document
        self.pieces: list[_Piece] = []
        index = 0
        for start_byte, text in pieces:
            self.pieces.append(_Piece(start_byte, text, index))
            index += len(text)
        self.text = "".join(text for _, text in pieces)

    def index_of(self, offset: int) -> int | None:
        """The character index of a byte offset inside one of the pieces."""
        data = self.document.data
        for piece in self.pieces:
            end_byte = piece.start_byte + len(piece.text.encode("utf-8"))
            if piece.start_byte <= offset <= end_byte:
                prefix = data[piece.start_byte : offset].decode("utf-8", "replace")
                return piece.start_index + len(prefix)
        return None

    def offset_of(self, index: int, end: bool = False) -> int:
        """The byte offset of a character index. An ``end`` index on the border of two
        pieces stays at the end of the first (before the closing quote)."""
        for piece in reversed(self.pieces):
            if piece.start_index < index or (piece.start_index == index and not end):
                inside = piece.text[: index - piece.start_index]
                return piece.start_byte + len(inside.encode("utf-8"))
        return self.pieces[0].start_byte if self.pieces else 0


def literal_text(document: Document, node: ts.Node) -> LiteralText | None:
    """The text of the comment or of the whole (possibly concatenated) string at ``node``."""
    if "comment" in node.type:
        return LiteralText(document, [(node.start_byte, document.text_of(node))])
    if node.type not in _STRING_PARTS and node.type not in _PIECES:
        return None
    root = node
    while root.parent is not None and root.parent.type in _STRING_PARTS:
        root = root.parent
    return LiteralText(document, list(_pieces(document, root)))


def _pieces(document: Document, root: ts.Node) -> Iterator[tuple[int, str]]:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in _PIECES:
            yield node.start_byte, document.text_of(node)
        elif not _is_format_macro(document, node):
            stack.extend(reversed(node.children))


def _is_format_macro(document: Document, node: ts.Node) -> bool:
    """``PRIu32`` between literals: the parser sees it as a string literal (see grammars)."""
    if node.type != "string_literal":
        return False
    return b'"' not in document.data[node.start_byte : node.end_byte]

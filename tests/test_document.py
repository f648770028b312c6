"""Documents: incremental edits give the same text and tree as parsing from scratch."""

from __future__ import annotations

import random

import pytest

from executorch_lsp.engine.document import Document
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.engine.text import PositionEncoding, TextBuffer

SOURCE = """#include <executorch/runtime/core/error.h>
ET_NODISCARD Error load(Module& m) {
  ET_UNUSED int x = 0;  // é
  return m.load();
}
"""
PIECES = [
    "x",
    "ET_NODISCARD ",
    "{",
    "}",
    "\n",
    "é",
    "😀",
    "ET_",
    "UNUSED",
    '"',
    "",
    "  ",
    "\r",
    "\r\n",
]


@pytest.mark.parametrize("seed", range(20))
def test_random_edits_match_a_fresh_parse(seed: int) -> None:
    rng = random.Random(seed)
    document = Document.from_text("a.cpp", LanguageId.CPP, SOURCE)
    text = SOURCE
    _ = document.tree
    for _ in range(30):
        buffer = TextBuffer.from_text(text)
        start = _outside_line_breaks(text, rng.randrange(len(text) + 1))
        end = _outside_line_breaks(text, min(len(text), start + rng.randrange(4)))
        new = rng.choice(PIECES)
        start_pos = buffer.position_at(len(text[:start].encode()), PositionEncoding.UTF16)
        end_pos = buffer.position_at(len(text[:end].encode()), PositionEncoding.UTF16)
        document.edit(start_pos, end_pos, new, PositionEncoding.UTF16)
        text = text[:start] + new + text[end:]
        if rng.random() < 0.3:
            _ = document.tree  # parse between some edits, not all
    fresh = Document.from_text("a.cpp", LanguageId.CPP, text)
    assert document.data == text.encode()
    assert str(document.tree.root_node) == str(fresh.tree.root_node)
    assert _points(document.tree.root_node) == _points(fresh.tree.root_node)
    data = text.encode()
    for offset in range(len(data) + 1):
        expected = fresh.buffer.position_at(offset, PositionEncoding.UTF16)
        assert document.buffer.position_at(offset, PositionEncoding.UTF16) == expected


def _outside_line_breaks(text: str, index: int) -> int:
    """No editor position lies between the "\r" and "\n" of one line break."""
    return index - 1 if text[index - 1 : index + 1] == "\r\n" else index


def _points(node) -> list[tuple]:
    found = [(node.type, node.start_point, node.end_point)]
    for child in node.children:
        found.extend(_points(child))
    return found


def test_attribute_macros_are_blanked_for_the_parser_only() -> None:
    document = Document.from_text("a.cpp", LanguageId.CPP, SOURCE)
    assert not document.tree.root_node.has_error
    assert document.data == SOURCE.encode()


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [(PositionEncoding.UTF16, 7), (PositionEncoding.UTF8, 10), (PositionEncoding.UTF32, 6)],
)
def test_positions_in_each_encoding(encoding: PositionEncoding, expected: int) -> None:
    buffer = TextBuffer.from_text("a\n/*é😀*/x\n")
    offset = "a\n/*é😀*/".encode().index(b"*/") + 2
    assert buffer.position_at(offset, encoding) == (1, expected)
    assert buffer.offset_at(1, expected, encoding) == offset


def test_positions_past_the_end_are_clamped() -> None:
    buffer = TextBuffer.from_text("ab\ncd")
    assert buffer.offset_at(7, 0, PositionEncoding.UTF16) == 5
    assert buffer.offset_at(0, 99, PositionEncoding.UTF16) == 2


def test_a_lone_carriage_return_ends_an_editor_line_but_not_a_tree_sitter_row() -> None:
    buffer = TextBuffer(b"a\rb\r\nc\nd")
    offsets = {name: b"a\rb\r\nc\nd".index(name.encode()) for name in "abcd"}
    assert [buffer.position_at(offsets[n], PositionEncoding.UTF16) for n in "abcd"] == [
        (0, 0),
        (1, 0),
        (2, 0),
        (3, 0),
    ]
    assert buffer.line_bytes(1) == b"b"  # without its "\r\n"
    assert buffer.offset_at(1, 5, PositionEncoding.UTF16) == offsets["b"] + 1
    assert buffer.point_at(offsets["b"]) == (0, 2)  # tree-sitter counts only "\n"
    assert buffer.point_at(offsets["d"]) == (2, 0)


def test_a_document_with_lone_carriage_returns_reports_editor_lines() -> None:
    document = Document.from_text("a.cpp", LanguageId.CPP, "int a;\rint b;\r")
    declaration = document.tree.root_node.children[1]
    assert declaration.start_point == (0, 7)
    start = document.buffer.position_at(declaration.start_byte, PositionEncoding.UTF16)
    assert start == (1, 0)


def test_few_lookups_agree_with_the_line_table() -> None:
    data = "x\n\nyé\n  z😀 w\n".encode()
    for offset in range(len(data) + 1):
        unindexed = TextBuffer(data)
        indexed = TextBuffer(data)
        indexed.line_start(0)  # builds the table
        for encoding in PositionEncoding:
            assert unindexed.position_at(offset, encoding) == indexed.position_at(offset, encoding)

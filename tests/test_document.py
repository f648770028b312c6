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
PIECES = ["x", "ET_NODISCARD ", "{", "}", "\n", "é", "😀", "ET_", "UNUSED", '"', "", "  "]


@pytest.mark.parametrize("seed", range(20))
def test_random_edits_match_a_fresh_parse(seed: int) -> None:
    rng = random.Random(seed)
    document = Document.from_text("a.cpp", LanguageId.CPP, SOURCE)
    text = SOURCE
    _ = document.tree
    for _ in range(30):
        buffer = TextBuffer.from_text(text)
        start = rng.randrange(len(text) + 1)
        end = min(len(text), start + rng.randrange(4))
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

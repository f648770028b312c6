"""Text screens: literal-led patterns with word starts checked on the match."""

from __future__ import annotations

import re

import pytest

from executorch_lsp.rules.screens import AnyOf, literal_prefix


@pytest.mark.parametrize(
    ("pattern", "prefix"),
    [
        (rb"Result\s*<", b"Result"),
        (rb"ET_PRIs?size_t", b"ET_PRI"),  # "s" may be missing
        (rb"ab{2}", b"a"),
        (rb"a\.b\(", b"a.b("),
        (rb"\*[\s(]*name", b"*"),
        (rb"a|b", b""),  # alternation: no common start
        (rb"ab(?:c|d)", b"ab"),
        (rb"a[|]b", b"a"),
        (rb"(?:\.|->)error", b""),
        (rb"(?m)^x", b""),
    ],
)
def test_literal_prefix(pattern: bytes, prefix: bytes) -> None:
    assert literal_prefix(pattern) == prefix


@pytest.mark.parametrize(
    "pattern",
    [rb"Result\s*<", rb"ET_PRIs?size_t", rb"ab{2}", rb"a|b", rb"ab(?:c|d)", rb"a[|]b"],
)
def test_every_match_starts_with_the_prefix(pattern: bytes) -> None:
    text = b"x Result <int> ET_PRIsize_t ET_PRIssize_t abb b abd a|b"
    prefix = literal_prefix(pattern)
    assert all(m.group(0).startswith(prefix) for m in re.finditer(pattern, text))


def test_a_leading_word_boundary_is_checked_on_the_match() -> None:
    screen = AnyOf(rb"\bError\s+\w+\s*=")
    assert screen.search(b"MyError e = f();") is None
    assert screen.search(b"MyError e = f(); Error x = g();").start() == 17
    assert screen.search(b"Error x = g();").start() == 0


def test_finditer_merges_patterns_in_text_order() -> None:
    screen = AnyOf(rb"\bbeta\b", rb"alpha")
    text = b"beta alpha xbeta beta"
    assert [m.start() for m in screen.finditer(text)] == [0, 5, 17]


def test_search_respects_the_range() -> None:
    screen = AnyOf(rb"needle")
    text = b"needle hay needle"
    assert screen.search(text, 1).start() == 11
    assert screen.search(text, 1, 10) is None

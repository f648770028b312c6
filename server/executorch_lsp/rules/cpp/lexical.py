"""Where C++ comments and literals are, from the text alone (no parse).

Rules whose candidates are found by a text search use this to drop candidates inside
comments, strings and ``#include <...>`` names without building a syntax tree. It
lexes from a position known to be code (the file start, a function start) to the end
of the range asked for.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from ..screens import WORD_BYTES

# Each alternative starts with one of / R " ' # so that the regex engine can skip
# ahead to those characters.
_LEXEMES = re.compile(
    rb"""
      /(?:/(?:[^\\\n]|\\(?:\r?\n|[^\n]))*|\*.*?(?:\*/|\Z))
    | R"(?P<delimiter>[^()\\\s"]{0,16})\(.*?\)(?P=delimiter)"
    | "(?:[^"\\\n]|\\.|\\\n)*"
    | '(?:[^'\\\n]|\\.){1,8}'
    | \#[ \t]*include[ \t]*<[^>\n]*>
    """,
    re.VERBOSE | re.DOTALL,
)
_CHARACTER_PREFIXES = (b"u8", b"u", b"U", b"L")


class LiteralSpans:
    """The comments and literals of ``data[start:end]``, for ``covers(offset)``."""

    def __init__(self, data: bytes, start: int = 0, end: int | None = None) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        end = len(data) if end is None else end
        position = start
        while True:
            match = _LEXEMES.search(data, position, end)
            if match is None:
                break
            if _is_raw_string_tail(data, match) or _is_digit_separator(data, match):
                position = match.start() + 1
                continue
            self._starts.append(_literal_start(data, match))
            self._ends.append(match.end())
            position = match.end()

    def covers(self, offset: int) -> bool:
        index = bisect_right(self._starts, offset) - 1
        return index >= 0 and offset < self._ends[index]


def _literal_start(data: bytes, match: re.Match[bytes]) -> int:
    """Where the literal starts, with its encoding prefix (``u8"``, ``LR"``); an include's
    name starts at its ``<``."""
    start = match.start()
    first = data[start : start + 1]
    if first == b"#":
        return data.index(b"<", start)
    if first in (b'"', b"'", b"R"):
        prefix = _identifier_before(data, start)
        if prefix in _CHARACTER_PREFIXES:
            return start - len(prefix)
    return start


def _is_raw_string_tail(data: bytes, match: re.Match[bytes]) -> bool:
    """``R"`` inside an identifier (``FOOR"x"`` is ``FOOR`` then a string)."""
    start = match.start()
    if data[start : start + 1] != b"R" or start == 0:
        return False
    before = _identifier_before(data, start)
    return before not in (b"", b"u8", b"u", b"U", b"L")


def _is_digit_separator(data: bytes, match: re.Match[bytes]) -> bool:
    """``1'000'000``: the quote follows a number, not a character-literal prefix."""
    start = match.start()
    if data[start : start + 1] != b"'" or start == 0:
        return False
    before = _identifier_before(data, start)
    return before != b"" and before not in _CHARACTER_PREFIXES


def _identifier_before(data: bytes, offset: int) -> bytes:
    index = offset
    while index > 0 and data[index - 1] in WORD_BYTES:
        index -= 1
    return data[index:offset]


# How far to look for the bracket that closes a call's arguments or template arguments.
_MAX_ARGUMENTS_BYTES = 4096


def arguments_end(
    data: bytes, after_open: int, end: int | None = None, brackets: bytes = b"()"
) -> int | None:
    """The offset just after the bracket that closes the one before ``after_open``
    (``()``, or ``<>`` for template arguments); None when it is not found nearby
    (callers must then assume the worst). Brackets in literals are counted too: good
    enough for a screen, never for a finding."""
    end = len(data) if end is None else end
    opening, closing = brackets
    depth, index, limit = 1, after_open, min(end, after_open + _MAX_ARGUMENTS_BYTES)
    while depth and index < limit:
        byte = data[index]
        depth += (byte == opening) - (byte == closing)
        index += 1
    return index if depth == 0 else None


_BLANKS = frozenset(b" \t\n\r")
_NESTING = {0x28: 1, 0x5B: 1, 0x7B: 1, 0x29: -1, 0x5D: -1, 0x7D: -1}  # ( [ { ) ] }


def argument_count(data: bytes, after_open: int, literals: LiteralSpans) -> int | None:
    """How many arguments the call whose ``(`` ends at ``after_open`` passes; None when
    the text cannot tell (no closing parenthesis nearby, or a ``<`` that may open
    template arguments with commas of their own)."""
    end = arguments_end(data, after_open)
    if end is None:
        return None
    depth, commas, seen = 0, 0, False
    for index in range(after_open, end - 1):
        byte = data[index]
        if byte in _BLANKS:
            continue
        seen = True  # a literal (or a comment) counts as an argument's text
        if literals.covers(index):
            continue
        if byte == 0x3C:  # <
            return None
        depth += _NESTING.get(byte, 0)
        commas += byte == 0x2C and depth == 0  # ,
    return commas + 1 if seen else 0

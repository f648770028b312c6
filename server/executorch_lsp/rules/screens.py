"""Fast text screens: whether a file may hold a rule's candidates at all.

Python's regex engine skips ahead quickly only when a pattern opens with a literal; an
alternation, or a leading ``\\b``, makes it try every position (10x slower on large
files). ``AnyOf`` keeps one pattern per alternative and checks a leading ``\\b`` on the
matches instead.
"""

from __future__ import annotations

import re
from typing import Protocol

# What a regex \b counts as part of a word in bytes: ASCII letters, digits and _.
WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_WORD_START = rb"\b"


class TextScreen(Protocol):
    """What a rule's screen needs: a compiled pattern, or anything searching like one."""

    def search(self, data: bytes, pos: int = ..., endpos: int = ..., /) -> object | None: ...


class AnyOf:
    """Matches where one of its patterns does (the first pattern that matches wins)."""

    def __init__(self, *patterns: bytes) -> None:
        self._patterns = tuple(
            (
                re.compile(pattern.removeprefix(_WORD_START)),
                pattern.startswith(_WORD_START),
                literal_prefix(pattern.removeprefix(_WORD_START)),
            )
            for pattern in patterns
        )

    def search(self, data: bytes, pos: int = 0, endpos: int | None = None) -> re.Match | None:
        end = len(data) if endpos is None else endpos
        for pattern, word_start, prefix in self._patterns:
            if prefix and data.find(prefix, pos, end) < 0:
                continue  # bytes.find is several times faster than the regex engine's scan
            for match in pattern.finditer(data, pos, end):
                if not word_start or not continues_word(data, match.start()):
                    return match
                # A longer word (``MyError x``): look further on.
        return None

    def finditer(self, data: bytes, pos: int = 0, endpos: int | None = None) -> list[re.Match]:
        """Every match of every pattern, in text order."""
        end = len(data) if endpos is None else endpos
        found = [
            match
            for pattern, word_start, prefix in self._patterns
            if not prefix or data.find(prefix, pos, end) >= 0
            for match in pattern.finditer(data, pos, end)
            if not word_start or not continues_word(data, match.start())
        ]
        return sorted(found, key=lambda match: match.start())


def continues_word(data: bytes, start: int) -> bool:
    """Whether a word character stands right before ``start``."""
    return start > 0 and data[start - 1] in WORD_BYTES


_QUANTIFIERS = frozenset(b"*+?{")
_SPECIAL = frozenset(b"\\.^$*+?{}[]|()")


def literal_prefix(pattern: bytes) -> bytes:
    """The text every match of ``pattern`` starts with (b"" when there is none)."""
    if _has_top_level_alternation(pattern):
        return b""
    prefix = bytearray()
    index = 0
    while index < len(pattern):
        byte = pattern[index]
        step = 1
        if byte == ord("\\"):
            if index + 1 >= len(pattern) or chr(pattern[index + 1]).isalnum():
                break  # \w, \s, \b, ...: not a literal
            byte, step = pattern[index + 1], 2
        elif byte in _SPECIAL:
            break
        if index + step < len(pattern) and pattern[index + step] in _QUANTIFIERS:
            break  # the character may repeat or be missing
        prefix.append(byte)
        index += step
    return bytes(prefix)


def _has_top_level_alternation(pattern: bytes) -> bool:
    depth, index, in_class = 0, 0, False
    while index < len(pattern):
        byte = pattern[index]
        if byte == ord("\\"):
            index += 2
            continue
        if in_class:
            in_class = byte != ord("]")
        elif byte == ord("["):
            in_class = True
        elif byte == ord("("):
            depth += 1
        elif byte == ord(")"):
            depth -= 1
        elif byte == ord("|") and depth == 0:
            return True
        index += 1
    return False

"""Fast text screens: whether a file may hold a rule's candidates at all.

Python's regex engine skips ahead quickly only when a pattern opens with a literal; an
alternation, or a leading ``\\b``, makes it try every position (10x slower on large
files). ``AnyOf`` keeps one pattern per alternative and checks a leading ``\\b`` on the
matches instead.
"""

from __future__ import annotations

import re
from typing import Protocol

_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_WORD_START = rb"\b"


class TextScreen(Protocol):
    """What a rule's screen needs: a compiled pattern, or anything searching like one."""

    def search(self, data: bytes, pos: int = ..., endpos: int = ..., /) -> object | None: ...


class AnyOf:
    """Matches where one of its patterns does (the first pattern that matches wins)."""

    def __init__(self, *patterns: bytes) -> None:
        self._patterns = tuple(
            (re.compile(pattern.removeprefix(_WORD_START)), pattern.startswith(_WORD_START))
            for pattern in patterns
        )

    def search(self, data: bytes, pos: int = 0, endpos: int | None = None) -> re.Match | None:
        end = len(data) if endpos is None else endpos
        for pattern, word_start in self._patterns:
            for match in pattern.finditer(data, pos, end):
                start = match.start()
                if not word_start or start == 0 or data[start - 1] not in _WORD_BYTES:
                    return match
                # A longer word (``MyError x``): look further on.
        return None

    def finditer(self, data: bytes, pos: int = 0, endpos: int | None = None) -> list[re.Match]:
        """Every match of every pattern, in text order."""
        end = len(data) if endpos is None else endpos
        found = [
            match
            for pattern, word_start in self._patterns
            for match in pattern.finditer(data, pos, end)
            if not word_start or match.start() == 0 or data[match.start() - 1] not in _WORD_BYTES
        ]
        return sorted(found, key=lambda match: match.start())

"""Whether a file may read a Result's value at all, from its text (ET104's second screen).

ET104 reports ``*r``, ``r->`` and ``r.get()`` on a Result, and the same on a call's
temporary Result. Most files that declare Results only check them, so they need no
parse. The test over-approximates: a file passes when

- a Result-returning call is followed by ``->`` or ``.get``, or has a ``*`` earlier in
  its statement (a temporary may be read), or
- a name that may hold a Result (declared ``Result<T> name``, or assigned in the
  statement of a Result-returning call) is anywhere followed by ``->`` or ``.get``, or
  preceded by ``*``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..screens import WORD_BYTES, AnyOf, continues_word
from .lexical import arguments_end

# How far back a call's statement is searched for the name it initialises. The text
# since the previous ``;`` is taken (braces in it only add names: over-approximation).
_MAX_STATEMENT_BYTES = 2048
_READ_AFTER = re.compile(rb"[\s)]*(?:->|\.\s*get\b)")
_NAME_BEFORE_VALUE = re.compile(rb"(\w+)\s*[=({]")
# What follows ``Result<T>``: qualifiers and the declared name (``const& name``).
_DECLARED_WORDS = re.compile(rb"[\s&*]*\w[\w\s&*]*")


class ResultReadScreen:
    """A screen (``search``) for files that may read a Result's value."""

    def __init__(self, calls: AnyOf, result_type: AnyOf) -> None:
        self._calls = calls
        self._result_type = result_type

    def search(self, data: bytes, pos: int = 0, endpos: int | None = None) -> bool | None:
        end = len(data) if endpos is None else endpos
        names: set[bytes] = set()
        for match in self._calls.finditer(data, pos, end):
            statement = data[_statement_start(data, match.start(), pos) : match.start()]
            if b"*" in statement or _temporary_read(data, match.end(), end):
                return True
            names.update(_NAME_BEFORE_VALUE.findall(statement))
        for match in self._result_type.finditer(data, pos, end):
            declared = _declared_after(data, match.end(), end)
            if declared is None:
                return True
            names.update(declared)
        return True if any(_read(data, name, pos, end) for name in names) else None


def _statement_start(data: bytes, offset: int, floor: int) -> int:
    floor = max(floor, offset - _MAX_STATEMENT_BYTES)
    return max(floor, data.rfind(b";", floor, offset) + 1)


def _temporary_read(data: bytes, after_open: int, end: int) -> bool:
    """Whether the call's closing parenthesis is followed by ``->`` or ``.get`` (or the
    parenthesis is not found nearby, which cannot rule it out)."""
    index = arguments_end(data, after_open, end)
    return index is None or _READ_AFTER.match(data, index, end) is not None


def _declared_after(data: bytes, type_open: int, end: int) -> list[bytes] | None:
    """The words after ``Result<T>`` (qualifiers and the name), after nested template
    arguments; None when these do not close nearby or no word follows."""
    index = arguments_end(data, type_open, end, brackets=b"<>")
    words = _DECLARED_WORDS.match(data, index, end) if index is not None else None
    return re.findall(rb"\w+", words.group(0)) if words is not None else None


def _read(data: bytes, name: bytes, pos: int, end: int) -> bool:
    after, before = _read_patterns(name)
    for match in after.finditer(data, pos, end):
        start = match.start()
        if not continues_word(data, start):
            return True
    for match in before.finditer(data, pos, end):
        stop = match.end()
        if stop >= len(data) or data[stop] not in WORD_BYTES:
            return True
    return False


@lru_cache(maxsize=256)
def _read_patterns(name: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    escaped = re.escape(name)
    return (
        re.compile(escaped + rb"[\s)]*(?:->|\.\s*get\b)"),
        re.compile(rb"\*[\s(]*" + escaped),
    )

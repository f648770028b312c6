"""A UTF-8 text buffer with a line table and position conversion.

The engine works in byte offsets (tree-sitter's unit). Editors speak in
(line, character) where a character is a UTF-8, UTF-16 or UTF-32 code unit,
depending on the negotiated position encoding. Lines of pure ASCII take a fast
path, so conversion is O(1) for the common case.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from enum import Enum
from itertools import accumulate


class PositionEncoding(str, Enum):
    UTF8 = "utf-8"
    UTF16 = "utf-16"
    UTF32 = "utf-32"


@dataclass(frozen=True)
class ByteEdit:
    """One edit in the shape tree-sitter's ``Tree.edit`` wants."""

    start_byte: int
    old_end_byte: int
    new_end_byte: int
    start_point: tuple[int, int]
    old_end_point: tuple[int, int]
    new_end_point: tuple[int, int]


# What ends a line for an editor (LSP): "\n", "\r\n" and a lone "\r".
_LINE_BREAK = re.compile(rb"\r\n?|\n")
# Lookups of a line without a line table before building one pays off.
_UNINDEXED_LOOKUPS = 16


def has_lone_cr(data: bytes) -> bool:
    """Whether a "\r" that is not part of "\r\n" ends a line."""
    count = data.count(b"\r")
    return bool(count) and count != data.count(b"\r\n")


def _line_starts(data: bytes, lone_cr: bool) -> list[int]:
    if not lone_cr:
        # One split in C and a running sum: twice as fast as a find() per line.
        return [0, *accumulate(len(line) + 1 for line in data.split(b"\n")[:-1])]
    return [0, *(match.end() for match in _LINE_BREAK.finditer(data))]


def _row_and_start(data: bytes, offset: int) -> tuple[int, int]:
    """The "\n"-separated row of ``offset`` and where it starts, counted in C."""
    return data.count(b"\n", 0, offset), data.rfind(b"\n", 0, offset) + 1


def _units(text: str, encoding: PositionEncoding) -> int:
    if encoding is PositionEncoding.UTF32:
        return len(text)
    if encoding is PositionEncoding.UTF8:
        return len(text.encode("utf-8"))
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class TextBuffer:
    """Document bytes plus the byte offset at which every line starts.

    Lines are an editor's (LSP's): "\n", "\r\n" and a lone "\r" end one. Tree-sitter
    counts only "\n"; ``point_at`` gives its points.
    """

    __slots__ = ("_data", "_lone_cr", "_lookups", "_starts")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._starts: list[int] | None = None  # built on first use: most files never need it
        self._lone_cr: bool | None = None  # whether editor lines differ from tree-sitter rows
        self._lookups = 0  # line lookups answered without the table

    @property
    def _line_starts(self) -> list[int]:
        if self._starts is None:
            self._lone_cr = has_lone_cr(self._data)
            self._starts = _line_starts(self._data, self._lone_cr)
        return self._starts

    @classmethod
    def from_text(cls, text: str) -> TextBuffer:
        return cls(text.encode("utf-8", "surrogatepass"))

    @property
    def data(self) -> bytes:
        return self._data

    def text(self, start: int = 0, end: int | None = None) -> str:
        return self._data[start:end].decode("utf-8", "replace")

    def line_start(self, line: int) -> int:
        if line < 0:
            return 0
        if line >= len(self._line_starts):
            return len(self._data)
        return self._line_starts[line]

    def line_end(self, line: int) -> int:
        """Offset of the end of ``line``, excluding its line break."""
        starts = self._line_starts
        if line + 1 >= len(starts):
            return len(self._data)
        end = starts[line + 1] - 1
        if self._data[end] == 0x0A and end > starts[line] and self._data[end - 1] == 0x0D:
            end -= 1
        return end

    def line_bytes(self, line: int) -> bytes:
        return self._data[self.line_start(line) : self.line_end(line)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset) - 1

    def point_at(self, offset: int) -> tuple[int, int]:
        """(row, byte column) as tree-sitter counts them: only "\n" ends a row."""
        if self._starts is not None and not self._lone_cr:
            row = bisect.bisect_right(self._starts, offset) - 1
            return row, offset - self._starts[row]
        row, start = _row_and_start(self._data, offset)
        return row, offset - start

    def offset_at(self, line: int, character: int, encoding: PositionEncoding) -> int:
        """Byte offset of an editor position; out-of-range positions are clamped."""
        if line >= len(self._line_starts):
            return len(self._data)
        start = self.line_start(line)
        raw = self._data[start : self.line_end(line)]
        if raw.isascii() or encoding is PositionEncoding.UTF8:
            return start + max(0, min(character, len(raw)))
        text = raw.decode("utf-8", "replace")
        units = 0
        for index, ch in enumerate(text):
            if units >= character:
                return start + len(text[:index].encode("utf-8"))
            units += _units(ch, encoding)
        return start + len(raw)

    def position_at(self, offset: int, encoding: PositionEncoding) -> tuple[int, int]:
        """Editor (line, character) of a byte offset."""
        data = self._data
        offset = max(0, min(offset, len(data)))
        line, start = self._line_and_start(offset)
        prefix = data[start:offset]
        if prefix.isascii() or encoding is PositionEncoding.UTF8:
            return line, len(prefix)
        return line, _units(prefix.decode("utf-8", "replace"), encoding)

    def _line_and_start(self, offset: int) -> tuple[int, int]:
        """A few lookups (a report of one finding) count line breaks in C instead of
        building the whole table."""
        if self._starts is None and self._lookups < _UNINDEXED_LOOKUPS and b"\r" not in self._data:
            self._lookups += 1
            return _row_and_start(self._data, offset)
        line = self.line_of(offset)
        return line, self._line_starts[line]

    def replace(
        self,
        start_line: int,
        start_char: int,
        end_line: int,
        end_char: int,
        text: str,
        encoding: PositionEncoding,
    ) -> ByteEdit:
        """Apply one editor change and return the edit for ``Tree.edit``."""
        start = self.offset_at(start_line, start_char, encoding)
        end = max(start, self.offset_at(end_line, end_char, encoding))
        return self.replace_bytes(start, end, text.encode("utf-8", "surrogatepass"))

    def replace_bytes(self, start: int, end: int, new: bytes) -> ByteEdit:
        start_point = self.point_at(start)
        old_end_point = self.point_at(end)
        # The table stays valid, shifted, when the edit leaves the line breaks as they are.
        starts = self._starts if self._keeps_line_breaks(start, end, new) else None
        first_after = self.line_of(start) + 1 if starts is not None else 0
        self._data = self._data[:start] + new + self._data[end:]
        delta = len(new) - (end - start)
        if starts is None:
            self._starts, self._lone_cr = None, None
        elif delta:
            starts[first_after:] = [value + delta for value in starts[first_after:]]
        new_lines = new.count(b"\n")
        if new_lines:
            new_end_point = (start_point[0] + new_lines, len(new) - new.rfind(b"\n") - 1)
        else:
            new_end_point = (start_point[0], start_point[1] + len(new))
        return ByteEdit(start, end, start + len(new), start_point, old_end_point, new_end_point)

    def _keeps_line_breaks(self, start: int, end: int, new: bytes) -> bool:
        """Whether replacing ``start:end`` with ``new`` adds, removes or joins no line
        break (text typed between "\r" and "\n" splits one break in two)."""
        data = self._data
        return (
            b"\n" not in new
            and b"\r" not in new
            and data.find(b"\n", start, end) < 0
            and data.find(b"\r", start, end) < 0
            and not (start > 0 and data[start - 1] == 0x0D)
        )

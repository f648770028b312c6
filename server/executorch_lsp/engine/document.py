"""A document: its text, language and (lazily built, incrementally updated) syntax tree."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import tree_sitter as ts

from . import grammars
from .languages import LanguageId
from .text import ByteEdit, PositionEncoding, TextBuffer

T = TypeVar("T")


class Document:
    """One file's text and tree. Not thread-safe: one owner thread at a time."""

    def __init__(
        self, path: str, language: LanguageId, data: bytes, version: int | None = None
    ) -> None:
        self.path = path
        self.language = language
        self.version = version
        self.buffer = TextBuffer(data)
        # The bytes the parser gets (see grammars.prepare_source), made when first parsed.
        self._source: bytes | None = None
        self._tree: ts.Tree | None = None
        self._stale_tree: ts.Tree | None = None
        # What rules derive from the current text and tree (file models), shared by them.
        self._derived: dict[Hashable, Any] = {}
        # Edits since the last analysis checkpoint (None: rebuilt from scratch since then),
        # and the ranges tree-sitter reports as changed by them.
        self.pending_edits: list[ByteEdit] | None = []
        # (number of pending edits when recorded, start, end)
        self.changed_ranges: list[tuple[int, int, int]] = []

    @classmethod
    def from_text(
        cls, path: str, language: LanguageId, text: str, version: int | None = None
    ) -> Document:
        return cls(path, language, text.encode("utf-8", "surrogatepass"), version)

    @property
    def data(self) -> bytes:
        return self.buffer.data

    @property
    def has_tree(self) -> bool:
        """Whether the current text is parsed already (``tree`` then costs nothing)."""
        return self._tree is not None

    def derived(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` for the current text, computed once (until the next edit)."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    @property
    def tree(self) -> ts.Tree:
        if self._tree is None:
            old = self._stale_tree
            if self._source is None:
                self._source = grammars.prepare_source(self.language, self.data)
            self._tree = grammars.parse(self.language, self._source, old)
            if old is not None:
                count = len(self.pending_edits or ())
                self.changed_ranges.extend(
                    (count, r.start_byte, r.end_byte) for r in old.changed_ranges(self._tree)
                )
            self._stale_tree = None
        return self._tree

    def checkpoint(self) -> tuple[list[ByteEdit] | None, list[tuple[int, int, int]]]:
        """Edits and changed ranges since the last checkpoint; starts a new one.

        Without a current tree the changed ranges are not known yet: the next checkpoint
        then reports None (analyse everything)."""
        edits, ranges = self.pending_edits, self.changed_ranges
        self.pending_edits = [] if self._tree is not None else None
        self.changed_ranges = []
        return edits, ranges

    def text_of(self, node: ts.Node) -> str:
        return self.buffer.text(node.start_byte, node.end_byte)

    def forget_derived(self) -> None:
        """Drop what was computed from the text (it is computed again when asked for)."""
        self._derived.clear()

    def edit(
        self,
        start: tuple[int, int],
        end: tuple[int, int],
        text: str,
        encoding: PositionEncoding,
    ) -> None:
        """Apply one editor change; the next ``tree`` access re-parses incrementally."""
        edit = self.buffer.replace(start[0], start[1], end[0], end[1], text, encoding)
        self._update_source(edit)
        if self.pending_edits is not None:
            self.pending_edits.append(edit)
        old = self._tree if self._tree is not None else self._stale_tree
        if old is not None:
            old.edit(
                edit.start_byte,
                edit.old_end_byte,
                edit.new_end_byte,
                edit.start_point,
                edit.old_end_point,
                edit.new_end_point,
            )
        self._stale_tree = old
        self._tree = None
        self._derived.clear()

    def _update_source(self, edit: ByteEdit) -> None:
        """Re-prepare only the edited lines (macro blanking never crosses a line)."""
        data = self.buffer.data
        if self._source is None:
            return
        if self.language is LanguageId.CPP:
            line_start = data.rfind(b"\n", 0, edit.start_byte) + 1
            new_line_end = data.find(b"\n", edit.new_end_byte)
            if new_line_end < 0:
                new_line_end = len(data)
            old_line_end = new_line_end - (edit.new_end_byte - edit.old_end_byte)
            segment = grammars.prepare_source(self.language, data[line_start:new_line_end])
            self._source = self._source[:line_start] + segment + self._source[old_line_end:]
        else:
            self._source = grammars.prepare_source(self.language, data)

    def replace_all(self, text: str, version: int | None = None) -> None:
        self.buffer = TextBuffer.from_text(text)
        self._source = None
        self.pending_edits = None
        self._tree = None
        self._stale_tree = None
        self._derived.clear()
        self.version = version

"""The files of a workspace, read on demand, for rules that look beyond one file.

A rule never walks the disk itself: it asks which files mention a word and reads
them through here. Open editor buffers take precedence over the disk, results are
cached until something changes (``generation``), and every scan is bounded.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .discovery import MAX_FILE_BYTES, iter_files
from .document import Document
from .languages import LanguageId, detect_language

MAX_WORKSPACE_FILES = 50_000
# Contents kept in memory for repeated text searches (disk files only).
_CACHE_BUDGET_BYTES = 64 * 1024 * 1024
# Text searches whose per-file answers are kept (least recently used dropped first).
_MAX_SEARCHES_KEPT = 64
# Parsed documents shared between a check and the indexes (see ``document``).
_MAX_DOCUMENTS_KEPT = 48


class Workspace:
    def __init__(
        self,
        roots: Iterable[Path] = (),
        files: Iterable[Path] | None = None,
        exclude: tuple[str, ...] = (),
        exclude_root: Path | None = None,
    ) -> None:
        self._roots = [Path(root) for root in roots]
        # Given files come from discovery (absolute already); abspath keeps them as named.
        self._given = [os.path.abspath(path) for path in files] if files is not None else None
        self._exclude = exclude
        self._exclude_root = exclude_root
        self._lock = threading.RLock()
        self._files: dict[LanguageId, list[str]] | None = None
        self._overlay: dict[str, bytes] = {}
        self._contents: dict[str, bytes | None] = {}
        self._cached_bytes = 0
        self._memo: dict[tuple[str, Any], Any] = {}
        self._by_listing: dict[tuple[str, LanguageId], dict[str, list[str]]] = {}
        self._per_file: dict[str, dict[str, Any]] = {}
        self._file_versions: dict[str, int] = {}
        self._matches: dict[tuple[LanguageId, Any], dict[str, bool]] = {}
        self._parsed: dict[str, Any] = {}
        self._recent_documents: OrderedDict[str, Any] = OrderedDict()
        # On for a one-off check (one thread): the documents parsed for the indexes and
        # for the analysis are shared, so no file is parsed twice.
        self.shares_documents = False
        self._persistent: dict[str, dict] = {}
        self.generation = 0
        self.truncated = False

    @property
    def roots(self) -> list[Path]:
        return list(self._roots)

    # -- files ------------------------------------------------------------------------------
    def files(self, language: LanguageId) -> list[str]:
        with self._lock:
            if self._files is None:
                self._files = self._discover()
            return self._files.get(language, [])

    def _discover(self) -> dict[LanguageId, list[str]]:
        found: dict[LanguageId, list[str]] = {}
        paths = self._given
        if paths is None:
            paths = (
                str(path) for path in iter_files(self._roots, self._exclude, self._exclude_root)
            )
        for count, path in enumerate(paths):
            if count >= MAX_WORKSPACE_FILES:
                self.truncated = True
                break
            language = detect_language(path)
            if language is not None:
                found.setdefault(language, []).append(path)
        for path in self._overlay:
            language = detect_language(path)
            if language is not None and path not in found.get(language, []):
                found.setdefault(language, []).append(path)
        return found

    def neighbours(self, path: str, language: LanguageId, limit: int = 200) -> list[str]:
        """Files of ``language`` in the same folder as ``path``."""
        folder = os.path.dirname(path)
        return self._grouped("by-folder", language, _group).get(folder, [])[:limit]

    def with_stem(self, stem: str, language: LanguageId) -> list[str]:
        """Files of ``language`` named ``stem.<any extension>``."""
        return self._grouped("by-stem", language, _by_stem).get(stem, [])

    def _grouped(
        self, kind: str, language: LanguageId, group: Callable[[list[str]], dict[str, list[str]]]
    ) -> dict[str, list[str]]:
        """The files of ``language`` grouped by ``group``, kept while the file list stays
        the same (edits to a file's text keep it)."""
        with self._lock:
            grouped = self._by_listing.get((kind, language))
            if grouped is None:
                grouped = self._by_listing[(kind, language)] = group(self.files(language))
            return grouped

    def _list(self, path: str, language: LanguageId) -> None:
        assert self._files is not None
        listed = self._files.setdefault(language, [])
        if path not in listed:
            listed.append(path)
            self._by_listing.clear()

    def version(self, path: str) -> int:
        """How many times ``path`` changed (buffer or disk) since the workspace was made."""
        with self._lock:
            return self._file_versions.get(path, 0)

    def persistent(self, kind: str) -> dict:
        """A cache that outlives changes: its user checks versions itself."""
        with self._lock:
            return self._persistent.setdefault(kind, {})

    def parsed(self, path: str, data: bytes) -> Any:
        """The editor's parsed document of ``path`` if it holds exactly ``data`` (or, when
        documents are shared, one made recently by ``document``)."""
        with self._lock:
            document = self._parsed.get(path) or self._recent_documents.get(path)
        return document if document is not None and document.data == data else None

    def document(self, path: str, data: bytes, language: LanguageId) -> Document:
        """A document of ``path`` holding ``data``: the editor's, a shared one, or a new one
        (kept for sharing when that is on)."""
        found = self.parsed(path, data)
        if found is not None:
            return found
        document = Document(path, language, data)
        if self.shares_documents:
            with self._lock:
                self._recent_documents[path] = document
                while len(self._recent_documents) > _MAX_DOCUMENTS_KEPT:
                    self._recent_documents.popitem(last=False)
        return document

    def read(self, path: str) -> bytes | None:
        """The text of ``path``: the open buffer if there is one, else the file on disk."""
        with self._lock:
            if path in self._overlay:
                return self._overlay[path]
            if path in self._contents:
                return self._contents[path]
        data = read_text_file(path)
        with self._lock:
            size = len(data) if data is not None else 0
            if self._cached_bytes + size <= _CACHE_BUDGET_BYTES:
                self._contents[path] = data
                self._cached_bytes += size
        return data

    # -- changes ----------------------------------------------------------------------------
    def set_buffer(self, path: str, data: bytes, parsed: Any = None) -> None:
        """An editor buffer now holds ``path`` (opened or edited). ``parsed`` is the editor's
        own parsed document of it, reused instead of parsing the text again."""
        with self._lock:
            if parsed is not None:
                self._parsed[path] = parsed
            if self._overlay.get(path) == data:
                return
            self._overlay[path] = data
            language = detect_language(path)
            if self._files is not None and language is not None:
                self._list(path, language)
            self._changed(path)

    def drop_buffer(self, path: str) -> None:
        """The buffer was closed: the file on disk is the truth again (a buffer that was
        never saved leaves the file list, which would otherwise grow with each one)."""
        with self._lock:
            self._parsed.pop(path, None)
            if self._overlay.pop(path, None) is None:
                return
            if not os.path.isfile(path):
                self._unlist(path)
            self._changed(path)

    def _unlist(self, path: str) -> None:
        language = detect_language(path)
        listed = self._files.get(language, []) if self._files is not None and language else []
        if path in listed:
            listed.remove(path)
            self._by_listing.clear()

    def file_changed(self, path: str) -> None:
        """The file changed on disk (saved, or changed by another program)."""
        with self._lock:
            self._changed(path)

    def disk_changed(self, path: str, exists: bool) -> None:
        """The file changed, appeared (``exists``) or disappeared on disk; the file list
        follows."""
        with self._lock:
            language = detect_language(path)
            if self._files is not None and language is not None:
                if exists:
                    self._list(path, language)
                elif path not in self._overlay:
                    self._unlist(path)
            self._changed(path)

    def _changed(self, path: str) -> None:
        data = self._contents.pop(path, None)
        self._cached_bytes -= len(data) if data is not None else 0
        self._per_file.pop(path, None)
        for matches in self._matches.values():
            matches.pop(path, None)
        self._file_versions[path] = self._file_versions.get(path, 0) + 1
        self._memo.clear()
        self.generation += 1

    # -- caches -----------------------------------------------------------------------------
    def memo(self, key: tuple[str, Any], compute: Callable[[], Any]) -> Any:
        """A value derived from the whole workspace, kept until anything changes."""
        with self._lock:
            if key in self._memo:
                return self._memo[key]
            generation = self.generation
        value = compute()
        with self._lock:
            if generation == self.generation:
                self._memo[key] = value
        return value

    def per_file(
        self,
        path: str,
        kind: str,
        compute: Callable[[bytes], Any],
        still_valid: Callable[[Any], bool] | None = None,
    ) -> Any:
        """A value derived from one file, kept until that file changes (or, for a value
        that also depends on other files, until ``still_valid`` says it is stale)."""
        with self._lock:
            cached = self._per_file.get(path, {})
            if kind in cached and (still_valid is None or still_valid(cached[kind])):
                return cached[kind]
            version = self._file_versions.get(path, 0)
        data = self.read(path)
        value = compute(data) if data is not None else None
        with self._lock:
            if version == self._file_versions.get(path, 0):
                self._per_file.setdefault(path, {})[kind] = value
        return value

    def files_containing(self, language: LanguageId, needles: tuple[bytes, ...]) -> list[str]:
        """Files of ``language`` that contain any of ``needles`` (a fast literal search)."""
        return self._search(language, ("in", needles), lambda data: any(n in data for n in needles))

    def _search(self, language: LanguageId, what: Any, test: Callable[[bytes], bool]) -> list[str]:
        """Files of ``language`` whose text passes ``test``; answers are kept per file, so
        after a change only the changed file is searched again."""
        files = self.files(language)
        with self._lock:
            key = (language, what)
            known = self._matches.pop(key, {})
            self._matches[key] = known  # most recently used last
            while len(self._matches) > _MAX_SEARCHES_KEPT:
                del self._matches[next(iter(self._matches))]
            missing = [path for path in files if path not in known]
        found = {}
        for path in missing:
            data = self.read(path)
            found[path] = data is not None and test(data)
        with self._lock:
            known.update(found)
            return [path for path in files if known.get(path)]


def read_text_file(path: str, limit: int = MAX_FILE_BYTES) -> bytes | None:
    """A source file's bytes; None when it is unreadable, larger than ``limit`` or binary."""
    try:
        if os.path.getsize(path) > limit:
            return None
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return None if b"\0" in data[:8192] else data


def _group(paths: list[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for path in paths:
        grouped.setdefault(os.path.dirname(path), []).append(path)
    return grouped


def _by_stem(paths: list[str]) -> dict[str, list[str]]:
    stems: dict[str, list[str]] = {}
    for path in paths:
        stems.setdefault(os.path.splitext(os.path.basename(path))[0], []).append(path)
    return stems

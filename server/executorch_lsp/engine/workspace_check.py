"""Checking every file of a workspace, in short slices that a caller interleaves with
other work (the editor's open documents stay responsive while a check runs).

A check lists the files (gitignore-aware, without build and vendored folders, the
configured ``exclude`` honoured, at most ``limit`` of them), notices which of them changed
on disk since the previous check, then analyses each file whose result could have
changed. A file's result id combines its size and modification time with a stamp for
its language (the configuration and the cross-file facts the caller tracks): a file
whose id equals the one the client holds costs a ``stat`` and nothing else.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .discovery import DEFAULT_EXCLUDED_DIRS, iter_files
from .document import Document
from .findings import Finding
from .languages import LanguageId, detect_language
from .suppressions import MARKER
from .workspace import Workspace, read_text_file

DEFAULT_FILE_LIMIT = 10_000

ConfigFor = Callable[[str], Config]
# (language) -> the part of a result id that is not the file's own: configuration and
# the cross-file facts its language's rules read.
StampFor = Callable[[LanguageId], str]


@dataclass(frozen=True)
class DiskChange:
    """A file changed on disk by something other than the editor."""

    CREATED = "created"
    CHANGED = "changed"
    DELETED = "deleted"

    path: str
    kind: str


def in_excluded_folder(path: str) -> bool:
    """Inside a build output or vendored folder (which checks skip)?"""
    folders = Path(path).parts[:-1]
    return any(name in DEFAULT_EXCLUDED_DIRS or name.startswith("cmake-build") for name in folders)


class CheckCancelled(Exception):
    """The check was cancelled; what it reported so far stays valid."""


@dataclass(frozen=True)
class FileResult:
    path: str
    result_id: str
    findings: list[Finding] | None  # None: unchanged since the result id the client holds
    data: bytes = b""  # the text the findings' spans point into (only with findings)


@dataclass
class CheckMemory:
    """What one check leaves to the next: the files' stats (to notice changes made on
    disk when nobody said so) and the result ids of files that were clean."""

    stats: dict[str, tuple[int, int]] = field(default_factory=dict)
    clean: dict[str, str] = field(default_factory=dict)


def list_files(roots: Iterable[Path], config_for: ConfigFor) -> Iterator[str]:
    """The files of our languages under ``roots``, each root with its configuration's
    ``exclude`` (relative to the configuration file)."""
    seen: set[str] = set()
    for root in roots:
        config = config_for(str(Path(root) / "_"))
        for path in iter_files([Path(root)], config.exclude, config.root):
            found = str(path)
            if found not in seen:
                seen.add(found)
                yield found


def stat_key(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def check_text(
    path: str, language: LanguageId, data: bytes, config: Config, workspace: Workspace | None
) -> list[Finding]:
    """The findings of one file that is not open (screened first; parsed only when a
    rule may apply; the document and its tree are dropped afterwards)."""
    from .analysis import analyze, applicable_rules

    rules = list(applicable_rules(language, data, config, workspace))
    if MARKER not in data and all(rule.meta for rule in rules):
        return []
    document = Document(path, language, data)
    return analyze(document, config, workspace=workspace, screened=rules).findings


class WorkspaceCheck:
    """One pass over the workspace. ``step`` does a slice of the work and returns the
    results found in it; ``done`` says when there is nothing left."""

    def __init__(
        self,
        roots: Iterable[Path],
        config_for: ConfigFor,
        stamp_for: StampFor,
        memory: CheckMemory,
        *,
        previous: dict[str, str] | None = None,
        skip: Callable[[str], bool] = lambda path: False,
        limit: int = DEFAULT_FILE_LIMIT,
        workspace: Workspace | None = None,
        on_disk_changes: Callable[[list[DiskChange]], None] | None = None,
        cancelled: threading.Event | None = None,
    ) -> None:
        self._listing: Iterator[str] | None = list_files(roots, config_for)
        self._config_for = config_for
        self._stamp_for = stamp_for
        self._memory = memory
        self.previous = dict(previous or {})
        self._skip = skip
        self.limit = max(0, limit)
        self._workspace = workspace
        self._on_disk_changes = on_disk_changes
        self._cancelled = cancelled or threading.Event()
        self.files: list[tuple[str, LanguageId, tuple[int, int]]] = []
        self._changed: list[DiskChange] = []
        self._skipped: set[str] = set()
        self._had_memory = bool(memory.stats)
        self.truncated = False
        self.checked = 0  # files looked at in the second phase (analysed or not)
        self.analysed = 0

    @property
    def listing(self) -> bool:
        return self._listing is not None

    @property
    def done(self) -> bool:
        return self._listing is None and self.checked >= len(self.files)

    @property
    def total(self) -> int:
        return len(self.files)

    def step(self, budget_seconds: float) -> list[FileResult]:
        """Work for about ``budget_seconds`` (one file's analysis may run over)."""
        deadline = time.perf_counter() + budget_seconds
        if self._listing is not None:
            self._list(deadline)
            return []
        results = []
        while self.checked < len(self.files) and time.perf_counter() < deadline:
            if self._cancelled.is_set():
                raise CheckCancelled
            result = self._check(*self.files[self.checked])
            self.checked += 1
            if result is not None:
                results.append(result)
        return results

    def gone(self) -> list[str]:
        """Files the client holds results for that this check did not list (deleted,
        excluded, open in the editor or beyond the limit). Meaningful once done."""
        listed = {path for path, _, _ in self.files}
        return [path for path in self.previous if path not in listed]

    def _list(self, deadline: float) -> None:
        assert self._listing is not None
        for path in self._listing:
            if self._cancelled.is_set():
                raise CheckCancelled
            if self._skip(path):
                self._skipped.add(path)
                continue
            if len(self.files) >= self.limit:
                self.truncated = True
                break
            self._add(path)
            if time.perf_counter() >= deadline:
                return
        self._listing = None
        if not self.truncated:
            self._forget_missing()
        if self._changed and self._on_disk_changes is not None:
            self._on_disk_changes(self._changed)
        self._changed = []

    def _forget_missing(self) -> None:
        """Files of the previous check that are gone now (deleted, or newly excluded)."""
        listed = {path for path, _, _ in self.files}
        for path in [p for p in self._memory.stats if p not in listed and p not in self._skipped]:
            del self._memory.stats[path]
            self._memory.clean.pop(path, None)
            self._changed.append(DiskChange(path, DiskChange.DELETED))

    def _add(self, path: str) -> None:
        language = detect_language(path)
        key = stat_key(path)
        if language is None or key is None:
            return
        known = self._memory.stats.get(path)
        if known != key and (known is not None or self._had_memory):
            kind = DiskChange.CHANGED if known is not None else DiskChange.CREATED
            self._changed.append(DiskChange(path, kind))
        self._memory.stats[path] = key
        self.files.append((path, language, key))

    def result_id(self, language: LanguageId, key: tuple[int, int]) -> str:
        return f"{key[0]}.{key[1]}:{self._stamp_for(language)}"

    def _check(self, path: str, language: LanguageId, key: tuple[int, int]) -> FileResult | None:
        result_id = self.result_id(language, key)
        held = self.previous.get(path)
        if held == result_id:
            return FileResult(path, result_id, None)
        if held is None and self._memory.clean.get(path) == result_id:
            return None  # clean, and the client has nothing for it
        config = self._config_for(path)
        data = read_text_file(path, config.max_file_bytes)
        self.analysed += 1
        findings = (
            check_text(path, language, data, config, self._workspace) if data is not None else []
        )
        if findings:
            self._memory.clean.pop(path, None)
            return FileResult(path, result_id, findings, data)
        self._memory.clean[path] = result_id
        return FileResult(path, result_id, []) if held is not None else None

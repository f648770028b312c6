"""Open documents and their analyses, owned by one worker thread.

Every read or write of a document runs on that thread, in submission order, so
edits, parses and analyses never race and the event loop never parses. A
change that is followed by another queued change of the same document is
applied but not analysed: bursts of keystrokes cost one analysis.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.config import Config, ConfigError, find_config_file, load_file
from ..engine.document import Document
from ..engine.interrupts import GaveWay, GiveWay, giving_way
from ..engine.languages import LanguageId
from ..engine.workspace import Workspace
from ..engine.workspace_check import DiskChange

if TYPE_CHECKING:
    from ..engine.analysis import Analysis

log = logging.getLogger(__name__)
# Beyond this many files changed on disk at once (a checkout), every cross-file fact is
# taken as changed instead of comparing each file's facts.
MAX_FINGERPRINTED_CHANGES = 64
# How long a document's first analysis waits for the workspace index before it goes
# without it (the cross-file findings come with the analysis that follows the index).
INDEX_WAIT_SECONDS = 0.02


@dataclass
class OpenDocument:
    uri: str
    document: Document
    analysis: Analysis | None = None
    analyzed_version: int | None = None
    analyzed_generation: int = -1
    analyzed_epoch: int = -1


class ConfigStore:
    """Project configuration per folder (cached), with editor settings on top."""

    def __init__(self) -> None:
        self.editor_settings: dict = {}
        self.enabled = True
        self.generation = 0
        self._by_folder: dict[Path, tuple[Config, ConfigError | None]] = {}

    def invalidate(self) -> None:
        self._by_folder.clear()
        self.generation += 1

    def for_path(self, path: str) -> tuple[Config, ConfigError | None]:
        folder = Path(path).parent
        if folder not in self._by_folder:
            self._by_folder[folder] = self._load(folder)
        base, error = self._by_folder[folder]
        try:
            return base.with_overrides(self.editor_settings), error
        except ConfigError as settings_error:
            return base, settings_error

    @staticmethod
    def _load(folder: Path) -> tuple[Config, ConfigError | None]:
        try:
            config_file = find_config_file(folder) if folder.is_dir() else None
            if config_file is None:
                return Config(), None
            return load_file(config_file) or Config(), None
        except ConfigError as error:
            return Config(), error


class DocumentStore:
    def __init__(self, configs: ConfigStore) -> None:
        self.configs = configs
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="executorch-lsp")
        self.documents: dict[str, OpenDocument] = {}  # touched on the worker thread only
        self.latest_version: dict[str, int | None] = {}  # written on the event loop thread
        self.last_analysis_seconds = 0.0
        self.workspace: Workspace | None = None
        self.index_ready = threading.Event()  # cleared while the workspace is indexed
        self.index_ready.set()
        self._went_without_index = False
        self._unsynced: set[str] = set()
        # Bumped when a file changes what other files' analyses may depend on (per
        # language of the files whose findings may change, for workspace result ids).
        self.epoch = 0
        self.language_epochs: dict[LanguageId, int] = dict.fromkeys(LanguageId, 0)
        self._fingerprints: dict[str, tuple] = {}
        self._giving_way: GiveWay | None = None
        self._unremembered: dict[str, int | None] = {}  # uri -> its version when opened

    def open(self, uri: str, path: str, language: LanguageId, text: str, version: int) -> None:
        document = Document.from_text(path, language, text, version)
        self.documents[uri] = OpenDocument(uri, document)
        self.sync_buffer(uri)

    def remember_facts(self, uri: str) -> bool:
        """Record what other files may depend on in a newly opened document (after its
        first diagnostics: it may take a walk over the whole file). False when that is
        left for later: the index is being built, or a keystroke came first."""
        entry = self.documents.get(uri)
        return entry is None or self._remember(uri, entry.document.version)

    def remember_pending(self) -> bool:
        """Record the documents left for later (once the index is built, at pauses in
        typing). False when a keystroke came first."""
        pending, self._unremembered = list(self._unremembered.items()), {}
        for done, (uri, opened_version) in enumerate(pending):
            if not self._remember(uri, opened_version):
                self._unremembered.update(pending[done + 1 :])
                return False
        return True

    def _remember(self, uri: str, opened_version: int | None) -> bool:
        if not self.index_ready.is_set():
            self._unremembered[uri] = opened_version  # the walk would wait for the index
            return False
        self.sync_all()
        entry = self.documents.get(uri)
        if entry is None or self.workspace is None or entry.document.path in self._fingerprints:
            return True
        if entry.document.version != opened_version:
            # Edited since it was opened: other files' analyses may have seen either
            # text, so nothing is recorded and the next check refreshes them.
            return True
        fingerprint = self._fingerprint_giving_way(entry.document.path)
        if fingerprint is None:
            self._unremembered[uri] = opened_version
            return False
        self._fingerprints[entry.document.path] = fingerprint
        return True

    def sync_buffer(self, uri: str) -> None:
        """Let the workspace see the editor's text of ``uri`` instead of the disk's (once
        the index is built: the index holds the workspace while it lists the files)."""
        if not self.index_ready.is_set():
            self._unsynced.add(uri)
            return
        entry = self.documents.get(uri)
        if entry is not None and self.workspace is not None:
            document = entry.document
            self.workspace.set_buffer(document.path, document.data, parsed=document)

    def sync_all(self) -> None:
        unsynced, self._unsynced = self._unsynced, set()
        for uri in unsynced:
            self.sync_buffer(uri)

    def close(self, uri: str) -> None:
        self.sync_all()
        self._unsynced.discard(uri)
        entry = self.documents.pop(uri, None)
        if entry is not None and self.workspace is not None:
            self.workspace.drop_buffer(entry.document.path)
            self.check_dependents(entry.document.path)

    def check_dependents(self, path: str, give_way: bool = False) -> bool:
        """After ``path`` was edited, saved or closed: did it change what other files
        depend on? Then every open document is analysed again. ``give_way``: the check
        stops (False) when a document changes meanwhile; the next pause checks again."""
        if self.workspace is None:
            return False
        self.sync_all()
        from ..rules import languages_affected, workspace_fingerprint

        if give_way:
            fingerprint = self._fingerprint_giving_way(path)
            if fingerprint is None:
                return False
        else:
            fingerprint = workspace_fingerprint(self.workspace, path)
        # Never recorded: what other files' analyses saw is unknown, so all of it changed.
        before = self._fingerprints.get(path, ())
        self._fingerprints[path] = fingerprint
        return self._bump(languages_affected(before, fingerprint))

    def _fingerprint_giving_way(self, path: str) -> tuple | None:
        """What other files depend on in ``path`` (a walk over the whole file), or None
        when a document changed first: the walk gives way to keystrokes' diagnostics."""
        from ..rules import workspace_fingerprint

        assert self.workspace is not None
        request = self._giving_way = GiveWay()
        try:
            with giving_way(request):
                return workspace_fingerprint(self.workspace, path)
        except GaveWay:
            return None
        finally:
            self._giving_way = None

    def give_way(self) -> None:
        """A document changed (on the event loop): the walk that gives way to it stops."""
        request = self._giving_way
        if request is not None:
            request.ask()

    def _bump(self, languages: set[LanguageId] | frozenset[LanguageId]) -> bool:
        for language in languages:
            self.language_epochs[language] += 1
        if languages:
            self.epoch += 1
        return bool(languages)

    def disk_changed(self, changes: list[DiskChange]) -> bool:
        """Files changed on disk by another program (a checkout, a build script): the
        workspace forgets what it knew of them. True when other files' findings may
        change. Open documents are left alone: their buffers are the truth."""
        if self.workspace is None:
            return False
        from ..rules import languages_affected, workspace_fingerprint

        self.sync_all()
        open_paths = {entry.document.path for entry in self.documents.values()}
        changes = [change for change in changes if change.path not in open_paths]
        if len(changes) > MAX_FINGERPRINTED_CHANGES:
            for change in changes:
                self.workspace.disk_changed(change.path, change.kind != DiskChange.DELETED)
            return self._bump(set(LanguageId))
        affected: set[LanguageId] = set()
        for change in changes:
            # Before: what analyses saw (from the workspace's caches, or the last record).
            before = self._fingerprints.pop(change.path, None)
            if before is None:
                before = workspace_fingerprint(self.workspace, change.path)
            self.workspace.disk_changed(change.path, change.kind != DiskChange.DELETED)
            after = workspace_fingerprint(self.workspace, change.path)
            affected |= languages_affected(before, after)
            if change.kind != DiskChange.CHANGED:
                # A file that appears or goes adds or removes all of its facts.
                fingerprint = after if change.kind == DiskChange.CREATED else before
                nothing = tuple(type(part)() for part in fingerprint)
                affected |= languages_affected(nothing, fingerprint)
        return self._bump(affected)

    def get(self, uri: str) -> OpenDocument | None:
        return self.documents.get(uri)

    def analysis_for(self, uri: str) -> tuple[OpenDocument, Analysis, ConfigError | None] | None:
        """The current analysis of ``uri``, computed if the document changed since."""
        entry = self.documents.get(uri)
        if entry is None:
            return None
        from ..engine.analysis import Analysis, analyze

        config, error = self.configs.for_path(entry.document.path)
        if (
            entry.analysis is None
            or entry.analyzed_version != entry.document.version
            or entry.analyzed_generation != self.configs.generation
            or entry.analyzed_epoch != self.epoch
        ):
            started = time.perf_counter()
            previous = entry.analysis if entry.analyzed_epoch == self.epoch else None
            workspace = self.workspace
            if workspace is not None and not self._index_ready_for(entry):
                workspace, self._went_without_index = None, True
            elif workspace is not None:
                self.sync_all()
            entry.analysis = (
                analyze(entry.document, config, previous=previous, workspace=workspace)
                if self.configs.enabled
                else Analysis()
            )
            entry.analyzed_epoch = self.epoch
            self.last_analysis_seconds = time.perf_counter() - started
            entry.analyzed_version = entry.document.version
            entry.analyzed_generation = self.configs.generation
        return entry, entry.analysis, error

    def _index_ready_for(self, entry: OpenDocument) -> bool:
        """Whether the workspace index is ready; a document's first analysis waits for it
        briefly (its first diagnostics may then hold cross-file findings), later ones do
        not (each keystroke would pay the wait)."""
        if self.index_ready.is_set():
            return True
        return entry.analysis is None and self.index_ready.wait(INDEX_WAIT_SECONDS)

    def index_built(self) -> bool:
        """After the workspace index was built: True when analyses made without it are
        stale."""
        self.sync_all()
        stale, self._went_without_index = self._went_without_index, False
        if stale:
            self.epoch += 1
        return stale

    def is_latest(self, uri: str, version: int | None) -> bool:
        return self.latest_version.get(uri) == version

    def is_older(self, uri: str, version: int | None) -> bool:
        """Whether a change to ``version`` comes after a newer one (versions only grow;
        a client that repeats one version keeps working)."""
        latest = self.latest_version.get(uri)
        return latest is not None and version is not None and version < latest

"""Whole-workspace checks in the editor: ``workspace/diagnostic`` (pull) and the
``executorch-lsp.checkWorkspace`` command (publishes). The work is
``engine.workspace_check``'s, done on the document thread in slices of about 10 ms, so
edits and hovers of open documents are served between two slices."""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from ..engine.languages import LanguageId
from ..engine.text import TextBuffer
from ..engine.workspace_check import (
    DEFAULT_FILE_LIMIT,
    CheckCancelled,
    CheckMemory,
    DiskChange,
    FileResult,
    WorkspaceCheck,
)

if TYPE_CHECKING:
    from .server import ExecutorchServer

log = logging.getLogger(__name__)
SLICE_SECONDS = 0.01
PROGRESS_INTERVAL_SECONDS = 0.1
# Result ids of an earlier server process never match (its rules may differ).
_SESSION = secrets.token_hex(3)

# (uri, result id, diagnostics; None when unchanged since the client's result id)
Report = tuple[str, str, list[types.Diagnostic] | None]


@dataclass
class ScanOutcome:
    reports: list[Report] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # uris the client holds stale results for
    total: int = 0
    analysed: int = 0
    truncated: bool = False
    limit: int = DEFAULT_FILE_LIMIT
    cancelled: bool = False

    def summary(self) -> str:
        found = sum(1 for _, _, diagnostics in self.reports if diagnostics)
        text = f"{self.total} files, {found} with findings ({self.analysed} analysed)"
        if self.cancelled:
            text = f"cancelled: {text}"
        return text


class Progress:
    """``$/progress`` of one check (begin, throttled reports, end), if it has a token."""

    def __init__(self, server: ExecutorchServer, token: types.ProgressToken | None) -> None:
        self.server, self.token = server, token
        self._last = 0.0
        self._listing = True

    def begin(self, title: str) -> None:
        if self.token is not None:
            self.server.work_done_progress.begin(
                self.token,
                types.WorkDoneProgressBegin(title=title, cancellable=True, percentage=0),
            )

    def report(self, check: WorkspaceCheck) -> None:
        now = time.monotonic()
        phase_changed = check.listing != self._listing
        if self.token is None or (
            now - self._last < PROGRESS_INTERVAL_SECONDS and not phase_changed
        ):
            return
        self._last, self._listing = now, check.listing
        if check.listing:
            message, percentage = f"listing files ({check.total} found)", 0
        else:
            message = f"{check.checked}/{check.total} files"
            percentage = check.checked * 100 // max(1, check.total)
        self.server.work_done_progress.report(
            self.token, types.WorkDoneProgressReport(message=message, percentage=percentage)
        )

    def end(self, message: str) -> None:
        if self.token is not None:
            self.server.work_done_progress.end(
                self.token, types.WorkDoneProgressEnd(message=message)
            )


class Scans:
    """The checks of one server: one at a time; a newer check of the same kind (pull or
    command) cancels an older one that still runs."""

    def __init__(self, server: ExecutorchServer) -> None:
        self.server = server
        self.memory = CheckMemory()  # touched on the document thread only
        self.published: dict[str, str] = {}  # uri -> result id, what the command published
        self._running: dict[str, threading.Event] = {}
        self._by_progress: dict[types.ProgressToken, threading.Event] = {}
        self._lock = asyncio.Lock()

    def cancel_progress(self, token: types.ProgressToken) -> None:
        """The user pressed cancel on a check's progress."""
        event = self._by_progress.get(token)
        if event is not None:
            event.set()

    async def run(
        self,
        kind: str,
        previous: dict[str, str],
        cancelled: threading.Event,
        progress: Progress,
        on_reports: Callable[[list[Report]], None] | None = None,
    ) -> ScanOutcome:
        """Check the workspace. ``previous``: result ids the client holds, by uri.
        ``on_reports`` gets each slice's reports as they come."""
        older = self._running.get(kind)
        if older is not None:
            older.set()
        self._running[kind] = cancelled
        if progress.token is not None:
            self._by_progress[progress.token] = cancelled
        try:
            async with self._lock:
                return await self._run(previous, cancelled, progress, on_reports)
        finally:
            if self._running.get(kind) is cancelled:
                del self._running[kind]
            self._by_progress.pop(progress.token, None)

    async def _run(
        self,
        previous: dict[str, str],
        cancelled: threading.Event,
        progress: Progress,
        on_reports: Callable[[list[Report]], None] | None,
    ) -> ScanOutcome:
        server = self.server
        outcome = ScanOutcome()
        progress.begin("executorch-lsp: checking the workspace")
        check = None
        try:
            check = await server.on_worker(lambda: self._new_check(previous, cancelled))
            while check is not None and not check.done:
                if cancelled.is_set():
                    raise CheckCancelled
                reports = await server.on_worker(lambda: self._slice(check))
                outcome.reports.extend(reports)
                if reports and on_reports is not None:
                    on_reports(reports)
                progress.report(check)
            if check is not None:
                outcome.gone = [_uri(path) for path in check.gone()]
        except (CheckCancelled, asyncio.CancelledError) as stopped:
            cancelled.set()
            outcome.cancelled = True
            if isinstance(stopped, asyncio.CancelledError):
                progress.end("cancelled")
                raise
        finally:
            if check is not None:
                outcome.total, outcome.analysed = check.total, check.analysed
                outcome.truncated, outcome.limit = check.truncated, check.limit
        if outcome.truncated:
            server.note_truncation(outcome.limit)
        progress.end(outcome.summary())
        return outcome

    def _new_check(self, previous: dict[str, str], cancelled: threading.Event):
        """Runs on the document thread."""
        server = self.server
        workspace = server.store.workspace
        if workspace is None or not server.configs.enabled:
            return None
        server.store.sync_all()
        roots = workspace.roots
        config, _ = server.configs.for_path(str(roots[0] / "_")) if roots else (None, None)
        limit = server.file_limit or (config.workspace_file_limit if config else None)
        open_paths = {entry.document.path for entry in server.store.documents.values()}
        return WorkspaceCheck(
            roots,
            lambda path: server.configs.for_path(path)[0],
            self._stamp,
            self.memory,
            previous={_path(uri): result_id for uri, result_id in previous.items()},
            skip=open_paths.__contains__,
            limit=limit or DEFAULT_FILE_LIMIT,
            workspace=workspace,
            on_disk_changes=self._disk_changes,
            cancelled=cancelled,
        )

    def _stamp(self, language: LanguageId) -> str:
        store = self.server.store
        return f"{_SESSION}.{self.server.configs.generation}.{store.language_epochs[language]}"

    def _disk_changes(self, changes: list[DiskChange]) -> None:
        """Runs on the document thread: files changed on disk since the last check."""
        if self.server.store.disk_changed(changes):
            self.server.call_soon(self.server.refresh_all)

    def _slice(self, check: WorkspaceCheck) -> list[Report]:
        """Runs on the document thread."""
        return [self._report(result) for result in check.step(SLICE_SECONDS)]

    def _report(self, result: FileResult) -> Report:
        uri = _uri(result.path)
        if result.findings is None:
            return uri, result.result_id, None
        buffer = TextBuffer(result.data) if result.findings else None
        diagnostics = self.server.to_diagnostics(uri, buffer, result.findings, None)
        return uri, result.result_id, diagnostics


def _uri(path: str) -> str:
    return Path(path).as_uri()


def _path(uri: str) -> str:
    from .server import uri_to_path

    return uri_to_path(uri)

"""The workspace beyond the open documents: workspace pull diagnostics, the
"check workspace" command, and files changed on disk outside the editor."""

from __future__ import annotations

import uuid
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled

from ..engine.config import CONFIG_FILE_NAMES
from ..engine.languages import detect_language
from ..engine.workspace_check import DiskChange, in_excluded_folder
from .scans import Progress, Report
from .server import ExecutorchServer, uri_to_path

CHECK_WORKSPACE_COMMAND = "executorch-lsp.checkWorkspace"
WATCH_REGISTRATION_ID = "executorch-lsp-watched-files"
WATCHED_GLOBS = (
    "**/*.{cpp,cc,cxx,c++,h,hh,hpp,hxx,mm,ipp}",
    "**/{CMakeLists.txt,*.cmake}",
    "**/{BUCK,TARGETS,BUILD,BUILD.bazel,*.bzl,*.bxl}",
    "**/*.py",
    "**/{.executorch-lsp.toml,pyproject.toml}",
)
_CHANGE_KINDS = {
    types.FileChangeType.Created: DiskChange.CREATED,
    types.FileChangeType.Changed: DiskChange.CHANGED,
    types.FileChangeType.Deleted: DiskChange.DELETED,
}


def register(server: ExecutorchServer) -> None:
    server.feature(types.WORKSPACE_DIAGNOSTIC)(workspace_diagnostic)
    server.command(CHECK_WORKSPACE_COMMAND)(check_workspace_command)
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(did_change_watched_files)
    server.feature(types.WINDOW_WORK_DONE_PROGRESS_CANCEL)(work_done_progress_cancel)


def offer_workspace_pull(server: ExecutorchServer, offered: bool) -> None:
    """Whether ``workspaceDiagnostics`` is advertised (a client that pulls them on its own
    pays for a whole-workspace check; the VS Code extension asks for it by a setting)."""
    if not offered:
        server.protocol.fm.features.pop(types.WORKSPACE_DIAGNOSTIC, None)


# -- workspace/diagnostic ----------------------------------------------------------------
async def workspace_diagnostic(
    ls: ExecutorchServer, params: types.WorkspaceDiagnosticParams
) -> types.WorkspaceDiagnosticReport:
    previous = {item.uri: item.value for item in params.previous_result_ids}
    with ls.cancellation() as cancelled:
        outcome = await ls.scans.run(
            "pull", previous, cancelled, Progress(ls, params.work_done_token)
        )
        if outcome.cancelled:
            raise JsonRpcRequestCancelled()
    is_open = ls.store.latest_version.__contains__
    items: list[Any] = [
        _workspace_report(uri, result_id, diagnostics)
        for uri, result_id, diagnostics in outcome.reports
        if not is_open(uri)
    ]
    items.extend(
        types.WorkspaceFullDocumentDiagnosticReport(uri=uri, items=[], version=None)
        for uri in outcome.gone
        if not is_open(uri)
    )
    return types.WorkspaceDiagnosticReport(items=items)


def _workspace_report(uri: str, result_id: str, diagnostics: list[types.Diagnostic] | None):
    if diagnostics is None:
        return types.WorkspaceUnchangedDocumentDiagnosticReport(
            uri=uri, result_id=result_id, version=None
        )
    return types.WorkspaceFullDocumentDiagnosticReport(
        uri=uri, items=diagnostics, result_id=result_id, version=None
    )


# -- executorch-lsp.checkWorkspace -------------------------------------------------------
async def check_workspace_command(ls: ExecutorchServer, *arguments: Any) -> dict[str, Any]:
    """Publishes the diagnostics of every file that is not open and clears those of files
    that became clean. Cancelling (the progress's button or ``$/cancelRequest``) stops
    within a slice; what was published so far stays, files not reached keep what they
    showed before."""
    token = await _create_progress(ls)
    with ls.cancellation() as cancelled:
        outcome = await ls.scans.run(
            "command",
            dict(ls.scans.published),
            cancelled,
            Progress(ls, token),
            on_reports=lambda reports: _publish(ls, reports),
        )
    if not outcome.cancelled:
        _publish(ls, [(uri, "", []) for uri in outcome.gone])
    return {
        "files": outcome.total,
        "analysed": outcome.analysed,
        "withFindings": sum(1 for _, _, diagnostics in outcome.reports if diagnostics),
        "truncated": outcome.truncated,
        "cancelled": outcome.cancelled,
    }


async def _create_progress(ls: ExecutorchServer) -> types.ProgressToken | None:
    capabilities = ls.client_capabilities
    window = capabilities.window if capabilities else None
    if not (window and window.work_done_progress):
        return None
    token = f"executorch-lsp-check-{uuid.uuid4().hex[:8]}"
    try:
        await ls.work_done_progress.create_async(token)
    except Exception:  # a client that refuses the token gets no progress
        return None
    return token


def _publish(ls: ExecutorchServer, reports: list[Report]) -> None:
    """Publish a check's results for files that are not open (an open document's own
    diagnostics are newer than any check's)."""
    for uri, result_id, diagnostics in reports:
        if diagnostics is None or uri in ls.store.latest_version:
            continue
        if diagnostics:
            ls.scans.published[uri] = result_id
        elif ls.scans.published.pop(uri, None) is None:
            continue
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics)
        )


def forget_published(ls: ExecutorchServer, uri: str, clear: bool) -> None:
    """A document opened or closed: its own diagnostics replace the check's. A client that
    pulls would show both; ``clear`` removes the check's."""
    if ls.scans.published.pop(uri, None) is not None and clear:
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )


def work_done_progress_cancel(
    ls: ExecutorchServer, params: types.WorkDoneProgressCancelParams
) -> None:
    ls.scans.cancel_progress(params.token)


# -- files changed on disk ---------------------------------------------------------------
async def watch_files(ls: ExecutorchServer) -> None:
    """Ask the client to report changes of our files made outside the editor."""
    capabilities = ls.client_capabilities
    workspace = capabilities.workspace if capabilities else None
    watched = workspace.did_change_watched_files if workspace else None
    if not (watched and watched.dynamic_registration):
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED_GLOBS]
    )
    registration = types.Registration(
        id=WATCH_REGISTRATION_ID,
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=options,
    )
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams(registrations=[registration])
        )
    except Exception:
        return


def did_change_watched_files(
    ls: ExecutorchServer, params: types.DidChangeWatchedFilesParams
) -> None:
    changes: list[DiskChange] = []
    configs_changed = False
    for event in params.changes:
        path = uri_to_path(event.uri)
        if path.endswith(CONFIG_FILE_NAMES):
            configs_changed = True
        elif detect_language(path) is not None and not in_excluded_folder(path):
            changes.append(DiskChange(path, _CHANGE_KINDS.get(event.type, DiskChange.CHANGED)))
    if configs_changed:
        ls.forget_config_errors()
        ls.on_worker(ls.configs.invalidate).add_done_callback(lambda _: ls.refresh_all())
    if changes:
        ls.on_worker(lambda: ls.store.disk_changed(changes)).add_done_callback(
            ls.refresh_if_changed
        )

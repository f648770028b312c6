"""End-to-end: files that are not open (workspace pull, the check command with progress
and cancel, files changed on disk) and cancelled requests."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled
from pytest_lsp import LanguageClient
from test_server import SOURCE, until
from test_workspace import ENGINE_CPP, MAIN_CPP, THREADS_CPP

from conftest import diagnostics_for, edit_document, open_document, start

CLEAN = "int add(int a, int b) { return a + b; }\n"
CHECK = "executorch-lsp.checkWorkspace"


def write_tree(root: Path, bad: int, clean: int = 0, folder: str = "src") -> list[Path]:
    paths = []
    for index in range(bad):
        path = root / folder / f"bad_{index:04d}.cpp"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(SOURCE, encoding="utf-8")
        paths.append(path)
    for index in range(clean):
        (root / folder / f"clean_{index:04d}.cpp").write_text(CLEAN, encoding="utf-8")
    return paths


def send(client: LanguageClient, method: str, params, msg_id: str):
    """A request with a known id (so that it can be cancelled)."""
    return asyncio.wrap_future(client.protocol.send_request(method, params, msg_id=msg_id))


def cancel(client: LanguageClient, msg_id: str) -> None:
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))


def by_uri(report: types.WorkspaceDiagnosticReport) -> dict[str, object]:
    return {item.uri: item for item in report.items}


async def pull(client: LanguageClient, previous: dict[str, str] | None = None):
    return await client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(
            previous_result_ids=[
                types.PreviousResultId(uri=uri, value=value)
                for uri, value in (previous or {}).items()
            ]
        )
    )


# -- workspace/diagnostic -------------------------------------------------------------------
async def test_workspace_pull_reports_closed_files_then_unchanged(
    client: LanguageClient, tmp_path: Path
):
    (bad,) = write_tree(tmp_path, bad=1, clean=2)
    write_tree(tmp_path, bad=1, folder="build")  # a build folder is never checked
    opened = tmp_path / "src" / "opened.cpp"
    opened.write_text(SOURCE, encoding="utf-8")
    result = await start(client, tmp_path.as_uri(), pull=True)
    assert result.capabilities.diagnostic_provider.workspace_diagnostics
    open_document(client, opened.as_uri(), SOURCE)

    first = by_uri(await pull(client))
    assert set(first) == {bad.as_uri()}  # clean files and the open one are not reported
    report = first[bad.as_uri()]
    assert report.kind == "full" and [d.code for d in report.items] == ["ET101"]

    second = by_uri(await pull(client, {bad.as_uri(): report.result_id}))
    assert second[bad.as_uri()].kind == "unchanged"
    assert second[bad.as_uri()].result_id == report.result_id

    bad.write_text(CLEAN, encoding="utf-8")
    third = by_uri(await pull(client, {bad.as_uri(): report.result_id}))
    assert third[bad.as_uri()].kind == "full" and list(third[bad.as_uri()].items) == []


async def test_workspace_pull_stops_at_the_file_limit(client: LanguageClient, tmp_path: Path):
    write_tree(tmp_path, bad=3)
    await start(client, tmp_path.as_uri(), settings={"workspaceFileLimit": 2}, pull=True)
    await until(lambda: True)
    report = await pull(client)
    assert len(report.items) == 2
    await until(lambda: any("more than 2 files" in m.message for m in client.messages))


async def test_workspace_pull_is_not_offered_when_the_client_says_so(
    client: LanguageClient, tmp_path: Path
):
    client.set_configuration({"executorchLsp": {}})
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=tmp_path.as_uri(),
            initialization_options={"workspaceDiagnostics": False},
        )
    )
    assert not result.capabilities.diagnostic_provider.workspace_diagnostics


async def test_cancelled_workspace_pull_stops_early(client: LanguageClient, tmp_path: Path):
    write_tree(tmp_path, bad=600)
    await start(client, tmp_path.as_uri(), pull=True)
    token = "pull-progress"
    client.progress_reports[token] = []
    pending = send(
        client,
        types.WORKSPACE_DIAGNOSTIC,
        types.WorkspaceDiagnosticParams(previous_result_ids=[], work_done_token=token),
        "workspace-pull",
    )
    await until(lambda: _checked(client.progress_reports[token]) > 0, timeout=30)
    cancel(client, "workspace-pull")
    cancelled_at = time.monotonic()
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wait_for(pending, 10)
    # The document thread is free again at once: a document's pull does not wait for
    # the rest of the workspace.
    uri = (tmp_path / "open.cpp").as_uri()
    open_document(client, uri, SOURCE)
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri))
    )
    assert [d.code for d in report.items] == ["ET101"]
    assert time.monotonic() - cancelled_at < 2.0
    reports = client.progress_reports[token]
    assert reports[-1].kind == "end" and "cancelled" in reports[-1].message
    assert _checked(reports) < 600


def _checked(reports: list) -> int:
    """The N of the last "N/M files" report."""
    for report in reversed(reports):
        message = getattr(report, "message", None) or ""
        if report.kind == "report" and "/" in message:
            return int(message.split("/")[0])
    return 0


# -- executorch-lsp.checkWorkspace ----------------------------------------------------------
async def test_check_command_publishes_with_progress_and_clears(
    client: LanguageClient, tmp_path: Path
):
    bad = write_tree(tmp_path, bad=3, clean=3)
    await start(client, tmp_path.as_uri(), progress=True)
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(command=CHECK))
    assert result["files"] == 6 and result["withFindings"] == 3 and not result["cancelled"]
    for path in bad:
        (diagnostic,) = await diagnostics_for(client, path.as_uri())
        assert diagnostic.code == "ET101"
    (reports,) = client.progress_reports.values()
    kinds = [report.kind for report in reports]
    assert kinds[0] == "begin" and kinds[-1] == "end" and "report" in kinds
    assert reports[0].cancellable
    assert any(r.kind == "report" and r.message.endswith("/6 files") for r in reports)

    # A file that became clean is cleared; the unchanged ones are not published again.
    bad[0].write_text(CLEAN, encoding="utf-8")
    published = len(client.published)
    await client.workspace_execute_command_async(types.ExecuteCommandParams(command=CHECK))
    again = client.published[published:]
    assert [(p.uri, list(p.diagnostics)) for p in again] == [(bad[0].as_uri(), [])]


async def test_check_command_cancelled_from_its_progress(client: LanguageClient, tmp_path: Path):
    write_tree(tmp_path, bad=600)
    await start(client, tmp_path.as_uri(), progress=True)
    running = asyncio.ensure_future(
        client.workspace_execute_command_async(types.ExecuteCommandParams(command=CHECK))
    )
    await until(lambda: any(_checked(r) > 0 for r in client.progress_reports.values()), 30)
    (token,) = client.progress_reports
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    result = await asyncio.wait_for(running, 10)
    assert result["cancelled"] and result["analysed"] < 600
    published = {p.uri for p in client.published if p.diagnostics}
    assert 0 < len(published) < 600  # what was found before the cancel stays


async def test_check_command_never_overwrites_an_open_document(
    client: LanguageClient, tmp_path: Path
):
    write_tree(tmp_path, bad=300)
    late = tmp_path / "src" / "zz_late.cpp"
    late.write_text(SOURCE, encoding="utf-8")
    await start(client, tmp_path.as_uri(), progress=True)
    running = asyncio.ensure_future(
        client.workspace_execute_command_async(types.ExecuteCommandParams(command=CHECK))
    )
    await until(lambda: any(_checked(r) > 0 for r in client.progress_reports.values()), 30)
    open_document(client, late.as_uri(), CLEAN)
    await asyncio.wait_for(running, 60)
    last = [p for p in client.published if p.uri == late.as_uri()][-1]
    assert list(last.diagnostics) == [] and last.version == 1


# -- files changed on disk --------------------------------------------------------------------
async def test_watched_file_change_updates_an_open_files_cross_file_finding(
    client: LanguageClient, tmp_path: Path
):
    registrations: list[types.Registration] = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        registrations.extend(params.registrations)

    for name, text in (("engine.cpp", ENGINE_CPP), ("threads.cpp", THREADS_CPP)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "main.cpp").write_text(MAIN_CPP, encoding="utf-8")
    await start(client, tmp_path.as_uri(), watch=True)
    main_uri = (tmp_path / "main.cpp").as_uri()
    open_document(client, main_uri, MAIN_CPP)
    found = await diagnostics_for(client, main_uri, version=1)
    if not found:  # published before the index was built; the finding follows it
        found = await diagnostics_for(client, main_uri, version=1)
    (diagnostic,) = found
    assert diagnostic.code == "ET101"
    await until(lambda: registrations)
    assert registrations[0].method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES

    # A checkout takes the reset out of threads.cpp, which is not open.
    (tmp_path / "threads.cpp").write_text(THREADS_CPP.replace("::executorch", "// "), "utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(
                    uri=(tmp_path / "threads.cpp").as_uri(), type=types.FileChangeType.Changed
                )
            ]
        )
    )
    refreshed = await asyncio.wait_for(diagnostics_for(client, main_uri, version=1), 20)
    assert list(refreshed) == []


# -- cancellation and stale results -----------------------------------------------------------
async def test_cancelled_hover_returns_request_cancelled(client: LanguageClient, tmp_path: Path):
    await start(client, tmp_path.as_uri())
    uri = (tmp_path / "main.cpp").as_uri()
    open_document(client, uri, SOURCE)
    await diagnostics_for(client, uri, version=1)
    # Opening a large file keeps the document thread busy (one analysis, not sliced):
    # the hover waits behind it and is cancelled before it starts.
    big = "".join(
        f"int f{i}(executorch::extension::Module& m) {{ return (int)m.load(); }}\n"
        for i in range(20000)
    )
    open_document(client, (tmp_path / "big.cpp").as_uri(), big)
    hover = send(
        client,
        types.TEXT_DOCUMENT_HOVER,
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(6, 20)),
        "hover-1",
    )
    cancel(client, "hover-1")
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wait_for(hover, 20)


async def test_rapid_edits_end_with_the_latest_diagnostics(client: LanguageClient, tmp_path: Path):
    await start(client, tmp_path.as_uri())
    uri = (tmp_path / "main.cpp").as_uri()
    open_document(client, uri, SOURCE)
    await diagnostics_for(client, uri, version=1)
    reset_line = SOURCE.split("\n").index(next(x for x in SOURCE.split("\n") if "reset" in x))
    # Comment the reset out and in again, many times, without waiting.
    for version in range(2, 42):
        if version % 2 == 0:
            edit_document(client, uri, version, (reset_line, 2), (reset_line, 2), "// ")
        else:
            edit_document(client, uri, version, (reset_line, 2), (reset_line, 5), "")
    edit_document(client, uri, 42, (reset_line, 2), (reset_line, 2), "// ")
    final = await diagnostics_for(client, uri, version=42, timeout=30)
    assert list(final) == []
    await asyncio.sleep(0.5)
    mine = [p for p in client.published if p.uri == uri]
    assert mine[-1].version == 42 and all(p.version >= 1 for p in mine)
    versions = [p.version for p in mine]
    assert versions == sorted(versions)

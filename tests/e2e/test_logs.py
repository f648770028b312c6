"""End-to-end: log documents and the explain-log command over stdio."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import diagnostics_for, edit_document, open_document, start

PAL = "E 00:00:00.366934 executorch:method.cpp:88] "
BACKEND = "Backend XnnpackBackend is not registered."
# Line 1 has characters outside the BMP before the message: UTF-16 columns differ from
# code points and from bytes there.
LOG = "\n".join(
    [
        "I 00:00:00.000100 executorch:executor_runner.cpp:120] Model file model.pte is loaded.",
        f"😀é {PAL}{BACKEND}",
        "unrelated: processed 20 files, exit code 1",
        f"{PAL}{BACKEND}",
        "RuntimeError: Failed to load method forward, error: 0x:14",
    ]
)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _range(line: int, text: str, message: str) -> types.Range:
    start = _utf16(text[: text.index(message)])
    return types.Range(types.Position(line, start), types.Position(line, start + _utf16(message)))


async def test_log_file_gets_information_diagnostics(client: LanguageClient, tmp_path: Path):
    await start(client, tmp_path.as_uri())
    uri = (tmp_path / "run.log").as_uri()
    open_document(client, uri, LOG, language_id="plaintext")
    diagnostics = await diagnostics_for(client, uri, version=1)
    assert [(d.range.start.line, d.code) for d in diagnostics] == [
        (1, "backend-not-registered"),
        (3, "backend-not-registered"),
        (4, "error-code"),
    ]
    first = diagnostics[0]
    assert first.range == _range(1, LOG.splitlines()[1], BACKEND)
    assert first.severity == types.DiagnosticSeverity.Information
    assert first.source == "executorch-lsp"
    assert first.code_description.href.endswith("#error-0x20-not-found")
    assert first.message.startswith("Backend XnnpackBackend is not registered")
    assert "EXECUTORCH_BUILD_XNNPACK" in first.message

    # An edit that removes the runtime's lines removes their diagnostics.
    edit_document(client, uri, 2, (1, 0), (4, 0), "")
    (remaining,) = await diagnostics_for(client, uri, version=2)
    assert remaining.range.start.line == 1 and remaining.code == "error-code"


async def test_hover_on_a_log_line_explains_it(client: LanguageClient, tmp_path: Path):
    await start(client, tmp_path.as_uri())
    uri = "untitled:Untitled-1"
    open_document(client, uri, LOG, language_id="log")
    await diagnostics_for(client, uri)
    line = LOG.splitlines()[1]
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(1, _utf16(line[: line.index("registered")])),
        )
    )
    assert hover.contents.value.startswith("### Backend XnnpackBackend is not registered")
    assert "$<LINK_LIBRARY:WHOLE_ARCHIVE,xnnpack_backend>" in hover.contents.value
    assert "Seen on 2 lines: 2, 4." in hover.contents.value
    assert hover.range == _range(1, line, BACKEND)
    nothing = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(2, 5)
        )
    )
    assert nothing is None


async def test_plain_text_is_not_attached(client: LanguageClient, tmp_path: Path):
    await start(client, tmp_path.as_uri())
    notes = (tmp_path / "notes.txt").as_uri()
    open_document(client, notes, LOG, language_id="plaintext")
    log = (tmp_path / "other.log").as_uri()
    open_document(client, log, "GET /method failed with status 404\nexit code 1\n", "log")
    assert list(await diagnostics_for(client, log)) == []
    assert notes not in {params.uri for params in client.published}


async def test_explain_command_on_an_untitled_buffer(client: LanguageClient, tmp_path: Path):
    await start(client, tmp_path.as_uri())
    uri = "untitled:Untitled-2"
    report = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="executorch-lsp.explainLog", arguments=[uri, LOG])
    )
    assert report.startswith("### Backend XnnpackBackend is not registered")
    assert "Seen on lines 2, 4." in report
    diagnostics = await diagnostics_for(client, uri)
    assert [d.range.start.line for d in diagnostics] == [1, 3, 4]
    assert diagnostics[0].range == _range(1, LOG.splitlines()[1], BACKEND)

    unknown = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="executorch-lsp.explainLog", arguments=["untitled:Untitled-9"]
        )
    )
    assert unknown is None


async def test_explain_command_on_an_open_log(client: LanguageClient, tmp_path: Path):
    await start(client, tmp_path.as_uri())
    uri = (tmp_path / "app.log").as_uri()
    open_document(client, uri, "Failed to load method: error 20\n", language_id="log")
    await diagnostics_for(client, uri, version=1)
    report = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="executorch-lsp.explainLog", arguments=[uri])
    )
    assert "Error::OperatorMissing (0x14) if decimal, Error::NotFound (0x20) if hex" in report
    (diagnostic,) = await diagnostics_for(client, uri, version=1)
    assert diagnostic.range == types.Range(types.Position(0, 0), types.Position(0, 31))


async def test_pull_diagnostics_for_a_log(client: LanguageClient, tmp_path: Path):
    await start(client, tmp_path.as_uri(), pull=True)
    uri = (tmp_path / "device.log").as_uri()
    open_document(client, uri, LOG, language_id="log")
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert [d.code for d in report.items] == [
        "backend-not-registered",
        "backend-not-registered",
        "error-code",
    ]
    assert uri not in client.diagnostics  # nothing pushed to a pull client

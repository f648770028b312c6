"""The real server over stdio, driven by pytest-lsp's client."""

from __future__ import annotations

import asyncio
import sys

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

SERVER = [sys.executable, "-m", "executorch_lsp", "serve", "--stdio"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):
    record_publications(lsp_client)
    yield lsp_client
    await asyncio.wait_for(lsp_client.shutdown_session(), timeout=15)


def record_publications(client: LanguageClient) -> None:
    """Keep every publishDiagnostics in arrival order. Waiting for "the next
    notification" loses those that arrive back to back; a log loses none."""
    client.published = []
    client.consumed = {}
    protocol = client.protocol
    handle = protocol._handle_notification

    def recording(method_name, params):
        if method_name == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
            client.published.append(params)
        return handle(method_name, params)

    protocol._handle_notification = recording


def capabilities(
    pull: bool = False,
    encodings: list[str] | None = None,
    configuration: bool = True,
    progress: bool = False,
    watch: bool = False,
) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(
            position_encodings=[types.PositionEncodingKind(e) for e in encodings]
            if encodings
            else None
        ),
        window=types.WindowClientCapabilities(work_done_progress=progress),
        workspace=types.WorkspaceClientCapabilities(
            configuration=configuration,
            did_change_configuration=types.DidChangeConfigurationClientCapabilities(),
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True
            )
            if watch
            else None,
            diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=False)
            if pull
            else None,
        ),
        text_document=types.TextDocumentClientCapabilities(
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                related_information=True,
                version_support=True,
                code_description_support=True,
                data_support=True,
            ),
            diagnostic=types.DiagnosticClientCapabilities() if pull else None,
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(
                        value_set=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]
                    )
                ),
                data_support=True,
            ),
        ),
    )


async def start(
    client: LanguageClient, root_uri: str, settings: dict | None = None, **kwargs
) -> types.InitializeResult:
    client.set_configuration({"executorchLsp": settings or {}})
    return await client.initialize_session(
        types.InitializeParams(capabilities=capabilities(**kwargs), root_uri=root_uri)
    )


def open_document(client: LanguageClient, uri: str, text: str, language_id: str = "cpp") -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language_id, version=1, text=text
            )
        )
    )


def edit_document(
    client: LanguageClient,
    uri: str,
    version: int,
    start: tuple[int, int],
    end: tuple[int, int],
    text: str,
) -> None:
    """Replace the range ``start``-``end`` (line, character) of an open document."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(*start), types.Position(*end)), text=text
                )
            ],
        )
    )


async def diagnostics_once(
    client: LanguageClient, uri: str, condition, version: int | None = None, timeout: float = 30.0
):
    """The first publishDiagnostics for ``uri`` (and ``version``) that satisfies
    ``condition``: an open file's first diagnostics may come before the workspace index
    is ready (without cross-file findings), and again once it is."""
    while True:
        diagnostics = await diagnostics_for(client, uri, version, timeout)
        if condition(diagnostics):
            return diagnostics


async def diagnostics_for(
    client: LanguageClient, uri: str, version: int | None = None, timeout: float = 30.0
):
    """The next publishDiagnostics for ``uri`` (and ``version``) not yet returned."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        start = client.consumed.get(uri, 0)
        for index in range(start, len(client.published)):
            params = client.published[index]
            if params.uri == uri and (version is None or params.version == version):
                client.consumed[uri] = index + 1
                return params.diagnostics
        assert loop.time() < deadline, f"no diagnostics for {uri} (version {version})"
        await asyncio.sleep(0.01)

"""End-to-end: the real server process over stdio."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import diagnostics_for, edit_document, open_document, start

RESET = "::executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(4);"
SOURCE = f"""#include <executorch/extension/module/module.h>
using executorch::extension::Module;
using executorch::runtime::Error;
int main() {{
  Module module("model.pte");
  const Error status = module.load_method("forward");
  if (status == Error::NotFound) return 1;
  {RESET}
  return 0;
}}
"""


async def until(condition, timeout: float = 15.0) -> None:
    """Wait for a condition on the client's state (notifications arrive asynchronously)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def _uri(tmp_path: Path, name: str = "main.cpp") -> str:
    return (tmp_path / name).as_uri()


async def test_initialize_advertises_capabilities(client: LanguageClient, tmp_path: Path):
    result = await start(client, tmp_path.as_uri())
    caps = result.capabilities
    assert result.server_info.name == "executorch-lsp"
    assert caps.hover_provider
    assert caps.diagnostic_provider.identifier == "executorch-lsp"
    assert types.CodeActionKind.QuickFix in caps.code_action_provider.code_action_kinds
    assert "source.fixAll.executorch-lsp" in caps.code_action_provider.code_action_kinds
    assert caps.text_document_sync.change == types.TextDocumentSyncKind.Incremental
    assert caps.position_encoding == types.PositionEncodingKind.Utf16


async def test_push_diagnostics_on_open_and_change(client: LanguageClient, tmp_path: Path):
    await start(client, tmp_path.as_uri())
    uri = _uri(tmp_path)
    open_document(client, uri, SOURCE)
    (diagnostic,) = await diagnostics_for(client, uri, version=1)
    assert diagnostic.code == "ET101"
    assert diagnostic.source == "executorch-lsp"
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.code_description.href.endswith("/ET101.md")
    assert diagnostic.range.start == types.Position(7, 57)
    assert diagnostic.related_information[0].location.range.start.line == 5
    assert diagnostic.data["fix"]["title"].startswith("Move the thread-pool reset")

    # Comment out the load: the finding goes away in the next version.
    edit_document(client, uri, 2, (5, 2), (5, 2), "// ")
    assert list(await diagnostics_for(client, uri, version=2)) == []


async def test_pull_diagnostics_when_client_supports_them(client: LanguageClient, tmp_path: Path):
    await start(client, tmp_path.as_uri(), pull=True)
    uri = _uri(tmp_path)
    open_document(client, uri, SOURCE)
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert [d.code for d in report.items] == ["ET101"]
    again = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=report.result_id
        )
    )
    assert again.kind == "unchanged"
    assert uri not in client.diagnostics  # nothing pushed to a pull client


async def test_hover_error_enum_and_reset_call(client: LanguageClient, tmp_path: Path):
    await start(client, tmp_path.as_uri())
    uri = _uri(tmp_path)
    open_document(client, uri, SOURCE)
    await diagnostics_for(client, uri)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(6, SOURCE.splitlines()[6].index("NotFound") + 2),
        )
    )
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert "0x20" in hover.contents.value and "xnnpack_backend" in hover.contents.value
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(7, 60)
        )
    )
    assert "before loading or running any model" in hover.contents.value
    assert "ET101 threadpool-reset-after-load" in hover.contents.value


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def test_hover_api_notes_and_log_messages(client: LanguageClient, tmp_path: Path):
    line = '  /* é😀 */ ET_LOG(Error, "Backend %s is not registered.", "XnnpackBackend");'
    source = SOURCE.replace(f"  {RESET}", line)
    await start(client, tmp_path.as_uri())
    uri = _uri(tmp_path)
    open_document(client, uri, source)
    await diagnostics_for(client, uri)

    async def hover_on(line_number: int, text: str, marker: str) -> types.Hover:
        character = _utf16(text[: text.index(marker)]) + 1
        return await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line_number, character),
            )
        )

    load_line = source.splitlines()[5]
    hover = await hover_on(5, load_line, "load_method")
    assert hover.contents.value.startswith(
        "### `Module::load_method()` loads a method and initialises its delegates"
    )
    hover = await hover_on(4, source.splitlines()[4], "Module module")
    assert "nothing is loaded yet" in hover.contents.value

    hover = await hover_on(7, line, "ET_LOG")
    assert "EXECUTORCH_ENABLE_LOGGING=ON" in hover.contents.value
    assert hover.range.start == types.Position(7, _utf16(line[: line.index("ET_LOG")]))

    hover = await hover_on(7, line, "registered")
    assert hover.contents.value.startswith("### ExecuTorch log message: Error::NotFound")
    assert "whole-archive" in hover.contents.value
    first = _utf16(line[: line.index("Backend")])
    last = _utf16(line[: line.index('.", ')])
    assert hover.range == types.Range(types.Position(7, first), types.Position(7, last))


async def test_code_actions_quick_fix_disable_and_fix_all(client: LanguageClient, tmp_path: Path):
    await start(client, tmp_path.as_uri())
    uri = _uri(tmp_path)
    open_document(client, uri, SOURCE)
    diagnostics = await diagnostics_for(client, uri)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=diagnostics),
        )
    )
    titles = [action.title for action in actions]
    assert titles[0] == "ET101: Move the thread-pool reset before the first model load"
    assert "Disable ET101 for this line" in titles
    assert actions[0].is_preferred and actions[0].diagnostics == diagnostics
    disable = actions[titles.index("Disable ET101 for this line")]
    (edit,) = disable.edit.changes[uri]
    assert edit.new_text == "  // executorch-lsp: ignore[ET101]"

    fix_all = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[], only=["source.fixAll"]),
        )
    )
    assert [a.kind for a in fix_all] == ["source.fixAll.executorch-lsp"]
    assert len(fix_all[0].edit.changes[uri]) == 2


async def test_configuration_change_applies_without_restart(client: LanguageClient, tmp_path: Path):
    await start(client, tmp_path.as_uri())
    uri = _uri(tmp_path)
    open_document(client, uri, SOURCE)
    assert len(await diagnostics_for(client, uri)) == 1
    client.set_configuration({"executorchLsp": {"ignore": ["ET101"]}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert list(await diagnostics_for(client, uri)) == []
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"executorchLsp": {"severity": {"ET101": "hint"}}}
        )
    )
    (diagnostic,) = await diagnostics_for(client, uri)
    assert diagnostic.severity == types.DiagnosticSeverity.Hint


async def test_broken_config_file_is_reported_not_fatal(client: LanguageClient, tmp_path: Path):
    config = tmp_path / ".executorch-lsp.toml"
    config.write_text("select = [ET101\n")
    await start(client, tmp_path.as_uri())
    uri = _uri(tmp_path)
    open_document(client, uri, SOURCE)
    config_diagnostics = await diagnostics_for(client, config.as_uri())
    assert "invalid TOML" in config_diagnostics[0].message
    await until(lambda: uri in client.diagnostics and client.messages)
    assert any("configuration error" in m.message for m in client.messages)
    assert [d.code for d in client.diagnostics[uri]] == ["ET101"]  # defaults still apply


async def test_non_ascii_positions_utf16_and_utf8(client: LanguageClient, tmp_path: Path):
    line = f"  /* é😀 */ {RESET}"
    source = SOURCE.replace(f"  {RESET}", line)
    await start(client, tmp_path.as_uri())
    uri = _uri(tmp_path)
    open_document(client, uri, source)
    (diagnostic,) = await diagnostics_for(client, uri)
    prefix = line[: line.index("_unsafe_reset_threadpool")]
    assert diagnostic.range.start.character == len(prefix.encode("utf-16-le")) // 2


async def test_utf8_encoding_is_negotiated(client: LanguageClient, tmp_path: Path):
    line = f"  /* é😀 */ {RESET}"
    source = SOURCE.replace(f"  {RESET}", line)
    result = await start(client, tmp_path.as_uri(), encodings=["utf-8", "utf-16"])
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    uri = _uri(tmp_path)
    open_document(client, uri, source)
    (diagnostic,) = await diagnostics_for(client, uri)
    prefix = line[: line.index("_unsafe_reset_threadpool")]
    assert diagnostic.range.start.character == len(prefix.encode("utf-8"))


async def test_binary_and_unknown_files_do_not_break_the_server(
    client: LanguageClient, tmp_path: Path
):
    await start(client, tmp_path.as_uri())
    open_document(
        client, _uri(tmp_path, "blob.cpp"), "\x00\x01\x02 _unsafe_reset_threadpool \udcff"
    )
    open_document(client, _uri(tmp_path, "notes.txt"), "hello", language_id="plaintext")
    uri = _uri(tmp_path)
    open_document(client, uri, SOURCE)
    assert [d.code for d in await diagnostics_for(client, uri)] == ["ET101"]


async def test_tcp_mode_for_debugging(tmp_path: Path):
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "executorch_lsp", "serve", "--tcp", f"127.0.0.1:{port}"]
    )
    try:
        for _ in range(100):
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.1)
        body = b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}'
        writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        header = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 20)
        length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        reply = await reader.readexactly(length)
        assert b'"name":"executorch-lsp"' in reply.replace(b" ", b"")
        writer.close()
    finally:
        server.kill()
        server.wait()


async def test_explain_command(client: LanguageClient, tmp_path: Path):
    result = await start(client, tmp_path.as_uri())
    assert "executorch-lsp.explain" in result.capabilities.execute_command_provider.commands
    text = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="executorch-lsp.explain", arguments=["0x20"])
    )
    assert "Error::NotFound (0x20 = 32)" in text
    text = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="executorch-lsp.explain", arguments=["banana"])
    )
    assert text is None

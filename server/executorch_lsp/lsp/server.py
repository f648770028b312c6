"""The language server: a thin layer that maps LSP messages onto the engine."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlparse

from cattrs import transform_error
from cattrs.errors import ClassValidationError
from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcMethodNotFound,
    JsonRpcParseError,
    JsonRpcRequestCancelled,
)
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method

from .. import __version__
from ..engine.config import ConfigError
from ..engine.findings import Finding
from ..engine.languages import detect_language_for_editor
from ..engine.text import PositionEncoding, TextBuffer
from ..engine.workspace import Workspace
from ..knowledge.runtime_log import truncation_note
from . import logs
from .convert import SOURCE, to_diagnostic
from .framing import ResyncingInput
from .scans import Scans
from .state import ConfigStore, DocumentStore

log = logging.getLogger(__name__)
# How long typing must pause before other files are told about an edit's summary change.
DEPENDENTS_DELAY_SECONDS = 0.3
# The event loop reads each message in several steps, and at each it waits for a busy
# thread (the worker, the index) to hand over the GIL: every 5 ms by Python's default.
# With 1 ms, a keystroke that arrives while another thread computes costs ~25 ms less.
SWITCH_INTERVAL_SECONDS = 0.001
SETTINGS_SECTION = "executorchLsp"


@dataclass
class _Unreadable:
    """A JSON object that is no valid message (wrong parameter types, a bad id)."""

    data: dict[str, Any]
    error: Exception


def _request_id(data: dict[str, Any]) -> int | str | None:
    value = data.get("id")
    return value if isinstance(value, (int, str)) and not isinstance(value, bool) else None


def _params_problem(error: Exception) -> str:
    cause = error.__cause__
    if isinstance(cause, ClassValidationError):
        return "invalid params: " + "; ".join(transform_error(cause))
    return "invalid params"


# How many futures pygls may hold before the finished ones are dropped.
FUTURES_SWEPT_AT = 1024


class _Protocol(LanguageServerProtocol):
    """Keeps documents out of pygls's workspace: the engine has its own buffers,
    and pygls's per-keystroke text update is O(lines) in Python.

    Answers every request: pygls leaves a request unanswered when it cannot read its
    parameters (it shows an error message instead), when it is not JSON-RPC 2.0, and
    after shutdown."""

    _sweep_at = FUTURES_SWEPT_AT

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            return _Unreadable(data, error)

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _Unreadable):
            self._answer_unreadable(message)
        elif not hasattr(message, "jsonrpc"):  # JSON, but no object with "jsonrpc"
            log.warning("not a JSON-RPC message: %.200r", message)
            request_id = _request_id(message) if isinstance(message, dict) else None
            self._send_error(request_id, JsonRpcInvalidRequest("not a JSON-RPC 2.0 message"))
        elif self._unanswerable_request(message):
            reason = "server is shut down" if self._shutdown else "not a JSON-RPC 2.0 request"
            self._send_error(message.id, JsonRpcInvalidRequest(reason))
        else:
            super().handle_message(message)

    def _unanswerable_request(self, message: Any) -> bool:
        """A request pygls would drop without an answer."""
        if getattr(message, "method", None) is None or getattr(message, "id", None) is None:
            return False
        return message.jsonrpc != self.VERSION or (self._shutdown and message.method != "exit")

    def _answer_unreadable(self, message: _Unreadable) -> None:
        data, request_id = message.data, _request_id(message.data)
        if "method" not in data or "id" not in data:
            log.warning("ignored an unreadable notification or response: %.200r", data)
        elif request_id is None:
            self._send_error(None, JsonRpcInvalidRequest("a request id must be a number or string"))
        elif not self._handles(data["method"]):
            self._send_error(request_id, JsonRpcMethodNotFound.of(str(data["method"])))
        else:
            problem = _params_problem(message.error)
            log.warning("request %r %s: %s", request_id, data.get("method"), problem)
            self._send_error(request_id, JsonRpcInvalidParams(problem))

    def _handles(self, method: Any) -> bool:
        features = (self.fm.builtin_features, self.fm.features)
        return isinstance(method, str) and any(method in table for table in features)

    def _send_error(self, request_id: int | str | None, error: JsonRpcException) -> None:
        send_error(self, request_id, error)

    def _execute_handler(self, msg_id, handler, callback, args=None, kwargs=None) -> None:
        # pygls forgets the future of a request once it answers it, but keeps that of
        # every notification and of every step of its built-in handlers (a leak per
        # message). Finished ones are swept here, on the event loop, where pygls also
        # walks them (a done callback could run during that walk, or on another thread).
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        if len(self._request_futures) > self._sweep_at:
            for key in [key for key, f in self._request_futures.items() if f.done()]:
                self._request_futures.pop(key, None)
            self._sweep_at = max(FUTURES_SWEPT_AT, 2 * len(self._request_futures))

    def _run_generator(self, future, *, gen, result_future) -> None:
        # A step of a built-in handler that was cancelled (the client went away, or the
        # request was cancelled) cancels the request instead of raising in a callback.
        if future is not None and future.cancelled():
            gen.close()
            result_future.cancel()
            return
        super()._run_generator(future, gen=gen, result_future=result_future)

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None

    def _handle_cancel_notification(self, msg_id):
        # pygls cancels a request's future only; work already running on the document
        # thread learns of the cancellation through the request's event.
        self._server.request_cancelled(msg_id)
        super()._handle_cancel_notification(msg_id)


def send_error(
    protocol: LanguageServerProtocol, request_id: int | str | None, error: JsonRpcException
) -> None:
    """An error response; ``"id": null`` when the request's id is unknown (pygls's
    converter would leave the id out)."""
    if request_id is not None:
        protocol._send_response(request_id, error=error.to_response_error())
        return
    body = {"code": error.code, "message": error.message}
    protocol._send_data({"jsonrpc": protocol.VERSION, "id": None, "error": body})


class _QuietInputErrors(logging.Filter):
    """pygls logs a traceback for each message it cannot read; the protocol above logs
    one line saying why (hostile input must not flood the log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith("Unable to deserialize message"):
            return False
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, JsonRpcInvalidParams):  # an unknown command: the message says it
            record.exc_info = None
        return not (
            message.startswith("Unable to handle message") and isinstance(error, ValueError)
        )


for _logger in ("pygls.protocol.json_rpc", "pygls.server"):
    logging.getLogger(_logger).addFilter(_QuietInputErrors())


def _load_rules() -> None:
    from ..engine import analysis, hover  # noqa: F401


def uri_to_path(uri: str) -> str:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme == "file" else uri


class ExecutorchServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "executorch-lsp",
            __version__,
            protocol_cls=_Protocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.configs = ConfigStore()
        self.store = DocumentStore(self.configs)
        self.logs = logs.LogDocuments()  # touched on the worker thread only
        self._noted_truncations: set[str] = set()
        self.encoding = PositionEncoding.UTF16
        self.pull_diagnostics = False
        self.related_information = True
        self._reported_config_errors: set[str] = set()
        self._pending_checks: dict[str, asyncio.TimerHandle] = {}
        self.event_loop: asyncio.AbstractEventLoop | None = None
        self.scans = Scans(self)
        self.file_limit: int | None = None  # editor setting workspaceFileLimit
        self._request_events: dict[Any, threading.Event] = {}
        self._noted_limit: int | None = None

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        super().start_io(ResyncingInput(stdin or sys.stdin.buffer), stdout)

    def shutdown(self) -> None:
        """The connection ended: work queued for the client is dropped."""
        self.store.worker.shutdown(wait=False, cancel_futures=True)
        super().shutdown()

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Input that is no JSON gets JSON-RPC's parse error (the reader passes
        ``JsonRpcException`` as the source); other errors are pygls's to report."""
        if source is JsonRpcException and isinstance(error, ValueError):
            log.warning("unreadable message: %s", error)
            send_error(self.protocol, None, JsonRpcParseError(f"not JSON: {error}"))
            return
        super().report_server_error(error, source)

    # -- cancellation ------------------------------------------------------------------
    @contextmanager
    def cancellation(self) -> Iterator[threading.Event]:
        """An event set when the client cancels the request being handled."""
        msg_id = self.protocol.msg_id
        event = threading.Event()
        if msg_id is not None:
            self._request_events[msg_id] = event
        try:
            yield event
        finally:
            if msg_id is not None and self._request_events.get(msg_id) is event:
                del self._request_events[msg_id]

    def request_cancelled(self, msg_id: Any) -> None:
        event = self._request_events.get(msg_id)
        if event is not None:
            event.set()

    async def on_worker_unless(self, cancelled: threading.Event, job: Callable[[], Any]) -> Any:
        """``job`` on the document thread, skipped when the request is cancelled before it
        runs (it may wait behind other work); RequestCancelled then."""

        def guarded() -> Any:
            if cancelled.is_set():
                raise JsonRpcRequestCancelled()
            return job()

        return await self.on_worker(guarded)

    # -- running work on the document thread -------------------------------------------
    def on_worker(self, job: Callable[[], Any]) -> asyncio.Future:
        self.event_loop = asyncio.get_running_loop()
        future = self.event_loop.run_in_executor(self.store.worker, job)
        future.add_done_callback(_log_failure)
        return future

    # -- diagnostics -------------------------------------------------------------------
    def diagnostics_for(self, uri: str) -> tuple[int | None, list[types.Diagnostic]] | None:
        """Runs on the worker thread."""
        log_document = self.logs.get(uri)
        if log_document is not None:
            return log_document.version, self.log_diagnostics(uri, log_document)
        result = self.store.analysis_for(uri)
        if result is None:
            return None
        entry, analysis, config_error = result
        if config_error is not None:
            self.call_soon(self.report_config_error, config_error)
        buffer, version = entry.document.buffer, entry.document.version
        return version, self.to_diagnostics(uri, buffer, analysis.findings, version)

    def to_diagnostics(
        self, uri: str, buffer: TextBuffer | None, findings: list[Finding], version: int | None
    ) -> list[types.Diagnostic]:
        return [
            to_diagnostic(
                uri,
                buffer,
                finding,
                self.encoding,
                version,
                self.related_information,
                buffer_for=self._buffer_for,
            )
            for finding in findings
        ]

    def log_diagnostics(self, uri: str, document: logs.LogDocument) -> list[types.Diagnostic]:
        """Runs on the worker thread."""
        if not self.configs.enabled:
            return []
        note = truncation_note(document.report)
        if note is not None and uri not in self._noted_truncations:
            self._noted_truncations.add(uri)
            self.call_soon(self.show_info, f"executorch-lsp: {uri_to_path(uri)}: {note}")
        return logs.diagnostics(document, self.encoding)

    def note_truncation(self, limit: int) -> None:
        """A whole-workspace check stopped listing at ``limit`` files (said once per limit)."""
        message = (
            f"executorch-lsp: the workspace has more than {limit} files to check; only the "
            f"first {limit} were checked. Raise the limit with the setting "
            "executorchLsp.workspaceFileLimit or `workspace-file-limit` in .executorch-lsp.toml."
        )
        log.warning(message)
        if self._noted_limit != limit:
            self._noted_limit = limit
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=message)
            )

    def show_info(self, message: str) -> None:
        self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Info, message=message)
        )

    def _buffer_for(self, path: str) -> TextBuffer | None:
        """Text of another file, for related information that points into it."""
        data = self.store.workspace.read(path) if self.store.workspace is not None else None
        return TextBuffer(data) if data is not None else None

    def publish(self, uri: str, version: int | None, diagnostics: list[types.Diagnostic]) -> None:
        if self.pull_diagnostics:
            return
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def open_log(self, item: types.TextDocumentItem) -> None:
        self.store.latest_version[item.uri] = item.version
        self.on_worker(lambda: self.logs.open(item.uri, item.text, item.version))
        self.schedule_diagnostics(item.uri, item.version)

    def close_log(self, uri: str) -> None:
        self._noted_truncations.discard(uri)
        self.on_worker(lambda: self.logs.close(uri))

    def schedule_diagnostics(self, uri: str, version: int | None) -> None:
        def job():
            if not self.store.is_latest(uri, version):
                return None  # a newer change is queued; it will be analysed instead
            return self.diagnostics_for(uri)

        future = self.on_worker(job)
        future.add_done_callback(lambda done: self._publish_result(uri, done))

    def schedule_dependents_check(self, uri: str, version: int | None) -> None:
        """After an edit, once typing pauses: if the file's summary that other files depend
        on changed, every open document is analysed again. The pause keeps the summary
        (a walk over the whole file) off the path of each keystroke's diagnostics."""

        def job() -> bool:
            entry = self.store.get(uri)
            if entry is None or not self.store.is_latest(uri, version):
                return False
            if not self.store.remember_pending():
                return False
            return self.store.check_dependents(entry.document.path, give_way=True)

        def submit() -> None:
            self._pending_checks.pop(uri, None)
            if self.store.is_latest(uri, version):
                self.on_worker(job).add_done_callback(self.refresh_if_changed)

        pending = self._pending_checks.pop(uri, None)
        if pending is not None:
            pending.cancel()
        loop = asyncio.get_running_loop()
        self._pending_checks[uri] = loop.call_later(DEPENDENTS_DELAY_SECONDS, submit)

    def _publish_result(self, uri: str, done: asyncio.Future) -> None:
        if done.cancelled():
            return
        if done.exception() is not None:
            log.error("analysis of %s failed", uri, exc_info=done.exception())
            return
        result = done.result()
        if result is not None and self.store.is_latest(uri, result[0]):
            self.publish(uri, *result)

    def refresh_all(self) -> None:
        """After a configuration change: re-analyse every open document."""
        if self.pull_diagnostics and self._client_refreshes():
            self.workspace_diagnostic_refresh(None)
            return
        for uri, version in list(self.store.latest_version.items()):
            self.schedule_diagnostics(uri, version)

    def refresh_if_changed(self, done: asyncio.Future) -> None:
        """After a save or close: if other files' findings may have changed, refresh."""
        if not done.cancelled() and done.exception() is None and done.result():
            self.refresh_all()

    def warm_workspace(self, workspace: Workspace) -> None:
        """Index the workspace in the background. Analyses wait for it briefly, then go
        without the workspace; the open documents are analysed again once it is ready."""
        from ..engine.analysis import prepare_workspace

        config, _ = self.configs.for_path(str(next(iter(workspace.roots), Path.cwd())))

        def build() -> None:
            try:
                prepare_workspace(workspace, config)
            finally:
                self.store.index_ready.set()
                self.call_soon(self.index_built)

        threading.Thread(target=build, daemon=True, name="index").start()

    def index_built(self) -> None:
        def refresh(done: asyncio.Future) -> None:
            self.refresh_if_changed(done)  # first: the open documents' diagnostics
            self.on_worker(self.store.remember_pending)

        self.on_worker(self.store.index_built).add_done_callback(refresh)

    def _client_refreshes(self) -> bool:
        capabilities = self.client_capabilities
        workspace = capabilities.workspace if capabilities else None
        diagnostics = workspace.diagnostics if workspace else None
        return bool(diagnostics and diagnostics.refresh_support)

    # -- configuration -----------------------------------------------------------------
    def call_soon(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run ``callback`` on the event loop (from the worker thread); nothing once the
        loop has closed (the client is gone)."""
        try:
            self.event_loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:
            log.debug("event loop closed; %s dropped", callback)

    def forget_config_errors(self) -> None:
        self._reported_config_errors.clear()

    def report_config_error(self, error: ConfigError) -> None:
        key = str(error)
        if key in self._reported_config_errors:
            return
        self._reported_config_errors.add(key)
        self.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Error, message=f"executorch-lsp: configuration error: {key}"
            )
        )
        if error.path is not None:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=error.path.resolve().as_uri(),
                    diagnostics=[
                        types.Diagnostic(
                            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                            message=f"executorch-lsp configuration error: {error.message}",
                            severity=types.DiagnosticSeverity.Error,
                            source=SOURCE,
                        )
                    ],
                )
            )

    def apply_settings(self, settings: Any) -> None:
        """Editor settings (``executorchLsp.*``): enable, select, ignore, severity, exclude,
        workspaceFileLimit."""
        if not isinstance(settings, dict):
            settings = {}
        enabled = settings.get("enable", True) is not False
        keys = ("select", "ignore", "severity", "exclude")
        overrides = {key: settings[key] for key in keys if settings.get(key)}
        limit = settings.get("workspaceFileLimit")
        self.file_limit = limit if isinstance(limit, int) and limit > 0 else None

        def job() -> bool:
            configs = self.configs
            if configs.editor_settings == overrides and configs.enabled == enabled:
                return False
            configs.editor_settings = overrides
            configs.enabled = enabled
            configs.invalidate()
            self.call_soon(self.forget_config_errors)
            return True

        def done(future: asyncio.Future) -> None:
            if not future.cancelled() and future.exception() is None and future.result():
                self.refresh_all()

        self.on_worker(job).add_done_callback(done)

    async def fetch_settings(self) -> None:
        capabilities = self.client_capabilities
        if not (capabilities and capabilities.workspace and capabilities.workspace.configuration):
            return
        try:
            result = await self.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SETTINGS_SECTION)])
            )
        except Exception:  # a client that cannot answer keeps the defaults
            log.exception("workspace/configuration failed")
            return
        self.apply_settings(result[0] if result else None)

    @property
    def client_capabilities(self) -> types.ClientCapabilities | None:
        return getattr(self.protocol, "client_capabilities", None)


def _log_failure(done: asyncio.Future) -> None:
    if (
        not done.cancelled()
        and done.exception() is not None
        and not isinstance(done.exception(), JsonRpcRequestCancelled)
    ):
        log.error("a job on the document thread failed", exc_info=done.exception())


def _workspace_roots(params: types.InitializeParams) -> list[Path]:
    if params.workspace_folders:
        return [Path(uri_to_path(folder.uri)) for folder in params.workspace_folders]
    if params.root_uri:
        return [Path(uri_to_path(params.root_uri))]
    return [Path(params.root_path)] if params.root_path else []


def _language_for(uri: str, language_id: str | None):
    return detect_language_for_editor(uri_to_path(uri), language_id)


def create_server() -> ExecutorchServer:
    from . import features, workspace_features

    server = ExecutorchServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: ExecutorchServer, params: types.InitializeParams) -> None:
        encoding = ls.workspace.position_encoding or types.PositionEncodingKind.Utf16
        ls.encoding = PositionEncoding(str(getattr(encoding, "value", encoding)))
        text_caps = params.capabilities.text_document
        ls.pull_diagnostics = bool(text_caps and text_caps.diagnostic)
        publish = text_caps.publish_diagnostics if text_caps else None
        ls.related_information = (
            bool(publish and publish.related_information) or ls.pull_diagnostics
        )
        options = params.initialization_options
        if isinstance(options, dict):
            ls.apply_settings(options.get("settings", options))
            if options.get("workspaceDiagnostics") is False:
                workspace_features.offer_workspace_pull(ls, False)
        roots = _workspace_roots(params)
        if roots:
            ls.store.workspace = Workspace(roots=roots)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: ExecutorchServer, params: types.InitializedParams) -> None:
        # The rules are loaded after the handshake, on the thread that will use them.
        workspace = ls.store.workspace
        if workspace is not None:
            ls.store.index_ready.clear()

        def load() -> None:
            _load_rules()
            if workspace is not None:  # indexing starts once the rules are loaded
                ls.warm_workspace(workspace)

        ls.on_worker(load)
        await ls.fetch_settings()
        await workspace_features.watch_files(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: ExecutorchServer, params) -> None:
        settings = params.settings
        if isinstance(settings, dict) and SETTINGS_SECTION in settings:
            ls.apply_settings(settings[SETTINGS_SECTION])
        else:
            await ls.fetch_settings()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ExecutorchServer, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        language = _language_for(item.uri, item.language_id)
        if language is None:
            if logs.is_log_document(uri_to_path(item.uri), item.language_id):
                ls.open_log(item)
            return
        ls.store.latest_version[item.uri] = item.version
        workspace_features.forget_published(ls, item.uri, clear=ls.pull_diagnostics)
        path = uri_to_path(item.uri)
        ls.on_worker(lambda: ls.store.open(item.uri, path, language, item.text, item.version))
        ls.schedule_diagnostics(item.uri, item.version)
        ls.on_worker(lambda: ls.store.remember_facts(item.uri))

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ExecutorchServer, params: types.DidChangeTextDocumentParams) -> None:
        uri, version = params.text_document.uri, params.text_document.version
        if uri not in ls.store.latest_version:
            return
        if ls.store.is_older(uri, version):
            log.warning(
                "ignored a change of %s to version %s, older than the document", uri, version
            )
            return
        ls.store.latest_version[uri] = version
        ls.store.give_way()
        changes, encoding = params.content_changes, ls.encoding

        def apply() -> None:
            entry = ls.store.get(uri)
            document = entry.document if entry is not None else ls.logs.get(uri)
            if document is None:
                return
            for change in changes:
                if isinstance(change, types.TextDocumentContentChangePartial):
                    start, end = change.range.start, change.range.end
                    document.edit(
                        (start.line, start.character),
                        (end.line, end.character),
                        change.text,
                        encoding,
                    )
                else:
                    document.replace_all(change.text)
            document.version = version
            if entry is not None:
                ls.store.sync_buffer(uri)

        ls.on_worker(apply)
        ls.schedule_diagnostics(uri, version)
        ls.schedule_dependents_check(uri, version)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ExecutorchServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.store.latest_version.pop(uri, None)
        workspace_features.forget_published(ls, uri, clear=False)
        ls.close_log(uri)
        ls.on_worker(lambda: ls.store.close(uri)).add_done_callback(ls.refresh_if_changed)
        ls.publish(uri, None, [])

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ExecutorchServer, params: types.DidSaveTextDocumentParams) -> None:
        path = uri_to_path(params.text_document.uri)
        ls.on_worker(lambda: ls.store.check_dependents(path)).add_done_callback(
            ls.refresh_if_changed
        )
        if uri_to_path(params.text_document.uri).endswith(
            (".executorch-lsp.toml", "pyproject.toml")
        ):
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
            )
            ls.forget_config_errors()
            ls.on_worker(ls.configs.invalidate).add_done_callback(lambda _: ls.refresh_all())

    features.register(server)
    workspace_features.register(server)
    return server

"""Requests: pull diagnostics, hover, code actions and commands."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from ..engine.findings import Finding, non_overlapping_fixes
from ..engine.suppressions import disable_edit
from . import logs
from .convert import SOURCE, text_edits, to_offset, to_range
from .server import ExecutorchServer

FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.executorch-lsp"


def register(server: ExecutorchServer) -> None:
    server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier=SOURCE, inter_file_dependencies=False, workspace_diagnostics=True
        ),
    )(pull_diagnostics)
    server.feature(types.TEXT_DOCUMENT_HOVER)(hover)
    server.command(EXPLAIN_COMMAND)(explain_command)
    server.command(logs.EXPLAIN_LOG_COMMAND)(explain_log_command)
    server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND],
            resolve_provider=False,
        ),
    )(code_action)


EXPLAIN_COMMAND = "executorch-lsp.explain"


def explain_command(ls: ExecutorchServer, what: str) -> str | None:
    """``workspace/executeCommand executorch-lsp.explain [WHAT]``: the text of
    ``executorch-lsp explain WHAT`` (markdown), or None when WHAT is unknown."""
    from ..explain import explain_text

    return explain_text(str(what))


async def explain_log_command(ls: ExecutorchServer, *arguments: Any) -> str | None:
    """``workspace/executeCommand executorch-lsp.explainLog [URI, TEXT?]``: publishes the
    log diagnostics of the document and returns the report (markdown). The text is needed
    for a document the server was not sent (an untitled buffer of another language); a
    source document of the server keeps its own diagnostics and only gets the report."""
    if not arguments or not isinstance(arguments[0], str):
        return None
    uri = arguments[0]
    text = arguments[1] if len(arguments) > 1 and isinstance(arguments[1], str) else None

    def job() -> tuple[logs.LogDocument | None, str | None]:
        from ..knowledge.runtime_log import explain_log, report_markdown

        document = ls.logs.get(uri)
        source = ls.store.get(uri)
        if document is None and source is not None:
            return None, report_markdown(explain_log(source.document.buffer.text()))
        if document is None or (text is not None and not document.synced):
            if text is None:
                return None, None
            document = ls.logs.open(uri, text, None, synced=False)
        return document, report_markdown(document.report)

    document, report = await ls.on_worker(job)
    if document is not None:
        diagnostics = await ls.on_worker(lambda: ls.log_diagnostics(uri, document))
        if document.synced:
            ls.publish(uri, document.version, diagnostics)
        else:  # the client never pulls diagnostics for a document it did not send
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics)
            )
    return report


def _result_id(server: ExecutorchServer, version: int | None) -> str:
    return f"{version}:{server.configs.generation}"


async def pull_diagnostics(
    ls: ExecutorchServer, params: types.DocumentDiagnosticParams
) -> types.DocumentDiagnosticReport:
    uri = params.text_document.uri
    with ls.cancellation() as cancelled:
        result = await ls.on_worker_unless(cancelled, lambda: ls.diagnostics_for(uri))
    if result is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    version, diagnostics = result
    result_id = _result_id(ls, version)
    if params.previous_result_id == result_id:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    return types.RelatedFullDocumentDiagnosticReport(items=diagnostics, result_id=result_id)


async def hover(ls: ExecutorchServer, params: types.HoverParams) -> types.Hover | None:
    uri, position = params.text_document.uri, params.position

    def job() -> types.Hover | None:
        log_document = ls.logs.get(uri)
        if log_document is not None:
            return logs.hover(log_document, position, ls.encoding)
        result = ls.store.analysis_for(uri)
        if result is None:
            return None
        entry, analysis, _ = result
        buffer = entry.document.buffer
        from ..engine.hover import hover_at

        found = hover_at(
            entry.document,
            to_offset(buffer, position, ls.encoding),
            analysis.findings,
            workspace=ls.store.workspace,
        )
        if found is None:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=found.markdown),
            range=to_range(buffer, found.span, ls.encoding),
        )

    with ls.cancellation() as cancelled:
        return await ls.on_worker_unless(cancelled, job)


async def code_action(
    ls: ExecutorchServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    uri = params.text_document.uri
    only = params.context.only

    def job() -> list[types.CodeAction]:
        result = ls.store.analysis_for(uri)
        if result is None:
            return []
        entry, analysis, _ = result
        wants = _wanted_kinds(only)
        actions: list[types.CodeAction] = []
        if types.CodeActionKind.QuickFix in wants:
            start = to_offset(entry.document.buffer, params.range.start, ls.encoding)
            end = to_offset(entry.document.buffer, params.range.end, ls.encoding)
            for finding in analysis.findings:
                if finding.span.start <= end and start <= finding.span.end:
                    actions.extend(_quick_fixes(ls, entry, finding, params.context.diagnostics))
        if FIX_ALL_KIND in wants:
            fix_all = _fix_all(ls, entry, analysis.findings)
            if fix_all is not None:
                actions.append(fix_all)
        return actions

    with ls.cancellation() as cancelled:
        return await ls.on_worker_unless(cancelled, job)


def _wanted_kinds(only: list[str] | None) -> set[str]:
    kinds = {types.CodeActionKind.QuickFix, FIX_ALL_KIND}
    if not only:
        return kinds
    return {kind for kind in kinds if any(kind == o or kind.startswith(f"{o}.") for o in only)}


def _matching_diagnostic(
    ls: ExecutorchServer, entry: Any, finding: Finding, diagnostics: list[types.Diagnostic]
) -> list[types.Diagnostic] | None:
    wanted = to_range(entry.document.buffer, finding.span, ls.encoding)
    matches = [d for d in diagnostics if d.code == finding.code and d.range == wanted]
    return matches or None


def _quick_fixes(
    ls: ExecutorchServer, entry: Any, finding: Finding, diagnostics: list[types.Diagnostic]
) -> list[types.CodeAction]:
    uri, document = entry.uri, entry.document
    related = _matching_diagnostic(ls, entry, finding, diagnostics)
    actions = []
    if finding.fix is not None:
        actions.append(
            types.CodeAction(
                title=f"{finding.code}: {finding.fix.title}",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=related,
                is_preferred=finding.fix.safe,
                edit=types.WorkspaceEdit(
                    changes={uri: text_edits(document.buffer, finding.fix.edits, ls.encoding)}
                ),
            )
        )
    line = document.buffer.line_of(finding.span.start)
    edit = disable_edit(document, line, finding.code)
    if edit is not None and finding.code != "ET900":
        actions.append(
            types.CodeAction(
                title=f"Disable {finding.code} for this line",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=related,
                edit=types.WorkspaceEdit(
                    changes={uri: text_edits(document.buffer, [edit], ls.encoding)}
                ),
            )
        )
    return actions


def _fix_all(ls: ExecutorchServer, entry: Any, findings: list[Finding]) -> types.CodeAction | None:
    fixes = non_overlapping_fixes([f.fix for f in findings if f.fix is not None and f.fix.safe])
    if not fixes:
        return None
    edits = [edit for fix in fixes for edit in fix.edits]
    return types.CodeAction(
        title="executorch-lsp: fix all auto-fixable problems",
        kind=FIX_ALL_KIND,
        edit=types.WorkspaceEdit(
            changes={entry.uri: text_edits(entry.document.buffer, edits, ls.encoding)}
        ),
    )

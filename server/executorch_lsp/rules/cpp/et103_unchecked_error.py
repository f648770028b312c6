"""ET103 unchecked-error: the Error or Result of an ExecuTorch call is thrown away."""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from ...engine.findings import Finding, Fix, Severity, Span, TextEdit
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from .et103_docs import DOCS
from .file_model import FileModel, call_of_name
from .headers import model_for
from .lexical import arguments_end
from .returns import RETURNS_ERROR, RETURNS_RESULT, returned_kind, returns_error_or_result
from .syntax import called_name_offset, text

_NAMES = sorted({n for table in (RETURNS_ERROR, RETURNS_RESULT) for v in table.values() for n in v})
_STATEMENT_END = re.compile(rb"\s*;")
# Only lines that start with a call can discard its result. Each call pattern opens
# with a literal (fast to search); the start of its line is checked on the match.
_RECEIVER = re.compile(rb"[ \t]*[A-Za-z_][\w:\[\]]*")
_LINE_START_CALLS = (
    *(
        (re.compile(operator + rb"(?:" + "|".join(_NAMES).encode() + rb")\s*\("), _RECEIVER)
        for operator in (rb"\.", rb"->")  # each pattern opening with a literal is faster
    ),
    (
        re.compile(rb"prepare_input_tensors\s*\("),
        re.compile(rb"[ \t]*(?:[\w:]*::)?"),  # a qualifier
    ),
)


def statement_calls(data: bytes, start: int = 0, end: int | None = None) -> list[re.Match[bytes]]:
    """Calls of the checked functions that open a line in ``data[start:end]``, in order."""
    end = len(data) if end is None else end
    return sorted(_line_start_calls(data, start, end), key=lambda match: match.start())


def _line_start_calls(data: bytes, start: int, end: int) -> Iterator[re.Match[bytes]]:
    for call, line_start in _LINE_START_CALLS:
        for match in call.finditer(data, start, end):
            line = data.rfind(b"\n", 0, match.start()) + 1
            if line >= start and line_start.fullmatch(data, line, match.start()):
                yield match


class _StatementCallScreen:
    """Files with a checked call that opens a line and ends its statement (``)`` then
    ``;``): only such a call is an expression statement whose value is thrown away."""

    def search(self, data: bytes, pos: int = 0, endpos: int | None = None) -> bool | None:
        end = len(data) if endpos is None else endpos
        calls = _line_start_calls(data, pos, end)
        return True if any(_ends_statement(data, call.end(), end) for call in calls) else None


def _ends_statement(data: bytes, after_open: int, end: int) -> bool:
    """Whether the call's closing parenthesis is followed by ``;`` (or is not found nearby,
    which cannot rule it out)."""
    index = arguments_end(data, after_open, end)
    return index is None or _STATEMENT_END.match(data, index, end) is not None


def check(context: RuleContext) -> Iterator[Finding]:
    document = context.document
    data = document.data
    model = model_for(context)
    for start, end in context.ranges():
        for match in statement_calls(data, start, end):
            node = model.node_at(called_name_offset(match))
            call = call_of_name(node) if node is not None else None
            if call is None or call.parent is None or call.parent.type != "expression_statement":
                continue
            kind = returned_kind(call, model)
            if kind is not None:
                yield _finding(context, model, call, kind)


def _finding(context: RuleContext, model: FileModel, call: ts.Node, kind: str) -> Finding:
    data = model.data
    call_text = text(call, data)
    short = call_text if len(call_text) <= 50 and "\n" not in call_text else call_text[:47] + "..."
    message = (
        f"The {kind} returned by `{short}` is ignored: a failure (a missing operator 0x14, "
        "an unlinked backend 0x20, a bad input) goes unnoticed and later calls fail "
        "confusingly. Check it, or write `(void)` to ignore it on purpose"
    )
    return context.finding(
        Span(call.start_byte, call.end_byte), message, fix=_fix(model, call, kind)
    )


def _fix(model: FileModel, call: ts.Node, kind: str) -> Fix | None:
    data = model.data
    statement = call.parent
    unit = model.unit_at(call)
    if unit is None or unit.is_lambda:
        return None
    call_text = text(call, data)
    if returns_error_or_result(unit, data):
        checked = call_text if kind == "Error" else f"{call_text}.error()"
        new = f"ET_CHECK_OK_OR_RETURN_ERROR({checked});"
        return Fix(
            "Return the error (ET_CHECK_OK_OR_RETURN_ERROR)",
            (TextEdit(Span(statement.start_byte, statement.end_byte), new),),
        )
    if "\n" in call_text:
        return None
    indent = data[data.rfind(b"\n", 0, statement.start_byte) + 1 : statement.start_byte].decode()
    if kind == "Error":
        head = f"if (const auto error = {call_text}; error != ::executorch::runtime::Error::Ok) {{"
        value = "error"
    else:
        head = f"if (const auto result = {call_text}; !result.ok()) {{"
        value = "result.error()"
    label = call_text.split("(")[0].replace('"', "'")
    body = f'{indent}  ET_LOG(Error, "{label} failed: 0x%" PRIx32, static_cast<uint32_t>({value}));'
    new = f"{head}\n{body}\n{indent}}}"
    return Fix(
        "Check the result and log the error",
        (TextEdit(Span(statement.start_byte, statement.end_byte), new),),
        safe=False,
    )


RULE = Rule(
    code="ET103",
    name="unchecked-error",
    title="ExecuTorch Error or Result ignored",
    languages=frozenset({LanguageId.CPP}),
    severity=Severity.WARNING,
    fixable=True,
    incremental=True,
    docs=DOCS,
    check=check,
    anchors=(b"Module", b"Program", b"Method", b"Runner", b"runner", b"prepare_input_tensors"),
    anchor_patterns=(_StatementCallScreen(),),
)

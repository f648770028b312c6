"""ET107 deprecated-api: deprecated ExecuTorch functions, overloads and namespace aliases.

The set is the one marked ``ET_DEPRECATED`` (or documented as deprecated aliases) in
ExecuTorch's headers. Member calls count only on receivers whose declaration in the
file shows the ExecuTorch type; static calls and namespaces are ExecuTorch's own
spellings. Definitions (the headers declaring the functions) are never calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from ...engine.findings import Finding, Fix, Severity, Span, TextEdit
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from ..screens import WORD_BYTES, AnyOf
from .et107_docs import DOCS
from .file_model import FileModel, call_of_name
from .headers import model_for
from .legacy_names import ALIAS_NAMESPACES, replacement
from .lexical import LiteralSpans, argument_count
from .model_loads import Entity, TypeInfo
from .syntax import ancestors, member_call, path_parts, text


@dataclass(frozen=True)
class Deprecated:
    entity: str  # "Module", "Method", "Program" or "MethodMeta"
    instead: str | None  # the replacement name, when it is a plain rename
    advice: str


MEMBERS: dict[str, Deprecated] = {
    "method": Deprecated(
        "Module",
        None,
        "the Module manages its Methods itself: use its execute/forward/set_input/"
        "get_output, or load a Program and Method directly",
    ),
    "debug_buffer": Deprecated(
        "Module", None, "it is always empty: read the buffer of the event tracer instead"
    ),
    "get_inputs": Deprecated(
        "Method", None, "read input metadata from `method_meta()` and set inputs with set_input"
    ),
    "get_input": Deprecated(
        "Method", None, "read input metadata from `method_meta()` and set inputs with set_input"
    ),
    "mutable_input": Deprecated("Method", None, "set inputs with `set_input()`"),
    "mutable_output": Deprecated("Method", None, "read outputs with `get_output()`"),
    "experimental_step": Deprecated("Method", "step", "use `step()`"),
    "experimental_reset_execution": Deprecated(
        "Method", "reset_execution", "use `reset_execution()`"
    ),
    "get_output_flattening_encoding": Deprecated(
        "Program", None, "it has no replacement in the runtime and will be removed"
    ),
    "num_non_const_buffers": Deprecated(
        "MethodMeta", "num_memory_planned_buffers", "use `num_memory_planned_buffers()`"
    ),
}
_TRACED_OVERLOADS = ("load_method", "load_forward")
_EXECUTORCH_SCOPES = frozenset(
    {"executorch", "runtime", "extension", "torch", "executor", "util", "ET_RUNTIME_NAMESPACE"}
)
_LEGACY_TORCH = (
    r"torch::executor(?:::(?:util|testing|pytree|bundled_program))?"
    r"|torch::executorch::(?:threadpool|cpuinfo)"
)
_ALIAS_NAMESPACES = "|".join(sorted(ALIAS_NAMESPACES, key=len, reverse=True))
_MEMBER_NAMES = "|".join(sorted([*MEMBERS, *_TRACED_OVERLOADS], key=len, reverse=True))
# One pattern per kind of candidate, each opening with a literal so that the regex
# engine skips ahead quickly (one alternation with look-behinds is 5x slower); the
# word boundaries are checked on the matches.
_PATTERNS: tuple[tuple[str, re.Pattern[bytes]], ...] = tuple(
    (kind, re.compile(pattern.encode()))
    for kind, pattern in (
        ("directive", rf"using\s+namespace\s*(?:::)?(?P<namespace>{_ALIAS_NAMESPACES})\s*;"),
        ("directive", rf"namespace\s+\w+\s*=\s*(?:::)?(?P<namespace>{_ALIAS_NAMESPACES})\s*;"),
        ("alias", rf"(?P<legacy>{_LEGACY_TORCH})::(?P<name>\w+)"),
        ("alias", r"(?P<legacy>exec_aten)::(?P<name>\w+)"),
        (
            "static",
            r"(?P<class>Program|FileDataLoader|MmapDataLoader)\s*::\s*(?P<static>Load|From)\s*\(",
        ),
        ("member", rf"(?:\.|->)\s*(?P<member>{_MEMBER_NAMES})\s*\("),
    )
)


@dataclass(frozen=True)
class Candidate:
    kind: str  # "directive", "alias", "static" or "member"
    match: re.Match[bytes]
    start: int  # an alias starts at its leading ``::``, if any

    @property
    def end(self) -> int:
        return self.match.end()


def candidates(data: bytes, start: int = 0, end: int | None = None) -> list[Candidate]:
    """The places in ``data[start:end]`` that may be deprecated uses, in text order and
    not overlapping (a namespace directive hides the alias it names)."""
    end = len(data) if end is None else end
    found = [
        candidate
        for kind, pattern in _PATTERNS
        for match in pattern.finditer(data, start, end)
        if (candidate := _bounded(kind, match, data, start)) is not None
    ]
    found.sort(key=lambda candidate: candidate.start)
    kept: list[Candidate] = []
    for candidate in found:
        if not kept or candidate.start >= kept[-1].end:
            kept.append(candidate)
    return kept


def _bounded(kind: str, match: re.Match[bytes], data: bytes, floor: int) -> Candidate | None:
    """The candidate, unless the match continues a longer name (``my_exec_aten::``)."""
    begin = match.start()
    if kind == "member":
        return Candidate(kind, match, begin)
    if kind == "alias" and data[max(floor, begin - 2) : begin] == b"::":
        begin -= 2
    if begin > floor and (
        data[begin - 1] in WORD_BYTES or (kind == "alias" and data[begin - 1] == ord(":"))
    ):
        return None
    return Candidate(kind, match, begin)


# Every candidate holds one of these (``name (`` with a space is rare enough to screen by
# the name alone; ``method(`` and ``Load(`` are common words, kept with their paren).
_SCREEN = AnyOf(
    b"torch::execut",
    b"exec_aten",
    *(re.escape(name.encode()) for name in (*MEMBERS, *_TRACED_OVERLOADS) if name != "method"),
    rb"\b(?:method|Load|From)\s*\(",
)
# Member and static calls need evidence that the file uses ExecuTorch at all.
_EXECUTORCH_WORDS = (b"executorch", b"torch::executor", b"exec_aten")
# ``namespace torch {``, ``namespace torch::executor {``: where aliases are declared.
_TORCH_NAMESPACE = AnyOf(rb"\bnamespace\s+(?:::)?torch\b")
_TRACER_TYPE = re.compile(r"\w*EventTracer\b|\bETDumpGen\b")
_META_TYPE = re.compile(r"\bMethodMeta\b|method_meta$")


def check(context: RuleContext) -> Iterator[Finding]:
    data = context.document.data
    executorch_file = any(word in data for word in _EXECUTORCH_WORDS)
    # Aliases outside ``namespace torch`` are settled from the text: most files with
    # findings are never parsed.
    torch_namespace = _TORCH_NAMESPACE.search(data) is not None
    for start, end in context.ranges():
        found = candidates(data, start, end)
        literals = LiteralSpans(data, start, end) if found else None
        for candidate in found:
            if literals.covers(candidate.start):
                continue
            if candidate.kind == "directive":
                yield from _directive(context, candidate.match)
            elif candidate.kind == "alias":
                yield from _alias(context, candidate, torch_namespace)
            elif executorch_file and candidate.kind == "static":
                yield from _static_call(context, model_for(context), candidate.match)
            elif (
                executorch_file
                and candidate.kind == "member"
                and _may_be_deprecated_call(data, candidate.match, literals)
            ):
                yield from _member_call(context, model_for(context), candidate.match)


def _may_be_deprecated_call(data: bytes, match: re.Match[bytes], literals: LiteralSpans) -> bool:
    """False when the text alone shows a ``load_method``/``load_forward`` call is not the
    deprecated overload (which takes exactly one argument after the method name): most
    such calls then need no parse."""
    name = match.group("member").decode()
    if name not in _TRACED_OVERLOADS:
        return True
    count = argument_count(data, match.end(), literals)
    wanted = 2 if name == "load_method" else 1
    return count is None or count == wanted


def _directive(context: RuleContext, match: re.Match[bytes]) -> Iterator[Finding]:
    namespace = match.group("namespace").decode()
    instead = ALIAS_NAMESPACES[namespace]
    span = Span(match.start("namespace"), match.end("namespace"))
    message = f"`{namespace}` is a deprecated ExecuTorch namespace of aliases: use `{instead}`"
    yield context.finding(span, message, fix=Fix(f"Use {instead}", (TextEdit(span, instead),)))


def _alias(context: RuleContext, candidate: Candidate, torch_namespace: bool) -> Iterator[Finding]:
    match = candidate.match
    legacy, name = match.group("legacy").decode(), match.group("name").decode()
    is_alias, instead = replacement(legacy, name)
    if not is_alias:
        return
    inside_torch = False
    if torch_namespace:
        model = model_for(context)
        node = model.node_at(candidate.start)
        inside_torch = _inside_torch_namespace(node, model)
        if inside_torch and _declares_alias(node):
            return
    span = Span(candidate.start, candidate.end)
    old = context.document.data[span.start : span.end].decode()
    where = " (note: `torch::executorch`, not `torch::executor`)" if "executorch::" in old else ""
    if instead is None:
        message = f"`{old}` is a deprecated ExecuTorch alias{where} with no drop-in replacement"
        yield context.finding(span, message)
        return
    # Inside ``namespace torch``, a bare ``executorch::`` would find ``torch::executorch``.
    new = "::" + instead if old.startswith("::") or inside_torch else instead
    message = f"`{old}` is a deprecated ExecuTorch alias{where}: use `{new}`"
    yield context.finding(span, message, fix=Fix(f"Use {new}", (TextEdit(span, new),)))


def _inside_torch_namespace(node: ts.Node | None, model: FileModel) -> bool:
    if node is None:
        return False
    for around in [node, *ancestors(node, model.root)]:
        if around.type == "namespace_definition":
            name = next((c for c in around.named_children if c.type != "declaration_list"), None)
            if name is not None and path_parts(text(name, model.data))[:1] == ["torch"]:
                return True
    return False


def _declares_alias(node: ts.Node | None) -> bool:
    """``using X = torch::executor::Y;`` / ``using torch::executor::Y;`` defining an alias."""
    while node is not None and node.type not in ("declaration_list", "translation_unit"):
        if node.type in ("alias_declaration", "using_declaration"):
            return True
        node = node.parent
    return False


def _static_call(
    context: RuleContext, model: FileModel, match: re.Match[bytes]
) -> Iterator[Finding]:
    name_node = model.node_at(match.start("static"))
    call = call_of_name(name_node)
    if call is None:
        return
    parts = path_parts(text(call.child_by_field_name("function"), model.data))
    class_name, name = match.group("class").decode(), match.group("static").decode()
    if parts[-2:] != [class_name, name] or not set(parts[:-2]) <= _EXECUTORCH_SCOPES:
        return
    lower = name.lower()
    message = f"`{class_name}::{name}` is deprecated: use `{class_name}::{lower}`"
    fix = None
    if _same_arguments(class_name, call, model.data):
        span = Span(name_node.start_byte, name_node.end_byte)
        fix = Fix(f"Use {class_name}::{lower}", (TextEdit(span, lower),))
    yield context.finding(Span(call.start_byte, call.end_byte), message, fix=fix)


def _same_arguments(class_name: str, call: ts.Node, data: bytes) -> bool:
    """``MmapDataLoader::From(name, bool)`` has no lowercase twin; the others do."""
    if class_name != "MmapDataLoader":
        return True
    arguments = call.child_by_field_name("arguments").named_children
    return len(arguments) < 2 or "MlockConfig::" in text(arguments[1], data)


def _member_call(
    context: RuleContext, model: FileModel, match: re.Match[bytes]
) -> Iterator[Finding]:
    call = call_of_name(model.node_at(match.start("member")))
    member = member_call(call, model.data) if call is not None else None
    if member is None:
        return
    receiver, _, name = member
    entity = _entity(model, receiver, call)
    if name in _TRACED_OVERLOADS:
        if entity == "Module":
            yield from _traced_overload(context, model, call, name)
        return
    deprecated = MEMBERS[name]
    if entity != deprecated.entity:
        return
    message = f"`{deprecated.entity}::{name}()` is deprecated: {deprecated.advice}"
    fix = None
    if deprecated.instead is not None:
        field = call.child_by_field_name("function").child_by_field_name("field")
        span = Span(field.start_byte, field.end_byte)
        fix = Fix(f"Use {deprecated.instead}()", (TextEdit(span, deprecated.instead),))
    yield context.finding(Span(call.start_byte, call.end_byte), message, fix=fix)


def _entity(model: FileModel, receiver: ts.Node, call: ts.Node) -> str | None:
    """The ExecuTorch type of a receiver, from its declaration in this file."""
    found = model.receiver_type(receiver, model.unit_at(call))
    if found is not None:
        return found.entity.value
    if receiver.type != "identifier":
        return None
    variable = model.lookup(text(receiver, model.data), receiver)
    if variable is None:
        return None
    if _META_TYPE.search(variable.type_text):
        return "MethodMeta"
    if _is_loaded_method(model, variable.value):
        return "Method"
    return None


def _is_loaded_method(model: FileModel, value: ts.Node | None) -> bool:
    """``auto method = program->load_method(...)``: a Result<Method>."""
    member = member_call(value, model.data) if value is not None else None
    if member is None or member[2] != "load_method":
        return False
    found: TypeInfo | None = model.receiver_type(member[0], model.unit_at(value))
    return found is not None and found.entity is Entity.PROGRAM


def _traced_overload(
    context: RuleContext, model: FileModel, call: ts.Node, name: str
) -> Iterator[Finding]:
    """``load_method(name, tracer)`` / ``load_forward(tracer)``: the deprecated overloads."""
    arguments = call.child_by_field_name("arguments").named_children
    position = 1 if name == "load_method" else 0
    if len(arguments) != position + 1 or not _is_event_tracer(model, arguments[position]):
        return
    tracer = arguments[position]
    new_call = "load_method(name, nullptr, tracer)" if position else "load_forward(nullptr, tracer)"
    message = (
        f"The `Module::{name}` overload taking only an EventTracer is deprecated: "
        f"pass the tracer after the planned memory, `{new_call}`"
    )
    edit = TextEdit(Span(tracer.start_byte, tracer.start_byte), "nullptr, ")
    fix = Fix("Pass nullptr for the planned memory", (edit,))
    yield context.finding(Span(call.start_byte, call.end_byte), message, fix=fix)


def _is_event_tracer(model: FileModel, argument: ts.Node) -> bool:
    """Whether an argument is visibly an EventTracer (``tracer.get()``, ``&etdump``, ...)."""
    data = model.data
    node = argument
    if node.type == "pointer_expression" and text(node, data).startswith("&"):
        node = node.child_by_field_name("argument")
    if node.type == "call_expression":
        member = member_call(node, data)
        if member is None:
            return False
        if member[2] == "event_tracer":
            return True
        if member[2] != "get":
            return False
        node = member[0]
    if node.type != "identifier":
        return False
    variable = model.lookup(text(node, data), node)
    return variable is not None and _TRACER_TYPE.search(variable.type_text) is not None


RULE = Rule(
    code="ET107",
    name="deprecated-api",
    title="Deprecated ExecuTorch API",
    languages=frozenset({LanguageId.CPP}),
    severity=Severity.INFO,
    fixable=True,
    docs=DOCS,
    check=check,
    # Incremental: after an edit inside functions only those functions are examined again.
    # (Whether member calls count depends on the file mentioning ExecuTorch at all; an edit
    # removing the last mention is caught by the next full analysis.)
    incremental=True,
    # Every candidate is in a file that mentions ExecuTorch (aliases included).
    anchors=_EXECUTORCH_WORDS,
    anchor_patterns=(_SCREEN,),
)

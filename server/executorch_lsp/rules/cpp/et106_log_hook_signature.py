"""ET106 log-hook-signature: a platform hook (et_pal_*) that never replaces the default."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import tree_sitter as ts

from ...engine.dependencies import note_read
from ...engine.document import Document
from ...engine.findings import Finding, Severity, Span
from ...engine.languages import LanguageId
from ...knowledge.platform import HOOK_SIGNATURES
from ..base import Rule, RuleContext
from ..screens import AnyOf
from .et106_docs import DOCS

_TIMESTAMP = ("et_timestamp_t", "uint64_t", "std::uint64_t")
_SIZE = ("size_t", "std::size_t")
_TEXT = ("const char*",)
# runtime/platform/platform.h: hook -> (accepted return types, accepted parameter types)
HOOKS: dict[str, tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = {
    "et_pal_emit_log_message": (
        ("void",),
        (_TIMESTAMP, ("et_pal_log_level_t",), _TEXT, _TEXT, _SIZE, _TEXT, _SIZE),
    ),
    "et_pal_init": (("void",), ()),
    "et_pal_abort": (("void",), ()),
    "et_pal_current_ticks": (_TIMESTAMP, ()),
    "et_pal_ticks_to_ns_multiplier": (("et_tick_ratio_t",), ()),
    "et_pal_allocate": (("void*",), (_SIZE,)),
    "et_pal_free": (("void",), (("void*",),)),
}
_ATTRIBUTES = re.compile(
    r"\b(?:ET_UNUSED|ET_RESTRICT|ET_NORETURN|ET_WEAK|ET_INLINE|\[\[[^\]]*\]\])"
)
_EXECUTORCH_INCLUDE = re.compile(rb'#\s*include\s*[<"]executorch/')
_LOCAL_INCLUDE = re.compile(rb'#\s*include\s*"([^"]+)"')


def _normalize(type_text: str) -> str:
    text = _ATTRIBUTES.sub(" ", type_text)
    text = re.sub(r"\bchar\s+const\b", "const char", text)
    text = re.sub(r"\s*\*\s*", "*", " ".join(text.split()))
    return text.replace("struct ", "").strip()


def _parameter_type(document: Document, parameter: ts.Node) -> str:
    full = document.text_of(parameter)
    declarator = parameter.child_by_field_name("declarator")
    name = declarator
    while name is not None and name.type not in ("identifier",):
        name = name.child_by_field_name("declarator")
    if name is not None:  # drop the parameter's name, keep pointers
        start = name.start_byte - parameter.start_byte
        full = full[:start] + full[start + (name.end_byte - name.start_byte) :]
    return _normalize(full.replace("const ", "const "))


def _signature(document: Document, definition: ts.Node, function: ts.Node) -> tuple[str, list[str]]:
    return_type = _normalize(document.text_of(definition.child_by_field_name("type")))
    if definition.child_by_field_name("declarator").type == "pointer_declarator":
        return_type += "*"
    parameters = function.child_by_field_name("parameters")
    types = [
        _parameter_type(document, p)
        for p in parameters.named_children
        if p.type in ("parameter_declaration", "optional_parameter_declaration")
    ]
    return return_type, [] if types == ["void"] else types


def _matches(name: str, return_type: str, parameters: list[str]) -> bool:
    returns, expected = HOOKS[name]
    if return_type not in returns or len(parameters) != len(expected):
        return False
    return all(given in accepted for given, accepted in zip(parameters, expected, strict=True))


def _enclosing(definition: ts.Node, kind: str) -> ts.Node | None:
    node = definition.parent
    while node is not None and node.type != kind:
        node = node.parent
    return node


def _may_declare_hooks(data: bytes, folder: Path | None, depth: int = 2) -> bool:
    """Whether the includes may bring the ``extern "C"`` declarations of the hooks.

    Local headers are read from disk (two levels); one that cannot be found is assumed to
    declare them, so a missing file never produces a finding."""
    if _EXECUTORCH_INCLUDE.search(data) or (b"et_pal_" in data and b'extern "C"' in data):
        return True
    for match in _LOCAL_INCLUDE.finditer(data):
        header = folder / match.group(1).decode("utf-8", "replace") if folder else None
        if header is not None:
            note_read(str(header))
        try:
            content = header.read_bytes() if header is not None else None
        except OSError:
            content = None
        if content is None or depth == 0:
            return True
        if _may_declare_hooks(content, header.parent, depth - 1):
            return True
    return False


def check(context: RuleContext) -> Iterator[Finding]:
    document = context.document
    path = Path(document.path)
    folder = path.parent if path.is_absolute() else None
    includes_executorch = _may_declare_hooks(document.data, folder)
    for _, captures in context.matches:
        name_node, function, definition = (
            captures["name"][0],
            captures["function"][0],
            captures["definition"][0],
        )
        name = document.text_of(name_node)
        if name not in HOOKS:
            continue
        span = Span(name_node.start_byte, name_node.end_byte)
        namespace = _enclosing(definition, "namespace_definition")
        if namespace is not None:
            label = (
                document.text_of(namespace.child_by_field_name("name"))
                if namespace.child_by_field_name("name")
                else "(anonymous)"
            )
            yield context.finding(
                span,
                (
                    f"`{name}` is defined inside namespace {label}: the runtime calls the global C "
                    f"function `::{name}`, so this one is never used. Define it at global scope, "
                    "or register your hooks with `executorch::runtime::register_pal`"
                ),
            )
            continue
        if definition.child_by_field_name("type") is None:
            continue  # half-typed code (no return type yet): nothing to compare
        return_type, parameters = _signature(document, definition, function)
        if not _matches(name, return_type, parameters):
            yield context.finding(
                span,
                (
                    f"`{name}` does not match its declaration in runtime/platform/platform.h "
                    f"(`{HOOK_SIGNATURES[name]}`): this defines a different function and the "
                    "default hook stays in place"
                ),
            )
        elif _enclosing(definition, "linkage_specification") is None and not includes_executorch:
            yield context.finding(
                span,
                (
                    f'`{name}` has C++ linkage here (no ExecuTorch header declares it `extern "C"` '
                    "in this file), so it does not replace the runtime's weak default. Include "
                    '<executorch/runtime/platform/platform.h> or define it inside `extern "C"`'
                ),
            )


RULE = Rule(
    code="ET106",
    name="log-hook-signature",
    title="Platform hook that never replaces the default",
    languages=frozenset({LanguageId.CPP}),
    severity=Severity.WARNING,
    fixable=False,
    docs=DOCS,
    check=check,
    incremental=True,
    anchors=(b"et_pal_",),
    # Only definitions can be wrong: ``name(...) ... {``, not calls or declarations.
    anchor_patterns=(AnyOf(rb"et_pal_\w+\s*\([^;{}]*\)[^;{}()]*\{"),),
    query="cpp/et106_log_hook_signature.scm",
)

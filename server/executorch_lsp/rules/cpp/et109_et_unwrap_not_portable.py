"""ET109 et-unwrap-not-portable: ``ET_UNWRAP`` in a file that is built with MSVC.

``ET_UNWRAP`` expands to a GNU statement expression, which MSVC rejects;
``ET_ASSIGN_OR_RETURN`` does the same job portably (runtime/core/result.h). Whether a
file is compiled by MSVC is not visible in C++, so the rule needs the file's own
word for it: a ``_MSC_VER``, ``_WIN32`` or ``_WIN64`` test, or ``<windows.h>``. Uses
in a preprocessor branch that MSVC never compiles (``#ifndef _MSC_VER``,
``#if defined(__GNUC__)``, the ``#else`` of ``#ifdef _WIN32``) are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

import tree_sitter as ts

from ...engine.findings import Finding, Fix, Severity, Span, TextEdit
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from .et109_docs import DOCS
from .file_model import FileModel
from .syntax import ancestors, text

UNWRAP_USE = re.compile(rb"\b(?P<macro>ET_UNWRAP(?:_TOKENIZER)?)\s*\(")
WINDOWS_SIGNAL = re.compile(rb"\b(?:_MSC_VER|_WIN32|_WIN64)\b|#\s*include\s*<[Ww]indows\.h>")
_PORTABLE = {
    "ET_UNWRAP": "ET_ASSIGN_OR_RETURN",
    "ET_UNWRAP_TOKENIZER": "ET_ASSIGN_OR_RETURN_TOKENIZER",
}
_MSVC_MACROS = frozenset({"_MSC_VER", "_WIN32", "_WIN64"})
# Compilers and platforms that are never MSVC (clang-cl defines __clang__, and it
# accepts statement expressions).
_OTHER_TOOLCHAINS = frozenset(
    {"__GNUC__", "__clang__", "__linux__", "__APPLE__", "__ANDROID__", "__unix__", "__EMSCRIPTEN__"}
)
_LITERALS = frozenset(
    {"comment", "string_literal", "raw_string_literal", "char_literal", "system_lib_string"}
)
_CONDITIONALS = frozenset({"preproc_if", "preproc_ifdef", "preproc_elif"})
_ATOM = re.compile(r"^(!?)(?:defined)?(\w+)")


def check(context: RuleContext) -> Iterator[Finding]:
    data = context.document.data
    model = FileModel(context.document.tree.root_node, data)
    signal = _windows_signal(model)
    if signal is None:
        return
    for start, end in context.ranges():
        for match in UNWRAP_USE.finditer(data, start, end):
            macro = match.group("macro").decode()
            node = model.node_at(match.start())
            if node is None or node.type != "identifier" or _locally_portable(data, macro):
                continue  # comments, strings and macro bodies are not identifiers
            call = node.parent
            if call is None or call.type != "call_expression" or _excluded_for_msvc(call, model):
                continue
            yield _finding(context, call, macro, signal)


def _windows_signal(model: FileModel) -> str | None:
    """The first sign in code (not comments or strings) that the file is built on Windows."""
    for match in WINDOWS_SIGNAL.finditer(model.data):
        node = model.node_at(match.start())
        around = [node, *ancestors(node, model.root)] if node is not None else []
        if not any(n.type in _LITERALS for n in around):
            return match.group(0).decode()
    return None


def _locally_portable(data: bytes, macro: str) -> bool:
    """The file defines the macro itself, without a statement expression."""
    definition = re.search(rb"#\s*define\s+" + macro.encode() + rb"\b(?P<body>(?:.*\\\n)*.*)", data)
    return definition is not None and b"({" not in definition.group("body")


def _excluded_for_msvc(node: ts.Node, model: FileModel) -> bool:
    """Whether an enclosing preprocessor branch is one MSVC never compiles."""
    chain = [node, *ancestors(node, model.root)]
    for current, parent in pairwise(chain):
        if parent.type in _CONDITIONALS:
            in_else = parent.child_by_field_name("alternative") == current
            atoms, conjunction = _condition_atoms(parent, model.data)
            if _branch_skips_msvc(atoms, conjunction, in_else):
                return True
    return False


def _condition_atoms(conditional: ts.Node, data: bytes) -> tuple[list[str], bool]:
    """Normalised atoms of a condition (``!defined(_MSC_VER)`` -> ``!_MSC_VER``)."""
    if conditional.type == "preproc_ifdef":
        name = text(conditional.child_by_field_name("name"), data)
        negated = text(conditional, data).lstrip("# \t").startswith("ifndef")
        return [("!" if negated else "") + name], False
    condition = re.sub(r"[\s()]", "", text(conditional.child_by_field_name("condition"), data))
    conjunction = "&&" in condition
    atoms = []
    for part in re.split(r"\|\||&&", condition):
        found = _ATOM.match(part)
        atoms.append(found.group(1) + found.group(2) if found else part)
    return atoms, conjunction


def _branch_skips_msvc(atoms: list[str], conjunction: bool, in_else: bool) -> bool:
    def never_msvc(atom: str) -> bool:
        return (
            atom.lstrip("!") in _MSVC_MACROS if atom.startswith("!") else atom in _OTHER_TOOLCHAINS
        )

    def only_msvc(atom: str) -> bool:
        return not atom.startswith("!") and atom in _MSVC_MACROS

    if in_else:  # the condition was false: skips MSVC when MSVC always makes it true
        return not conjunction and all(only_msvc(atom) for atom in atoms)
    if conjunction:
        return any(never_msvc(atom) for atom in atoms)
    return all(never_msvc(atom) for atom in atoms)


def _finding(context: RuleContext, call: ts.Node, macro: str, signal: str) -> Finding:
    portable = _PORTABLE[macro]
    message = (
        f"`{macro}` expands to a GNU statement expression, which MSVC does not compile, and "
        f"this file is built for Windows (it uses `{signal}`): use "
        f"`{portable}(var, result)` instead"
    )
    return context.finding(
        Span(call.start_byte, call.end_byte), message, fix=_fix(context, call, portable)
    )


def _fix(context: RuleContext, call: ts.Node, portable: str) -> Fix | None:
    """``auto x = ET_UNWRAP(r, ...);`` -> ``ET_ASSIGN_OR_RETURN(x, r, ...);``."""
    data = context.document.data
    declarator = call.parent
    declaration = declarator.parent if declarator is not None else None
    if (
        declarator is None
        or declarator.type != "init_declarator"
        or declarator.child_by_field_name("value") != call
        or declaration is None
        or declaration.type != "declaration"
        or declaration.parent is None
        or declaration.parent.type != "compound_statement"
        or len(declaration.children_by_field_name("declarator")) != 1
        or text(declaration, data).split()[0] != "auto"
        or declaration.child_by_field_name("type").type != "placeholder_type_specifier"
    ):
        return None
    name = declarator.child_by_field_name("declarator")
    arguments = call.child_by_field_name("arguments")
    if name is None or name.type != "identifier" or arguments is None:
        return None
    inner = text(arguments, data)[1:-1].strip()
    if portable.endswith("_TOKENIZER") and arguments.named_child_count != 1:
        return None
    if UNWRAP_USE.search(inner.encode()):
        return None  # the fixed statement would still hold a statement expression
    new = f"{portable}({text(name, data)}, {inner});"
    edit = TextEdit(Span(declaration.start_byte, declaration.end_byte), new)
    return Fix(f"Use {portable}", (edit,))


RULE = Rule(
    code="ET109",
    name="et-unwrap-not-portable",
    title="ET_UNWRAP in a file built with MSVC",
    languages=frozenset({LanguageId.CPP}),
    severity=Severity.WARNING,
    fixable=True,
    docs=DOCS,
    check=check,
    anchors=(b"ET_UNWRAP",),
    anchor_patterns=(UNWRAP_USE, WINDOWS_SIGNAL),
)

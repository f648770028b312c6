"""ExecuTorch's export entry points as they appear in scripts, and the edits that add a
partitioner (shared by ET401 and ET402)."""

from __future__ import annotations

import re

import tree_sitter as ts

from ...engine.findings import Fix, Span, TextEdit
from .model import ScriptModel, text

EXIR = "executorch.exir"
XNNPACK_PARTITIONER = "XnnpackPartitioner"
XNNPACK_MODULE = "executorch.backends.xnnpack.partition.xnnpack_partitioner"
XNNPACK_IMPORT = f"from {XNNPACK_MODULE} import {XNNPACK_PARTITIONER}"
XNNPACK_LIST = f"[{XNNPACK_PARTITIONER}()]"
# to_edge_transform_and_lower(programs, transform_passes=None, partitioner=None, ...)
PARTITIONER_POSITION = 2


def is_exir_function(qualified: str, name: str) -> bool:
    """``executorch.exir.to_edge``, ``executorch.exir.program._program.to_edge``, ..."""
    return qualified.startswith(EXIR + ".") and qualified.rsplit(".", 1)[-1] == name


def argument(call: ts.Node, keyword: str, position: int) -> tuple[ts.Node | None, bool]:
    """The argument given for a parameter (by keyword or position) and whether the call
    may pass it invisibly (``*args``/``**kwargs``)."""
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type != "argument_list":
        return None, True
    positional = 0
    hidden = False
    for child in arguments.named_children:
        if child.type == "keyword_argument":
            if text(child.child_by_field_name("name")) == keyword:
                return child.child_by_field_name("value"), False
        elif child.type in ("list_splat", "dictionary_splat"):
            hidden = True
        elif child.type != "comment":
            if positional == position and not hidden:
                return child, False
            positional += 1
    return None, hidden


def is_test_path(path: str) -> bool:
    """Unit tests lower without a partitioner on purpose (they test the portable path)."""
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
        or any(part in ("test", "tests") for part in parts[:-1])
    )


def import_edit(model: ScriptModel, data: bytes, name: str, statement: str) -> TextEdit | None:
    """An edit adding ``statement`` after the file's top-level imports, unless ``name``
    is imported already."""
    if name in model.imports:
        return None
    imports = model.import_statements()
    offset = _line_end(data, imports[-1].end_byte) if imports else _after_preamble(model, data)
    return TextEdit(Span(offset, offset), statement + "\n")


def xnnpack_fix(title: str, model: ScriptModel, data: bytes, edits: list[TextEdit]) -> Fix:
    """A fix that brings in ``XnnpackPartitioner``: ``edits`` plus its import when the
    script lacks it. Unsafe: the program then holds delegates the runtime must link."""
    added_import = import_edit(model, data, XNNPACK_PARTITIONER, XNNPACK_IMPORT)
    if added_import is not None:
        edits = [added_import, *edits]
    return Fix(title, tuple(edits), safe=False)


def add_keyword_edit(call: ts.Node, keyword: str, value: str) -> TextEdit | None:
    """An edit adding ``keyword=value`` as the call's last argument."""
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type != "argument_list":
        return None
    items = [child for child in arguments.named_children if child.type != "comment"]
    if not items:
        offset = arguments.start_byte + 1
        return TextEdit(Span(offset, offset), f"{keyword}={value}")
    offset = items[-1].end_byte
    return TextEdit(Span(offset, offset), f", {keyword}={value}")


def _line_end(data: bytes, offset: int) -> int:
    newline = data.find(b"\n", offset)
    return len(data) if newline < 0 else newline + 1


def _after_preamble(model: ScriptModel, data: bytes) -> int:
    """After a module docstring, or at the start of the file."""
    for child in model.root.named_children:
        if child.type == "comment":
            continue
        if child.type == "expression_statement" and child.named_children[0].type == "string":
            return _line_end(data, child.end_byte)
        break
    return 0


_SAYS_PORTABLE = re.compile(
    r"(?i)\bportable\b|without (?:the |a |any )?(?:\w+ )?(?:partitioner|delegat|backend)|"
    r"\bno[ _-]?(?:delegat|backends?\b|partitioner)|not delegat|undelegat"
)
_PORTABLE_NAME = re.compile(r"(?i)no_?delegat|non_?delegat|undelegat|portable")


def portable_on_purpose(model: ScriptModel, call: ts.Node) -> bool:
    """The script says it means the portable kernels here: an enclosing function or the
    variable the result goes to is named so (``_to_edge_no_delegate``,
    ``program_portable``), or a docstring or a comment near the call says so ("portable
    kernels", "without the XNNPACK partitioner", "No backends"), or the branch it is in
    is the portable one (``if backend == "portable":``)."""
    for scope in model.enclosing_scopes(call):
        name = scope.child_by_field_name("name") if scope.type == "function_definition" else None
        if _PORTABLE_NAME.search(text(name)):
            return True
        if _SAYS_PORTABLE.search(text(model.docstring(scope))):
            return True
    target = assigned_name(call)
    if target is not None and _PORTABLE_NAME.search(target):
        return True
    if any(_PORTABLE_NAME.search(text(condition)) for condition in _conditions_above(call)):
        return True  # if backend == "portable": ...
    return any(_SAYS_PORTABLE.search(text(comment)) for comment in model.comments_near(call))


def _conditions_above(node: ts.Node) -> list[ts.Node]:
    """The conditions of the ``if``/``elif`` branches ``node`` sits in."""
    conditions = []
    current = node
    while current.parent is not None:
        parent = current.parent
        if parent.type in ("if_statement", "elif_clause"):
            condition = parent.child_by_field_name("condition")
            if condition is not None and parent.child_by_field_name("consequence") == current:
                conditions.append(condition)
        current = parent
    return conditions


def direct_target(call: ts.Node) -> str | None:
    """``name`` in ``name = call``."""
    parent = call.parent
    if parent is None or parent.type != "assignment" or parent.child_by_field_name("right") != call:
        return None
    target = parent.child_by_field_name("left")
    return text(target) if target is not None and target.type == "identifier" else None


def assigned_name(call: ts.Node) -> str | None:
    """``name`` in ``name = call`` (the value may be chained: ``to_edge(x).to_executorch()``
    assigns the chain's result)."""
    node = call
    while node.parent is not None and node.parent.type in ("attribute", "call"):
        node = node.parent
    parent = node.parent
    if parent is None or parent.type != "assignment" or parent.child_by_field_name("right") != node:
        return None
    target = parent.child_by_field_name("left")
    return text(target) if target is not None and target.type == "identifier" else None

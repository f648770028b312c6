"""ET404 custom-op-without-out-variant: a custom operator the script defines, used by
the model it exports undelegated, with no out variant: ``to_executorch()`` fails with
``RuntimeError: Missing out variants: {'ns::name'}`` (``ToOutVarPass``).

What counts as a definition and as an out variant: ``custom_ops.py``. What counts as
exported and undelegated: ``exported_models.py``. No finding when the script loads an
operator library (``torch.ops.load_library``: a compiled library can register the out
variant), when another Python or C++ file of the workspace names an overload of the
operator (``"name.out(...)"``), when the op has a ``CompositeImplicitAutograd`` kernel
(export decomposes it), or when the script expects the error (``Missing out variants``
in its text, ``ignore_to_out_var_failure``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from ...engine.document import Document
from ...engine.findings import Finding, Related, Severity, Span
from ...engine.languages import LanguageId, detect_language
from ...engine.workspace import Workspace
from ..base import Rule, RuleContext
from ..screens import AnyOf
from .custom_ops import (
    CustomOp,
    OpDefinition,
    Schema,
    ScriptOps,
    argument_names,
    out_schema,
    schema_of,
    script_ops,
)
from .et404_docs import DOCS, KERNELS_DOCS
from .exported_models import exported_models
from .model import script_model

_SKIP_FILE = (b"load_library", b"Missing out variants")
_OVERLOAD_IN_OTHER_FILE = re.compile(rb"""(?:["']|::)\s*(\w+)\.\w+\s*\(""")


def check(context: RuleContext) -> Iterator[Finding]:
    document = context.document
    if any(marker in document.data for marker in _SKIP_FILE):
        return
    model = script_model(document)
    ops = script_ops(model)
    if not ops.ops:
        return
    exported = exported_models(model)
    if not exported.serializes_undelegated():
        return
    definitions = exported.exported_definitions()
    for op in ops.ops.values():
        functional = _missing_out_variant(ops, op)
        if functional is None or not _in_ranges(functional.string, context):
            continue
        used = [
            reference
            for reference in ops.references(op)
            if exported.users([reference]) & definitions
        ]
        if used and not _overload_elsewhere(context.workspace, document.path, op):
            yield _finding(context, op, functional, used[0])


def _missing_out_variant(ops: ScriptOps, op: CustomOp) -> OpDefinition | None:
    """The functional overload, when the op has no out variant and reaches export."""
    functional = op.functional
    if functional is None or op.has_out_variant or ops.decomposed_in_export(op):
        return None
    return functional


def _in_ranges(node: ts.Node, context: RuleContext) -> bool:
    return any(start <= node.start_byte < end for start, end in context.ranges())


def _overload_elsewhere(workspace: Workspace | None, path: str, op: CustomOp) -> bool:
    """Another file that names the op's namespace defines an overload of the op (an
    imported module, or the C++ of a library some import loads)."""
    if workspace is None:
        return False
    name = op.name.encode()
    needles = (b'"' + name + b".", b"'" + name + b".", b"::" + name + b".")
    for language in (LanguageId.PYTHON, LanguageId.CPP):
        for other in workspace.files_containing(language, needles):
            data = workspace.read(other) or b""
            if other != path and op.namespace.encode() in data and name in _overloads_named(data):
                return True
    return False


def _overloads_named(data: bytes) -> set[bytes]:
    return set(_OVERLOAD_IN_OTHER_FILE.findall(data))


def fingerprint(workspace: Workspace, path: str) -> frozenset[bytes]:
    """The operators a Python or C++ file names an overload of."""
    if detect_language(path) not in (LanguageId.PYTHON, LanguageId.CPP):
        return frozenset()
    return frozenset(_overloads_named(workspace.read(path) or b""))


# -- findings -------------------------------------------------------------------------
def _finding(context: RuleContext, op: CustomOp, functional: OpDefinition, use: ts.Node) -> Finding:
    schema = schema_of(functional)
    wanted = out_schema(schema) if schema is not None else None
    to_define = f"`{wanted}`" if wanted else f"`{op.name}.out(..., *, Tensor(a!) out)`"
    message = (
        f"Custom operator `{op.qualified}` has no out variant and the model exported here "
        f"uses it undelegated: `to_executorch()` fails with `RuntimeError: Missing out "
        f"variants: {{'{op.qualified}'}}`. Define {to_define} in the `{op.namespace}` "
        f"namespace and register its implementation ({KERNELS_DOCS})"
    )
    related = [Related(Span(use.start_byte, use.end_byte), f"`{op.qualified}` used here")]
    string = functional.string
    return context.finding(Span(string.start_byte, string.end_byte), message, related=related)


# -- hover ----------------------------------------------------------------------------
def hover(document: Document, offset: int) -> str | None:
    """On the name of a custom op without an out variant (its definition or a
    ``torch.ops.ns.name`` use): the out variant to add."""
    if document.language is not LanguageId.PYTHON:
        return None
    ops = script_ops(script_model(document))
    for op in ops.ops.values():
        functional = _missing_out_variant(ops, op)
        if functional is not None and _points_at(ops, op, offset):
            return _hover_markdown(op, functional)
    return None


def _points_at(ops: ScriptOps, op: CustomOp, offset: int) -> bool:
    strings = [definition.string for definition in op.definitions]
    names = [
        reference.child_by_field_name("attribute") or reference for reference in ops.references(op)
    ]
    return any(
        node is not None and node.start_byte <= offset <= node.end_byte
        for node in (*strings, *names)
    )


def _hover_markdown(op: CustomOp, functional: OpDefinition) -> str:
    schema = schema_of(functional)
    wanted = out_schema(schema) if schema is not None else None
    code = _registration(op, functional, wanted, schema)
    return (
        f"**`{op.qualified}` has no out variant.** ExecuTorch runs out variants only: "
        f"`to_executorch()` replaces every operator by its out overload and fails with "
        f"`Missing out variants: {{'{op.qualified}'}}` for this one, unless a backend "
        "takes it or a library loaded with `torch.ops.load_library` defines the overload. "
        f"Add the out variant and its implementation:\n\n```python\n{code}```\n\n"
        "The runtime needs a kernel for it too (`EXECUTORCH_LIBRARY` or a "
        f"`custom_ops.yaml` entry): [Kernel registration]({KERNELS_DOCS})"
    )


def _registration(
    op: CustomOp, functional: OpDefinition, wanted: str | None, schema: Schema | None
) -> str:
    schema_text = (
        wanted or f"{op.name}.out(<the arguments of {op.name}>, *, Tensor(a!) out) -> Tensor(a!)"
    )
    names = argument_names(schema) if schema is not None and wanted else ["x"]
    outs = ["out"] if wanted is None or "out0" not in wanted else _out_names(wanted)
    parameters = ", ".join([*names, *([] if "*" in names else ["*"]), *outs])
    inputs = ", ".join(name for name in names if name != "*")
    body = _body(op, inputs, outs)
    function = f"{op.name}_out"
    library = functional.library
    if library is not None:
        return (
            f'{library}.define("{schema_text}")\n\n\n'
            f"def {function}({parameters}):\n{body}\n\n\n"
            f'{library}.impl("{op.name}.out", {function}, "CompositeExplicitAutograd")\n'
        )
    return (
        f'torch.library.define("{op.namespace}::{schema_text}")\n\n\n'
        f'@torch.library.impl("{op.qualified}.out", "CompositeExplicitAutograd")\n'
        f"def {function}({parameters}):\n{body}\n"
    )


def _out_names(wanted: str) -> list[str]:
    return re.findall(r"Tensor\(\w!\) (out\d+)", wanted)


def _body(op: CustomOp, inputs: str, outs: list[str]) -> str:
    call = f"torch.ops.{op.namespace}.{op.name}({inputs})"
    if len(outs) == 1:
        return f"    out.copy_({call})\n    return out"
    lines = [f"    results = {call}"]
    lines += [f"    {name}.copy_(results[{index}])" for index, name in enumerate(outs)]
    lines.append(f"    return {', '.join(outs)}")
    return "\n".join(lines)


RULE = Rule(
    code="ET404",
    name="custom-op-without-out-variant",
    title="Custom operator without an out variant fails to_executorch()",
    languages=frozenset({LanguageId.PYTHON}),
    severity=Severity.ERROR,
    fixable=False,
    docs=DOCS,
    check=check,
    anchors=(b"library", b"custom_op"),
    # An op definition, and an export that reaches the serialized program.
    anchor_patterns=(
        AnyOf(rb"custom_op", rb"\bLibrary\s*\(", rb"\bdefine\s*\("),
        AnyOf(rb"to_executorch", rb"export_to_exec_prog"),
    ),
    hover=hover,
    workspace_fingerprint=fingerprint,
)

"""ET407 torch-ao-quantization-flow: ``prepare_pt2e`` / ``prepare_qat_pt2e`` from
``torch.ao.quantization.quantize_pt2e`` given one of ExecuTorch's quantizers.

ExecuTorch's quantizers (``XNNPACKQuantizer``, ``CoreMLQuantizer``, Arm's, QNN's, ...) are
built on ``torchao.quantization.pt2e``; the PT2E code left in ``torch.ao`` checks their
specs against its own classes and stops (``assert isinstance(quantization_spec,
QuantizationSpec)``). torchao's ``prepare_pt2e`` takes both kinds of quantizer. Reported
only when the quantizer passed is built in the same function from a class imported from
``executorch.*``; a quantizer from a helper or a parameter is not a finding.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from ...engine.findings import Finding, Fix, Related, Severity, Span, TextEdit
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from .et407_docs import DOCS
from .lowering import argument, is_test_path
from .model import ScriptModel, script_model, text, unwrap

TORCH_AO_PT2E = "torch.ao.quantization.quantize_pt2e"
TORCHAO_PT2E = "torchao.quantization.pt2e.quantize_pt2e"
PREPARE_FUNCTIONS = ("prepare_pt2e", "prepare_qat_pt2e")
# Both modules define these three with the same signatures.
_SHARED_NAMES = frozenset({"prepare_pt2e", "prepare_qat_pt2e", "convert_pt2e"})
# prepare_pt2e(model, quantizer)
_QUANTIZER_POSITION = 1
# Quantizer methods that return the quantizer itself.
_SELF_RETURNING = frozenset({"set_global", "set_module_type", "set_module_name", "set_config"})


def check(context: RuleContext) -> Iterator[Finding]:
    if is_test_path(context.document.path):
        return
    model = script_model(context.document)
    for name in PREPARE_FUNCTIONS:
        for call, _ in model.calls_to(name, lambda q, n=name: q == f"{TORCH_AO_PT2E}.{n}"):
            if not any(start <= call.start_byte < end for start, end in context.ranges()):
                continue
            quantizer = _executorch_quantizer(model, call)
            if quantizer is not None:
                yield _finding(context, model, call, quantizer)


def _executorch_quantizer(model: ScriptModel, call: ts.Node) -> ts.Node | None:
    """The construction of the ExecuTorch quantizer ``call`` is given, if it is one."""
    given, _ = argument(call, "quantizer", _QUANTIZER_POSITION)
    if given is None:
        return None
    given = unwrap(given)
    if given.type == "identifier":
        resolved = model.resolve(given)
        if resolved is None:
            return None
        _, bindings = resolved
        constructions = [_construction(model, b.value) if b.value else None for b in bindings]
        if not constructions or None in constructions:
            return None
        return constructions[0]
    return _construction(model, given)


def _construction(model: ScriptModel, node: ts.Node) -> ts.Node | None:
    """``Quantizer(...)`` or ``Quantizer(...).set_global(...)`` for a class imported from
    ``executorch.*`` whose name ends in ``Quantizer``."""
    node = unwrap(node)
    while node.type == "call":
        function = node.child_by_field_name("function")
        if function is None:
            return None
        if function.type == "attribute" and text(function.child_by_field_name("attribute")) in (
            _SELF_RETURNING
        ):
            node = unwrap(function.child_by_field_name("object"))
            continue
        qualified = model.qualified_name(function) or ""
        if qualified.startswith("executorch.") and qualified.endswith("Quantizer"):
            return node
        return None
    return None


def _finding(
    context: RuleContext, model: ScriptModel, call: ts.Node, quantizer: ts.Node
) -> Finding:
    function = call.child_by_field_name("function")
    name = text(function).rsplit(".", 1)[-1]
    quantizer_class = text(quantizer.child_by_field_name("function")).rsplit(".", 1)[-1]
    message = (
        f"`{name}` from `torch.ao.quantization.quantize_pt2e` with `{quantizer_class}`: "
        "ExecuTorch's quantizers are built on torchao, and torch.ao's PT2E flow rejects "
        "their specs (`assert isinstance(quantization_spec, QuantizationSpec)`); newer "
        f"PyTorch releases no longer ship it at all. Import it from `{TORCHAO_PT2E}`"
    )
    related = [Related(Span(quantizer.start_byte, quantizer.end_byte), "the quantizer")]
    return context.finding(
        Span(function.start_byte, function.end_byte),
        message,
        fix=_fix(model, function),
        related=related,
    )


def _fix(model: ScriptModel, function: ts.Node) -> Fix | None:
    """Point the ``from torch.ao.quantization.quantize_pt2e import ...`` statement at
    torchao, when everything it imports exists there."""
    if function.type != "identifier":
        return None
    statement = _import_of(model, text(function))
    if statement is None:
        return None
    module = statement.child_by_field_name("module_name")
    edit = TextEdit(Span(module.start_byte, module.end_byte), TORCHAO_PT2E)
    return Fix("Import the PT2E flow from torchao", (edit,))


def _import_of(model: ScriptModel, local: str) -> ts.Node | None:
    for statement in model.all_imports:
        if statement.type != "import_from_statement":
            continue
        if text(statement.child_by_field_name("module_name")) != TORCH_AO_PT2E:
            continue
        names = statement.children_by_field_name("name")
        imported = [_original_name(name) for name in names]
        if local in (_local_name(name) for name in names) and set(imported) <= _SHARED_NAMES:
            return statement
    return None


def _original_name(name: ts.Node) -> str:
    if name.type == "aliased_import":
        return text(name.child_by_field_name("name"))
    return text(name)


def _local_name(name: ts.Node) -> str:
    if name.type == "aliased_import":
        return text(name.child_by_field_name("alias"))
    return text(name)


RULE = Rule(
    code="ET407",
    name="torch-ao-quantization-flow",
    title="PT2E quantization from torch.ao with an ExecuTorch quantizer",
    languages=frozenset({LanguageId.PYTHON}),
    severity=Severity.ERROR,
    fixable=True,
    docs=DOCS,
    check=check,
    anchors=(b"torch.ao",),
)

"""ET406 dynamic-quantization-not-per-channel: XNNPACK's
``get_symmetric_quantization_config(is_dynamic=True)`` with per-tensor weights.

XNNPACK runs dynamically quantized linear and convolution layers only with per-channel
weights; its partitioner turns per-tensor ones away ("XNNPACK does not support per
tensor quantized weights for dynamic quantization of activations"). Reported when
``is_dynamic`` is ``True`` and ``is_per_channel`` is missing or ``False``, both decided
from literals, names with one constant value or ``argparse`` defaults. A value the
script does not settle is not a finding.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from ...engine.findings import Finding, Fix, Related, Severity, Span, TextEdit
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from .et406_docs import DOCS
from .lowering import add_keyword_edit, argument, is_test_path
from .model import ScriptModel, script_model, unwrap
from .values import Constant, PartitionerValues

CONFIG = "get_symmetric_quantization_config"
# get_symmetric_quantization_config(is_per_channel=False, is_qat=False, is_dynamic=False, ...)
_PER_CHANNEL_POSITION = 0
_DYNAMIC_POSITION = 2


def check(context: RuleContext) -> Iterator[Finding]:
    if is_test_path(context.document.path):
        return
    model = script_model(context.document)
    if not _uses_executorch(model):
        return
    for call, _ in model.calls_to(CONFIG, _is_xnnpack_config):
        if not any(start <= call.start_byte < end for start, end in context.ranges()):
            continue
        finding = _check_call(context, model, call)
        if finding is not None:
            yield finding


def _is_xnnpack_config(qualified: str) -> bool:
    """ExecuTorch's ``executorch.backends.xnnpack.quantizer.xnnpack_quantizer`` or the
    copy PyTorch used to ship in ``torch.ao.quantization.quantizer.xnnpack_quantizer``
    (Arm's and Vulkan's functions of the same name take other arguments)."""
    module = qualified.rsplit(".", 1)[0]
    return qualified.endswith("." + CONFIG) and "xnnpack" in module


def _uses_executorch(model: ScriptModel) -> bool:
    return any(qualified.startswith("executorch") for qualified in model.imports.values())


def _check_call(context: RuleContext, model: ScriptModel, call: ts.Node) -> Finding | None:
    values = PartitionerValues(model, call)
    dynamic = _flag(values, call, "is_dynamic", _DYNAMIC_POSITION)
    if dynamic is None or dynamic.value is not True:
        return None
    per_channel_node, _ = argument(call, "is_per_channel", _PER_CHANNEL_POSITION)
    per_channel = _flag(values, call, "is_per_channel", _PER_CHANNEL_POSITION)
    if per_channel is None or per_channel.value is not False:
        return None
    return _finding(context, model, call, per_channel_node, dynamic, per_channel)


def _flag(values: PartitionerValues, call: ts.Node, keyword: str, position: int) -> Constant | None:
    """The argument's constant value; ``False`` (the default) when it is not passed, None
    when it may be passed through ``*args``/``**kwargs`` or is not a constant."""
    node, hidden = argument(call, keyword, position)
    if node is None:
        return None if hidden else Constant(False)
    return values.constant(node)


def _finding(
    context: RuleContext,
    model: ScriptModel,
    call: ts.Node,
    per_channel_node: ts.Node | None,
    dynamic: Constant,
    per_channel: Constant,
) -> Finding:
    function = call.child_by_field_name("function")
    weights = "with `is_per_channel` off" if per_channel_node else "without `is_per_channel`"
    message = (
        f"Dynamic quantization {weights}: the weights are quantized per tensor, and XNNPACK "
        "runs dynamically quantized linear and convolution layers only with per-channel "
        "weights. Its partitioner leaves these layers out of the delegate, so they run on "
        "CPU kernels or fail to export (`Missing out variants: {'quantized_decomposed::...'}`); "
        "older releases lowered them and failed at load with `XnnpackBackend init failed`. "
        "Pass `is_per_channel=True`"
    )
    related = [
        Related(Span(reason.node.start_byte, reason.node.end_byte), reason.message)
        for reason in (*dynamic.reasons, *per_channel.reasons)
    ]
    return context.finding(
        Span(function.start_byte, function.end_byte),
        message,
        fix=_fix(call, per_channel_node),
        related=related,
    )


def _fix(call: ts.Node, per_channel_node: ts.Node | None) -> Fix | None:
    if per_channel_node is None:
        edit = add_keyword_edit(call, "is_per_channel", "True")
    elif unwrap(per_channel_node).type == "false":
        edit = TextEdit(Span(per_channel_node.start_byte, per_channel_node.end_byte), "True")
    else:
        return None  # a name or a CLI option: the author decides where to change it
    if edit is None:
        return None
    return Fix("Quantize weights per channel", (edit,), safe=False)


RULE = Rule(
    code="ET406",
    name="dynamic-quantization-not-per-channel",
    title="XNNPACK dynamic quantization with per-tensor weights is not delegated",
    languages=frozenset({LanguageId.PYTHON}),
    severity=Severity.WARNING,
    fixable=True,
    docs=DOCS,
    check=check,
    anchors=(CONFIG.encode(),),
)

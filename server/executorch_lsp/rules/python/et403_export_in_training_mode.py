"""ET403 export-in-training-mode: a model exported for ExecuTorch that was never put in
eval mode, although it has layers that behave differently in training.

``nn.Module`` objects start in training mode; ``torch.export`` captures the mode, so
dropout keeps dropping activations at inference and batch norm normalizes with each
batch's statistics. Reported only when everything is in view:

* the script lowers to ExecuTorch (calls an ``executorch.*`` ``to_edge...`` function) and
  does not train on device or run quantization-aware training;
* the model given to ``torch.export.export`` (or ``export_for_training``) is built in
  the script by a constructor: a class defined in the file, a ``torch.nn`` container or
  a torchvision classification model;
* that model has training-sensitive layers: the class (with the file's classes it uses
  or derives from) builds batch norm, or dropout (transformer layers included) with a
  rate the script shows to be above zero, or reads ``self.training``;
* no ``.eval()``/``.train(...)`` is called on it anywhere, and it is never handed to
  another function that could do so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from ...engine.findings import Finding, Fix, Related, Severity, Span, TextEdit
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from .et403_docs import DOCS
from .lowering import argument, is_test_path
from .model import ScriptModel, script_model, text, unwrap

EXPORTS = frozenset({"torch.export.export", "torch.export.export_for_training"})
# Scripts that export in training mode on purpose: on-device training and QAT.
_TRAINING_ON_PURPOSE = (
    b"_export_forward_backward",
    b"exir.training",
    b"_export_for_training",
    b"prepare_qat_pt2e",
    b"move_exported_model_to_eval",
    b"move_exported_model_to_train",
)
_MODE_METHODS = frozenset({"eval", "train", "training", "apply"})
# Methods that return the module itself and keep its mode.
_SELF_RETURNING = frozenset(
    {"to", "cpu", "cuda", "float", "half", "double", "bfloat16", "requires_grad_", "type"}
)
# Methods that neither change the mode nor reach the submodules.
_MODE_NEUTRAL = _SELF_RETURNING | frozenset(
    {
        "load_state_dict",
        "state_dict",
        "parameters",
        "named_parameters",
        "buffers",
        "named_buffers",
        "forward",
        "register_buffer",
        "zero_grad",
    }
)
# Where a use only tests the model (``if model is None``).
_TESTS = frozenset({"comparison_operator", "not_operator", "boolean_operator", "if_statement"})
_READ_ONLY_CALLS = frozenset({"print", "len", "type", "id", "repr", "str", "isinstance"})
# Layers whose training behaviour differs, with where their drop rate is passed and its
# default (None: no rate, always sensitive). Functional dropout counts through
# ``training=self.training``.
_LAYERS: dict[str, tuple[str, int, float] | None] = {
    "Dropout": ("p", 0, 0.5),
    "Dropout1d": ("p", 0, 0.5),
    "Dropout2d": ("p", 0, 0.5),
    "Dropout3d": ("p", 0, 0.5),
    "AlphaDropout": ("p", 0, 0.5),
    "FeatureAlphaDropout": ("p", 0, 0.5),
    "StochasticDepth": ("p", 0, 0.0),
    "TransformerEncoderLayer": ("dropout", 3, 0.1),
    "TransformerDecoderLayer": ("dropout", 3, 0.1),
    "Transformer": ("dropout", 5, 0.1),
    "BatchNorm1d": None,
    "BatchNorm2d": None,
    "BatchNorm3d": None,
    "SyncBatchNorm": None,
    "LazyBatchNorm1d": None,
    "LazyBatchNorm2d": None,
    "LazyBatchNorm3d": None,
}
_SENSITIVE = re.compile(
    rb"\b(?P<layer>" + b"|".join(name.encode() for name in _LAYERS) + rb")\s*\("
    rb"|\bself\.training\b"
)
_MAX_DEPTH = 8
_SELF_EVAL = re.compile(rb"\bself\.(?:eval\s*\(|train\s*\()")
_CLASS_NAME = re.compile(rb"\b[A-Z]\w*\b")
# torchvision classification families built with batch norm, dropout or stochastic depth.
_TORCHVISION_FAMILIES = re.compile(
    r"^(?:resnet|resnext|wide_resnet|mobilenet|efficientnet|densenet|inception|googlenet|"
    r"shufflenet|mnasnet|regnet|squeezenet|alexnet|vgg|convnext|swin|maxvit)"
)
_SAME_OBJECT = object()


@dataclass(frozen=True)
class _Untrained:
    """A model built in training mode and the layer that makes the mode matter."""

    construction: ts.Node
    layer: Span
    layer_note: str


def check(context: RuleContext) -> Iterator[Finding]:
    if is_test_path(context.document.path):
        return
    data = context.document.data
    if any(marker in data for marker in _TRAINING_ON_PURPOSE):
        return
    model = script_model(context.document)
    if not _lowers_to_executorch(model):
        return
    for call, _ in _export_calls(model):
        if not any(start <= call.start_byte < end for start, end in context.ranges()):
            continue
        given, _ = argument(call, "mod", 0)
        if given is None:
            continue
        untrained = _untrained_model(model, call, unwrap(given))
        if untrained is not None:
            yield _finding(context, given, untrained)


def _lowers_to_executorch(model: ScriptModel) -> bool:
    """The script calls one of ExecuTorch's ``to_edge...`` functions (``exir.to_edge``,
    ``to_edge_transform_and_lower``, a backend's ``..._to_qnn`` variant)."""
    for call in model.calls:
        function = call.child_by_field_name("function")
        if function is None or b"to_edge" not in (function.text or b""):
            continue
        qualified = model.qualified_name(function) or ""
        if qualified.startswith("executorch.") and "to_edge" in qualified.rsplit(".", 1)[-1]:
            return True
    return False


def _export_calls(model: ScriptModel) -> Iterator[tuple[ts.Node, str]]:
    yield from model.calls_to("export", lambda name: name in EXPORTS)
    yield from model.calls_to("export_for_training", lambda name: name in EXPORTS)


# -- the model's history --------------------------------------------------------------
def _untrained_model(model: ScriptModel, export: ts.Node, given: ts.Node) -> _Untrained | None:
    if given.type == "call":
        construction = _construction(model, given, None)
        return _sensitive(model, construction) if isinstance(construction, ts.Node) else None
    if given.type != "identifier":
        return None
    resolved = model.resolve(given)
    if resolved is None:
        return None
    scope, bindings = resolved
    name = text(given)
    if any(binding.value is None for binding in bindings):
        return None
    built = [_construction(model, unwrap(b.value), name) for b in bindings]  # type: ignore[arg-type]
    constructions = [c for c in built if c is not _SAME_OBJECT]
    if not constructions or not all(isinstance(c, ts.Node) for c in constructions):
        return None
    if not _left_in_training_mode(model, scope, name, export):
        return None
    untrained = [_sensitive(model, c) for c in constructions]  # type: ignore[arg-type]
    return untrained[0] if all(u is not None for u in untrained) else None


def _construction(model: ScriptModel, node: ts.Node, name: str | None) -> object:
    """The constructor call a value comes from through mode-keeping methods
    (``Model().to(device)``); ``_SAME_OBJECT`` for ``name.to(device)``; None when the
    mode is set (``.eval()``, ``.train()``) or the value is anything else."""
    while node.type == "call":
        function = node.child_by_field_name("function")
        if function is None:
            return None
        if function.type == "attribute" and model.qualified_name(function) is None:
            method = text(function.child_by_field_name("attribute"))
            if method not in _SELF_RETURNING:
                return None
            node = unwrap(function.child_by_field_name("object"))
            continue
        return node
    if name is not None and node.type == "identifier" and text(node) == name:
        return _SAME_OBJECT
    return None


def _left_in_training_mode(model: ScriptModel, scope: ts.Node, name: str, export: ts.Node) -> bool:
    """No use of ``name`` may set the mode or hand the model where the mode could be set."""
    return all(_keeps_mode(use, export) for use in model.uses_in(scope, name))


def _keeps_mode(use: ts.Node, export: ts.Node) -> bool:
    parent = use.parent
    if export.start_byte <= use.start_byte < export.end_byte:
        return True
    if parent.type == "assignment" and parent.child_by_field_name("left") == use:
        return True
    if parent.type == "call" and parent.child_by_field_name("function") == use:
        return True  # model(inputs)
    if parent.type == "attribute" and parent.child_by_field_name("object") == use:
        return _attribute_keeps_mode(parent)
    if parent.type == "argument_list":
        return _read_only_call(parent.parent)
    if parent.type == "assignment" and parent.child_by_field_name("right") == use:
        return False  # an alias may be switched to eval mode
    return parent.type in _TESTS


def _attribute_keeps_mode(attribute: ts.Node) -> bool:
    """``model.a.b(...)``: no mode method anywhere in the chain, no other method than
    the mode-neutral ones, and the chain neither aliased nor handed to a function."""
    node = attribute
    while True:
        if node.type == "attribute" and text(node.child_by_field_name("attribute")) in (
            _MODE_METHODS
        ):
            return False
        parent = node.parent
        if parent is None:
            return True
        if parent.type == "call" and parent.child_by_field_name("function") == node:
            if text(node.child_by_field_name("attribute")) not in _MODE_NEUTRAL:
                return False
        elif not (parent.type == "attribute" and parent.child_by_field_name("object") == node):
            break
        node = parent
    holder = node.parent
    if holder.type == "argument_list":
        return _read_only_call(holder.parent)
    if holder.type == "assignment" and holder.child_by_field_name("right") == node:
        # ``model = model.float()`` keeps the object; ``encoder = model.encoder`` may be
        # switched to eval mode later.
        owner = attribute.child_by_field_name("object")
        return text(holder.child_by_field_name("left")) == text(owner)
    return holder.type != "keyword_argument"


def _read_only_call(call: ts.Node | None) -> bool:
    function = call.child_by_field_name("function") if call is not None else None
    return function is not None and text(function) in _READ_ONLY_CALLS


# -- training-sensitive layers --------------------------------------------------------
def _sensitive(model: ScriptModel, construction: ts.Node) -> _Untrained | None:
    function = construction.child_by_field_name("function")
    if function is None:
        return None
    qualified = model.qualified_name(function)
    if qualified is not None:
        return _sensitive_library_model(model, construction, qualified)
    if function.type != "identifier":
        return None
    class_node = _class_defined_here(model, function)
    if class_node is None:
        return None
    return _sensitive_class(model, construction, class_node)


def _sensitive_library_model(
    model: ScriptModel, construction: ts.Node, qualified: str
) -> _Untrained | None:
    short = qualified.rsplit(".", 1)[-1]
    if qualified.startswith("torchvision.models.") and _TORCHVISION_FAMILIES.match(short):
        span = Span(construction.start_byte, construction.end_byte)
        return _Untrained(construction, span, f"torchvision's `{short}` has batch norm or dropout")
    if qualified.startswith("torch.nn."):
        found = _first_sensitive(model, construction)
        if found is not None:
            return _Untrained(construction, *found)
    return None


def _class_defined_here(model: ScriptModel, name: ts.Node) -> ts.Node | None:
    resolved = model.resolve(name)
    if resolved is None:
        return None
    _, bindings = resolved
    if len(bindings) != 1 or bindings[0].target.parent is None:
        return None
    definition = bindings[0].target.parent
    return definition if definition.type == "class_definition" else None


def _sensitive_class(
    model: ScriptModel, construction: ts.Node, class_node: ts.Node
) -> _Untrained | None:
    """The first training-sensitive layer of the class or of the file's classes it uses
    or derives from; None when any of them switches itself to a mode."""
    classes = _classes_used(model, class_node)
    if any(_SELF_EVAL.search(c.text or b"") for c in classes):
        return None
    for used in classes:
        found = _first_sensitive(model, used)
        if found is not None:
            return _Untrained(construction, *found)
    return None


def _classes_used(model: ScriptModel, class_node: ts.Node) -> list[ts.Node]:
    defined = _module_classes(model)
    seen = {class_node.start_byte: class_node}
    pending = [class_node]
    while pending:
        current = pending.pop()
        for match in _CLASS_NAME.finditer(current.text or b""):
            other = defined.get(match.group().decode())
            if other is not None and other.start_byte not in seen:
                seen[other.start_byte] = other
                pending.append(other)
    return list(seen.values())


def _module_classes(model: ScriptModel) -> dict[str, ts.Node]:
    return {
        text(child.child_by_field_name("name")): child
        for child in _top_level_definitions(model.root)
        if child.type == "class_definition"
    }


def _top_level_definitions(root: ts.Node) -> Iterator[ts.Node]:
    for child in root.named_children:
        if child.type == "decorated_definition":
            child = child.child_by_field_name("definition")
        yield child


def _first_sensitive(model: ScriptModel, node: ts.Node) -> tuple[Span, str] | None:
    data = node.text or b""
    for match in _SENSITIVE.finditer(data):
        start = node.start_byte + match.start()
        layer = match.group("layer")
        if layer is None:
            return Span(start, start + len(match.group())), (
                "`self.training` makes the model behave differently in training mode"
            )
        word = layer.decode()
        if _drops(model, start, word):
            span = Span(start, start + len(word))
            return span, f"`{word}` behaves differently in training mode"
    return None


def _drops(model: ScriptModel, start: int, layer: str) -> bool:
    """Whether the layer constructed at ``start`` acts in training mode: batch norm
    always; dropout unless its rate is zero or not known from the script."""
    rate = _LAYERS[layer]
    if rate is None:
        return True
    call = _call_at(model, start)
    if call is None:
        return False
    keyword, position, default = rate
    given, hidden = argument(call, keyword, position)
    if given is None:
        return not hidden and default > 0
    value = _number(model, given, 0)
    return value is not None and value > 0


def _call_at(model: ScriptModel, start: int) -> ts.Node | None:
    """The call whose callee's last name starts at ``start`` (``Dropout`` in
    ``nn.Dropout(0.1)``)."""
    node = model.root.descendant_for_byte_range(start, start + 1)
    while node is not None and node.type in ("identifier", "attribute"):
        parent = node.parent
        if parent is not None and parent.type == "call":
            return parent if parent.child_by_field_name("function") == node else None
        node = parent
    return None


def _number(model: ScriptModel, node: ts.Node, depth: int) -> float | None:
    """A literal number, or a name holding one: a parameter's default or a single
    assignment."""
    node = unwrap(node)
    if node.type in ("integer", "float"):
        try:
            return float(text(node))
        except ValueError:
            return None
    if node.type != "identifier" or depth > _MAX_DEPTH:
        return None
    default = model.parameter_default(node)
    if default is not None:
        return _number(model, default, depth + 1)
    resolved = model.resolve(node)
    if resolved is None or len(resolved[1]) != 1 or resolved[1][0].value is None:
        return None
    return _number(model, resolved[1][0].value, depth + 1)


# -- the finding ----------------------------------------------------------------------
def _finding(context: RuleContext, given: ts.Node, untrained: _Untrained) -> Finding:
    construction = untrained.construction
    message = (
        f"`{text(given)}` is exported in training mode: nothing calls `.eval()` on it, and "
        "modules start in training mode. The program keeps dropout active (random "
        "outputs) and batch norm normalizing with each batch's statistics instead of the "
        "trained averages. Export the model in eval mode: "
        f"`export({text(given)}.eval(), ...)`"
    )
    related = [
        Related(
            Span(construction.start_byte, construction.end_byte),
            "built here, in training mode",
        ),
        Related(untrained.layer, untrained.layer_note),
    ]
    fix = Fix(
        "Export in eval mode",
        (TextEdit(Span(given.end_byte, given.end_byte), ".eval()"),),
        safe=False,
    )
    return context.finding(Span(given.start_byte, given.end_byte), message, fix, related)


RULE = Rule(
    code="ET403",
    name="export-in-training-mode",
    title="Model exported in training mode: dropout and batch norm behave as in training",
    languages=frozenset({LanguageId.PYTHON}),
    severity=Severity.WARNING,
    fixable=True,
    docs=DOCS,
    check=check,
    anchors=(b"export",),
    anchor_patterns=(re.compile(rb"to_edge"),),
)

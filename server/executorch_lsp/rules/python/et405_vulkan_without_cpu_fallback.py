"""ET405 vulkan-without-cpu-fallback: ``to_edge_transform_and_lower`` whose partitioners
are Vulkan's only.

Operators the Vulkan partitioner turns down run on the portable CPU kernels; listing
``XnnpackPartitioner`` after it lets XNNPACK take them. Whether any are turned down
depends on the model, and XNNPACK needs the app to link its backend, so this is a
suggestion (severity info), not a defect. Reported for a list literal (or a name with
one list-literal value in the script, not changed in place) whose every element is a
``VulkanPartitioner`` construction. Scripts that use an XNNPACK partitioner elsewhere
chose per program which backend runs (a CPU/GPU comparison, one program per backend),
and scripts of the Vulkan and WebGPU backends themselves (under a ``vulkan`` or
``webgpu`` directory) measure the GPU alone on purpose; neither is checked.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from ...engine.findings import Finding, Fix, Severity, Span, TextEdit
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from .et405_docs import DOCS
from .lowering import (
    PARTITIONER_POSITION,
    XNNPACK_PARTITIONER,
    argument,
    is_exir_function,
    is_test_path,
    xnnpack_fix,
)
from .model import ScriptModel, script_model, text, unwrap

LOWER = "to_edge_transform_and_lower"
VULKAN_PARTITIONER = "VulkanPartitioner"
_VULKAN_MODULE = "executorch.backends.vulkan"
_XNNPACK_MODULE = "executorch.backends.xnnpack"
_GPU_BACKEND_DIRECTORIES = frozenset({"vulkan", "webgpu"})


def check(context: RuleContext) -> Iterator[Finding]:
    if is_test_path(context.document.path) or _in_vulkan_tree(context.document.path):
        return
    model = script_model(context.document)
    if _uses_xnnpack_partitioner(model):
        return
    for call, _ in model.calls_to(LOWER, lambda name: is_exir_function(name, LOWER)):
        if not any(start <= call.start_byte < end for start, end in context.ranges()):
            continue
        given, _ = argument(call, "partitioner", PARTITIONER_POSITION)
        partitioners = _vulkan_only_list(model, call, given) if given is not None else None
        if partitioners is not None:
            yield _finding(context, model, given, partitioners)


def _in_vulkan_tree(path: str) -> bool:
    """Vulkan's own scripts, and WebGPU's, which runs programs lowered for Vulkan."""
    directories = path.replace("\\", "/").lower().split("/")[:-1]
    return any(name in _GPU_BACKEND_DIRECTORIES for name in directories)


def _uses_xnnpack_partitioner(model: ScriptModel) -> bool:
    """An XNNPACK partitioner is imported by name or built through a module alias."""
    if any(_is_xnnpack_partitioner(qualified) for qualified in model.imports.values()):
        return True
    functions = (call.child_by_field_name("function") for call in model.calls)
    return any(
        _is_xnnpack_partitioner(model.qualified_name(function) or "")
        for function in functions
        if function is not None and text(function).endswith("Partitioner")
    )


def _is_xnnpack_partitioner(qualified: str) -> bool:
    return qualified.startswith(_XNNPACK_MODULE) and qualified.endswith("Partitioner")


def _vulkan_only_list(model: ScriptModel, call: ts.Node, given: ts.Node) -> ts.Node | None:
    """The list literal ``given`` holds (directly or through one assignment) when every
    element of it constructs a Vulkan partitioner."""
    listed = _list_value(model, call, unwrap(given))
    if listed is None:
        return None
    elements = [child for child in listed.named_children if child.type != "comment"]
    if elements and all(_is_vulkan_partitioner(model, call, e) for e in elements):
        return listed
    return None


def _list_value(model: ScriptModel, call: ts.Node, node: ts.Node) -> ts.Node | None:
    if node.type == "list":
        return node
    value = _single_value(model, call, node)
    return value if value is not None and value.type == "list" else None


def _single_value(model: ScriptModel, call: ts.Node, node: ts.Node) -> ts.Node | None:
    """The one value a name is assigned in the script, unless it is changed in place."""
    if node.type != "identifier":
        return None
    value = model.fixed_value(node, call)
    return unwrap(value) if value is not None else None


def _is_vulkan_partitioner(model: ScriptModel, call: ts.Node, element: ts.Node) -> bool:
    element = unwrap(element)
    if element.type == "identifier":
        value = _single_value(model, call, element)
        return value is not None and _is_vulkan_construction(model, value)
    return _is_vulkan_construction(model, element)


def _is_vulkan_construction(model: ScriptModel, node: ts.Node) -> bool:
    if node.type != "call":
        return False
    qualified = model.qualified_name(node.child_by_field_name("function")) or ""
    return qualified.startswith(_VULKAN_MODULE) and qualified.endswith("." + VULKAN_PARTITIONER)


def _finding(
    context: RuleContext, model: ScriptModel, given: ts.Node, partitioners: ts.Node
) -> Finding:
    message = (
        "Only `VulkanPartitioner`: operators Vulkan turns down run on the portable CPU "
        "kernels, which are not optimized for speed. If the app links the XNNPACK backend, "
        f"list `{XNNPACK_PARTITIONER}()` after it so XNNPACK runs them: "
        f"`[VulkanPartitioner(...), {XNNPACK_PARTITIONER}()]`"
    )
    return context.finding(
        Span(given.start_byte, given.end_byte),
        message,
        fix=_fix(context, model, partitioners),
    )


def _fix(context: RuleContext, model: ScriptModel, partitioners: ts.Node) -> Fix:
    last = [child for child in partitioners.named_children if child.type != "comment"][-1]
    edit = TextEdit(Span(last.end_byte, last.end_byte), f", {XNNPACK_PARTITIONER}()")
    return xnnpack_fix("Fall back to XNNPACK", model, context.document.data, [edit])


RULE = Rule(
    code="ET405",
    name="vulkan-without-cpu-fallback",
    title="Vulkan is the only partitioner: what it turns down runs on portable kernels",
    languages=frozenset({LanguageId.PYTHON}),
    severity=Severity.INFO,
    fixable=True,
    docs=DOCS,
    check=check,
    anchors=(VULKAN_PARTITIONER.encode(),),
)

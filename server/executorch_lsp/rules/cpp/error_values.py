"""Is a C++ expression an ExecuTorch ``Error`` value? (Shared by the error rules.)"""

from __future__ import annotations

import re

import tree_sitter as ts

from .file_model import FileModel, Variable
from .syntax import callee_parts, member_call, text

# ExecuTorch calls whose result is an Error or a Result<T> (executorch-facts section 3).
# Names specific to ExecuTorch count on any receiver; generic names (load, execute, ...)
# only on a receiver whose declaration shows an ExecuTorch type.
SPECIFIC_APIS = frozenset(
    {
        "load_method",
        "load_forward",
        "method_meta",
        "method_names",
        "set_input",
        "set_inputs",
        "set_output_data_ptr",
        "get_outputs",
        "reset_execution",
        "prepare_input_tensors",
    }
)
GENERIC_APIS = frozenset(
    {
        "load",
        "execute",
        "forward",
        "method",
        "num_methods",
        "set_output",
        "set_outputs",
        "get_output",
        "step",
        "generate",
        "warmup",
        "prefill",
        "get_attribute",
    }
)
_ERROR_TYPE = re.compile(
    r"^(?:const\s+)?(?:(?:::)?(?:executorch::runtime|torch::executor|runtime)::)?Error$"
)
# ExecuTorch's Result, not another library's (tokenizers::Result, absl, ...).
_RESULT_TYPE = re.compile(
    r"^(?:const\s+)?(?:(?:::)?(?:executorch::runtime|torch::executor|runtime|executorch)::)?"
    r"Result\s*<"
)
_INTEGER_TYPES = re.compile(
    r"^(?:unsigned|signed|int|long|short|unsigned int|unsigned long|long long|"
    r"unsigned long long|u?int(?:8|16|32|64)_t|std::u?int(?:8|16|32|64)_t|size_t)$"
)


def integer_cast_inner(node: ts.Node, data: bytes) -> tuple[ts.Node, ts.Node | None]:
    """(expression inside integer casts and parentheses, the cast's type node or None)."""
    cast_type = None
    while True:
        if node.type == "parenthesized_expression" and node.named_child_count == 1:
            node = node.named_children[0]
        elif node.type == "cast_expression":
            type_node = node.child_by_field_name("type")
            if not _INTEGER_TYPES.match(" ".join(text(type_node, data).split())):
                return node, cast_type
            cast_type = cast_type or type_node
            node = node.child_by_field_name("value")
        elif node.type == "call_expression" and _is_integer_static_cast(node, data):
            function = node.child_by_field_name("function")
            arguments = function.child_by_field_name("arguments")
            cast_type = cast_type or arguments.named_children[0]
            node = node.child_by_field_name("arguments").named_children[0]
        else:
            return node, cast_type


def _is_integer_static_cast(call: ts.Node, data: bytes) -> bool:
    function = call.child_by_field_name("function")
    if function is None or function.type != "template_function":
        return False
    if text(function.child_by_field_name("name"), data) != "static_cast":
        return False
    arguments = function.child_by_field_name("arguments")
    call_arguments = call.child_by_field_name("arguments")
    return (
        arguments is not None
        and arguments.named_child_count == 1
        and call_arguments is not None
        and call_arguments.named_child_count == 1
        and bool(_INTEGER_TYPES.match(" ".join(text(arguments, data)[1:-1].split())))
    )


def _api_call(value: ts.Node | None, model: FileModel) -> bool:
    """A call to an ExecuTorch API that returns ``Error`` or ``Result<T>``."""
    data = model.data
    if value is None or value.type != "call_expression":
        return False
    member = member_call(value, data)
    if member is not None:
        receiver, _, name = member
        if name in SPECIFIC_APIS:
            return True
        return (
            name in GENERIC_APIS and model.receiver_type(receiver, model.unit_at(value)) is not None
        )
    parts = callee_parts(value, data)
    if not parts:
        return False
    if parts[-1] == "prepare_input_tensors":
        return True
    return (
        parts[-1] in ("load", "from")
        and len(parts) >= 2
        and parts[-2] in ("Program", "FileDataLoader", "MmapDataLoader", "BufferDataLoader")
    )


def _is_declared_as(variable: Variable, pattern: re.Pattern[str]) -> bool:
    return bool(pattern.search(" ".join(variable.type_text.split())))


def is_error_value(node: ts.Node, model: FileModel) -> bool:
    """``r.error()`` of an ExecuTorch ``Result``, or a variable holding an ``Error``."""
    data = model.data
    if node.type == "call_expression":
        member = member_call(node, data)
        arguments = node.child_by_field_name("arguments")
        if member is None or member[2] != "error" or member[0].type != "identifier":
            return False
        if arguments is not None and arguments.named_child_count:
            return False
        variable = model.lookup(text(member[0], data), member[0])
        return variable is not None and (
            _is_declared_as(variable, _RESULT_TYPE) or _api_call(variable.value, model)
        )
    if node.type == "identifier":
        variable = model.lookup(text(node, data), node)
        return variable is not None and (
            _is_declared_as(variable, _ERROR_TYPE) or _api_call(variable.value, model)
        )
    return False

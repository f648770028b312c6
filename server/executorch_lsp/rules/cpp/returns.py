"""What ExecuTorch calls return: an ``Error``, a ``Result<T>`` or something else.

The tables follow the headers (executorch-facts section 3); a member call counts
only when its receiver's declaration shows an ExecuTorch type.
"""

from __future__ import annotations

import re

import tree_sitter as ts

from .file_model import FileModel, Unit
from .model_loads import Entity
from .syntax import callee_parts, member_call, text

ERROR_RETURNING_TYPE = re.compile(r"^(?:(?:::)?[\w:]*::)?(?:Error|Result\s*<.*>)$", re.S)

# What each ExecuTorch type's calls return (executorch-facts section 3).
RETURNS_ERROR = {
    Entity.MODULE: frozenset(
        {
            "load",
            "load_method",
            "load_forward",
            "set_input",
            "set_inputs",
            "set_output",
            "set_outputs",
        }
    ),
    Entity.PROGRAM: frozenset(),
    Entity.METHOD: frozenset(
        {
            "set_input",
            "set_inputs",
            "set_output_data_ptr",
            "get_outputs",
            "execute",
            "step",
            "reset_execution",
            "get_inputs",
        }
    ),
    Entity.RUNNER: frozenset({"load", "generate", "warmup"}),
}
RETURNS_RESULT = {
    Entity.MODULE: frozenset(
        {
            "execute",
            "forward",
            "method",
            "get",
            "method_meta",
            "method_names",
            "num_methods",
            "get_output",
            "get_outputs",
        }
    ),
    Entity.PROGRAM: frozenset({"load_method", "method_meta", "get_method_name"}),
    Entity.METHOD: frozenset(),
    Entity.RUNNER: frozenset({"prefill"}),
}


def returned_kind(call: ts.Node, model: FileModel) -> str | None:
    """ "Error" or "Result" when ``call`` is an ExecuTorch call returning one, else None."""
    data = model.data
    member = member_call(call, data)
    if member is None:
        parts = callee_parts(call, data)
        if parts and parts[-1] == "prepare_input_tensors":
            return "Result"
        is_program_load = parts[-2:] in (["Program", "load"], ["Program", "Load"])
        return "Result" if is_program_load else None
    receiver, operator, name = member
    receiver_type = model.receiver_type(receiver, model.unit_at(call))
    if receiver_type is None or (operator == "->") != receiver_type.indirect:
        return None
    if name in RETURNS_ERROR[receiver_type.entity]:
        return "Error"
    if name in RETURNS_RESULT[receiver_type.entity]:
        return "Result"
    return None


def returns_error_or_result(unit: Unit | None, data: bytes) -> bool:
    """Whether ``unit`` is a function (not a lambda) declared to return Error or Result."""
    if unit is None or unit.is_lambda:
        return False
    returns = " ".join(text(unit.node.child_by_field_name("type"), data).split())
    return ERROR_RETURNING_TYPE.match(returns) is not None

"""Calls of wrapper functions (defined in the same file, or in a ``.bzl`` file it loads):
the parameters bound to the arguments.

``def my_binary(name, deps = [], **kwargs): runtime.cxx_binary(name = name, deps = deps +
[":base"], **kwargs)`` called as ``my_binary(name = "app", deps = [":lib"])`` defines the
binary ``app`` with deps ``[":lib", ":base"]``: the body is read again with ``name``,
``deps`` and ``kwargs`` bound to what the call passes (or to their defaults).
"""

from __future__ import annotations

import tree_sitter as ts

from .values import DictValue, Item, Scope

# How deep wrappers may call wrappers.
MAX_EXPANSION_DEPTH = 3


def bind_parameters(
    definition: ts.Node,
    keywords: dict[str, Item],
    positional: list[Item],
    open_arguments: bool,
    call_span: tuple[int, int],
    parent: Scope,
    data: bytes,
) -> Scope:
    """The scope of one call's function body: parameters bound to the call's arguments.

    A parameter the call does not pass takes its default, unless the call has arguments
    that could not be read (``**unknown``): then it is unknown. ``parent`` is the module
    scope of the file defining the function; ``call_span`` is where the ``**kwargs`` dict
    of the call is reported."""
    scope = Scope(parent)
    parameters = definition.child_by_field_name("parameters")
    used: set[str] = set()
    index = 0
    splat_name: str | None = None
    for parameter in parameters.named_children if parameters is not None else ():
        kind = parameter.type
        if kind == "dictionary_splat_pattern":
            splat_name = _name(parameter, data)
            continue
        if kind == "list_splat_pattern":
            if (name := _name(parameter, data)) is not None:
                scope.forget(name)
            continue
        name_node = parameter if kind == "identifier" else parameter.child_by_field_name("name")
        if name_node is None:
            continue
        name = _text(name_node, data)
        if name in keywords:
            scope.bind(name, keywords[name])
            used.add(name)
        elif index < len(positional):
            scope.bind(name, positional[index])
        elif not open_arguments and kind in ("default_parameter", "typed_default_parameter"):
            default = parameter.child_by_field_name("value")
            if default is not None:
                scope.bind(name, default)
            else:
                scope.forget(name)
        else:
            scope.forget(name)
        index += 1
    if splat_name is not None:
        if open_arguments or len(positional) > index:
            scope.forget(splat_name)
        else:
            rest = tuple((key, item) for key, item in keywords.items() if key not in used)
            scope.bind(splat_name, Item(DictValue(rest), *call_span))
    return scope


def _name(node: ts.Node, data: bytes) -> str | None:
    identifier = next((c for c in node.named_children if c.type == "identifier"), None)
    return _text(identifier, data) if identifier is not None else None


def _text(node: ts.Node, data: bytes) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")

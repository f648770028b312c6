"""The text-only view of C++ comments and literals agrees with tree-sitter."""

from __future__ import annotations

import pytest

from executorch_lsp.engine import grammars
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.rules.cpp.lexical import LiteralSpans, argument_count, arguments_end

_LITERAL_NODES = {
    "comment",
    "string_literal",
    "raw_string_literal",
    "char_literal",
    "system_lib_string",
}

SOURCES = {
    "comments": "int a; // torch::executor\n/* exec_aten\n */ int b;\n",
    "continued_line_comment": "// one \\\n two\nint c;\n",
    "strings_with_escapes": 'auto s = "a \\" b"; auto t = "\\\\"; int d;\n',
    "raw_strings": 'auto r = R"x(a ) " b)x"; auto w = LR"(y)"; auto u = u8R"(z)"; int e;\n',
    "characters": "char q = '\"'; char e = '\\''; auto w = L'x'; auto u = u8'y'; int f;\n",
    "digit_separators": "int big = 1'000'000; long hex = 0xFF'FF; int g;\n",
    "identifier_ending_in_r": 'int FOOR = 1; auto s = FOOR"x"; int h;\n',
    "include_names": '#include <vector>\n#include "local.h"\nint i;\n',
    "division_is_code": "int j = a / b / c; int k = a /b;\n",
}


def _tree_literal_offsets(source: bytes) -> set[int]:
    tree = grammars.parse(LanguageId.CPP, source)
    found: set[int] = set()
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in _LITERAL_NODES:
            found.update(range(node.start_byte, node.end_byte))
        else:
            stack.extend(node.children)
    return found


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_literal_offsets_match_the_syntax_tree(name: str) -> None:
    source = SOURCES[name].encode()
    spans = LiteralSpans(source)
    lexical = {offset for offset in range(len(source)) if spans.covers(offset)}
    assert lexical == _tree_literal_offsets(source)


def test_a_range_is_lexed_from_its_start() -> None:
    source = b'/* "open */ int a; f("x");'
    spans = LiteralSpans(source, source.index(b"int"))
    assert not spans.covers(source.index(b"int"))
    assert spans.covers(source.index(b'"x"') + 1)
    assert not spans.covers(source.index(b"open"))  # before the range: not lexed


def test_arguments_end_skips_nested_parentheses() -> None:
    source = b'm.load(f(a, (b)), "x");'
    assert arguments_end(source, source.index(b"(") + 1) == source.index(b";")


def test_arguments_end_gives_up_on_unclosed_calls() -> None:
    assert arguments_end(b"m.load(a, b", 7) is None


@pytest.mark.parametrize(
    ("call", "count"),
    [
        (b"f()", 0),
        (b"f(a)", 1),
        (b'f("a,b", c)', 2),
        (b"f(g(a, b), {1, 2}, c[0])", 3),
        (b"f(/* a, b */ c)", 1),
        (b"f(x<a, b>(y))", None),  # template arguments: cannot tell
        (b"f(a, b", None),  # not closed
    ],
)
def test_argument_count(call: bytes, count: int | None) -> None:
    assert argument_count(call, 2, LiteralSpans(call)) == count

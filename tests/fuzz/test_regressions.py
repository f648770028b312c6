"""Inputs the fuzzers found failing, each at its smallest, with the invariant it broke."""

from __future__ import annotations

import time

import pytest

from executorch_lsp.engine.findings import apply_edits
from executorch_lsp.engine.languages import LanguageId
from harness import run

from .invariants import check_input

CPP, CMAKE = LanguageId.CPP, LanguageId.CMAKE


@pytest.mark.parametrize(
    "source",
    [
        b"#torch::executor::Error\n",
        b"#define CHECK_OK(x) ET_CHECK((x) == torch::executor::Error::Ok)\n",
    ],
)
def test_disabling_a_finding_on_a_preprocessor_line(source: bytes) -> None:
    """The directive after a macro's value is part of the value in tree-sitter-cpp's tree:
    "Disable ET107 for this line" inserted a comment that suppressed nothing."""
    check_input(CPP, source)


def test_a_directive_in_a_macro_string_is_not_a_suppression() -> None:
    source = '#define M(x) f(torch::executor::Error::Ok, "// executorch-lsp: ignore[ET107]")\n'
    _, analysis = run(source)
    assert [f.code for f in analysis.findings] == ["ET107"] and analysis.suppressions == []


@pytest.mark.parametrize(
    "source",
    [
        b"if(A)\n" * 1_000 + b"endif()\n" * 1_000,
        b"foreach(x a)\n" * 1_000 + b"endforeach()\n" * 1_000,
        b"while(x)\n" * 1_000 + b"endwhile()\n" * 1_000,
        b"if(" + b"NOT " * 3_000 + b"A)\nendif()\n",
        # unbalanced: read from the syntax tree rather than by the scanner
        b"if(A)\n" * 1_000 + b"endif()\n" * 999 + b"endif(\n",
    ],
    ids=["if", "foreach", "while", "not", "unbalanced-if"],
)
def test_deeply_nested_cmake_is_modelled(source: bytes) -> None:
    """The CMake interpreter recursed once per level: RecursionError in ET202-ET209."""
    head = b"add_executable(app main.cpp)\ntarget_link_libraries(app /opt/libxnnpack_backend.a)\n"
    outcome = check_input(CMAKE, head + source, edits=False)
    assert outcome.findings == 1  # ET202 on the link before the nesting


def test_deeply_nested_blocks_in_a_function() -> None:
    """The C++ flow walk recursed once per statement level: RecursionError in ET101."""
    body = "{" * 5_000 + "}" * 5_000
    source = (
        f"void f(Module& m) {{ m.load(); get_threadpool()->_unsafe_reset_threadpool(2); {body} }}"
    )
    check_input(CPP, source.encode(), edits=False)


def test_nested_loops_take_linear_time() -> None:
    """Each loop was walked twice, its nested loops four times...: 16 nested loops took
    11 s, 20 more than a minute."""
    loops = "for (;;) { while (x) {" * 20
    source = (
        f"void f(Module& m) {{ {loops} m.load(); get_threadpool()->_unsafe_reset_threadpool(2);"
        + "}}" * 20
        + "}\n"
    )
    started = time.perf_counter()
    _, analysis = run(source)
    assert time.perf_counter() - started < 2
    assert [f.code for f in analysis.findings] == ["ET101"]


@pytest.mark.parametrize(
    "source",
    [
        b"foreach(x a b)\n" * 40 + b"set(Y 1)\n" + b"endforeach()\n" * 40,
        b"function(f)\n" + b"f()\n" * 10 + b"endfunction()\nf()\n",
        b"macro(m)\n" + b"m()\n" * 10 + b"endmacro()\nm()\n",
    ],
    ids=["nested-foreach", "function-fan-out", "macro-fan-out"],
)
def test_cmake_loops_and_calls_that_multiply_are_bounded(source: bytes) -> None:
    """Each level multiplied the statements run (2**40 for the loops, 10**12 for the
    calls): the analysis never ended."""
    head = b"add_executable(app main.cpp)\ntarget_link_libraries(app /opt/libxnnpack_backend.a)\n"
    started = time.perf_counter()
    outcome = check_input(CMAKE, head + source, edits=False)
    assert time.perf_counter() - started < 5 and outcome.findings == 1


def test_removing_one_unused_code_keeps_the_others_as_written() -> None:
    """The fix rewrote the whole list (upper-cased, re-joined): the duplicate of the removed
    code was reported again inside the rewritten text. Found by atheris."""
    source = b"# executorch-lsp: ignore[E\x01# etorch-lsp: ignore[ET10T101]\n"
    check_input(CMAKE, source)
    doc, analysis = run("int x;  // executorch-lsp: ignore[et101,ET103 , ET107]\n")
    fixed = [apply_edits(doc.data, list(f.fix.edits)).decode() for f in analysis.findings]
    assert fixed == [
        "int x;  // executorch-lsp: ignore[ET103 , ET107]\n",
        "int x;  // executorch-lsp: ignore[et101,ET107]\n",
        "int x;  // executorch-lsp: ignore[et101,ET103]\n",
    ]

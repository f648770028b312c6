"""Runtime log lines in free text: printed forms, format strings, and the explain answer."""

import pytest

from executorch_lsp.knowledge.error_codes import ERROR_CODES
from executorch_lsp.knowledge.explain import explain
from executorch_lsp.knowledge.log_messages import (
    find_log_messages,
    log_message_at,
    outermost_log_messages,
    render_markdown,
)


def found(text: str) -> list[tuple[str, str]]:
    return [(text[m.start : m.end], m.code.name) for m in outermost_log_messages(text)]


@pytest.mark.parametrize(
    ("text", "quoted", "name"),
    [
        (
            "E 00:00:00.366934 executorch:method.cpp:88] Backend XnnpackBackend is not registered.",
            "Backend XnnpackBackend is not registered",
            "NotFound",
        ),
        ("Backend %s is not registered.", "Backend %s is not registered", "NotFound"),
        ("kernel 'aten::mm.out' not found.", "kernel 'aten::mm.out' not found", "OperatorMissing"),
        ("kernel '%s' not found.", "kernel '%s' not found", "OperatorMissing"),
        (
            "Missing operator: [3] aten::convolution.out",
            "Missing operator: [3] aten::convolution.out",
            "OperatorMissing",
        ),
        (
            "Re-registering aten::add.out, from libfoo.so",
            "Re-registering aten::add.out, from libfoo.so",
            "RegistrationAlreadyRegistered",
        ),
        (
            "Attempted to resize a static tensor. Expected shape (1, 3), but received (2, 3).",
            "Attempted to resize a static tensor. Expected shape (1, 3), but received (2, 3).",
            "NotSupported",
        ),
        (
            "Output %zu is memory planned, or is a constant. Cannot override the existing data "
            "pointer.",
            "Output %zu is memory planned, or is a constant. Cannot override the existing data "
            "pointer",
            "InvalidState",
        ),
    ],
)
def test_printed_lines_and_format_strings(text: str, quoted: str, name: str) -> None:
    assert found(text) == [(quoted, name)]


def test_an_abort_line_quoting_an_error_line_counts_once() -> None:
    text = "Kernel registration failed with error 22, Re-registering aten::add.out, from x.so"
    assert len(find_log_messages(text)) == 2
    assert found(text) == [(text, "RegistrationAlreadyRegistered")]


@pytest.mark.parametrize(
    "text",
    [
        "Backend is not registered",
        "the backend was not registered",
        "kernel not found",
        "Missing operator",
        "Re-registering",
        "Output 0 is ready",
        "Backend XnnpackBackend\nis not registered.",
    ],
)
def test_fragments_and_other_wording_do_not_match(text: str) -> None:
    assert find_log_messages(text) == []


def test_every_table_message_matches_its_own_text() -> None:
    for code in ERROR_CODES:
        for message in code.log_messages:
            hits = [m for m in find_log_messages(message.text) if m.message == message]
            assert hits, message.text


def test_log_message_at_picks_the_message_under_the_position() -> None:
    text = "Backend QnnBackend is not available. Missing operator: [0] aten::mm.out"
    assert log_message_at(text, 3).code.name == "NotFound"
    assert log_message_at(text, text.index("aten::mm")).code.name == "OperatorMissing"
    assert log_message_at(text, text.index(". M") + 1) is None


def test_render_names_the_error_the_file_and_the_fix() -> None:
    (match,) = find_log_messages("Backend XnnpackBackend is not registered.")
    text = render_markdown(match)
    assert text.startswith("### ExecuTorch log message: Error::NotFound (0x20 = 32)\n")
    assert "https://github.com/pytorch/executorch/blob/main/runtime/executor/method.cpp" in text
    assert "whole-archive" in text


def test_explain_a_pasted_log() -> None:
    text = explain(
        "E 00:00:00.366934 executorch:method.cpp:88] Backend XnnpackBackend is not registered.\n"
        "E 00:00:00.366950 executorch:method.cpp:824] Missing operator: [1] aten::mm.out"
    )
    assert text is not None
    assert text.index("Error::NotFound (0x20 = 32)") < text.index("Error::OperatorMissing")


def test_explain_prefers_the_log_line_over_a_number_inside_it() -> None:
    text = explain("Kernel registration failed with error 22, Re-registering aten::add.out, from x")
    assert text.startswith("### ExecuTorch log message: Error::RegistrationAlreadyRegistered")
    assert "ambiguous" not in text

"""The error-code table against runtime/core/error.h, lookups and the hover text."""

import pytest

from executorch_lsp.knowledge.error_codes import (
    ERROR_CODES,
    FAQ_URL,
    by_name,
    by_value,
    render_markdown,
)

# enum class Error in runtime/core/error.h, in declaration order.
EXPECTED = [
    ("Ok", 0x00, "System"),
    ("Internal", 0x01, "System"),
    ("InvalidState", 0x02, "System"),
    ("EndOfMethod", 0x03, "System"),
    ("AlreadyLoaded", 0x04, "System"),
    ("NotSupported", 0x10, "Logical"),
    ("NotImplemented", 0x11, "Logical"),
    ("InvalidArgument", 0x12, "Logical"),
    ("InvalidType", 0x13, "Logical"),
    ("OperatorMissing", 0x14, "Logical"),
    ("RegistrationExceedingMaxKernels", 0x15, "Logical"),
    ("RegistrationAlreadyRegistered", 0x16, "Logical"),
    ("NotFound", 0x20, "Resource"),
    ("MemoryAllocationFailed", 0x21, "Resource"),
    ("AccessFailed", 0x22, "Resource"),
    ("InvalidProgram", 0x23, "Resource"),
    ("InvalidExternalData", 0x24, "Resource"),
    ("OutOfResources", 0x25, "Resource"),
    ("DelegateInvalidCompatibility", 0x30, "Delegate"),
    ("DelegateMemoryAllocationFailed", 0x31, "Delegate"),
    ("DelegateInvalidHandle", 0x32, "Delegate"),
]

REPO = "https://github.com/pytorch/executorch/blob/main/"


def test_table_matches_error_h() -> None:
    actual = [(code.name, code.value, code.category) for code in ERROR_CODES]
    assert actual == EXPECTED


def test_hex_and_qualified_spelling() -> None:
    not_found = by_name("NotFound")
    assert not_found is not None
    assert not_found.hex == "0x20"
    assert not_found.qualified == "Error::NotFound"
    assert not_found.title == "Error::NotFound (0x20 = 32)"
    assert by_value(0).hex == "0x00"
    assert by_value(0x2).hex == "0x02"


def test_not_supported_is_0x10_not_invalid_argument() -> None:
    assert by_value(0x10).name == "NotSupported"
    assert by_value(0x12).name == "InvalidArgument"


@pytest.mark.parametrize(
    "spelling",
    [
        "NotFound",
        "notfound",
        "NOTFOUND",
        "Error::NotFound",
        "executorch::runtime::Error::NotFound",
        "::executorch::runtime::Error::NotFound",
        "torch::executor::Error::NotFound",
        "  `Error::NotFound` ",
        "ExecuTorchErrorCodeNotFound",
        "NOT_FOUND",
    ],
)
def test_by_name_variants(spelling: str) -> None:
    code = by_name(spelling)
    assert code is not None
    assert code.name == "NotFound"


@pytest.mark.parametrize(
    "spelling", ["", "Error::", "Unknown", "Error::Unknown", "foo::NotFound", "NotFoundX"]
)
def test_by_name_rejects(spelling: str) -> None:
    assert by_name(spelling) is None


def test_by_value() -> None:
    for name, value, _ in EXPECTED:
        code = by_value(value)
        assert code is not None
        assert code.name == name
    for undefined in (5, 0x17, 0x18, 0x26, 0x33, 0x40, -1):
        assert by_value(undefined) is None


def test_every_code_has_meaning_and_error_h_source() -> None:
    for code in ERROR_CODES:
        assert code.meaning.strip()
        assert ("runtime/core/error.h", REPO + "runtime/core/error.h") in code.sources
        for title, url in code.sources:
            assert title
            assert url.startswith(REPO), url


def test_non_ok_codes_say_what_to_do() -> None:
    for code in ERROR_CODES[1:]:
        assert code.fixes, code.name


def test_faq_only_where_the_faq_covers_the_code() -> None:
    with_faq = {code.name for code in ERROR_CODES if code.faq}
    assert with_faq == {
        "NotSupported",
        "OperatorMissing",
        "RegistrationAlreadyRegistered",
        "NotFound",
    }
    assert FAQ_URL == REPO + "docs/source/using-executorch-faqs.md"
    for code in ERROR_CODES:
        urls = [url for _, url in code.sources]
        assert (FAQ_URL in urls) == bool(code.faq), code.name


def test_log_messages_use_placeholders_not_printf() -> None:
    for code in ERROR_CODES:
        for message in code.log_messages:
            assert "%" not in message.text, message
            assert "PRI" not in message.text, message


def test_log_messages_name_the_executorch_file_that_logs_them() -> None:
    for code in ERROR_CODES:
        for message in code.log_messages:
            title, url = message.source
            assert url == REPO + title, message
            assert title.endswith((".cpp", ".h", ".mm")), message


def texts(name: str) -> list[str]:
    return [message.text for message in by_name(name).log_messages]


def test_known_log_messages() -> None:
    assert "Backend <name> is not registered." in texts("NotFound")
    assert "Missing operator: [<index>] <operator>" in texts("OperatorMissing")
    assert any("bounded tensor" in m for m in texts("NotSupported"))
    assert any("Re-registering" in m for m in texts("RegistrationAlreadyRegistered"))


def test_render_title_and_sections() -> None:
    text = render_markdown(by_name("NotFound"))
    assert text.splitlines()[0] == "### Error::NotFound (0x20 = 32)"
    assert "Backend <name> is not registered." in text
    assert f"[ExecuTorch FAQ]({FAQ_URL})" in text
    assert "[runtime/core/error.h](" + REPO + "runtime/core/error.h)" in text


def test_render_without_heading() -> None:
    text = render_markdown(by_name("NotFound"), heading=False)
    assert "###" not in text
    assert text.startswith("Something looked up by name")


def test_render_0x14_faq_guidance() -> None:
    text = render_markdown(by_value(0x14))
    assert "et_operator_library" in text
    assert "executorch_generated_lib" in text
    assert "selective build" in text.lower()
    assert "EXECUTORCH_SELECT_OPS_MODEL" in text


def test_render_0x20_faq_guidance() -> None:
    text = render_markdown(by_value(0x20))
    assert "xnnpack_backend" in text
    assert "whole-archive" in text
    assert "WHOLE_ARCHIVE" in text


def test_render_0x10_faq_guidance() -> None:
    text = render_markdown(by_value(0x10))
    assert "dynamic shapes" in text
    assert "bound" in text
    assert "Dim(" in text


def test_render_duplicate_registration_faq() -> None:
    text = render_markdown(by_value(0x16))
    assert "gen_operators_lib" in text
    assert "et_pal_abort" in text


@pytest.mark.parametrize("code", ERROR_CODES, ids=lambda code: code.name)
def test_render_is_hover_sized(code) -> None:
    assert len(render_markdown(code).splitlines()) < 25

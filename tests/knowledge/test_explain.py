"""Hex/decimal readings, mentions in free text and the ``explain`` answer."""

import pytest

from executorch_lsp.knowledge.explain import (
    explain,
    find_mentions,
    readings_of_number,
    valid_ranges,
)


def names(readings) -> list[str]:
    return [reading.code.name for reading in readings]


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("0x20", ["NotFound"]),
        ("0X20", ["NotFound"]),
        ("0x14", ["OperatorMissing"]),
        ("0X14", ["OperatorMissing"]),
        ("0x:14", ["OperatorMissing"]),
        ("0x10", ["NotSupported"]),
        ("20", ["OperatorMissing", "NotFound"]),
        ("32", ["NotFound", "DelegateInvalidHandle"]),
        ("16", ["NotSupported", "RegistrationAlreadyRegistered"]),
        ("22", ["RegistrationAlreadyRegistered", "AccessFailed"]),
        ("18", ["InvalidArgument"]),
        ("24", ["InvalidExternalData"]),
        ("48", ["DelegateInvalidCompatibility"]),
        ("1", ["Internal"]),
        ("0x18", []),
        ("99", []),
        ("7", []),
        ("abc", []),
        ("0x%x", []),
        ("", []),
    ],
)
def test_readings_of_number(token: str, expected: list[str]) -> None:
    assert names(readings_of_number(token)) == expected


def test_hex_token_is_hex_only() -> None:
    (reading,) = readings_of_number("0x20")
    assert reading.label == "read as hex 0x20"


def test_ambiguous_labels_say_base_and_surfaces() -> None:
    decimal, hexadecimal = readings_of_number("20")
    assert decimal.label.startswith("read as decimal 20 (= 0x14)")
    assert "iOS" in decimal.label
    assert "%d" in decimal.label
    assert hexadecimal.label.startswith("read as hex 0x20")
    assert "Python" in hexadecimal.label
    assert "Android" in hexadecimal.label


def test_single_reading_label_names_the_undefined_base() -> None:
    (reading,) = readings_of_number("18")
    assert reading.label.startswith("read as decimal 18 (= 0x12)")
    assert "0x18 is not an ExecuTorch error" in reading.label


def mention_tokens(text: str) -> list[tuple[str, list[str]]]:
    return [(text[m.start : m.end], names(m.readings)) for m in find_mentions(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Failed to load method forward, error: 0x:14", [("0x:14", ["OperatorMissing"])]),
        ("[ExecuTorch Error 0x14] Operator missing", [("0x14", ["OperatorMissing"])]),
        ("Code=32", [("32", ["NotFound", "DelegateInvalidHandle"])]),
        (
            'Error Domain=org.pytorch.executorch.error Code=32 "Resource not found"',
            [("32", ["NotFound", "DelegateInvalidHandle"])],
        ),
        ("error 20", [("20", ["OperatorMissing", "NotFound"])]),
        ("Failed to load method: error 20.", [("20", ["OperatorMissing", "NotFound"])]),
        ("Loading of method forward failed with status 0x20", [("0x20", ["NotFound"])]),
        ("STATUS 0x14", [("0x14", ["OperatorMissing"])]),
        ("error code 22", [("22", ["RegistrationAlreadyRegistered", "AccessFailed"])]),
        ("FileDataLoader::from() failed: 0x22", [("0x22", ["AccessFailed"])]),
        (
            "error 0x14, then status 0x20",
            [("0x14", ["OperatorMissing"]), ("0x20", ["NotFound"])],
        ),
    ],
)
def test_find_mentions_positive(text: str, expected: list) -> None:
    assert mention_tokens(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "0x20 bytes",
        "address 0x20",
        "0x%x",
        "failed with status 0x%x",
        'failed with status 0x%" PRIx32',
        "error %d",
        "uint8_t table[] = {0x20}",
        "Error::NotFound",
        "NotFound",
        "exit code 1",
        "status 0",
        "error 0x18",
        "HTTP status 404",
        "error 2.5",
        "myerror 20",
    ],
)
def test_find_mentions_negative(text: str) -> None:
    assert find_mentions(text) == []


def test_mention_offsets_cover_the_number() -> None:
    text = 'throw std::runtime_error("Failed to load program, error: 0x:23");'
    (mention,) = find_mentions(text)
    assert text[mention.start : mention.end] == "0x:23"
    assert names(mention.readings) == ["InvalidProgram"]


def test_decimal_mention_readings_have_hints() -> None:
    (mention,) = find_mentions("error 20")
    decimal, hexadecimal = mention.readings
    assert "iOS" in decimal.label
    assert "C++" in hexadecimal.label


@pytest.mark.parametrize(
    "query", ["0x20", "0X20", "NotFound", "Error::NotFound", "torch::executor::Error::NotFound"]
)
def test_explain_single(query: str) -> None:
    text = explain(query)
    assert text is not None
    assert "Error::NotFound (0x20 = 32)" in text
    assert "Error::DelegateInvalidHandle" not in text
    assert "ambiguous" not in text


@pytest.mark.parametrize("query", ["error 20", "Error 20", "status 20", "20", "Code=20"])
def test_explain_20_gives_both_readings_decimal_first(query: str) -> None:
    text = explain(query)
    assert text is not None
    assert "ambiguous" in text
    missing = text.index("Error::OperatorMissing (0x14 = 20)")
    found = text.index("Error::NotFound (0x20 = 32)")
    assert missing < found
    assert text.index("ambiguous") < missing


def test_explain_ambiguity_paragraph_names_surfaces() -> None:
    text = explain("32")
    paragraph = text[: text.index("### 1.")]
    for surface in ("C++", "Python", "error: 0x:", "Android", "[ExecuTorch Error 0x", "iOS"):
        assert surface in paragraph, surface
    assert "Code=32" in paragraph
    assert "%d" in paragraph
    assert text.index("Error::NotFound (0x20 = 32)") < text.index("Error::DelegateInvalidHandle")


def test_explain_python_colon_form() -> None:
    text = explain("0x:14")
    assert "Error::OperatorMissing (0x14 = 20)" in text
    assert "Python" in text


def test_explain_free_text_with_a_mention() -> None:
    text = explain("RuntimeError: Failed to load method forward, error: 0x:14")
    assert text is not None
    assert "Error::OperatorMissing" in text


def test_explain_decimal_only_reading() -> None:
    text = explain("18")
    assert "Error::InvalidArgument (0x12 = 18)" in text
    assert "ambiguous" not in text


@pytest.mark.parametrize("query", ["0x18", "99", "error 99", "7"])
def test_explain_unknown_number(query: str) -> None:
    text = explain(query)
    assert text is not None
    assert text.startswith("No ExecuTorch error has value")
    assert len(text.strip().splitlines()) == 1
    assert valid_ranges() in text


def test_valid_ranges() -> None:
    assert valid_ranges() == (
        "0x00-0x04, 0x10-0x16, 0x20-0x25, 0x30-0x32 (decimal 0-4, 16-22, 32-37, 48-50)"
    )


@pytest.mark.parametrize("query", ["", "ET101", "hello", "Error::Unknown", "0x20 bytes"])
def test_explain_not_an_error_code(query: str) -> None:
    assert explain(query) is None

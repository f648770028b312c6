"""Error-code numbers in free text, and the answer of ``executorch-lsp explain WHAT``.

ExecuTorch prints the same code in hex on some surfaces and in decimal on others, so a bare
``20`` can be ``OperatorMissing`` (decimal 20 = 0x14) or ``NotFound`` (0x20). Hex surfaces:
C++ runners (``status 0x14``), Python bindings (``error: 0x:14``), Android
(``[ExecuTorch Error 0x14]``). Decimal surfaces: iOS/macOS ``NSError`` (``Code=20``) and code
printing the enum with ``%d``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .error_codes import ERROR_CODES, ErrorCode, by_name, by_value, render_markdown
from .log_messages import outermost_log_messages
from .log_messages import render_markdown as render_log_message

DECIMAL_HINT = "how iOS `NSError` (`Code=`) and `%d` prints show codes"
HEX_HINT = "how C++ runners, Python and Android show codes (always with `0x`)"
_HINT_SEPARATOR = " — "

_HEX_TOKEN = re.compile(r"0[xX]:?([0-9a-fA-F]+)")
_DEC_TOKEN = re.compile(r"[0-9]+")
_NUMBER = r"(?P<num>0[xX]:?[0-9a-fA-F]+|[0-9]+)(?![\w%]|\.[0-9])"
_KEYWORD = r"(?:error[_ ]?code|error|status|code)"
# A keyword right before the number: "error 0x14", "status 0x20", "error: 0x:14", "Code=32",
# "[ExecuTorch Error 0x14]". Shell exit codes ("exit code 1") are not ExecuTorch errors.
_MENTION = re.compile(
    rf"(?<![\w])(?<!exit ){_KEYWORD}\b[ \t]*[:=#]?[ \t]*\(?{_NUMBER}", re.IGNORECASE
)
# "FileDataLoader::from() failed: 0x22", "compileModel failed: 0x30": hex only.
_FAILED_HEX = re.compile(
    r"(?<![\w])failed:[ \t]*(?P<num>0[xX]:?[0-9a-fA-F]+)(?![\w%]|\.[0-9])", re.IGNORECASE
)
_QUERY = re.compile(rf"(?:{_KEYWORD}[ \t]*[:=#]?[ \t]*)?{_NUMBER}", re.IGNORECASE)


@dataclass(frozen=True)
class Reading:
    """One way to read a number: ``read as decimal 20 (= 0x14)`` -> ``OperatorMissing``."""

    label: str
    code: ErrorCode


@dataclass(frozen=True)
class Mention:
    """An error-code number in a text; ``start``/``end`` delimit the number itself."""

    start: int
    end: int
    readings: tuple[Reading, ...]


def _hex_readings(value: int) -> tuple[Reading, ...]:
    code = by_value(value)
    return (Reading(f"read as hex {code.hex}", code),) if code else ()


def _decimal_label(code: ErrorCode, other: str | None) -> str:
    label = f"read as decimal {code.value} (= {code.hex})"
    if other is None:
        return label + _HINT_SEPARATOR + DECIMAL_HINT
    return f"{label}; {other} is not an ExecuTorch error"


def _hex_label(code: ErrorCode, other: str | None) -> str:
    if other is None:
        return f"read as hex {code.hex}{_HINT_SEPARATOR}{HEX_HINT}"
    return f"read as hex {code.hex} (= {code.value}); decimal {other} is not an ExecuTorch error"


def _bare_readings(token: str) -> tuple[Reading, ...]:
    """Both readings of a number printed without ``0x``, decimal first."""
    decimal, hexadecimal = int(token, 10), int(token, 16)
    dec_code, hex_code = by_value(decimal), by_value(hexadecimal)
    if decimal == hexadecimal:
        return (Reading(f"{token}: same value in decimal and hex", dec_code),) if dec_code else ()
    readings = []
    if dec_code:
        other = None if hex_code else f"0x{hexadecimal:02x}"
        readings.append(Reading(_decimal_label(dec_code, other), dec_code))
    if hex_code:
        other = None if dec_code else str(decimal)
        readings.append(Reading(_hex_label(hex_code, other), hex_code))
    return tuple(readings)


def readings_of_number(token: str) -> tuple[Reading, ...]:
    """``0x20``/``0X20``/``0x:14`` (Python's stray colon) are hex only; a bare number gets its
    decimal reading first, then its hex reading, each only when that value is defined."""
    token = token.strip()
    if match := _HEX_TOKEN.fullmatch(token):
        return _hex_readings(int(match.group(1), 16))
    if _DEC_TOKEN.fullmatch(token):
        return _bare_readings(token)
    return ()


def _is_ok_only(readings: tuple[Reading, ...]) -> bool:
    return all(reading.code.value == 0 for reading in readings)


def find_mentions(text: str) -> list[Mention]:
    """Error-code numbers after a keyword (error/status/code/``Code=``, or ``failed:`` before a
    hex number) in string literals and log lines. Formats (``0x%x``), plain hex data
    (``0x20 bytes``), unknown values and a zero status are not reported."""
    spans = {m.span("num") for m in (*_MENTION.finditer(text), *_FAILED_HEX.finditer(text))}
    mentions = []
    for start, end in sorted(spans):
        readings = readings_of_number(text[start:end])
        if readings and not _is_ok_only(readings):
            mentions.append(Mention(start, end, readings))
    return mentions


def _runs(values: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for value in values:
        if runs and runs[-1][1] == value - 1:
            runs[-1] = (runs[-1][0], value)
        else:
            runs.append((value, value))
    return runs


def valid_ranges() -> str:
    """``0x00-0x04, 0x10-0x16, ... (decimal 0-4, 16-22, ...)``."""
    runs = _runs([code.value for code in ERROR_CODES])
    hexes = ", ".join(f"0x{low:02x}-0x{high:02x}" for low, high in runs)
    decimals = ", ".join(f"{low}-{high}" for low, high in runs)
    return f"{hexes} (decimal {decimals})"


def _no_such_value(token: str) -> str:
    if match := _HEX_TOKEN.fullmatch(token):
        value = int(match.group(1), 16)
        what = f"0x{value:02x} (= {value})"
    elif int(token, 10) == int(token, 16):
        what = str(int(token, 10))
    else:
        what = f"{int(token, 10)} (decimal) or 0x{int(token, 16):02x} (hex)"
    return f"No ExecuTorch error has value {what}; defined values: {valid_ranges()}.\n"


def _ambiguity_paragraph(token: str) -> str:
    return (
        f"`{token}` is ambiguous: ExecuTorch prints error codes in hex on some surfaces and in "
        "decimal on others.\n\n"
        f"- **Hex**, always with `0x`: C++ example runners (`failed with status 0x{token}`), "
        f"Python `RuntimeError`s from the bindings (`error: 0x:{token}`), Android "
        f"(`[ExecuTorch Error 0x{token}]`).\n"
        f"- **Decimal**, bare number: iOS/macOS `NSError` (`Code={token}`) and code that prints "
        f"the error with `%d` (`error {token}`).\n\n"
        "Without `0x` the number most likely came from a decimal surface: the first reading.\n"
    )


def _reading_section(index: int, reading: Reading) -> str:
    base = reading.label.partition(_HINT_SEPARATOR)[0]
    heading = f"### {index}. {base}: {reading.code.title}"
    return f"{heading}\n\n{render_markdown(reading.code, heading=False)}"


def _single_note(token: str, reading: Reading) -> str:
    if token.lower().startswith("0x:"):
        return f"`{token}` is how the Python bindings print {reading.code.hex} (stray colon).\n\n"
    if _DEC_TOKEN.fullmatch(token) and "not an ExecuTorch error" in reading.label:
        return f"Only one reading of `{token}` is defined: {reading.label}.\n\n"
    return ""


def _explain_number(token: str) -> str:
    readings = readings_of_number(token)
    if not readings:
        return _no_such_value(token)
    if len(readings) == 1:
        return _single_note(token, readings[0]) + render_markdown(readings[0].code)
    sections = [_reading_section(i, r) for i, r in enumerate(readings, start=1)]
    return "\n".join([_ambiguity_paragraph(token), *sections])


def _explain_log_lines(text: str) -> str | None:
    found = outermost_log_messages(text)
    return "\n---\n\n".join(render_log_message(m) for m in found) if found else None


def explain(query: str) -> str | None:
    """Markdown for ``executorch-lsp explain WHAT``: an error name (``NotFound``,
    ``Error::NotFound``), a number (``0x20``, ``32``, ``error 20``, ``Code=32``) or runtime log
    lines (``Backend XnnpackBackend is not registered.``); ``None`` when it is none of these."""
    text = query.strip()
    code = by_name(text)
    if code is not None:
        return render_markdown(code)
    if match := _QUERY.fullmatch(text):
        return _explain_number(match.group("num"))
    logged = _explain_log_lines(text)
    if logged is not None:
        return logged
    mentions = find_mentions(text)
    return _explain_number(text[mentions[0].start : mentions[0].end]) if mentions else None

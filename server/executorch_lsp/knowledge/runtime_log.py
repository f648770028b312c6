"""The ExecuTorch runtime's own lines in a log, and the problems they show.

A line counts when it carries one of the runtime's messages (``Backend X is not
registered.``, ``Missing operator: [N] op``, ...) or an error code on a surface ExecuTorch
prints it on: the POSIX PAL prefix (``E 00:00:00.366934 executorch:method.cpp:88] ...``),
the Android logcat tag ``ExecuTorch`` and ``[ExecuTorch Error 0x14]`` exceptions, iOS
``NSError`` (``Error Domain=org.pytorch.executorch.error Code=32``), the Python bindings
(``error: 0x:14``), the C++ runners (``failed with status 0x14``) and examples printing the
error with ``%d`` (``Failed to load method: error 20``). Which of these a number comes from
decides its reading: ``0x`` is hex, ``Code=`` is decimal, a bare number after ``error`` is
most likely decimal but is explained both ways.

Bounded work: at most ``MAX_LINES`` lines and the first ``MAX_LINE_CHARS`` characters of
each are read (the runtime truncates its messages to 255 characters).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from . import log_problems as problems
from .error_codes import by_value
from .explain import find_mentions
from .log_problems import Problem

MAX_LINES = 200_000
MAX_LINE_CHARS = 4_096

# Prefixes that make a line the runtime's own: the POSIX PAL and Android logcat.
_PAL_PREFIX = re.compile(
    r"(?:^|(?<=\s))[DIEF] \d{2}:\d{2}:\d{2}\.\d{6} executorch:[^\s:\]]+:\d+\] "
)
_LOGCAT_PREFIX = re.compile(r"(?:^|(?<=[\s:]))[VDIWEF](?:/| +)ExecuTorch *(?:\( *\d+\))? *: ")
# Phrases of the runtime, the Python bindings and the runners that say a code is
# ExecuTorch's even without a prefix.
# (Patterns on lowercased text: much faster than IGNORECASE.)
_METHOD_CONTEXT = (
    r"\bload(?:ing)?[ _](?:of )?method\b|\bexecut(?:e|ion of) method\b|\bmethod \S+ failed\b"
    r"|\bmethod->|\bforward failed\b"
)
_CONTEXT = re.compile(
    # "executorch" as a word of its own, not a folder or package in a path
    r"(?<![\w/\\.-])executorch(?![\w/\\-]|\.\w)|\.pte\b|\bload program\b|\bprogram::"
    r"|\bmethod::|\bmodule::|\bfiledataloader\b|\bmmapdataloader\b|" + _METHOD_CONTEXT
)
# Every code find_mentions reports matches this (a cheap test before it runs).
_NUMBER_AFTER_KEYWORD = re.compile(r"(?:error|status|code|failed:)[ \t]*[:=#]?[ \t]*\(?\d")
# Every _CONTEXT match contains one of these (tested first: cheaper than the regex).
_CONTEXT_ANCHORS = ("executorch", ".pte", "program", "method", "module::", "dataloader", "forward")
# A bare number (no 0x) is only taken for an error code next to a method's failure.
_DECIMAL_CONTEXT = re.compile(_METHOD_CONTEXT)
# Numbers after these are not ExecuTorch errors: XNNPACK's xnn_status, tokenizer errors,
# make's "*** [target] Error 2".
_FOREIGN_CODES = re.compile(r"xnnpack status|tokenizers? error|\*\*\* \[.*\] error \d")

# One cheap search per lowercased line before the specific patterns run: their anchors, and
# the words an error code follows. (Lowercasing first is much faster than IGNORECASE.)
_SCREEN = re.compile(
    r"is not registered|is not available|init failed|missing operator|not found\.|instructions "
    r"don't have|re-registering|kernel registration failed|kernels to be registered|attempted "
    r"to|error resizing|unexpected scalar type|expected to have type|mlock|missing out variants"
    r"|memory planned|overriding output|failed|error|status|code"
)

_HEX = r"0[xX]:?(?P<hex>[0-9a-fA-F]+)"
_OPERATOR = r"(?P<op>[A-Za-z_][\w]*::[\w.]+)"


@dataclass(frozen=True)
class Sighting:
    """Where a problem shows: a line (0-based) and the message's columns in it (code points)."""

    line: int
    start: int
    end: int


@dataclass
class Diagnosis:
    """A problem and every line it was seen on."""

    problem: Problem
    sightings: list[Sighting] = field(default_factory=list)

    @property
    def line_numbers(self) -> list[int]:
        """1-based, as editors and ``grep -n`` show them."""
        return [sighting.line + 1 for sighting in self.sightings]


@dataclass
class LogReport:
    diagnoses: list[Diagnosis]
    lines_read: int
    truncated: bool  # the text had more than MAX_LINES lines

    def problem_at(self, line: int, column: int) -> Diagnosis | None:
        for diagnosis in self.diagnoses:
            for seen in diagnosis.sightings:
                if seen.line == line and seen.start <= column <= seen.end:
                    return diagnosis
        return None


@dataclass(frozen=True)
class _Line:
    text: str
    lowered: str
    message_start: int  # after the PAL/logcat prefix, else the first non-blank
    prefixed: bool  # carries the PAL or logcat prefix


Recogniser = Callable[[re.Match[str], _Line], Problem | None]


def _hex_value(match: re.Match[str]) -> int | None:
    digits = match.group("hex")
    return int(digits, 16) if digits else None


# --- the recognisers: message pattern -> problem ------------------------------------------


def _registration_failed(match: re.Match[str], line: _Line) -> Problem | None:
    # operator_registry.cpp prints the error with PRIu32: decimal.
    value = int(match.group("dec"))
    if value == 0x15:
        return problems.too_many_kernels()
    operator = match.group("op")
    return problems.kernel_registered_twice(operator) if value == 0x16 else None


def _operator(match: re.Match[str], line: _Line) -> Problem | None:
    return problems.operator_missing(match.group("op"))


def _backend_init_failed(match: re.Match[str], line: _Line) -> Problem | None:
    return problems.backend_init_failed(match.group("name"), _hex_value(match))


def _code_after_failure(match: re.Match[str], line: _Line) -> Problem | None:
    code = by_value(int(match.group("hex"), 16))
    if code is None or code.value == 0:
        return None
    return problems.error_code((code,), code.hex, f"{match.group('what')} failed: ")


def _android(match: re.Match[str], line: _Line) -> Problem | None:
    code = by_value(int(match.group("hex"), 16))
    return problems.error_code((code,), code.hex, "") if code and code.value else None


def _ios(match: re.Match[str], line: _Line) -> Problem | None:
    code = by_value(int(match.group("dec")))
    return problems.error_code((code,), match.group("dec"), "") if code and code.value else None


def _verification(match: re.Match[str], line: _Line) -> Problem | None:
    # pybindings.cpp prints this status with PRIu32: decimal.
    code = by_value(int(match.group("dec")))
    if code is None or code.value == 0:
        return None
    return problems.error_code((code,), match.group("dec"), "Result verification failed: ")


def _out_variants(match: re.Match[str], line: _Line) -> Problem | None:
    operators = tuple(sorted(set(re.findall(r"[A-Za-z_]\w*::[\w.]+", match.group("ops")))))
    return problems.missing_out_variants(operators)


def _mlock(match: re.Match[str], line: _Line) -> Problem | None:
    if "Ignoring mlock error" in line.text:
        return None  # MmapUseMlockIgnoreErrors: logged at Debug and loading goes on
    if line.prefixed or "(off=0x" in line.text or _has_context(line.lowered):
        return problems.mlock_failed()
    return None


def _fixed(make: Callable[[], Problem]) -> Recogniser:
    return lambda match, line: make()


# (anchor, pattern, recogniser): the anchor is a literal part of every match, tested first.
_RECOGNISERS: tuple[tuple[str, re.Pattern[str], Recogniser], ...] = tuple(
    (anchor, re.compile(pattern), recogniser)
    for anchor, pattern, recogniser in (
        (
            "Kernel registration failed",
            r"Kernel registration failed with error (?P<dec>\d+)"
            r"(?:, Re-registering (?P<op>[^\s,]+))?",
            _registration_failed,
        ),
        (
            "kernels to be registered",
            r"The total number of kernels to be registered is larger than the limit",
            _fixed(problems.too_many_kernels),
        ),
        (
            "Re-registering",
            r"Re-registering (?P<op>\S+?),? from ",
            lambda m, _: problems.kernel_registered_twice(m.group("op")),
        ),
        (
            "is not registered",
            r"\bBackend (?P<name>\w+) is not registered\b",
            lambda m, _: problems.backend_not_registered(m.group("name")),
        ),
        (
            "is not available",
            r"\bBackend (?P<name>\w+) is not available\b",
            lambda m, _: problems.backend_not_available(m.group("name")),
        ),
        (
            "Init failed",
            r"Init failed for backend (?P<name>\w+)(?:: " + _HEX + ")?",
            _backend_init_failed,
        ),
        ("Missing operator", r"Missing operator: \[\d+\] " + _OPERATOR, _operator),
        ("not found", r"\bkernel '" + _OPERATOR + r"' not found", _operator),
        (
            "instructions don't have",
            r"There are (?P<n>\d+) instructions don't have corresponding operator registered",
            lambda m, _: problems.operators_missing(m.group("n")),
        ),
        (
            "Attempted to",
            r"Attempted to resize a (?:static|bounded) tensor|Attempted to change the tensor rank",
            _fixed(problems.input_shape_mismatch),
        ),
        (
            "Error resizing",
            r"Error resizing tensor at input \d+",
            _fixed(problems.input_shape_mismatch),
        ),
        (
            "type",
            r"Input \d+ (?:has unexpected scalar type: expected|was expected to have type) ",
            _fixed(problems.input_type_mismatch),
        ),
        ("mlock", r"\bmlock(?:\([^)]*\))? failed\b", _mlock),
        ("Missing out variants", r"Missing out variants: (?P<ops>.*)", _out_variants),
        (
            "memory planned",
            r"Output \d+ is memory planned, or is a constant",
            _fixed(problems.output_memory_planned),
        ),
        (
            "Overriding output",
            r"Overriding output data pointer allocated by memory plan",
            _fixed(problems.output_memory_planned),
        ),
        ("ExecuTorch Error", r"\[ExecuTorch Error " + _HEX + r"\]", _android),
        (
            "executorch.error",
            r"Error Domain=org\.pytorch\.executorch\.error Code=(?P<dec>\d+)\b",
            _ios,
        ),
        (
            "failed at instruction",
            r"(?P<what>KernelCall|CALL_DELEGATE execute) failed at instruction [\d:]+"
            r"(?: in operator \S+)?: " + _HEX + r"\b",
            _code_after_failure,
        ),
        (
            "Result verification",
            r"Result verification failed with status (?P<dec>\d+)\b",
            _verification,
        ),
    )
)


def _code_mention(line: _Line) -> Problem | None:
    """An error code after ``error``/``status``/``failed:`` on one of the runtime's lines or
    next to one of its phrases; a bare number is read as decimal first."""
    if not _NUMBER_AFTER_KEYWORD.search(line.lowered, line.message_start):
        return None
    if not (line.prefixed or _has_context(line.lowered)) or _FOREIGN_CODES.search(line.lowered):
        return None
    message = line.text[line.message_start :]
    for mention in find_mentions(message):
        shown = message[mention.start : mention.end]
        if _is_bare(shown) and not (line.prefixed or _DECIMAL_CONTEXT.search(line.lowered)):
            continue
        return problems.error_code(tuple(r.code for r in mention.readings), shown, "")
    return None


def _is_bare(number: str) -> bool:
    return not number.lower().startswith("0x")


def _has_context(lowered: str) -> bool:
    return any(anchor in lowered for anchor in _CONTEXT_ANCHORS) and bool(_CONTEXT.search(lowered))


def _prefix(text: str) -> re.Match[str] | None:
    if "executorch:" in text and (pal := _PAL_PREFIX.search(text)) is not None:
        return pal
    return _LOGCAT_PREFIX.search(text) if "ExecuTorch" in text else None


def _split_prefix(text: str, lowered: str) -> _Line:
    prefix = _prefix(text)
    if prefix is not None:
        return _Line(text, lowered, prefix.end(), True)
    return _Line(text, lowered, len(text) - len(text.lstrip()), False)


def recognise_line(text: str) -> tuple[Problem, int, int] | None:
    """The problem one log line shows and the message's columns, or None for lines that are
    not the runtime's."""
    text = text[:MAX_LINE_CHARS]
    lowered = text.lower()
    if len(lowered) != len(text) or not _SCREEN.search(lowered):
        return None  # (a few characters lowercase to two: no runtime message has them)
    line = _split_prefix(text, lowered)
    problem = _specific_problem(line) or _code_mention(line)
    if problem is None:
        return None
    end = len(text.rstrip())
    return (problem, line.message_start, end) if end > line.message_start else None


def _specific_problem(line: _Line) -> Problem | None:
    for anchor, pattern, recogniser in _RECOGNISERS:
        if anchor not in line.text:
            continue
        match = pattern.search(line.text, line.message_start)
        if match is not None:
            problem = recogniser(match, line)
            if problem is not None:
                return problem
    return None


def _bounded(text: str) -> tuple[str, bool]:
    """The first MAX_LINES lines of ``text``, and whether anything was left out."""
    position = -1
    for _ in range(MAX_LINES):
        position = text.find("\n", position + 1)
        if position < 0:
            return text, False
    rest = text[position + 1 :]
    return text[: position + 1], bool(rest.strip())


def explain_log(text: str) -> LogReport:
    """Every problem the runtime's lines in ``text`` show, each once with all its lines."""
    text, truncated = _bounded(text)
    by_key: dict[tuple[str, ...], Diagnosis] = {}
    # "\n" alone ends a line, as for the editor buffers (a "\r" before it is trimmed).
    lines = text.split("\n")
    if lines and not lines[-1]:
        lines.pop()
    for number, line in enumerate(lines):
        found = recognise_line(line)
        if found is None:
            continue
        problem, start, end = found
        diagnosis = by_key.setdefault(problem.key, Diagnosis(problem))
        diagnosis.sightings.append(Sighting(number, start, end))
    return LogReport(list(by_key.values()), len(lines), truncated)


# --- reports ------------------------------------------------------------------------------


def _lines_label(numbers: list[int], limit: int = 12) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    more = f", ... ({len(numbers)} lines)" if len(numbers) > limit else ""
    return f"line{'s' if len(numbers) > 1 else ''} {shown}{more}"


def problem_markdown(problem: Problem) -> str:
    """Hover text for a line: what it means, why, and what to do."""
    parts = [f"### {problem.title}"]
    if problem.meaning:
        parts += ["", problem.meaning]
    if problem.causes:
        parts += ["", "**Likely cause**", *(f"- {cause}" for cause in problem.causes)]
    if problem.fixes:
        parts += ["", "**Fix**", *(f"- {fix}" for fix in problem.fixes)]
    parts += ["", f"[More]({problem.docs_url}) · `{problem.code}`"]
    return "\n".join(parts) + "\n"


def truncation_note(report: LogReport) -> str | None:
    if not report.truncated:
        return None
    return f"Only the first {MAX_LINES:,} lines were read; the rest of the log was not examined."


def report_markdown(report: LogReport) -> str:
    """The whole report in markdown (the editor command's answer)."""
    if not report.diagnoses:
        body = "No ExecuTorch runtime problems recognised in this log.\n"
    else:
        body = "\n".join(
            f"{problem_markdown(d.problem)}\nSeen on {_lines_label(d.line_numbers)}.\n"
            for d in report.diagnoses
        )
    note = truncation_note(report)
    return f"{body}\n*{note}*\n" if note else body


def report_text(report: LogReport, name: str) -> str:
    """The command line's report: each problem once, its lines, cause and fix."""
    count = len(report.diagnoses)
    if not count:
        lines = [f"{name}: no ExecuTorch runtime problems recognised ({report.lines_read} lines)."]
    else:
        lines = [f"{name}: {count} ExecuTorch problem{'s' if count > 1 else ''}", ""]
        for diagnosis in report.diagnoses:
            lines += _problem_text(diagnosis)
    note = truncation_note(report)
    if note:
        lines.append(note)
    return "\n".join(lines).rstrip() + "\n"


def _problem_text(diagnosis: Diagnosis, causes: int = 2, fixes: int = 3) -> list[str]:
    problem = diagnosis.problem
    lines = [f"[{problem.code}] {problem.title}", f"  {_lines_label(diagnosis.line_numbers)}"]
    if problem.meaning:
        lines.append(f"  {problem.meaning}")
    lines += [f"  cause: {cause}" for cause in problem.causes[:causes]]
    lines += [f"  fix: {fix}" for fix in problem.fixes[:fixes]]
    lines += [f"  more: {problem.docs_url}", ""]
    return lines

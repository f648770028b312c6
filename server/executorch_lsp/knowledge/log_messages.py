"""ExecuTorch runtime log lines quoted in free text (strings, comments, ``explain`` queries).

The messages are the ``log_messages`` of the error-code table, so hovers, ``explain`` and the
error pages share one list. A message matches both as printed (``Backend XnnpackBackend is
not registered.``) and as its format string (``"Backend %s is not registered."``): each
``<placeholder>`` stands for a piece of one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .error_codes import ERROR_CODES, ErrorCode, LogMessage
from .error_codes import render_markdown as render_error

_PLACEHOLDER = re.compile(r"<[^<>\s]+>")
_INNER_GAP = r"[^\n]{1,200}?"
_FINAL_GAP = r"[^\s\"'`]{1,200}"  # a trailing <name>: one word (an operator, an index)


@dataclass(frozen=True)
class LogMatch:
    """A runtime message found in a text; ``start``/``end`` delimit the quoted message."""

    start: int
    end: int
    message: LogMessage
    code: ErrorCode


@dataclass(frozen=True)
class _Matcher:
    pattern: re.Pattern[str]
    anchor: str  # the longest literal piece: a cheap test before the regex
    message: LogMessage
    code: ErrorCode


def _matcher(message: LogMessage, code: ErrorCode) -> _Matcher:
    text = message.text
    if text.endswith(".") and not text.endswith(">."):  # quotes often drop the final period
        text = text[:-1]
    pieces = _PLACEHOLDER.split(text)
    gaps = [_INNER_GAP] * (len(pieces) - 1) + [""]
    if len(pieces) > 1 and not pieces[-1]:
        gaps[-2] = _FINAL_GAP
    pattern = "".join(re.escape(piece) + gap for piece, gap in zip(pieces, gaps, strict=True))
    return _Matcher(re.compile(pattern), max(pieces, key=len), message, code)


@cache
def _matchers() -> tuple[_Matcher, ...]:
    return tuple(_matcher(message, code) for code in ERROR_CODES for message in code.log_messages)


def find_log_messages(text: str) -> list[LogMatch]:
    """Every runtime message quoted in ``text``, in order of position (longest first)."""
    found = [
        LogMatch(match.start(), match.end(), matcher.message, matcher.code)
        for matcher in _matchers()
        if matcher.anchor in text
        for match in matcher.pattern.finditer(text)
    ]
    return sorted(found, key=lambda m: (m.start, m.start - m.end))


def outermost_log_messages(text: str) -> list[LogMatch]:
    """The messages of ``text`` that are not part of a longer one (an abort line quoting an
    error line counts once)."""
    kept: list[LogMatch] = []
    for found in find_log_messages(text):
        if not kept or found.start >= kept[-1].end:
            kept.append(found)
    return kept


def log_message_at(text: str, position: int) -> LogMatch | None:
    """The longest message of ``text`` that contains ``position`` (a character index)."""
    around = [m for m in find_log_messages(text) if m.start <= position <= m.end]
    return max(around, key=lambda m: m.end - m.start) if around else None


def render_markdown(found: LogMatch) -> str:
    """Hover / ``explain`` text: which error the message goes with, and what to do."""
    code = found.code
    title, url = found.message.source
    return (
        f"### ExecuTorch log message: {code.title}\n\n"
        f"The runtime logs `{found.message.text}` ([{title}]({url})) together with "
        f"`{code.qualified}`.\n\n{render_error(code, heading=False)}"
    )

"""Hover notes on ExecuTorch C++ APIs: what a call does, when it loads, what it returns.

The notes themselves live next to their topic (``loading``, ``threadpool``, ``platform``);
this module holds their shape and the rendering, so every API hover looks the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from .error_codes import REPO_URL
from .profiling import MEASURE


@dataclass(frozen=True)
class ApiNote:
    """``title`` is one line; ``{name}`` in it becomes the hovered name. ``source`` is the
    ExecuTorch file (repository path) that declares the API."""

    title: str
    body: tuple[str, ...]
    source: str
    measuring: bool = False  # performance advice: ends with how to measure


def render_markdown(note: ApiNote, name: str) -> str:
    parts = [f"### {note.title.format(name=name)}", *note.body]
    if note.measuring:
        parts.append(MEASURE)
    parts.append(f"Source: [{note.source}]({REPO_URL}{note.source})")
    return "\n\n".join(parts) + "\n"

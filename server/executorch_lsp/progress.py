"""A one-line progress bar for ``check`` on a terminal: files done of all, and the time."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TextIO

_WIDTH = 30
_REDRAW_SECONDS = 0.1


def wants_progress(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Only for a person watching: a terminal, outside CI, that can redraw a line."""
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return interactive and not environ.get("CI") and environ.get("TERM") != "dumb"


class Progress:
    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.started = time.monotonic()
        self._drawn_at = 0.0
        self._visible = False

    def update(self, done: int) -> None:
        now = time.monotonic()
        if now - self._drawn_at < _REDRAW_SECONDS and done < self.total:
            return
        self._drawn_at = now
        filled = _WIDTH * done // max(self.total, 1)
        bar = "#" * filled + "-" * (_WIDTH - filled)
        elapsed = now - self.started
        self.stream.write(f"\r[{bar}] {done}/{self.total} files  {elapsed:.1f} s\x1b[K")
        self.stream.flush()
        self._visible = True

    def clear(self) -> None:
        """Erase the bar (before other output, so lines never interleave with it)."""
        if self._visible:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._visible = False

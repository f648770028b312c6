"""Stopping a rule that runs past the analysis time limit.

A watchdog thread raises ``AnalysisInterrupted`` in the analysing thread when its
deadline passes (CPython's asynchronous exceptions: raised at the next bytecode the
thread runs, so a long call into tree-sitter finishes first). One watchdog serves every
thread of the process; watching costs a lock and a dictionary entry, not a thread.
"""

from __future__ import annotations

import ctypes
import math
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class AnalysisInterrupted(BaseException):
    """The analysis time limit passed while a rule was running. A BaseException, so that
    rules' ``except Exception`` handlers do not swallow it."""


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    """Schedule ``exception`` in the thread (None: drop one scheduled and not yet raised)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None
    )


class _Watchdog:
    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._condition = threading.Condition(threading.Lock())
        self._deadlines: dict[int, list[float]] = {}  # thread id -> deadlines of its blocks
        self._due: dict[int, float] = {}  # thread id -> when to interrupt it (not yet done)
        self._wakes_at = math.inf
        self._thread: threading.Thread | None = None

    @contextmanager
    def interrupt_at(self, deadline: float) -> Iterator[None]:
        """Raise ``AnalysisInterrupted`` in this thread if the block is still running at
        ``deadline`` (``time.monotonic()``). Blocks nest: an inner block also stops at an
        outer one's deadline, and the outer one is stopped as well once it passed."""
        ident = threading.get_ident()
        with self._condition:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._watch, name="executorch-lsp-watchdog", daemon=True
                )
                self._thread.start()
            deadlines = self._deadlines.setdefault(ident, [])
            deadlines.append(deadline)
            self._arm(ident, min(deadlines))
        try:
            yield
        finally:
            with self._condition:
                if self._due.pop(ident, None) is None:
                    _raise_in(ident, None)  # fired: drop it unless already raised
                deadlines.pop()
                if deadlines:
                    self._arm(ident, min(deadlines))
                else:
                    del self._deadlines[ident]

    def _arm(self, ident: int, deadline: float) -> None:
        self._due[ident] = deadline
        if deadline < self._wakes_at:
            self._condition.notify()

    def _watch(self) -> None:
        with self._condition:
            while True:
                now = time.monotonic()
                for ident, deadline in list(self._due.items()):
                    if deadline <= now:
                        del self._due[ident]
                        _raise_in(ident, AnalysisInterrupted)
                self._wakes_at = min(self._due.values(), default=math.inf)
                timeout = None if self._wakes_at == math.inf else self._wakes_at - now
                self._condition.wait(timeout)


_WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):
    # A forked worker has no watchdog thread (and maybe a lock held by a thread it lacks).
    os.register_at_fork(after_in_child=_WATCHDOG._reset)

interrupt_at = _WATCHDOG.interrupt_at

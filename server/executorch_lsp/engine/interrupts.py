"""Stopping work: a rule that runs past the analysis time limit, or work that gives way
to something more urgent.

A watchdog thread raises ``AnalysisInterrupted`` in the analysing thread when its
deadline passes (CPython's asynchronous exceptions: raised at the next bytecode the
thread runs, so a long call into tree-sitter finishes first). One watchdog serves every
thread of the process; watching costs a lock and a dictionary entry, not a thread.

Work that gives way stops at its next ``checkpoint()`` once asked (``GaveWay``): no
asynchronous exception, so the deadlines of the blocks it runs keep applying.
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


class _StopDropped(BaseException):
    """Raised in place of a stop that came too late, and caught at once."""


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    """Schedule ``exception`` in the thread (None: drop one scheduled and not yet raised)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None
    )


def _python_call() -> None:
    """Nothing: a pending asynchronous exception is raised at the start of any call."""


def _drop_pending_stop() -> None:
    """Drop a stop scheduled in this thread that may not have been raised yet.

    Dropping it with NULL would leave the interpreter's "asynchronous exception pending"
    flag set for good; a thread that is then traced or profiled (a debugger, coverage,
    cProfile) loops forever at its next call (CPython 3.11). A harmless exception raised
    in its place clears the flag when it is raised, and is caught here."""
    ident = threading.get_ident()
    try:
        _raise_in(ident, _StopDropped)  # may be raised as soon as this call returns
        for _ in range(8):
            _python_call()
    except _StopDropped:
        return
    _raise_in(ident, None)  # never raised: dropping it is all that is left


class Watch:
    """One watched block; ``fired`` says whether its own deadline stopped it."""

    __slots__ = ("fired",)

    def __init__(self) -> None:
        self.fired = False


class _Watchdog:
    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        # A plain lock: its ``with`` is entered in C, so a stop raised in the watched
        # thread cannot land between taking the lock and the block that releases it
        # (as it can in a Condition's Python ``__enter__``).
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._watches: dict[int, Watch] = {}  # thread id -> its outermost watched block
        self._due: dict[int, float] = {}  # thread id -> when to stop it (until it is done)
        self._wakes_at = math.inf
        self._thread: threading.Thread | None = None

    @contextmanager
    def interrupt_at(self, deadline: float) -> Iterator[Watch]:
        """Raise ``AnalysisInterrupted`` in this thread if the block is still running at
        ``deadline`` (``time.monotonic()``); at most once, and nothing is left scheduled
        after the block. Inside a watched block, the outer deadline alone applies.

        A stop is raised at most once per watch, so the release below can be cut short
        by it only once: it runs a second time."""
        watch, ident, owner, wake = Watch(), threading.get_ident(), False, False
        try:
            with self._lock:
                if ident not in self._watches:
                    wake = self._watch(ident, watch, deadline)
                    owner = True
            if wake:  # no stop can be pending here: this thread had no watch
                self._wake.set()
            yield watch
        finally:
            if owner:
                try:
                    self._release(ident)
                finally:
                    self._release(ident)

    def _watch(self, ident: int, watch: Watch, deadline: float) -> bool:
        """Watch the thread; whether the watchdog must wake earlier than planned."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="executorch-lsp-watchdog", daemon=True
            )
            self._thread.start()
        self._watches[ident] = watch
        self._due[ident] = deadline
        return deadline < self._wakes_at

    def _release(self, ident: int) -> None:
        """End the thread's watch (again: nothing). If its stop was scheduled, it may not
        have been raised yet: then it is dropped."""
        with self._lock:
            watched = self._watches.pop(ident, None) is not None
            fired = self._due.pop(ident, None) is None
        if watched and fired:
            _drop_pending_stop()

    def _run(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                for ident, deadline in list(self._due.items()):
                    if deadline <= now:
                        del self._due[ident]
                        self._watches[ident].fired = True
                        _raise_in(ident, AnalysisInterrupted)
                self._wakes_at = min(self._due.values(), default=math.inf)
                timeout = None if self._wakes_at == math.inf else self._wakes_at - now
            self._wake.wait(timeout)
            self._wake.clear()


_WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):
    # A forked worker has no watchdog thread (and maybe a lock held by a thread it lacks).
    os.register_at_fork(after_in_child=_WATCHDOG._reset)

interrupt_at = _WATCHDOG.interrupt_at


class GaveWay(BaseException):
    """Work that gives way was asked to stop (raised at its next ``checkpoint()``)."""


class GiveWay:
    """A request, made from another thread, that some work stop at its next checkpoint."""

    __slots__ = ("asked",)

    def __init__(self) -> None:
        self.asked = False

    def ask(self) -> None:
        self.asked = True


_giving_way = threading.local()


@contextmanager
def giving_way(request: GiveWay) -> Iterator[None]:
    """Run the block so that ``request.ask()`` stops it at its next checkpoint."""
    outer = getattr(_giving_way, "request", None)
    _giving_way.request = request
    try:
        yield
    finally:
        _giving_way.request = outer


def checkpoint() -> None:
    """A point where work that gives way stops, once asked (``GaveWay``)."""
    request = getattr(_giving_way, "request", None)
    if request is not None and request.asked:
        raise GaveWay

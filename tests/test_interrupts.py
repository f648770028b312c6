"""Stopping code that runs past a deadline (nesting, threads and forked workers) or that
gives way when asked."""

from __future__ import annotations

import multiprocessing
import random
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from executorch_lsp.engine.interrupts import (
    AnalysisInterrupted,
    GaveWay,
    GiveWay,
    checkpoint,
    giving_way,
    interrupt_at,
)


def spin(seconds: float) -> None:
    """Python bytecode for ``seconds`` (where a stop can land)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sum(range(100))


def stopped_after(seconds: float, work: float) -> float | None:
    """How long a block doing ``work`` seconds ran before it was stopped (None: not)."""
    started = time.monotonic()
    try:
        with interrupt_at(started + seconds):
            spin(work)
    except AnalysisInterrupted:
        return time.monotonic() - started
    return None


def test_a_block_past_its_deadline_is_stopped() -> None:
    took = stopped_after(0.1, work=5)
    assert took is not None and took < 1


def test_a_block_within_its_deadline_runs_to_its_end() -> None:
    assert stopped_after(1, work=0.05) is None
    spin(0.3)  # and nothing is left to stop the code after it


def test_inside_a_watched_block_only_the_outer_deadline_applies() -> None:
    started = time.monotonic()
    with interrupt_at(started + 5) as outer:
        assert stopped_after(0.05, work=0.3) is None
    assert not outer.fired


def test_the_outer_watch_says_it_fired_and_the_inner_one_does_not() -> None:
    started = time.monotonic()
    with pytest.raises(AnalysisInterrupted), interrupt_at(started + 0.1) as outer:
        try:
            with interrupt_at(started + 10) as inner:
                spin(5)
        except AnalysisInterrupted:
            assert not inner.fired  # as a summary would see: not its own deadline
            raise
    assert outer.fired
    assert time.monotonic() - started < 2
    spin(0.3)  # nothing is left to stop the code after it


def test_blocks_in_other_threads_are_stopped_on_their_own() -> None:
    results: dict[str, float | None] = {}

    def run(name: str, seconds: float, work: float) -> None:
        results[name] = stopped_after(seconds, work)

    threads = [
        threading.Thread(target=run, args=("slow", 0.1, 5)),
        threading.Thread(target=run, args=("quick", 2, 0.05)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results["quick"] is None
    assert results["slow"] is not None and results["slow"] < 2


def _stopped_in_child(queue: multiprocessing.Queue) -> None:
    queue.put(stopped_after(0.1, work=5))


def test_a_forked_worker_gets_its_own_watchdog() -> None:
    assert stopped_after(0.05, work=1) is not None  # the parent's watchdog is running
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_stopped_in_child, args=(queue,))
    child.start()
    took = queue.get(timeout=10)
    child.join(10)
    assert took is not None and took < 2


def test_stops_landing_anywhere_leave_nothing_behind() -> None:
    """Deadlines that pass at every point of a block, its nested blocks and their
    release: each stop is caught around its own block, and none is raised later."""
    rng = random.Random(7)
    stops = 0
    for _ in range(3000):
        started = time.monotonic()
        try:
            with interrupt_at(started + rng.uniform(0, 0.002)):
                spin(rng.uniform(0, 0.001))
                try:
                    with interrupt_at(started + rng.uniform(0, 0.002)):
                        spin(rng.uniform(0, 0.001))
                except AnalysisInterrupted:
                    stops += 1
                    raise
                spin(rng.uniform(0, 0.001))
        except AnalysisInterrupted:
            stops += 1
    assert stops > 100  # the deadlines did land
    spin(0.3)
    assert stopped_after(0.05, work=2) is not None  # and the watchdog still works


PROFILED_AFTER_BLOCKS = textwrap.dedent(
    """
    import cProfile, time
    from executorch_lsp.engine.interrupts import AnalysisInterrupted, interrupt_at

    def spin(seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            sum(range(100))

    with interrupt_at(time.monotonic() + 10):
        spin(0.01)
    for _ in range(20):  # some stops land in the release, after the block
        try:
            with interrupt_at(time.monotonic() + 0.001):
                spin(0.001)
        except AnalysisInterrupted:
            pass
    profiler = cProfile.Profile()
    profiler.enable()
    spin(0.05)
    profiler.disable()
    print("profiled")
    """
)


def test_a_profiler_or_debugger_keeps_working_after_watched_blocks() -> None:
    """Ending a watch leaves no asynchronous-exception flag set: with it, a traced or
    profiled thread loops forever at its next call."""
    done = subprocess.run(
        [sys.executable, "-c", PROFILED_AFTER_BLOCKS], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "profiled"


def test_work_that_gives_way_stops_at_its_next_checkpoint_once_asked() -> None:
    request = GiveWay()
    passed = 0
    with pytest.raises(GaveWay), giving_way(request):
        for step in range(10):
            checkpoint()
            passed += 1
            if step == 3:
                request.ask()
    assert passed == 4
    checkpoint()  # outside the block, asking stops nothing


def test_a_request_is_asked_from_another_thread_and_nested_blocks_restore() -> None:
    outer, inner = GiveWay(), GiveWay()
    with giving_way(outer):
        with giving_way(inner):
            asker = threading.Thread(target=outer.ask)
            asker.start()
            asker.join()
            checkpoint()  # the inner request is the one that applies here
        with pytest.raises(GaveWay):
            checkpoint()

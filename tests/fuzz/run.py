"""The long fuzz run: mutated seeds through every invariant until the time is up.

    python -m tests.fuzz.run --minutes 10 [--seed 1] [--crashes DIR]

Prints the inputs tried and each distinct failure (by exception type and message) with a
minimised input; with ``--crashes``, writes every failing input there too. The exit code
is 1 when anything failed.
"""

from __future__ import annotations

import argparse
import logging
import random
import re
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from executorch_lsp.engine.languages import LanguageId

from .corpus import KINDS, Seed, seeds
from .invariants import check_input
from .mutations import MUTATION_NAMES, deeply_nested, huge_line, mutate

# One input in this many is a whole-document extreme (deep nesting, a huge line).
EXTREME_EVERY = 500


def random_input(rng: random.Random) -> tuple[LanguageId | str, bytes]:
    """A seed with one to four mutations, sometimes spliced with another seed."""
    pool = seeds()
    seed: Seed = rng.choice(pool)
    data = seed.data
    if rng.random() < 0.1:
        other = rng.choice([s for s in pool if s.kind == seed.kind] or [seed])
        cut = rng.randrange(len(data) + 1)
        data = data[:cut] + other.data[rng.randrange(len(other.data) + 1) :]
    for _ in range(rng.randint(1, 4)):
        name = rng.choice(MUTATION_NAMES)
        payload = rng.randbytes(rng.randint(0, 8))
        data = mutate(seed.kind, data, name, rng.randrange(1 << 16), payload)
    return seed.kind, data


def extreme_input(rng: random.Random) -> tuple[LanguageId | str, bytes]:
    kind = rng.choice(KINDS)
    if rng.random() < 0.5:
        return kind, deeply_nested(kind, rng.choice((1_000, 5_000, 20_000)))
    return kind, huge_line(kind)


def failure_of(kind: LanguageId | str, data: bytes) -> str | None:
    """A one-line description of what failed on this input, or None."""
    try:
        check_input(kind, data, seconds_allowed=_seconds_allowed(data))
    except Exception as error:
        return f"{type(error).__name__}: {str(error)[:200]}"
    return None


def _same_kind(kind: LanguageId | str, data: bytes, failure_kind: str) -> bool:
    failure = failure_of(kind, data)
    return failure is not None and _kind_of_failure(failure) == failure_kind


def _kind_of_failure(failure: str) -> str:
    """Failures that differ only in offsets, lines or seconds are one kind."""
    return re.sub(r"\d+", "N", failure.split(" by TextEdit")[0])


def _seconds_allowed(data: bytes) -> float:
    return 5.0 + len(data) / 100_000  # 5 s plus 1 s per 100 kB


def minimise(data: bytes, fails: Callable[[bytes], bool], budget: float = 60.0) -> bytes:
    """Delta debugging by lines, then by bytes, while ``fails`` still holds."""
    deadline = time.monotonic() + budget
    for split in (lambda d: d.splitlines(keepends=True), lambda d: [bytes([b]) for b in d]):
        pieces = split(data)
        chunk = max(1, len(pieces) // 2)
        while chunk >= 1 and time.monotonic() < deadline:
            index, shrunk = 0, False
            while index < len(pieces) and time.monotonic() < deadline:
                candidate = pieces[:index] + pieces[index + chunk :]
                if fails(b"".join(candidate)):
                    pieces, shrunk = candidate, True
                else:
                    index += chunk
            if not shrunk:
                chunk //= 2
        data = b"".join(pieces)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.run")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--crashes", type=Path, help="write failing inputs to this folder")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)  # rule failures are reported here, once each
    rng = random.Random(args.seed)
    deadline = time.monotonic() + args.minutes * 60
    started, tried, failures = time.monotonic(), 0, {}
    while time.monotonic() < deadline:
        tried += 1
        extreme = tried % EXTREME_EVERY == 0
        kind, data = extreme_input(rng) if extreme else random_input(rng)
        failure = failure_of(kind, data)
        if tried % 1000 == 0:
            print(f"[{tried}] {time.monotonic() - started:.0f} s", flush=True)
        if failure is None or _kind_of_failure(failure) in failures:
            continue
        print(f"[{tried}] {_kind_name(kind)}: {failure} ({len(data)} bytes)", flush=True)
        key = _kind_of_failure(failure)
        small = minimise(data, lambda d, k=kind, f=key: _same_kind(k, d, f))
        failures[key] = (kind, small)
        print(f"    minimal input: {small[:2000]!r}", flush=True)
        if args.crashes:
            args.crashes.mkdir(parents=True, exist_ok=True)
            (args.crashes / f"{len(failures)}-{_kind_name(kind)}.bin").write_bytes(data)
    elapsed = time.monotonic() - started
    print(f"{tried} inputs in {elapsed:.0f} s, {len(failures)} distinct failures")
    return 1 if failures else 0


def _kind_name(kind: LanguageId | str) -> str:
    return kind.value if isinstance(kind, LanguageId) else str(kind)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        traceback.print_exc()
        sys.exit(130)

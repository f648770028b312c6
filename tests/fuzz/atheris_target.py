"""Coverage-guided fuzzing of every language's analysis and the log explainer (atheris).

    python -m tests.fuzz.atheris_target --write-seeds tests/fuzz/corpus-dir
    python -m tests.fuzz.atheris_target -max_total_time=600 tests/fuzz/corpus-dir

The first byte of an input chooses the language (C++, CMake, Starlark, Python, a log), the
rest is the text. ``--write-seeds`` fills a folder with the seeds in that form; libFuzzer's
own options follow (``-max_total_time``, ``-jobs``, ``-dict``...). A failing invariant
raises, and atheris writes the input as ``crash-<sha1>``; ``--replay FILE`` runs one such
input again with the traceback.

atheris 3.0.0 ships wheels for Linux x86_64 and CPython 3.11-3.13 (tests/requirements.txt
installs it there only);
elsewhere this module says so and exits.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from executorch_lsp.engine.languages import LanguageId

# As in corpus.KINDS; that module imports the rules, which must be imported under
# atheris's instrumentation to be fuzzed with coverage.
KINDS: tuple[object, ...] = (*LanguageId, "log")


def encode(kind: object, data: bytes) -> bytes:
    return bytes([KINDS.index(kind)]) + data


def decode(raw: bytes) -> tuple[object, bytes]:
    if not raw:
        return KINDS[0], b""
    return KINDS[raw[0] % len(KINDS)], raw[1:]


def one_input(raw: bytes) -> None:
    from .invariants import check_input

    kind, data = decode(raw)
    check_input(kind, data, seconds_allowed=5.0 + len(data) / 100_000)


def write_seeds(folder: Path) -> None:
    from .corpus import seeds

    folder.mkdir(parents=True, exist_ok=True)
    for index, seed in enumerate(seeds()):
        (folder / f"seed-{index:04d}").write_bytes(encode(seed.kind, seed.data))
    print(f"{len(seeds())} seeds written to {folder}")


def main(argv: list[str]) -> int:
    logging.disable(logging.CRITICAL)  # rule failures surface as invariant violations
    if argv[1:2] == ["--write-seeds"]:
        write_seeds(Path(argv[2]))
        return 0
    if argv[1:2] == ["--replay"]:
        one_input(Path(argv[2]).read_bytes())
        print("no invariant failed")
        return 0
    try:
        import atheris
    except ImportError:
        print("atheris is not installed (wheels: Linux x86_64, CPython 3.11-3.13)", file=sys.stderr)
        return 2
    with atheris.instrument_imports(include=["executorch_lsp"]):
        import executorch_lsp.engine.analysis
        import executorch_lsp.knowledge.runtime_log
        import executorch_lsp.rules  # noqa: F401
    atheris.Setup(argv, one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

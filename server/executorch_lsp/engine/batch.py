"""Check many files (the CLI's ``check``): prefilter, parse, run rules, in parallel."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..rules import rules_for
from .analysis import Analysis, RuleFailure, analyze
from .config import Config
from .discovery import MAX_FILE_BYTES
from .document import Document
from .findings import Finding
from .languages import detect_language
from .suppressions import MARKER

# Below this many files a process pool costs more than it saves.
_PARALLEL_THRESHOLD = 32


@dataclass
class FileResult:
    path: Path
    findings: list[Finding] = field(default_factory=list)
    data: bytes = b""  # kept only when there are findings (for positions in reports)
    problem: str | None = None
    failures: list[RuleFailure] = field(default_factory=list)


def _needs_parse(language, data: bytes, config: Config) -> bool:
    if MARKER in data:
        return True
    return any(
        config.is_enabled(rule.code) and rule.applies_to(data)
        for rule in rules_for(language)
        if not rule.meta
    )


def check_file(path: Path, config: Config) -> FileResult:
    language = detect_language(path)
    if language is None:
        return FileResult(path, problem="not a C++, CMake, Buck/Starlark or Python file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return FileResult(
                path,
                problem=f"skipped: {size // 1024} KiB is over the "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MiB limit",
            )
        data = path.read_bytes()
    except OSError as error:
        return FileResult(path, problem=f"cannot read: {error.strerror or error}")
    if b"\0" in data[:8192]:
        return FileResult(path, problem="skipped: binary file")
    if not _needs_parse(language, data, config):
        return FileResult(path)
    analysis: Analysis = analyze(Document(str(path), language, data), config)
    return FileResult(
        path,
        findings=analysis.findings,
        data=data if analysis.findings else b"",
        failures=analysis.failures,
    )


def _check_chunk(paths: list[Path], config: Config) -> list[FileResult]:
    return [check_file(path, config) for path in paths]


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def check_files(paths: Iterable[Path], config: Config, jobs: int | None = None) -> list[FileResult]:
    files = list(paths)
    jobs = jobs or default_jobs()
    if jobs <= 1 or len(files) < _PARALLEL_THRESHOLD:
        return _check_chunk(files, config)
    # Interleaved chunks balance big and small files between the workers.
    chunk_count = jobs * 8
    chunks = [files[index::chunk_count] for index in range(chunk_count)]
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        results = [
            r for chunk in pool.map(_check_chunk, chunks, [config] * len(chunks)) for r in chunk
        ]
    order = {path: index for index, path in enumerate(files)}
    return sorted(results, key=lambda result: order[result.path])

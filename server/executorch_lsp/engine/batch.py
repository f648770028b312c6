"""Check many files (the CLI's ``check``): prefilter, parse, run rules, in parallel."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .analysis import (
    Analysis,
    RuleFailure,
    analyze,
    applicable_rules,
    merged_query,
    prepare_workspace,
)
from .config import Config
from .discovery import MAX_FILE_BYTES
from .document import Document
from .findings import Finding
from .languages import LanguageId, detect_language
from .suppressions import MARKER
from .workspace import Workspace

if TYPE_CHECKING:
    from ..rules.base import Rule

# Allocations between young-generation collections during a check (CPython's default: 700).
_GC_THRESHOLD = 20_000
# Below this many files a process pool costs more than it saves.
_PARALLEL_THRESHOLD = 64
# The workspace of the current check; a module global so that forked workers inherit
# it (with its warm caches) instead of receiving a pickled copy.
_workspace: Workspace | None = None


@dataclass
class FileResult:
    path: Path
    findings: list[Finding] = field(default_factory=list)
    data: bytes = b""  # kept only when there are findings (for positions in reports)
    problem: str | None = None
    failures: list[RuleFailure] = field(default_factory=list)


def _screen(language: LanguageId, data: bytes, config: Config) -> list[Rule] | None:
    """The rules that apply to the file, or None when there is nothing to analyse."""
    rules = list(applicable_rules(language, data, config, _workspace))
    if MARKER in data or any(not rule.meta for rule in rules):
        return rules
    return None


def _read(path: Path) -> tuple[bytes | None, FileResult | None]:
    """The file's bytes, or a result explaining why it is skipped."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            return None, FileResult(
                path, problem=f"skipped: {size // 1024} KiB is over the {limit} MiB limit"
            )
        data = path.read_bytes()
    except OSError as error:
        return None, FileResult(path, problem=f"cannot read: {error.strerror or error}")
    if b"\0" in data[:8192]:
        return None, FileResult(path, problem="skipped: binary file")
    return data, None


def check_file(path: Path, config: Config) -> FileResult:
    """Screen the file with its rules' literal anchors; parse and analyse it only when a
    rule may apply (the file is read once)."""
    language = detect_language(path)
    if language is None:
        return FileResult(path, problem="not a C++, CMake, Buck/Starlark or Python file")
    # Files the workspace already read (to index them) come from its cache.
    data = _workspace.read(str(path)) if _workspace is not None else None
    if data is None:
        data, skipped = _read(path)
        if skipped is not None:
            return skipped
    rules = _screen(language, data, config)
    if rules is None:
        return FileResult(path)
    document = (
        _workspace.document(str(path), data, language)
        if _workspace is not None
        else Document(str(path), language, data)
    )
    analysis: Analysis = analyze(document, config, workspace=_workspace, screened=rules)
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


def check_files(
    paths: Iterable[Path],
    config: Config,
    jobs: int | None = None,
    workspace: Workspace | None = None,
) -> list[FileResult]:
    """Each file is screened with its rules' literal anchors (cheap) and parsed only when
    a rule may apply; large sets are split between worker processes. With a workspace,
    rules that follow calls into other files see them."""
    global _workspace
    files = list(paths)
    _workspace = workspace
    with _few_collections():
        if workspace is not None:
            workspace.shares_documents = True
            prepare_workspace(workspace, config, {detect_language(path) for path in files})
        try:
            return _check_all(files, config, jobs)
        finally:
            _workspace = None
            if workspace is not None:
                workspace.shares_documents = False


@contextmanager
def _few_collections() -> Iterator[None]:
    """A check allocates many short-lived objects and few cycles: collecting garbage
    less often saves about a tenth of its time."""
    thresholds = gc.get_threshold()
    gc.set_threshold(_GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


# Build files of one kind are checked against one model of their project (the CMake
# configuration, the Buck graph); one worker builds each model once for all of them.
_SHARED_MODEL_LANGUAGES = (LanguageId.CMAKE, LanguageId.STARLARK)


def _chunks(files: list[Path], jobs: int) -> list[list[Path]]:
    """Work items for the pool, the longest first: one per build-file kind, then
    interleaved slices of the other files (balancing big and small ones)."""
    by_language: dict[LanguageId | None, list[Path]] = {}
    for path in files:
        by_language.setdefault(detect_language(path), []).append(path)
    chunks = [by_language.pop(language, []) for language in _SHARED_MODEL_LANGUAGES]
    rest = [path for paths in by_language.values() for path in paths]
    chunks.extend(rest[index :: jobs * 8] for index in range(jobs * 8))
    return [chunk for chunk in chunks if chunk]


def _check_all(files: list[Path], config: Config, jobs: int | None) -> list[FileResult]:
    jobs = jobs or default_jobs()
    if jobs <= 1 or len(files) < _PARALLEL_THRESHOLD:
        return _check_chunk(files, config)
    for language in {detect_language(path) for path in files} - {None}:
        merged_query(language)  # compile before forking: the workers inherit it
    chunks = _chunks(files, jobs)
    gc.freeze()  # the workers never scan what exists now (nor copy its pages to do so)
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        mapped = pool.map(_check_chunk, chunks, [config] * len(chunks))
        results = {result.path: result for chunk in mapped for result in chunk}
    return [results[path] for path in files]

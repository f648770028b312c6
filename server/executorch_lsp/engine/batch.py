"""Check many files (the CLI's ``check``): prefilter, parse, run rules, in parallel."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from . import dependencies
from .analysis import (
    Analysis,
    analyze,
    applicable_rules,
    merged_query,
    prepare_workspace,
)
from .config import Config
from .dependencies import digest_of
from .discovery import MAX_FILE_BYTES
from .document import Document
from .languages import LanguageId, detect_language
from .results import FileResult
from .suppressions import MARKER
from .tracking import TrackingWorkspace
from .workspace import Workspace

if TYPE_CHECKING:
    from ..rules.base import Rule

# Allocations between young-generation collections during a check (CPython's default: 700).
_GC_THRESHOLD = 20_000
# Below this many files a process pool costs more than it saves.
_PARALLEL_THRESHOLD = 64
# Work items per worker: contiguous runs of the sorted files, so results can be reported
# in order while the rest is checked; enough of them that no worker idles long at the end.
_CHUNKS_PER_JOB = 12
# The workspace of the current check; a module global so that forked workers inherit
# it (with its warm caches) instead of receiving a pickled copy.
_workspace: Workspace | None = None


def _screen(language: LanguageId, data: bytes, config: Config) -> list[Rule] | None:
    """The rules that apply to the file, or None when there is nothing to analyse."""
    rules = list(applicable_rules(language, data, config, _workspace))
    if MARKER in data or any(not rule.meta for rule in rules):
        return rules
    return None


def _too_large(path: Path, size: int, limit: int) -> FileResult:
    return FileResult(
        path,
        problem=f"skipped: {size // 1024} KiB is over the {limit / (1024 * 1024):.3g} MiB limit "
        "(max-file-size-mib)",
    )


def _read(path: Path, limit: int = MAX_FILE_BYTES) -> tuple[bytes | None, FileResult | None]:
    """The file's bytes, or a result explaining why it is skipped."""
    try:
        size = path.stat().st_size
        if size > limit:
            return None, _too_large(path, size, limit)
        data = path.read_bytes()
    except OSError as error:
        return None, FileResult(path, problem=f"cannot read: {error.strerror or error}")
    if b"\0" in data[:8192]:
        return None, FileResult(path, problem="skipped: binary file")
    return data, None


def check_file(path: Path, config: Config) -> FileResult:
    """Screen the file with its rules' literal anchors; parse and analyse it only when a
    rule may apply (the file is read once). With a tracking workspace, the result says
    what the analysis read."""
    if not isinstance(_workspace, TrackingWorkspace):
        return _check_file(path, config)
    with dependencies.recording() as deps:
        result = _check_file(path, config)
    if result.problem is None:
        _workspace.resolve_digests(deps)
        result.dependencies = deps
    return result


def _check_file(path: Path, config: Config) -> FileResult:
    language = detect_language(path)
    if language is None:
        return FileResult(path, problem="not a C++, CMake, Buck/Starlark or Python file")
    # Files the workspace already read (to index them) come from its cache.
    data = _workspace.read(str(path)) if _workspace is not None else None
    if data is not None and len(data) > config.max_file_bytes:
        return _too_large(path, len(data), config.max_file_bytes)
    if data is None:
        data, skipped = _read(path, config.max_file_bytes)
        if skipped is not None:
            return skipped
    digest = digest_of(data) if isinstance(_workspace, TrackingWorkspace) else None
    rules = _screen(language, data, config)
    if rules is None:
        return FileResult(path, digest=digest)
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
        digest=digest,
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
    return list(iter_check_files(paths, config, jobs, workspace))


def iter_check_files(
    paths: Iterable[Path],
    config: Config,
    jobs: int | None = None,
    workspace: Workspace | None = None,
) -> Iterator[FileResult]:
    """The results of ``check_files``, each as soon as it and those before it are done."""
    global _workspace
    files = list(paths)
    _workspace = workspace
    with _few_collections():
        if workspace is not None:
            workspace.shares_documents = True
            prepare_workspace(workspace, config, {detect_language(path) for path in files})
        try:
            yield from _check_all(files, config, jobs)
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
    """Work items for the pool: one per build-file kind (submitted first: the longest),
    then contiguous runs of the other files."""
    by_language: dict[LanguageId | None, list[Path]] = {}
    for path in files:
        by_language.setdefault(detect_language(path), []).append(path)
    chunks = [by_language.get(language, []) for language in _SHARED_MODEL_LANGUAGES]
    rest = [path for path in files if detect_language(path) not in _SHARED_MODEL_LANGUAGES]
    size = max(1, -(-len(rest) // (jobs * _CHUNKS_PER_JOB)))
    chunks.extend(rest[start : start + size] for start in range(0, len(rest), size))
    return [chunk for chunk in chunks if chunk]


def _check_all(files: list[Path], config: Config, jobs: int | None) -> Iterator[FileResult]:
    jobs = jobs or default_jobs()
    if jobs <= 1 or len(files) < _PARALLEL_THRESHOLD:
        yield from (check_file(path, config) for path in files)
        return
    for language in {detect_language(path) for path in files} - {None}:
        merged_query(language)  # compile before forking: the workers inherit it
    chunks = _chunks(files, jobs)
    gc.freeze()  # the workers never scan what exists now (nor copy its pages to do so)
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        done: dict[Path, FileResult] = {}
        order = iter(files)
        following = next(order, None)
        for chunk in pool.map(_check_chunk, chunks, [config] * len(chunks)):
            done.update((result.path, result) for result in chunk)
            while following is not None and following in done:
                yield done.pop(following)
                following = next(order, None)

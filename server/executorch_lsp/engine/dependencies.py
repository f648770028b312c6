"""What an analysis read beyond its own file, recorded while it runs (for the check cache).

Recording is off unless a ``recording()`` scope is open; scopes nest, and what an inner
scope records also counts for the scopes around it (unless the inner one is a barrier).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

# (language value, needles): a workspace search for files containing any of the needles.
SearchKey = tuple[str, tuple[bytes, ...]]


@dataclass
class Dependencies:
    # Paths whose text was read (or looked for), with the digest of what was seen.
    reads: dict[str, str | None] = field(default_factory=dict)
    # Folders whose entries were listed.
    folders: set[str] = field(default_factory=set)
    # Languages whose whole file list was consulted.
    listings: set[str] = field(default_factory=set)
    # (language, folder) and (language, stem) file lists consulted.
    neighbours: set[tuple[str, str]] = field(default_factory=set)
    stems: set[tuple[str, str]] = field(default_factory=set)
    # Searches, with the files that matched.
    searches: dict[SearchKey, frozenset[str]] = field(default_factory=dict)

    def merge(self, other: Dependencies) -> None:
        for path, digest in other.reads.items():
            self.reads.setdefault(path, digest)
        self.folders |= other.folders
        self.listings |= other.listings
        self.neighbours |= other.neighbours
        self.stems |= other.stems
        self.searches.update(other.searches)


_scopes: list[tuple[Dependencies, bool]] = []


@contextmanager
def recording(barrier: bool = False) -> Iterator[Dependencies]:
    """Record into a new scope; on exit it is added to the enclosing one, unless
    ``barrier`` (what happens inside is accounted for by the caller)."""
    deps = Dependencies()
    _scopes.append((deps, barrier))
    try:
        yield deps
    finally:
        _scopes.pop()
        if _scopes and not barrier:
            _scopes[-1][0].merge(deps)


def is_recording() -> bool:
    return bool(_scopes)


def current() -> Dependencies | None:
    return _scopes[-1][0] if _scopes else None


def note(deps: Dependencies | None) -> None:
    """``deps`` (recorded earlier, e.g. with a cached value) count for the current scope."""
    if deps is not None and _scopes:
        _scopes[-1][0].merge(deps)


def note_read(path: str, digest: str | None = None) -> None:
    """The analysis depends on the text (or the absence) of ``path``."""
    if _scopes:
        _scopes[-1][0].reads.setdefault(path, digest)


def note_folder(folder: str) -> None:
    """The analysis depends on which entries ``folder`` holds."""
    if _scopes:
        _scopes[-1][0].folders.add(folder)


MISSING = "-"  # the digest of a path that cannot be read


def digest_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def file_digest(path: str) -> str:
    """The digest of the bytes on disk (MISSING when they cannot be read)."""
    try:
        with open(path, "rb") as handle:
            return digest_of(handle.read())
    except OSError:
        return MISSING

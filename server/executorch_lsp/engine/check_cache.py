"""The check cache: findings of unchanged files are reused on the next ``check``.

One pickle per workspace and configuration, under ``.executorch-lsp-cache/``. A file's
state is first judged by its stat key (size, mtime, inode); only a changed stat makes it
read and hashed. A result is reused when the file's digest, every file its analysis read
(with the digest it saw), and every list or search of the workspace it consulted are
unchanged. Lists and searches are judged by generations: each run that saves is one, and
each file remembers the generation in which its text or its presence last changed.

Stat keys taken less than ``RACY_NS`` after a file's modification time are not trusted
(the timestamp may not show a change made in the same tick); such files are hashed again.
Walks are cached too: each folder's stat key and the entries a walk looks at.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .. import __version__
from .dependencies import MISSING, Dependencies, SearchKey, digest_of, file_digest
from .discovery import folder_signature, iter_files
from .findings import Finding, Fix, Related, Severity, Span, TextEdit
from .languages import detect_language

CACHE_FORMAT = 1
RACY_NS = 2_000_000_000
_GRAMMAR_PINS = Path(__file__).resolve().parent.parent / "grammars" / "pins.txt"

StatKey = tuple[int, int, int]
MISSING_STAT: StatKey = (-1, 0, 0)


def stat_key(path: str) -> StatKey:
    try:
        info = os.stat(path)
    except OSError:
        return MISSING_STAT
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def _trusted(key: StatKey, started_ns: int) -> StatKey | None:
    """The key, or None when the file changed too recently for its timestamp to tell."""
    return None if key != MISSING_STAT and key[1] >= started_ns - RACY_NS else key


def tool_key() -> str:
    """The version, the Python, the grammar pins, and the package's own files (so an
    edited rule in a development install never reuses old findings)."""
    package = Path(__file__).resolve().parent.parent
    parts = [__version__, sys.version, _read_or_empty(_GRAMMAR_PINS)]
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        for name in sorted(names):
            if name.endswith((".py", ".scm", ".json", ".txt")):
                path = os.path.join(folder, name)
                parts.append(f"{os.path.relpath(path, package)}:{stat_key(path)}")
    return digest_of("\n".join(parts).encode())


def _read_or_empty(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except OSError:
        return ""


# -- walks ----------------------------------------------------------------------------------
@dataclass
class WalkRecord:
    """What a walk saw: enough to tell, from stat keys, that it would find the same."""

    folders: dict[str, tuple[StatKey | None, bytes]] = field(default_factory=dict)
    gitignores: dict[str, str] = field(default_factory=dict)
    ancestors: tuple = ()
    files: list[str] = field(default_factory=list)


def _signature_digest(entries: Iterable[os.DirEntry]) -> bytes:
    return digest_of(repr(folder_signature(entries)).encode()).encode()


Digest = Callable[[str], "str | None"]


def _ancestor_state(paths: list[Path], digest: Digest) -> tuple:
    """The .gitignore and .git of the folders above the walked ones."""
    state = []
    for path in paths:
        for parent in path.resolve().parents:
            gitignore = os.path.join(parent, ".gitignore")
            state.append((gitignore, digest(gitignore), os.path.exists(parent / ".git")))
    return tuple(state)


def _folder_unchanged(folder: str, recorded: tuple[StatKey | None, bytes]) -> bool:
    key, signature = recorded
    if key is not None and stat_key(folder) == key:
        return True
    try:
        with os.scandir(folder) as entries:
            return _signature_digest(entries) == signature
    except OSError:
        return False


def _walk_unchanged(record: WalkRecord, paths: list[Path], digest: Digest) -> bool:
    return (
        all(_folder_unchanged(folder, seen) for folder, seen in record.folders.items())
        and all(digest(path) == seen for path, seen in record.gitignores.items())
        and _ancestor_state(paths, digest) == record.ancestors
    )


def _walk(
    paths: list[Path],
    exclude: tuple[str, ...],
    root: Path | None,
    force: bool,
    started: int,
    digest: Digest,
) -> WalkRecord:
    record = WalkRecord(ancestors=_ancestor_state(paths, digest))

    def visit(folder: str, entries: list[os.DirEntry]) -> None:
        key = _trusted(stat_key(folder), started)
        record.folders[folder] = (key, _signature_digest(entries))
        if any(entry.name == ".gitignore" for entry in entries):
            gitignore = os.path.join(folder, ".gitignore")
            record.gitignores[gitignore] = digest(gitignore)

    found = iter_files(paths, exclude, root, force_exclude=force, on_folder=visit)
    record.files = [str(path) for path in found]
    return record


# -- results --------------------------------------------------------------------------------
class _Needs(NamedTuple):
    """What an analysis consulted besides its file (shared by the many entries alike)."""

    reads: frozenset[tuple[str, str | None]]  # (path, digest seen)
    folders: frozenset[tuple[str, bytes | None]]  # (folder, its entries then; None: unknown)
    listings: frozenset[str]
    neighbours: frozenset[tuple[str, str]]
    stems: frozenset[tuple[str, str]]
    searches: frozenset[tuple[SearchKey, frozenset[str]]]


class Entry(NamedTuple):
    """A file's findings (packed), with what they were computed from."""

    digest: str
    generation: int
    findings: tuple[tuple, ...]
    needs: _Needs


class _FileState(NamedTuple):
    key: StatKey | None
    digest: str | None
    changed: int  # the generation in which the text last changed


@dataclass
class _Store:
    key: str
    generation: int = 0
    files: dict[str, _FileState] = field(default_factory=dict)
    listed: dict[str, int] = field(default_factory=dict)  # path -> generation it came
    unlisted: dict[str, int] = field(default_factory=dict)  # path -> generation it went
    entries: dict[str, Entry] = field(default_factory=dict)
    walks: dict[tuple, WalkRecord] = field(default_factory=dict)
    rule_names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Change:
    """A workspace file whose text or presence changed in a recent generation."""

    path: str
    language: str
    came: int  # when it joined the workspace (0: before every entry)
    changed: int  # when its text changed (0: before every entry)
    gone: bool = False


class CheckCache:
    def __init__(self, directory: Path, key: tuple) -> None:
        self.directory = directory
        self.path = directory / f"{digest_of(repr(key).encode())}.pickle"
        self.started_ns = time.time_ns()
        self._store = self._load(digest_of(repr((CACHE_FORMAT, key)).encode()))
        self._store.generation += 1
        self._current: dict[str, str] = {}  # digests known this run
        self._changes: list[_Change] | None = None
        self._answers: dict[tuple[str, tuple[bytes, ...]], bool] = {}
        self._verdicts: dict[tuple[int, int], bool] = {}
        self._digests: set[tuple[str, str | None]] | None = (
            None  # (path, current digest)  # (id of needs, generation) -> valid
        )
        self._interned: dict[_Needs, _Needs] | None = None
        self.changed = False  # whether saving would store anything new

    def _load(self, key: str) -> _Store:
        """The stored state, or an empty one (missing, unreadable, foreign or corrupt)."""
        try:
            with open(self.path, "rb") as handle:
                store = pickle.load(handle)
        except Exception:  # a cache file from anywhere is never worth a failed check
            return _Store(key)
        return store if isinstance(store, _Store) and store.key == key else _Store(key)

    @property
    def rule_names(self) -> dict[str, str]:
        return self._store.rule_names

    # -- walks ------------------------------------------------------------------------------
    def walk(
        self,
        paths: list[Path],
        exclude: tuple[str, ...] = (),
        root: Path | None = None,
        force_exclude: bool = False,
    ) -> list[str]:
        """The files ``iter_files`` finds, from the last walk when nothing it saw changed."""
        resolved = [path.resolve() for path in paths]
        key = (
            tuple((str(path), path.is_file()) for path in resolved),
            exclude,
            str(root),
            force_exclude,
        )
        record = self._store.walks.get(key)
        if record is None or not _walk_unchanged(record, paths, self._known_digest):
            record = _walk(paths, exclude, root, force_exclude, self.started_ns, self._known_digest)
            self._store.walks[key] = record
            self.changed = True
        return record.files

    def _known_digest(self, path: str) -> str | None:
        """The digest of a file the cache keeps track of (hashed when first seen)."""
        if self.digest(path) is None:
            state = self._store.files[path]
            digest = file_digest(path)
            self._store.files[path] = state._replace(digest=digest)
            self._current[path] = digest
        return self._current[path]

    # -- files ------------------------------------------------------------------------------
    def refresh(self, workspace_files: Iterable[str]) -> None:
        """Bring the state of the workspace's files up to date: stat each; read and hash
        those whose stat changed; note which ones came or went."""
        store, generation = self._store, self._store.generation
        listed = set()
        for path in workspace_files:
            listed.add(path)
            self.digest(path)
            if path not in store.listed:
                store.listed[path] = generation
                store.unlisted.pop(path, None)
                self.changed = True
        for path in [path for path in store.listed if path not in listed]:
            del store.listed[path]
            store.unlisted[path] = generation
            self.changed = True

    def digest(self, path: str) -> str | None:
        """The current digest of ``path``, read only when its stat key changed (None for a
        file not seen before: its analysis provides it)."""
        if path in self._current:
            return self._current[path]
        store = self._store
        key = stat_key(path)
        state = store.files.get(path)
        self.changed = self.changed or state is None or state.key != key
        if state is None:
            digest = MISSING if key == MISSING_STAT else None
            store.files[path] = _FileState(_trusted(key, self.started_ns), digest, store.generation)
            if digest is not None:
                self._current[path] = digest
            return digest
        if state.key is None or state.key != key or state.digest is None:
            digest = file_digest(path) if key != MISSING_STAT else MISSING
            changed = store.generation if digest != state.digest else state.changed
            state = store.files[path] = _FileState(_trusted(key, self.started_ns), digest, changed)
        self._current[path] = state.digest
        return state.digest

    # -- results ----------------------------------------------------------------------------
    def cached(self, path: str) -> list[Finding] | None:
        """The findings of ``path`` when nothing they depend on changed since."""
        entry = self._store.entries.get(path)
        if entry is None or self.digest(path) != entry.digest or not self._still_valid(entry):
            return None
        return [_unpack(finding) for finding in entry.findings]

    def _still_valid(self, entry: Entry) -> bool:
        key = (id(entry.needs), entry.generation)
        if key not in self._verdicts:
            self._verdicts[key] = self._unchanged(entry.needs, entry.generation)
        return self._verdicts[key]

    def _unchanged(self, needs: _Needs, generation: int) -> bool:
        return (
            self._reads_unchanged(needs.reads)
            and all(self._folder_seen(folder) == seen for folder, seen in needs.folders)
            and not any(
                self._affects(needs, change, generation) for change in self._recent_changes()
            )
        )

    def _reads_unchanged(self, reads: frozenset[tuple[str, str | None]]) -> bool:
        if self._digests is None:
            self._digests = {(path, self.digest(path)) for path in list(self._store.files)}
        return reads <= self._digests

    def _recent_changes(self) -> list[_Change]:
        """Changes to the workspace's files after the oldest entry was computed."""
        if self._changes is None:
            store = self._store
            oldest = min((entry.generation for entry in store.entries.values()), default=0)
            changes = []
            for path, came in store.listed.items():
                state = store.files.get(path)
                changed = state.changed if state is not None else store.generation
                if max(came, changed) > oldest:
                    changes.append(_Change(path, _language(path), came, changed))
            for path, went in store.unlisted.items():
                if went > oldest:
                    changes.append(_Change(path, _language(path), went, went, gone=True))
            self._changes = [change for change in changes if change.language]
        return self._changes

    def _affects(self, needs: _Needs, change: _Change, generation: int) -> bool:
        """Whether ``change`` may change a list or a search answer ``deps`` consulted."""
        came, text = change.came > generation, change.changed > generation
        if not (came or text):
            return False
        lang, path = change.language, change.path
        if came and (
            lang in needs.listings
            or (lang, os.path.dirname(path)) in needs.neighbours
            or (lang, _stem(path)) in needs.stems
        ):
            return True
        return any(
            self._matches(path, needles, change.gone) != (path in found)
            for (search_lang, needles), found in needs.searches
            if search_lang == lang
        )

    def _matches(self, path: str, needles: tuple[bytes, ...], gone: bool) -> bool:
        """Whether a workspace search for ``needles`` finds ``path`` now."""
        if gone:
            return False
        key = (path, needles)
        if key not in self._answers:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                data = b""
            self._answers[key] = b"\0" not in data[:8192] and any(n in data for n in needles)
        return self._answers[key]

    def store(self, path: str, digest: str, findings: list[Finding], deps: Dependencies) -> None:
        """Keep the findings of ``path`` (analysed from text with ``digest``)."""
        store = self._store
        state = store.files.get(path)
        if state is not None and state.digest != digest:
            store.files[path] = state._replace(digest=digest, changed=store.generation)
        for read, seen in deps.reads.items():
            if read not in store.files and seen is not None:
                key = _trusted(stat_key(read), self.started_ns)
                store.files[read] = _FileState(key, seen, store.generation)
        deps.reads.pop(path, None)  # its own text is the entry's digest; sets stay shared
        needs = self._intern(deps)
        packed = tuple(_pack(finding) for finding in findings)
        store.entries[path] = Entry(digest, store.generation, packed, needs)
        self.changed = True

    def _intern(self, deps: Dependencies) -> _Needs:
        needs = _Needs(
            reads=frozenset(deps.reads.items()),
            folders=frozenset((folder, self._folder_seen(folder)) for folder in deps.folders),
            listings=frozenset(deps.listings),
            neighbours=frozenset(deps.neighbours),
            stems=frozenset(deps.stems),
            searches=frozenset(deps.searches.items()),
        )
        if self._interned is None:
            self._interned = {entry.needs: entry.needs for entry in self._store.entries.values()}
        return self._interned.setdefault(needs, needs)

    def forget(self, path: str) -> None:
        if self._store.entries.pop(path, None) is not None:
            self.changed = True

    def _folder_seen(self, folder: str) -> bytes | None:
        """The entries of ``folder`` a listing sees (None when it changed too recently)."""
        if _trusted(stat_key(folder), self.started_ns) is None:
            return None
        try:
            with os.scandir(folder) as entries:
                return _signature_digest(entries)
        except OSError:
            return b""

    # -- saving -----------------------------------------------------------------------------
    def save(self, rule_names: dict[str, str] | None = None) -> None:
        """Write the cache atomically (a temporary file renamed over the old one), so a
        concurrent run reads either the old or the new state, never a mix."""
        if rule_names:
            self._store.rule_names = rule_names
        self._prune()
        ensure_cache_dir(self.directory)
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump(_shared(self._store), file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def _prune(self) -> None:
        """Drop what no entry and no workspace file needs any more."""
        store = self._store
        store.entries = {p: e for p, e in store.entries.items() if p in store.listed}
        needed = set(store.listed)
        for record in store.walks.values():
            needed.update(record.gitignores)
            needed.update(gitignore for gitignore, _, _ in record.ancestors)
        for needs in {id(entry.needs): entry.needs for entry in store.entries.values()}.values():
            needed.update(path for path, _ in needs.reads)
        store.files = {p: s for p, s in store.files.items() if p in needed}


def _shared(store: _Store) -> _Store:
    """The store with equal parts of its entries' needs made one object each. Pickle
    writes an object once per dump, and hundreds of needs list the same files: on the
    ExecuTorch tree the file shrinks by a fifth and loads in about half the time."""
    canonical: dict = {}

    def one(value):
        return canonical.setdefault(value, value)

    rebuilt: dict[int, _Needs] = {}
    entries = {}
    for path, entry in store.entries.items():
        needs = rebuilt.get(id(entry.needs))
        if needs is None:
            parts = (one(frozenset(one(item) for item in part)) for part in entry.needs)
            needs = rebuilt[id(entry.needs)] = one(_Needs(*parts))
        entries[path] = entry._replace(needs=needs)
    return dataclasses.replace(store, entries=entries)


def _pack(finding: Finding) -> tuple:
    """A finding as plain tuples (loaded several times faster than the dataclasses)."""
    fix = finding.fix
    packed_fix = None
    if fix is not None:
        edits = tuple((e.span.start, e.span.end, e.new_text) for e in fix.edits)
        packed_fix = (fix.title, edits, fix.safe)
    related = tuple((r.span.start, r.span.end, r.message, r.path) for r in finding.related)
    span = finding.span
    return (
        finding.code,
        finding.message,
        span.start,
        span.end,
        finding.severity.value,
        packed_fix,
        related,
    )


_SEVERITIES = {severity.value: severity for severity in Severity}


def _unpack(packed: tuple) -> Finding:
    code, message, start, end, severity, packed_fix, related = packed
    fix = None
    if packed_fix is not None:
        title, edits, safe = packed_fix
        fix = Fix(title, tuple(TextEdit(Span(a, b), text) for a, b, text in edits), safe)
    return Finding(
        code,
        message,
        Span(start, end),
        _SEVERITIES[severity],
        fix,
        tuple(Related(Span(a, b), text, path) for a, b, text, path in related),
    )


def _language(path: str) -> str:
    language = detect_language(path)
    return language.value if language is not None else ""


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def ensure_cache_dir(directory: Path) -> None:
    """The cache folder, with a .gitignore that keeps it out of version control."""
    directory.mkdir(parents=True, exist_ok=True)
    gitignore = directory / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("# Created by executorch-lsp.\n*\n", "utf-8")

"""Which files to check under a folder: our languages, minus ignored and vendored trees.

Walks with ``os.scandir`` on plain strings; ``.gitignore`` files (and the configured
``exclude`` globs) are compiled into one regular expression each where possible,
because matching 60+ patterns one by one dominated the walk of a large tree.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .config import MAX_FILE_BYTES  # noqa: F401 (its readers import it from here)
from .languages import detect_language

# The check cache's folder (see engine/check_cache.py).
CACHE_DIR_NAME = ".executorch-lsp-cache"

# Build outputs, caches and vendored trees, skipped unless a path is given explicitly.
DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        "node_modules",
        "build",
        "_build",
        "cmake-out",
        "buck-out",
        "_deps",
        "third-party",
        "third_party",
        "thirdparty",
        "vendor",
        "external",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "dist",
        "pip-out",
        ".eggs",
        CACHE_DIR_NAME,
    }
)
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


class _IgnoreRules:
    """gitignore-style patterns relative to a base folder.

    Consecutive patterns of the same polarity are merged into one regular expression;
    scanning the runs from the last one back gives gitignore's "last match wins".
    """

    def __init__(self, base: str, lines: list[str]) -> None:
        import pathspec  # only when a tree is walked (a cached listing needs none)

        self.prefix = base.rstrip("/") + "/"
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
        runs: list[tuple[bool, list[str]]] = []
        for pattern in spec.patterns:
            if pattern.include is None or pattern.regex is None:
                continue
            source = _NAMED_GROUP.sub("(?:", pattern.regex.pattern)
            if runs and runs[-1][0] == pattern.include:
                runs[-1][1].append(source)
            else:
                runs.append((pattern.include, [source]))
        self._runs = [
            (include, re.compile("|".join(f"(?:{s})" for s in sources)))
            for include, sources in reversed(runs)
        ]

    def ignores(self, path: str, is_dir: bool) -> bool:
        if not path.startswith(self.prefix):
            return False
        relative = path[len(self.prefix) :] + ("/" if is_dir else "")
        for include, regex in self._runs:
            if regex.search(relative) is not None:
                return include
        return False


def _load_gitignore(folder: str) -> _IgnoreRules | None:
    try:
        with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as file:
            lines = file.read().splitlines()
    except OSError:
        return None
    return _IgnoreRules(folder, lines)


def _ancestor_gitignores(folder: Path) -> list[_IgnoreRules]:
    """.gitignore files above ``folder``, up to the enclosing repository's root."""
    rules: list[_IgnoreRules] = []
    for parent in reversed(folder.parents):
        loaded = _load_gitignore(str(parent))
        if (parent / ".git").exists():
            rules = []
        if loaded is not None:
            rules.append(loaded)
    return rules


FolderVisitor = Callable[[str, list[os.DirEntry]], None]


def iter_files(
    paths: list[Path],
    exclude: tuple[str, ...] = (),
    exclude_root: Path | None = None,
    force_exclude: bool = False,
    on_folder: FolderVisitor | None = None,
) -> Iterator[Path]:
    """Files of our languages under ``paths``. Files named explicitly are included even
    when excluded, unless ``force_exclude`` (for pre-commit, which names every file).
    ``on_folder`` sees each folder walked with its entries."""
    excluded = None
    if exclude and exclude_root is not None:
        excluded = _IgnoreRules(str(exclude_root.resolve()), list(exclude))
    seen: set[str] = set()
    for path in paths:
        resolved = path.resolve()
        if resolved.is_file():
            skip = force_exclude and excluded is not None and excluded.ignores(str(resolved), False)
            candidates = [] if skip else [str(resolved)]
        else:
            candidates = _walk(resolved, excluded, on_folder)
        for found in candidates:
            if found not in seen:
                seen.add(found)
                yield Path(found)


def _is_walked_folder(name: str) -> bool:
    return name not in DEFAULT_EXCLUDED_DIRS and not name.startswith("cmake-build")


def folder_signature(entries: Iterable[os.DirEntry]) -> tuple[tuple[str, bool], ...]:
    """The entries of a folder that a walk looks at (subfolders, our files, .gitignore),
    each with whether it is a folder."""
    signature = []
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if _is_walked_folder(entry.name):
                signature.append((entry.name, True))
        elif (entry.is_file(follow_symlinks=False) or entry.is_symlink()) and (
            entry.name == ".gitignore" or detect_language(entry.name) is not None
        ):
            signature.append((entry.name, False))
    return tuple(sorted(signature))


def _dangling(entry: os.DirEntry) -> bool:
    """A link that leads to no file (broken, or a loop): listed, so reading it reports the
    problem. Links to real files are not followed (their target is checked where it is)."""
    return entry.is_symlink() and not os.path.isfile(entry.path)


def _walk(
    root: Path, excluded: _IgnoreRules | None, on_folder: FolderVisitor | None = None
) -> Iterator[str]:
    stack: list[tuple[str, list[_IgnoreRules]]] = [(str(root), _ancestor_gitignores(root))]
    if excluded is not None:
        stack[0][1].append(excluded)
    while stack:
        folder, rules = stack.pop()
        own = _load_gitignore(folder)
        active = [*rules, own] if own is not None else rules
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        if on_folder is not None:
            on_folder(folder, entries)
        subfolders = []
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not _is_walked_folder(entry.name):
                    continue
                if not any(rule.ignores(entry.path, True) for rule in active):
                    subfolders.append(entry.path)
            elif (
                (entry.is_file(follow_symlinks=False) or _dangling(entry))
                and detect_language(entry.name) is not None
                and not any(rule.ignores(entry.path, False) for rule in active)
            ):
                yield entry.path
        stack.extend((sub, active) for sub in reversed(subfolders))

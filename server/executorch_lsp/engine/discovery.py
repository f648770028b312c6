"""Which files to check under a folder: our languages, minus ignored and vendored trees."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from .languages import detect_language

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
        "cmake-build-debug",
        "cmake-build-release",
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
    }
)
MAX_FILE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class _IgnoreRules:
    base: Path
    spec: pathspec.PathSpec

    def ignores(self, path: Path, is_dir: bool) -> bool:
        try:
            relative = path.relative_to(self.base).as_posix()
        except ValueError:
            return False
        return self.spec.match_file(relative + "/" if is_dir else relative)


def _load_gitignore(folder: Path) -> _IgnoreRules | None:
    gitignore = folder / ".gitignore"
    try:
        lines = gitignore.read_text("utf-8", "replace").splitlines()
    except OSError:
        return None
    return _IgnoreRules(folder, pathspec.GitIgnoreSpec.from_lines(lines))


def _exclude_rules(root: Path | None, patterns: tuple[str, ...]) -> _IgnoreRules | None:
    if root is None or not patterns:
        return None
    return _IgnoreRules(root, pathspec.GitIgnoreSpec.from_lines(patterns))


def iter_files(
    paths: list[Path], exclude: tuple[str, ...] = (), exclude_root: Path | None = None
) -> Iterator[Path]:
    """Files of our languages under ``paths``; explicit file arguments are always included."""
    excluded = _exclude_rules(exclude_root.resolve() if exclude_root else None, exclude)
    seen: set[Path] = set()
    for path in paths:
        if path.is_file():
            path = path.resolve()
            if path not in seen:
                seen.add(path)
                yield path
            continue
        for found in _walk(path, excluded):
            if found not in seen:
                seen.add(found)
                yield found


def _ancestor_gitignores(folder: Path) -> list[_IgnoreRules]:
    rules = []
    for parent in reversed(folder.resolve().parents):
        loaded = _load_gitignore(parent)
        if loaded is not None:
            rules.append(loaded)
        if (parent / ".git").exists():
            rules = [loaded] if loaded is not None else []
    return rules


def _walk(root: Path, excluded: _IgnoreRules | None) -> Iterator[Path]:
    root = root.resolve()
    inherited = _ancestor_gitignores(root)
    stack: list[tuple[Path, list[_IgnoreRules]]] = [(root, inherited)]
    while stack:
        folder, rules = stack.pop()
        own = _load_gitignore(folder)
        active = [*rules, own] if own is not None else rules
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                if entry.name in DEFAULT_EXCLUDED_DIRS or entry.name.startswith("cmake-build"):
                    continue
                if _ignored(path, True, active, excluded):
                    continue
                subfolders.append(path)
            elif (
                entry.is_file(follow_symlinks=False)
                and detect_language(entry.name)
                and not _ignored(path, False, active, excluded)
            ):
                yield path
        stack.extend((sub, active) for sub in reversed(subfolders))


def _ignored(
    path: Path, is_dir: bool, rules: list[_IgnoreRules], excluded: _IgnoreRules | None
) -> bool:
    if excluded is not None and excluded.ignores(path, is_dir):
        return True
    return any(rule.ignores(path, is_dir) for rule in rules)

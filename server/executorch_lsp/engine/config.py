"""Project configuration: ``[tool.executorch-lsp]`` in pyproject.toml or ``.executorch-lsp.toml``.

    select = ["ET1", "ET201"]       # codes or prefixes; default: every rule
    ignore = ["ET105"]
    exclude = ["generated/**"]      # gitignore-style, relative to the config file
    workspace-file-limit = 10000    # the most files a whole-workspace check in the editor reads
    [severity]                      # ([tool.executorch-lsp.severity] in pyproject.toml)
    ET101 = "error"                 # error | warning | info | hint

Editor settings use the same keys and take precedence over the file.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from .findings import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILE_NAMES = (".executorch-lsp.toml", "pyproject.toml")
FILE_LIMIT_KEY = "workspace-file-limit"
MAX_FILE_BYTES = 4 * 1024 * 1024  # the default of max-file-size-mib
TIME_LIMIT_KEY = "analysis-time-limit"
SIZE_LIMIT_KEY = "max-file-size-mib"
DEFAULT_TIME_LIMIT = 5.0
_KNOWN_KEYS = {
    "select",
    "ignore",
    "exclude",
    "severity",
    FILE_LIMIT_KEY,
    TIME_LIMIT_KEY,
    SIZE_LIMIT_KEY,
}
_SELECTOR = re.compile(r"ET\d{0,3}|ALL")


class ConfigError(Exception):
    """A configuration that cannot be used, with the file it came from."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@cache
def _is_enabled(select: tuple[str, ...], ignore: tuple[str, ...], code: str) -> bool:
    selected = any(_matches(selector, code) for selector in select)
    return selected and not any(_matches(selector, code) for selector in ignore)


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    path: Path | None = None  # the file this came from, if any
    workspace_file_limit: int | None = None  # None: the editor's default
    # Seconds one file's analysis may take; the rules not run by then are skipped.
    time_limit: float = DEFAULT_TIME_LIMIT
    # Larger files are skipped with a message (generated or vendored code, data).
    max_file_bytes: int = MAX_FILE_BYTES

    @property
    def root(self) -> Path | None:
        return self.path.parent if self.path else None

    def is_enabled(self, code: str) -> bool:
        return _is_enabled(self.select, self.ignore, code)

    def severity_for(self, code: str, default: Severity) -> Severity:
        return self.severity.get(code, default)

    def with_overrides(self, overrides: Mapping[str, Any]) -> Config:
        """Editor settings on top of this configuration (validated the same way)."""
        parsed = _parse_table(overrides, None, allow_unknown=True)
        return replace(
            self,
            select=parsed.select if overrides.get("select") else self.select,
            ignore=(*self.ignore, *parsed.ignore),
            exclude=(*self.exclude, *parsed.exclude),
            severity={**self.severity, **parsed.severity},
            workspace_file_limit=parsed.workspace_file_limit or self.workspace_file_limit,
            time_limit=parsed.time_limit if TIME_LIMIT_KEY in overrides else self.time_limit,
            max_file_bytes=(
                parsed.max_file_bytes if SIZE_LIMIT_KEY in overrides else self.max_file_bytes
            ),
        )


def _matches(selector: str, code: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def _string_list(table: Mapping[str, Any], key: str, path: Path | None) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"'{key}' must be a list of strings", path)
    return tuple(item.strip() for item in value)


def _validate_selectors(selectors: tuple[str, ...], key: str, path: Path | None) -> None:
    from ..rules import ASSIGNED_CODES

    for selector in selectors:
        upper = selector.upper()
        if not _SELECTOR.fullmatch(upper):
            raise ConfigError(
                f"'{key}': '{selector}' is not a rule code or prefix (ET101, ET1)", path
            )
        if upper != "ALL" and not any(code.startswith(upper) for code in ASSIGNED_CODES):
            raise ConfigError(f"'{key}': unknown rule code '{selector}'", path)


def _parse_table(
    table: Mapping[str, Any], path: Path | None, allow_unknown: bool = False
) -> Config:
    unknown = set(table) - _KNOWN_KEYS
    if unknown and not allow_unknown:
        raise ConfigError(f"unknown key(s): {', '.join(sorted(unknown))}", path)
    select = tuple(s.upper() for s in _string_list(table, "select", path)) or ("ALL",)
    ignore = tuple(s.upper() for s in _string_list(table, "ignore", path))
    _validate_selectors(select, "select", path)
    _validate_selectors(ignore, "ignore", path)
    exclude = _string_list(table, "exclude", path)
    severity_table = table.get("severity", {}) or {}
    if not isinstance(severity_table, Mapping):
        raise ConfigError("'severity' must be a table of CODE = \"error|warning|info|hint\"", path)
    severity: dict[str, Severity] = {}
    for code, level in severity_table.items():
        _validate_selectors((code.upper(),), "severity", path)
        try:
            severity[code.upper()] = Severity(str(level).lower())
        except ValueError:
            raise ConfigError(
                f"'severity.{code}': '{level}' is not one of error, warning, info, hint", path
            ) from None
    return Config(
        select=select,
        ignore=ignore,
        exclude=exclude,
        severity=severity,
        path=path,
        workspace_file_limit=_file_limit(table, path),
        time_limit=_time_limit(table, path),
        max_file_bytes=_size_limit(table, path),
    )


def _file_limit(table: Mapping[str, Any], path: Path | None) -> int | None:
    value = table.get(FILE_LIMIT_KEY)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"'{FILE_LIMIT_KEY}' must be a positive whole number", path)
    return value


def _size_limit(table: Mapping[str, Any], path: Path | None) -> int:
    value = table.get(SIZE_LIMIT_KEY)
    if value is None:
        return MAX_FILE_BYTES
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ConfigError(f"'{SIZE_LIMIT_KEY}' must be a number of MiB above 0", path)
    return int(value * 1024 * 1024)


def _time_limit(table: Mapping[str, Any], path: Path | None) -> float:
    value = table.get(TIME_LIMIT_KEY, DEFAULT_TIME_LIMIT)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ConfigError(f"'{TIME_LIMIT_KEY}' must be a number of seconds above 0", path)
    return float(value)


def load_file(path: Path) -> Config | None:
    """The configuration in ``path``; None for a pyproject.toml without our table."""
    try:
        content = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read: {error}", path) from None
    try:
        document = tomllib.loads(content)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"invalid TOML: {error}", path) from None
    if path.name == "pyproject.toml":
        table = document.get("tool", {}).get("executorch-lsp")
        if table is None:
            return None
        if not isinstance(table, Mapping):
            raise ConfigError("[tool.executorch-lsp] must be a table", path)
        return _parse_table(table, path)
    return _parse_table(document, path)


def find_config_file(start: Path) -> Path | None:
    """The nearest configuration file at or above ``start`` (a file or a folder)."""
    folder = start if start.is_dir() else start.parent
    for candidate_folder in (folder, *folder.parents):
        for name in CONFIG_FILE_NAMES:
            candidate = candidate_folder / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_our_table(candidate)):
                return candidate
    return None


def _has_our_table(pyproject: Path) -> bool:
    try:
        return b"executorch-lsp" in pyproject.read_bytes()
    except OSError:
        return False


def load_for(start: Path) -> Config:
    """The configuration that applies to ``start``; defaults when there is none."""
    path = find_config_file(start.resolve())
    if path is None:
        return Config()
    return load_file(path) or Config()

"""A workspace that records what each analysis read of it (see ``dependencies``).

Values the workspace keeps (``memo``, ``per_file``) remember what computing them read, so
an analysis that reuses one depends on the same files as the analysis that computed it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from . import dependencies
from .dependencies import Dependencies, digest_of, file_digest
from .languages import LanguageId
from .workspace import Workspace


class TrackingWorkspace(Workspace):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._value_deps: dict[Any, Dependencies] = {}
        self._digests: dict[str, str] = {}

    def read(self, path: str) -> bytes | None:
        dependencies.note_read(path)
        return super().read(path)

    def version(self, path: str) -> int:
        # Caches that outlive changes ask for the versions of what they were made from.
        dependencies.note_read(path)
        return super().version(path)

    def resolve_digests(self, deps: Dependencies) -> None:
        """Fill in the digests of what ``deps`` read (hashed once per path and process)."""
        for path, digest in deps.reads.items():
            if digest is None:
                deps.reads[path] = self._digest(path)

    def _digest(self, path: str) -> str:
        digest = self._digests.get(path)
        if digest is None:
            data = super().read(path)  # the text the analyses saw, while it is kept
            digest = digest_of(data) if data is not None else file_digest(path)
            self._digests[path] = digest
        return digest

    def files(self, language: LanguageId) -> list[str]:
        current = dependencies.current()
        if current is not None:
            current.listings.add(language.value)
        return super().files(language)

    def neighbours(self, path: str, language: LanguageId, limit: int = 200) -> list[str]:
        with dependencies.recording(barrier=True):
            found = super().neighbours(path, language, limit)
        current = dependencies.current()
        if current is not None:
            current.neighbours.add((language.value, os.path.dirname(path)))
        return found

    def with_stem(self, stem: str, language: LanguageId) -> list[str]:
        with dependencies.recording(barrier=True):
            found = super().with_stem(stem, language)
        current = dependencies.current()
        if current is not None:
            current.stems.add((language.value, stem))
        return found

    def files_containing(self, language: LanguageId, needles: tuple[bytes, ...]) -> list[str]:
        with dependencies.recording(barrier=True):
            found = super().files_containing(language, needles)
        current = dependencies.current()
        if current is not None:
            current.searches[(language.value, tuple(needles))] = frozenset(found)
        return found

    def memo(self, key: tuple[str, Any], compute: Callable[[], Any]) -> Any:
        value = super().memo(key, self._tracked(("memo", key), compute))
        dependencies.note(self._value_deps.get(("memo", key)))
        return value

    def per_file(
        self,
        path: str,
        kind: str,
        compute: Callable[[bytes], Any],
        still_valid: Callable[[Any], bool] | None = None,
    ) -> Any:
        key = ("file", path, kind)
        value = super().per_file(path, kind, self._tracked(key, compute), still_valid)
        dependencies.note_read(path)
        dependencies.note(self._value_deps.get(key))
        return value

    def _tracked(self, key: Any, compute: Callable[..., Any]) -> Callable[..., Any]:
        def tracked(*args: Any) -> Any:
            with dependencies.recording() as deps:
                value = compute(*args)
            self._value_deps[key] = deps
            return value

        return tracked

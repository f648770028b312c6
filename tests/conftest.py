from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def reserved_code(monkeypatch: pytest.MonkeyPatch) -> str:
    """A code that is assigned but has no rule yet (every real one may be implemented)."""
    from executorch_lsp.rules import ASSIGNED_CODES

    monkeypatch.setitem(ASSIGNED_CODES, "ET499", "reserved-for-tests")
    return "ET499"


@pytest.fixture(autouse=True)
def check_cache_outside_the_repository(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check` runs over the repository's own examples keep their cache in a temporary
    folder, not beside the examples."""
    from executorch_lsp.cli import CACHE_DIR_VARIABLE

    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(tmp_path_factory.mktemp("check-cache")))

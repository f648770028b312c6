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

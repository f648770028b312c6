"""Real VS Code (code-server) with the packaged .vsix, driven by Playwright.

Slow (a few minutes on a new machine to install code-server), so it is its own stage:
``pytest -m vscode`` (scripts/test-all runs it after the main suite).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "client-vscode"
pytestmark = pytest.mark.vscode


@pytest.fixture(scope="module")
def vsix() -> Path:
    if shutil.which("npm") is None:
        pytest.fail("npm is needed to build the extension")
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"], cwd=CLIENT, check=True, capture_output=True
    )
    subprocess.run(["npm", "test"], cwd=CLIENT, check=True, capture_output=True)
    subprocess.run(["npm", "run", "package"], cwd=CLIENT, check=True, capture_output=True)
    return CLIENT / "executorch-lsp.vsix"


def drive(vsix: Path, shots: Path, mode: str) -> dict:
    server = Path(sys.executable).with_name("executorch-lsp")
    done = subprocess.run(
        ["bash", str(CLIENT / "e2e" / "run.sh"), str(vsix), str(server), str(shots), mode],
        capture_output=True,
        text=True,
        timeout=1500,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(lines[-1])
    assert done.returncode == 0 and result["ok"], (result, done.stderr[-3000:])
    return result


def test_vscode_end_to_end(vsix: Path, tmp_path: Path) -> None:
    shots = ROOT / "docs" / "images" if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    result = drive(vsix, shots, "full")
    assert "Error::NotFound (0x20 = 32)" in result["hover"]
    assert any("ET101" in row and "_unsafe_reset_threadpool" in row for row in result["problems"])
    # CMakeLists.txt is served by file pattern, without a CMake extension installed.
    assert any("ET201" in row and "CMAKE_BUILD_TYPE is Debug" in row for row in result["problems"])
    assert [step["name"] for step in result["steps"]] == [
        "workbench",
        "diagnostics",
        "hover",
        "problems",
        "settings",
        "quick fix",
        "explain",
        "check workspace",
        "export script",
        "log",
        "explain log",
    ]
    assert any("ET201" in row for row in result["problems_after_check"])
    assert "to_edge_transform_and_lower" in result["export_problem"]
    assert "XnnpackBackend" in result["log_problem"]
    assert "OperatorMissing" in result["log_report"]
    reset_line, load_line = result["lines_after_fix"]
    assert "_unsafe_reset_threadpool" in reset_line and "load_method" in load_line
    assert (shots / "vscode-hover.png").stat().st_size > 10_000


def test_untrusted_folder_runs_in_limited_mode(vsix: Path, tmp_path: Path) -> None:
    """The folder's own settings name a bogus server; Restricted Mode ignores them."""
    result = drive(vsix, tmp_path, "restricted")
    assert result["restricted"] is True
    assert [step["name"] for step in result["steps"]] == ["workbench", "diagnostics"]

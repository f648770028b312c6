"""An untrusted folder: files written to make a tool run something. Analysis only reads:
no process is started, nothing the files name is run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from executorch_lsp.engine.analysis import analyze
from executorch_lsp.engine.batch import check_files
from executorch_lsp.engine.config import _KNOWN_KEYS, load_for
from executorch_lsp.engine.discovery import iter_files
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.languages import detect_language
from executorch_lsp.engine.workspace import Workspace

REPOSITORY = Path(__file__).resolve().parents[1]
TOUCH = "touch PWNED"
HOSTILE_FILES = {
    "CMakeLists.txt": (
        "cmake_minimum_required(VERSION 3.19)\nproject(app)\n"
        f"execute_process(COMMAND {TOUCH})\nadd_custom_command(OUTPUT x COMMAND {TOUCH})\n"
        "include(hooks.cmake)\nadd_subdirectory(executorch)\n"
        "target_link_libraries(app PRIVATE executorch xnnpack_backend)\n"
    ),
    "hooks.cmake": f'execute_process(COMMAND sh -c "{TOUCH}")\ninclude(CMakeLists.txt)\n',
    "export_model.py": (
        f'import os, subprocess\nos.system("{TOUCH}")\nsubprocess.run("{TOUCH}", shell=True)\n'
        "__import__('os').system('touch PWNED')\n"
        "from executorch.exir import to_edge\nprogram = to_edge(exported)\n"
    ),
    "BUCK": (
        f'genrule(name = "pwn", cmd = "{TOUCH}", out = "x")\n'
        'load("//:defs.bzl", "run")\nrun(cmd = "touch PWNED")\n'
        'cxx_binary(name = "app", deps = ["//xnnpack:xnnpack_backend"])\n'
    ),
    "defs.bzl": f'def run(cmd):\n    native.genrule(name = "r", cmd = "{TOUCH}", out = "y")\n',
    "main.cpp": (
        f'#include "PWNED"\n#pragma comment(lib, "{TOUCH}")\n'
        f'int main() {{ system("{TOUCH}"); return 0; }}\n'
    ),
    ".executorch-lsp.toml": 'select = ["ALL"]\n',
    "pyproject.toml": (
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "pwn"\n'
        f'[tool.pre-commit]\nentry = "{TOUCH}"\n[tool.executorch-lsp]\nselect = ["ET1"]\n'
    ),
}


@pytest.fixture
def hostile_folder(tmp_path: Path) -> Path:
    for name, text in HOSTILE_FILES.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def forbid(*_: object, **__: object) -> None:
    raise AssertionError("analysis started a process")


PROCESS_STARTERS = [
    (subprocess.Popen, "__init__"),
    (os, "system"),
    (os, "popen"),
    *[(os, name) for name in dir(os) if name.startswith(("spawn", "exec", "posix_spawn", "fork"))],
]


@pytest.fixture
def no_processes(monkeypatch: pytest.MonkeyPatch):
    for owner, name in PROCESS_STARTERS:
        monkeypatch.setattr(owner, name, forbid)


def test_analysis_starts_no_process(hostile_folder: Path, no_processes: None):
    workspace = Workspace(roots=[hostile_folder])
    config = load_for(hostile_folder)
    for path in sorted(hostile_folder.iterdir()):
        language = detect_language(path)
        if language is None:
            continue
        document = Document(str(path), language, path.read_bytes())
        analysis = analyze(document, config, workspace=workspace)
        assert not analysis.failures, path
    files = list(iter_files([hostile_folder]))
    results = check_files(files, config, jobs=1, workspace=workspace)
    assert {result.path.name for result in results} >= {"CMakeLists.txt", "BUCK", "main.cpp"}
    assert not (hostile_folder / "PWNED").exists()


def test_check_on_a_hostile_folder_runs_nothing(hostile_folder: Path):
    result = subprocess.run(
        [sys.executable, "-m", "executorch_lsp", "check", "--no-cache", str(hostile_folder)],
        cwd=hostile_folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr
    assert not (hostile_folder / "PWNED").exists()


def test_configuration_names_no_executable():
    assert {
        "select",
        "ignore",
        "exclude",
        "severity",
        "workspace-file-limit",
        "analysis-time-limit",
        "max-file-size-mib",
    } == _KNOWN_KEYS


def test_vscode_server_path_is_restricted_in_untrusted_workspaces():
    package = json.loads((REPOSITORY / "client-vscode" / "package.json").read_text())
    trust = package["capabilities"]["untrustedWorkspaces"]
    assert trust["supported"] == "limited"
    assert "executorchLsp.serverPath" in trust["restrictedConfigurations"]
    setting = package["contributes"]["configuration"]["properties"]["executorchLsp.serverPath"]
    assert setting["scope"] == "machine-overridable"

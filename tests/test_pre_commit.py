"""The pre-commit hook (.pre-commit-hooks.yaml), run by real pre-commit on a throwaway repo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BAD = """int main() {
  Module module("m.pte");
  (void)module.load();
  ::executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(4);
}
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def snapshot_of_this_checkout(destination: Path) -> Path:
    """This working tree (tracked and untracked files, as they are) committed into a new
    repository: what pre-commit would clone from a published tag."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() or source.is_symlink():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_symlink():
                target.symlink_to(os.readlink(source))
            else:
                target.write_bytes(source.read_bytes())
    git(destination, "init", "-q")
    git(destination, "add", "-A")
    git(
        destination,
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "commit",
        "-qm",
        "snapshot",
    )
    return destination


def test_pre_commit_hook_reports_findings(tmp_path: Path) -> None:
    hooks_repo = snapshot_of_this_checkout(tmp_path / "executorch-lsp")
    repo = tmp_path / "app"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "runner.cpp").write_text(BAD)
    (repo / "clean.cpp").write_text("int main() { return 0; }\n")
    (repo / "notes.md").write_text("0x20\n")
    git(repo, "add", ".")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    done = run_hook(repo, hooks_repo, env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "runner.cpp:4:58: ET101 [error]" in done.stdout
    assert "clean.cpp:" not in done.stdout

    (repo / "runner.cpp").write_text("int main() { return 0; }\n")
    git(repo, "add", ".")
    done = run_hook(repo, hooks_repo, env)
    assert done.returncode == 0, done.stdout + done.stderr


def run_hook(repo: Path, hooks_repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    pre_commit = Path(sys.executable).with_name("pre-commit")
    return subprocess.run(
        [str(pre_commit), "try-repo", str(hooks_repo), "executorch-lsp", "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

"""Whole-workspace checks, without a server: result ids, limits, changes on disk."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from executorch_lsp.engine.config import Config, ConfigError, load_file
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.engine.workspace import Workspace
from executorch_lsp.engine.workspace_check import (
    CheckCancelled,
    CheckMemory,
    DiskChange,
    WorkspaceCheck,
    in_excluded_folder,
)
from executorch_lsp.lsp.state import ConfigStore, DocumentStore

BAD = """#include <executorch/extension/module/module.h>
int main() {
  executorch::extension::Module module("model.pte");
  (void)module.load_method("forward");
  ::executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(4);
}
"""
CLEAN = "int add(int a, int b) { return a + b; }\n"


def run(check: WorkspaceCheck) -> list:
    results = []
    while not check.done:
        results.extend(check.step(0.01))
    return results


def make_check(root: Path, memory: CheckMemory, stamp: str = "s", **kwargs) -> WorkspaceCheck:
    return WorkspaceCheck([root], lambda path: Config(), lambda language: stamp, memory, **kwargs)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "bad.cpp").write_text(BAD)
    (tmp_path / "src" / "clean.cpp").write_text(CLEAN)
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "generated.cpp").write_text(BAD)
    return tmp_path


def test_reports_findings_and_nothing_for_clean_files(tree: Path):
    results = run(make_check(tree, CheckMemory()))
    assert [(Path(r.path).name, [f.code for f in r.findings]) for r in results] == [
        ("bad.cpp", ["ET101"])
    ]


def test_a_held_result_id_costs_no_analysis(tree: Path):
    memory = CheckMemory()
    (first,) = run(make_check(tree, memory))
    second = make_check(tree, memory, previous={first.path: first.result_id})
    (again,) = run(second)
    assert again.findings is None and again.result_id == first.result_id
    assert second.analysed == 0  # the clean file is remembered as clean too


def test_a_new_stamp_or_a_changed_file_is_analysed_again(tree: Path):
    memory = CheckMemory()
    (first,) = run(make_check(tree, memory))
    restamped = make_check(tree, memory, stamp="t", previous={first.path: first.result_id})
    (again,) = run(restamped)
    assert again.findings and restamped.analysed == 2

    Path(first.path).write_text(CLEAN)
    os.utime(first.path, ns=(1, 1))
    changes: list[DiskChange] = []
    cleared = make_check(
        tree,
        memory,
        stamp="t",
        previous={first.path: again.result_id},
        on_disk_changes=changes.extend,
    )
    (result,) = run(cleared)
    assert result.findings == []  # the client must drop what it shows
    assert changes == [DiskChange(first.path, DiskChange.CHANGED)]


def test_deleted_and_created_files_are_noticed(tree: Path):
    memory = CheckMemory()
    run(make_check(tree, memory))
    (tree / "src" / "clean.cpp").unlink()
    (tree / "src" / "new.cpp").write_text(CLEAN)
    changes: list[DiskChange] = []
    run(make_check(tree, memory, on_disk_changes=changes.extend))
    assert sorted((Path(c.path).name, c.kind) for c in changes) == [
        ("clean.cpp", DiskChange.DELETED),
        ("new.cpp", DiskChange.CREATED),
    ]


def test_limit_skip_and_exclude(tree: Path):
    (tree / "src" / "more.cpp").write_text(BAD)
    limited = make_check(tree, CheckMemory(), limit=2)
    run(limited)
    assert limited.truncated and limited.total == 2

    skipped = make_check(tree, CheckMemory(), skip=lambda path: path.endswith("bad.cpp"))
    assert [Path(r.path).name for r in run(skipped)] == ["more.cpp"]

    excluded = WorkspaceCheck(
        [tree],
        lambda path: Config(exclude=("more.cpp",), path=tree / ".executorch-lsp.toml"),
        lambda language: "s",
        CheckMemory(),
    )
    assert [Path(r.path).name for r in run(excluded)] == ["bad.cpp"]


def test_cancelled_check_stops(tree: Path):
    event = threading.Event()
    check = make_check(tree, CheckMemory(), cancelled=event)
    check.step(1.0)  # the listing
    event.set()
    with pytest.raises(CheckCancelled):
        check.step(1.0)


def test_excluded_folders():
    assert in_excluded_folder("/repo/build/x.cpp")
    assert in_excluded_folder("/repo/cmake-build-debug/x.cpp")
    assert not in_excluded_folder("/repo/src/build.cpp")


def test_file_limit_in_the_configuration(tmp_path: Path):
    config_file = tmp_path / ".executorch-lsp.toml"
    config_file.write_text("workspace-file-limit = 20\n")
    assert load_file(config_file).workspace_file_limit == 20
    config_file.write_text("workspace-file-limit = 0\n")
    with pytest.raises(ConfigError, match="positive whole number"):
        load_file(config_file)
    assert Config().with_overrides({"workspace-file-limit": 5}).workspace_file_limit == 5


THREADS = "void set_threads(int n) {\n  get_threadpool()->_unsafe_reset_threadpool(n);\n}\n"


def test_disk_changes_bump_only_when_facts_change(tmp_path: Path):
    threads = tmp_path / "threads.cpp"
    threads.write_text(THREADS)
    store = DocumentStore(ConfigStore())
    store.workspace = Workspace(roots=[tmp_path])
    store.workspace.files(LanguageId.CPP)
    before = dict(store.language_epochs)

    threads.write_text("// a comment\n" + THREADS)
    assert not store.disk_changed([DiskChange(str(threads), DiskChange.CHANGED)])

    threads.write_text(THREADS.replace("get_threadpool", "// get_threadpool"))
    assert store.disk_changed([DiskChange(str(threads), DiskChange.CHANGED)])
    assert store.language_epochs[LanguageId.CPP] == before[LanguageId.CPP] + 1
    assert store.language_epochs[LanguageId.CMAKE] == before[LanguageId.CMAKE]

    created = tmp_path / "more.cpp"
    created.write_text(THREADS)
    assert store.disk_changed([DiskChange(str(created), DiskChange.CREATED)])
    assert str(created) in store.workspace.files(LanguageId.CPP)

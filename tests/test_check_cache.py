"""The check cache: warm runs reuse findings, and every change they depend on shows."""

from __future__ import annotations

import io
import itertools
import json
import os
import time
from pathlib import Path

import pytest

from cross_file_project import ENGINE_CPP, ENGINE_H, MAIN_CPP, THREADS_CPP
from executorch_lsp.cli import CACHE_DIR_VARIABLE, main
from executorch_lsp.engine.discovery import CACHE_DIR_NAME
from executorch_lsp.progress import Progress, wants_progress


@pytest.fixture(autouse=True)
def cache_at_the_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests look at the cache where users get it by default."""
    monkeypatch.delenv(CACHE_DIR_VARIABLE, raising=False)


MAKE_MODULE = "  module_ = std::make_unique<executorch::extension::Module>(path);\n"
QUIET_THREADS_CPP = "void set_threads(int n) {\n  (void)n;\n}\n"
TOP_CMAKE = """project(app)
set(ET_LIB /opt/et/lib)
function(link_whole target lib)
  target_link_libraries(${target} PRIVATE -Wl,--whole-archive ${lib} -Wl,--no-whole-archive)
endfunction()
add_subdirectory(app)
"""
PLAIN_TOP_CMAKE = TOP_CMAKE.replace("-Wl,--whole-archive ${lib} -Wl,--no-whole-archive", "${lib}")
APP_CMAKE = """add_executable(app main.cpp)
link_whole(app ${ET_LIB}/libxnnpack_backend.a)
"""
DEPRECATED = 'void f() {\n  auto m = torch::executor::Module("m.pte");\n}\n'

_past = itertools.count(1)


def settle(root: Path) -> None:
    """Give every file and folder a distinct modification time well in the past, so stat
    keys are trusted (a time within the last seconds is rechecked by content)."""
    stamp = time.time_ns() - 3600 * 10**9 + next(_past) * 10**9
    for folder, _, names in os.walk(root):
        for path in [folder, *(os.path.join(folder, name) for name in names)]:
            os.utime(path, ns=(stamp, stamp))


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    settle(root)


def check(capsys: pytest.CaptureFixture, root: Path, *args: str) -> list[dict]:
    main(["check", "--format", "json", str(root), *args])
    return json.loads(capsys.readouterr().out)


def codes(findings: list[dict], name: str) -> list[str]:
    return [f["code"] for f in findings if f["filename"].endswith(name)]


@pytest.fixture
def cross_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CI", "1")
    root = tmp_path / "app"
    files = {
        "engine.h": ENGINE_H,
        "engine.cpp": ENGINE_CPP,
        "threads.cpp": THREADS_CPP,
        "main.cpp": MAIN_CPP,
    }
    write(root, files)
    return root


def test_a_warm_run_reports_the_same_and_reads_no_unchanged_file(
    cross_file: Path, capsys: pytest.CaptureFixture
) -> None:
    cold = check(capsys, cross_file)
    assert "ET101" in codes(cold, "main.cpp")
    assert check(capsys, cross_file) == cold
    # Same size, inode and modification time: the cache trusts the stat and reads nothing.
    main_cpp = cross_file / "main.cpp"
    before = main_cpp.stat()
    main_cpp.write_text(MAIN_CPP.replace("set_threads(4)", "set_threadz(4)"))
    os.utime(main_cpp, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert check(capsys, cross_file) == cold


def test_an_edited_file_is_checked_again(cross_file: Path, capsys: pytest.CaptureFixture) -> None:
    assert codes(check(capsys, cross_file), "main.cpp") == ["ET101"]
    (cross_file / "main.cpp").write_text(MAIN_CPP.replace("  set_threads(4);\n", ""))
    settle(cross_file)
    assert codes(check(capsys, cross_file), "main.cpp") == []


def test_an_edited_callee_in_another_file_updates_the_caller(
    cross_file: Path, capsys: pytest.CaptureFixture
) -> None:
    assert codes(check(capsys, cross_file), "main.cpp") == ["ET101"]
    (cross_file / "threads.cpp").write_text(QUIET_THREADS_CPP)
    settle(cross_file)
    assert codes(check(capsys, cross_file), "main.cpp") == []
    (cross_file / "threads.cpp").write_text(THREADS_CPP)
    settle(cross_file)
    assert codes(check(capsys, cross_file), "main.cpp") == ["ET101"]


def test_a_header_edit_updates_the_files_that_include_it(
    cross_file: Path, capsys: pytest.CaptureFixture
) -> None:
    # The member's type in the header is all that makes this load an ExecuTorch one.
    write(cross_file, {"engine.cpp": ENGINE_CPP.replace(MAKE_MODULE, "")})
    assert codes(check(capsys, cross_file), "main.cpp") == ["ET101"]
    plain = ENGINE_H.replace("std::unique_ptr<executorch::extension::Module>", "Loader*")
    (cross_file / "engine.h").write_text(plain)
    settle(cross_file)
    assert codes(check(capsys, cross_file), "main.cpp") == []


def test_a_new_file_can_change_another_files_findings(
    cross_file: Path, capsys: pytest.CaptureFixture
) -> None:
    (cross_file / "threads.cpp").unlink()
    settle(cross_file)
    assert codes(check(capsys, cross_file), "main.cpp") == []
    write(cross_file, {"threads.cpp": THREADS_CPP})
    assert codes(check(capsys, cross_file), "main.cpp") == ["ET101"]


def test_a_cmake_edit_updates_the_project_s_other_list_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "proj", {"CMakeLists.txt": TOP_CMAKE, "app/CMakeLists.txt": APP_CMAKE})
    assert codes(check(capsys, tmp_path / "proj"), "app/CMakeLists.txt") == []
    (tmp_path / "proj" / "CMakeLists.txt").write_text(PLAIN_TOP_CMAKE)
    settle(tmp_path / "proj")
    assert codes(check(capsys, tmp_path / "proj"), "app/CMakeLists.txt") == ["ET202"]


def test_a_configuration_change_is_seen(cross_file: Path, capsys: pytest.CaptureFixture) -> None:
    assert codes(check(capsys, cross_file), "main.cpp") == ["ET101"]
    assert codes(check(capsys, cross_file, "--ignore", "ET101"), "main.cpp") == []
    (cross_file / ".executorch-lsp.toml").write_text('ignore = ["ET101"]\n')
    settle(cross_file)
    assert codes(check(capsys, cross_file), "main.cpp") == []
    (cross_file / ".executorch-lsp.toml").write_text('[severity]\nET101 = "info"\n')
    settle(cross_file)
    (finding,) = [f for f in check(capsys, cross_file) if f["code"] == "ET101"]
    assert finding["severity"] == "info"


def test_a_corrupt_cache_is_ignored(cross_file: Path, capsys: pytest.CaptureFixture) -> None:
    cold = check(capsys, cross_file)
    (cache_file,) = (cross_file / CACHE_DIR_NAME).glob("*.pickle")
    for damaged in (b"", b"not a pickle", cache_file.read_bytes()[:100]):
        cache_file.write_bytes(damaged)
        assert check(capsys, cross_file) == cold


def test_the_cache_folder_ignores_itself_and_no_cache_writes_nothing(
    cross_file: Path, capsys: pytest.CaptureFixture
) -> None:
    check(capsys, cross_file, "--no-cache")
    assert not (cross_file / CACHE_DIR_NAME).exists()
    check(capsys, cross_file)
    assert (cross_file / CACHE_DIR_NAME / ".gitignore").read_text().splitlines()[-1] == "*"


def test_cache_dir_option(cross_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    check(capsys, cross_file, "--cache-dir", str(tmp_path / "elsewhere"))
    assert list((tmp_path / "elsewhere").glob("*.pickle"))
    assert not (cross_file / CACHE_DIR_NAME).exists()


def test_output_is_the_same_with_or_without_cache_and_any_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CI", "1")
    files = {f"src/m{i:02}/file{i}.cpp": DEPRECATED for i in range(80)}
    files.update({"src/b.cpp": "int main() { return 0; }\n", "src/a/z.h": DEPRECATED})
    write(tmp_path, files)
    outputs = set()
    for fmt in ("text", "github", "json"):
        for args in (["--no-cache", "-j", "1"], ["--no-cache", "-j", "2"], ["-j", "2"], []):
            main(["check", "--format", fmt, "src", *args])
            outputs.add((fmt, capsys.readouterr().out))
    assert len(outputs) == 3
    text = next(out for fmt, out in outputs if fmt == "text")
    assert text.index("src/a/z.h") < text.index("src/m00/file0.cpp")


def test_progress_only_on_a_terminal_outside_ci() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert wants_progress(Terminal(), {})
    assert not wants_progress(Terminal(), {"CI": "true"})
    assert not wants_progress(Terminal(), {"TERM": "dumb"})
    assert not wants_progress(io.StringIO(), {})


def test_progress_is_erased_before_other_output() -> None:
    stream = io.StringIO()
    progress = Progress(10, stream)
    progress.update(10)
    assert "10/10 files" in stream.getvalue()
    progress.clear()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_a_piped_run_prints_no_progress(
    cross_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.delenv("CI", raising=False)
    main(["check", str(cross_file)])
    assert "files" not in capsys.readouterr().err


def test_a_gitignore_edit_changes_the_files_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "src", {"a.cpp": DEPRECATED, "gen/b.cpp": DEPRECATED, ".gitignore": ""})
    assert {f["filename"] for f in check(capsys, tmp_path / "src")} == {
        "src/a.cpp",
        "src/gen/b.cpp",
    }
    (tmp_path / "src" / ".gitignore").write_text("gen/\n")
    settle(tmp_path / "src")
    assert {f["filename"] for f in check(capsys, tmp_path / "src")} == {"src/a.cpp"}


def test_the_stored_needs_share_their_equal_parts(
    cross_file: Path, capsys: pytest.CaptureFixture
) -> None:
    import pickle

    from executorch_lsp.engine.check_cache import _shared

    check(capsys, cross_file)
    (stored,) = cross_file.parent.rglob("*.pickle")
    store = pickle.loads(stored.read_bytes())
    assert _shared(store).entries == store.entries
    needs = {id(entry.needs): entry.needs for entry in store.entries.values()}.values()
    copies: dict[tuple, set[int]] = {}
    for read in (read for each in needs for read in each.reads):
        copies.setdefault(read, set()).add(id(read))
    in_several = [read for read in copies if sum(read in n.reads for n in needs) > 1]
    assert in_several and all(len(copies[read]) == 1 for read in in_several)

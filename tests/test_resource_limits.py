"""`check` over trees built to trap a linter: include cycles, link loops, special files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from executorch_lsp.cli import main

DEBUG_BUILD = """cmake_minimum_required(VERSION 3.20)
project(app)
set(CMAKE_BUILD_TYPE Debug)
add_subdirectory(third-party/executorch)
include(a.cmake)
include(c1.cmake)
"""


def _check(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(["check", "--no-cache", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_include_cycles_and_deep_include_chains_terminate(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    (tmp_path / "CMakeLists.txt").write_text(DEBUG_BUILD)
    (tmp_path / "a.cmake").write_text("include(b.cmake)\n")
    (tmp_path / "b.cmake").write_text("include(a.cmake)\n")
    for index in range(1, 201):
        (tmp_path / f"c{index}.cmake").write_text(f"include(c{index + 1}.cmake)\n")
    (tmp_path / "c201.cmake").write_text("include(c1.cmake)\n")
    code, out, _ = _check(capsys, str(tmp_path))
    assert code == 1
    assert "CMakeLists.txt:3:" in out and "ET201" in out  # the other rules still run


@pytest.mark.skipif(os.name != "posix", reason="symbolic links and FIFOs")
def test_link_loops_and_broken_links_are_reported_special_files_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "back").symlink_to("..")  # a folder loop
    (tmp_path / "l1.cpp").symlink_to("l2.cpp")  # a file loop
    (tmp_path / "l2.cpp").symlink_to("l1.cpp")
    (tmp_path / "broken.cpp").symlink_to(tmp_path / "missing" / "x.cpp")
    os.mkfifo(tmp_path / "pipe.cpp")  # reading it would block forever
    (tmp_path / "folder.cpp").mkdir()
    (tmp_path / "main.cpp").write_text(
        "#include <executorch/runtime/core/error.h>\n"
        'void f(executorch::runtime::Error e) { printf("error %d", (int)e); }\n'
    )
    code, out, err = _check(capsys, str(tmp_path))
    assert code == 1 and "main.cpp:2:" in out and "ET105" in out
    assert "Traceback" not in err
    # Links that lead to no file are reported; the loop's files are each named once.
    report = out + err
    assert "l1.cpp: error: cannot read: Too many levels of symbolic links" in report
    assert "broken.cpp: error: cannot read: No such file or directory" in report
    assert "pipe.cpp" not in report and "folder.cpp" not in report
    assert report.count("main.cpp:2:") == 1  # the folder loop is not walked


def test_a_binary_file_with_a_source_name_is_reported_and_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    (tmp_path / "blob.cpp").write_bytes(b"\x7fELF\x00\x01\x02" + bytes(range(256)) * 8)
    (tmp_path / "ok.cpp").write_text("int main() { return 0; }\n")
    code, out, err = _check(capsys, str(tmp_path))
    assert code == 0
    assert "blob.cpp" in out + err and "binary" in (out + err).lower()


def test_files_over_the_configured_size_are_skipped_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    bad = '#include <executorch/runtime/core/error.h>\nvoid f(Error e) { printf("%d", (int)e); }\n'
    (tmp_path / "big.cpp").write_text(bad + "// padding\n" * 20_000)  # about 220 KiB
    (tmp_path / "small.cpp").write_text(bad)
    (tmp_path / ".executorch-lsp.toml").write_text("max-file-size-mib = 0.1\n")
    code, out, err = _check(capsys, str(tmp_path))
    assert code == 1 and "small.cpp:2:" in out and "big.cpp:2:" not in out
    assert "big.cpp" in out + err and "over the 0.1 MiB limit (max-file-size-mib)" in out + err
    (tmp_path / ".executorch-lsp.toml").write_text("max-file-size-mib = 1\n")
    code, out, _ = _check(capsys, str(tmp_path))
    assert "big.cpp:2:" in out


def test_a_size_limit_that_is_not_a_positive_number_is_a_configuration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    (tmp_path / "a.cpp").write_text("int main() { return 0; }\n")
    (tmp_path / ".executorch-lsp.toml").write_text('max-file-size-mib = "big"\n')
    code, _, err = _check(capsys, str(tmp_path))
    assert code == 2 and "max-file-size-mib" in err

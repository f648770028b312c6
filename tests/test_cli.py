"""The command line: formats, exit codes, explain and rules."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from executorch_lsp.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo-app"
SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
BAD = """int main() {
  Module module("m.pte");  // é
  (void)module.load();
  ::executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(4);
}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.cpp").write_text(BAD)
    (tmp_path / "app" / "clean.cpp").write_text("int main() { return 0; }\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_demo_app_has_findings(capsys) -> None:
    code, out, _ = run(capsys, "check", str(DEMO))
    assert code == 1
    assert "main.cpp:48:33: ET101 [error]" in out
    assert "fix available: Move the thread-pool reset before the first model load" in out
    for finding in (
        "CMakeLists.txt:8:24: ET201",
        "CMakeLists.txt:22:11: ET203",
        ": ET202 [error]",
        "export_model.py:15:17: ET402 [warning]",
    ):
        assert finding in out


def test_clean_tree_exits_zero(project: Path, capsys) -> None:
    code, out, _ = run(capsys, "check", "app/clean.cpp")
    assert code == 0 and "clean" in out


def test_json_output_has_ruff_shape(project: Path, capsys) -> None:
    code, out, _ = run(capsys, "check", "--format", "json", "app")
    assert code == 1
    (entry,) = json.loads(out)
    assert entry["filename"] == "app/main.cpp"
    assert entry["code"] == "ET101" and entry["severity"] == "error"
    assert entry["location"] == {"row": 4, "column": 58}
    assert entry["end_location"]["row"] == 4
    assert entry["url"].endswith("/ET101.md")
    assert entry["fix"]["applicability"] == "safe" and len(entry["fix"]["edits"]) == 2


def test_sarif_output_is_valid(project: Path, capsys) -> None:
    code, out, _ = run(capsys, "check", "--format", "sarif", "app")
    assert code == 1
    sarif = json.loads(out)
    jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(sarif)
    (result,) = sarif["runs"][0]["results"]
    assert result["ruleId"] == "ET101" and result["level"] == "error"


def test_github_annotations(project: Path, capsys) -> None:
    code, out, _ = run(capsys, "check", "--format", "github", "app")
    assert code == 1
    assert out.startswith("::error file=app/main.cpp,line=4,col=58,")
    assert "title=ET101 (threadpool-reset-after-load)::" in out


def test_select_ignore_and_exit_zero(project: Path, capsys) -> None:
    assert run(capsys, "check", "--ignore", "ET101", "app")[0] == 0
    assert run(capsys, "check", "--select", "ET9", "app")[0] == 0
    assert run(capsys, "check", "--exit-zero", "app")[0] == 0


def test_usage_and_config_errors_exit_two(project: Path, capsys) -> None:
    code, _, err = run(capsys, "check", "--select", "ET1234", "app")
    assert code == 2 and "not a rule code" in err
    code, _, err = run(capsys, "check", "missing-folder")
    assert code == 2 and "no such file" in err
    (project / ".executorch-lsp.toml").write_text("select = [\n")
    code, _, err = run(capsys, "check", "app")
    assert code == 2 and "invalid TOML" in err and ".executorch-lsp.toml" in err


def test_configuration_file_is_honoured(project: Path, capsys) -> None:
    (project / "pyproject.toml").write_text("[tool.executorch-lsp]\nexclude = ['app/main.cpp']\n")
    assert run(capsys, "check", ".")[0] == 0
    assert run(capsys, "check", "app/main.cpp")[0] == 1  # explicit files are always checked


def test_bad_files_are_reported_not_fatal(project: Path, capsys) -> None:
    (project / "app" / "blob.h").write_bytes(b"\x00\x01\x02\x03" * 100)
    (project / "app" / "latin1.cpp").write_bytes(BAD.encode().replace("é".encode(), b"\xe9"))
    code, out, _ = run(capsys, "check", "app")
    assert code == 1
    assert "app/blob.h: error: skipped: binary file" in out
    assert "app/latin1.cpp:4:" in out and "app/main.cpp:4:" in out


def test_gitignored_and_vendored_files_are_skipped(project: Path, capsys) -> None:
    for folder in ("third-party/lib", "cmake-out", "gen"):
        (project / folder).mkdir(parents=True)
        (project / folder / "x.cpp").write_text(BAD)
    (project / ".gitignore").write_text("gen/\n")
    code, out, _ = run(capsys, "check", "--format", "json", ".")
    assert code == 1
    assert [entry["filename"] for entry in json.loads(out)] == ["app/main.cpp"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ET101", "# ET101 threadpool-reset-after-load"),
        ("threadpool-reset-after-load", "## Use instead"),
        ("0x20", "Error::NotFound (0x20 = 32)"),
        ("NotFound", "Error::NotFound"),
        ("Error::OperatorMissing", "et_operator_library"),
        ("error 20", "Error::OperatorMissing"),
        ("32", "Error::DelegateInvalidHandle"),
    ],
)
def test_explain(capsys, query: str, expected: str) -> None:
    code, out, _ = run(capsys, "explain", *query.split())
    assert code == 0 and expected in out


def test_explain_reserved_code(capsys, reserved_code: str) -> None:
    code, out, _ = run(capsys, "explain", reserved_code)
    assert code == 0 and "reserved" in out


def test_explain_bare_number_gives_both_readings(capsys) -> None:
    _, out, _ = run(capsys, "explain", "20")
    assert "Error::OperatorMissing" in out and "Error::NotFound" in out


def test_explain_unknown(capsys) -> None:
    code, _, err = run(capsys, "explain", "banana")
    assert code == 2 and "neither a rule code" in err


def test_rules_table_and_json(capsys) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0 and re.search(
        r"ET101\s+threadpool-reset-after-load\s+error\s+yes\s+C\+\+", out
    )
    code, out, _ = run(capsys, "rules", "--format", "json")
    by_code = {entry["code"]: entry for entry in json.loads(out)}
    assert by_code["ET900"]["fixable"] is True and by_code["ET201"]["languages"] == ["cmake"]


def test_console_script_and_module_entry_points(project: Path) -> None:
    script = Path(sys.executable).parent / "executorch-lsp"
    env = {**os.environ, "NO_COLOR": "1"}
    for command in ([str(script)], [sys.executable, "-m", "executorch_lsp"]):
        done = subprocess.run([*command, "check", "app"], capture_output=True, text=True, env=env)
        assert done.returncode == 1 and "ET101" in done.stdout


def test_force_exclude_applies_to_explicit_files(project: Path, capsys) -> None:
    (project / "pyproject.toml").write_text("[tool.executorch-lsp]\nexclude = ['app/main.cpp']\n")
    assert run(capsys, "check", "--force-exclude", "app/main.cpp")[0] == 0


def test_many_files_are_checked_in_worker_processes(project: Path, capsys) -> None:
    for index in range(80):
        (project / "app" / f"unit_{index}.cpp").write_text(BAD if index % 20 == 0 else "int x;\n")
    code, out, _ = run(capsys, "check", "-j", "2", "--format", "json", "app")
    assert code == 1
    names = sorted(entry["filename"] for entry in json.loads(out))
    assert names == sorted(
        ["app/main.cpp", *(f"app/unit_{index}.cpp" for index in range(0, 80, 20))]
    )


PAL = "E 00:00:00.366934 executorch:method.cpp:88] "
RUNTIME_LOG = (
    "I 00:00:00.000100 executorch:executor_runner.cpp:120] Model file model.pte is loaded.\n"
    f"{PAL}Backend XnnpackBackend is not registered.\n"
    "unrelated: processed 20 files, exit code 1\n"
    f"{PAL}Backend XnnpackBackend is not registered.\n"
    "RuntimeError: Failed to load method forward, error: 0x:20\n"
)


def test_explain_log_groups_repeated_lines(tmp_path: Path, capsys) -> None:
    log = tmp_path / "run.log"
    log.write_text(RUNTIME_LOG)
    code, out, err = run(capsys, "explain-log", str(log))
    assert code == 1 and err == ""
    assert out.count("[backend-not-registered] Backend XnnpackBackend is not registered") == 1
    assert "  lines 2, 4\n" in out
    assert "xnnpack_backend" in out and "[error-code] Error::NotFound (0x20 = 32)" in out
    assert out.startswith(f"{log}: 2 ExecuTorch problems")


def test_explain_log_reads_stdin(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import io

    stdin = io.TextIOWrapper(io.BytesIO(b"Failed to load method: error 20\n"))
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, _ = run(capsys, "explain-log", "-")
    assert code == 1
    assert out.startswith("<stdin>: 1 ExecuTorch problem\n")
    assert "error 20: Error::OperatorMissing (0x14) if decimal" in out
    assert "Error::NotFound (0x20) if hex" in out


def test_explain_log_without_problems_exits_zero(tmp_path: Path, capsys) -> None:
    log = tmp_path / "build.log"
    log.write_text("Build finished: exit code 1\nRead 0x20 bytes\n")
    code, out, _ = run(capsys, "explain-log", str(log))
    assert code == 0 and "no ExecuTorch runtime problems recognised (2 lines)" in out


def test_explain_log_usage_errors(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "explain-log", str(tmp_path / "missing.log"))
    assert code == 2 and "no such file" in err
    binary = tmp_path / "model.pte"
    binary.write_bytes(b"\x00\x01ET12\x00" * 100)
    code, out, err = run(capsys, "explain-log", str(binary))
    assert code == 2 and out == "" and "looks like a binary file" in err


def test_explain_log_decodes_invalid_utf8_and_utf16(tmp_path: Path, capsys) -> None:
    latin = tmp_path / "latin.log"
    latin.write_bytes(b"caf\xe9\n" + f"{PAL}Backend VulkanBackend is not registered.\n".encode())
    code, out, err = run(capsys, "explain-log", str(latin))
    assert code == 1 and "VulkanBackend" in out and "not valid UTF-8" in err
    utf16 = tmp_path / "powershell.log"
    utf16.write_bytes(RUNTIME_LOG.encode("utf-16"))
    code, out, _ = run(capsys, "explain-log", str(utf16))
    assert code == 1 and "  lines 2, 4\n" in out


def test_explain_log_as_a_process_reads_piped_stdin() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "executorch_lsp", "explain-log"],
        input=RUNTIME_LOG,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "server")},
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "[backend-not-registered]" in done.stdout


@pytest.mark.parametrize("where", ["", "a", "a/b", "a/b/c", "x", ".."])
def test_paths_are_shown_relative_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    from executorch_lsp.cli import _display_paths

    root = tmp_path / "root"
    files = [root / "top.cpp", root / "a" / "one.cpp", root / "a" / "b" / "c" / "two.cpp"]
    files += [root / "x" / "three.cpp", root / "a" / "b" / "four.cpp"]
    for file in files:
        file.parent.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir((root / where).resolve())
    shown = _display_paths([str(file) for file in files])
    assert shown == {str(f): os.path.relpath(f).replace(os.sep, "/") for f in files}

"""ET101 across files: loads and resets in functions of other files of the workspace."""

from __future__ import annotations

from pathlib import Path

from cross_file_project import ENGINE_CPP, ENGINE_H, MAIN_CPP, RESET, THREADS_CPP
from executorch_lsp.engine.analysis import analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.interrupts import GaveWay, GiveWay, giving_way
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.engine.workspace import Workspace
from executorch_lsp.rules.cpp.call_graph import CallGraph, fingerprint


def write(root: Path, files: dict[str, str]) -> Workspace:
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return Workspace(roots=[root])


def check(workspace: Workspace, root: Path, name: str):
    path = str((root / name).resolve())
    data = workspace.read(path)
    document = Document(path, LanguageId.CPP, data)
    return [
        f for f in analyze(document, Config(), workspace=workspace).findings if f.code == "ET101"
    ]


def project(tmp_path: Path, **overrides: str) -> Workspace:
    files = {
        "engine.h": ENGINE_H,
        "engine.cpp": ENGINE_CPP,
        "threads.cpp": THREADS_CPP,
        "main.cpp": MAIN_CPP,
    }
    files.update(overrides)
    return write(tmp_path, files)


def test_load_in_one_file_and_reset_in_another(tmp_path: Path) -> None:
    workspace = project(tmp_path)
    (finding,) = check(workspace, tmp_path, "main.cpp")
    assert "set_threads()" in finding.message and "Engine::init()" in finding.message
    remote = {(Path(r.path).name, r.message.split(" (")[0]) for r in finding.related if r.path}
    assert remote == {
        ("engine.cpp", "model loaded here"),
        ("threads.cpp", "thread pool reset here"),
    }
    engine = (tmp_path / "engine.cpp").read_text()
    (load,) = [r for r in finding.related if r.path and r.path.endswith("engine.cpp")]
    assert engine.encode()[load.span.start : load.span.end].startswith(b"module_->load_method")


def test_without_a_workspace_the_file_alone_has_no_finding(tmp_path: Path) -> None:
    document = Document("main.cpp", LanguageId.CPP, MAIN_CPP.encode())
    assert [f for f in analyze(document, Config()).findings if f.code == "ET101"] == []


def test_reset_before_the_load_is_fine(tmp_path: Path) -> None:
    main = MAIN_CPP.replace(
        '  engine.init("model.pte");\n  set_threads(4);\n',
        '  set_threads(4);\n  engine.init("model.pte");\n',
    )
    workspace = project(tmp_path, **{"main.cpp": main})
    assert check(workspace, tmp_path, "main.cpp") == []


def test_guarded_wrapper_refuses_to_reset_after_a_load(tmp_path: Path) -> None:
    guarded = f"""bool g_model_loaded = false;
void set_threads(int n) {{
  if (g_model_loaded) {{
    return;
  }}
  {RESET}
}}
"""
    workspace = project(tmp_path, **{"threads.cpp": guarded})
    assert check(workspace, tmp_path, "main.cpp") == []


def test_lambda_or_thread_body_is_not_before_anything(tmp_path: Path) -> None:
    main = MAIN_CPP.replace(
        '  engine.init("model.pte");\n',
        '  std::thread worker([&] { engine.init("model.pte"); });\n',
    )
    workspace = project(tmp_path, **{"main.cpp": main})
    assert check(workspace, tmp_path, "main.cpp") == []


def test_two_definitions_of_a_name_are_not_guessed_between(tmp_path: Path) -> None:
    other = ENGINE_CPP.replace("(void)module_->load_method", "// no load here\n  (void)0; //")
    workspace = project(
        tmp_path,
        **{
            "engine.cpp": ENGINE_CPP.replace("Engine::init", "init_model").replace(
                "module_ =", "auto module_ ="
            ),
            "engine2.cpp": other.replace("Engine::init", "init_model"),
            "main.cpp": MAIN_CPP.replace('engine.init("model.pte")', 'init_model("model.pte")'),
        },
    )
    assert check(workspace, tmp_path, "main.cpp") == []


def test_chain_through_three_files(tmp_path: Path) -> None:
    app = """#include "engine.h"
void start_app(Engine& engine) {
  engine.init("model.pte");
}
"""
    main = """void start_app(Engine& engine);
void set_threads(int n);
int main() {
  Engine engine;
  start_app(engine);
  set_threads(2);
}
"""
    workspace = project(tmp_path, **{"app.cpp": app, "main.cpp": main})
    (finding,) = check(workspace, tmp_path, "main.cpp")
    messages = [r.message for r in finding.related if r.path]
    assert any("start_app() → Engine::init()" in message for message in messages)


def test_resetter_names_and_their_callers_are_indexed(tmp_path: Path) -> None:
    wrapper = """void configure(int n) { set_threads(n); }\n"""
    workspace = project(tmp_path, **{"config.cpp": wrapper})
    assert {"set_threads", "configure"} <= CallGraph(workspace).resetters()


def test_an_open_buffer_replaces_the_file_on_disk(tmp_path: Path) -> None:
    workspace = project(tmp_path)
    assert len(check(workspace, tmp_path, "main.cpp")) == 1
    threads = str((tmp_path / "threads.cpp").resolve())
    workspace.set_buffer(threads, b"void set_threads(int n) { log(n); }\n")
    assert check(workspace, tmp_path, "main.cpp") == []
    workspace.drop_buffer(threads)
    assert len(check(workspace, tmp_path, "main.cpp")) == 1


def test_member_declared_only_in_the_header_is_an_executorch_module(tmp_path: Path) -> None:
    engine = """#include "engine.h"
void Engine::init(const char* path) {
  (void)module_->load_method("forward");
  set_threads(4);
}
"""
    workspace = project(tmp_path, **{"engine.cpp": engine, "main.cpp": "int main() {}\n"})
    (finding,) = check(workspace, tmp_path, "engine.cpp")
    assert "module_->load_method" in finding.message


def test_header_members_make_other_rules_see_executorch_calls(tmp_path: Path) -> None:
    engine = """#include "engine.h"
using executorch::extension::Module;
void Engine::init(const char* path) {
  module_->load_method("forward");
}
"""
    workspace = project(tmp_path, **{"engine.cpp": engine})
    path = str((tmp_path / "engine.cpp").resolve())
    document = Document(path, LanguageId.CPP, workspace.read(path))
    codes = [f.code for f in analyze(document, Config(), workspace=workspace).findings]
    assert codes == ["ET103"]
    alone = Document(path, LanguageId.CPP, workspace.read(path))
    assert [f.code for f in analyze(alone, Config()).findings] == []


class AskedAfter(GiveWay):
    """A request that is asked once ``checks`` checkpoints have passed."""

    __slots__ = ("left",)

    def __init__(self, checks: int) -> None:
        self.left = checks

    @property
    def asked(self) -> bool:
        self.left -= 1
        return self.left < 0


def test_a_summary_that_gave_way_half_way_is_completed_unchanged(tmp_path: Path) -> None:
    """The walk behind a file's summary for other files stops for a keystroke and is
    resumed later; what it stopped in the middle of leaves no mark."""
    chain = "".join(f"void step{i}(int n) {{ step{i + 1}(n); log(n); }}\n" for i in range(30))
    text = chain + f"void step30(int n) {{ {RESET} }}\nvoid load(Module& m) {{ m.load(); }}\n"
    workspace = write(tmp_path, {"chain.cpp": text})
    path = str((tmp_path / "chain.cpp").resolve())
    expected = fingerprint(Workspace(roots=[tmp_path]), path)  # never stopped
    stops, found = 0, None
    while found is None and stops < 100:
        try:
            with giving_way(AskedAfter(7 * (stops + 1))):  # stopped at ever later points
                found = fingerprint(workspace, path)
        except GaveWay:
            stops += 1
    assert stops > 5
    assert found == expected
    assert any(step[0] == "reset" for _, _, steps in expected for step in steps)

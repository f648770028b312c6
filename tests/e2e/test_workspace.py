"""End-to-end: findings that need other files of the workspace (ET101 across files)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import diagnostics_for, diagnostics_once, edit_document, open_document, start

ENGINE_CPP = """#include <executorch/extension/module/module.h>
class Engine { public: void init(); std::unique_ptr<executorch::extension::Module> module_; };
void Engine::init() {
  module_ = std::make_unique<executorch::extension::Module>("model.pte");
  (void)module_->load_method("forward");
}
"""
THREADS_CPP = """// Größe des Thread-Pools
void set_threads(int n) {
  ::executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(n);
}
"""
MAIN_CPP = """void set_threads(int n);
int main() {
  Engine engine;
  engine.init();
  set_threads(4);
}
"""


async def open_main(
    client: LanguageClient, root: Path, threads: str = THREADS_CPP
) -> tuple[str, list[types.Diagnostic]]:
    """Write the project, start the server on it and open main.cpp: its uri and its
    first diagnostics that hold a finding (once the index is built)."""
    (root / "engine.cpp").write_text(ENGINE_CPP, encoding="utf-8")
    (root / "threads.cpp").write_text(threads, encoding="utf-8")
    (root / "main.cpp").write_text(MAIN_CPP, encoding="utf-8")
    await start(client, root.as_uri())
    main_uri = (root / "main.cpp").as_uri()
    open_document(client, main_uri, MAIN_CPP)
    return main_uri, await diagnostics_once(client, main_uri, bool, version=1)


async def test_finding_points_into_the_files_that_load_and_reset(
    client: LanguageClient, tmp_path: Path
):
    main_uri, (diagnostic,) = await open_main(client, tmp_path)
    assert diagnostic.code == "ET101"
    assert diagnostic.range.start == types.Position(4, 2)
    remote = {
        Path(item.location.uri).name: item.location.range.start
        for item in diagnostic.related_information
        if item.location.uri != main_uri
    }
    assert remote == {
        "engine.cpp": types.Position(4, 8),
        "threads.cpp": types.Position(2, 2),
    }

    # Edit and save the reset away in threads.cpp: main.cpp is analysed again.
    threads_uri = (tmp_path / "threads.cpp").as_uri()
    open_document(client, threads_uri, THREADS_CPP)
    await diagnostics_for(client, threads_uri, version=1)
    edit_document(client, threads_uri, 2, (2, 2), (2, 2), "// ")
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(threads_uri))
    )
    refreshed = await asyncio.wait_for(diagnostics_for(client, main_uri, version=1), 20)
    assert list(refreshed) == []

    # Typing the reset back in (unsaved) brings the finding back in main.cpp.
    edit_document(client, threads_uri, 3, (2, 2), (2, 5), "")
    (again,) = await asyncio.wait_for(diagnostics_for(client, main_uri, version=1), 20)
    assert again.code == "ET101"


# Enough functions that working out threads.cpp's summary for other files takes a while:
# keystrokes land while it runs.
HELPERS = "".join(f"int helper{i}(int n) {{ return log(n) + other(n); }}\n" for i in range(1500))


async def test_a_summary_stopped_by_keystrokes_is_worked_out_at_the_last_pause(
    client: LanguageClient, tmp_path: Path
):
    threads = THREADS_CPP + HELPERS
    main_uri, (diagnostic,) = await open_main(client, tmp_path, threads)
    assert diagnostic.code == "ET101"
    threads_uri = (tmp_path / "threads.cpp").as_uri()
    open_document(client, threads_uri, threads)
    await diagnostics_for(client, threads_uri, version=1)

    # Keystrokes just past each pause: every summary walk they meet gives way. The last
    # one comments the reset out, and nothing is saved.
    for version in range(2, 8):
        edit_document(client, threads_uri, version, (5, 0), (5, 0), "x")
        await asyncio.sleep(0.35)
    edit_document(client, threads_uri, 8, (2, 2), (2, 2), "// ")
    refreshed = await asyncio.wait_for(diagnostics_once(client, main_uri, _empty, version=1), 30)
    assert list(refreshed) == []


def _empty(diagnostics: list[types.Diagnostic]) -> bool:
    return not diagnostics


LOAD = (
    'load("@fbsource//xplat/executorch/codegen:codegen.bzl", '
    '"et_operator_library", "executorch_generated_lib")\n'
)
MODELS_BZL = (
    LOAD
    + "def define_models():\n"
    + '    et_operator_library(name = "ops", include_all_operators = True)\n'
    + '    executorch_generated_lib(name = "lib", deps = [":ops"],\n'
    + '        functions_yaml_target = "//executorch/kernels/portable:functions.yaml")\n'
)
APP_BUCK = (
    'runtime.cxx_binary(name = "app", deps = ["//models:lib",\n'
    '    "//executorch/kernels/portable:generated_lib"])\n'
)


async def test_buck_labels_are_followed_into_other_packages(client: LanguageClient, tmp_path: Path):
    (tmp_path / ".buckconfig").write_text("", encoding="utf-8")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "BUCK").write_text(
        'load(":defs.bzl", "define_models")\ndefine_models()\n', encoding="utf-8"
    )
    (tmp_path / "models" / "defs.bzl").write_text(MODELS_BZL, encoding="utf-8")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "BUCK").write_text(APP_BUCK, encoding="utf-8")
    await start(client, tmp_path.as_uri())
    app_uri = (tmp_path / "app" / "BUCK").as_uri()
    open_document(client, app_uri, APP_BUCK, language_id="bzl")
    (diagnostic,) = await diagnostics_for(client, app_uri, version=1)
    assert diagnostic.code == "ET301"
    assert diagnostic.range.start == types.Position(0, 26)

    # Select fewer operators in the other package and save: the binary is clean again.
    defs_uri = (tmp_path / "models" / "defs.bzl").as_uri()
    open_document(client, defs_uri, MODELS_BZL, language_id="bzl")
    await diagnostics_for(client, defs_uri, version=1)
    line = MODELS_BZL.splitlines().index(
        '    et_operator_library(name = "ops", include_all_operators = True)'
    )
    start_column = MODELS_BZL.splitlines()[line].index("include_all_operators = True")
    end_column = start_column + len("include_all_operators = True")
    edit_document(client, defs_uri, 2, (line, start_column), (line, end_column), 'model = ":model"')
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(defs_uri))
    )
    refreshed = await asyncio.wait_for(diagnostics_for(client, app_uri, version=1), 20)
    assert list(refreshed) == []


WRAPPERS_BZL = (
    LOAD
    + "def app_binary(name, deps = []):\n"
    + "    runtime.cxx_binary(name = name,\n"
    + '        deps = deps + ["//executorch/kernels/portable:generated_lib"])\n'
)
WRAPPED_APP_BUCK = (
    'load("//tools:defs.bzl", "app_binary")\napp_binary(name = "app", deps = ["//models:lib"])\n'
)


async def test_buck_wrappers_loaded_from_a_bzl_follow_its_edits(
    client: LanguageClient, tmp_path: Path
):
    (tmp_path / ".buckconfig").write_text("", encoding="utf-8")
    for folder, name, text in (
        ("models", "BUCK", 'load(":defs.bzl", "define_models")\ndefine_models()\n'),
        ("models", "defs.bzl", MODELS_BZL),
        ("tools", "defs.bzl", WRAPPERS_BZL),
        ("app", "BUCK", WRAPPED_APP_BUCK),
    ):
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / name).write_text(text, encoding="utf-8")
    await start(client, tmp_path.as_uri())
    app_uri = (tmp_path / "app" / "BUCK").as_uri()
    open_document(client, app_uri, WRAPPED_APP_BUCK, language_id="bzl")
    (diagnostic,) = await diagnostics_for(client, app_uri, version=1)
    assert diagnostic.code == "ET301"
    assert diagnostic.range.start == types.Position(1, 18)

    # The wrapper stops adding the portable library (unsaved): the binary is clean again.
    defs_uri = (tmp_path / "tools" / "defs.bzl").as_uri()
    open_document(client, defs_uri, WRAPPERS_BZL, language_id="bzl")
    await diagnostics_for(client, defs_uri, version=1)
    line = WRAPPERS_BZL.splitlines().index(
        '        deps = deps + ["//executorch/kernels/portable:generated_lib"])'
    )
    end_column = len(WRAPPERS_BZL.splitlines()[line]) - 1
    edit_document(client, defs_uri, 2, (line, len("        deps = deps")), (line, end_column), "")
    refreshed = await asyncio.wait_for(diagnostics_for(client, app_uri, version=1), 20)
    assert list(refreshed) == []

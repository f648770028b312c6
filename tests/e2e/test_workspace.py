"""End-to-end: findings that need other files of the workspace (ET101 across files)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import diagnostics_for, open_document, start

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


async def test_finding_points_into_the_files_that_load_and_reset(
    client: LanguageClient, tmp_path: Path
):
    (tmp_path / "engine.cpp").write_text(ENGINE_CPP, encoding="utf-8")
    (tmp_path / "threads.cpp").write_text(THREADS_CPP, encoding="utf-8")
    (tmp_path / "main.cpp").write_text(MAIN_CPP, encoding="utf-8")
    await start(client, tmp_path.as_uri())
    main_uri = (tmp_path / "main.cpp").as_uri()
    open_document(client, main_uri, MAIN_CPP)
    (diagnostic,) = await diagnostics_for(client, main_uri, version=1)
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
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=threads_uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(2, 2), types.Position(2, 2)), text="// "
                )
            ],
        )
    )
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(threads_uri))
    )
    refreshed = await asyncio.wait_for(diagnostics_for(client, main_uri, version=1), 20)
    assert list(refreshed) == []

    # Typing the reset back in (unsaved) brings the finding back in main.cpp.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=threads_uri, version=3),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(2, 2), types.Position(2, 5)), text=""
                )
            ],
        )
    )
    (again,) = await asyncio.wait_for(diagnostics_for(client, main_uri, version=1), 20)
    assert again.code == "ET101"

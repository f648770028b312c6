"""The server's document store without a client: waiting for the workspace index, and
recording what other files depend on in an open document."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from cross_file_project import ENGINE_CPP, ENGINE_H, MAIN_CPP, THREADS_CPP
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.engine.workspace import Workspace
from executorch_lsp.lsp import state
from executorch_lsp.lsp.state import ConfigStore, DocumentStore

NOT_RESETTING = "void set_threads(int n) { (void)n; }\n"


def store_for(root: Path) -> DocumentStore:
    for name, text in {
        "engine.h": ENGINE_H,
        "engine.cpp": ENGINE_CPP,
        "threads.cpp": THREADS_CPP,
        "main.cpp": MAIN_CPP,
    }.items():
        (root / name).write_text(text, encoding="utf-8")
    store = DocumentStore(ConfigStore())
    store.workspace = Workspace(roots=[root])
    store.workspace.files(LanguageId.CPP)
    return store


def open_threads(store: DocumentStore, root: Path) -> tuple[str, str]:
    path = str((root / "threads.cpp").resolve())
    uri = Path(path).as_uri()
    store.open(uri, path, LanguageId.CPP, THREADS_CPP, 1)
    return uri, path


def stop_resetting(store: DocumentStore, uri: str) -> None:
    """Replace the thread-pool reset in the open threads.cpp (as a keystroke would)."""
    entry = store.get(uri)
    assert entry is not None
    entry.document.replace_all(NOT_RESETTING)
    entry.document.version = 2
    store.sync_buffer(uri)


def test_a_document_opened_while_indexing_is_recorded_once_the_index_is_built(tmp_path: Path):
    store = store_for(tmp_path)
    store.index_ready.clear()
    uri, path = open_threads(store, tmp_path)
    store.remember_facts(uri)  # while the index is built: later
    store.index_ready.set()
    store.remember_pending()
    stop_resetting(store, uri)
    # main.cpp's ET101 came through set_threads: it must be analysed again.
    assert store.check_dependents(path)


def test_a_document_edited_before_it_was_recorded_refreshes_the_others(tmp_path: Path):
    """What other files saw of it is unknown (the text when opened, or an edit): the
    first check after the edit analyses them again instead of recording the edit."""
    store = store_for(tmp_path)
    store.index_ready.clear()
    uri, path = open_threads(store, tmp_path)
    store.remember_facts(uri)
    stop_resetting(store, uri)
    store.index_ready.set()
    assert store.remember_pending()
    assert store.check_dependents(path, give_way=True)
    assert not store.check_dependents(path, give_way=True)  # recorded now


def test_an_edit_that_keeps_the_facts_tells_no_other_file(tmp_path: Path):
    store = store_for(tmp_path)
    uri, path = open_threads(store, tmp_path)
    store.remember_facts(uri)
    entry = store.get(uri)
    assert entry is not None
    entry.document.replace_all("// a comment\n" + THREADS_CPP)
    store.sync_buffer(uri)
    assert not store.check_dependents(path, give_way=True)


def test_only_a_documents_first_analysis_waits_for_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(state, "INDEX_WAIT_SECONDS", 1.0)
    store = store_for(tmp_path)
    store.index_ready.clear()
    uri, _ = open_threads(store, tmp_path)
    started = time.monotonic()
    store.analysis_for(uri)
    first = time.monotonic() - started
    stop_resetting(store, uri)
    started = time.monotonic()
    store.analysis_for(uri)
    later = time.monotonic() - started
    assert first >= 1.0
    assert later < 0.5


def test_a_record_that_gave_way_to_a_keystroke_is_made_at_the_next_pause(tmp_path: Path):
    store = store_for(tmp_path)
    many = "".join(f"void helper{i}(int n) {{ set_threads(n); }}\n" for i in range(3000))
    uri, path = open_threads(store, tmp_path)
    entry = store.get(uri)
    assert entry is not None
    entry.document.replace_all(THREADS_CPP + many)
    store.sync_buffer(uri)
    results: list[bool] = []
    walk = threading.Thread(target=lambda: results.append(store.remember_facts(uri)))
    walk.start()
    while walk.is_alive() and store._giving_way is None:
        time.sleep(0.001)
    store.give_way()  # a keystroke arrives
    walk.join()
    assert results == [False]
    assert store.remember_pending()  # the pause
    stop_resetting(store, uri)
    assert store.check_dependents(path)

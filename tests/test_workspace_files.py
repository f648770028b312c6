"""The workspace's file list and what is derived from it: folders and file stems."""

from __future__ import annotations

from pathlib import Path

from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.engine.workspace import Workspace


def test_stems_and_folders_follow_the_file_list(tmp_path: Path):
    (tmp_path / "a").mkdir()
    engine = tmp_path / "a" / "engine.cpp"
    engine.write_text("int x;\n")
    workspace = Workspace(roots=[tmp_path])
    assert workspace.with_stem("engine", LanguageId.CPP) == [str(engine)]

    header = str(tmp_path / "a" / "engine.h")  # a new buffer, never saved
    workspace.set_buffer(header, b"#pragma once\n")
    assert set(workspace.with_stem("engine", LanguageId.CPP)) == {str(engine), header}
    assert set(workspace.neighbours(str(engine), LanguageId.CPP)) == {str(engine), header}

    workspace.set_buffer(header, b"#pragma once\nint y;\n")  # an edit: same list
    workspace.drop_buffer(header)
    assert workspace.with_stem("engine", LanguageId.CPP) == [str(engine)]

    engine.unlink()
    workspace.disk_changed(str(engine), exists=False)
    assert workspace.with_stem("engine", LanguageId.CPP) == []
    assert workspace.neighbours(str(engine), LanguageId.CPP) == []

    engine.write_text("int x;\n")
    workspace.disk_changed(str(engine), exists=True)
    assert workspace.with_stem("engine", LanguageId.CPP) == [str(engine)]


def test_an_edit_keeps_the_groupings(tmp_path: Path):
    (tmp_path / "engine.cpp").write_text("int x;\n")
    workspace = Workspace(roots=[tmp_path])
    stems = workspace.with_stem("engine", LanguageId.CPP)
    workspace.set_buffer(str(tmp_path / "engine.cpp"), b"int y;\n")
    assert workspace.with_stem("engine", LanguageId.CPP) is stems  # not grouped again

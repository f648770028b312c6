"""Language detection from file names (and the editor's language id as a fallback)."""

from __future__ import annotations

import pytest

from executorch_lsp.engine.languages import LanguageId, detect_language, detect_language_for_editor


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("runner/main.cpp", LanguageId.CPP),
        ("a.cc", LanguageId.CPP),
        ("a.cxx", LanguageId.CPP),
        ("a.c++", LanguageId.CPP),
        ("a.h", LanguageId.CPP),
        ("a.hh", LanguageId.CPP),
        ("a.hpp", LanguageId.CPP),
        ("a.hxx", LanguageId.CPP),
        ("ios/Bridge.mm", LanguageId.CPP),
        ("a.ipp", LanguageId.CPP),
        ("CMakeLists.txt", LanguageId.CMAKE),
        ("tools/cmake/Utils.cmake", LanguageId.CMAKE),
        ("BUCK", LanguageId.STARLARK),
        ("TARGETS", LanguageId.STARLARK),
        ("BUILD", LanguageId.STARLARK),
        ("BUILD.bazel", LanguageId.STARLARK),
        ("targets.bzl", LanguageId.STARLARK),
        ("query.bxl", LanguageId.STARLARK),
        ("export.py", LanguageId.PYTHON),
    ],
)
def test_known_files(path: str, language: LanguageId) -> None:
    assert detect_language(path) is language


@pytest.mark.parametrize(
    "path", ["README.md", "notes.txt", "Makefile", ".bzlrc", "a.c", "CMakeLists.txt.bak"]
)
def test_other_files_are_not_analysed(path: str) -> None:
    assert detect_language(path) is None


def test_editor_language_id_is_a_fallback() -> None:
    assert detect_language_for_editor("untitled:Untitled-1", "cpp") is LanguageId.CPP
    assert detect_language_for_editor("/x/BUCK", "plaintext") is LanguageId.STARLARK
    assert detect_language_for_editor("/x/notes", "markdown") is None

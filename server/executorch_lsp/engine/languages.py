"""Which of our languages a file is written in, from its name alone."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import PurePath


class LanguageId(str, Enum):
    CPP = "cpp"
    CMAKE = "cmake"
    STARLARK = "starlark"
    PYTHON = "python"


CPP_SUFFIXES = frozenset(
    {".cpp", ".cc", ".cxx", ".c++", ".h", ".hh", ".hpp", ".hxx", ".mm", ".ipp"}
)
STARLARK_NAMES = frozenset({"BUCK", "TARGETS", "BUILD", "BUILD.bazel"})
STARLARK_SUFFIXES = frozenset({".bzl", ".bxl"})

# Editor language ids that map onto ours (VS Code, Neovim filetypes).
EDITOR_LANGUAGE_IDS = {
    "cpp": LanguageId.CPP,
    "c": LanguageId.CPP,
    "objective-cpp": LanguageId.CPP,
    "objcpp": LanguageId.CPP,
    "cuda-cpp": LanguageId.CPP,
    "cmake": LanguageId.CMAKE,
    "starlark": LanguageId.STARLARK,
    "bzl": LanguageId.STARLARK,
    "bazel": LanguageId.STARLARK,
    "python": LanguageId.PYTHON,
}


def detect_language(path: str | PurePath) -> LanguageId | None:
    """The language of a path, or None for files we do not analyse (string ops: hot path)."""
    name = os.path.basename(path) if isinstance(path, str) else path.name
    if name == "CMakeLists.txt" or name.endswith(".cmake"):
        return LanguageId.CMAKE
    if name in STARLARK_NAMES:
        return LanguageId.STARLARK
    dot = name.rfind(".")
    if dot <= 0:
        return None
    suffix = name[dot:].lower()
    if suffix in STARLARK_SUFFIXES:
        return LanguageId.STARLARK
    if suffix in CPP_SUFFIXES:
        return LanguageId.CPP
    if suffix == ".py":
        return LanguageId.PYTHON
    return None


def detect_language_for_editor(path: str, editor_language_id: str | None) -> LanguageId | None:
    """File name first (it is exact for CMake and Buck files), then the editor's id."""
    language = detect_language(path)
    if language is None and editor_language_id:
        language = EDITOR_LANGUAGE_IDS.get(editor_language_id)
    return language

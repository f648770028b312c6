"""ET201 build-type-not-release."""

from __future__ import annotations

import pytest

from executorch_lsp.engine.languages import LanguageId
from harness import assert_marked, findings, fixed

CMAKE = LanguageId.CMAKE
FROM_SOURCE = (
    "add_subdirectory(${CMAKE_SOURCE_DIR}/third-party/executorch ${CMAKE_BINARY_DIR}/et)\n"
)

POSITIVE = {
    "unconditional": "project(app)\nset(CMAKE_BUILD_TYPE Debug)  # <- ET201\n" + FROM_SOURCE,
    "default_block": (
        "project(app)\nif(NOT CMAKE_BUILD_TYPE)\n"
        '  set(CMAKE_BUILD_TYPE Debug CACHE STRING "Build type" FORCE)  # <- ET201\n'
        "endif()\n" + FROM_SOURCE
    ),
    "empty_string_default": (
        'if("${CMAKE_BUILD_TYPE}" STREQUAL "")\n  set(CMAKE_BUILD_TYPE "Debug")  # <- ET201\n'
        "endif()\n" + FROM_SOURCE
    ),
    "fetch_content": (
        "include(FetchContent)\nSET(CMAKE_BUILD_TYPE debug)  # <- ET201\n"
        "FetchContent_Declare(executorch GIT_REPOSITORY https://example.com/executorch.git)\n"
        "FetchContent_MakeAvailable(executorch)\n"
    ),
    "external_project": (
        "include(ExternalProject)\nExternalProject_Add(executorch\n  SOURCE_DIR ${ET_DIR}\n"
        "  CMAKE_ARGS -DCMAKE_BUILD_TYPE=Debug  # <- ET201\n)\n"
    ),
}

NEGATIVE = {
    "installed_package": "set(CMAKE_BUILD_TYPE Debug)\nfind_package(executorch CONFIG REQUIRED)\n",
    "deliberate_condition": "if(APP_DEBUG)\n  set(CMAKE_BUILD_TYPE Debug)\nendif()\n" + FROM_SOURCE,
    "else_branch": (
        "if(NOT CMAKE_BUILD_TYPE)\n  set(CMAKE_BUILD_TYPE Release)\nelse()\n"
        "  set(CMAKE_BUILD_TYPE Debug)\nendif()\n" + FROM_SOURCE
    ),
    "release": "set(CMAKE_BUILD_TYPE Release)\n" + FROM_SOURCE,
    "rel_with_deb_info": "set(CMAKE_BUILD_TYPE RelWithDebInfo)\n" + FROM_SOURCE,
    "executorch_itself": (
        "project(executorch)\nif(NOT CMAKE_BUILD_TYPE)\n  set(CMAKE_BUILD_TYPE Debug)\nendif()\n"
        "add_subdirectory(extension/module)\n"
    ),
    "unrelated_subdirectory": "set(CMAKE_BUILD_TYPE Debug)\nadd_subdirectory(src)\n",
    "inside_function": "function(debug_build)\n  set(CMAKE_BUILD_TYPE Debug)\nendfunction()\n"
    + FROM_SOURCE,
    "comment_only": "# set(CMAKE_BUILD_TYPE Debug)\nset(CMAKE_BUILD_TYPE Release)\n" + FROM_SOURCE,
    "external_project_release": (
        "ExternalProject_Add(executorch CMAKE_ARGS -DCMAKE_BUILD_TYPE=Release)\n"
    ),
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_reports_debug_builds_of_executorch(name: str) -> None:
    assert_marked(POSITIVE[name], "ET201", CMAKE)


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_no_report(name: str) -> None:
    assert findings(NEGATIVE[name], "ET201", CMAKE) == []


def test_message_and_related_point_at_the_source_build() -> None:
    (finding,) = findings(POSITIVE["unconditional"], "ET201", CMAKE)
    assert "ExecuTorch is built from source (line 3)" in finding.message
    assert finding.related[0].message == "ExecuTorch is built from source here"


def test_fix_switches_to_release_but_is_not_applied_by_fix_all() -> None:
    result = fixed(POSITIVE["empty_string_default"], "ET201", CMAKE)
    assert 'set(CMAKE_BUILD_TYPE "Release")' in result
    assert findings(result, "ET201", CMAKE) == []
    (finding,) = findings(POSITIVE["empty_string_default"], "ET201", CMAKE)
    assert finding.fix.safe is False


def test_no_build_type_anywhere_is_reported_as_info() -> None:
    from executorch_lsp.engine.findings import Severity

    source = "project(app)\n" + FROM_SOURCE.rstrip("\n") + "  # <- ET201\n"
    assert_marked(source, "ET201", CMAKE)
    (finding,) = findings(source, "ET201", CMAKE)
    assert finding.severity is Severity.INFO and "defaults to Debug" in finding.message
    result = fixed(source, "ET201", CMAKE)
    assert "set(CMAKE_BUILD_TYPE Release CACHE" in result
    assert findings(result, "ET201", CMAKE) == []


def test_build_type_from_presets_or_another_file_of_the_project(tmp_path) -> None:
    from executorch_lsp.engine.analysis import analyze
    from executorch_lsp.engine.config import Config
    from executorch_lsp.engine.document import Document
    from executorch_lsp.engine.workspace import Workspace

    def codes(files: dict[str, str]) -> list[str]:
        for name, text in files.items():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(text)
        workspace = Workspace(roots=[tmp_path])
        path = str((tmp_path / "app" / "CMakeLists.txt").resolve())
        document = Document(path, CMAKE, workspace.read(path))
        return [f.code for f in analyze(document, Config(), workspace=workspace).findings]

    app = {"app/CMakeLists.txt": FROM_SOURCE}
    assert codes({"CMakeLists.txt": "project(top)\nadd_subdirectory(app)\n", **app}) == ["ET201"]
    release = "project(top)\nset(CMAKE_BUILD_TYPE release)\nadd_subdirectory(app)\n"
    assert codes({"CMakeLists.txt": release, **app}) == []
    presets = (
        '{"configurePresets": [{"name": "r", "cacheVariables": {"CMAKE_BUILD_TYPE": "Release"}}]}'
    )
    top = "project(top)\nadd_subdirectory(app)\n"
    assert codes({"CMakeLists.txt": top, "CMakePresets.json": presets, **app}) == []
    (tmp_path / "CMakePresets.json").unlink()
    script = "cmake -S . -B out -DCMAKE_BUILD_TYPE=Release\n"
    assert codes({"CMakeLists.txt": top, "scripts/build.sh": script, **app}) == []


@pytest.mark.parametrize(
    ("source", "applies"),
    [
        ("add_subdirectory(third-party/executorch)\n", True),
        ("add_subdirectory(${ET_DIR} ${CMAKE_BINARY_DIR}/et)\n", True),
        ('FetchContent_Declare(\n  executorch\n  GIT_REPOSITORY "..."\n)\n', True),
        ("set(CMAKE_BUILD_TYPE Debug)\nadd_subdirectory(src)\n# executorch below\n", False),
        ("ExternalProject_Add(gflags)\ninclude(executorch-config)\n", False),
    ],
)
def test_only_files_that_may_build_executorch_from_source_are_parsed(
    source: str, applies: bool
) -> None:
    from executorch_lsp.rules.cmake.et201_build_type_not_release import RULE

    assert RULE.applies_to(source.encode()) is applies

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
    "comment_only": "# set(CMAKE_BUILD_TYPE Debug)\n" + FROM_SOURCE,
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

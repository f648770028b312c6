"""ET203 duplicate-operator-library."""

from __future__ import annotations

from pathlib import Path

import pytest

from executorch_lsp.engine.analysis import analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.engine.workspace import Workspace
from harness import assert_marked, findings

CMAKE = LanguageId.CMAKE

POSITIVE = {
    "portable_and_optimized": """
find_package(executorch REQUIRED)
add_executable(app main.cpp)
target_link_libraries(app PRIVATE executorch portable_ops_lib)
target_link_libraries(app PRIVATE optimized_native_cpu_ops_lib)  # <- ET203
""",
    "executorch_libraries_and_optimized": """
find_package(executorch REQUIRED)
add_executable(app main.cpp)
target_link_libraries(app PRIVATE ${EXECUTORCH_LIBRARIES}
  optimized_native_cpu_ops_lib)  # <- ET203
""",
    "through_an_aggregate_target": """
add_subdirectory(third-party/executorch)
add_library(kernels INTERFACE)
target_link_libraries(kernels INTERFACE portable_ops_lib)
add_executable(app main.cpp)
target_link_libraries(app PRIVATE kernels optimized_ops_lib)  # <- ET203
""",
    "selective_build_next_to_the_full_library": """
add_subdirectory(third-party/executorch)
gen_operators_lib(LIB_NAME select_ops KERNEL_LIBS portable_kernels DEPS executorch_core)
add_executable(app main.cpp)
target_link_libraries(app PRIVATE select_ops)
target_link_libraries(app PRIVATE portable_ops_lib)  # <- ET203
""",
    "archives_chosen_by_independent_options": """
add_executable(app main.cpp)
if(APP_PORTABLE)
  target_link_libraries(app PRIVATE -Wl,--whole-archive /opt/libportable_ops_lib.a)
endif()
if(APP_OPTIMIZED)
  target_link_libraries(app PRIVATE
    -Wl,--whole-archive /opt/liboptimized_native_cpu_ops_lib.a)  # <- ET203
endif()
""",
    "same_branch_twice": """
add_executable(app main.cpp)
if(USE_OPT)
  target_link_libraries(app PRIVATE optimized_native_cpu_ops_lib)
  target_link_libraries(app PRIVATE portable_ops_lib)  # <- ET203
endif()
""",
}

NEGATIVE = {
    "disjoint_libraries": """
add_executable(app main.cpp)
target_link_libraries(app PRIVATE optimized_native_cpu_ops_lib quantized_ops_lib custom_ops)
""",
    "one_library_per_branch": """
add_executable(app main.cpp)
if(EXECUTORCH_BUILD_KERNELS_OPTIMIZED)
  target_link_libraries(app PRIVATE optimized_native_cpu_ops_lib)
else()
  target_link_libraries(app PRIVATE portable_ops_lib)
endif()
""",
    "one_library_per_branch_through_a_list": """
set(_libs executorch quantized_ops_lib)
if(EXECUTORCH_BUILD_KERNELS_OPTIMIZED)
  list(APPEND _libs optimized_native_cpu_ops_lib)
else()
  list(APPEND _libs portable_ops_lib)
endif()
add_executable(app main.cpp)
target_link_libraries(app PRIVATE ${_libs})
""",
    "kernel_implementations_are_not_registrations": """
add_executable(app main.cpp)
target_link_libraries(app PRIVATE optimized_native_cpu_ops_lib optimized_kernels portable_kernels)
""",
    "different_binaries": """
add_executable(app main.cpp)
target_link_libraries(app PRIVATE portable_ops_lib)
add_executable(app_fast main.cpp)
target_link_libraries(app_fast PRIVATE optimized_native_cpu_ops_lib)
""",
    "unknown_values": """
add_executable(app main.cpp)
target_link_libraries(app PRIVATE ${MY_KERNELS} optimized_native_cpu_ops_lib)
""",
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_reports_two_registrations(name: str) -> None:
    assert_marked(POSITIVE[name], "ET203", CMAKE)


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_stays_quiet(name: str) -> None:
    assert findings(NEGATIVE[name], "ET203", CMAKE) == []


def test_message_and_related_site() -> None:
    source = POSITIVE["portable_and_optimized"]
    (finding,) = findings(source, "ET203", CMAKE)
    assert "error 22" in finding.message and "`app`" in finding.message
    (related,) = finding.related
    assert source.encode()[related.span.start : related.span.end] == b"portable_ops_lib"
    (libraries,) = findings(POSITIVE["executorch_libraries_and_optimized"], "ET203", CMAKE)
    assert "${EXECUTORCH_LIBRARIES}" in libraries.message


def test_libraries_linked_in_another_directory(tmp_path: Path) -> None:
    (tmp_path / "CMakeLists.txt").write_text(
        "project(app)\nadd_library(kernels INTERFACE)\n"
        "target_link_libraries(kernels INTERFACE portable_ops_lib)\nadd_subdirectory(app)\n"
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "CMakeLists.txt").write_text(
        "add_executable(app main.cpp)\n"
        "target_link_libraries(app PRIVATE kernels optimized_native_cpu_ops_lib)\n"
    )
    workspace = Workspace(roots=[tmp_path])
    path = str((tmp_path / "app" / "CMakeLists.txt").resolve())
    document = Document(path, CMAKE, workspace.read(path))
    (finding,) = [
        f for f in analyze(document, Config(), workspace=workspace).findings if f.code == "ET203"
    ]
    linked, reaches = finding.related
    assert linked.path == str((tmp_path / "CMakeLists.txt").resolve())
    assert "is linked here" in linked.message and reaches.path is None


def test_archives_in_a_path_of_unknown_folder_and_link_options() -> None:
    source = """
function(force_link target)
  foreach(lib ${ARGN})
    target_link_options(${target} PRIVATE "SHELL:LINKER:-force_load,${lib}")
  endforeach()
endfunction()
add_executable(app main.cpp)
force_link(app ${FETCHED_DIR}/libportable_ops_lib.a)
force_link(app ${FETCHED_DIR}/liboptimized_native_cpu_ops_lib.a)  # <- ET203
"""
    assert_marked(source, "ET203", CMAKE)

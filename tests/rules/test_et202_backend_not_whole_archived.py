"""ET202 backend-not-whole-archived."""

from __future__ import annotations

from pathlib import Path

import pytest

from executorch_lsp.engine.analysis import analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.engine.workspace import Workspace
from harness import assert_marked, findings, fixed

CMAKE = LanguageId.CMAKE

POSITIVE = {
    "archive_path": """
add_executable(app main.cpp)
target_link_libraries(app PRIVATE
  ${ET_DIR}/lib/libexecutorch_core.a
  /opt/et/lib/libxnnpack_backend.a  # <- ET202
)
""",
    "l_flag_and_find_library": """
find_library(COREML_DELEGATE coremldelegate PATHS /opt/et/lib)
add_executable(app main.cpp)
target_link_libraries(app -lportable_ops_lib)  # <- ET202
target_link_libraries(app ${COREML_DELEGATE})  # <- ET202
""",
    "hand_made_imported_target": """
add_library(et_xnnpack STATIC IMPORTED)
set_target_properties(et_xnnpack PROPERTIES IMPORTED_LOCATION /opt/et/lib/libxnnpack_backend.a)
add_executable(app main.cpp)
target_link_libraries(app PRIVATE et_xnnpack)  # <- ET202
""",
    "runtime_library_registers_prim_ops": """
add_executable(app main.cpp)
target_link_libraries(app PRIVATE /opt/et/lib/libexecutorch.a)  # <- ET202
""",
    "only_one_branch_whole_archives": """
add_executable(app main.cpp)
if(APPLE)
  target_link_libraries(app PRIVATE "-Wl,-force_load" /opt/et/libxnnpack_backend.a)
else()
  target_link_libraries(app PRIVATE /opt/et/libxnnpack_backend.a)  # <- ET202
endif()
""",
    "empty_whole_archive_pair": """
add_executable(app main.cpp)
target_link_libraries(app PRIVATE
  -Wl,--whole-archive
  -Wl,--no-whole-archive  # <- ET202
  /opt/et/lib/libxnnpack_backend.a  # <- ET202
)
""",
    "helper_without_whole_archive": """
function(link_backend target lib)
  target_link_libraries(${target} PRIVATE ${lib})
endfunction()
add_executable(app main.cpp)
link_backend(app /opt/et/lib/libvulkan_backend.a)  # <- ET202
""",
}

NEGATIVE = {
    "executorch_targets_from_find_package": """
find_package(executorch CONFIG REQUIRED)
add_executable(app main.cpp)
target_link_libraries(app PRIVATE executorch xnnpack_backend optimized_native_cpu_ops_lib)
""",
    "executorch_targets_from_the_source_tree": """
add_subdirectory(third-party/executorch)
add_executable(app main.cpp)
target_link_libraries(app PRIVATE executorch extension_module_static xnnpack_backend)
""",
    "genex_whole_archive": """
add_executable(app main.cpp)
target_link_libraries(app PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,/opt/et/libxnnpack_backend.a>")
""",
    "raw_whole_archive_region": """
add_executable(app main.cpp)
target_link_libraries(app PRIVATE
  -Wl,--whole-archive /opt/et/libexecutorch_delegate_ethos_u.a -Wl,--no-whole-archive
  "-Wl,-force_load" /opt/et/libcoremldelegate.a
  "LINKER:--push-state,--whole-archive,/opt/et/libcustom_ops.a,--pop-state"
)
""",
    "project_whole_archive_helper": """
function(link_whole target)
  target_link_libraries(${target} PRIVATE -Wl,--whole-archive ${ARGN} -Wl,--no-whole-archive)
endfunction()
add_executable(app main.cpp)
link_whole(app /opt/et/lib/libxnnpack_backend.a /opt/et/lib/libportable_ops_lib.a)
""",
    "aggregate_interface_target": """
add_library(et_backends INTERFACE)
target_link_libraries(et_backends INTERFACE
  "-Wl,--whole-archive" /opt/et/libxnnpack_backend.a "-Wl,--no-whole-archive")
add_executable(app main.cpp)
target_link_libraries(app PRIVATE et_backends)
""",
    "imported_target_given_interface_options": """
add_library(et_xnnpack STATIC IMPORTED)
set_target_properties(et_xnnpack PROPERTIES IMPORTED_LOCATION /opt/et/libxnnpack_backend.a)
target_link_options(et_xnnpack INTERFACE "LINKER:--whole-archive" /opt/et/libxnnpack_backend.a)
add_executable(app main.cpp)
target_link_libraries(app PRIVATE et_xnnpack)
""",
    "shared_libraries_keep_constructors": """
add_executable(app main.cpp)
target_link_libraries(app PRIVATE /opt/et/lib/libxnnpack_backend.so)
""",
    "unknown_values_are_not_guessed": """
add_executable(app main.cpp)
target_link_libraries(app PRIVATE ${EXECUTORCH_BACKEND_LIBS} $ENV{ET_LIBS})
""",
    "libraries_that_register_nothing": """
add_executable(app main.cpp)
target_link_libraries(app PRIVATE /opt/et/libexecutorch_core.a /opt/et/libextension_module.a)
""",
    "ordinary_libraries": """
find_library(LOG_LIB log)
add_executable(app main.cpp)
target_link_libraries(app PRIVATE ${LOG_LIB} -lm /usr/lib/libz.a)
""",
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_reports_dropped_registrations(name: str) -> None:
    assert_marked(POSITIVE[name], "ET202", CMAKE)


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_stays_quiet(name: str) -> None:
    assert findings(NEGATIVE[name], "ET202", CMAKE) == []


def test_message_names_the_error_seen_at_load() -> None:
    (finding,) = findings(POSITIVE["runtime_library_registers_prim_ops"], "ET202", CMAKE)
    assert "executorch_prim::" in finding.message and "0x14" in finding.message
    source = POSITIVE["archive_path"]
    (backend,) = findings(source, "ET202", CMAKE)
    assert "0x20" in backend.message and "XnnpackBackend" in backend.message


def test_fix_wraps_the_file_in_link_library() -> None:
    source = "add_executable(app main.cpp)\ntarget_link_libraries(app /opt/libxnnpack_backend.a)\n"
    assert fixed(source, "ET202", CMAKE) == source.replace(
        "/opt/libxnnpack_backend.a", '"$<LINK_LIBRARY:WHOLE_ARCHIVE,/opt/libxnnpack_backend.a>"'
    )
    assert findings(fixed(source, "ET202", CMAKE), "ET202", CMAKE) == []


def test_variables_and_helpers_of_the_parent_directory_are_known(tmp_path: Path) -> None:
    (tmp_path / "CMakeLists.txt").write_text(
        "project(app)\n"
        "set(ET_LIB /opt/et/lib)\n"
        "function(link_whole target lib)\n"
        "  target_link_libraries(${target} PRIVATE -Wl,--whole-archive ${lib}"
        " -Wl,--no-whole-archive)\n"
        "endfunction()\n"
        "add_subdirectory(app)\n"
    )
    (tmp_path / "app").mkdir()
    app = (
        "add_executable(app main.cpp)\n"
        "link_whole(app ${ET_LIB}/libxnnpack_backend.a)\n"
        "target_link_libraries(app ${ET_LIB}/libvulkan_backend.a)\n"
    )
    (tmp_path / "app" / "CMakeLists.txt").write_text(app)
    workspace = Workspace(roots=[tmp_path])
    path = str((tmp_path / "app" / "CMakeLists.txt").resolve())
    document = Document(path, CMAKE, workspace.read(path))
    found = [f for f in analyze(document, Config(), workspace=workspace).findings]
    assert [(f.code, app.encode()[f.span.start : f.span.end]) for f in found] == [
        ("ET202", b"${ET_LIB}/libvulkan_backend.a")
    ]


def test_a_file_that_only_calls_a_helper_of_its_parent(tmp_path: Path) -> None:
    (tmp_path / "CMakeLists.txt").write_text(
        "project(app)\n"
        "function(use_backend target lib)\n"
        "  target_link_libraries(${target} PRIVATE ${lib})\n"
        "endfunction()\n"
        "add_subdirectory(app)\n"
    )
    (tmp_path / "app").mkdir()
    app = "add_executable(app main.cpp)\nuse_backend(app /opt/libxnnpack_backend.a)\n"
    (tmp_path / "app" / "CMakeLists.txt").write_text(app)
    workspace = Workspace(roots=[tmp_path])
    path = str((tmp_path / "app" / "CMakeLists.txt").resolve())
    document = Document(path, CMAKE, workspace.read(path))
    (finding,) = [f for f in analyze(document, Config(), workspace=workspace).findings]
    assert app.encode()[finding.span.start : finding.span.end].startswith(b"use_backend(")
    assert "inside `use_backend()`" in finding.message

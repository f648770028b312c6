"""ET204 no-operator-library."""

from __future__ import annotations

from pathlib import Path

from executorch_lsp.engine.analysis import analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.engine.workspace import Workspace
from harness import findings

CMAKE = LanguageId.CMAKE
LOADS = '#include <executorch/extension/module/module.h>\nint main() {\n  Module m("a.pte");\n}\n'


def check(tmp_path: Path, cmake: str, main: str = LOADS) -> list[str]:
    (tmp_path / "CMakeLists.txt").write_text("project(app)\n" + cmake)
    (tmp_path / "main.cpp").write_text(main)
    workspace = Workspace(roots=[tmp_path])
    path = str((tmp_path / "CMakeLists.txt").resolve())
    document = Document(path, CMAKE, workspace.read(path))
    found = analyze(document, Config(), workspace=workspace).findings
    return [document.data[f.span.start : f.span.end].decode() for f in found if f.code == "ET204"]


def test_runtime_without_kernels(tmp_path: Path) -> None:
    cmake = (
        "find_package(executorch REQUIRED)\nadd_executable(app main.cpp)\n"
        "target_link_libraries(app PRIVATE executorch extension_module_static)\n"
    )
    assert check(tmp_path, cmake) == ["add_executable(app main.cpp)"]
    # A backend may take every operator; kernel implementations may be registered elsewhere.
    for other in ("qnn_executorch_backend", "portable_kernels"):
        assert check(tmp_path, cmake.replace("module_static)", f"module_static {other})")) == []


def test_any_operator_library_is_enough(tmp_path: Path) -> None:
    for kernels in (
        "portable_ops_lib",
        "optimized_native_cpu_ops_lib",
        "${EXECUTORCH_LIBRARIES}",
        "executorch::kernels_optimized",
        "/opt/lib/libselected_ops_lib.a",
    ):
        cmake = (
            "find_package(executorch REQUIRED)\nadd_executable(app main.cpp)\n"
            f"target_link_libraries(app PRIVATE executorch {kernels})\n"
        )
        assert check(tmp_path, cmake) == [], kernels


def test_kernels_through_a_project_target_or_selective_build(tmp_path: Path) -> None:
    cmake = (
        "add_subdirectory(third-party/executorch)\n"
        "gen_operators_lib(LIB_NAME app_ops KERNEL_LIBS portable_kernels DEPS executorch_core)\n"
        "add_library(engine STATIC engine.cpp)\ntarget_link_libraries(engine PUBLIC app_ops)\n"
        "add_executable(app main.cpp)\ntarget_link_libraries(app PRIVATE executorch engine)\n"
    )
    (tmp_path / "third-party" / "executorch").mkdir(parents=True)
    (tmp_path / "third-party" / "executorch" / "CMakeLists.txt").write_text("project(executorch)\n")
    assert check(tmp_path, cmake) == []


def test_programs_that_load_no_model_or_link_unknowns(tmp_path: Path) -> None:
    cmake = (
        "find_package(executorch REQUIRED)\nadd_executable(app main.cpp)\n"
        "target_link_libraries(app PRIVATE executorch)\n"
    )
    assert check(tmp_path, cmake, main="int main() { return 0; }\n") == []
    unknown = cmake.replace("executorch)\n", "executorch ${APP_KERNELS})\n")
    assert check(tmp_path, unknown) == []


def test_generated_library_linked_nowhere(tmp_path: Path) -> None:
    cmake = (
        "add_subdirectory(third-party/executorch)\n"
        "gen_operators_lib(LIB_NAME app_ops KERNEL_LIBS portable_kernels DEPS executorch_core)\n"
        "add_executable(app main.cpp)\n"
        "target_link_libraries(app PRIVATE executorch portable_ops_lib)\n"
    )
    (tmp_path / "third-party" / "executorch").mkdir(parents=True)
    (tmp_path / "third-party" / "executorch" / "CMakeLists.txt").write_text("project(executorch)\n")
    (found,) = check(tmp_path, cmake)
    assert found.startswith("gen_operators_lib(LIB_NAME app_ops")
    assert check(tmp_path, cmake + "install(TARGETS app_ops)\n") == []


def test_without_a_workspace_sources_cannot_be_read() -> None:
    source = (
        "find_package(executorch REQUIRED)\nadd_executable(app main.cpp)\n"
        "target_link_libraries(app PRIVATE executorch)\n"
    )
    assert findings(source, "ET204", CMAKE) == []

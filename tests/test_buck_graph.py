"""Buck labels and targets across files of a workspace."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from executorch_lsp.engine.buck import labels
from executorch_lsp.engine.buck.graph import BuckGraph, document_model
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.engine.workspace import Workspace

CODEGEN_BZL = "shim_et/xplat/executorch/codegen/codegen.bzl"


def write(root: Path, files: dict[str, str]) -> Workspace:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Workspace(roots=[root])


def path_of(root: Path, name: str) -> str:
    return str((root / name).resolve())


@pytest.mark.parametrize(
    ("text", "relative"),
    [
        ("//executorch/kernels/portable:operators", "kernels/portable:operators"),
        ("fbsource//xplat/executorch/kernels/portable:operators", "kernels/portable:operators"),
        ("@fbsource//xplat/executorch/kernels/portable:operators", "kernels/portable:operators"),
        ("//xplat/executorch/kernels/portable:operators", "kernels/portable:operators"),
        ("fbcode//executorch/kernels/portable:operators", "kernels/portable:operators"),
        ("@executorch//kernels/portable:operators", "kernels/portable:operators"),
        ("//third-party/executorch/configurations:x", "configurations:x"),
        ("//executorch/kernels/portable", "kernels/portable:portable"),
        ("//executorch/kernels/portable:generated_lib[headers]", "kernels/portable:generated_lib"),
        ("//app:main", None),
        (":local", None),
    ],
)
def test_executorch_labels_in_every_spelling(text: str, relative: str | None) -> None:
    label = labels.parse(text)
    assert label is not None
    assert label.executorch_relative() == relative


@pytest.mark.parametrize("text", ["", "not a label", "gflags", "$(location :x)"])
def test_not_labels(text: str) -> None:
    assert labels.parse(text) is None


def test_relative_labels_resolve_in_the_same_file_without_a_workspace() -> None:
    source = (
        'runtime.cxx_library(name = "lib")\nruntime.cxx_binary(name = "app", deps = [":lib"])\n'
    )
    document = Document.from_text("/repo/app/BUCK", LanguageId.STARLARK, source)
    graph = BuckGraph(None, document_model(document))
    app = document_model(document).by_name["app"][0]
    location = graph.locate(":lib", app.path)
    assert graph.resolve(location, app.path).name == "lib"
    assert graph.locate("//other:lib", app.path).directory is None


def test_packages_of_an_executorch_checkout(tmp_path: Path) -> None:
    workspace = write(
        tmp_path,
        {
            CODEGEN_BZL: "def et_operator_library(name):\n    pass\n",
            "kernels/portable/BUCK": (
                'load(":targets.bzl", "define_common_targets")\ndefine_common_targets()\n'
            ),
            "kernels/portable/targets.bzl": (
                "def define_common_targets():\n"
                '    runtime.cxx_library(name = "operators",\n'
                '        exported_deps = ["//executorch/kernels/portable/cpu:cpu"])\n'
            ),
            "kernels/portable/cpu/TARGETS": 'runtime.cxx_library(name = "cpu")\n',
            "app/BUCK": 'runtime.cxx_binary(name = "app",\n'
            '    deps = ["fbsource//xplat/executorch/kernels/portable:operators"])\n',
        },
    )
    graph = BuckGraph(workspace)
    assert graph.executorch_root() == str(tmp_path.resolve())
    app_path = path_of(tmp_path, "app/BUCK")
    (app,) = graph.model(app_path).by_name["app"]
    assert set(graph.closure(app)) == {
        "executorch//kernels/portable:operators",
        "executorch//kernels/portable/cpu:cpu",
    }
    location = graph.locate("//executorch/kernels/portable:operators", app_path)
    assert graph.resolve(location, app_path).path == path_of(
        tmp_path, "kernels/portable/targets.bzl"
    )


def test_older_checkouts_keep_the_macros_under_shim(tmp_path: Path) -> None:
    workspace = write(tmp_path, {"shim/xplat/executorch/codegen/codegen.bzl": ""})
    assert BuckGraph(workspace).executorch_root() == str(tmp_path.resolve())
    assert BuckGraph(write(tmp_path / "other", {"BUCK": ""})).executorch_root() is None


def test_with_two_checkouts_each_file_uses_its_own(tmp_path: Path) -> None:
    marker = "shim_et/xplat/executorch/codegen/codegen.bzl"
    workspace = write(tmp_path, {f"a/{marker}": "", f"b/{marker}": "", "b/app/BUCK": ""})
    graph = BuckGraph(workspace)
    app = path_of(tmp_path, "b/app/BUCK")
    assert graph.executorch_root(app) == str((tmp_path / "b").resolve())
    assert graph.executorch_root() is None
    location = graph.locate("//executorch/kernels/portable:operators", app)
    assert location.directory == str((tmp_path / "b" / "kernels" / "portable").resolve())


def test_cell_root_from_buckconfig(tmp_path: Path) -> None:
    workspace = write(
        tmp_path,
        {
            ".buckconfig": "[repositories]\nroot = .\n",
            "libs/ops/BUCK": 'runtime.cxx_library(name = "ops")\n',
            "apps/main/BUCK": 'runtime.cxx_binary(name = "app",\n'
            '    deps = ["//libs/ops:ops", "//libs/missing:x"])\n',
        },
    )
    graph = BuckGraph(workspace)
    app_path = path_of(tmp_path, "apps/main/BUCK")
    location = graph.locate("//libs/ops:ops", app_path)
    assert location.directory == str(tmp_path.resolve() / "libs" / "ops")
    assert graph.resolve(location, app_path).name == "ops"
    assert graph.resolve(graph.locate("//libs/missing:x", app_path), app_path) is None


def test_without_buckconfig_only_a_unique_package_folder_is_used(tmp_path: Path) -> None:
    workspace = write(
        tmp_path,
        {
            "a/libs/ops/BUCK": 'runtime.cxx_library(name = "ops")\n',
            "b/libs/ops/BUCK": 'runtime.cxx_library(name = "ops")\n',
            "a/util/BUCK": 'runtime.cxx_library(name = "util")\n',
            "a/app/BUCK": "",
        },
    )
    graph = BuckGraph(workspace)
    app = path_of(tmp_path, "a/app/BUCK")
    assert graph.locate("//libs/ops:ops", app).directory is None  # two candidates
    assert graph.resolve(graph.locate("//util:util", app), app).name == "util"


def test_ambiguous_names_are_not_resolved(tmp_path: Path) -> None:
    workspace = write(
        tmp_path,
        {
            "BUCK": (
                "if FLAG:\n"
                '    runtime.cxx_library(name = "lib", deps = [":a"])\n'
                "else:\n"
                '    runtime.cxx_library(name = "lib", deps = [":b"])\n'
            ),
        },
    )
    graph = BuckGraph(workspace)
    path = path_of(tmp_path, "BUCK")
    assert graph.resolve(graph.locate(":lib", path), path) is None


def test_a_call_of_a_function_of_the_file_is_preferred_to_its_definition() -> None:
    source = (
        "def with_base(extra):\n"
        '    runtime.cxx_library(name = "lib", deps = [":base"] + extra)\n'
        'with_base(extra = [":more"])\n'
    )
    document = Document.from_text("/repo/BUCK", LanguageId.STARLARK, source)
    graph = BuckGraph(None, document_model(document))
    found = graph.resolve(graph.locate(":lib", "/repo/BUCK"), "/repo/BUCK")
    assert found is not None and found.origin is not None


def test_static_variants_resolve_to_their_target(tmp_path: Path) -> None:
    workspace = write(
        tmp_path, {"BUCK": 'runtime.cxx_library(name = "lib", define_static_target = True)\n'}
    )
    graph = BuckGraph(workspace)
    path = path_of(tmp_path, "BUCK")
    location = graph.locate(":lib_static", path)
    assert graph.resolve(location, path).name == "lib"
    assert location.canonical != graph.locate(":lib", path).canonical


def test_cycles_end(tmp_path: Path) -> None:
    workspace = write(
        tmp_path,
        {
            "BUCK": (
                'runtime.cxx_library(name = "a", deps = [":b"])\n'
                'runtime.cxx_library(name = "b", deps = [":a"])\n'
            )
        },
    )
    graph = BuckGraph(workspace)
    path = path_of(tmp_path, "BUCK")
    (a,) = graph.model(path).by_name["a"]
    assert set(graph.closure(a)) >= {f"{tmp_path.resolve()}:b"}


def test_models_are_cached_per_file_and_rebuilt_after_a_change(tmp_path: Path) -> None:
    workspace = write(tmp_path, {"BUCK": 'runtime.cxx_library(name = "a")\n'})
    path = path_of(tmp_path, "BUCK")
    graph = BuckGraph(workspace)
    first = graph.model(path)
    assert graph.model(path) is first
    workspace.set_buffer(path, b'runtime.cxx_library(name = "b")\n')
    assert set(BuckGraph(workspace).model(path).by_name) == {"b"}


def test_a_large_tree_is_modelled_quickly(tmp_path: Path) -> None:
    files = {}
    for index in range(300):
        previous = max(index - 1, 0)
        files[f"pkg{index}/BUCK"] = (
            f'runtime.cxx_library(name = "lib{index}", deps = ["//pkg{previous}:lib{previous}"])\n'
        )
    files[".buckconfig"] = ""
    workspace = write(tmp_path, files)
    started = time.perf_counter()
    graph = BuckGraph(workspace)
    last = path_of(tmp_path, "pkg299/BUCK")
    (target,) = graph.model(last).by_name["lib299"]
    assert len(graph.closure(target)) == 299
    assert time.perf_counter() - started < 5


# -- wrappers loaded from other .bzl files -------------------------------------------------------
WRAPPER_BZL = (
    "def app_binary(name, deps = [], **kwargs):\n"
    '    runtime.cxx_binary(name = name, deps = deps + [":base"], **kwargs)\n'
)

TEST_WRAPPER_BZL = WRAPPER_BZL.replace("runtime.cxx_binary", "runtime.cxx_test")


def wrapped(load: str) -> str:
    return f'load("{load}", "app_binary")\napp_binary(name = "app", deps = [":lib"])\n'


@pytest.mark.parametrize(
    ("load", "followed"),
    [
        ("//tools:defs.bzl", True),
        ("root//tools:defs.bzl", True),
        ("@root//tools:defs.bzl", True),
        ("//tools:missing.bzl", False),
        ("@tools//tools:defs.bzl", False),
        ("fbsource//tools:defs.bzl", False),
        ("@fbsource//xplat/executorch/tools:defs.bzl", False),
    ],
)
def test_wrappers_are_loaded_from_files_of_the_cell(
    tmp_path: Path, load: str, followed: bool
) -> None:
    workspace = write(
        tmp_path,
        {
            ".buckconfig": "[repositories]\nroot = .\n",
            "tools/defs.bzl": WRAPPER_BZL,
            "app/BUCK": wrapped(load),
        },
    )
    (app,) = BuckGraph(workspace).model(path_of(tmp_path, "app/BUCK")).by_name["app"]
    assert (app.kind == "cxx_binary") is followed


def test_wrappers_are_loaded_from_the_same_package(tmp_path: Path) -> None:
    workspace = write(tmp_path, {"app/defs.bzl": WRAPPER_BZL, "app/BUCK": wrapped(":defs.bzl")})
    graph = BuckGraph(workspace)
    path = path_of(tmp_path, "app/BUCK")
    (app,) = graph.model(path).by_name["app"]
    assert app.origin_path == path_of(tmp_path, "app/defs.bzl")
    # The package holds the call's target; the definition (name unknown) names nothing.
    location = graph.locate(":app", path)
    assert graph.resolve(location, path) is app


def test_files_outside_the_workspace_are_not_read(tmp_path: Path) -> None:
    (tmp_path / ".buckconfig").write_text("", encoding="utf-8")
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "defs.bzl").write_text(WRAPPER_BZL, encoding="utf-8")
    workspace = write(tmp_path / "app", {"BUCK": wrapped("//tools:defs.bzl")})
    (app,) = BuckGraph(workspace).model(path_of(tmp_path, "app/BUCK")).by_name["app"]
    assert app.kind == "app_binary"


def test_a_model_is_read_again_when_a_bzl_it_used_changes(tmp_path: Path) -> None:
    workspace = write(tmp_path, {"app/defs.bzl": WRAPPER_BZL, "app/BUCK": wrapped(":defs.bzl")})
    path = path_of(tmp_path, "app/BUCK")
    first = BuckGraph(workspace).model(path)
    workspace.set_buffer(path_of(tmp_path, "app/other.bzl"), b"")
    assert BuckGraph(workspace).model(path) is first  # an unrelated file changed
    defs = path_of(tmp_path, "app/defs.bzl")
    workspace.set_buffer(defs, TEST_WRAPPER_BZL.encode())
    (app,) = BuckGraph(workspace).model(path).by_name["app"]
    assert app.kind == "cxx_test"
    workspace.set_buffer(defs, b"def app_binary(:\n")
    (app,) = BuckGraph(workspace).model(path).by_name["app"]
    assert app.kind == "app_binary"  # a file that does not parse defines nothing


def test_a_bzl_that_appears_later_is_read(tmp_path: Path) -> None:
    workspace = write(tmp_path, {"app/BUCK": wrapped(":defs.bzl")})
    path = path_of(tmp_path, "app/BUCK")
    assert BuckGraph(workspace).model(path).by_name["app"][0].kind == "app_binary"
    workspace.set_buffer(path_of(tmp_path, "app/defs.bzl"), WRAPPER_BZL.encode())
    assert BuckGraph(workspace).model(path).by_name["app"][0].kind == "cxx_binary"


def test_an_open_document_follows_the_bzl_files_it_loads(tmp_path: Path) -> None:
    workspace = write(tmp_path, {"app/defs.bzl": WRAPPER_BZL, "app/BUCK": wrapped(":defs.bzl")})
    path = path_of(tmp_path, "app/BUCK")
    document = Document(path, LanguageId.STARLARK, workspace.read(path))
    assert document_model(document).by_name["app"][0].kind == "app_binary"  # no workspace
    assert document_model(document, workspace).by_name["app"][0].kind == "cxx_binary"
    defs = path_of(tmp_path, "app/defs.bzl")
    workspace.set_buffer(defs, TEST_WRAPPER_BZL.encode())
    # Without a workspace, the one the document was modelled with is used.
    assert document_model(document).by_name["app"][0].kind == "cxx_test"


def test_calls_of_wrappers_of_the_workspace_are_screened(tmp_path: Path) -> None:
    workspace = write(
        tmp_path,
        {
            "tools/defs.bzl": WRAPPER_BZL + "def define_common_targets():\n    pass\n",
            "app/BUCK": "",
        },
    )
    screen = BuckGraph(workspace).wrapper_call_screen()
    assert screen is not None
    assert screen.search(b'load(":defs.bzl", "app_binary")\napp_binary(name = "app")')
    assert screen.search(b'load(":defs.bzl", b = "app_binary")\nb(**ARGS)')
    assert not screen.search(b'load(":defs.bzl", "app_binary")\napp_binary()')
    assert not screen.search(b'load(":t.bzl", "define_common_targets")\ndefine_common_targets()')
    assert BuckGraph(write(tmp_path / "none", {"BUCK": ""})).wrapper_call_screen() is None

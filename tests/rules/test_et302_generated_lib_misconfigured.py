"""ET302 generated-lib-misconfigured."""

from __future__ import annotations

from pathlib import Path

import pytest

from executorch_lsp.engine.analysis import analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.hover import hover_at
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.engine.workspace import Workspace
from harness import assert_marked, document, findings

BUCK = LanguageId.STARLARK
LOAD = (
    'load("@fbsource//xplat/executorch/codegen:codegen.bzl", '
    '"et_operator_library", "executorch_generated_lib")\n'
)
PORTABLE_YAML = '    functions_yaml_target = "//executorch/kernels/portable:functions.yaml",\n'
PORTABLE_KERNELS = '    kernel_deps = ["//executorch/kernels/portable:operators"],\n'


def lib(*lines: str, head: str = "executorch_generated_lib(") -> str:
    return LOAD + head + "\n" + '    name = "lib",\n' + "".join(lines) + ")\n"


POSITIVE = {
    "no_yaml_at_all": lib('    deps = [":ops"],\n', head="executorch_generated_lib(  # <- ET302"),
    "yaml_targets_set_to_none": lib(
        "    functions_yaml_target = None,\n",
        '    custom_ops_yaml_target = "",\n',
        head="executorch_generated_lib(  # <- ET302",
    ),
    "wrapped_in_non_fbcode_target": LOAD
    + 'non_fbcode_target(_kind = executorch_generated_lib, name = "x", deps = [])  # <- ET302\n',
    "functions_yaml_in_aten_mode": lib(
        '    functions_yaml_target = ":functions.yaml",  # <- ET302\n',
        "    aten_mode = True,\n",
    ),
    "dtype_selective_with_custom_kernels": lib(
        PORTABLE_YAML,
        '    kernel_deps = [":my_kernels"],  # <- ET302\n',
        "    dtype_selective_build = True,\n",
    ),
    "dtype_selective_without_kernel_deps": lib(
        PORTABLE_YAML, "    dtype_selective_build = True,  # <- ET302\n"
    ),
    "dtype_selective_with_another_spelling": lib(
        PORTABLE_YAML,
        '    kernel_deps = ["fbsource//xplat/executorch/kernels/portable:operators",  # <- ET302\n',
        "    ],\n",
        "    dtype_selective_build = True,\n",
    ),
    "portable_kernels_in_deps": lib(
        PORTABLE_YAML,
        PORTABLE_KERNELS,
        "    deps = [\n",
        '        ":ops",\n',
        '        "//executorch/kernels/portable:operators",  # <- ET302\n',
        "    ],\n",
        "    dtype_selective_build = True,\n",
    ),
    "optimized_kernels_through_a_prebuilt_lib": lib(
        '    functions_yaml_target = "//executorch/kernels/optimized:optimized.yaml",\n',
        '    kernel_deps = ["//executorch/kernels/optimized:optimized_operators"],\n',
        '    deps = ["//executorch/configurations:optimized_native_cpu_ops"],  # <- ET302\n',
        "    dtype_selective_build = True,\n",
    ),
    "portable_kernels_through_a_library": LOAD
    + 'runtime.cxx_library(name = "my_kernels", exported_deps = '
    + '["fbsource//xplat/executorch/kernels/portable:operators"])\n'
    + "executorch_generated_lib(\n"
    + '    name = "lib",\n'
    + PORTABLE_YAML
    + PORTABLE_KERNELS
    + '    deps = [":my_kernels"],  # <- ET302\n'
    + "    dtype_selective_build = True,\n"
    + ")\n",
    "expose_symbols_without_dtype_selective_build": lib(
        PORTABLE_YAML, "    expose_operator_symbols = True,  # <- ET302\n"
    ),
    "server_yaml_with_ops": LOAD
    + "et_operator_library(\n"
    + '    name = "ops",\n'
    + '    server_generated_yaml_target = ":server_ops",  # <- ET302\n'
    + '    ops = ["aten::add.out"],\n'
    + ")\n",
    "server_yaml_with_all_operators": LOAD
    + 'et_operator_library(name = "ops", include_all_operators = True, '
    + 'server_generated_yaml_target = ":server_ops")  # <- ET302\n',
    "inside_define_common_targets": LOAD
    + "def define_common_targets():\n"
    + '    executorch_generated_lib(name = "lib", deps = [":ops"])  # <- ET302\n',
}

MY_LIB = (
    "def my_lib(name, aten = False, **kwargs):\n"
    '    executorch_generated_lib(name = name, functions_yaml_target = ":f.yaml",\n'
    "        aten_mode = aten, **kwargs)\n"
)
POSITIVE["through_a_function_of_the_file"] = (
    LOAD
    + MY_LIB
    + 'my_lib(name = "a")\n'
    + 'my_lib(name = "b", aten = True)  # <- ET302\n'
    + 'my_lib(name = "c", expose_operator_symbols = True)  # <- ET302\n'
)
POSITIVE["in_a_function_whatever_its_arguments"] = (
    LOAD
    + "def my_lib(name):\n"
    + "    executorch_generated_lib(name = name)  # <- ET302\n"
    + 'my_lib(name = "a")\nmy_lib(name = "b")\n'
)

NEGATIVE = {
    "functions_yaml": lib(PORTABLE_YAML, PORTABLE_KERNELS, '    deps = [":ops"],\n'),
    "custom_ops_yaml_only": lib('    custom_ops_yaml_target = ":custom_ops.yaml",\n'),
    "aten_mode_without_yaml": lib("    aten_mode = True,\n", '    deps = [":ops"],\n'),
    "aten_mode_from_a_loop": LOAD
    + "for aten_mode in get_aten_mode_options():\n"
    + '    executorch_generated_lib(name = "lib", aten_mode = aten_mode,\n'
    + '        functions_yaml_target = ":functions.yaml")\n',
    "yaml_from_select": lib('    functions_yaml_target = select({"DEFAULT": ":f.yaml"}),\n'),
    "yaml_from_a_variable": LOAD
    + 'YAML = ":functions.yaml"\n'
    + 'executorch_generated_lib(name = "lib", functions_yaml_target = YAML)\n',
    "unknown_kwargs": lib("    **get_common_args()\n"),
    "known_kwargs_with_the_yaml": LOAD
    + 'COMMON = {"functions_yaml_target": ":functions.yaml", "define_static_targets": True}\n'
    + "for support_exceptions in [True, False]:\n"
    + '    suffix = "_no_exceptions" if not support_exceptions else ""\n'
    + '    executorch_generated_lib(name = "generated_lib" + suffix, deps = [":ops"], **COMMON)\n',
    "dtype_selective_from_a_call": lib(
        PORTABLE_YAML, '    kernel_deps = [":mine"],\n', "    dtype_selective_build = is_xplat(),\n"
    ),
    "dtype_selective_with_operator_list_deps": LOAD
    + 'et_operator_library(name = "select_all_ops", include_all_operators = True)\n'
    + lib(
        PORTABLE_YAML,
        PORTABLE_KERNELS,
        '    deps = [":select_all_ops"],\n',
        "    dtype_selective_build = True,\n",
    )[len(LOAD) :],
    "dtype_selective_with_optimized_kernels": lib(
        '    functions_yaml_target = "//executorch/kernels/optimized:optimized.yaml",\n',
        '    kernel_deps = ["//executorch/kernels/optimized:optimized_operators"],\n',
        '    deps = ["//executorch/kernels/portable:operators"],\n',  # only optimized is checked
        "    dtype_selective_build = True,\n",
    ),
    "dtype_selective_with_kernel_deps_from_select": lib(
        PORTABLE_YAML,
        '    kernel_deps = [":mine"] + select({"DEFAULT": []}),\n',
        "    dtype_selective_build = True,\n",
    ),
    "expose_symbols_with_dtype_selective_build": lib(
        PORTABLE_YAML,
        PORTABLE_KERNELS,
        "    expose_operator_symbols = True,\n",
        "    dtype_selective_build = True,\n",
    ),
    "server_yaml_alone": LOAD
    + 'et_operator_library(name = "ops", server_generated_yaml_target = ":server_ops")\n',
    "server_yaml_with_empty_ops": LOAD
    + 'et_operator_library(name = "ops", server_generated_yaml_target = ":s", ops = [])\n',
    "server_yaml_with_unknown_ops": LOAD
    + 'et_operator_library(name = "ops", server_generated_yaml_target = ":s", ops = OPS)\n',
    "server_yaml_from_a_parameter": LOAD
    + "def ops(name, server_yaml = None):\n"
    + "    et_operator_library(name = name, server_generated_yaml_target = server_yaml,\n"
    + '        ops = ["aten::add.out"])\n',
    "wrapper_with_kwargs": LOAD
    + "def my_generated_lib(name, deps, **kwargs):\n"
    + "    executorch_generated_lib(name = name, deps = deps, **kwargs)\n",
    # codegen.bzl itself: the definitions and a call of the local function.
    "definitions_in_codegen": "def et_operator_library(name, ops = [], **kwargs):\n"
    + "    pass\n"
    + "def executorch_generated_lib(name, functions_yaml_target = None, aten_mode = False):\n"
    + "    if functions_yaml_target and aten_mode:\n"
    + '        fail("{} is providing functions_yaml_target in ATen mode".format(name))\n'
    + 'executorch_generated_lib(name = "x")\n',
    "file_that_does_not_parse": lib('    deps = [":ops"] +\n'),
    "loaded_from_another_file": 'load("//tools:my_defs.bzl", "executorch_generated_lib")\n'
    + 'executorch_generated_lib(name = "x")\n',
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_reports_arguments_the_macros_reject(name: str) -> None:
    assert_marked(POSITIVE[name], "ET302", BUCK)


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_no_report(name: str) -> None:
    assert findings(NEGATIVE[name], "ET302", BUCK) == []


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("no_yaml_at_all", "At least one of functions_yaml_target, custom_ops_yaml_target"),
        ("functions_yaml_in_aten_mode", "lib is providing functions_yaml_target in ATen mode"),
        ("dtype_selective_without_kernel_deps", "//executorch/kernels/portable:operators"),
        ("portable_kernels_in_deps", "Dependency violation: '//executorch/kernels/portable"),
        ("expose_symbols_without_dtype_selective_build", "only available in dtype selective"),
        ("server_yaml_with_ops", "Since server_generated_yaml_target is set"),
    ],
)
def test_messages_quote_the_build_failure(name: str, quoted: str) -> None:
    (finding,) = findings(POSITIVE[name], "ET302", BUCK)
    assert quoted in finding.message


def test_server_yaml_message_lists_the_conflicting_arguments() -> None:
    (finding,) = findings(POSITIVE["server_yaml_with_all_operators"], "ET302", BUCK)
    assert "also sets include_all_operators," in finding.message


def test_dependency_in_another_package(tmp_path: Path) -> None:
    (tmp_path / ".buckconfig").write_text("")
    (tmp_path / "kernels").mkdir()
    (tmp_path / "kernels/BUCK").write_text(
        'runtime.cxx_library(name = "mine", deps = ["//executorch/kernels/portable:operators"])\n'
    )
    (tmp_path / "app").mkdir()
    source = lib(
        PORTABLE_YAML,
        PORTABLE_KERNELS,
        '    deps = ["//kernels:mine"],\n',
        "    dtype_selective_build = True,\n",
    )
    (tmp_path / "app/BUCK").write_text(source)
    workspace = Workspace(roots=[tmp_path])
    path = str((tmp_path / "app/BUCK").resolve())
    analysis = analyze(Document(path, BUCK, source.encode()), Config(), workspace=workspace)
    (finding,) = [f for f in analysis.findings if f.code == "ET302"]
    assert "'//kernels:mine' should not depend on" in finding.message


def hover(source: str, word: str, nth: int = 0) -> str | None:
    doc = document(source, BUCK)
    offset = -1
    for _ in range(nth + 1):
        offset = source.index(word, offset + 1)
    result = hover_at(doc, offset + 2)
    return result.markdown if result else None


def test_hover_on_a_generated_lib_lists_what_it_generates() -> None:
    source = lib(PORTABLE_YAML, '    custom_ops_yaml_target = ":c.yaml",\n')
    text = hover(source, "executorch_generated_lib", nth=1)
    assert "`:lib_headers`" in text and "`:custom_ops_lib`" in text


def test_hover_on_an_operator_library() -> None:
    source = LOAD + 'et_operator_library(name = "ops", ops = ["aten::add.out"])\n'
    assert "selected_operators.yaml" in hover(source, "et_operator_library", nth=1)


def test_no_hover_elsewhere() -> None:
    source = LOAD + 'et_operator_library(name = "ops", ops = ["aten::add.out"])\n'
    assert hover(source, "aten::add") is None
    assert hover(source, "et_operator_library") is None  # the load statement


# -- wrappers loaded from other .bzl files -----------------------------------------------------
WRAPPERS_BZL = (
    LOAD
    + "def my_generated_lib(name, deps = [], aten_mode = False, **kwargs):\n"
    + "    executorch_generated_lib(name = name, deps = deps, aten_mode = aten_mode,\n"
    + '        functions_yaml_target = ":functions.yaml", **kwargs)\n'
    + "def portable_only_lib(name, deps = [], **kwargs):\n"
    + "    executorch_generated_lib(name = name, deps = deps,\n"
    + '        functions_yaml_target = ":functions.yaml")\n'
    + "def yamlless_lib(name, deps = []):\n"
    + "    executorch_generated_lib(name = name, deps = deps)\n"
    + "def server_ops(name, **kwargs):\n"
    + "    et_operator_library(name = name, **kwargs)\n"
)


def check_wrapped(tmp_path: Path, app_buck: str, checked: str = "app/BUCK") -> list:
    files = {
        ".buckconfig": "[repositories]\nroot = .\n",
        "tools/defs.bzl": WRAPPERS_BZL,
        "app/BUCK": app_buck,
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    workspace = Workspace(roots=[tmp_path])
    path = str((tmp_path / checked).resolve())
    analysis = analyze(Document(path, BUCK, workspace.read(path)), Config(), workspace=workspace)
    assert not analysis.failures
    return [f for f in analysis.findings if f.code == "ET302"]


def test_aten_mode_passed_through_a_loaded_wrapper(tmp_path: Path) -> None:
    app_buck = (
        'load("//tools:defs.bzl", "my_generated_lib")\n'
        'my_generated_lib(name = "ok", deps = [":ops"])\n'
        'my_generated_lib(name = "aten", deps = [":ops"], aten_mode = True)\n'
    )
    (finding,) = check_wrapped(tmp_path, app_buck)
    assert "aten is providing functions_yaml_target in ATen mode" in finding.message
    # The yaml is written in the wrapper: the finding is on the call.
    call = app_buck.index('my_generated_lib(name = "aten"')
    assert (finding.span.start, finding.span.end) == (call, call + len("my_generated_lib"))


def test_misconfiguration_passed_through_loaded_kwargs(tmp_path: Path) -> None:
    app_buck = (
        'load(":defs.bzl", ops = "server_ops")\n'
        'ops(name = "ops", server_generated_yaml_target = ":s", include_all_operators = True)\n'
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app/defs.bzl").write_text(WRAPPERS_BZL, encoding="utf-8")
    (finding,) = check_wrapped(tmp_path, app_buck)
    assert "also sets include_all_operators" in finding.message
    assert app_buck[finding.span.start : finding.span.end] == '":s"'


WRAPPED_NEGATIVE = {
    "wrapper_of_another_cell": 'load("@tools//tools:defs.bzl", "my_generated_lib")\n'
    + 'my_generated_lib(name = "aten", aten_mode = True)\n',
    "bzl_missing": 'load("//tools:missing.bzl", "my_generated_lib")\n'
    + 'my_generated_lib(name = "aten", aten_mode = True)\n',
    "aten_mode_not_forwarded": 'load("//tools:defs.bzl", "portable_only_lib")\n'
    + 'portable_only_lib(name = "aten", aten_mode = True)\n',
    "exported_name_not_bound": 'load("//tools:defs.bzl", lib = "my_generated_lib")\n'
    + 'my_generated_lib(name = "aten", aten_mode = True)\n',
    # Whatever the arguments, the wrapper names no yaml: reported in defs.bzl, once.
    "problem_inside_the_wrapper": 'load("//tools:defs.bzl", "yamlless_lib")\n'
    + 'yamlless_lib(name = "a")\nyamlless_lib(name = "b")\n',
}


@pytest.mark.parametrize("name", sorted(WRAPPED_NEGATIVE))
def test_no_report_through_wrappers(tmp_path: Path, name: str) -> None:
    assert check_wrapped(tmp_path, WRAPPED_NEGATIVE[name]) == []


def test_a_problem_inside_a_loaded_wrapper_is_reported_in_its_file(tmp_path: Path) -> None:
    app_buck = WRAPPED_NEGATIVE["problem_inside_the_wrapper"]
    (finding,) = check_wrapped(tmp_path, app_buck, checked="tools/defs.bzl")
    assert "At least one of functions_yaml_target" in finding.message
    call = WRAPPERS_BZL.index("executorch_generated_lib(name = name, deps = deps)\n")
    assert finding.span.start == call

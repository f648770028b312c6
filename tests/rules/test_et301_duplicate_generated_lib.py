"""ET301 duplicate-generated-lib."""

from __future__ import annotations

from pathlib import Path

import pytest

from executorch_lsp.engine.analysis import analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.engine.workspace import Workspace
from executorch_lsp.rules import workspace_fingerprint
from executorch_lsp.rules.buck import prebuilt
from executorch_lsp.rules.buck.prebuilt import YAML_OPERATORS
from harness import assert_marked, findings

BUCK = LanguageId.STARLARK
LOAD = (
    'load("@fbsource//xplat/executorch/codegen:codegen.bzl", '
    '"et_operator_library", "executorch_generated_lib")\n'
)
PORTABLE_YAML = "//executorch/kernels/portable:functions.yaml"


def oplist(name: str, selection: str) -> str:
    return f'et_operator_library(name = "{name}", {selection})\n'


def generated(name: str, ops: str, yaml: str = PORTABLE_YAML, extra: str = "") -> str:
    return (
        f'executorch_generated_lib(name = "{name}", functions_yaml_target = "{yaml}", '
        f'deps = [":{ops}"]{extra})\n'
    )


PORTABLE_LIB = "//executorch/kernels/portable:generated_lib"
QUANTIZED_LIB = "//executorch/kernels/quantized:generated_lib"
OPTIMIZED_NATIVE = "//executorch/configurations:optimized_native_cpu_ops"
QUANTIZED_YAML = "//executorch/kernels/quantized:quantized.yaml"


def binary(
    *deps: str, kind: str = "runtime.cxx_binary", mark: bool = False, tail: str = "", name="app"
) -> str:
    listed = ", ".join(f'"{dep}"' for dep in deps)
    marker = "  # <- ET301" if mark else ""
    return f'{kind}(name = "{name}", deps = [{listed}]{tail}){marker}\n'


ALL_OPS = LOAD + oplist("all_ops", "include_all_operators = True") + generated("all_lib", "all_ops")
TWO_LISTS = (
    LOAD
    + oplist("a_ops", 'ops = ["aten::add.out", "aten::mm.out"]')
    + oplist("b_ops", 'ops = ["aten::add.out", "aten::relu.out"]')
    + generated("a_lib", "a_ops")
    + generated("b_lib", "b_ops")
)


def shared(operator: str) -> str:
    return (
        LOAD
        + oplist("a_ops", f'ops = ["{operator}"]')
        + oplist("b_ops", f'ops = ["{operator}", "aten::sym_size.int"]')
        + generated("a_lib", "a_ops")
        + generated("b_lib", "b_ops")
        + binary(":a_lib", ":b_lib")
    )


POSITIVE = {
    "custom_lib_and_portable_generated_lib": ALL_OPS
    + "runtime.cxx_binary(\n"
    + '    name = "app",  # <- ET301\n'
    + f'    deps = [":all_lib", "{PORTABLE_LIB}"],\n'
    + ")\n",
    "two_select_all_libs": ALL_OPS
    + oplist("more_ops", "include_all_operators = True")
    + generated("more_lib", "more_ops")
    + binary(":all_lib", ":more_lib", mark=True),
    "two_model_op_lists_sharing_add": TWO_LISTS
    + binary(":a_lib", ":b_lib", kind="fb_xplat_cxx_binary", mark=True),
    "ops_dict_and_portable": LOAD
    + oplist("d_ops", 'ops_dict = {"aten::mul.out": []}')
    + generated("d_lib", "d_ops")
    + binary(":d_lib", "fbsource//xplat/executorch/kernels/portable:generated_lib", mark=True),
    "portable_and_optimized_native_cpu_ops": binary(
        PORTABLE_LIB, "//xplat/executorch/configurations:optimized_native_cpu_ops", mark=True
    ),
    "optimized_and_portable_generated_libs": binary(
        "//executorch/kernels/optimized:generated_lib", PORTABLE_LIB + "_static", mark=True
    ),
    "through_a_library": ALL_OPS
    + 'runtime.cxx_library(name = "runner", deps = [":all_lib"])\n'
    + binary(":runner", PORTABLE_LIB, mark=True),
    "schema_yaml_selection": LOAD
    + oplist("aten_ops", f'ops_schema_yaml_target = "{PORTABLE_YAML}"')
    + generated("aten_lib", "aten_ops")
    + binary(":aten_lib", OPTIMIZED_NATIVE, kind="runtime.cxx_test", mark=True),
    "select_appended": ALL_OPS
    + binary(":all_lib", PORTABLE_LIB, mark=True, tail=' + select({"DEFAULT": []})'),
    "fbcode_target_wrapper": ALL_OPS
    + binary(":all_lib", PORTABLE_LIB, kind="fbcode_target", mark=True, tail="").replace(
        "fbcode_target(", "fbcode_target(_kind = runtime.cxx_binary, "
    ),
    # No "cxx_" in the text: the rule's name is built from two strings.
    "loaded_under_a_computed_name": ALL_OPS
    + 'load("//tools:defs.bzl", app_binary = "cxx" + "_binary")\n'
    + binary(":all_lib", PORTABLE_LIB, kind="app_binary", mark=True),
    "inside_define_common_targets": "def define_common_targets():\n"
    + "".join(f"    {line}\n" for line in ALL_OPS.splitlines()[1:])
    + "    "
    + binary(":all_lib", PORTABLE_LIB, mark=True),
}

APP_BINARY = (
    "def app_binary(name, deps = []):\n"
    f'    runtime.cxx_binary(name = name, deps = deps + ["{PORTABLE_LIB}"])\n'
)
POSITIVE["through_a_function_of_the_file"] = (
    ALL_OPS + APP_BINARY + 'app_binary(name = "app", deps = [":all_lib"])  # <- ET301\n'
)
POSITIVE["in_a_function_whatever_its_arguments"] = (
    ALL_OPS
    + "def app_binary(name):\n"
    + f'    runtime.cxx_binary(name = name, deps = [":all_lib", "{PORTABLE_LIB}"])  # <- ET301\n'
    + 'app_binary(name = "a")\napp_binary(name = "b")\n'
)

NEGATIVE = {
    "portable_and_quantized": binary(PORTABLE_LIB, QUANTIZED_LIB),
    "optimized_native_and_quantized_static": binary(
        OPTIMIZED_NATIVE, "//xplat/executorch/kernels/quantized:generated_lib_static"
    ),
    # A runner's own generated library over optimized + portable ops, with quantized ops.
    "runner_lib_and_quantized": LOAD
    + "executorch_generated_lib(\n"
    + '    name = "runner_ops",\n'
    + '    deps = ["//executorch/kernels/optimized:optimized_oplist",\n'
    + '            "//executorch/kernels/portable:executorch_aten_ops"],\n'
    + '    kernel_deps = ["//executorch/kernels/portable:operators"],\n'
    + '    functions_yaml_target = "//executorch/kernels/optimized:optimized.yaml",\n'
    + f'    fallback_yaml_target = "{PORTABLE_YAML}",\n'
    + ")\n"
    + binary(":runner_ops", QUANTIZED_LIB, "//executorch/backends/xnnpack:xnnpack_backend"),
    "custom_ops_lib_and_portable": LOAD
    + oplist("my_ops", 'ops_schema_yaml_target = ":my_ops.yaml"')
    + 'executorch_generated_lib(name = "my_lib", custom_ops_yaml_target = ":my_ops.yaml",\n'
    + '    deps = [":my_ops"])\n'
    + binary(":my_lib", PORTABLE_LIB),
    "disjoint_op_lists": TWO_LISTS.replace('"aten::add.out", "aten::relu.out"', '"aten::relu.out"')
    + binary(":a_lib", ":b_lib"),
    "aten_mode_and_portable": ALL_OPS.replace(
        "executorch_generated_lib(name", "executorch_generated_lib(aten_mode = True, name"
    )
    + binary(":all_lib", PORTABLE_LIB),
    "aten_mode_unknown": ALL_OPS.replace(
        "executorch_generated_lib(name", "executorch_generated_lib(aten_mode = MODE, name"
    )
    + binary(":all_lib", PORTABLE_LIB),
    "libraries_appended_conditionally": ALL_OPS
    + 'lib = []\nif read_config("app", "all") == "1":\n    lib.append(":all_lib")\n'
    + binary(PORTABLE_LIB, tail=" + lib"),
    "model_selection_is_unknown": LOAD
    + oplist("model_ops", 'model = ":model_pte"')
    + generated("model_lib", "model_ops")
    + binary(":model_lib", PORTABLE_LIB),
    "same_library_two_spellings": binary(
        PORTABLE_LIB, "fbsource//xplat/executorch/kernels/portable:generated_lib"
    ),
    "manual_registration": ALL_OPS.replace(
        "executorch_generated_lib(name", "executorch_generated_lib(manual_registration = True, name"
    )
    + binary(":all_lib", PORTABLE_LIB),
    "yaml_from_select": LOAD
    + oplist("a_ops", "include_all_operators = True")
    + 'executorch_generated_lib(name = "a_lib", deps = [":a_ops"],\n'
    + '    functions_yaml_target = select({"DEFAULT": ":f.yaml"}))\n'
    + binary(":a_lib", PORTABLE_LIB),
    "shared_operator_not_known_to_be_in_the_yaml": shared("aten::my_special.out"),
    "only_prim_ops_shared": shared("executorch_prim::et_view.default"),
    "not_a_cxx_target": ALL_OPS + binary(":all_lib", PORTABLE_LIB, kind="runtime.python_library"),
    "macro_defined_in_the_file": "def executorch_generated_lib(name, **kwargs):\n"
    + "    native.cxx_library(name = name, **kwargs)\n"
    + ALL_OPS[len(LOAD) :]
    + binary(":all_lib", PORTABLE_LIB),
    "unknown_deps": 'runtime.cxx_binary(name = "app", deps = DEPS + get_deps())\n',
    # Several generated libraries side by side, each linked by its own binary.
    "one_library_per_binary": ALL_OPS
    + oplist("list_ops", 'ops = ["aten::add.out"]')
    + generated("list_lib", "list_ops")
    + binary(":all_lib").replace('"app"', '"all_test"')
    + binary(":list_lib").replace('"app"', '"list_test"'),
    # A backend library linked whole, next to one generated library.
    "backend_linked_whole": 'runtime.cxx_library(name = "backend", link_whole = True,\n'
    + '    deps = ["//executorch/runtime/backend:interface"])\n'
    + binary(":backend", PORTABLE_LIB),
    "file_that_does_not_parse": ALL_OPS
    + f'runtime.cxx_binary(name = "app", deps = [":all_lib", "{PORTABLE_LIB}" +\n',
    "function_of_the_file_with_other_operators": ALL_OPS
    + APP_BINARY
    + f'app_binary(name = "app", deps = ["{QUANTIZED_LIB}"])\n',
    "runtime_registration_off": LOAD
    + oplist("q_ops", f'ops_schema_yaml_target = "{QUANTIZED_YAML}"')
    + 'executorch_generated_lib(name = "q_lib", deps = [":q_ops"],\n'
    + f'    custom_ops_yaml_target = "{QUANTIZED_YAML}",\n'
    + "    custom_ops_requires_runtime_registration = False)\n"
    + binary(":q_lib", QUANTIZED_LIB),
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_reports_overlapping_generated_libraries(name: str) -> None:
    assert_marked(POSITIVE[name], "ET301", BUCK)


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_no_report(name: str) -> None:
    assert findings(NEGATIVE[name], "ET301", BUCK) == []


def test_reported_where_the_two_libraries_meet() -> None:
    source = (
        ALL_OPS
        + binary(":all_lib", PORTABLE_LIB, kind="runtime.cxx_library", mark=True).replace(
            '"app"', '"runner"'
        )
        + binary(":runner")
        + binary(":runner", ":all_lib")
    )
    assert_marked(source, "ET301", BUCK)


def test_message_and_related_information() -> None:
    (finding,) = findings(POSITIVE["through_a_library"], "ET301", BUCK)
    assert "`app` links two generated operator libraries" in finding.message
    assert "every operator of `portable/functions.yaml`" in finding.message
    assert "(through `:runner`)" in finding.message
    assert "error 22, Re-registering <operator>" in finding.message
    assert "here e.g. aten::add.Scalar_out" in finding.message
    first, second = finding.related
    assert "`:runner`" in first.message and "registers these operators" in first.message
    assert "//executorch/kernels/portable:generated_lib" in second.message
    assert second.message.endswith("registers them again")


def test_shared_operator_is_named() -> None:
    (finding,) = findings(POSITIVE["two_model_op_lists_sharing_add"], "ET301", BUCK)
    assert "`aten::add.out`" in finding.message


def test_known_operators_of_executorch_yaml_files() -> None:
    portable = YAML_OPERATORS[prebuilt.PORTABLE_FUNCTIONS]
    optimized = YAML_OPERATORS[prebuilt.OPTIMIZED_FUNCTIONS]
    assert optimized < portable  # what makes portable + optimized libraries overlap
    assert all(op.startswith("aten::") for op in portable)
    assert all(
        op.startswith("quantized_decomposed::")
        for op in YAML_OPERATORS[prebuilt.QUANTIZED_FUNCTIONS]
    )


# -- across files ------------------------------------------------------------------------------
def write(root: Path, files: dict[str, str]) -> Workspace:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Workspace(roots=[root])


def check(workspace: Workspace, root: Path, name: str):
    path = str((root / name).resolve())
    document = Document(path, LanguageId.STARLARK, workspace.read(path))
    analysis = analyze(document, Config(), workspace=workspace)
    assert not analysis.failures
    return [f for f in analysis.findings if f.code == "ET301"]


PROJECT = {
    ".buckconfig": "[repositories]\nroot = .\n",
    "models/BUCK": 'load(":defs.bzl", "define_models")\ndefine_models()\n',
    "models/defs.bzl": LOAD
    + "def define_models():\n"
    + '    et_operator_library(name = "ops", include_all_operators = True)\n'
    + "    "
    + generated("lib", "ops"),
    "app/BUCK": binary("//models:lib", kind="runtime.cxx_library", name="engine")
    + binary(":engine", PORTABLE_LIB),
}


def test_followed_into_other_packages(tmp_path: Path) -> None:
    workspace = write(tmp_path, PROJECT)
    (finding,) = check(workspace, tmp_path, "app/BUCK")
    assert "`//models:lib` (through `:engine`)" in finding.message
    assert all(related.path is None for related in finding.related)


def test_fingerprint_follows_the_targets_of_a_file(tmp_path: Path) -> None:
    workspace = write(tmp_path, PROJECT)
    path = str((tmp_path / "models/defs.bzl").resolve())
    before = workspace_fingerprint(workspace, path)
    workspace.set_buffer(path, workspace.read(path) + b"\n# a comment\n")
    assert workspace_fingerprint(workspace, path) == before
    workspace.set_buffer(
        path, workspace.read(path).replace(b"include_all_operators = True", b"ops = []")
    )
    assert workspace_fingerprint(workspace, path) != before
    assert check(workspace, tmp_path, "app/BUCK") == []


CODEGEN_BZL = "shim_et/xplat/executorch/codegen/codegen.bzl"
SPECIAL_YAML = "//executorch/runtime/kernel/test:functions.yaml"
CHECKOUT = {
    CODEGEN_BZL: "def executorch_generated_lib(name, **kwargs):\n    pass\n",
    "kernels/portable/functions.yaml": "- op: add.out\n  kernels:\n    - arg_meta: null\n"
    "- op: abs.out\n  kernels:\n    - arg_meta: null\n",
    "kernels/portable/BUCK": 'load(":targets.bzl", "define_common_targets")\n'
    "define_common_targets()\n",
    "kernels/portable/targets.bzl": LOAD
    + "def define_common_targets():\n"
    + '    runtime.export_file(name = "functions.yaml")\n'
    + "    "
    + oplist("executorch_aten_ops", f'ops_schema_yaml_target = "{PORTABLE_YAML}"')
    + "    for support_exceptions in [True, False]:\n"
    + '        suffix = "_no_exceptions" if not support_exceptions else ""\n'
    + "        "
    + generated("generated_lib", "executorch_aten_ops").replace(
        '"generated_lib"', '"generated_lib" + suffix'
    ),
    "runtime/kernel/test/functions.yaml": "- func: add.out(Tensor self) -> Tensor(a!)\n"
    "  kernels:\n    - arg_meta:\n        self: [T0, D0]\n"
    "      kernel_name: torch::executor::add_out\n",
    "examples/app/BUCK": LOAD
    + oplist("abs_ops", 'ops = ["aten::abs.out"]')
    + generated("abs_lib", "abs_ops")
    + binary(":abs_lib", PORTABLE_LIB)
    + oplist("add_ops", 'ops = ["aten::add.out"]')
    + generated("special_lib", "add_ops", yaml=SPECIAL_YAML)
    + binary(":special_lib", PORTABLE_LIB, name="special"),
}


def test_yaml_files_of_an_executorch_checkout_are_read(tmp_path: Path) -> None:
    workspace = write(tmp_path, CHECKOUT)
    found = check(workspace, tmp_path, "examples/app/BUCK")
    # abs.out is not among the operators known without the file; the checkout's yaml has it.
    # A kernel only for specific dtypes (arg_meta) has its own key: no collision.
    assert [f.message.split("`")[1] for f in found] == ["app"]
    assert "`aten::abs.out`" in found[0].message


# -- wrappers loaded from other .bzl files -----------------------------------------------------
WRAPPERS_BZL = (
    LOAD
    + "def app_binary(name, deps = [], **kwargs):\n"
    + f'    runtime.cxx_binary(name = name, deps = deps + ["{PORTABLE_LIB}"], **kwargs)\n'
    + "def lean_binary(name, deps = [], **kwargs):\n"
    + '    runtime.cxx_binary(name = name, srcs = ["main.cpp"])\n'
    + "def fixed_binary(name):\n"
    + f'    runtime.cxx_binary(name = name, deps = ["{OPTIMIZED_NATIVE}", "{PORTABLE_LIB}"])\n'
    + "def all_ops_lib(name):\n"
    + '    et_operator_library(name = name + "_ops", include_all_operators = True)\n'
    + "    executorch_generated_lib(\n"
    + f'        name = name, functions_yaml_target = "{PORTABLE_YAML}",\n'
    + '        deps = [":" + name + "_ops"])\n'
)


def wrapped_project(app_buck: str) -> dict[str, str]:
    return {
        ".buckconfig": "[repositories]\nroot = .\n",
        "tools/defs.bzl": WRAPPERS_BZL,
        "app/BUCK": app_buck,
    }


def load_wrappers(label: str = "//tools:defs.bzl", *symbols: str) -> str:
    listed = ", ".join(symbols or ('"app_binary"', '"all_ops_lib"'))
    return f'load("{label}", {listed})\n'


ALL_OPS_THROUGH_A_WRAPPER = 'all_ops_lib(name = "all_lib")\n'


def test_through_wrappers_loaded_from_another_file(tmp_path: Path) -> None:
    app_buck = (
        load_wrappers()
        + ALL_OPS_THROUGH_A_WRAPPER
        + 'app_binary(name = "app", deps = [":all_lib"])\n'
    )
    workspace = write(tmp_path, wrapped_project(app_buck))
    (finding,) = check(workspace, tmp_path, "app/BUCK")
    assert app_buck[finding.span.start : finding.span.end] == '"app"'
    assert "`:all_lib` and `//executorch/kernels/portable:generated_lib`" in finding.message
    # The label the wrapper adds is shown on the call of the wrapper.
    first, second = finding.related
    assert app_buck[first.span.start : first.span.end] == '":all_lib"'
    assert app_buck[second.span.start : second.span.end] == "app_binary"


def test_through_a_wrapper_loaded_under_another_name(tmp_path: Path) -> None:
    app_buck = (
        load_wrappers(":defs.bzl", 'binary = "app_binary"', 'lib = "all_ops_lib"')
        + 'lib(name = "all_lib")\n'
        + 'binary(name = "app", deps = [":all_lib"])\n'
    )
    files = {"app/defs.bzl": WRAPPERS_BZL, "app/BUCK": app_buck}
    (finding,) = check(write(tmp_path, files), tmp_path, "app/BUCK")
    assert app_buck[finding.span.start : finding.span.end] == '"app"'


WRAPPED_NEGATIVE = {
    "wrapper_of_another_cell": load_wrappers("@tools//tools:defs.bzl")
    + ALL_OPS_THROUGH_A_WRAPPER
    + 'app_binary(name = "app", deps = [":all_lib"])\n',
    "fbsource_wrapper": load_wrappers("fbsource//tools:defs.bzl")
    + ALL_OPS_THROUGH_A_WRAPPER
    + 'app_binary(name = "app", deps = [":all_lib"])\n',
    "bzl_missing": load_wrappers("//tools:missing.bzl")
    + ALL_OPS_THROUGH_A_WRAPPER
    + 'app_binary(name = "app", deps = [":all_lib"])\n',
    "deps_not_forwarded": load_wrappers("//tools:defs.bzl", '"lean_binary"', '"all_ops_lib"')
    + ALL_OPS_THROUGH_A_WRAPPER
    + f'lean_binary(name = "app", deps = [":all_lib", "{PORTABLE_LIB}"])\n',
    # Loaded under an alias only: the exported name is not bound in the file.
    "exported_name_not_bound": load_wrappers("//tools:defs.bzl", 'binary = "app_binary"')
    + 'load("//tools:defs.bzl", "all_ops_lib")\n'
    + ALL_OPS_THROUGH_A_WRAPPER
    + 'app_binary(name = "app", deps = [":all_lib"])\n',
    # The overlap does not depend on the arguments: reported in defs.bzl, once.
    "overlap_inside_the_wrapper": load_wrappers("//tools:defs.bzl", '"fixed_binary"')
    + 'fixed_binary(name = "a")\nfixed_binary(name = "b")\n',
}


@pytest.mark.parametrize("name", sorted(WRAPPED_NEGATIVE))
def test_no_report_through_wrappers(tmp_path: Path, name: str) -> None:
    workspace = write(tmp_path, wrapped_project(WRAPPED_NEGATIVE[name]))
    assert check(workspace, tmp_path, "app/BUCK") == []


def test_an_overlap_inside_a_loaded_wrapper_is_reported_in_its_file(tmp_path: Path) -> None:
    workspace = write(tmp_path, wrapped_project(WRAPPED_NEGATIVE["overlap_inside_the_wrapper"]))
    (finding,) = check(workspace, tmp_path, "tools/defs.bzl")
    body = WRAPPERS_BZL.index("def fixed_binary")
    line_end = WRAPPERS_BZL.index("\n", WRAPPERS_BZL.index("\n", body) + 1)
    assert body < finding.span.start < line_end


def test_editing_a_loaded_wrapper_changes_the_analysis_of_its_callers(tmp_path: Path) -> None:
    app_buck = (
        load_wrappers()
        + ALL_OPS_THROUGH_A_WRAPPER
        + 'app_binary(name = "app", deps = [":all_lib"])\n'
    )
    workspace = write(tmp_path, wrapped_project(app_buck))
    path = str((tmp_path / "app/BUCK").resolve())
    defs = str((tmp_path / "tools/defs.bzl").resolve())
    document = Document(path, LanguageId.STARLARK, workspace.read(path))  # open in an editor

    def codes() -> list[str]:
        return [f.code for f in analyze(document, Config(), workspace=workspace).findings]

    assert codes() == ["ET301"]
    before = workspace_fingerprint(workspace, defs)
    workspace.set_buffer(defs, WRAPPERS_BZL.replace(f'deps + ["{PORTABLE_LIB}"]', "deps").encode())
    assert workspace_fingerprint(workspace, defs) != before
    assert codes() == []
    workspace.set_buffer(defs, WRAPPERS_BZL.encode())
    assert codes() == ["ET301"]

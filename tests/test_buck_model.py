"""The Buck file model: targets, kinds, literal values and loads of one file."""

from __future__ import annotations

import os

import pytest

from executorch_lsp.engine import grammars
from executorch_lsp.engine.buck.model import MAY_DEFINE_CXX, LoadedFile, Loader, build
from executorch_lsp.engine.buck.values import UNKNOWN, DictValue, ListValue, is_truthy, plain
from executorch_lsp.engine.buck.wrappers import MAX_EXPANSION_DEPTH
from executorch_lsp.engine.languages import LanguageId


def model(source: str, path: str = "/repo/app/BUCK"):
    return build(path, source.encode())


def target(source: str, name: str):
    (found,) = model(source).by_name[name]
    return found


def value(source: str, key: str, name: str = "t"):
    return plain(target(source, name).value(key))


CODEGEN_LOAD = (
    'load("@fbsource//xplat/executorch/codegen:codegen.bzl", '
    '"et_operator_library", "executorch_generated_lib")\n'
)


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        ("runtime.cxx_binary", "cxx_binary"),
        ("runtime.cxx_library", "cxx_library"),
        ("runtime.cxx_test", "cxx_test"),
        ("native.cxx_library", "cxx_library"),
        ("fb_xplat_cxx_binary", "cxx_binary"),
        ("fb_android_cxx_library", "cxx_library"),
        ("cxx_binary", "cxx_binary"),
        ("executorch_generated_lib", "executorch_generated_lib"),
        ("et_operator_library", "et_operator_library"),
        ("runtime.genrule", "runtime.genrule"),
    ],
)
def test_kinds_are_normalised(call: str, kind: str) -> None:
    assert target(f'{call}(name = "t")\n', "t").kind == kind


@pytest.mark.parametrize(
    "source",
    [
        'runtime.cxx_binary(name = "t")\n',
        'fbcode_target(_kind = runtime.cxx_test, name = "t")\n',
        'load("//t.bzl", "cxx_library")\ncxx_library(name = "t")\n',
        'load("//t.bzl", lib = "cxx" + "_library")\nlib(name = "t")\n',
        'load("//t.bzl", lib = "cxx\\x5flibrary")\nlib(name = "t")\n',
        'def lib(name):\n    native.cxx_library(name = name)\nlib(name = "t")\n',
    ],
)
def test_text_of_a_file_defining_a_cxx_target(source: str) -> None:
    assert target(source, "t").is_cxx
    assert MAY_DEFINE_CXX.search(source.encode())


def test_fbcode_target_wrapper_takes_the_kind_argument() -> None:
    found = target(
        CODEGEN_LOAD + 'non_fbcode_target(_kind = executorch_generated_lib, name = "t", '
        'functions_yaml_target = ":f.yaml")\n',
        "t",
    )
    assert found.kind == "executorch_generated_lib"
    assert "_kind" not in found.arguments


def test_macro_loaded_under_another_name() -> None:
    source = (
        'load("//third-party/executorch/codegen:codegen.bzl", gen = "executorch_generated_lib")\n'
        'gen(name = "t")\n'
    )
    assert target(source, "t").kind == "executorch_generated_lib"


def test_a_function_of_the_same_file_is_not_the_macro() -> None:
    source = (
        "def executorch_generated_lib(name, **kwargs):\n    pass\n\n"
        'executorch_generated_lib(name = "t")\n'
    )
    assert target(source, "t").kind == "local:executorch_generated_lib"


def test_a_macro_loaded_from_another_file_is_not_the_codegen_one() -> None:
    source = (
        'load("//tools:defs.bzl", "executorch_generated_lib")\n'
        'executorch_generated_lib(name = "t")\n'
    )
    assert target(source, "t").kind == "loaded:executorch_generated_lib"


def test_targets_inside_functions_and_blocks() -> None:
    source = (
        "def define_common_targets():\n"
        '    runtime.cxx_library(name = "a")\n'
        "    if runtime.is_oss:\n"
        '        runtime.cxx_binary(name = "b")\n'
        "    for suffix in ['', '_x']:\n"
        '        runtime.cxx_test(name = "c" + suffix)\n'
    )
    found = model(source)
    assert set(found.by_name) == {"a", "b"}
    assert found.by_name["a"][0].function == "define_common_targets"
    assert [t.kind for t in found.targets if t.name is None] == ["cxx_test"]


def test_calls_without_a_name_are_not_targets() -> None:
    source = 'load(":targets.bzl", "define_common_targets")\ndefine_common_targets()\noncall("x")\n'
    assert model(source).targets == ()


def test_loads() -> None:
    found = model(CODEGEN_LOAD)
    assert found.loaded("executorch_generated_lib") == (
        "@fbsource//xplat/executorch/codegen:codegen.bzl",
        "executorch_generated_lib",
    )
    assert found.loaded("runtime") is None
    assert found.codegen_symbols == {
        "et_operator_library": "et_operator_library",
        "executorch_generated_lib": "executorch_generated_lib",
    }
    assert model('load("//tools:defs.bzl", "et_operator_library")\n').codegen_symbols == {}


def test_literal_values() -> None:
    source = (
        'runtime.cxx_library(name = "t", flag = True, off = False, none = None, count = 3, '
        'deps = [":a", "//b:c"], table = {"k": ["v"]})\n'
    )
    assert value(source, "flag") is True
    assert value(source, "off") is False
    assert value(source, "none") is None
    assert value(source, "count") == 3
    assert value(source, "deps") == ((":a", "//b:c"), True)
    assert value(source, "table") == (("k", (("v",), True)),)
    assert value(source, "missing") is None


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ('"plain"', "plain"),
        ("'single'", "single"),
        ('""', ""),
        ('"""triple "quoted" text"""', 'triple "quoted" text'),
        ("'''two\nlines'''", "two\nlines"),
        ('"it\'s"', "it's"),
        ('"tab\\tescape"', "tab\tescape"),
        ('r"raw\\d"', "raw\\d"),
        ('b"bytes"', UNKNOWN),
        ('f"{x}"', UNKNOWN),
    ],
)
def test_string_literals(literal: str, expected: object) -> None:
    assert value(f'runtime.cxx_library(name = "t", text = {literal})\n', "text") == expected


def test_names_bound_once_are_followed() -> None:
    source = (
        'COMMON = [":a"]\n'
        "def define():\n"
        '    extra = [":b"]\n'
        '    runtime.cxx_library(name = "t", deps = COMMON + extra + [":c"])\n'
    )
    assert value(source, "deps") == ((":a", ":b", ":c"), True)


def test_unknown_parts_keep_the_known_items() -> None:
    source = (
        'runtime.cxx_library(name = "t", deps = [":a"] + select({"DEFAULT": [":b"]}), '
        "srcs = glob(['*.cpp']))\n"
    )
    assert value(source, "deps") == ((":a",), False)
    assert value(source, "srcs") is UNKNOWN


@pytest.mark.parametrize(
    "binding",
    [
        'lib = [":x"]\nlib.append(":y")\n',  # mutated
        'lib = {"k": ":x"}\nlib["k"] = ":y"\n',  # item assigned
        'lib = [":x"]\nlib[0] += ":y"\n',  # item changed
        'lib = [":x"]\ndef more():\n    lib[0]\u200b= ":y"\n',  # a zero-width space
        'lib = [":x"]\ndef more():\n    lib[0]: str = ":y"\n',  # annotated
        'lib = [":x"]\ndef more():\n    lib.extend([":y"])\n',  # mutated in a function
        'lib = [":x"]\nlib = [":y"]\n',  # assigned twice
        'lib = [":x"]\nlib += [":y"]\n',  # augmented
        "lib = [d for d in DEPS]\n",  # comprehension
        'lib = [":x"] if FLAG else []\n',  # conditional
    ],
)
def test_values_that_cannot_be_known(binding: str) -> None:
    source = binding + 'runtime.cxx_binary(name = "t", deps = lib)\n'
    assert value(source, "deps") is UNKNOWN


def test_parameters_and_loop_variables_are_unknown() -> None:
    source = (
        "def wrapper(name, aten_mode):\n"
        '    executorch_generated_lib(name = name, aten_mode = aten_mode, deps = [":a"])\n'
        "for mode in [True, False]:\n"
        '    executorch_generated_lib(name = "t", aten_mode = mode)\n'
    )
    found = model(source)
    wrapped = next(t for t in found.targets if t.function == "wrapper")
    assert wrapped.name is None and wrapped.value("aten_mode") is UNKNOWN
    assert found.by_name["t"][0].value("aten_mode") is UNKNOWN


def test_kwargs_dicts_are_merged_and_unknown_kwargs_open_the_call() -> None:
    source = (
        'ARGS = {"functions_yaml_target": ":f.yaml"}\n'
        'executorch_generated_lib(name = "t", **ARGS)\n'
        'executorch_generated_lib(name = "u", **get_kwargs())\n'
    )
    found = model(source)
    merged = found.by_name["t"][0]
    assert merged.value("functions_yaml_target") == ":f.yaml" and not merged.open_arguments
    opened = found.by_name["u"][0]
    assert opened.open_arguments and opened.value("custom_ops_yaml_target") is UNKNOWN


def test_positional_name_of_a_macro() -> None:
    assert target('executorch_generated_lib("t", deps = [])\n', "t").kind == (
        "executorch_generated_lib"
    )


@pytest.mark.parametrize(
    "source",
    [
        'runtime.cxx_library(name = "t", deps = [":a",\n',  # unterminated
        'runtime.cxx_library(name = "t", deps = [":a"] +)\n',
        "def broken(:\n    pass\n",
        "\x00\xff garbage (((",
        "",
    ],
)
def test_files_that_do_not_parse_do_not_crash(source: str) -> None:
    found = model(source)
    for target_found in found.targets:
        for item in target_found.arguments.values():
            plain(item.value)


def test_text_that_did_not_parse_gives_no_values() -> None:
    source = 'runtime.cxx_library(name = "t", deps = [":a"] +)\nx = 1\n'
    found = model(source)
    for target_found in found.targets:
        assert target_found.value("deps") is UNKNOWN or target_found.open_arguments


def test_truthiness() -> None:
    assert is_truthy(ListValue((), True)) is False
    assert is_truthy(ListValue((), False)) is None
    assert is_truthy(DictValue(())) is False
    assert is_truthy(UNKNOWN) is None
    assert is_truthy("x") is True


WRAPPER = (
    "def app_binary(name, deps = [], visibility = None, **kwargs):\n"
    '    runtime.cxx_binary(name = name, deps = deps + [":base"], **kwargs)\n'
)


def test_functions_of_the_file_are_read_through_with_their_arguments() -> None:
    source = WRAPPER + 'app_binary(name = "app", deps = [":lib"], srcs = ["main.cpp"])\n'
    found = model(source)
    (app,) = found.by_name["app"]
    assert app.kind == "cxx_binary"
    assert plain(app.value("deps")) == ((":lib", ":base"), True)
    assert plain(app.value("srcs")) == (("main.cpp",), True)
    call = source.index('app_binary(name = "app"')
    assert app.start == call and app.origin == source.index("runtime.cxx_binary")
    assert source[app.name_item.start : app.name_item.end] == '"app"'


def test_defaults_and_unknown_arguments_of_a_wrapper() -> None:
    source = WRAPPER + 'app_binary(name = "a")\napp_binary(name = "b", **EXTRA)\n'
    found = model(source)
    assert plain(found.by_name["a"][0].value("deps")) == ((":base",), True)
    opened = found.by_name["b"][0]
    assert plain(opened.value("deps")) == ((":base",), False) and opened.open_arguments


def test_positional_arguments_of_a_wrapper() -> None:
    source = WRAPPER + 'app_binary("app", [":lib"])\n'
    assert plain(model(source).by_name["app"][0].value("deps")) == ((":lib", ":base"), True)


def test_recursive_functions_end() -> None:
    source = (
        'def f(name):\n    f(name = name)\n    runtime.cxx_library(name = name)\nf(name = "x")\n'
    )
    assert [t.kind for t in model(source).targets if t.name == "x"] == ["local:f", "cxx_library"]


def test_define_common_targets_called_in_the_file_defines_its_targets_once() -> None:
    source = (
        'def define_common_targets():\n    runtime.cxx_library(name = "a")\n'
        "define_common_targets()\n"
    )
    assert len(model(source).by_name["a"]) == 1


# -- wrappers loaded from other .bzl files -------------------------------------------------------
DEFS_BZL = (
    CODEGEN_LOAD + 'BASE = ":base"\n'
    "def app_binary(name, deps = [], **kwargs):\n"
    "    runtime.cxx_binary(name = name, deps = deps + [BASE], **kwargs)\n"
    "def operators(name, ops = [], **kwargs):\n"
    '    et_operator_library(name = name + "_ops", ops = ops)\n'
    '    executorch_generated_lib(name = name, deps = [":" + name + "_ops"], **kwargs)\n'
)


def loader_of(files: dict[str, str], folder: str = "/repo/tools") -> Loader:
    """Finds ``:name`` and ``//tools:name`` labels in ``files`` (the folder /repo/tools)."""

    def load(label: str, from_path: str) -> LoadedFile | None:
        if label.startswith("//tools:"):
            path = f"{folder}/{label.split(':', 1)[1]}"
        elif label.startswith(":"):
            path = f"{os.path.dirname(from_path)}/{label[1:]}"
        else:
            return None
        text = files.get(path)
        if text is None:
            return LoadedFile(path, 0, b"", None)
        data = text.encode()
        return LoadedFile(path, 7, data, grammars.parse(LanguageId.STARLARK, data))

    return load


def loaded_model(source: str, files: dict[str, str]):
    return build("/repo/app/BUCK", source.encode(), loader=loader_of(files))


def test_a_wrapper_loaded_from_another_file_is_read_through() -> None:
    source = (
        'load("//tools:defs.bzl", "app_binary")\n'
        'app_binary(name = "app", deps = [":lib"], srcs = ["main.cpp"])\n'
    )
    found = loaded_model(source, {"/repo/tools/defs.bzl": DEFS_BZL})
    (app,) = found.by_name["app"]
    assert app.kind == "cxx_binary" and app.path == "/repo/app/BUCK"
    assert plain(app.value("deps")) == ((":lib", ":base"), True)
    assert plain(app.value("srcs")) == (("main.cpp",), True)
    assert app.origin_path == "/repo/tools/defs.bzl"
    assert app.origin == DEFS_BZL.index("runtime.cxx_binary")
    assert found.sources == (("/repo/tools/defs.bzl", 7),)
    # What the call passes keeps its place; what the wrapper adds is placed on the call.
    lib, base = app.value("deps").items
    assert source[lib.start : lib.end] == '":lib"'
    assert (base.start, base.end) == (app.callee_start, app.callee_end)
    assert source[app.callee_start : app.callee_end] == "app_binary"


def test_one_call_of_a_loaded_wrapper_defines_several_targets() -> None:
    source = (
        'load(":defs.bzl", lib = "operators")\n'
        'lib(name = "x", ops = ["aten::add.out"], functions_yaml_target = ":f.yaml")\n'
    )
    found = build(
        "/repo/tools/BUCK", source.encode(), loader=loader_of({"/repo/tools/defs.bzl": DEFS_BZL})
    )
    (ops,) = found.by_name["x_ops"]
    (lib,) = found.by_name["x"]
    assert (ops.kind, lib.kind) == ("et_operator_library", "executorch_generated_lib")
    assert plain(lib.value("deps")) == ((":x_ops",), True)
    assert lib.value("functions_yaml_target") == ":f.yaml"
    assert ops.key != lib.key and ops.start == lib.start


def test_only_what_a_load_binds_is_read_through() -> None:
    source = (
        'load("//tools:defs.bzl", my_binary = "app_binary")\n'
        'my_binary(name = "a")\n'
        'app_binary(name = "b")\n'
    )
    found = loaded_model(source, {"/repo/tools/defs.bzl": DEFS_BZL})
    assert found.by_name["a"][0].kind == "cxx_binary"
    assert found.by_name["b"][0].kind == "app_binary"


@pytest.mark.parametrize(
    "label",
    [
        "@tools//tools:defs.bzl",  # another cell: the loader does not follow it
        "//tools:missing.bzl",
        "//tools:broken.bzl",
    ],
)
def test_wrappers_that_cannot_be_read_define_nothing(label: str) -> None:
    files = {
        "/repo/tools/defs.bzl": DEFS_BZL,
        "/repo/tools/broken.bzl": DEFS_BZL + "def broken(:\n",
    }
    source = f'load("{label}", "app_binary")\napp_binary(name = "app", deps = [":lib"])\n'
    (app,) = loaded_model(source, files).by_name["app"]
    assert app.kind == "app_binary" and app.origin is None


def test_calls_without_a_name_are_not_read_through() -> None:
    files = {
        "/repo/app/targets.bzl": 'def define_targets(x):\n    runtime.cxx_library(name = "t")\n'
    }
    source = 'load(":targets.bzl", "define_targets")\ndefine_targets(True)\n'
    assert loaded_model(source, files).targets == ()


def test_loaded_wrappers_call_their_own_functions_and_loads() -> None:
    files = {
        "/repo/tools/defs.bzl": DEFS_BZL,
        "/repo/tools/more.bzl": 'load(":defs.bzl", "app_binary")\n'
        "def _tested(name, **kwargs):\n"
        '    app_binary(name = name, deps = [":gtest"], **kwargs)\n'
        "def tested_binary(name, **kwargs):\n"
        "    _tested(name = name, **kwargs)\n",
    }
    source = 'load("//tools:more.bzl", "tested_binary")\ntested_binary(name = "t", srcs = [])\n'
    found = loaded_model(source, files)
    (t,) = found.by_name["t"]
    assert t.kind == "cxx_binary" and t.origin_path == "/repo/tools/defs.bzl"
    assert plain(t.value("deps")) == ((":gtest", ":base"), True)
    assert dict(found.sources) == {"/repo/tools/more.bzl": 7, "/repo/tools/defs.bzl": 7}


def test_wrappers_loading_each_other_end() -> None:
    files = {
        "/repo/tools/a.bzl": 'load(":b.bzl", "b")\ndef a(name):\n    b(name = name)\n',
        "/repo/tools/b.bzl": 'load(":a.bzl", "a")\ndef b(name):\n    a(name = name)\n',
    }
    source = 'load("//tools:a.bzl", "a")\na(name = "x")\n'
    assert [t.kind for t in loaded_model(source, files).targets] == ["a"]


def test_wrappers_are_read_through_up_to_a_depth() -> None:
    last = MAX_EXPANSION_DEPTH + 1
    chain = {
        f"/repo/tools/w{index}.bzl": f'load(":w{index + 1}.bzl", "w{index + 1}")\n'
        f"def w{index}(name):\n    w{index + 1}(name = name)\n"
        for index in range(1, last)
    }
    chain[f"/repo/tools/w{last}.bzl"] = (
        f"def w{last}(name):\n    runtime.cxx_library(name = name)\n"
    )
    deep = 'load("//tools:w1.bzl", "w1")\nw1(name = "x")\n'
    assert [t.kind for t in loaded_model(deep, chain).targets] == [f"w{last}"]  # not read
    shallow = 'load("//tools:w2.bzl", "w2")\nw2(name = "x")\n'
    assert [t.kind for t in loaded_model(shallow, chain).targets] == ["cxx_library"]


def test_wrapper_digest_follows_what_calls_read() -> None:
    def digest(text: str) -> int | None:
        return build("/repo/tools/defs.bzl", text.encode()).wrapper_digest

    assert digest("def define_common_targets():\n    pass\n") is None
    assert digest(DEFS_BZL) == digest(DEFS_BZL + "# a comment\n")
    assert digest(DEFS_BZL) != digest(DEFS_BZL.replace('":base"', '":other"'))

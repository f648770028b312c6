"""CMake presets: cache variables and generators with inheritance."""

from __future__ import annotations

from executorch_lsp.engine.cmake_presets import read_presets

PRESETS = b"""{
  "version": 6,
  "configurePresets": [
    {"name": "common", "hidden": true, "cacheVariables": {"EXECUTORCH_BUILD_XNNPACK": "ON"}},
    {"name": "release", "inherits": "common",
     "cacheVariables": {"CMAKE_BUILD_TYPE": {"type": "STRING", "value": "Release"}}},
    {"name": "xcode", "inherits": ["common"], "generator": "Xcode",
     "cacheVariables": {"EXECUTORCH_BUILD_COREML": true}}
  ]
}"""


def test_inheritance_typed_values_and_generators() -> None:
    files = {"/p/CMakePresets.json": PRESETS}
    presets = {p.name: p for p in read_presets(files.get, "/p")}
    release = presets["release"]
    assert release.cache_variables == {
        "EXECUTORCH_BUILD_XNNPACK": "ON",
        "CMAKE_BUILD_TYPE": "Release",
    }
    assert not release.multi_config
    xcode = presets["xcode"]
    assert xcode.multi_config and xcode.cache_variables["EXECUTORCH_BUILD_COREML"] == "TRUE"


def test_user_presets_and_broken_files() -> None:
    files = {
        "/p/CMakePresets.json": b"{ not json",
        "/p/CMakeUserPresets.json": b'{"configurePresets": [{"name": "me", "inherits": "me"}]}',
    }
    (preset,) = read_presets(files.get, "/p")
    assert preset.name == "me" and preset.cache_variables == {}
    assert read_presets({}.get, "/p") == []

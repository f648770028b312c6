"""CMakePresets.json / CMakeUserPresets.json: each configure preset's cache variables and
generator, with ``inherits`` resolved. Broken files give no presets, never an error."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field

PRESET_FILES = ("CMakePresets.json", "CMakeUserPresets.json")
MULTI_CONFIG_GENERATORS = ("Xcode", "Visual Studio", "Ninja Multi-Config")


@dataclass(frozen=True)
class ConfigurePreset:
    name: str
    cache_variables: dict[str, str] = field(default_factory=dict)
    generator: str | None = None
    hidden: bool = False  # a base for others, not selectable itself

    @property
    def multi_config(self) -> bool:
        return bool(self.generator) and self.generator.startswith(MULTI_CONFIG_GENERATORS)


def read_presets(read: Callable[[str], bytes | None], folder: str) -> list[ConfigurePreset]:
    raw: dict[str, dict] = {}
    for name in PRESET_FILES:
        data = read(os.path.join(folder, name))
        if data is None:
            continue
        try:
            document = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            continue
        presets = document.get("configurePresets") if isinstance(document, dict) else None
        for preset in presets if isinstance(presets, list) else []:
            if isinstance(preset, dict) and isinstance(preset.get("name"), str):
                raw[preset["name"]] = preset
    return [_resolve(name, raw, set()) for name in raw]


def _resolve(name: str, raw: dict[str, dict], seen: set[str]) -> ConfigurePreset:
    preset = raw.get(name, {})
    seen = seen | {name}
    variables: dict[str, str] = {}
    generator = None
    parents = preset.get("inherits", [])
    for parent in [parents] if isinstance(parents, str) else parents:
        if isinstance(parent, str) and parent in raw and parent not in seen:
            inherited = _resolve(parent, raw, seen)
            variables = {**inherited.cache_variables, **variables}
            generator = generator or inherited.generator
    own = preset.get("cacheVariables", {})
    for key, value in own.items() if isinstance(own, dict) else ():
        if isinstance(value, dict):
            value = value.get("value")
        if isinstance(value, (str, bool)):
            variables[key] = str(value).upper() if isinstance(value, bool) else value
    if isinstance(preset.get("generator"), str):
        generator = preset["generator"]
    return ConfigurePreset(name, variables, generator, preset.get("hidden") is True)

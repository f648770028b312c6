"""Configuration files and editor overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from executorch_lsp.engine.config import Config, ConfigError, find_config_file, load_file, load_for
from executorch_lsp.engine.findings import Severity


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_enable_every_rule() -> None:
    config = Config()
    assert config.is_enabled("ET101") and config.is_enabled("ET900")


def test_pyproject_table(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        """
[project]
name = "app"
[tool.executorch-lsp]
select = ["ET1"]
ignore = ["ET105"]
exclude = ["generated/**"]
[tool.executorch-lsp.severity]
ET101 = "warning"
""",
    )
    config = load_for(tmp_path / "src" / "main.cpp")
    assert config.is_enabled("ET101") and not config.is_enabled("ET105")
    assert not config.is_enabled("ET900")
    assert config.severity_for("ET101", Severity.ERROR) is Severity.WARNING
    assert config.exclude == ("generated/**",) and config.root == tmp_path


def test_pyproject_without_our_table_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config_file(tmp_path) is None
    assert load_for(tmp_path) == Config()


def test_dedicated_file_wins_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.executorch-lsp]\nignore = ['ET101']\n")
    write(tmp_path / ".executorch-lsp.toml", "ignore = ['ET900']\n")
    assert find_config_file(tmp_path).name == ".executorch-lsp.toml"
    assert load_for(tmp_path).is_enabled("ET101")


def test_nearest_configuration_applies(tmp_path: Path) -> None:
    write(tmp_path / ".executorch-lsp.toml", "ignore = ['ET101']\n")
    write(tmp_path / "app" / ".executorch-lsp.toml", "ignore = ['ET900']\n")
    assert load_for(tmp_path / "app" / "x.cpp").is_enabled("ET101")
    assert not load_for(tmp_path / "other" / "x.cpp").is_enabled("ET101")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("select = [ET101\n", "invalid TOML"),
        ("selekt = ['ET101']\n", "unknown key(s): selekt"),
        ("select = ['ET199']\n", "unknown rule code 'ET199'"),
        ("ignore = ['E501']\n", "not a rule code or prefix"),
        ("select = 'ET101'\nignore = [1]\n", "'ignore' must be a list of strings"),
        ("[severity]\nET101 = 'fatal'\n", "'fatal' is not one of error, warning, info, hint"),
    ],
)
def test_broken_configuration_gives_a_clear_message(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path / ".executorch-lsp.toml", text)
    with pytest.raises(ConfigError) as raised:
        load_file(path)
    assert message in str(raised.value)
    assert str(path) in str(raised.value)


def test_binary_config_file(tmp_path: Path) -> None:
    path = tmp_path / ".executorch-lsp.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="cannot read"):
        load_file(path)


def test_editor_settings_override_the_file(tmp_path: Path) -> None:
    base = Config(select=("ET1",), ignore=("ET105",))
    merged = base.with_overrides({"ignore": ["ET101"], "severity": {"ET900": "hint"}})
    assert not merged.is_enabled("ET101") and not merged.is_enabled("ET105")
    assert merged.severity_for("ET900", Severity.WARNING) is Severity.HINT
    assert base.with_overrides({"select": ["ALL"]}).is_enabled("ET900")
    with pytest.raises(ConfigError, match="unknown rule code"):
        base.with_overrides({"ignore": ["ET555"]})

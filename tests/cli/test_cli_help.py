"""Every command explains itself: --help works and shows an example."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from cbe_bridge.cli import main


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        if isinstance(command, click.Group):
            found += _commands(command, path)
        else:
            found.append(path)
    return found


@pytest.mark.parametrize("path", _commands(main), ids=lambda p: " ".join(p))
def test_every_command_has_help_with_an_example(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"'cbe-bridge {' '.join(path)} --help' shows no example"


def test_top_level_help_documents_exit_codes():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "Exit codes" in result.output


def test_unknown_config_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "nope.toml"), "sync"])
    assert result.exit_code == 2
    assert "no configuration file" in result.output
    assert "Traceback" not in result.output


def test_bad_config_names_file_and_key(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[store]\nurl = "x.db"\nbogus = 1\n')
    result = CliRunner().invoke(main, ["--config", str(config), "status"])
    assert result.exit_code == 2
    assert "store.bogus" in result.output

"""Commands that read computed figures, run before anything is computed: a usage error (exit 2)
that says to compute first, the same from every command, and nothing written."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cbe_bridge.cli import main
from cbe_bridge.store import open_store


@pytest.mark.parametrize("command", [["transcript", "--class-of", "2027"], ["attachment", "--class-of", "2027"],
                                     ["gpa"], ["gpa", "--class-of", "2027"]])
def test_reading_figures_before_compute_says_to_compute_first(demo_run, tmp_path, command):
    empty = tmp_path / "empty.db"
    open_store(empty).dispose()
    out = tmp_path / "out"
    extra = ["--out", str(out)] if command[0] in ("transcript", "attachment") else []
    result = CliRunner().invoke(main, ["--config", str(demo_run.config), "--db", str(empty), *command, *extra])
    assert result.exit_code == 2, result.output
    assert "the store holds no computed results" in result.output
    assert "run 'cbe-bridge compute' first" in result.output
    assert not out.exists() or not any(out.iterdir())

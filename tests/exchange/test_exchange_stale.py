"""Exports refuse figures computed under another mapping than the one in force; explain and gpa
say so.

A counselor who edits the mapping (here: the GPA points) and exports before computing again
would otherwise get credentials and transcripts whose figures come from the old mapping and
whose rules, descriptions and fingerprint come from the new one.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from cbe_bridge.cli import main
from cbe_bridge.exchange.signing import write_private_key


def _edited_config(demo, tmp_path):  # noqa: ANN001, ANN202
    """The demo's configuration with its mapping extended by a district edit, store unchanged."""
    text = demo.config.read_text(encoding="utf-8")
    start = text.index("files = [") + len("files = [")
    original = text[start:text.index("]", start)].strip().strip('"')
    edit = tmp_path / "edit.yaml"
    edit.write_text(f"version: 1\nextends: {original}\n"
                    "gpa:\n  points: {A: 4.0, B: 3.0, C: 2.0, D: 0.5, F: 0.0}\n", encoding="utf-8")
    store = (demo.config.parent / "cbe-bridge.db").as_posix()
    text = text.replace(f'"{original}"', f'"{edit.as_posix()}"').replace('url = "cbe-bridge.db"', f'url = "{store}"')
    config = tmp_path / "cbe-bridge.toml"
    config.write_text(text, encoding="utf-8")
    return config


def test_pesc_and_clr_refuse_figures_from_another_mapping(demo, tmp_path, rsa_key):
    config = _edited_config(demo, tmp_path)
    key = write_private_key(rsa_key, tmp_path / "key.pem")
    for command in (["pesc", "stu-000001"], ["clr", "stu-000001", "--key", str(key)]):
        out = tmp_path / command[0]
        result = CliRunner().invoke(main, ["--config", str(config), *command, "--out", str(out)])
        assert result.exit_code == 1, result.output
        assert "mapping or continuum changed since the figures were computed" in result.output
        assert "cbe-bridge compute" in result.output
        assert not out.exists() or not any(out.iterdir())


def test_explain_says_the_mapping_changed_since_the_figures_were_computed(demo, tmp_path):
    config = _edited_config(demo, tmp_path)
    result = CliRunner().invoke(main, ["--config", str(config), "explain", "stu-000001"])
    assert result.exit_code == 0, result.output
    assert "the mapping or continuum changed since the last 'cbe-bridge compute'" in result.output
    same = CliRunner().invoke(main, ["--config", str(demo.config), "explain", "stu-000001"])
    assert "mapping or continuum changed" not in same.output


def test_gpa_warns_that_the_mapping_changed_and_prints_the_stored_figures(demo, tmp_path):
    config = _edited_config(demo, tmp_path)
    result = CliRunner().invoke(main, ["--config", str(config), "gpa", "stu-000001", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "mapping or continuum changed since the last 'cbe-bridge compute'" in result.stderr
    same = CliRunner().invoke(main, ["--config", str(demo.config), "gpa", "stu-000001", "--format", "json"])
    assert same.stderr == ""
    assert json.loads(result.stdout) == json.loads(same.stdout)  # the stored figures, as they are

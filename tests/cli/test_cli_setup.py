"""init writes a working starter; continuum show reads a real CASE package."""

from __future__ import annotations

import stat

from click.testing import CliRunner
from conftest import standards_path

from cbe_bridge.cli import main
from cbe_bridge.config import load_settings
from cbe_bridge.mapping import load_mapping


def test_init_writes_a_starter_that_loads(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    settings = load_settings(tmp_path / "cbe-bridge.toml")
    assert settings.sources[0].kind == "oneroster-csv"
    mapping = load_mapping([tmp_path / "mapping.yaml"])
    assert mapping.default_proficiency_scale().proficient_at == 3
    assert stat.S_IMODE((tmp_path / "cbe-bridge.toml").stat().st_mode) == 0o600
    again = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert again.exit_code == 2 and "--force" in again.output
    # The commented credit_rule, once uncommented, changes only the keys it writes.
    starter = tmp_path / "mapping.yaml"
    starter.write_text(starter.read_text().replace("# credit_rule:", "credit_rule:"))
    rule = load_mapping([starter]).credit_rule
    assert (rule.method, rule.default_credits, rule.pass_letters, rule.fail_letters) == \
        ("course_grade", 0.5, ["P", "CR"], ["NC"])


def test_continuum_show_opensalt_sample():
    sample = standards_path("case", "samples", "opensalt-framework-20c5134f-ccss-math-7RP-sample.json")
    result = CliRunner().invoke(main, ["continuum", "show", str(sample)])
    assert result.exit_code == 0, result.output
    assert "CCSS.Math.Content.6.RP.A" in result.output
    assert "└──" in result.output


def test_mapping_validate_reports_file_line_column(tmp_path):
    bad = tmp_path / "m.yaml"
    bad.write_text("version: 1\naggregation:\n  default: {method: decaying_avrage, weight: 0.65}\n")
    result = CliRunner().invoke(main, ["mapping", "validate", str(bad)])
    assert result.exit_code == 2
    assert "m.yaml:3:" in result.output and "Traceback" not in result.output

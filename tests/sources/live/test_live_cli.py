"""The command line with live sources: summaries, JSON logs, progress, status of failing sources."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from live.helpers import write_config

from cbe_bridge.cli import main
from cbe_bridge.store import open_store
from fakes import canvas as fake_canvas
from fakes import edfi as fake_edfi
from fakes import oneroster as fake_or


@pytest.fixture
def config(tmp_path, server):
    fake_or.OneRosterFake(server, fake_or.district(students=5, classes=2))
    fake_edfi.EdFiFake(server, fake_edfi.district(students=4))
    fake_canvas.CanvasFake(server, fake_canvas.district(courses=1, students=3))
    return write_config(tmp_path, server.url)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_sync_prints_a_summary_per_collection_and_json_logs(config):
    result = run("--config", str(config), "--log-format", "json", "sync")
    assert result.exit_code == 0, result.output
    assert "collection" in result.stdout and "retries" in result.stdout
    assert "submissions/100" in result.stdout and "sis: ok" in result.stdout
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    summary = {line["source"]: line for line in lines if line.get("event") == "summary"}
    assert set(summary) == {"sis", "ods", "lms"}
    assert summary["sis"]["inserted"] > 0 and "seconds" in summary["sis"]
    assert all({"ts", "level", "logger", "msg"} <= set(line) for line in lines)


def test_progress_bars_can_be_forced_on(config):
    result = run("--config", str(config), "sync", "--progress", "--source", "sis")
    assert result.exit_code == 0, result.output
    assert "users" in result.stderr  # a bar per collection


def test_dry_run_counts_and_writes_nothing(config, tmp_path):
    result = run("--config", str(config), "sync", "--dry-run", "--source", "ods")
    assert result.exit_code == 0, result.output
    assert "ods: dry-run" in result.stdout
    store = open_store(tmp_path / "store.db")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM users").scalar() == 0
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM sync_state").scalar() == 0
    store.dispose()


def test_status_reports_a_failing_source_and_check_exits_1(config, server):
    assert run("--config", str(config), "sync").exit_code == 0
    assert run("--config", str(config), "status", "--check").exit_code == 0
    server.fault("status", match="availableChangeVersions", status=503, times=1000)
    failed = run("--config", str(config), "sync")
    assert failed.exit_code == 1
    assert "ods: failed" in failed.stdout and "sis: ok" in failed.stdout  # the other sources go on
    status = run("--config", str(config), "status", "--check")
    assert status.exit_code == 1
    assert "FAILING source ods: 1 sync(s) in a row failed" in status.stdout
    assert "last success" in status.stdout
    as_json = run("--config", str(config), "status", "--check", "--format", "json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)  # what a monitor reads: the same facts as the table
    assert [f["source"] for f in report["failing"]] == ["ods"] and report["failing"][0]["failures"] == 1
    assert report["pending_rejects"] >= 0 and report["store"].endswith("store.db")
    assert {r["source"] for r in report["runs"]} >= {"ods", "sis"}


def test_missing_secrets_are_all_reported_before_anything_runs(config, monkeypatch, server):
    monkeypatch.delenv("OR_CLIENT_SECRET")
    monkeypatch.delenv("CANVAS_TOKEN")
    result = run("--config", str(config), "sync")
    assert result.exit_code == 2
    assert "sources.sis.auth.client_secret" in result.output and "sources.lms.token" in result.output
    assert "environment variable OR_CLIENT_SECRET" in result.output
    assert server.count == 0  # nothing was asked of any API

"""Unattended runs: a sync killed with SIGKILL mid-pull resumes and ends with the store an
uninterrupted sync gives; a second sync meanwhile exits at once with code 3; status reports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from live.helpers import ENV, district_server, snapshot, write_config

from cbe_bridge.app import App
from cbe_bridge.cli import main
from cbe_bridge.store import open_store
from cbe_bridge.store.schema import sync_runs, sync_state
from cbe_bridge.sync import sync_sources


def cli(config: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, **ENV, "PYTHONPATH": str(Path(__file__).resolve().parents[3] / "src")}
    return subprocess.Popen([sys.executable, "-m", "cbe_bridge", "--config", str(config), "--log-format", "json", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)


def state_keys(store) -> set[tuple[str, str]]:
    with store.engine.connect() as conn:
        return {(r.source, r.stream) for r in conn.execute(sa.select(sync_state.c.source, sync_state.c.stream))}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The store an uninterrupted sync of the three sources gives."""
    folder = tmp_path_factory.mktemp("reference")
    with pytest.MonkeyPatch.context() as env, district_server() as server:
        for k, v in ENV.items():
            env.setenv(k, v)
        config = write_config(folder, server.url)
        app = App.from_options(str(config), None, False)
        outcomes = sync_sources(app.store(), app.sources())
        assert [o.status for o in outcomes] == ["ok", "ok", "ok"], [o.message for o in outcomes]
        store = app.store()
        yield snapshot(store), state_keys(store)
        app.close()


def test_killed_with_sigkill_three_times_then_resumed_equals_an_uninterrupted_sync(tmp_path, reference):
    expected, expected_keys = reference
    with district_server(latency=0.004) as server:
        config = write_config(tmp_path, server.url)
        kills = []
        for kill_at in (12, 25, 20):  # of ~80 requests in all: mid OneRoster, mid Ed-Fi, in Canvas
            arrived, release = threading.Event(), threading.Event()
            start = server.count

            def hold(request, n, start=start, kill_at=kill_at, arrived=arrived, release=release):
                if n - start == kill_at:  # this request hangs until the process is killed
                    arrived.set()
                    release.wait(30)

            server.hooks[:] = [hold]
            proc = cli(config, "sync")
            if not arrived.wait(60):
                proc.kill()
                pytest.fail(f"the sync never reached request {kill_at}: {proc.communicate()[1][-2000:]}")
            if not kills:  # meanwhile, a second sync refuses to run: exit 3, nothing done
                second = CliRunner().invoke(main, ["--config", str(config), "sync"])
                assert second.exit_code == 3, second.output
                assert "another cbe-bridge sync is running" in second.output
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(30)
            release.set()
            kills.append(proc.returncode)
        assert kills == [-signal.SIGKILL] * 3
        store = open_store(tmp_path / "store.db")
        with store.engine.connect() as conn:
            statuses = [r.status for r in conn.execute(sa.select(sync_runs.c.status).order_by(sync_runs.c.id))]
        assert statuses and statuses[-1] == "running"  # the kill left it so
        status = CliRunner().invoke(main, ["--config", str(config), "status", "--check"])
        assert status.exit_code == 1 and "FAILING source" in status.output  # the killed run is reported
        server.hooks.clear()
        final = cli(config, "sync")
        out, err = final.communicate(timeout=120)
        assert final.returncode == 0, err[-3000:]
        assert snapshot(store) == expected
        assert state_keys(store) == expected_keys  # watermarks only: no positions or cycles left over
        with store.engine.connect() as conn:
            statuses = [r.status for r in conn.execute(sa.select(sync_runs.c.status).order_by(sync_runs.c.id))]
        assert "interrupted" in statuses and statuses[-3:] == ["ok", "ok", "ok"]
        lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
        summaries = [line for line in lines if line.get("event") == "summary"]
        assert {s["source"] for s in summaries} == {"sis", "ods", "lms"}
        assert any(line.get("event") == "resume" for line in lines)
        text = err + out
        for secret in ENV.values():
            assert secret not in text
        assert "Given1" not in text and "Family1" not in text  # no student data in the logs
        store.dispose()

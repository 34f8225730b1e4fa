"""[identity] from the command line: sync, status, identity, compute and explain; config errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cbe_bridge.cli import main

from .conftest import PERSONAL, canvas_account, sis_bundle

CONFIG = """\
[store]
url = "store.db"

[mapping]
files = ["policy/mapping.yaml"]

[[sources]]
name = "sis"
kind = "oneroster-csv"
path = "sis"

[[sources]]
name = "lms"
kind = "canvas"
base_url = "{url}"
token = {{ env = "CANVAS_TOKEN" }}
retries = {{ attempts = 3, backoff = 0.01, max_wait = 0.05 }}
"""

IDENTITY = """
[identity]
primary = "sis"

[identity.sources.lms]
keys = [{ field = "identifier" }, { field = "email" }]
"""


@pytest.fixture
def setup(tmp_path, server, fake_secrets, policy_files):
    """A SIS bundle with local ids S0000..S0002 and a Canvas course with S0000..S0003."""
    data = canvas_account(server)
    sis_bundle(tmp_path / "sis", ["S0000", "S0001", "S0002"])
    config = tmp_path / "cbe-bridge.toml"
    config.write_text(CONFIG.format(url=server.url) + IDENTITY)
    return config, data


def run(config, *args: str):
    return CliRunner().invoke(main, ["--config", str(config), *args])


def _no_personal_data(*texts: str) -> None:
    for text in texts:
        for value in PERSONAL:
            assert value not in text, value


def test_sync_status_identity_compute_and_explain(setup):
    config, _ = setup
    synced = run(config, "sync")
    assert synced.exit_code == 0, synced.output
    line = "identity lms -> sis: 3 linked (identifier 3), 0 ambiguous, 1 unmatched; see 'cbe-bridge identity'"
    assert line in synced.stdout
    status = run(config, "status")
    assert status.exit_code == 0 and line in status.stdout
    as_json = json.loads(run(config, "status", "--format", "json").stdout)
    assert as_json["identity"] == [{"source": "lms", "primary": "sis", "linked": 3, "ambiguous": 0,
                                    "unmatched": 1, "by_key": {"identifier": 3}}]
    listed = run(config, "identity")
    assert listed.exit_code == 0, listed.output
    assert "1003" in listed.stdout and "no key matched" in listed.stdout and "1000" not in listed.stdout
    rows = json.loads(run(config, "identity", "--format", "json").stdout)
    assert rows == [{"source": "lms", "person_id": "1003", "status": "unmatched",
                     "reason": "no key matched a primary student", "key_field": None, "student_source": "sis",
                     "students": ""}]
    linked = json.loads(run(config, "identity", "--status", "linked", "--format", "json").stdout)
    assert [(r["person_id"], r["students"]) for r in linked] == [("1000", "u1"), ("1001", "u2"), ("1002", "u3")]
    assert run(config, "identity", "--check").exit_code == 0
    computed = run(config, "compute", "--as-of", "2025-06-01", "--workers", "1")
    assert computed.exit_code == 0, computed.output
    assert "computed 4 students" in computed.stdout and "identity lms -> sis: 3 linked" in computed.stdout
    # S0000 is the local id of sis/u1 and of lms/1000 (sis_user_id): one student, linked.
    explained = run(config, "explain", "S0000", "M.C1.T1")
    assert explained.exit_code == 0, explained.output
    assert "Student sis/u1" in explained.stdout and "lms:result_objectives/or:" in explained.stdout
    assert "Student sis/u1" in run(config, "explain", "1000", "M.C1.T1").stdout  # the Canvas id: the same
    _no_personal_data(synced.output, status.output, listed.output, computed.output, explained.output)


def test_ambiguous_people_are_reported_not_linked_and_fail_the_check(setup):
    config, data = setup
    users = data["per_course"][100]["users"]
    users[1]["sis_user_id"] = users[0]["sis_user_id"]  # two Canvas people claim S0000 (u1)
    synced = run(config, "--log-format", "json", "sync")
    assert synced.exit_code == 0, synced.output
    assert "1 linked (identifier 1), 2 ambiguous, 1 unmatched" in synced.stdout
    events = [json.loads(x) for x in synced.stderr.splitlines() if x.startswith("{")]
    (event,) = [e for e in events if e.get("event") == "identity"]
    assert event["source"] == "lms" and "2 ambiguous" in event["msg"]
    listed = run(config, "identity", "--status", "ambiguous")
    assert "1000" in listed.stdout and "1001" in listed.stdout and "u1" in listed.stdout
    assert "matched by other people" in listed.stdout
    assert run(config, "identity", "--check").exit_code == 1
    _no_personal_data(synced.output, listed.output)


def test_canvas_sis_user_ids_match_the_sis_bundles_typed_user_ids(setup):
    config, _ = setup
    # The SIS's local ids are something else; S000n is each student's {SIS:...} userIds entry.
    sis_bundle(config.parent / "sis", ["L-1", "L-2", "L-3"],
               ["{LDAP:x1},{SIS:S0000}", "{sis:S0001}", "{state:S0002}"])
    config.write_text(config.read_text().replace(
        '{ field = "identifier" }, { field = "email" }',
        '{ field = "identifier", primary_field = "user_id", primary_type = "SIS" }'))
    synced = run(config, "sync")
    assert synced.exit_code == 0, synced.output
    assert "lms -> sis: 2 linked (identifier->user_id[SIS] 2), 0 ambiguous, 2 unmatched" in synced.stdout
    linked = json.loads(run(config, "identity", "--status", "linked", "--format", "json").stdout)
    assert [(r["person_id"], r["students"]) for r in linked] == [("1000", "u1"), ("1001", "u2")]
    _no_personal_data(synced.output)


def test_identity_resolve_follows_an_edited_configuration(setup):
    config, _ = setup
    assert run(config, "sync").exit_code == 0
    config.write_text(config.read_text().replace('{ field = "identifier" }, ', ""))  # email only
    resolved = run(config, "identity", "--resolve")
    assert resolved.exit_code == 0, resolved.output
    assert "lms -> sis: 0 linked, 0 ambiguous, 4 unmatched" in resolved.stdout  # Canvas emails differ


def test_without_identity_sync_and_status_say_nothing_about_it(setup):
    config, _ = setup
    config.write_text(config.read_text().split("[identity]")[0])
    synced = run(config, "sync")
    assert synced.exit_code == 0 and "identity lms" not in synced.stdout
    assert "identity lms" not in run(config, "status").stdout
    refused = run(config, "identity")
    assert refused.exit_code == 2 and "no [identity]" in refused.output


@pytest.mark.parametrize(("block", "where"), [
    ('primary = "nope"\n[identity.sources.lms]\nkeys = [{ field = "identifier" }]', "identity.primary"),
    ('primary = "sis"\n[identity.sources.lsm]\nkeys = [{ field = "identifier" }]', "identity.sources.lsm"),
    ('primary = "sis"\n[identity.sources.sis]\nkeys = [{ field = "identifier" }]', "identity.sources.sis"),
    ('primary = "sis"\n[identity.sources.lms]\nkeys = [{ field = "given_name" }]', "identity.sources.lms.keys.0.field"),
    ('primary = "sis"\n[identity.sources.lms]\nkeys = [{ field = "email", primary_field = "phone" }]',
     "identity.sources.lms.keys.0.primary_field"),
    ('primary = "sis"\n[identity.sources.lms]\nkeys = []', "identity.sources.lms.keys"),
    ('primary = "sis"\n[identity.sources.lms]\nkeys = [{ field = "email" }, { field = "user_id" }]',
     "identity.sources.lms.keys.1.type"),
    ('primary = "sis"\n[identity.sources.lms]\nkeys = [{ field = "identifier", type = "SIS" }]',
     "identity.sources.lms.keys.0.type"),
    ('primary = "sis"\n[identity.sources.lms]\nkeys = [{ field = "identifier", primary_field = "user_id" }]',
     "identity.sources.lms.keys.0.primary_type"),
])
def test_configuration_errors_name_the_field_and_exit_2(setup, block, where):
    config, _ = setup
    config.write_text(CONFIG.format(url="http://127.0.0.1:9") + "\n[identity]\n" + block + "\n")
    result = run(config, "status")
    assert result.exit_code == 2, result.output
    assert f"{config}: {where}" in result.output and "Traceback" not in result.output

"""``cbe-bridge writeback``: counts, exit codes, per-record reports without personal data."""

from __future__ import annotations

import json

from click.testing import CliRunner
from fakes.server import Reply

from cbe_bridge.cli import main

from .conftest import STUDENTS


def cli(setup, *args):  # noqa: ANN001, ANN201
    return CliRunner().invoke(main, ["--config", str(setup.config), "writeback", *args])


def test_dry_run_prints_counts_and_sends_nothing(ods, server):
    setup, _ = ods
    result = cli(setup, "edfi", *STUDENTS, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "courseTranscripts:" in result.stdout and "to create" in result.stdout
    assert server.log == []


def test_a_rejection_exits_1_and_names_records_by_key_only(ods, server):
    setup, fake = ods
    victim = setup.records()[0]
    fake.refuse.append(lambda name, body: Reply(400, {"message": "Validation failed."})
                       if name == "grades" and body["studentSectionAssociationReference"]["studentUniqueId"]
                       == victim.person.local_id else None)
    result = cli(setup, "edfi", *STUDENTS)
    assert result.exit_code == 1
    assert "rejected HTTP 400: grades " in result.stderr and victim.person.local_id in result.stderr
    assert "Validation failed." in result.stderr
    for person in (r.person for r in setup.records()):
        for name in (person.given_name, person.family_name):
            assert name and name not in result.output
    fake.refuse.clear()
    again = cli(setup, "edfi", *STUDENTS, "--json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert report["counts"]["grades"]["created"] == sum(
        1 for m in victim.courses
        if m.letter and not setup.policy.keeps_teacher_letter(m.basis, m.letter, m.source_letter))


def test_a_stopped_run_exits_1_and_says_so(ods, server):
    setup, _ = ods
    server.fault("status", match="/ed-fi/", times=10_000, status=503)
    result = cli(setup, "edfi", *STUDENTS)
    assert result.exit_code == 1 and "stopped:" in result.stderr and "not sent" in result.stdout


def test_target_selection_errors_are_usage_errors(setup):
    assert cli(setup, "edfi", "--source", "sis", "--dry-run").exit_code == 2  # a CSV source
    assert cli(setup, "oneroster", "--source", "nope", "--dry-run").exit_code == 2
    assert cli(setup, "edfi", "--from", "nope", "--dry-run").exit_code == 2
    assert cli(setup, "oneroster", "--dry-run", "--class-of", "2027").exit_code == 0



def test_data_standard_flag_writes_ds4_grades_to_a_ds4_target(ods4, server):
    setup, fake = ods4
    stopped = cli(setup, "edfi", *STUDENTS)  # nothing synced from the target tells its data standard
    assert stopped.exit_code == 2 and "--data-standard 4" in stopped.stderr
    assert fake.posted == {}
    result = cli(setup, "edfi", *STUDENTS, "--data-standard", "4")
    assert result.exit_code == 0, result.output
    grades = fake.stored("grades")
    assert grades and all("periodSequence" in g["gradingPeriodReference"] for g in grades)
    assert all("gradingPeriodName" not in g["gradingPeriodReference"] for g in grades)


def test_figures_computed_under_another_mapping_are_not_written_back(setup):
    # The mapping changed after the last compute: the stored letters are not what it makes.
    with setup.store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE compute_runs SET mapping_fingerprint = ?", ("0" * 64,))
    for target in ("edfi", "oneroster"):
        result = cli(setup, target, *STUDENTS, "--dry-run")
        assert result.exit_code == 1, result.output
        assert "mapping or continuum changed since the figures were computed" in result.output
        assert "write back" in result.output

"""Write-back to Ed-Fi against the fake ODS/API: what is written, idempotence, failures, tokens."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fakes.server import Reply

from cbe_bridge.store.schema import writeback_ledger
from cbe_bridge.writeback import writeback

from .conftest import STUDENTS


def run(setup, **kw):  # noqa: ANN001, ANN201
    return writeback(setup.store, setup.target("ods"), setup.policy, students=STUDENTS, **kw)


def ledger_rows(setup) -> int:  # noqa: ANN001
    with setup.store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(writeback_ledger)).scalar()


def expected(setup):  # noqa: ANN001, ANN201
    """What the engine computed for the test students: transcripts, translated grades, terms."""
    records = setup.records()
    marks = [(r, m) for r in records for m in r.courses]
    return {
        "records": records,
        "transcripts": [(r, m) for r, m in marks if m.letter],
        "grades": [(r, m) for r, m in marks if m.letter and m.basis in ("direct", "derived")],
        "terms": {(r.person.student_id, m.session_id) for r, m in marks},
    }


def test_dry_run_sends_nothing(ods, server):
    setup, _ = ods
    report = run(setup, dry=True)
    want = expected(setup)
    assert report.ok and report.dry_run
    assert report.counts["courseTranscripts"]["create"] == len(want["transcripts"])
    assert report.counts["grades"]["create"] == len(want["grades"])
    assert report.counts["studentAcademicRecords"]["create"] == len(want["terms"])
    assert server.log == [] and ledger_rows(setup) == 0


def test_full_run_writes_what_the_engine_computed(ods, server):
    setup, fake = ods
    report = run(setup)
    assert report.ok, report.failures
    want = expected(setup)
    transcripts, grades = fake.stored("courseTranscripts"), fake.stored("grades")
    academic = fake.stored("studentAcademicRecords")
    assert len(transcripts) == len(want["transcripts"]) and len(grades) == len(want["grades"])
    assert len(academic) == len(want["terms"])
    assert report.counts["courseTranscripts"]["created"] == len(transcripts)
    # Letters and credits as computed, per student and course.
    by_student = {r.person.local_id: r for r in want["records"]}
    got = sorted((t["studentAcademicRecordReference"]["studentUniqueId"], t["courseReference"]["courseCode"],
                  t["studentAcademicRecordReference"]["schoolYear"], t["finalLetterGradeEarned"], t["earnedCredits"])
                 for t in transcripts)
    assert got == sorted((r.person.local_id, m.course_code, m.school_year, m.letter, round(m.credits_earned, 3))
                         for r, m in want["transcripts"])
    assert sorted(g["letterGradeEarned"] for g in grades) == sorted(m.letter for _, m in want["grades"])
    # The latest term carries the cumulative GPA and the credits through it.
    for uid, rec in by_student.items():
        mine = sorted((a for a in academic if a["studentReference"]["studentUniqueId"] == uid),
                      key=lambda a: (a["schoolYearTypeReference"]["schoolYear"], a["cumulativeEarnedCredits"]))
        cumulative = [g for g in mine[-1]["gradePointAverages"] if g["isCumulative"]]
        unweighted = next(g for g in cumulative if g["gradePointAverageTypeDescriptor"].endswith("#Unweighted"))
        assert unweighted["gradePointAverageValue"] == pytest.approx(rec.gpa["cumulative"].unweighted, abs=1e-3)
        assert mine[-1]["cumulativeEarnedCredits"] == pytest.approx(sum(m.credits_earned for m in rec.courses))
        assert not any(g["isCumulative"] for a in mine[:-1] for g in a["gradePointAverages"])
    # Standards grades carry the student's proficiency on the course's competencies.
    rec = want["records"][0]
    standards = [s for g in grades if g["studentSectionAssociationReference"]["studentUniqueId"] == rec.person.local_id
                 for s in g["learningStandardGrades"]]
    assert standards
    for s in standards:
        figure = rec.figures[s["learningStandardReference"]["learningStandardId"]]
        assert s["numericGradeEarned"] == pytest.approx(figure.value, abs=0.01)
        assert s["letterGradeEarned"] == figure.level_code
    assert ledger_rows(setup) == len(transcripts) + len(grades) + len(academic)


def test_a_second_run_sends_nothing(ods, server):
    setup, _ = ods
    run(setup)
    before = len(server.log)
    again = run(setup)
    assert again.ok and len(server.log) == before and again.requests == 0  # not even a token request
    assert sum(c["unchanged"] for c in again.counts.values()) == ledger_rows(setup)
    assert run(setup, dry=True).counts["grades"].get("create", 0) == 0


def test_force_resends_and_the_upsert_keeps_one_record_each(ods, server):
    setup, fake = ods
    run(setup)
    counts = {name: len(fake.stored(name)) for name in ("studentAcademicRecords", "courseTranscripts", "grades")}
    forced = run(setup, force=True)
    assert forced.ok and forced.counts["grades"]["updated"] == counts["grades"]
    assert {name: len(fake.stored(name)) for name in counts} == counts


def test_exhausted_retries_stop_the_run_and_a_rerun_completes_without_duplicates(ods, server):
    setup, fake = ods
    server.fault("status", match="/ed-fi/courseTranscripts", skip=7, times=10_000, status=500)
    first = run(setup)
    assert not first.ok and "courseTranscripts" in (first.stopped or "")
    assert first.counts["courseTranscripts"]["created"] == 7
    assert first.counts["courseTranscripts"]["not sent"] > 0 and first.counts["grades"]["not sent"] > 0
    written = ledger_rows(setup)
    server.faults.clear()
    fake.posted.clear()
    second = run(setup)
    assert second.ok, second.failures
    want = expected(setup)
    assert len(fake.stored("courseTranscripts")) == len(want["transcripts"])
    assert len(fake.stored("grades")) == len(want["grades"])
    # Only what the first run had not written is sent again.
    assert fake.posted.get("studentAcademicRecords", 0) == 0
    assert fake.posted["courseTranscripts"] == len(want["transcripts"]) - 7
    assert ledger_rows(setup) == written + fake.posted["courseTranscripts"] + fake.posted["grades"]


def test_transient_errors_are_retried_without_duplicates(ods, server):
    setup, fake = ods
    server.fault("status", match="/ed-fi/grades", skip=2, times=2, status=503)
    server.fault("reset", match="/ed-fi/courseTranscripts", skip=3, times=1)
    report = run(setup)
    assert report.ok, report.stopped
    assert len(fake.stored("grades")) == len(expected(setup)["grades"])


def test_a_token_expiring_mid_run_is_renewed(ods, server):
    setup, fake = ods
    server.fault("expire_tokens", match="/ed-fi/grades", skip=3, times=1)
    tokens = []
    server.on_request(lambda r, n: tokens.append(n) if r.path == "/oauth/token" else None)
    report = run(setup)
    assert report.ok, report.stopped
    assert len(tokens) == 2  # the first token, and one renewal after the 401
    assert len(fake.stored("grades")) == len(expected(setup)["grades"])


def test_a_rejected_record_is_reported_and_the_rest_go_on(ods, server):
    setup, fake = ods
    rec = expected(setup)["records"][1]
    victim = rec.person.local_id

    def refuse(name, body):  # noqa: ANN001, ANN202
        if name == "studentAcademicRecords" and body["studentReference"]["studentUniqueId"] == victim:
            return Reply(400, {"message": "Validation of 'StudentAcademicRecord' failed."})
        return None

    fake.refuse.append(refuse)
    report = run(setup)
    assert not report.ok and report.stopped is None
    rejected = [f for f in report.failures if f.kind == "rejected"]
    conflicts = [f for f in report.failures if f.kind == "conflict"]
    assert rejected and all(f.status == 400 and victim in f.key for f in rejected)
    # The student's transcripts refer to the refused records: the server says 409 for each.
    assert conflicts and all(f.status == 409 and f.resource == "courseTranscripts" for f in conflicts)
    assert len(conflicts) == sum(1 for m in rec.courses if m.letter)
    # Everyone else's records were written.
    others = [t for t in fake.stored("courseTranscripts")
              if t["studentAcademicRecordReference"]["studentUniqueId"] != victim]
    assert len(others) == len(expected(setup)["transcripts"]) - len(conflicts)
    # Once the server accepts them, a re-run sends exactly the refused records.
    fake.refuse.clear()
    fake.posted.clear()
    again = run(setup)
    assert again.ok
    assert fake.posted == {"studentAcademicRecords": len(rejected), "courseTranscripts": len(conflicts)}

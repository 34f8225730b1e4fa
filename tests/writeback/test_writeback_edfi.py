"""Write-back to Ed-Fi against the fake ODS/API: what is written, idempotence, failures, tokens;
grades in the Data Standard 4 shape for a DS 4 SIS, DS 5 ones as they were."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fakes import edfi as fake_edfi
from fakes.server import Reply

from cbe_bridge.errors import ConfigError, UsageError
from cbe_bridge.sources.edfi.resources import grade_id
from cbe_bridge.sources.http.errors import HttpError
from cbe_bridge.store.schema import CANONICAL, writeback_ledger
from cbe_bridge.writeback import writeback
from cbe_bridge.writeback.edfi import RESOURCES, EdFiOptions, EdFiTarget
from cbe_bridge.writeback.edfi_keys import EdFiKeys
from cbe_bridge.writeback.gather import gather
from cbe_bridge.writeback.plan import Change

from .conftest import PERIOD_MEMBERS, STUDENTS, strict_grading_periods


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
        "grades": [(r, m) for r, m in marks
                   if m.letter and not setup.policy.keeps_teacher_letter(m.basis, m.letter, m.source_letter)],
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


# -- Data Standard 4 and 5 grade shapes -------------------------------------------------------
NS = fake_edfi.NS


def sync_grades(setup, standard: int) -> dict[tuple[int, str], int]:  # noqa: ANN001
    """Store the test students' grades as the Ed-Fi source syncs them from a DS ``standard`` SIS: a
    "Grading Period" grade per course mark on its term's grading period, under the source's own ids.
    Returns the DS 4 grading periods' sequences, (school year, descriptor code) -> periodSequence,
    numbered unlike the ordinals the write-back falls back on."""
    with setup.store.engine.connect() as conn:
        g = gather(conn, "sis", list(STUDENTS), None)
    keys = EdFiKeys(g)
    marks = [(r, m) for r in g.records for m in r.courses if m.session_id]
    periods = sorted({(keys.school_year(m), keys.grading_period(m)) for _, m in marks})
    sequence = {period: 11 + n for n, period in enumerate(periods)}
    rows = []
    for rec, mark in marks:
        section, period = keys.section(rec, mark), keys.grading_period(mark)
        named = ({"gradingPeriodSequence": sequence[(section["schoolYear"], period)]} if standard == 4
                 else {"gradingPeriodName": section["sessionName"]})
        flat = {**section, "studentUniqueId": keys.student(rec), "beginDate": keys.begin_date(rec, mark),
                "gradingPeriodDescriptor": f"{NS}GradingPeriodDescriptor#{period}", **named,
                "gradingPeriodSchoolYear": section["schoolYear"],
                "gradeTypeDescriptor": f"{NS}GradeTypeDescriptor#Grading Period"}
        rows.append({"source": g.source, "source_id": grade_id(flat), "student_id": rec.person.student_id,
                     "class_id": mark.class_id, "session_id": mark.session_id, "grade_type": "Grading Period",
                     "letter": mark.source_letter})
    with setup.store.engine.begin() as conn:
        conn.execute(CANONICAL["course_grades"].insert(), rows)
    return sequence


def _grade_ids(setup) -> list[str]:  # noqa: ANN001
    grades = CANONICAL["course_grades"]
    with setup.store.engine.connect() as conn:
        return list(conn.execute(sa.select(grades.c.source_id)).scalars())


def periods(fake) -> list[dict]:  # noqa: ANN001
    return [g["gradingPeriodReference"] for g in fake.stored("grades")]


def code(period: dict) -> str:
    return period["gradingPeriodDescriptor"].rsplit("#", 1)[-1]


def test_grades_from_a_ds4_sis_are_written_in_ds4_shape_once(ods4, server):
    setup, fake = ods4
    sequence = sync_grades(setup, 4)
    assert all(i.startswith("grade4:") for i in _grade_ids(setup))
    report = run(setup)
    assert report.ok, (report.failures, report.stopped)
    want = expected(setup)
    assert len(fake.stored("grades")) == len(want["grades"]) > 0
    for period in periods(fake):  # keyed by the SIS's own grading periods' sequences, no name
        assert set(period) == PERIOD_MEMBERS[4]
        assert period["periodSequence"] == sequence[(period["schoolYear"], code(period))]
    assert len(fake.stored("courseTranscripts")) == len(want["transcripts"])
    assert report.counts["grades"]["created"] == len(want["grades"])
    assert ledger_rows(setup) == sum(len(fake.stored(r)) for r in RESOURCES)
    before = len(server.log)
    again = run(setup)
    assert again.ok and again.requests == 0 and len(server.log) == before
    assert again.counts["grades"]["unchanged"] == len(want["grades"])


def test_the_ds4_fake_refuses_ds5_grading_periods_as_a_ds4_ods_does(ods4):
    setup, fake = ods4
    target = EdFiTarget(setup.target("ods"))
    client = target.connect()
    ssa = {"localCourseCode": "ALG-0", "schoolId": fake_edfi.SCHOOL, "schoolYear": fake_edfi.YEAR,
           "sessionName": fake_edfi.SESSION, "sectionIdentifier": "ALG-0-01", "studentUniqueId": "60400000",
           "beginDate": "2024-08-26"}
    grade = {"studentSectionAssociationReference": ssa, "gradeTypeDescriptor": f"{NS}GradeTypeDescriptor#Final",
             "letterGradeEarned": "B"}
    url = target.url(Change.make("grades", "", "POST", "ed-fi/grades", {}))
    try:
        for period in ({**fake_edfi.PERIOD_DS4, "gradingPeriodName": "Fall"}, fake_edfi.PERIOD):
            with pytest.raises(HttpError) as refused:
                client.write("POST", url, {**grade, "gradingPeriodReference": period})
            assert refused.value.status == 400
        assert client.write("POST", url, {**grade, "gradingPeriodReference": fake_edfi.PERIOD_DS4}).status == 201
    finally:
        client.close()
    assert len(fake.stored("grades")) == 1


def test_a_ds4_target_with_no_synced_grade_to_go_on(ods4, server):
    setup, fake = ods4
    # Built in the default DS 5 shape: the discovery document read on connecting stops the run.
    with pytest.raises(ConfigError, match="Data Standard 4.0.0") as stopped:
        run(setup)
    assert "--data-standard 4" in (stopped.value.hint or "")
    assert fake.posted == {} and ledger_rows(setup) == 0
    assert run(setup, dry=True).ok and fake.posted == {}
    # Told the data standard: DS 4 grades on the grading periods' ordinals in the year.
    report = run(setup, edfi_options=EdFiOptions(data_standard=4))
    assert report.ok, (report.failures, report.stopped)
    ordinals = {"First Semester": 1, "Second Semester": 2}
    assert periods(fake) and all(p["periodSequence"] == ordinals[code(p)] for p in periods(fake))
    assert run(setup, edfi_options=EdFiOptions(data_standard=4)).requests == 0


@pytest.mark.parametrize("synced", [True, False], ids=["ds5-sis", "no-synced-grades"])
def test_ds5_grades_keep_their_shape(ods, server, synced):
    setup, fake = ods
    fake.refuse.append(strict_grading_periods(5))
    if synced:
        sync_grades(setup, 5)
        assert all(i.startswith("grade:") for i in _grade_ids(setup))
    report = run(setup)
    assert report.ok, (report.failures, report.stopped)
    assert len(fake.stored("grades")) == len(expected(setup)["grades"])
    for grade in fake.stored("grades"):
        period = grade["gradingPeriodReference"]
        assert set(period) == PERIOD_MEMBERS[5]
        assert period["gradingPeriodName"] == grade["studentSectionAssociationReference"]["sessionName"]


def test_synced_grades_that_contradict_the_target_or_the_option_stop_the_run(ods, server):
    setup, fake = ods
    sync_grades(setup, 4)  # the store's grades predate the target's upgrade to DS 5
    with pytest.raises(ConfigError, match="Data Standard 5.0.0") as stopped:
        run(setup)
    assert "fresh sync" in (stopped.value.hint or "")
    with pytest.raises(UsageError, match="data standard 5"):
        run(setup, dry=True, edfi_options=EdFiOptions(data_standard=5))
    assert fake.posted == {} and ledger_rows(setup) == 0

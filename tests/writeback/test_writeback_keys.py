"""Ed-Fi natural keys: read back from the ids of records synced from Ed-Fi, else built from fields;
the data standard and DS 4 grading period sequences from the ids of grades synced from Ed-Fi."""

from __future__ import annotations

import pytest

from cbe_bridge.errors import UsageError
from cbe_bridge.sources.edfi.resources import grade_id
from cbe_bridge.translate.student_records import ComputeRun, CourseMark, Person, StudentRecord
from cbe_bridge.writeback.edfi import EdFiOptions, data_standard
from cbe_bridge.writeback.edfi_keys import EdFiKeys, KeyMissing
from cbe_bridge.writeback.gather import Gathered

RUN = ComputeRun(1, "2026-11-24T00:00:00Z", "2026-11-24", "f", "c", "0", 1)
SECTION = "section:255901001|2025|2024-2025 Fall Semester|ALG-1|ALG-1-01"
OFFERING = "offering:255901001|2025|2024-2025 Fall Semester|ALG-1"
SESSION = "session:255901001|2025|2024-2025 Fall Semester"


def mark(class_id: str = SECTION, course_id: str = OFFERING, session_id: str | None = SESSION) -> CourseMark:
    return CourseMark(class_id, course_id, "ALG-1", "Algebra 1", None, session_id, "2024-2025 Fall Semester",
                      "Fall Semester", "2024-08-26", "2025-01-17", 2025, "2025-01-17", "B", 2.8, "derived", "B",
                      "regular", 1.0, 1.0, True)


def student(local_id: str | None = "604000") -> StudentRecord:
    return StudentRecord(Person("ods", "604000", local_id, "Ada", "L", None, None, None, None, None), "9", 2028,
                         "255901001", "Grand Bend High School", "255901001")


@pytest.fixture
def edfi_synced() -> EdFiKeys:
    g = Gathered("ods", RUN, [student()])
    g.sessions = {SESSION: {"title": "2024-2025 Fall Semester", "session_type": "Fall Semester",
                            "start_date": "2024-08-26", "school_year": 2025}}
    g.courses = {OFFERING: {"course_code": "ALG-1", "org_id": "255901001", "title": "Algebra 1"}}
    g.orgs = {"255901001": {"identifier": "255901001", "org_type": "school"}}
    g.catalog = {"ALG-1": "course:255901|ALG-1"}
    g.enrollments = {("604000", SECTION): {"source_id": f"ssa:{SECTION[8:]}|604000|2024-08-20",
                                           "begin_date": "2024-08-20"}}
    return EdFiKeys(g)


def test_keys_of_records_synced_from_edfi_come_from_their_ids(edfi_synced):
    rec, m = student(), mark()
    assert edfi_synced.section(rec, m) == {"schoolId": 255901001, "schoolYear": 2025,
                                           "sessionName": "2024-2025 Fall Semester", "localCourseCode": "ALG-1",
                                           "sectionIdentifier": "ALG-1-01"}
    assert edfi_synced.begin_date(rec, m) == "2024-08-20"
    # The offering's catalog course lives at the LEA: its id says so.
    assert edfi_synced.course(m) == {"courseCode": "ALG-1", "educationOrganizationId": 255901}
    assert edfi_synced.term(m) == "Fall Semester" and edfi_synced.grading_period(m) == "First Semester"
    assert edfi_synced.student(rec) == "604000"


def test_keys_of_other_records_come_from_their_fields(setup):
    with setup.store.engine.connect() as conn:
        from cbe_bridge.writeback.gather import gather

        g = gather(conn, "sis", ["700001"], None)
    keys, rec = EdFiKeys(g), g.records[0]
    m = next(c for c in rec.courses if c.basis == "direct")
    section = keys.section(rec, m)
    assert section["schoolId"] == 990000100001 and section["sessionName"] == m.session_title
    assert section["localCourseCode"] == m.course_code and section["sectionIdentifier"].startswith(m.course_code)
    assert keys.student(rec) == "700001"
    assert keys.term(m) in ("Fall Semester", "Spring Semester")


def test_a_key_that_cannot_be_made_says_why(edfi_synced):
    edfi_synced.g.orgs = {"255901001": {"identifier": "HS-1", "org_type": "school"}}
    with pytest.raises(KeyMissing, match="numeric Ed-Fi education organization id"):
        edfi_synced.edorg("HS-1", "student's school")
    with pytest.raises(KeyMissing, match="has no session"):
        edfi_synced.school_year(mark(session_id=None))


def synced_grade(period: str, **named: object) -> str:
    """Student 604000's grade in ALG-1-01 on ``period``, as the Ed-Fi source ids it (DS 4 or DS 5+)."""
    ns = "uri://ed-fi.org/"
    return grade_id({"schoolId": 255901001, "schoolYear": 2025, "sessionName": "2024-2025 Fall Semester",
                     "localCourseCode": "ALG-1", "sectionIdentifier": "ALG-1-01", "studentUniqueId": "604000",
                     "beginDate": "2024-08-20", "gradingPeriodDescriptor": f"{ns}GradingPeriodDescriptor#{period}",
                     **named, "gradingPeriodSchoolYear": 2025, "gradeTypeDescriptor": f"{ns}GradeTypeDescriptor#Final"})


def test_synced_grades_tell_the_data_standard_and_ds4_sequences(edfi_synced):
    g = edfi_synced.g
    g.grade_ids = [synced_grade("First Semester", gradingPeriodSequence=7), "cg-41"]  # and one from elsewhere
    keys = EdFiKeys(g)
    assert keys.synced_standard == 4
    assert keys.period_sequence(255901001, 2025, "First Semester") == 7
    # A period no synced grade names: its ordinal in the year; another year or school is another period.
    assert keys.period_sequence(255901001, 2025, "Second Semester") == 2
    assert keys.period_sequence(255901001, 2026, "First Semester") == 1
    assert keys.period_sequence(255901001, 2025, "End of Year") == 1
    g.grade_ids = [synced_grade("First Semester", gradingPeriodName="Fall")]
    assert EdFiKeys(g).synced_standard == 5 and EdFiKeys(g).sequences == {}
    g.grade_ids.append(synced_grade("First Semester", gradingPeriodSequence=1))  # both: neither tells
    assert EdFiKeys(g).synced_standard is None
    g.grade_ids = []
    assert EdFiKeys(g).synced_standard is None


def test_the_synced_grades_decide_then_the_option_then_ds5():
    assert data_standard(4, None).shape == 4 and data_standard(4, 4).shape == 4
    assert data_standard(5, 6).shape == 5
    assert data_standard(None, 4).shape == 4 and data_standard(None, 6).shape == 5
    assert data_standard(None, None).shape == 5
    with pytest.raises(UsageError, match="Data Standard 4 shape"):
        data_standard(4, 5)
    with pytest.raises(UsageError, match="not written"):
        EdFiOptions(data_standard=3)


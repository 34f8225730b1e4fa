"""Course grades of a linked source keep that source's terms: a term id both systems use
("t1") is two terms, never the primary source's one (titles, GPA per term)."""

from __future__ import annotations

from datetime import date

from conftest import write_csv

from cbe_bridge.engine.compute import PolicySource, compute
from cbe_bridge.sources.oneroster_csv import OneRosterCsvSource
from cbe_bridge.sync import sync_sources
from cbe_bridge.translate.gpa_report import gpa_lines
from cbe_bridge.translate.student_records import load_records

from .conftest import identity, sis_bundle


def _linked_with_course_grades():
    settings = identity(lms=[{"field": "identifier"}])
    settings.sources["lms"].evidence.append("course_grades")
    return settings


def test_a_linked_sources_course_grade_keeps_its_own_term(store, tmp_path, policy_files):
    sis = sis_bundle(tmp_path / "sis", ["S0000"])
    other = sis_bundle(tmp_path / "other", ["S0000"])  # the same ids: t1, k1, c1, u1
    write_csv(other / "academicSessions.csv", ["sourcedId", "title", "type", "startDate", "endDate", "schoolYear"],
              [["t1", "Spring 2025 online", "semester", "2025-01-21", "2025-05-30", "2025"]])
    settings = _linked_with_course_grades()
    outcomes = sync_sources(store, [OneRosterCsvSource("sis", sis), OneRosterCsvSource("lms", other)],
                            identity=settings)
    assert [o.status for o in outcomes] == ["ok", "ok"], [o.message for o in outcomes]
    compute(store, PolicySource((policy_files,)), as_of=date(2025, 6, 30), workers=1, identity=settings)

    with store.engine.connect() as conn:
        (record,) = load_records(conn, [("sis", "u1")]).values()
        terms = {line.scope for line in gpa_lines(conn, keys=[("sis", "u1")], per_term=True)}
    marks = {m.class_id: m for m in record.courses}
    assert set(marks) == {"k1", "lms:k1"}
    assert (marks["k1"].session_id, marks["k1"].session_title) == ("t1", "Fall 2024")
    assert (marks["lms:k1"].session_id, marks["lms:k1"].session_title) == ("lms:t1", "Spring 2025 online")
    assert marks["lms:k1"].session_end == "2025-05-30"
    assert set(record.gpa) >= {"term:t1", "term:lms:t1"}  # two terms, one grade each
    assert {"term: Fall 2024", "term: Spring 2025 online"} <= terms

"""A SIS (OneRoster CSV) and Canvas (the fake) after [identity]: one student, evidence from both.

Canvas users carry the SIS local id as ``sis_user_id`` (stored as ``identifier``); the SIS
students u1..u3 have local ids S0000..S0002, Canvas has S0000..S0003 (1003 is unmatched).
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from cbe_bridge.engine.compute import PolicySource, compute
from cbe_bridge.sources.oneroster_csv import OneRosterCsvSource
from cbe_bridge.store.schema import proficiency, students
from cbe_bridge.sync import sync_sources
from cbe_bridge.translate.explain import explain
from cbe_bridge.translate.student_records import load_records

from .conftest import canvas_account, canvas_source, identity, links, sis_bundle

AS_OF = date(2025, 6, 1)


@pytest.fixture
def synced(store, server, fake_secrets, tmp_path):
    canvas_account(server)
    bundle = sis_bundle(tmp_path / "sis", ["S0000", "S0001", "S0002"])
    sources = [OneRosterCsvSource("sis", bundle), canvas_source(server.url)]
    outcomes = sync_sources(store, sources, identity=identity())
    assert [o.status for o in outcomes] == ["ok", "ok"], [o.message for o in outcomes]
    return store


def _students(store) -> list[tuple[str, str]]:
    with store.engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(sa.select(students.c.source, students.c.student_id)))


def _proficiency(store, source: str, student: str) -> dict[str, tuple[float, int]]:
    with store.engine.connect() as conn:
        return {r.node_id: (r.value, r.n_direct) for r in conn.execute(sa.select(proficiency).where(
            proficiency.c.source == source, proficiency.c.student_id == student))}


def test_sync_links_canvas_people_to_sis_students(synced):
    assert links(synced) == {("lms", "1000"): ("linked", "u1"), ("lms", "1001"): ("linked", "u2"),
                             ("lms", "1002"): ("linked", "u3"), ("lms", "1003"): ("unmatched", None)}


def test_a_dry_run_leaves_the_links_alone(synced, server):
    with synced.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM identity_links"))
    sync_sources(synced, [canvas_source(server.url)], dry_run=True, identity=identity())
    assert links(synced) == {}


def test_compute_counts_linked_evidence_for_the_sis_student(synced, policy_files):
    policy = PolicySource((policy_files,))
    node = policy.load().continuum.resolve("M.C1.T1").id

    compute(synced, policy, as_of=AS_OF, workers=1)  # no [identity]: as before, two people
    assert ("lms", "1000") in _students(synced)
    assert node not in _proficiency(synced, "sis", "u1")

    summary = compute(synced, policy, as_of=AS_OF, workers=1, identity=identity())
    assert _students(synced) == [("lms", "1003"), ("sis", "u1"), ("sis", "u2"), ("sis", "u3")]
    assert summary.students == 4
    _, n_direct = _proficiency(synced, "sis", "u1")[node]
    assert n_direct == 1  # Canvas outcome result of user 1000, now u1's evidence
    assert _proficiency(synced, "lms", "1003")[node][1] == 1  # unmatched: still a student of its own


def test_worker_processes_merge_the_same_way(synced, policy_files):
    policy = PolicySource((policy_files,))
    compute(synced, policy, as_of=AS_OF, workers=1, identity=identity())
    one = {s: _proficiency(synced, "sis", s) for s in ("u1", "u2", "u3")}
    import cbe_bridge.engine.compute as engine_compute

    small, engine_compute.CHUNK = engine_compute.CHUNK, 1  # several chunks: the pool path
    try:
        compute(synced, policy, as_of=AS_OF, workers=2, identity=identity())
    finally:
        engine_compute.CHUNK = small
    assert {s: _proficiency(synced, "sis", s) for s in ("u1", "u2", "u3")} == one


def test_explain_names_the_source_system_of_linked_evidence(synced, policy_files):
    source = PolicySource((policy_files,))
    compute(synced, source, as_of=AS_OF, workers=1, identity=identity())
    policy = source.load()
    result = explain(synced, policy, "sis", "u1", identity=identity())
    assert result.result.nodes["M.C1.T1"].n_direct == 1  # (its parents need both targets: no value yet)
    text = "\n".join(result.lines + explain(synced, policy, "sis", "u1", "M.C1.T1", identity=identity()).lines)
    assert not result.stale
    assert "also lms/1000" in text
    assert "lms:result_objectives/or:" in text  # the source system and its record id
    # Without [identity] the SIS student's figures are the SIS's alone.
    alone = "\n".join(explain(synced, policy, "sis", "u1", "M.C1.T1").lines)
    assert "lms:" not in alone


def test_course_grades_of_a_linked_source_count_only_when_asked(synced, policy_files):
    policy = PolicySource((policy_files,))
    compute(synced, policy, as_of=AS_OF, workers=1, identity=identity())
    with synced.engine.connect() as conn:
        classes = conn.execute(sa.text("SELECT class_id FROM course_marks WHERE student_id = 'u1'")).scalars().all()
    assert classes == ["k1"]
    with_grades = identity(lms=[{"field": "identifier"}])
    with_grades.sources["lms"].evidence.append("course_grades")
    compute(synced, policy, as_of=AS_OF, workers=1, identity=with_grades)
    with synced.engine.connect() as conn:
        classes = conn.execute(sa.text("SELECT class_id FROM course_marks WHERE student_id = 'u1'")).scalars().all()
    assert sorted(classes) == ["k1", "lms:100"]  # the Canvas course, qualified by its source
    # Listings and transcripts name the Canvas course as Canvas has it.
    with synced.engine.connect() as conn:
        (record,) = load_records(conn, [("sis", "u1")]).values()
        canvas_title = conn.execute(sa.text(
            "SELECT title FROM courses WHERE source = 'lms' AND source_id = '100'")).scalar()
    marks = {m.class_id: m for m in record.courses}
    assert canvas_title and marks["lms:100"].title == canvas_title and marks["lms:100"].course_id == "lms:100"
    assert marks["k1"].title is not None

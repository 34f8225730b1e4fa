"""What write-back reads from the store: computed students' records and the rows around them.

The stored-results reader (:func:`cbe_bridge.translate.student_records.load_records`) gives
each student's back-translated course marks, credits, GPA and proficiency figures. Write-back also
needs what identifies a record on the target: a class's code and school, an organization's
identifier, a session's dates, an enrollment's begin date, and the ids of the students' stored
course grades (those synced from Ed-Fi tell its data standard). Those are read here, set-wise,
for the classes and organizations the selected records mention. Nothing here computes policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cbe_bridge.errors import UsageError
from cbe_bridge.store.schema import CANONICAL, students
from cbe_bridge.translate.student_records import (ComputeRun, StudentKey, StudentRecord,
                                                  latest_compute_run, load_records, select_students)

CHUNK = 500  # ids per IN (...) list


@dataclass
class Gathered:
    """The selected students' records (all from one store source) and their surroundings."""

    source: str  # the store source the records came from
    run: ComputeRun
    records: list[StudentRecord]
    classes: dict[str, dict[str, Any]] = field(default_factory=dict)  # class id -> row
    courses: dict[str, dict[str, Any]] = field(default_factory=dict)  # course id -> row
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)  # session id -> row
    orgs: dict[str, dict[str, Any]] = field(default_factory=dict)  # org id -> row
    enrollments: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (student, class) -> row
    objectives: dict[str, str] = field(default_factory=dict)  # CASE GUID -> learning objective id
    catalog: dict[str, str] = field(default_factory=dict)  # course code -> Ed-Fi catalog course id
    grade_ids: list[str] = field(default_factory=list)  # the students' stored course grades (Ed-Fi: grade:, grade4:)


def pick_source(conn: Connection, wanted: str | None, target: str) -> str:
    """The store source whose computed students are written.

    ``--from`` when given; else the target itself when the store holds students computed from
    it (records synced from the system written back to); else the only source with any.
    """
    have = list(conn.execute(sa.select(students.c.source).distinct().order_by(students.c.source)).scalars())
    if wanted is not None:
        if wanted not in have:
            raise UsageError(f"no computed students come from source {wanted!r}",
                             hint="sources with computed students: " + (", ".join(have) or "none"))
        return wanted
    if target in have:
        return target
    if len(have) == 1:
        return have[0]
    if not have:
        raise UsageError("the store holds no computed results", hint="run 'cbe-bridge compute' first")
    raise UsageError("computed students come from several sources: " + ", ".join(have),
                     hint="name the one to write with --from")


def gather(conn: Connection, source: str, refs: Sequence[str], class_of: int | None) -> Gathered:
    """Read what write-back needs for the selected students of ``source``."""
    run = latest_compute_run(conn)
    keys: list[StudentKey] = [k for k in select_students(conn, refs, class_of) if k[0] == source]
    g = Gathered(source, run, list(load_records(conn, keys).values()))
    marks = [m for r in g.records for m in r.courses]
    g.classes = _rows(conn, "classes", source, {m.class_id for m in marks},
                      ["class_code", "school_id", "course_id", "title"])
    g.courses = _rows(conn, "courses", source, {m.course_id for m in marks if m.course_id},
                      ["course_code", "org_id", "title"])
    g.sessions = _rows(conn, "academic_sessions", source, {m.session_id for m in marks if m.session_id},
                       ["title", "session_type", "start_date", "end_date", "school_year"])
    org_ids = {c["school_id"] for c in g.classes.values()} | {c["org_id"] for c in g.courses.values()}
    org_ids |= {r.school_id for r in g.records}
    g.orgs = _rows(conn, "orgs", source, {o for o in org_ids if o}, ["identifier", "org_type"])
    student_ids = [r.person.student_id for r in g.records]
    g.enrollments = _enrollments(conn, source, student_ids)
    # Ids only: those synced from Ed-Fi tell its data standard and grading periods (see edfi_keys).
    grades = CANONICAL["course_grades"]
    g.grade_ids = [r["source_id"] for r in _per_student(
        conn, sa.select(grades.c.source_id).where(grades.c.source == source), grades.c.student_id, student_ids)]
    objectives = CANONICAL["learning_objectives"]
    g.objectives = {guid: oid for oid, guid in conn.execute(
        sa.select(objectives.c.source_id, objectives.c.case_guid)
        .where(objectives.c.source == source, objectives.c.case_guid.is_not(None)))}
    # Ed-Fi catalog courses ("course:<edorg>|<code>"): an offering names its catalog course by code.
    courses = CANONICAL["courses"]
    g.catalog = {code: cid for cid, code in conn.execute(
        sa.select(courses.c.source_id, courses.c.course_code)
        .where(courses.c.source == source, courses.c.source_id.like("course:%")))}
    return g


def _rows(conn: Connection, entity: str, source: str, ids: Iterable[str],
          columns: Sequence[str]) -> dict[str, dict[str, Any]]:
    t = CANONICAL[entity]
    found: dict[str, dict[str, Any]] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), CHUNK):
        query = (sa.select(t.c.source_id, *[t.c[c] for c in columns])
                 .where(t.c.source == source, t.c.source_id.in_(wanted[start:start + CHUNK])))
        for row in conn.execute(query).mappings():
            found[row["source_id"]] = dict(row)
    return found


def _per_student(conn: Connection, query: sa.Select, column: sa.Column, student_ids: Sequence[str]) -> Iterator[Any]:
    """The rows of ``query`` for ``student_ids`` (``column IN (...)``, a chunk at a time)."""
    for start in range(0, len(student_ids), CHUNK):
        yield from conn.execute(query.where(column.in_(student_ids[start:start + CHUNK]))).mappings()


def _enrollments(conn: Connection, source: str, student_ids: Sequence[str]) -> dict[tuple[str, str], dict[str, Any]]:
    t = CANONICAL["enrollments"]
    query = (sa.select(t.c.source_id, t.c.user_id, t.c.class_id, t.c.begin_date)
             .where(t.c.source == source).order_by(t.c.begin_date))
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for row in _per_student(conn, query, t.c.user_id, student_ids):
        found.setdefault((row["user_id"], row["class_id"]), dict(row))  # the first enrollment
    return found

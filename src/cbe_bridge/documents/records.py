"""Reading students' stored results for documents: a batch of students in a few queries.

Documents are rendered in batches (a graduating class, thousands of students), so the data is
read per batch of students with one query per table, never one query per figure. Everything
read here is an engine result or a canonical record: the renderers compute no policy, they
print what ``cbe-bridge compute`` stored (and what ``cbe-bridge explain`` can trace).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cbe_bridge.store.schema import CANONICAL, course_marks, gpa, proficiency, students

StudentKey = tuple[str, str]  # (source, student id)


@dataclass(frozen=True)
class FigureRow:
    """One stored proficiency figure (a row of ``proficiency``)."""

    node_id: str
    value: float | None
    level_code: str | None
    proficient: bool | None
    basis: str | None  # direct | derived | mixed
    n_direct: int
    n_derived: int
    last_date: str | None


@dataclass(frozen=True)
class CourseRow:
    """One stored course mark, with its course and term as the source named them."""

    class_id: str
    course_code: str | None
    title: str | None
    session_id: str | None
    term_title: str | None
    term_start: str | None
    term_end: str | None
    school_year: int | None
    letter: str | None  # back-translated from proficiency (or as given, basis "source")
    value: float | None
    basis: str | None  # direct | derived | source
    course_level: str | None
    credits_attempted: float
    credits_earned: float
    counted: bool


@dataclass(frozen=True)
class GpaRow:
    unweighted: float | None
    weighted: float | None
    credits: float | None


@dataclass
class StudentRecord:
    """Everything the documents print about one student, as stored."""

    source: str
    student_id: str
    local_id: str | None
    given_name: str | None
    middle_name: str | None
    family_name: str | None
    preferred_given_name: str | None
    birth_date: str | None
    grade_level: str | None
    class_of: int | None
    school_id: str | None
    graduation: list[dict] = field(default_factory=list)
    figures: dict[str, FigureRow] = field(default_factory=dict)
    courses: list[CourseRow] = field(default_factory=list)
    gpa: dict[str, GpaRow] = field(default_factory=dict)

    @property
    def key(self) -> StudentKey:
        return (self.source, self.student_id)


def select_students(conn: Connection, *, refs: Sequence[str] = (), class_of: int | None = None,
                    school_id: str | None = None) -> tuple[list[StudentKey], list[str]]:
    """Computed students matching the selection, in alphabetical order of family name.

    ``refs`` are source ids or local student numbers; returns the keys found and the refs
    that matched no computed student (so the caller can say which, without guessing).
    """
    users = CANONICAL["users"]
    query = (sa.select(students.c.source, students.c.student_id, users.c.identifier)
             .join(users, sa.and_(users.c.source == students.c.source,
                                  users.c.source_id == students.c.student_id), isouter=True)
             .order_by(users.c.family_name, users.c.given_name, students.c.student_id))
    if class_of is not None:
        query = query.where(students.c.class_of == class_of)
    if school_id is not None:
        query = query.where(students.c.school_id == school_id)
    if refs:
        query = query.where(sa.or_(students.c.student_id.in_(list(refs)), users.c.identifier.in_(list(refs))))
    rows = conn.execute(query).all()
    found = {r for row in rows for r in (row[1], row[2]) if r is not None}
    return [(row[0], row[1]) for row in rows], [r for r in refs if r not in found]


def _by_source(keys: Iterable[StudentKey]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for source, student_id in keys:
        grouped[source].append(student_id)
    return grouped


def load_records(conn: Connection, keys: Sequence[StudentKey]) -> dict[StudentKey, StudentRecord]:
    """The stored results of these students, keyed like ``keys`` (missing students omitted).

    One query per table per source; callers pass batches of a few dozen to a few hundred
    students (a SQL ``IN`` list), which keeps memory flat however large the class.
    """
    records: dict[StudentKey, StudentRecord] = {}
    for source, ids in _by_source(keys).items():
        _identity(conn, source, ids, records)
        _figures(conn, source, ids, records)
        _courses(conn, source, ids, records)
        _gpa(conn, source, ids, records)
    return records


def _identity(conn: Connection, source: str, ids: list[str], out: dict[StudentKey, StudentRecord]) -> None:
    users, demo = CANONICAL["users"], CANONICAL["demographics"]
    query = (
        sa.select(students, users.c.identifier, users.c.given_name, users.c.middle_name, users.c.family_name,
                  users.c.preferred_given_name, demo.c.birth_date)
        .join(users, sa.and_(users.c.source == students.c.source, users.c.source_id == students.c.student_id),
              isouter=True)
        .join(demo, sa.and_(demo.c.source == students.c.source, demo.c.source_id == students.c.student_id),
              isouter=True)
        .where(students.c.source == source, students.c.student_id.in_(ids)))
    for r in conn.execute(query).mappings():
        out[(source, r["student_id"])] = StudentRecord(
            source, r["student_id"], r["identifier"], r["given_name"], r["middle_name"], r["family_name"],
            r["preferred_given_name"], r["birth_date"], r["grade_level"], r["class_of"], r["school_id"],
            json.loads(r["graduation"] or "[]"))


def _figures(conn: Connection, source: str, ids: list[str], out: dict[StudentKey, StudentRecord]) -> None:
    query = sa.select(proficiency).where(proficiency.c.source == source, proficiency.c.student_id.in_(ids))
    for r in conn.execute(query).mappings():
        record = out.get((source, r["student_id"]))
        if record is not None:
            record.figures[r["node_id"]] = FigureRow(
                r["node_id"], r["value"], r["level_code"], r["proficient"], r["basis"], r["n_direct"] or 0,
                r["n_derived"] or 0, r["last_date"])


def _courses(conn: Connection, source: str, ids: list[str], out: dict[StudentKey, StudentRecord]) -> None:
    courses, sessions = CANONICAL["courses"], CANONICAL["academic_sessions"]
    query = (
        sa.select(course_marks, courses.c.title, courses.c.course_code, sessions.c.title.label("term_title"),
                  sessions.c.start_date.label("term_start"))
        .join(courses, sa.and_(courses.c.source == course_marks.c.source,
                               courses.c.source_id == course_marks.c.course_id), isouter=True)
        .join(sessions, sa.and_(sessions.c.source == course_marks.c.source,
                                sessions.c.source_id == course_marks.c.session_id), isouter=True)
        .where(course_marks.c.source == source, course_marks.c.student_id.in_(ids))
        .order_by(course_marks.c.term_end, courses.c.course_code, course_marks.c.class_id))
    for r in conn.execute(query).mappings():
        record = out.get((source, r["student_id"]))
        if record is not None:
            record.courses.append(CourseRow(
                r["class_id"], r["course_code"], r["title"], r["session_id"], r["term_title"], r["term_start"],
                r["term_end"], r["school_year"], r["letter"], r["value"], r["basis"], r["course_level"],
                r["credits_attempted"] or 0.0, r["credits_earned"] or 0.0, bool(r["counted"])))


def _gpa(conn: Connection, source: str, ids: list[str], out: dict[StudentKey, StudentRecord]) -> None:
    query = sa.select(gpa).where(gpa.c.source == source, gpa.c.student_id.in_(ids))
    for r in conn.execute(query).mappings():
        record = out.get((source, r["student_id"]))
        if record is not None:
            record.gpa[r["scope"]] = GpaRow(r["unweighted"], r["weighted"], r["credits"])


__all__ = ["CourseRow", "FigureRow", "GpaRow", "StudentKey", "StudentRecord", "load_records", "select_students"]

"""A student's whole stored record, read set-wise: for documents, exchange formats and write-back.

Transcripts, the CLR and PESC formats and SIS write-back all need the same things: who the
student is (name, local id, birth date), the school, every stored proficiency figure, every
back-translated course mark with its session and SCED code, the GPA figures (cumulative, per
year, per term) and the graduation status. This module reads them with a handful of queries
for a batch of students (never one query per row) and hands out plain dataclasses; renderers
and builders never touch the database.

Only engine results and canonical records are read: nothing here computes policy.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cbe_bridge.engine.compute import ComputeRun, latest_run
from cbe_bridge.engine.records import qualify, unqualify
from cbe_bridge.errors import EngineError, UsageError
from cbe_bridge.store.schema import CANONICAL, course_marks, gpa, proficiency, students

if TYPE_CHECKING:
    from cbe_bridge.engine.policy import Policy

StudentKey = tuple[str, str]  # (source, student id)


@dataclass(frozen=True)
class Person:
    """Identity of a student as the source system knows it (personal data: never logged)."""

    source: str
    student_id: str
    local_id: str | None
    given_name: str | None
    family_name: str | None
    middle_name: str | None
    preferred_given_name: str | None
    birth_date: str | None
    sex: str | None
    email: str | None


@dataclass(frozen=True)
class Figure:
    """One stored proficiency figure (student x continuum node)."""

    node_id: str
    value: float | None
    level_code: str | None
    proficient: bool | None
    basis: str | None  # direct | derived | mixed
    n_direct: int
    n_derived: int
    last_date: str | None
    rule: str | None


@dataclass(frozen=True)
class CourseMark:
    """One back-translated course mark with what the transcript formats need around it."""

    class_id: str
    course_id: str | None
    course_code: str | None
    title: str | None
    sced_code: str | None
    session_id: str | None
    session_title: str | None
    session_type: str | None
    session_start: str | None
    session_end: str | None
    school_year: int | None
    term_end: str | None
    letter: str | None  # back-translated from proficiency
    value: float | None  # the proficiency value the letter came from
    basis: str | None  # direct | derived | source (the teacher's letter, unmapped course)
    source_letter: str | None  # the teacher's letter, when there was one
    course_level: str | None
    credits_attempted: float
    credits_earned: float
    counted: bool  # counts toward GPA (not a failed attempt taken again in a later year)


@dataclass(frozen=True)
class GpaFigure:
    scope: str  # cumulative | <school year> | term:<session id>
    unweighted: float | None
    weighted: float | None
    credits: float | None
    quality_points: float | None


@dataclass
class StudentRecord:
    """Everything the exchange formats say about one student."""

    person: Person
    grade_level: str | None
    class_of: int | None
    school_id: str | None
    school_name: str | None
    school_identifier: str | None
    graduation: list[dict] = field(default_factory=list)
    figures: dict[str, Figure] = field(default_factory=dict)  # by node id
    courses: list[CourseMark] = field(default_factory=list)
    gpa: dict[str, GpaFigure] = field(default_factory=dict)  # by scope

    @property
    def key(self) -> StudentKey:
        return (self.person.source, self.person.student_id)


def latest_compute_run(conn: Connection) -> ComputeRun:
    """The last compute run; a usage error when nothing has been computed yet."""
    run = latest_run(conn)
    if run is None:
        raise UsageError("the store holds no computed results",
                         hint="run 'cbe-bridge compute' first")
    return run


def computed_under(run: ComputeRun, policy: Policy) -> bool:
    """Whether ``run`` was made under ``policy`` (the mapping fingerprint and continuum it recorded)."""
    return run.mapping_fingerprint == policy.mapping.fingerprint and run.continuum_id == policy.continuum.id


def require_current(run: ComputeRun, policy: Policy, consequence: str, then: str) -> None:
    """Stop when the stored figures were computed under another mapping or continuum than
    ``policy``: an output that sets the policy's rules and words beside them would mix two.

    ``consequence`` completes "... changed since the figures were computed, so"; ``then`` the
    hint "run 'cbe-bridge compute' again, then"."""
    if not computed_under(run, policy):
        raise EngineError(f"the mapping or continuum changed since the figures were computed, so {consequence}",
                          hint=f"run 'cbe-bridge compute' again, then {then}")


def select_students(conn: Connection, refs: Sequence[str] = (), class_of: int | None = None,
                    school_id: str | None = None) -> list[StudentKey]:
    """Computed students matching every selection given, in alphabetical order of family name.

    ``refs`` are source ids or local student numbers; with no selection at all, every computed
    student. Raises a usage error naming the references that match no computed student (what
    the user typed, not personal data read from the store), or when nothing matches (saying
    so when nothing has been computed at all).
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
    if not rows:
        latest_compute_run(conn)  # nothing computed at all says so, not "no such student"
    found = {r for row in rows for r in (row[1], row[2]) if r is not None}
    missing = [r for r in refs if r not in found]
    if missing:
        raise UsageError("no computed student matches " + ", ".join(missing),
                         hint="give a student's source id or local student number (and run 'cbe-bridge compute')")
    if not rows:
        what = f"graduates in {class_of}" if class_of is not None and school_id is None else "matches the selection"
        raise UsageError(f"no computed student {what}", hint="check --class-of and --school")
    return [(row[0], row[1]) for row in rows]


def _by_keys(column_source: sa.Column, column_id: sa.Column, keys: Sequence[StudentKey]):  # noqa: ANN202
    return sa.tuple_(column_source, column_id).in_(list(keys))


def load_records(conn: Connection, keys: Sequence[StudentKey], *, chunk: int = 500) -> dict[StudentKey, StudentRecord]:
    """Full records for ``keys``, in that order (students without results are left out).

    Callers pass a batch (a class, a chunk of one): one query per table per 500 students keeps
    memory flat however large the district."""
    out: dict[StudentKey, StudentRecord] = {}
    for start in range(0, len(keys), chunk):
        out.update(_load_chunk(conn, keys[start:start + chunk]))
    return out


def _load_chunk(conn: Connection, keys: Sequence[StudentKey]) -> dict[StudentKey, StudentRecord]:
    users, demo, orgs = CANONICAL["users"], CANONICAL["demographics"], CANONICAL["orgs"]
    courses, sessions = CANONICAL["courses"], CANONICAL["academic_sessions"]
    query = (
        sa.select(students, users.c.identifier, users.c.given_name, users.c.family_name, users.c.middle_name,
                  users.c.preferred_given_name, users.c.email, demo.c.birth_date, demo.c.sex, orgs.c.name.label("school_name"),
                  orgs.c.identifier.label("school_identifier"))
        .join(users, sa.and_(users.c.source == students.c.source, users.c.source_id == students.c.student_id),
              isouter=True)
        .join(demo, sa.and_(demo.c.source == students.c.source, demo.c.source_id == students.c.student_id),
              isouter=True)
        .join(orgs, sa.and_(orgs.c.source == students.c.source, orgs.c.source_id == students.c.school_id),
              isouter=True)
        .where(_by_keys(students.c.source, students.c.student_id, keys))
    )
    records: dict[StudentKey, StudentRecord] = {}
    for r in conn.execute(query).mappings():
        person = Person(r["source"], r["student_id"], r["identifier"], r["given_name"], r["family_name"],
                        r["middle_name"], r["preferred_given_name"], r["birth_date"], r["sex"], r["email"])
        records[(r["source"], r["student_id"])] = StudentRecord(
            person, r["grade_level"], r["class_of"], r["school_id"], r["school_name"], r["school_identifier"],
            graduation=json.loads(r["graduation"] or "[]"))
    for r in conn.execute(sa.select(proficiency).where(
            _by_keys(proficiency.c.source, proficiency.c.student_id, keys))).mappings():
        rec = records.get((r["source"], r["student_id"]))
        if rec is not None:
            rec.figures[r["node_id"]] = Figure(r["node_id"], r["value"], r["level_code"], r["proficient"],
                                               r["basis"], r["n_direct"] or 0, r["n_derived"] or 0,
                                               r["last_date"], r["rule"])
    marks = (
        sa.select(course_marks, courses.c.course_code, courses.c.title, courses.c.sced_code,
                  sessions.c.title.label("session_title"), sessions.c.session_type,
                  sessions.c.start_date, sessions.c.end_date)
        .join(courses, sa.and_(courses.c.source == course_marks.c.source,
                               courses.c.source_id == course_marks.c.course_id), isouter=True)
        .join(sessions, sa.and_(sessions.c.source == course_marks.c.source,
                                sessions.c.source_id == course_marks.c.session_id), isouter=True)
        .where(_by_keys(course_marks.c.source, course_marks.c.student_id, keys))
        .order_by(course_marks.c.term_end, courses.c.course_code, course_marks.c.class_id)
    )
    for r in conn.execute(marks).mappings():
        rec = records.get((r["source"], r["student_id"]))
        if rec is None:
            continue
        rec.courses.append(CourseMark(
            r["class_id"], r["course_id"], r["course_code"], r["title"], r["sced_code"], r["session_id"],
            r["session_title"], r["session_type"], r["start_date"], r["end_date"], r["school_year"],
            r["term_end"], r["letter"], r["value"], r["basis"], r["source_letter"], r["course_level"],
            float(r["credits_attempted"] or 0.0), float(r["credits_earned"] or 0.0), bool(r["counted"])))
    _linked_mark_details(conn, list(records.values()))
    for r in conn.execute(sa.select(gpa).where(_by_keys(gpa.c.source, gpa.c.student_id, keys))).mappings():
        rec = records.get((r["source"], r["student_id"]))
        if rec is not None:
            rec.gpa[r["scope"]] = GpaFigure(r["scope"], r["unweighted"], r["weighted"], r["credits"],
                                            r["quality_points"])
    return {k: records[k] for k in keys if k in records}


def _linked_mark_details(conn: Connection, found: Sequence[StudentRecord]) -> None:
    """Course (code, title, SCED code) and term (title, type, dates) of marks taken in a linked
    source (``[identity]`` with course grades): their marks carry course and session ids
    qualified with that source (``lms:100``, ``lms:t1``), which the primary source's tables do
    not hold, so they are looked up in the source named."""
    courses, sessions = CANONICAL["courses"], CANONICAL["academic_sessions"]
    course = _by_qualified_id(conn, courses, [courses.c.course_code, courses.c.title, courses.c.sced_code],
                              [m.course_id for rec in found for m in rec.courses if m.title is None])
    term = _by_qualified_id(conn, sessions, [sessions.c.title, sessions.c.session_type, sessions.c.start_date,
                                             sessions.c.end_date],
                            [m.session_id for rec in found for m in rec.courses if m.session_title is None])

    def detailed(mark: CourseMark) -> CourseMark:
        if mark.title is None and (d := course.get(mark.course_id or "")):
            mark = replace(mark, course_code=d[0], title=d[1], sced_code=d[2])
        if mark.session_title is None and (d := term.get(mark.session_id or "")):
            mark = replace(mark, session_title=d[0], session_type=d[1], session_start=d[2], session_end=d[3])
        return mark

    if course or term:
        for rec in found:
            rec.courses[:] = [detailed(m) for m in rec.courses]


def _by_qualified_id(conn: Connection, table: sa.Table, columns: list[sa.Column],
                     ids: Sequence[str | None]) -> dict[str, tuple]:
    """{qualified id: the columns' values} for those of ``ids`` qualified with a source of ``table``."""
    sources = list(conn.execute(sa.select(table.c.source).distinct()).scalars())
    wanted = {q for i in ids if i and (q := unqualify(i, sources))}
    details: dict[str, tuple] = {}
    for source in {s for s, _ in wanted}:
        for source_id, *values in conn.execute(sa.select(table.c.source_id, *columns).where(
                table.c.source == source, table.c.source_id.in_(sorted(i for s, i in wanted if s == source)))):
            details[qualify(source, source_id)] = tuple(values)
    return details


def group_by_year(courses: Sequence[CourseMark]) -> dict[int | None, list[CourseMark]]:
    """Course marks by school year (the year the session ends in), years ascending."""
    years: dict[int | None, list[CourseMark]] = defaultdict(list)
    for c in courses:
        years[c.school_year].append(c)
    return dict(sorted(years.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))


__all__ = ["ComputeRun", "CourseMark", "Figure", "GpaFigure", "Person", "StudentKey", "StudentRecord",
           "computed_under", "group_by_year", "latest_compute_run", "load_records", "require_current",
           "select_students"]

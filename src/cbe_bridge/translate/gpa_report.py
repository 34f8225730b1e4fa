"""GPA listings read from the engine's stored results (``cbe-bridge gpa``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cbe_bridge.engine.records import unqualify
from cbe_bridge.store.schema import CANONICAL, course_marks, gpa, students


@dataclass
class GpaLine:
    source: str
    student_id: str
    identifier: str | None
    class_of: int | None
    scope: str
    unweighted: float | None
    weighted: float | None
    credits: float | None


def find_students(conn: Connection, refs: Sequence[str]) -> list[tuple[str, str]]:
    """(source, student id) for each reference: a source id or a local student identifier."""
    users = CANONICAL["users"]
    found = []
    for ref in refs:
        rows = conn.execute(sa.select(users.c.source, users.c.source_id).where(
            sa.or_(users.c.source_id == ref, users.c.identifier == ref))).all()
        found += [tuple(r) for r in rows]
    return found


def gpa_lines(conn: Connection, *, keys: Sequence[tuple[str, str]] = (), class_of: int | None = None,
              per_term: bool = False) -> list[GpaLine]:
    users = CANONICAL["users"]
    query = (
        sa.select(gpa.c.source, gpa.c.student_id, users.c.identifier, students.c.class_of, gpa.c.scope,
                  gpa.c.unweighted, gpa.c.weighted, gpa.c.credits)
        .join(students, sa.and_(students.c.source == gpa.c.source, students.c.student_id == gpa.c.student_id))
        .join(users, sa.and_(users.c.source == gpa.c.source, users.c.source_id == gpa.c.student_id), isouter=True)
        .order_by(gpa.c.source, gpa.c.student_id, gpa.c.scope)
    )
    if not per_term:
        query = query.where(gpa.c.scope == "cumulative")
    if class_of is not None:
        query = query.where(students.c.class_of == class_of)
    if keys:
        query = query.where(sa.tuple_(gpa.c.source, gpa.c.student_id).in_(list(keys)))
    lines = [GpaLine(*row) for row in conn.execute(query)]
    if per_term:
        sessions = CANONICAL["academic_sessions"]
        titles = {(src, sid): title for src, sid, title in conn.execute(
            sa.select(sessions.c.source, sessions.c.source_id, sessions.c.title))}
        sources = sorted({source for source, _ in titles})
        for line in lines:
            if line.scope.startswith("term:"):
                term = line.scope[5:]  # a linked source's term is qualified with its source (lms:t1)
                line.scope = "term: " + titles.get(unqualify(term, sources) or (line.source, term), term)
    return lines


def course_lines(conn: Connection, source: str, student_id: str) -> list[dict]:
    courses = CANONICAL["courses"]
    query = (
        sa.select(course_marks, courses.c.title, courses.c.course_code)
        .join(courses, sa.and_(courses.c.source == course_marks.c.source,
                               courses.c.source_id == course_marks.c.course_id), isouter=True)
        .where(course_marks.c.source == source, course_marks.c.student_id == student_id)
        .order_by(course_marks.c.term_end, courses.c.course_code)
    )
    return [dict(r) for r in conn.execute(query).mappings()]

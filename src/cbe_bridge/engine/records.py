"""The engine's input rows, read from the store per chunk of students.

Two kinds of input per student, each streamed by SQL through indexes:

* **scores**: a student's score on a learning objective (OneRoster result learning-objective
  rows, or a result on a line item aligned to objectives), with its date and origin;
* **course grades**: a student's term or final grade in a class (results on line items of a
  course-grade category, and ``course_grades`` records from sources that carry them).

Nothing here knows policy: which objective is which node, or what a letter is worth, is the
:mod:`~cbe_bridge.engine.policy`'s business.

With ``[identity]`` configured, a primary student's input also holds the rows of the people
linked to them in other sources (``identity_links``); those rows' record and class ids are
qualified with their source (``lms:result_objectives/or:12``), so lineage names the system
they came from and classes of two systems never mix.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from cbe_bridge.identity.settings import IdentitySettings


# Input rows are read-only by convention, not frozen: one is made per row read, millions in a
# district run, and a frozen dataclass's __init__ costs five times as much.
@dataclass(slots=True)
class ScoreRow:
    objective_id: str
    score: float | None
    text_score: str | None
    when: str | None  # assessment (score) date, ISO
    record: str  # "<table>/<source id>" of the evidence row
    class_id: str | None
    line_item_id: str
    result_min: float | None
    result_max: float | None
    scale_titles: str | None  # titles of the score scales attached (result, then line item)


@dataclass(slots=True)
class GradeRow:
    class_id: str
    course_id: str | None
    course_code: str | None
    sced_code: str | None
    course_title: str | None
    session_id: str | None
    school_year: int | None
    term_end: str | None
    letter: str | None
    percent: float | None
    when: str | None
    record: str

    @property
    def year(self) -> int | None:
        """The school year of the grade: its session's, else the one its term's end (or the
        grade's date) falls in; None with none of them."""
        if self.school_year is not None:
            return self.school_year
        day = self.term_end or self.when
        return school_year_of(date.fromisoformat(day[:10])) if day else None


def school_year_of(day: date) -> int:
    """The school year a day falls in, named by the year it ends (OneRoster's convention)."""
    return day.year + 1 if day.month >= 7 else day.year


# One pass over the students' results: a result's own objective scores (result_objectives)
# when it has any, else its score once per objective its line item is aligned to. (Two
# UNION ALL branches read every result twice: 10-15 % more time on a district.) CROSS JOIN
# keeps SQLite's planner on the student index first (results -> their objective rows),
# whatever its statistics say; PostgreSQL plans it as the inner join it is.
_SCORES_SQL = """
SELECT r.student_id, COALESCE(ro.objective_id, lio.objective_id),
       CASE WHEN ro.source_id IS NULL THEN r.score ELSE ro.score END,
       CASE WHEN ro.source_id IS NULL THEN r.text_score ELSE ro.text_score END, r.score_date,
       CASE WHEN ro.source_id IS NULL THEN 'results/' || r.source_id
            ELSE 'result_objectives/' || ro.source_id END,
       COALESCE(r.class_id, li.class_id), li.source_id, li.result_min, li.result_max,
       CASE WHEN ro.source_id IS NULL THEN
         (SELECT MIN(ss.title) FROM line_item_score_scales lss JOIN score_scales ss
            ON ss.source = lss.source AND ss.source_id = lss.score_scale_id
          WHERE lss.source = li.source AND lss.line_item_id = li.source_id)
       ELSE
         (SELECT MIN(ss.title) FROM result_score_scales rss JOIN score_scales ss
            ON ss.source = rss.source AND ss.source_id = rss.score_scale_id
          WHERE rss.source = r.source AND rss.result_id = r.source_id)
       END
FROM results r
CROSS JOIN line_items li
LEFT JOIN result_objectives ro ON ro.source = r.source AND ro.result_id = r.source_id
LEFT JOIN line_item_objectives lio
  ON ro.source_id IS NULL AND lio.source = li.source AND lio.line_item_id = li.source_id
WHERE r.source = :src AND r.student_id IN ({ids})
  AND li.source = r.source AND li.source_id = r.line_item_id
  AND (ro.source_id IS NOT NULL OR lio.objective_id IS NOT NULL)
"""

_GRADES_SQL = """
SELECT r.student_id, c.source_id, c.course_id, co.course_code, co.sced_code, co.title,
       li.session_id, s.school_year, s.end_date, r.text_score, r.score, r.score_date,
       'results/' || r.source_id
FROM results r
JOIN line_items li ON li.source = r.source AND li.source_id = r.line_item_id
JOIN categories cat ON cat.source = li.source AND cat.source_id = li.category_id
JOIN classes c ON c.source = li.source AND c.source_id = li.class_id
LEFT JOIN courses co ON co.source = c.source AND co.source_id = c.course_id
LEFT JOIN academic_sessions s ON s.source = li.source AND s.source_id = li.session_id
WHERE r.source = :src AND r.student_id IN ({ids}) AND lower(cat.title) IN ({categories})
UNION ALL
SELECT g.student_id, g.class_id, COALESCE(g.course_id, c.course_id), co.course_code, co.sced_code,
       co.title, g.session_id, s.school_year, s.end_date, g.letter, g.percent, g.grade_date,
       'course_grades/' || g.source_id
FROM course_grades g
LEFT JOIN classes c ON c.source = g.source AND c.source_id = g.class_id
LEFT JOIN courses co ON co.source = g.source AND co.source_id = COALESCE(g.course_id, c.course_id)
LEFT JOIN academic_sessions s ON s.source = g.source AND s.source_id = g.session_id
WHERE g.source = :src AND g.student_id IN ({ids})
"""


def _in_list(prefix: str, values: Sequence[str]) -> tuple[str, dict[str, str]]:
    names = [f"{prefix}{i}" for i in range(len(values))]
    return ", ".join(f":{n}" for n in names), dict(zip(names, values))


def _rows(conn: Connection, sql: str, params: dict[str, str]) -> Iterable[Sequence]:
    """The rows of a bulk read: on SQLite straight from the driver (SQLAlchemy's per-row
    wrapping took 3-4 % of the district computation), elsewhere through SQLAlchemy."""
    if conn.dialect.name == "sqlite":
        return conn.connection.driver_connection.execute(sql, params)  # sqlite3 takes :name params
    return conn.execute(sa.text(sql), params)


def scores_for(conn: Connection, source: str, student_ids: Sequence[str]) -> dict[str, list[ScoreRow]]:
    """Every objective score of the given students, grouped by student."""
    ids, params = _in_list("s", student_ids)
    out: dict[str, list[ScoreRow]] = defaultdict(list)
    for row in _rows(conn, _SCORES_SQL.format(ids=ids), {"src": source, **params}):
        out[row[0]].append(ScoreRow(*row[1:]))
    return out


def grades_for(conn: Connection, source: str, student_ids: Sequence[str],
               categories: Sequence[str]) -> dict[str, list[GradeRow]]:
    """Every course (term/final) grade of the given students, grouped by student."""
    ids, params = _in_list("s", student_ids)
    cats, cat_params = _in_list("c", [c.lower() for c in categories] or ["\x00"])
    out: dict[str, list[GradeRow]] = defaultdict(list)
    sql = _GRADES_SQL.format(ids=ids, categories=cats)
    for row in _rows(conn, sql, {"src": source, **params, **cat_params}):
        out[row[0]].append(GradeRow(*row[1:]))
    return out


def linked_people(conn: Connection, source: str, student_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """People of other sources linked to these students: {other source: {person id: student id}}."""
    ids, params = _in_list("s", student_ids)
    out: dict[str, dict[str, str]] = defaultdict(dict)
    sql = (f"SELECT source, person_id, student_id FROM identity_links WHERE student_source = :src "
           f"AND status = 'linked' AND student_id IN ({ids}) ORDER BY source, person_id")
    for other, person, student in conn.execute(sa.text(sql), {"src": source, **params}):
        out[other][person] = student
    return out


def qualify(source: str, source_id: str) -> str:
    """The id of a linked source's record as the primary student's figures carry it."""
    return f"{source}:{source_id}"


def unqualify(value: str, sources: Sequence[str]) -> tuple[str, str] | None:
    """(source, id) of an id made by :func:`qualify` with one of ``sources``, else None."""
    source, sep, source_id = value.partition(":")
    return (source, source_id) if sep and source in sources else None


def _qualified(source: str, row: ScoreRow | GradeRow) -> ScoreRow | GradeRow:
    """A linked source's row, its record and class (and course and term) ids prefixed with the
    source: the same id in two systems names two different things."""
    def q(value: str | None) -> str | None:
        return None if value is None else qualify(source, value)

    changes = {"record": q(row.record), "class_id": q(row.class_id)}
    if isinstance(row, GradeRow):
        changes["course_id"] = q(row.course_id)
        changes["session_id"] = q(row.session_id)
    return replace(row, **changes)


def evidence_for(conn: Connection, source: str, student_ids: Sequence[str], categories: Sequence[str],
                 identity: IdentitySettings | None = None, linked: dict[str, dict[str, str]] | None = None
                 ) -> tuple[dict[str, list[ScoreRow]], dict[str, list[GradeRow]]]:
    """Scores and course grades of the given students, with those of linked people (see above).

    ``linked``: the students' :func:`linked_people`, when the caller has read them already."""
    scores = scores_for(conn, source, student_ids)
    grades = grades_for(conn, source, student_ids, categories)
    if identity is None or source != identity.primary:
        return scores, grades
    if linked is None:
        linked = linked_people(conn, source, student_ids)
    for other, people in linked.items():
        settings = identity.sources.get(other)
        if settings is None:  # links left by an earlier configuration: not this one's
            continue
        if "scores" in settings.evidence:
            for person, rows in scores_for(conn, other, list(people)).items():
                scores[people[person]].extend(_qualified(other, r) for r in rows)
        if "course_grades" in settings.evidence:
            for person, rows in grades_for(conn, other, list(people), categories).items():
                grades[people[person]].extend(_qualified(other, r) for r in rows)
    return scores, grades


def student_roles_sql(where: str = "") -> str:
    """(source, user_id) of users with a student role: users.role, roles or enrollments.

    ``where`` narrows each part (e.g. ``source = :src``). Three indexed look-ups, not an OR of
    correlated subqueries (quadratic on a district).
    """
    extra = f" AND {where}" if where else ""
    return (f"SELECT source, source_id AS user_id FROM users WHERE role = 'student'{extra} "
            f"UNION SELECT source, user_id FROM roles WHERE role = 'student'{extra} "
            f"UNION SELECT source, user_id FROM enrollments WHERE role = 'student'{extra}")


@dataclass(frozen=True, slots=True)
class StudentRow:
    source: str
    student_id: str
    grade_level: str | None
    school_id: str | None


def list_students(conn: Connection, only: Sequence[str] = (), *, skip_linked: bool = False) -> list[StudentRow]:
    """Students in the store: users with a student role (users.role, roles or enrollments).

    ``only`` narrows to students whose source id or local identifier is listed. ``skip_linked``
    leaves out people linked to a student of the primary source (they are that student).
    """
    linked = ("WHERE NOT EXISTS (SELECT 1 FROM identity_links l WHERE l.source = u.source "
              "AND l.person_id = u.source_id AND l.status = 'linked')") if skip_linked else ""
    sql = f"""
    SELECT u.source, u.source_id, u.grades, u.primary_org_id, u.identifier FROM users u
    JOIN ({student_roles_sql()}) s
      ON s.source = u.source AND s.user_id = u.source_id
    {linked}
    ORDER BY u.source, u.source_id
    """
    wanted = set(only)
    rows = []
    for source, source_id, grades, org, identifier in conn.execute(sa.text(sql)):
        if wanted and source_id not in wanted and identifier not in wanted:
            continue
        grade = grades.split(",")[-1] if grades else None
        rows.append(StudentRow(source, source_id, grade, org))
    return rows

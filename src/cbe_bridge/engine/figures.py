"""From a :class:`StudentResult` to the figures stored and printed: GPA, graduation, rows.

GPA is computed on the back-translated letters of the courses that count (all but failed
attempts passed again in a later school year), cumulative, per school year and per term,
unweighted and weighted.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from cbe_bridge.engine.methods.gpa import CourseMark, GpaFigure, gpa_pair
from cbe_bridge.engine.policy import Policy
from cbe_bridge.engine.records import school_year_of
from cbe_bridge.engine.student import CourseResult, StudentResult


@dataclass
class GpaPair:
    scope: str
    unweighted: GpaFigure
    weighted: GpaFigure


def class_of(grade_level: str | None, as_of: date) -> int | None:
    try:
        grade = int(grade_level or "")
    except ValueError:
        return None
    return school_year_of(as_of) + (12 - grade)


def _mark(course: CourseResult) -> CourseMark:
    g = course.grade
    return CourseMark(g.course_id or g.class_id, f"{g.term_end or ''}/{g.session_id or ''}",
                      course.letter or "", course.credits_attempted, course.credits_earned,
                      course.alignment.course_level if course.alignment else "regular")


def gpa_figures(policy: Policy, courses: list[CourseResult]) -> list[GpaPair]:
    """Cumulative, per school year and per term GPA from the counted courses."""
    table = policy.mapping.gpa
    scopes: dict[str, list[CourseMark]] = defaultdict(list)
    for course in courses:
        if not course.counted or not course.letter:
            continue
        mark = _mark(course)
        scopes["cumulative"].append(mark)
        if course.grade.school_year:
            scopes[str(course.grade.school_year)].append(mark)
        if course.grade.session_id:
            scopes[f"term:{course.grade.session_id}"].append(mark)
    return [GpaPair(scope, *gpa_pair(marks, table.points, table.weights, table.scale_max))
            for scope, marks in scopes.items()]


def graduation_status(policy: Policy, result: StudentResult) -> list[dict]:
    rows = []
    for req, node in policy.graduation:
        found = result.nodes.get(node.id)
        value = found.value if found else None
        rows.append({"node": node.id, "code": node.human_code, "title": node.title,
                     "required": req.level, "achieved": value,
                     "met": value is not None and value >= req.level})
    return rows


def result_rows(policy: Policy, result: StudentResult, grade_level: str | None, school_id: str | None,
                as_of: date, run_id: int) -> dict[str, list[dict]]:
    """The rows one student contributes to each engine table."""
    key = {"source": result.source, "student_id": result.student_id}
    rows: dict[str, list[dict]] = {
        "students": [{**key, "run_id": run_id, "grade_level": grade_level,
                      "class_of": class_of(grade_level, as_of), "school_id": school_id,
                      "graduation": json.dumps(graduation_status(policy, result))}],
        "proficiency": [
            {**key, "node_id": n.node_id, "value": n.value, "level_code": n.level_code,
             "proficient": n.proficient, "basis": n.basis, "n_direct": n.n_direct,
             "n_derived": n.n_derived, "last_date": n.last_date, "rule": n.rule}
            for n in result.nodes.values() if n.value is not None],
        "course_marks": [],
        "gpa": [],
    }
    seen = set()
    for c in result.courses:
        if c.grade.class_id in seen:
            continue
        seen.add(c.grade.class_id)
        rows["course_marks"].append({
            **key, "class_id": c.grade.class_id, "course_id": c.grade.course_id,
            "session_id": c.grade.session_id, "school_year": c.grade.school_year,
            "term_end": c.grade.term_end, "letter": c.letter, "value": c.value, "basis": c.basis,
            "source_letter": c.grade.letter, "course_level": c.alignment.course_level if c.alignment else None,
            "credits_attempted": c.credits_attempted, "credits_earned": c.credits_earned,
            "counted": c.counted})
    for pair in gpa_figures(policy, result.courses):
        rows["gpa"].append({**key, "scope": pair.scope, "unweighted": pair.unweighted.value,
                            "weighted": pair.weighted.value, "credits": pair.unweighted.credits,
                            "quality_points": pair.unweighted.quality_points})
    return rows

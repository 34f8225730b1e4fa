"""Canvas LMS collections and how their records land in the OneRoster-shaped store.

* A Canvas course is a ``courses`` row and a ``classes`` row with the same id (assignments,
  enrollments and grades live on the course); its sections are ``classes`` rows
  ``section:<id>`` under it.
* Enrollments -> ``enrollments`` (role from the enrollment type); a student enrollment's
  grades -> a ``course_grades`` row with the same id (the final grade once the enrollment is
  completed, the current grade before; an override grade wins).
* Assignments -> ``line_items``; submissions -> ``results`` ``sub:<id>`` with their rubric
  assessment as ``result_objectives`` (source ``canvas-rubric``, id ``<assignment>:<criterion>``).
* Outcome groups and outcomes -> ``learning_objectives`` (groups as ``group:<id>`` parents);
  outcome results -> ``results`` ``or:<id>`` on the aligned assignment (or a synthetic line
  item for other alignments) with a ``result_objectives`` row for the outcome: the direct
  evidence. Outcome rollups (off by default: the engine computes its own) -> results on a
  synthetic ``rollup:<course>`` line item, objective ids ``rollup:<outcome>``.

Per-course collections are replaced wholesale by a full pull (Canvas offers no change feed for
most of them): what a course no longer lists is deleted when its pull completes. Courses
themselves are never deleted: a course that leaves the listing keeps its records.
"""

from __future__ import annotations

import re
from typing import Any

from cbe_bridge.sources.http.streams import ParseContext, Rows, Stream, day, number

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
ROLES = {"StudentEnrollment": "student", "TeacherEnrollment": "teacher", "TaEnrollment": "aide",
         "ObserverEnrollment": "guardian", "DesignerEnrollment": "teacher"}
STATUS = {"graded": "fully graded", "submitted": "submitted", "pending_review": "partially graded",
          "unsubmitted": "not submitted"}


def _s(value: Any) -> str:
    if value in (None, ""):
        raise ValueError("missing id")
    return str(value)


def parse_course(r: dict, rows: Rows, ctx: ParseContext) -> None:
    """A course -> a courses row and a classes row with the same id."""
    cid = _s(r["id"])
    term = r.get("enrollment_term_id")
    rows.add("courses", cid, {"title": r.get("name"), "course_code": r.get("course_code")}, line=ctx.line)
    rows.add("classes", cid, {"title": r.get("name"), "course_id": cid, "class_code": r.get("sis_course_id"),
                              "class_type": "canvas-course", "term_ids": str(term) if term else None},
             line=ctx.line)


def parse_section(r: dict, rows: Rows, ctx: ParseContext) -> None:
    rows.add("classes", f"section:{_s(r['id'])}", {
        "title": r.get("name"), "course_id": _s(r.get("course_id") or ctx.meta["course"]),
        "class_code": r.get("sis_section_id"), "class_type": "canvas-section"}, line=ctx.line)


def parse_user(r: dict, rows: Rows, ctx: ParseContext) -> None:
    family, _, given = str(r.get("sortable_name") or "").partition(", ")
    rows.add("users", _s(r["id"]), {
        "enabled": True, "username": r.get("login_id"), "given_name": given or r.get("short_name"),
        "family_name": family or None, "identifier": r.get("sis_user_id"), "email": r.get("email")}, line=ctx.line)


def parse_enrollment(r: dict, rows: Rows, ctx: ParseContext) -> None:
    """An enrollment -> enrollments; a student's grades -> course_grades (same id)."""
    eid = _s(r["id"])
    course = _s(r.get("course_id") or ctx.meta["course"])
    role = ROLES.get(str(r.get("type")), str(r.get("role") or r.get("type")))
    rows.add("enrollments", eid, {
        "class_id": course, "user_id": _s(r["user_id"]), "role": role,
        "begin_date": day(r.get("start_at")), "end_date": day(r.get("end_at"))},
        line=ctx.line, modified=r.get("updated_at"))
    grades = r.get("grades") if isinstance(r.get("grades"), dict) else {}
    completed = r.get("enrollment_state") == "completed"
    letter = grades.get("override_grade") or (grades.get("final_grade") if completed else grades.get("current_grade"))
    percent = number(grades.get("override_score") if grades.get("override_score") is not None else
                     grades.get("final_score") if completed else grades.get("current_score"))
    if role != "student" or (letter is None and percent is None):
        rows.delete("course_grades", eid, line=ctx.line)
        return
    rows.add("course_grades", eid, {
        "student_id": str(r["user_id"]), "class_id": course, "course_id": course,
        "grade_type": "final" if completed else "current", "letter": letter, "percent": percent,
        "grade_date": day(r.get("updated_at"))}, line=ctx.line, modified=r.get("updated_at"))


def parse_assignment(r: dict, rows: Rows, ctx: ParseContext) -> None:
    rows.add("line_items", _s(r["id"]), {
        "title": r.get("name"), "assign_date": day(r.get("unlock_at") or r.get("created_at")),
        "due_date": day(r.get("due_at")), "class_id": _s(r.get("course_id") or ctx.meta["course"]),
        "result_min": 0.0 if r.get("points_possible") is not None else None,
        "result_max": number(r.get("points_possible"))}, line=ctx.line, modified=r.get("updated_at"))


def parse_submission(r: dict, rows: Rows, ctx: ParseContext) -> None:
    """A submission -> results ``sub:<id>``; its rubric assessment -> result_objectives."""
    rid = f"sub:{_s(r['id'])}"
    assignment = _s(r["assignment_id"])
    rows.add("results", rid, {
        "line_item_id": assignment, "student_id": _s(r["user_id"]), "class_id": ctx.meta["course"],
        "score_status": STATUS.get(str(r.get("workflow_state")), r.get("workflow_state")),
        "score": number(r.get("score")), "text_score": None if r.get("grade") is None else str(r.get("grade")),
        "score_date": day(r.get("graded_at") or r.get("submitted_at")),
        "late": bool(r["late"]) if r.get("late") is not None else None,
        "missing": bool(r["missing"]) if r.get("missing") is not None else None},
        line=ctx.line, modified=r.get("graded_at") or r.get("submitted_at"))
    rows.own_children("result_objectives", "result_id", rid)
    rubric = r.get("rubric_assessment") if isinstance(r.get("rubric_assessment"), dict) else {}
    for criterion, rating in rubric.items():
        if isinstance(rating, dict) and rating.get("points") is not None:
            rows.add("result_objectives", f"{rid}#{criterion}", {
                "result_id": rid, "objective_source": "canvas-rubric", "objective_id": f"{assignment}:{criterion}",
                "score": number(rating.get("points"))}, line=ctx.line)


def _group_row(rows: Rows, group: dict, line: int) -> None:
    parent = group.get("parent_outcome_group") or {}
    rows.add("learning_objectives", f"group:{_s(group['id'])}", {
        "title": group.get("title"), "case_guid": _guid(group.get("vendor_guid")),
        "parent_id": f"group:{parent['id']}" if parent.get("id") else None}, line=line, shared=True)


def _guid(value: Any) -> str | None:
    found = _GUID.search(str(value or ""))
    return found.group(0).lower() if found else None


def parse_outcome_group(r: dict, rows: Rows, ctx: ParseContext) -> None:
    _group_row(rows, r, ctx.line)


def parse_outcome_link(r: dict, rows: Rows, ctx: ParseContext) -> None:
    outcome = r["outcome"]
    group = r.get("outcome_group") or {}
    rows.add("learning_objectives", _s(outcome["id"]), {
        "title": outcome.get("title"), "human_code": outcome.get("display_name"),
        "case_guid": _guid(outcome.get("vendor_guid")),
        "parent_id": f"group:{group['id']}" if group.get("id") else None}, line=ctx.line, shared=True)


def parse_outcome_result(r: dict, rows: Rows, ctx: ParseContext) -> None:
    """An outcome result -> results ``or:<id>`` + a result_objectives row: direct evidence."""
    rid = f"or:{_s(r['id'])}"
    links = r.get("links") or {}
    course = ctx.meta["course"]
    alignment = str(links.get("alignment") or "")
    if alignment.startswith("assignment_"):
        item = alignment.removeprefix("assignment_")
    else:  # a quiz bank, a rubric-only assessment...: one synthetic line item per alignment
        item = f"align:{course}:{alignment or 'none'}"
        rows.add("line_items", item, {"title": f"Canvas alignment {alignment or 'unknown'}", "class_id": course},
                 line=ctx.line, shared=True)
    when = r.get("submitted_or_assessed_at")
    rows.add("results", rid, {
        "line_item_id": item, "student_id": _s(links.get("user")), "class_id": course,
        "score_status": "fully graded", "score": number(r.get("score")), "score_date": day(when)},
        line=ctx.line, modified=when)
    rows.own_children("result_objectives", "result_id", rid)
    rows.add("result_objectives", rid, {
        "result_id": rid, "objective_source": "canvas", "objective_id": _s(links.get("learning_outcome")),
        "score": number(r.get("score"))}, line=ctx.line)


def parse_rollup(r: dict, rows: Rows, ctx: ParseContext) -> None:
    """A student's rollup in a course -> results on a synthetic line item (objective ids ``rollup:``)."""
    course = ctx.meta["course"]
    user = _s((r.get("links") or {}).get("user"))
    rid = f"rollup:{course}:{user}"
    item = f"rollup:{course}"
    rows.add("line_items", item, {"title": "Canvas outcome rollups", "class_id": course}, line=ctx.line, shared=True)
    rows.add("results", rid, {"line_item_id": item, "student_id": user, "class_id": course,
                              "score_status": "fully graded"}, line=ctx.line)
    rows.own_children("result_objectives", "result_id", rid)
    for score in r.get("scores") or []:
        outcome = _s((score.get("links") or {}).get("outcome"))
        rows.add("result_objectives", f"{rid}#{outcome}", {
            "result_id": rid, "objective_source": "canvas-rollup", "objective_id": f"rollup:{outcome}",
            "score": number(score.get("score"))}, line=ctx.line)


def _c(name: str, path: str, entity: str, parse: Any, *, sweep: str | None, children: tuple = (),
       records_key: str | None = None, params: tuple = (), default: bool = True) -> Stream:
    return Stream(name=name, path=path, entity=entity, primary_key=("id",), replication_key=None, parse=parse,
                  records_key=records_key, children=children, sweep=sweep, params=params, default=default)


# Courses are never deleted by a pull: a concluded course may drop out of a listing while its
# grades are exactly what a transcript needs. Completed courses are asked for explicitly.
COURSES = _c("courses", "courses", "courses", parse_course, sweep=None,
             params=(("include[]", "term"), ("state[]", "available"), ("state[]", "completed")))

# Per course, in load order; ``sweep`` scopes are relative to ``:course``.
PER_COURSE: tuple[Stream, ...] = (
    _c("sections", "courses/{course}/sections", "classes", parse_section,
       sweep="course_id = :course AND source_id LIKE 'section:%'"),
    _c("users", "courses/{course}/users", "users", parse_user, sweep=None,
       params=(("include[]", "email"), ("enrollment_type[]", "student"), ("enrollment_type[]", "teacher"),
               ("enrollment_type[]", "ta"))),
    _c("enrollments", "courses/{course}/enrollments", "enrollments", parse_enrollment, sweep="class_id = :course",
       children=(("course_grades", "source_id"),),
       params=(("state[]", "active"), ("state[]", "completed"), ("state[]", "inactive"))),
    _c("assignments", "courses/{course}/assignments", "line_items", parse_assignment,
       sweep="class_id = :course AND source_id NOT LIKE 'align:%' AND source_id NOT LIKE 'rollup:%'"),
    _c("submissions", "courses/{course}/students/submissions", "results", parse_submission,
       sweep="class_id = :course AND source_id LIKE 'sub:%'", children=(("result_objectives", "result_id"),),
       params=(("student_ids[]", "all"), ("include[]", "rubric_assessment"))),
    _c("outcome_groups", "courses/{course}/outcome_groups", "learning_objectives", parse_outcome_group, sweep=None),
    _c("outcomes", "courses/{course}/outcome_group_links", "learning_objectives", parse_outcome_link, sweep=None,
       params=(("outcome_style", "full"),)),
    _c("outcome_results", "courses/{course}/outcome_results", "results", parse_outcome_result,
       sweep="class_id = :course AND source_id LIKE 'or:%'", children=(("result_objectives", "result_id"),),
       records_key="outcome_results"),
    _c("outcome_rollups", "courses/{course}/outcome_rollups", "results", parse_rollup,
       sweep="class_id = :course AND source_id LIKE 'rollup:%'", children=(("result_objectives", "result_id"),),
       records_key="rollups", default=False),
)

STREAMS: tuple[Stream, ...] = (COURSES, *PER_COURSE)

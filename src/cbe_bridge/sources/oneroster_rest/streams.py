"""OneRoster REST collections and how their JSON records land in the canonical store.

One set of parse functions for 1.1 and 1.2 (fields of the other version are simply absent).
Child rows a record carries inline (1.2 ``roles`` on users, ``learningObjectiveSet`` and
``scoreScale`` on line items and results) get ids derived from their parent
(``<parent>#<source>#<objective>``) and are replaced with the parent on every update.
A record with ``status = tobedeleted`` deletes the record and its children. Passwords,
phone numbers and ``metadata`` extensions are never stored.
"""

from __future__ import annotations

import re

from cbe_bridge.sources.http.streams import (ParseContext, Rows, Stream, boolean, day, number, ref, refs,
                                             text_list)

_SCED = re.compile(r"^\d{5}$")


def _common(record: dict) -> tuple[str, str | None, bool]:
    source_id = str(record["sourcedId"])
    if not source_id.strip():
        raise ValueError("sourcedId is empty")
    deleted = str(record.get("status", "active")).lower() == "tobedeleted"
    return source_id, record.get("dateLastModified"), deleted


def _deleted(rows: Rows, entity: str, sid: str, line: int, modified: str | None,
             children: tuple[tuple[str, str], ...] = ()) -> None:
    rows.delete(entity, sid, line=line, modified=modified)
    for child, column in children:
        rows.own_children(child, column, sid)  # none re-added: every child goes


def parse_org(record: dict, rows: Rows, ctx: ParseContext) -> None:
    sid, modified, deleted = _common(record)
    if deleted:
        return _deleted(rows, "orgs", sid, ctx.line, modified)
    rows.add("orgs", sid, {"name": record.get("name"), "org_type": record.get("type"),
                           "identifier": record.get("identifier"), "parent_id": ref(record.get("parent"))},
             line=ctx.line, modified=modified)


def parse_session(record: dict, rows: Rows, ctx: ParseContext) -> None:
    """academicSessions -> academic_sessions (``schoolYear`` is text in 1.1, a number in 1.2)."""
    sid, modified, deleted = _common(record)
    if deleted:
        return _deleted(rows, "academic_sessions", sid, ctx.line, modified)
    year = record.get("schoolYear")
    rows.add("academic_sessions", sid, {
        "title": record.get("title"), "session_type": record.get("type"),
        "start_date": day(record.get("startDate")), "end_date": day(record.get("endDate")),
        "parent_id": ref(record.get("parent")),
        "school_year": int(year) if year not in (None, "") else None}, line=ctx.line, modified=modified)


def parse_course(record: dict, rows: Rows, ctx: ParseContext) -> None:
    """courses -> courses; the SCED code is the five-digit subject code, as in the CSV binding."""
    sid, modified, deleted = _common(record)
    if deleted:
        return _deleted(rows, "courses", sid, ctx.line, modified)
    codes = record.get("subjectCodes") or []
    sced = next((str(c) for c in codes if _SCED.match(str(c))), None)
    rows.add("courses", sid, {
        "title": record.get("title"), "course_code": record.get("courseCode"), "sced_code": sced,
        "grades": text_list(record.get("grades")), "org_id": ref(record.get("org")),
        "subjects": text_list(record.get("subjects")), "subject_codes": text_list(codes),
        "school_year_id": ref(record.get("schoolYear"))}, line=ctx.line, modified=modified)


def parse_class(record: dict, rows: Rows, ctx: ParseContext) -> None:
    sid, modified, deleted = _common(record)
    if deleted:
        return _deleted(rows, "classes", sid, ctx.line, modified)
    rows.add("classes", sid, {
        "title": record.get("title"), "course_id": ref(record.get("course")),
        "class_code": record.get("classCode"), "class_type": record.get("classType"),
        "school_id": ref(record.get("school")), "term_ids": refs(record.get("terms")),
        "subjects": text_list(record.get("subjects")), "grades": text_list(record.get("grades")),
        "periods": text_list(record.get("periods")), "location": record.get("location")},
        line=ctx.line, modified=modified)


USER_CHILDREN = (("roles", "user_id"),)


def parse_user(record: dict, rows: Rows, ctx: ParseContext) -> None:
    """users -> users (+ roles for 1.2); the role is 1.1's ``role`` or 1.2's primary role."""
    sid, modified, deleted = _common(record)
    if deleted:
        return _deleted(rows, "users", sid, ctx.line, modified, USER_CHILDREN)
    roles = record.get("roles") if isinstance(record.get("roles"), list) else []
    role = record.get("role")
    if role is None and roles:  # 1.2: the primary role, else the first
        primary = next((r for r in roles if r.get("roleType") == "primary"), roles[0])
        role = primary.get("role")
    user_ids = record.get("userIds") or []
    rows.add("users", sid, {
        "role": role, "enabled": boolean(record.get("enabledUser")), "username": record.get("username"),
        "given_name": record.get("givenName"), "family_name": record.get("familyName"),
        "middle_name": record.get("middleName"), "identifier": record.get("identifier"),
        "email": record.get("email"), "grades": text_list(record.get("grades")),
        "org_ids": refs(record.get("orgs")), "primary_org_id": ref(record.get("primaryOrg")),
        "user_ids": ",".join(f"{{{u['type']}:{u['identifier']}}}" for u in user_ids  # as the CSV binding
                             if isinstance(u, dict) and u.get("type") and u.get("identifier")) or None,
        "master_id": record.get("userMasterIdentifier"),
        "preferred_given_name": record.get("preferredFirstName") or record.get("preferredGivenName"),
        "preferred_family_name": record.get("preferredLastName") or record.get("preferredFamilyName")},
        line=ctx.line, modified=modified)
    rows.own_children("roles", "user_id", sid)
    for r in roles:
        org = ref(r.get("org"))
        rows.add("roles", f"{sid}#{org}#{r.get('role')}", {
            "user_id": sid, "role_type": r.get("roleType"), "role": r.get("role"), "org_id": org,
            "begin_date": day(r.get("beginDate")), "end_date": day(r.get("endDate"))}, line=ctx.line)


def parse_demographics(record: dict, rows: Rows, ctx: ParseContext) -> None:
    sid, modified, deleted = _common(record)
    if deleted:
        return _deleted(rows, "demographics", sid, ctx.line, modified)
    rows.add("demographics", sid, {"birth_date": day(record.get("birthDate")), "sex": record.get("sex")},
             line=ctx.line, modified=modified)


def parse_enrollment(record: dict, rows: Rows, ctx: ParseContext) -> None:
    sid, modified, deleted = _common(record)
    if deleted:
        return _deleted(rows, "enrollments", sid, ctx.line, modified)
    rows.add("enrollments", sid, {
        "class_id": ref(record.get("class")), "school_id": ref(record.get("school")),
        "user_id": ref(record.get("user")), "role": record.get("role"), "is_primary": boolean(record.get("primary")),
        "begin_date": day(record.get("beginDate")), "end_date": day(record.get("endDate"))},
        line=ctx.line, modified=modified)


def parse_category(record: dict, rows: Rows, ctx: ParseContext) -> None:
    sid, modified, deleted = _common(record)
    if deleted:
        return _deleted(rows, "categories", sid, ctx.line, modified)
    rows.add("categories", sid, {"title": record.get("title"), "weight": number(record.get("weight"))},
             line=ctx.line, modified=modified)


def parse_score_scale(record: dict, rows: Rows, ctx: ParseContext) -> None:
    """scoreScales (1.2) -> score_scales."""
    sid, modified, deleted = _common(record)
    if deleted:
        return _deleted(rows, "score_scales", sid, ctx.line, modified)
    values = record.get("scoreScaleValue") or []
    rows.add("score_scales", sid, {
        "title": record.get("title"), "scale_type": record.get("type"), "org_id": ref(record.get("org")),
        "course_id": ref(record.get("course")), "class_id": ref(record.get("class")),
        # The CSV binding's text form, so both bindings read the same downstream.
        "scale_values": ",".join(f"{{{v.get('itemValueLHS')}:{v.get('itemValueRHS')}}}"
                                 for v in values if isinstance(v, dict)) or None},
        line=ctx.line, modified=modified)


LINE_ITEM_CHILDREN = (("line_item_objectives", "line_item_id"), ("line_item_score_scales", "line_item_id"))


def parse_line_item(record: dict, rows: Rows, ctx: ParseContext) -> None:
    """lineItems -> line_items (+ their learning objectives and score scale)."""
    sid, modified, deleted = _common(record)
    if deleted:
        return _deleted(rows, "line_items", sid, ctx.line, modified, LINE_ITEM_CHILDREN)
    session = ref(record.get("gradingPeriod")) or ref(record.get("academicSession"))
    rows.add("line_items", sid, {
        "title": record.get("title"), "description": record.get("description"),
        "assign_date": day(record.get("assignDate")), "due_date": day(record.get("dueDate")),
        "class_id": ref(record.get("class")), "category_id": ref(record.get("category")),
        "session_id": session, "result_min": number(record.get("resultValueMin")),
        "result_max": number(record.get("resultValueMax")), "school_id": ref(record.get("school"))},
        line=ctx.line, modified=modified)
    for child, column in LINE_ITEM_CHILDREN:
        rows.own_children(child, column, sid)
    for group in record.get("learningObjectiveSet") or []:
        source = group.get("source")
        for objective in group.get("learningObjectiveIds") or []:
            rows.add("line_item_objectives", f"{sid}#{source}#{objective}", {
                "line_item_id": sid, "objective_source": source, "objective_id": str(objective)}, line=ctx.line)
    scale = ref(record.get("scoreScale"))
    if scale:
        rows.add("line_item_score_scales", f"{sid}#{scale}", {"line_item_id": sid, "score_scale_id": scale},
                 line=ctx.line)


RESULT_CHILDREN = (("result_objectives", "result_id"), ("result_score_scales", "result_id"))


def parse_result(record: dict, rows: Rows, ctx: ParseContext) -> None:
    """results -> results (+ learning-objective results and score scale)."""
    sid, modified, deleted = _common(record)
    if deleted:
        return _deleted(rows, "results", sid, ctx.line, modified, RESULT_CHILDREN)
    rows.add("results", sid, {
        "line_item_id": ref(record.get("lineItem")), "student_id": ref(record.get("student")),
        "class_id": ref(record.get("class")), "score_status": record.get("scoreStatus"),
        "score": number(record.get("score")), "text_score": record.get("textScore"),
        "score_date": day(record.get("scoreDate")), "comment": record.get("comment"),
        "in_progress": boolean(record.get("inProgress")), "incomplete": boolean(record.get("incomplete")),
        "late": boolean(record.get("late")), "missing": boolean(record.get("missing"))},
        line=ctx.line, modified=modified)
    for child, column in RESULT_CHILDREN:
        rows.own_children(child, column, sid)
    for group in record.get("learningObjectiveSet") or []:
        source = group.get("source")
        for item in group.get("learningObjectiveResults") or []:
            objective = str(item.get("learningObjectiveId"))
            rows.add("result_objectives", f"{sid}#{source}#{objective}", {
                "result_id": sid, "objective_source": source, "objective_id": objective,
                "score": number(item.get("score")), "text_score": item.get("textScore")}, line=ctx.line)
    scale = ref(record.get("scoreScale"))
    if scale:
        rows.add("result_score_scales", f"{sid}#{scale}", {"result_id": sid, "score_scale_id": scale}, line=ctx.line)


def _s(name: str, service: str, entity: str, parse, children=(), default=True) -> Stream:  # noqa: ANN001
    return Stream(name=name, path=f"{service}:{name}", entity=entity, primary_key=("sourcedId",),
                  replication_key="dateLastModified", parse=parse, records_key=name, children=children,
                  default=default)


# Load order: every stream after the streams its records refer to.
STREAMS: tuple[Stream, ...] = (
    _s("orgs", "rostering", "orgs", parse_org),
    _s("academicSessions", "rostering", "academic_sessions", parse_session),
    _s("courses", "rostering", "courses", parse_course),
    _s("classes", "rostering", "classes", parse_class),
    _s("users", "rostering", "users", parse_user, USER_CHILDREN),
    _s("demographics", "rostering", "demographics", parse_demographics),
    _s("enrollments", "rostering", "enrollments", parse_enrollment),
    _s("categories", "gradebook", "categories", parse_category),
    _s("scoreScales", "gradebook", "score_scales", parse_score_scale),
    _s("lineItems", "gradebook", "line_items", parse_line_item, LINE_ITEM_CHILDREN),
    _s("results", "gradebook", "results", parse_result, RESULT_CHILDREN),
)

"""Ed-Fi resources (Data Standard 4-6) and how they land in the OneRoster-shaped store.

Ed-Fi records refer to each other by natural keys, not ids, so every canonical id here is
built from the resource's identity (the ``x-Ed-Fi-isIdentity`` properties of the OpenAPI
spec): ``section:<schoolId>|<schoolYear>|<sessionName>|<localCourseCode>|<sectionIdentifier>``.
Each resource has a ``flat`` function giving its identity under the names the change-query
``/deletes`` listing uses in ``keyValues``; the same ``ident`` builds the id from either, so a
deletion finds the record it deletes. Students, education organizations and learning
standards keep their plain Ed-Fi identifiers (mappings and people use them).

Data Standard 4 gradebook entries have no identifier of their own: their section, the day
they were assigned and their title identify them, and a student gradebook entry refers to
one by those keys and to its student section association. Their ids are of their own kind,
``gbe4:<section keys>|<dateAssigned>|<gradebookEntryTitle>`` and
``sgbe4:<the same>|<studentUniqueId>|<beginDate>``, never equal to a DS 5+ id
(``gbe:<namespace>|<gradebookEntryIdentifier>``). Of the other resources read here only grades
differ in DS 4: their grading period is keyed by its sequence (``periodSequence`` in the
reference, ``gradingPeriodSequence`` in ``keyValues``), not by ``gradingPeriodName``; a DS 4
grade is ``grade4:...`` and its standards' line item ``gp4:...`` (DS 5+: ``grade:``, ``gp:``).

Mapping: schools and LEAs -> orgs; sessions -> academic_sessions; courses (catalog) and
course offerings -> courses (a section's class points at its offering, which carries the
catalog course code, title and SCED code); sections -> classes; students -> users (+
demographics); student section associations -> enrollments; grades -> course_grades, with
their learning standard grades as results + result_objectives on one synthetic line item per
section, grading period and grade type; gradebook entries -> line_items (+ their learning
standards); student gradebook entries -> results; learning standards and competency
objectives -> learning_objectives.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cbe_bridge.sources.http.streams import ParseContext, Rows, Stream, day, descriptor, number

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _j(prefix: str, *parts: Any) -> str:
    return prefix + ":" + "|".join("" if p is None else str(p) for p in parts)


# -- identities: flat key values -> canonical id -----------------------------------------------
def section_id(k: dict) -> str:
    return _j("section", k["schoolId"], k["schoolYear"], k["sessionName"], k["localCourseCode"],
              k["sectionIdentifier"])


def session_id(k: dict) -> str:
    return _j("session", k["schoolId"], k["schoolYear"], k["sessionName"])


def offering_id(k: dict) -> str:
    return _j("offering", k["schoolId"], k["schoolYear"], k["sessionName"], k["localCourseCode"])


def course_id(k: dict) -> str:
    return _j("course", k["educationOrganizationId"], k["courseCode"])


def ssa_id(k: dict) -> str:
    return _j("ssa", k["schoolId"], k["schoolYear"], k["sessionName"], k["localCourseCode"],
              k["sectionIdentifier"], k["studentUniqueId"], k["beginDate"])


def grade_id(k: dict) -> str:
    """A grade's id from its flat keys (DS 4 or DS 5+)."""
    return _j("grade4" if _ds4_grade(k) else "grade", k["schoolId"], k["schoolYear"], k["sessionName"],
              k["localCourseCode"], k["sectionIdentifier"], k["studentUniqueId"], k["beginDate"],
              *_period_parts(k))


def read_grade_id(value: str) -> tuple[int, dict[str, str]] | None:
    """What an id made by :func:`grade_id` says: its data standard (4, or 5 for DS 5+) and the
    grading period part of its identity (``schoolId``, ``gradingPeriodDescriptor``, the sequence
    (DS 4) or name, ``gradingPeriodSchoolYear``, ``gradeTypeDescriptor``; empty when the id is
    cut short); None for any other id. The parts are read from the ends, so a ``|`` inside a
    section or session value does not move them."""
    prefix, sep, rest = value.partition(":")
    standard = {"grade4": 4, "grade": 5}.get(prefix) if sep else None
    if standard is None:
        return None
    parts = rest.split("|")
    if len(parts) < 11:
        return standard, {}
    period = "gradingPeriodSequence" if standard == 4 else "gradingPeriodName"
    return standard, {"schoolId": parts[0], "gradingPeriodDescriptor": parts[-4], period: parts[-3],
                      "gradingPeriodSchoolYear": parts[-2], "gradeTypeDescriptor": parts[-1]}


def period_item_id(section: str, k: dict) -> str:
    """The synthetic line item of a grade's section, grading period and grade type (flat keys)."""
    return _j("gp4" if _ds4_grade(k) else "gp", section, *_period_parts(k))


def gbe_id(k: dict) -> str:
    return _j("gbe", k["namespace"], k["gradebookEntryIdentifier"])


def sgbe_id(k: dict) -> str:
    return _j("sgbe", k["namespace"], k["gradebookEntryIdentifier"], k["studentUniqueId"])


def gbe4_id(k: dict) -> str:
    return _j("gbe4", *_gbe4_keys(k, k).values())


def sgbe4_id(k: dict) -> str:
    return _j("sgbe4", *_gbe4_keys(k, k).values(), k["studentUniqueId"], k["beginDate"])


# DS 4 or DS 5+ is decided per record (and per ``keyValues``), not from the discovery
# document's data model version: an id must be built from the identity the record actually
# carries; the document may name no data model (or an extension's); a cycle resumed across an
# upgrade sees both shapes; and parse and delete functions stay functions of the record alone.
# Only DS 4 has ``gradebookEntryTitle`` (DS 5+ says ``title``): in records, references, keyValues.
def _ds4(k: dict) -> bool:
    return "gradebookEntryTitle" in k


# A DS 4 grading period is keyed by its sequence, not its name: ``periodSequence`` in a grade's
# gradingPeriodReference, ``gradingPeriodSequence`` in the grade's flat keys and keyValues.
def _by_sequence(k: dict, sequence: str) -> bool:
    return sequence in k and "gradingPeriodName" not in k


def _ds4_grade(k: dict) -> bool:
    return _by_sequence(k, "gradingPeriodSequence")


def _period_parts(k: dict) -> tuple:
    """A grade's grading period and grade type from its flat keys, in id order."""
    period = k["gradingPeriodSequence"] if _ds4_grade(k) else k["gradingPeriodName"]
    return k["gradingPeriodDescriptor"], period, k["gradingPeriodSchoolYear"], k["gradeTypeDescriptor"]


def entry_id(k: dict) -> str:
    """A gradebook entry's line item id from its flat keys (DS 4 or DS 5+)."""
    return gbe4_id(k) if _ds4(k) else gbe_id(k)


def student_entry_id(k: dict) -> str:
    """A student gradebook entry's result id from its flat keys (DS 4 or DS 5+)."""
    return sgbe4_id(k) if _ds4(k) else sgbe_id(k)


def cobj_id(k: dict) -> str:
    return _j("cobj", k["educationOrganizationId"], k["objective"], k["objectiveGradeLevelDescriptor"])


# -- flatten a resource's identity -------------------------------------------------------------
def _section_keys(ref: dict) -> dict:
    return {k: ref[k] for k in ("schoolId", "schoolYear", "sessionName", "localCourseCode", "sectionIdentifier")}


def flat_section(r: dict) -> dict:
    offering = r["courseOfferingReference"]
    return {**{k: offering[k] for k in ("schoolId", "schoolYear", "sessionName", "localCourseCode")},
            "sectionIdentifier": r["sectionIdentifier"]}


def flat_ssa(r: dict) -> dict:
    return {**_section_keys(r["sectionReference"]), "studentUniqueId": r["studentReference"]["studentUniqueId"],
            "beginDate": r["beginDate"]}


def flat_grade(r: dict) -> dict:
    ssa = r["studentSectionAssociationReference"]
    period = r["gradingPeriodReference"]
    named = ({"gradingPeriodSequence": period["periodSequence"]} if _by_sequence(period, "periodSequence")
             else {"gradingPeriodName": period["gradingPeriodName"]})  # DS 4 or DS 5+
    return {**_section_keys(ssa), "studentUniqueId": ssa["studentUniqueId"], "beginDate": ssa["beginDate"],
            "gradingPeriodDescriptor": period["gradingPeriodDescriptor"], **named,
            "gradingPeriodSchoolYear": period["schoolYear"], "gradeTypeDescriptor": r["gradeTypeDescriptor"]}


def _gbe4_keys(section: dict, entry: dict) -> dict:
    """DS 4: a gradebook entry's identity is its section's keys, its date and its title."""
    return {**_section_keys(section), "dateAssigned": entry["dateAssigned"],
            "gradebookEntryTitle": entry["gradebookEntryTitle"]}


def flat_gradebook_entry(r: dict) -> dict:
    if _ds4(r):
        return _gbe4_keys(r["sectionReference"], r)
    return r  # DS 5+: namespace and gradebookEntryIdentifier are the record's own fields


def flat_sgbe(r: dict) -> dict:
    entry = r["gradebookEntryReference"]
    student = r.get("studentReference") or r.get("studentSectionAssociationReference") or {}
    if _ds4(entry):  # a flat reference; the student section association adds its begin date
        return {**_gbe4_keys(entry, entry), "studentUniqueId": student["studentUniqueId"],
                "beginDate": student["beginDate"]}
    return {"namespace": entry["namespace"], "gradebookEntryIdentifier": entry["gradebookEntryIdentifier"],
            "studentUniqueId": student["studentUniqueId"]}


# -- parse: resource -> rows ------------------------------------------------------------------
def _m(r: dict) -> str | None:
    return r.get("_lastModifiedDate")


def parse_lea(r: dict, rows: Rows, ctx: ParseContext) -> None:
    sea = r.get("stateEducationAgencyReference") or {}
    rows.add("orgs", str(r["localEducationAgencyId"]), {
        "name": r.get("nameOfInstitution"), "org_type": "district", "identifier": str(r["localEducationAgencyId"]),
        "parent_id": str(sea["stateEducationAgencyId"]) if sea.get("stateEducationAgencyId") else None},
        line=ctx.line, modified=_m(r))


def parse_school(r: dict, rows: Rows, ctx: ParseContext) -> None:
    lea = r.get("localEducationAgencyReference") or {}
    rows.add("orgs", str(r["schoolId"]), {
        "name": r.get("nameOfInstitution"), "org_type": "school", "identifier": str(r["schoolId"]),
        "parent_id": str(lea["localEducationAgencyId"]) if lea.get("localEducationAgencyId") else None},
        line=ctx.line, modified=_m(r))


def parse_session(r: dict, rows: Rows, ctx: ParseContext) -> None:
    keys = {"schoolId": r["schoolReference"]["schoolId"], "schoolYear": r["schoolYearTypeReference"]["schoolYear"],
            "sessionName": r["sessionName"]}
    rows.add("academic_sessions", session_id(keys), {
        "title": r["sessionName"], "session_type": descriptor(r.get("termDescriptor")),
        "start_date": day(r.get("beginDate")), "end_date": day(r.get("endDate")),
        "school_year": keys["schoolYear"]}, line=ctx.line, modified=_m(r))


def _descriptors(items: Any, key: str) -> str | None:
    if not isinstance(items, list):
        return None
    return ",".join(descriptor(i.get(key)) or "" for i in items if isinstance(i, dict)) or None


def _sced(codes: Any) -> str | None:
    for c in codes or []:
        if "SCED" in str(c.get("courseIdentificationSystemDescriptor", "")).upper():
            return str(c.get("identificationCode"))
    return None


def parse_course(r: dict, rows: Rows, ctx: ParseContext) -> None:
    edorg = r["educationOrganizationReference"]["educationOrganizationId"]
    rows.add("courses", course_id({"educationOrganizationId": edorg, "courseCode": r["courseCode"]}), {
        "title": r.get("courseTitle"), "course_code": r["courseCode"], "sced_code": _sced(r.get("identificationCodes")),
        "grades": _descriptors(r.get("offeredGradeLevels"), "gradeLevelDescriptor"), "org_id": str(edorg),
        "subjects": _descriptors(r.get("academicSubjects"), "academicSubjectDescriptor")},
        line=ctx.line, modified=_m(r))


def prepare_offerings(records: list, ctx: ParseContext, run: Any) -> None:
    """Look up the catalog courses of a page of offerings at once (title, SCED code)."""
    ids = [course_id(r["courseReference"]) for r in records if isinstance(r.get("courseReference"), dict)
           and {"educationOrganizationId", "courseCode"} <= set(r["courseReference"])]
    ctx.extra["catalog"] = run.lookup("courses", ids, ["title", "sced_code", "subjects"])


def parse_offering(r: dict, rows: Rows, ctx: ParseContext) -> None:
    """courseOfferings -> courses: the catalog course's code, with its title and SCED code."""
    keys = {"schoolId": r["schoolReference"]["schoolId"], "schoolYear": r["sessionReference"]["schoolYear"],
            "sessionName": r["sessionReference"]["sessionName"], "localCourseCode": r["localCourseCode"]}
    course = r["courseReference"]
    title, sced, subjects = ctx.extra.get("catalog", {}).get(course_id(course), (None, None, None))
    rows.add("courses", offering_id(keys), {
        "title": r.get("localCourseTitle") or title, "course_code": course["courseCode"], "sced_code": sced,
        "grades": _descriptors(r.get("offeredGradeLevels"), "gradeLevelDescriptor"),
        "org_id": str(keys["schoolId"]), "subjects": subjects, "school_year_id": session_id(keys)},
        line=ctx.line, modified=_m(r))


def parse_section(r: dict, rows: Rows, ctx: ParseContext) -> None:
    """sections -> classes under their offering."""
    keys = flat_section(r)
    location = r.get("locationReference") or {}
    periods = [p.get("classPeriodReference", {}).get("classPeriodName") for p in r.get("classPeriods") or []]
    rows.add("classes", section_id(keys), {
        "title": r.get("sectionName") or f"{keys['localCourseCode']} {keys['sectionIdentifier']}",
        "course_id": offering_id(keys), "class_code": keys["sectionIdentifier"], "class_type": "scheduled",
        "school_id": str(keys["schoolId"]), "term_ids": session_id(keys),
        "periods": ",".join(p for p in periods if p) or None,
        "location": location.get("classroomIdentificationCode")}, line=ctx.line, modified=_m(r))


def parse_student(r: dict, rows: Rows, ctx: ParseContext) -> None:
    sid = str(r["studentUniqueId"])
    rows.add("users", sid, {
        "role": "student", "enabled": True, "given_name": r.get("firstName"), "family_name": r.get("lastSurname"),
        "middle_name": r.get("middleName"), "identifier": sid,
        "preferred_given_name": r.get("preferredFirstName"),
        "preferred_family_name": r.get("preferredLastSurname")}, line=ctx.line, modified=_m(r))
    rows.add("demographics", sid, {"birth_date": day(r.get("birthDate")),
                                   "sex": descriptor(r.get("birthSexDescriptor"))}, line=ctx.line, modified=_m(r))


def parse_ssa(r: dict, rows: Rows, ctx: ParseContext) -> None:
    keys = flat_ssa(r)
    rows.add("enrollments", ssa_id(keys), {
        "class_id": section_id(keys), "school_id": str(keys["schoolId"]), "user_id": str(keys["studentUniqueId"]),
        "role": "student", "begin_date": day(keys["beginDate"]), "end_date": day(r.get("endDate"))},
        line=ctx.line, modified=_m(r))


def _period_title(grade_type: str | None, k: dict) -> str:
    """The per-period line item's title, e.g. "Grading Period First Six Weeks (grading period 1)"."""
    if _ds4_grade(k):  # no period name in DS 4: the descriptor's code and the period's place in the year
        period = f"{descriptor(k['gradingPeriodDescriptor'])} (grading period {k['gradingPeriodSequence']})"
    else:
        period = k["gradingPeriodName"]
    return f"{grade_type} {period}"


def parse_grade(r: dict, rows: Rows, ctx: ParseContext) -> None:
    """grades -> course_grades; learning standard grades -> results + result_objectives."""
    keys = flat_grade(r)
    gid = grade_id(keys)
    grade_type = descriptor(keys["gradeTypeDescriptor"])
    student, section = str(keys["studentUniqueId"]), section_id(keys)
    rows.add("course_grades", gid, {
        "student_id": student, "class_id": section, "course_id": offering_id(keys), "session_id": session_id(keys),
        "grade_type": grade_type, "letter": r.get("letterGradeEarned"), "percent": number(r.get("numericGradeEarned")),
        "grade_date": day(r.get("currentGradeAsOfDate"))}, line=ctx.line, modified=_m(r))
    rows.own_children("result_objectives", "result_id", gid)
    standards = [s for s in r.get("learningStandardGrades") or [] if isinstance(s, dict)]
    if not standards:
        rows.delete("results", gid)  # it may have had standards grades before
        return
    item = period_item_id(section, keys)
    rows.add("line_items", item, {"title": _period_title(grade_type, keys), "class_id": section,
                                  "session_id": session_id(keys)}, line=ctx.line, shared=True)
    rows.add("results", gid, {"line_item_id": item, "student_id": student, "class_id": section,
                              "score_status": "fully graded", "score_date": day(r.get("currentGradeAsOfDate"))},
             line=ctx.line, modified=_m(r))
    for s in standards:
        standard = str(s["learningStandardReference"]["learningStandardId"])
        rows.add("result_objectives", f"{gid}#{standard}", {
            "result_id": gid, "objective_source": "edfi", "objective_id": standard,
            "score": number(s.get("numericGradeEarned")),
            "text_score": s.get("letterGradeEarned") or descriptor(s.get("performanceBaseConversionDescriptor"))},
            line=ctx.line)


def parse_gradebook_entry(r: dict, rows: Rows, ctx: ParseContext) -> None:
    """gradebookEntries -> line_items (+ their learning standards)."""
    gid = entry_id(flat_gradebook_entry(r))
    section = r.get("sectionReference")
    rows.add("line_items", gid, {
        "title": r.get("title") or r.get("gradebookEntryTitle"), "description": r.get("description"),
        "assign_date": day(r.get("dateAssigned")), "due_date": day(r.get("dueDate")),
        "class_id": section_id(section) if section else None,
        "session_id": session_id(section) if section else None, "result_max": number(r.get("maxPoints"))},
        line=ctx.line, modified=_m(r))
    rows.own_children("line_item_objectives", "line_item_id", gid)
    for item in r.get("learningStandards") or []:
        standard = str(item["learningStandardReference"]["learningStandardId"])
        rows.add("line_item_objectives", f"{gid}#{standard}", {
            "line_item_id": gid, "objective_source": "edfi", "objective_id": standard}, line=ctx.line)


def parse_student_gradebook_entry(r: dict, rows: Rows, ctx: ParseContext) -> None:
    """studentGradebookEntries -> results."""
    keys = flat_sgbe(r)
    status = descriptor(r.get("submissionStatusDescriptor")) or ""
    score = number(r.get("numericGradeEarned"))
    rows.add("results", student_entry_id(keys), {
        "line_item_id": entry_id(keys), "student_id": str(keys["studentUniqueId"]),
        "score_status": "fully graded" if score is not None or r.get("letterGradeEarned") else "not submitted",
        "score": score if score is not None else number(r.get("pointsEarned")),
        "text_score": r.get("letterGradeEarned") or descriptor(r.get("competencyLevelDescriptor")),
        "score_date": day(r.get("dateFulfilled")), "comment": r.get("diagnosticStatement"),
        "late": (descriptor(r.get("assignmentLateStatusDescriptor")) or "").lower().startswith("late") or None,
        "missing": status.lower() == "missing" or None}, line=ctx.line, modified=_m(r))


def parse_learning_standard(r: dict, rows: Rows, ctx: ParseContext) -> None:
    parent = r.get("parentLearningStandardReference") or {}
    guid = _GUID.search(str(r.get("uri") or ""))
    rows.add("learning_objectives", str(r["learningStandardId"]), {
        "title": r.get("description"), "human_code": r.get("learningStandardItemCode"),
        "case_guid": guid.group(0).lower() if guid else None, "parent_id": parent.get("learningStandardId")},
        line=ctx.line, modified=_m(r))


def parse_competency_objective(r: dict, rows: Rows, ctx: ParseContext) -> None:
    keys = {"educationOrganizationId": r["educationOrganizationReference"]["educationOrganizationId"],
            "objective": r["objective"], "objectiveGradeLevelDescriptor": r["objectiveGradeLevelDescriptor"]}
    rows.add("learning_objectives", cobj_id(keys), {
        "title": r["objective"], "human_code": r.get("competencyObjectiveId")}, line=ctx.line, modified=_m(r))


# -- deletions: keyValues -> rows to delete ---------------------------------------------------
Deleter = Callable[[dict, Rows, int], None]


def _simple(entity: str, ident: Callable[[dict], str]) -> Deleter:
    def delete(k: dict, rows: Rows, line: int) -> None:
        rows.delete(entity, ident(k), line=line)
    return delete


def _delete_student(k: dict, rows: Rows, line: int) -> None:
    rows.delete("demographics", str(k["studentUniqueId"]), line=line)
    rows.delete("users", str(k["studentUniqueId"]), line=line)


def _delete_grade(k: dict, rows: Rows, line: int) -> None:
    gid = grade_id(k)
    rows.delete("course_grades", gid, line=line)
    rows.delete("results", gid, line=line)
    rows.own_children("result_objectives", "result_id", gid)


def _delete_gradebook_entry(k: dict, rows: Rows, line: int) -> None:
    gid = entry_id(k)
    rows.delete("line_items", gid, line=line)
    rows.own_children("line_item_objectives", "line_item_id", gid)


def _e(name: str, entity: str, key: tuple[str, ...], parse: Any, delete: Deleter, **kw: Any) -> tuple[Stream, Deleter]:
    return Stream(name=name, path=f"ed-fi/{name}", entity=entity, primary_key=key, replication_key="changeVersion",
                  parse=parse, **kw), delete


_DECLARED = (
    _e("localEducationAgencies", "orgs", ("localEducationAgencyId",), parse_lea,
       _simple("orgs", lambda k: str(k["localEducationAgencyId"])), sweep="org_type = 'district'"),
    _e("schools", "orgs", ("schoolId",), parse_school, _simple("orgs", lambda k: str(k["schoolId"])),
       sweep="org_type = 'school'"),
    _e("sessions", "academic_sessions", ("schoolId", "schoolYear", "sessionName"), parse_session,
       _simple("academic_sessions", session_id)),
    _e("courses", "courses", ("courseCode", "educationOrganizationId"), parse_course,
       _simple("courses", course_id), sweep="source_id LIKE 'course:%'"),
    _e("courseOfferings", "courses", ("localCourseCode", "schoolId", "schoolYear", "sessionName"), parse_offering,
       _simple("courses", offering_id), sweep="source_id LIKE 'offering:%'", prepare=prepare_offerings),
    _e("sections", "classes", ("sectionIdentifier", "localCourseCode", "schoolId", "schoolYear", "sessionName"),
       parse_section, _simple("classes", section_id)),
    _e("students", "users", ("studentUniqueId",), parse_student, _delete_student, children=(("demographics", "source_id"),),
       sweep="role = 'student'"),
    _e("studentSectionAssociations", "enrollments", ("beginDate", "localCourseCode", "schoolId", "schoolYear",
                                                     "sectionIdentifier", "sessionName", "studentUniqueId"),
       parse_ssa, _simple("enrollments", ssa_id)),
    _e("learningStandards", "learning_objectives", ("learningStandardId",), parse_learning_standard,
       _simple("learning_objectives", lambda k: str(k["learningStandardId"])), sweep="source_id NOT LIKE 'cobj:%'"),
    _e("competencyObjectives", "learning_objectives", ("objectiveGradeLevelDescriptor", "objective",
                                                       "educationOrganizationId"),
       parse_competency_objective, _simple("learning_objectives", cobj_id), sweep="source_id LIKE 'cobj:%'"),
    # Primary keys are the DS 5+ identities (the OpenAPI spec's); DS 4 records are told apart by _ds4
    # (gradebook entries) and _ds4_grade (grades).
    _e("gradebookEntries", "line_items", ("gradebookEntryIdentifier", "namespace"), parse_gradebook_entry,
       _delete_gradebook_entry, children=(("line_item_objectives", "line_item_id"),),
       sweep="source_id LIKE 'gbe:%' OR source_id LIKE 'gbe4:%'"),
    _e("studentGradebookEntries", "results", ("gradebookEntryIdentifier", "namespace", "studentUniqueId"),
       parse_student_gradebook_entry, _simple("results", student_entry_id),
       sweep="source_id LIKE 'sgbe:%' OR source_id LIKE 'sgbe4:%'"),
    _e("grades", "course_grades", ("gradeTypeDescriptor", "gradingPeriodDescriptor", "gradingPeriodName", "schoolId",
                                   "gradingPeriodSchoolYear", "beginDate", "localCourseCode", "schoolYear",
                                   "sectionIdentifier", "sessionName", "studentUniqueId"),
       parse_grade, _delete_grade, children=(("results", "source_id"), ("result_objectives", "result_id"))),
)

STREAMS: tuple[Stream, ...] = tuple(s for s, _ in _DECLARED)
DELETERS: dict[str, Deleter] = {s.name: d for s, d in _DECLARED}

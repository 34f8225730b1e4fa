"""Write-back to an Ed-Fi ODS/API (Data Standard 5-6 shapes): what is written and where.

Three resources, POSTed in this order (an Ed-Fi POST is an upsert by natural key):

* ``studentAcademicRecords``: one per student and term with course marks: the term's
  attempted and earned credits, the credits through that term, and the GPA
  (``gradePointAverages``, Unweighted and Weighted). A record holds one GPA per type, so the
  student's latest term carries the cumulative GPA (``isCumulative`` true) and earlier terms
  their term GPA.
* ``courseTranscripts``: one per course mark: the back-translated final letter grade,
  attempted and earned credits, and the attempt result (Pass when credit was earned, Fail
  on a zero-point letter, else Incomplete).
* ``grades``: for each course whose letter was back-translated from proficiency (not a
  teacher's letter passed through), a grade of type ``Final`` (configurable) on the term's
  grading period, with ``learningStandardGrades``: the student's proficiency (level code and
  value) on each competency the course is aligned to.

Everything written is read from stored engine results; nothing here computes policy.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from cbe_bridge.engine.policy import Policy
from cbe_bridge.translate.student_records import CourseMark, StudentRecord
from cbe_bridge.sources.edfi.settings import EdFiSettings
from cbe_bridge.sources.http.client import HttpClient, Response
from cbe_bridge.writeback.edfi_keys import EdFiKeys, KeyMissing, descriptor
from cbe_bridge.writeback.gather import Gathered
from cbe_bridge.writeback.plan import Change, Skip

RESOURCES = ("studentAcademicRecords", "courseTranscripts", "grades")


@dataclass(frozen=True)
class EdFiOptions:
    namespace: str = "uri://ed-fi.org"  # of the descriptors written
    grade_type: str = "Final"  # GradeTypeDescriptor of the grades written


def _key(*parts: Any) -> str:
    return "|".join("" if p is None else str(p) for p in parts)


def _num(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


class EdFiBuilder:
    """Turns gathered records into Ed-Fi changes."""

    def __init__(self, g: Gathered, policy: Policy, options: EdFiOptions | None = None) -> None:
        self.g, self.policy = g, policy
        self.options = options or EdFiOptions()
        self.keys = EdFiKeys(g)

    def d(self, kind: str, value: str) -> str:
        return descriptor(self.options.namespace, kind, value)

    def build(self) -> tuple[list[Change], list[Skip]]:
        per: dict[str, list[Change]] = {r: [] for r in RESOURCES}
        skipped: list[Skip] = []
        for rec in self.g.records:
            for resource, change in self._student(rec, skipped):
                per[resource].append(change)
        return [c for r in RESOURCES for c in per[r]], skipped

    def _student(self, rec: StudentRecord, skipped: list[Skip]) -> list[tuple[str, Change]]:
        out: list[tuple[str, Change]] = []
        terms: dict[str, list[CourseMark]] = defaultdict(list)
        sid = self.keys.student(rec)
        for mark in rec.courses:
            if mark.session_id:
                terms[mark.session_id].append(mark)
            else:
                skipped.append(Skip("courseTranscripts", _key(sid, mark.class_id), "the class has no session"))
        ordered = sorted(terms.values(), key=lambda ms: (ms[0].term_end or "", ms[0].session_id or ""))
        through = {"attempted": 0.0, "earned": 0.0}
        for index, marks in enumerate(ordered):
            latest = index == len(ordered) - 1
            through["attempted"] += sum(m.credits_attempted for m in marks)
            through["earned"] += sum(m.credits_earned for m in marks)
            try:
                record_ref = self._record_ref(rec, marks[0])
            except KeyMissing as exc:
                skipped.append(Skip("studentAcademicRecords", _key(sid, marks[0].session_id), str(exc)))
                continue
            out.append(("studentAcademicRecords", self._academic_record(rec, marks, record_ref, through, latest)))
            for mark in marks:
                for resource, build in (("courseTranscripts", self._transcript), ("grades", self._grade)):
                    try:
                        change = build(rec, mark, record_ref)
                    except KeyMissing as exc:
                        skipped.append(Skip(resource, _key(sid, mark.class_id), str(exc)))
                        continue
                    if change is not None:
                        out.append((resource, change))
        return out

    # -- studentAcademicRecords --------------------------------------------------------------
    def _record_ref(self, rec: StudentRecord, mark: CourseMark) -> dict[str, Any]:
        school = rec.school_id or (self.g.classes.get(mark.class_id) or {}).get("school_id")
        return {"educationOrganizationId": self.keys.edorg(school, "student's school"),
                "schoolYear": self.keys.school_year(mark), "studentUniqueId": self.keys.student(rec),
                "termDescriptor": self.d("TermDescriptor", self.keys.term(mark))}

    def _academic_record(self, rec: StudentRecord, marks: list[CourseMark], ref: dict[str, Any],
                         through: dict[str, float], latest: bool) -> Change:
        figure = rec.gpa.get("cumulative" if latest else f"term:{marks[0].session_id or ''}")
        top = self.policy.mapping.gpa.scale_max
        gpas = []
        if figure is not None:
            for kind, value in (("Unweighted", figure.unweighted), ("Weighted", figure.weighted)):
                if value is not None:
                    gpas.append({"gradePointAverageTypeDescriptor": self.d("GradePointAverageTypeDescriptor", kind),
                                 "isCumulative": latest, "gradePointAverageValue": _num(value),
                                 **({"maxGradePointAverageValue": top} if kind == "Unweighted" else {})})
        body = {
            "educationOrganizationReference": {"educationOrganizationId": ref["educationOrganizationId"]},
            "schoolYearTypeReference": {"schoolYear": ref["schoolYear"]},
            "studentReference": {"studentUniqueId": ref["studentUniqueId"]},
            "termDescriptor": ref["termDescriptor"],
            "sessionAttemptedCredits": _num(sum(m.credits_attempted for m in marks)),
            "sessionEarnedCredits": _num(sum(m.credits_earned for m in marks)),
            "cumulativeAttemptedCredits": _num(through["attempted"]),
            "cumulativeEarnedCredits": _num(through["earned"]),
            "gradePointAverages": gpas,
        }
        return Change.make("studentAcademicRecords", _key(*ref.values()), "POST", "ed-fi/studentAcademicRecords", body)

    # -- courseTranscripts -------------------------------------------------------------------
    def _attempt(self, mark: CourseMark) -> str:
        if mark.credits_earned > 0:
            return "Pass"
        if mark.letter and self.policy.points(mark.letter) == 0:
            return "Fail"
        return "Incomplete"

    def _transcript(self, rec: StudentRecord, mark: CourseMark, ref: dict[str, Any]) -> Change | None:
        if not mark.letter:
            return None
        course = self.keys.course(mark)
        body = {
            "courseReference": course,
            "studentAcademicRecordReference": ref,
            "courseAttemptResultDescriptor": self.d("CourseAttemptResultDescriptor", self._attempt(mark)),
            "attemptedCredits": _num(mark.credits_attempted), "earnedCredits": _num(mark.credits_earned),
            "finalLetterGradeEarned": mark.letter,
        }
        # Keyed without the attempt result, so a course that turns from Fail to Pass is an update here.
        key = _key(*ref.values(), course["educationOrganizationId"], course["courseCode"])
        return Change.make("courseTranscripts", key, "POST", "ed-fi/courseTranscripts", body)

    # -- grades ------------------------------------------------------------------------------
    def _grade(self, rec: StudentRecord, mark: CourseMark, ref: dict[str, Any]) -> Change | None:
        if not mark.letter or mark.basis not in ("direct", "derived"):
            return None  # a teacher's letter passed through unchanged: the SIS has it already
        section = self.keys.section(rec, mark)
        ssa = {**section, "studentUniqueId": self.keys.student(rec), "beginDate": self.keys.begin_date(rec, mark)}
        period = {"gradingPeriodDescriptor": self.d("GradingPeriodDescriptor", self.keys.grading_period(mark)),
                  "gradingPeriodName": section["sessionName"], "schoolId": section["schoolId"],
                  "schoolYear": section["schoolYear"]}
        grade_type = self.d("GradeTypeDescriptor", self.options.grade_type)
        body = {
            "studentSectionAssociationReference": ssa,
            "gradingPeriodReference": period,
            "gradeTypeDescriptor": grade_type,
            "letterGradeEarned": mark.letter,
            "diagnosticStatement": f"Back-translated from proficiency ({mark.basis} evidence)",
            "learningStandardGrades": self._standards(rec, mark),
        }
        key = _key(*ssa.values(), *period.values(), grade_type)
        return Change.make("grades", key, "POST", "ed-fi/grades", body)

    def _standards(self, rec: StudentRecord, mark: CourseMark) -> list[dict[str, Any]]:
        course = self.g.courses.get(mark.course_id or "") or {}
        alignment = self.policy.alignment_for(mark.course_code, mark.sced_code, mark.title or course.get("title"))
        out = []
        for node, _weight in alignment.competencies if alignment else ():
            figure = rec.figures.get(node)
            if figure is None or figure.value is None:
                continue
            item: dict[str, Any] = {"learningStandardReference": {
                "learningStandardId": self.g.objectives.get(node, node)}, "numericGradeEarned": _num(figure.value, 2)}
            if figure.level_code:
                item["letterGradeEarned"] = figure.level_code
            out.append(item)
        return sorted(out, key=lambda i: i["learningStandardReference"]["learningStandardId"])


class EdFiTarget:
    """A configured Ed-Fi source, written to through its own client (discovery, OAuth 2, retries)."""

    def __init__(self, settings: EdFiSettings) -> None:
        self.settings = settings
        self.name = settings.name
        self._data = ""

    def connect(self) -> HttpClient:
        from cbe_bridge.sources.edfi.source import EdFiSource

        source = EdFiSource(self.settings)
        client = source.open_client()
        self._data = source.urls["data"]
        return client

    def url(self, change: Change) -> str:
        return f"{self._data}/{change.path}"

    def body(self, change: Change) -> dict[str, Any]:
        return change.body

    def location(self, change: Change, response: Response) -> str | None:
        return response.headers.get("Location")

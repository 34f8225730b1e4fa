"""Write-back to an Ed-Fi ODS/API (Data Standard 4-6 shapes): what is written and where.

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

Only the grade differs between data standards: DS 4 keys its grading period by
``periodSequence``, DS 5 and 6 by ``gradingPeriodName`` (the other bodies, and the grade's
student section association, are alike in DS 4-6). See :func:`data_standard` for how the
target's is known.

Everything written is read from stored engine results; nothing here computes policy.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from cbe_bridge.engine.policy import Policy
from cbe_bridge.errors import ConfigError, UsageError
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
    data_standard: int | None = None  # 4, 5 or 6: the target's, when no grade synced from it tells

    def __post_init__(self) -> None:
        if self.data_standard not in (None, 4, 5, 6):
            raise UsageError(f"Ed-Fi data standard {self.data_standard} is not written (4, 5 or 6)")


def _shape(standard: int) -> int:
    """The grade shape of a data standard: 4 (periodSequence), else 5 (gradingPeriodName, DS 5 and 6)."""
    return 4 if standard <= 4 else 5


@dataclass(frozen=True)
class DataStandard:
    """The grade shape written (4 or 5) and what said so (for messages)."""

    shape: int
    basis: str


# The students' grades synced from the SIS through the Ed-Fi source say which shape it speaks in
# their ids (grade4: / grade:): no configuration, and always what the SIS itself sent. Students
# computed from another source have none: then the data_standard option, else DS 5, the shape
# written before DS 4 was. The target's discovery document cannot decide here: the bodies (and
# their ledger keys) are built before anything is sent, and a dry run sends no request; it is
# read when sending starts, and a shape it contradicts stops the run then (EdFiTarget.connect).
def data_standard(synced: int | None, option: int | None) -> DataStandard:
    if synced is not None:
        if option is not None and _shape(option) != synced:
            raise UsageError(f"data standard {option} was asked for, but the students' grades synced from "
                             f"Ed-Fi are in Data Standard {synced} shape",
                             hint="leave out --data-standard: the synced grades tell")
        return DataStandard(synced, "as the students' grades synced from Ed-Fi are")
    if option is not None:
        return DataStandard(_shape(option), f"as data standard {option} was asked for")
    return DataStandard(5, "the default: no grade synced from Ed-Fi tells")


def _key(*parts: Any) -> str:
    return "|".join("" if p is None else str(p) for p in parts)


def _num(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def _major(version: str | None) -> int | None:
    """The major number of a version ("4.0.0": 4)."""
    head = (version or "").split(".", 1)[0].strip()
    return int(head) if head.isdigit() else None


class EdFiBuilder:
    """Turns gathered records into Ed-Fi changes."""

    def __init__(self, g: Gathered, policy: Policy, options: EdFiOptions | None = None) -> None:
        self.g, self.policy = g, policy
        self.options = options or EdFiOptions()
        self.keys = EdFiKeys(g)
        self.standard = data_standard(self.keys.synced_standard, self.options.data_standard)

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
        if not mark.letter or self.policy.keeps_teacher_letter(mark.basis, mark.letter, mark.source_letter):
            return None  # the teacher's letter kept: the SIS has it already
        section = self.keys.section(rec, mark)
        ssa = {**section, "studentUniqueId": self.keys.student(rec), "beginDate": self.keys.begin_date(rec, mark)}
        period = self._period(section, mark)
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

    def _period(self, section: dict[str, Any], mark: CourseMark) -> dict[str, Any]:
        """The grade's gradingPeriodReference, in the target's data standard (the term's grading period)."""
        code = self.keys.grading_period(mark)
        school, year = section["schoolId"], section["schoolYear"]
        named = ({"periodSequence": self.keys.period_sequence(school, year, code)} if self.standard.shape == 4
                 else {"gradingPeriodName": section["sessionName"]})
        return {"gradingPeriodDescriptor": self.d("GradingPeriodDescriptor", code), **named,
                "schoolId": school, "schoolYear": year}

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
    """A configured Ed-Fi source, written to through its own client (discovery, OAuth 2, retries).

    ``grades``: the data standard the grades were built in, checked against the discovery document's.
    """

    def __init__(self, settings: EdFiSettings, grades: DataStandard | None = None) -> None:
        self.settings = settings
        self.name = settings.name
        self.grades = grades
        self._data = ""

    def connect(self) -> HttpClient:
        from cbe_bridge.sources.edfi.source import EdFiSource

        source = EdFiSource(self.settings)
        client = source.open_client()
        self._data = source.urls["data"]
        try:
            self._check(source.data_model)
        except ConfigError:
            client.close()
            raise
        return client

    def _check(self, data_model: str | None) -> None:
        """Stop before sending grades of a shape the target's data model says it does not take."""
        major = _major(data_model)
        if self.grades is None or major is None or _shape(major) == self.grades.shape:
            return  # no grades to check, or no Ed-Fi data model named: the ODS answers per record
        raise ConfigError(f"{self.name} serves Ed-Fi Data Standard {data_model}, but the grades were built in "
                          f"Data Standard {self.grades.shape} shape ({self.grades.basis}); nothing was sent",
                          hint="write back students computed from a fresh sync of this target (their grades "
                               f"tell its data standard), or pass --data-standard {major}")

    def url(self, change: Change) -> str:
        return f"{self._data}/{change.path}"

    def body(self, change: Change) -> dict[str, Any]:
        return change.body

    def location(self, change: Change, response: Response) -> str | None:
        return response.headers.get("Location")

"""Ed-Fi natural keys for the store's records, whichever system the records came from.

Records synced from an Ed-Fi ODS/API keep their natural keys in their ids
(``section:<schoolId>|<schoolYear>|<sessionName>|<localCourseCode>|<sectionIdentifier>``,
``ssa:...|<beginDate>``, ``course:<edorg>|<courseCode>``; see
:mod:`cbe_bridge.sources.edfi.resources`): those are read back. Records from other sources
(a OneRoster bundle of the same SIS) get keys from their fields: the organization's numeric
identifier, the session's name and school year, the course code, the class code, the
enrollment's begin date. A key that cannot be made raises :class:`KeyMissing` with the reason.

The students' grades synced from Ed-Fi (``grade:...`` for Data Standard 5+, ``grade4:...`` for
DS 4, whose grading periods are keyed by ``periodSequence`` instead of ``gradingPeriodName``)
tell which data standard the SIS speaks, and a DS 4 grading period's sequence.

Descriptors are URIs in the configured namespace (``uri://ed-fi.org/TermDescriptor#Fall Semester``).
"""

from __future__ import annotations

from typing import Any

from cbe_bridge.sources.edfi.resources import read_grade_id
from cbe_bridge.sources.http.streams import descriptor as code_value
from cbe_bridge.translate.student_records import CourseMark, StudentRecord
from cbe_bridge.writeback.gather import Gathered

# Terms named like the Ed-Fi default TermDescriptor values, from words in a session's title.
_TERMS = (("fall", "Fall Semester"), ("autumn", "Fall Semester"), ("spring", "Spring Semester"),
          ("summer", "Summer Semester"), ("first trimester", "First Trimester"),
          ("second trimester", "Second Trimester"), ("third trimester", "Third Trimester"))
# A final grade's grading period, by term (Ed-Fi default GradingPeriodDescriptor values).
_PERIODS = {"Fall Semester": "First Semester", "Spring Semester": "Second Semester",
            "Summer Semester": "Summer Semester", "Year Round": "End of Year"}
# A DS 4 grading period's place in the year, from its descriptor's first word ("Second Semester": 2),
# numbered as the Ed-Fi sample data does (First Six Weeks 1, Second Six Weeks 2); else 1.
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}


class KeyMissing(Exception):
    """An identifier the target needs is not in the store (the message says which)."""


def descriptor(namespace: str, kind: str, value: str) -> str:
    return f"{namespace.rstrip('/')}/{kind}#{value}"


def _int(value: Any) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None


class EdFiKeys:
    """Builds natural-key parts for one gathered set of records."""

    def __init__(self, g: Gathered) -> None:
        self.g = g
        self.standards: set[int] = set()  # data standards of the students' grades synced from Ed-Fi
        # DS 4 grading periods seen in them: (schoolId, schoolYear, descriptor code) -> periodSequence
        self.sequences: dict[tuple[int | None, int | None, str], int] = {}
        for grade_id in g.grade_ids:
            self._learn(grade_id)

    def _learn(self, grade_id: str) -> None:
        """Note a synced grade's data standard and, in DS 4, its grading period's sequence."""
        read = read_grade_id(grade_id)
        if read is None:
            return  # not synced from Ed-Fi
        standard, keys = read
        self.standards.add(standard)
        if standard == 4 and keys and (sequence := _int(keys["gradingPeriodSequence"])) is not None:
            period = code_value(keys["gradingPeriodDescriptor"]) or ""
            self.sequences[(_int(keys["schoolId"]), _int(keys["gradingPeriodSchoolYear"]), period)] = sequence

    @property
    def synced_standard(self) -> int | None:
        """The data standard of the students' grades synced from Ed-Fi, when there are some of one only."""
        return next(iter(self.standards)) if len(self.standards) == 1 else None

    def edorg(self, org_id: str | None, what: str) -> int:
        """An education organization id: the org's numeric identifier (or numeric source id)."""
        org = self.g.orgs.get(org_id or "") or {}
        value = _int(org.get("identifier")) or _int(org_id)
        if value is None:
            raise KeyMissing(f"the {what} has no numeric Ed-Fi education organization id (org {org_id})")
        return value

    @staticmethod
    def student(rec: StudentRecord) -> str:
        """studentUniqueId: the local student number, else the source id."""
        return rec.person.local_id or rec.person.student_id

    def session(self, mark: CourseMark) -> dict[str, Any]:
        row = self.g.sessions.get(mark.session_id or "")
        if row is None:
            raise KeyMissing(f"class {mark.class_id} has no session")
        return row

    def school_year(self, mark: CourseMark) -> int:
        year = _int(self.session(mark).get("school_year")) or mark.school_year
        if year is None:
            raise KeyMissing(f"session {mark.session_id} has no school year")
        return int(year)

    def term(self, mark: CourseMark) -> str:
        """The term's TermDescriptor code value."""
        row = self.session(mark)
        kind, title = str(row.get("session_type") or ""), str(row.get("title") or "")
        if " " in kind:  # synced from Ed-Fi: the descriptor's code value ("Fall Semester")
            return kind
        if kind.lower() == "schoolyear":
            return "Year Round"
        lowered = f"{title} {kind}".lower()
        for word, term in _TERMS:
            if word in lowered:
                return term
        return title or "Year Round"

    def grading_period(self, mark: CourseMark) -> str:
        term = self.term(mark)
        return _PERIODS.get(term, term)

    def period_sequence(self, school_id: int, school_year: int, period: str) -> int:
        """A DS 4 grading period's ``periodSequence``: as the SIS's own grades give it, else its ordinal."""
        known = self.sequences.get((school_id, school_year, period))
        return known if known is not None else _ORDINALS.get(period.split(" ", 1)[0].lower(), 1)

    def section(self, rec: StudentRecord, mark: CourseMark) -> dict[str, Any]:
        """A section's natural key (schoolId, schoolYear, sessionName, localCourseCode, sectionIdentifier)."""
        if mark.class_id.startswith("section:"):
            parts = mark.class_id.removeprefix("section:").split("|")
            if len(parts) == 5:
                return {"schoolId": _int(parts[0]), "schoolYear": _int(parts[1]), "sessionName": parts[2],
                        "localCourseCode": parts[3], "sectionIdentifier": parts[4]}
        klass = self.g.classes.get(mark.class_id)
        if klass is None:
            raise KeyMissing(f"class {mark.class_id} is not in the store")
        code = mark.course_code or (self.g.courses.get(mark.course_id or "") or {}).get("course_code")
        if not code:
            raise KeyMissing(f"class {mark.class_id} has no course code")
        return {"schoolId": self.edorg(klass.get("school_id") or rec.school_id, f"school of class {mark.class_id}"),
                "schoolYear": self.school_year(mark), "sessionName": self.session(mark).get("title"),
                "localCourseCode": code, "sectionIdentifier": klass.get("class_code") or mark.class_id}

    def begin_date(self, rec: StudentRecord, mark: CourseMark) -> str:
        """The student section association's begin date."""
        enrollment = self.g.enrollments.get((rec.person.student_id, mark.class_id)) or {}
        sid = str(enrollment.get("source_id") or "")
        if sid.startswith("ssa:"):
            return sid.rsplit("|", 1)[-1]
        day = enrollment.get("begin_date") or self.session(mark).get("start_date")
        if not day:
            raise KeyMissing(f"no enrollment begin date for class {mark.class_id}")
        return str(day)

    def course(self, mark: CourseMark) -> dict[str, Any]:
        """The catalog course (courseCode, educationOrganizationId) a transcript line refers to."""
        row = self.g.courses.get(mark.course_id or "") or {}
        code = mark.course_code or row.get("course_code")
        if not code:
            raise KeyMissing(f"course {mark.course_id} has no course code")
        catalog = self.g.catalog.get(code)
        if catalog is not None:  # synced from Ed-Fi: course:<edorg>|<code>
            edorg = _int(catalog.removeprefix("course:").split("|", 1)[0])
            if edorg is not None:
                return {"courseCode": code, "educationOrganizationId": edorg}
        return {"courseCode": code, "educationOrganizationId": self.edorg(row.get("org_id"), f"course {code}")}

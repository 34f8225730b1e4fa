"""PESC High School Transcript XML (message v1.5.0), built with lxml from stored results.

The document follows the official samples in ``standards/pesc/samples/``: the root element is
qualified by ``urn:org:pesc:message:HighSchoolTranscript:v1.5.0`` and everything inside is
unqualified (the AcademicRecord and CoreMain types use ``elementFormDefault="unqualified"``).
Inside: ``TransmissionData`` (document id, date, source school, destination), ``Student`` with
``Person`` and one ``AcademicRecord``: the school, the student's level, the cumulative GPA
(unweighted and weighted) in ``AcademicSummary``, one ``AcademicSession`` per school year with
its courses (back-translated letter grades, credits, SCED code, repeat code) and the year's
GPA, notes on the method, and, in ``UserDefinedExtensions`` (the standard's one open slot),
proficiency per competency on the district's scale plus a reference to the attachment that
explains the school's grading. Element order is the schema's sequence order.

Text is cut to the schema's lengths (NoteMessage 80, names 35 ...) at word boundaries and
cleaned of characters XML cannot carry; nothing is ever parsed here, so no entity can expand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from cbe_bridge.config import SchoolProfile
from cbe_bridge.engine.policy import Policy
from cbe_bridge.exchange.clr_parts import address, urn
from cbe_bridge.translate.student_records import ComputeRun, CourseMark, StudentRecord, group_by_year

HS_NS = "urn:org:pesc:message:HighSchoolTranscript:v1.5.0"
CBE_NS = "urn:cbe-bridge:pesc:extensions:v1"
NSMAP = {"HSTrans": HS_NS, "cbe": CBE_NS}

GRADE_CODES = {"07": "SeventhGrade", "08": "EighthGrade", "09": "NinthGrade", "10": "TenthGrade",
               "11": "EleventhGrade", "12": "TwelfthGrade"}
COURSE_LEVELS = {"honors": "Honors", "ap": "AdvancedPlacement", "advanced_placement": "AdvancedPlacement",
                 "ib": "InternationalBaccalaureate", "dual_enrollment": "Dual", "dual": "Dual",
                 "remedial": "Remedial", "accelerated": "Accelerated"}
GENDERS = {"male": "Male", "m": "Male", "female": "Female", "f": "Female"}
_BAD_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class PescOptions:
    destination: str | None = None  # the receiving institution's name
    attachment: str = "school-profile.pdf"  # where the explanatory attachment is
    official: bool = False  # DocumentOfficialCode
    all_nodes: bool = False  # proficiency on the continuum's leaves too


def clean(text: object, limit: int | None = None) -> str:
    """Text XML can carry, cut to ``limit`` characters at a word boundary when possible."""
    value = _BAD_XML.sub("", str(text)).strip()
    if limit is not None and len(value) > limit:
        cut = value[:limit]
        value = cut.rsplit(" ", 1)[0] if " " in cut[limit // 2:] else cut
    return value


def _sub(parent: etree._Element, tag: str, text: object = None, limit: int | None = None, /,
         **attrs: Any) -> etree._Element:
    el = etree.SubElement(parent, tag, {k: clean(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = clean(text, limit)
    return el


def _notes(parent: etree._Element, text: str) -> None:
    """A long note as several NoteMessage elements of at most 80 characters (the schema's limit)."""
    words, line = clean(text).split(), ""
    for word in words:
        if line and len(line) + 1 + len(word) > 80:
            _sub(parent, "NoteMessage", line)
            line = word
        else:
            line = f"{line} {word}" if line else word[:80]
    if line:
        _sub(parent, "NoteMessage", line)


def _decimal(value: float | None, places: int = 2) -> str:
    return f"{(value or 0.0):.{places}f}"


class PescBuilder:
    """Builds one transcript document per student; shared parts are computed once."""

    def __init__(self, policy: Policy, school: SchoolProfile, run: ComputeRun, now: datetime,
                 options: PescOptions | None = None) -> None:
        self.policy, self.school, self.run, self.now = policy, school, run, now
        self.options = options or PescOptions()

    # -- organisations --------------------------------------------------------------------------
    def _contacts(self, parent: etree._Element) -> None:
        school = self.school
        addr = address(school.address)
        phone = re.sub(r"\D", "", school.phone or "")
        email = next((c.email for c in school.contacts if c.email), None)
        if not (addr and "addressRegion" in addr) and not phone and not email and not school.website:
            return
        contacts = _sub(parent, "Contacts")
        if addr and "addressRegion" in addr:
            a = _sub(contacts, "Address")
            _sub(a, "AddressLine", addr["streetAddress"], 40)
            _sub(a, "City", addr["addressLocality"], 30)
            _sub(a, "StateProvinceCode", addr["addressRegion"])
            _sub(a, "PostalCode", addr["postalCode"], 17)
        if len(phone) == 10:
            p = _sub(contacts, "Phone")
            _sub(p, "AreaCityCode", phone[:3])
            _sub(p, "PhoneNumber", phone[3:])
        if email:
            _sub(_sub(contacts, "Email"), "EmailAddress", email, 128)
        if school.website:
            _sub(_sub(contacts, "URL"), "URLAddress", school.website)

    def _organization(self, parent: etree._Element) -> None:
        org = _sub(parent, "Organization")
        if self.school.ceeb_code and len(self.school.ceeb_code) == 6:
            _sub(org, "CEEBACT", self.school.ceeb_code)
        _sub(org, "OrganizationName", self.school.name, 60)
        self._contacts(org)

    def _school(self, parent: etree._Element, rec: StudentRecord) -> None:
        school = _sub(parent, "School")
        _sub(school, "OrganizationName", self.school.name or rec.school_name, 60)
        if self.school.ceeb_code and len(self.school.ceeb_code) == 6:
            _sub(school, "CEEBACT", self.school.ceeb_code)
        self._contacts(school)

    # -- parts of the record --------------------------------------------------------------------
    def _transmission(self, root: etree._Element, rec: StudentRecord) -> None:
        td = _sub(root, "TransmissionData")
        _sub(td, "DocumentID", urn("pesc", self.school.name, *rec.key, self.run.id)[len("urn:uuid:"):])
        _sub(td, "CreatedDateTime", self.now.replace(microsecond=0).isoformat())
        _sub(td, "DocumentTypeCode", "RequestedRecord")
        _sub(td, "TransmissionType", "Original")
        self._organization(_sub(td, "Source"))
        dest = _sub(_sub(td, "Destination"), "Organization")
        _sub(dest, "OrganizationName", self.options.destination or "To the receiving institution", 60)
        _sub(td, "DocumentOfficialCode", "Official" if self.options.official else "Unofficial")
        _sub(td, "DocumentCompleteCode", "Complete")

    def _person(self, student: etree._Element, rec: StudentRecord) -> None:
        p = rec.person
        person = _sub(student, "Person")
        if p.local_id:
            _sub(person, "SchoolAssignedPersonID", p.local_id, 20)
        if p.birth_date:
            _sub(_sub(person, "Birth"), "BirthDate", p.birth_date[:10])
        name = _sub(person, "Name")
        if p.given_name:
            _sub(name, "FirstName", p.given_name, 35)
        if p.middle_name:
            _sub(name, "MiddleName", p.middle_name, 35)
        if p.family_name:
            _sub(name, "LastName", p.family_name, 35)
        _sub(_sub(person, "Gender"), "GenderCode", GENDERS.get((p.sex or "").casefold(), "Unreported"))

    def _summary(self, parent: etree._Element, kind: str, gpa: float | None, courses: list[CourseMark],
                 note: str | None = None) -> None:
        counted = [c for c in courses if c.counted and c.letter and self.policy.points(c.letter) is not None]
        summary = _sub(parent, "AcademicSummary")
        _sub(summary, "AcademicSummaryType", kind)
        _sub(summary, "AcademicSummaryLevel", "Secondary")
        g = _sub(summary, "GPA")
        _sub(g, "CreditHoursAttempted", _decimal(sum(c.credits_attempted for c in courses)))
        _sub(g, "CreditHoursEarned", _decimal(sum(c.credits_earned for c in courses)))
        _sub(g, "CreditUnit", "CarnegieUnits")
        if gpa is not None:
            _sub(g, "GradePointAverage", _decimal(gpa, 3))
        if kind == "NonWeighted":
            _sub(g, "TotalQualityPoints", _decimal(sum(self._quality_points(c) for c in counted)))
        _sub(g, "CreditHoursforGPA", _decimal(sum(c.credits_attempted for c in counted)))
        _sub(g, "GPARangeMinimum", "0")
        _sub(g, "GPARangeMaximum", f"{self.policy.mapping.gpa.scale_max:g}")
        if note:
            _notes(summary, note)

    def _quality_points(self, c: CourseMark) -> float:
        points = self.policy.points(c.letter or "")
        return (points or 0.0) * c.credits_attempted if c.counted else 0.0

    def _course(self, session: etree._Element, c: CourseMark, grade_code: str | None) -> None:
        course = _sub(session, "Course")
        _sub(course, "CourseCreditBasis", "Regular")
        _sub(course, "CourseCreditUnits", "CarnegieUnits")
        if grade_code:
            _sub(course, "CourseCreditLevel", grade_code)
        _sub(course, "CourseCreditValue", _decimal(c.credits_attempted))
        _sub(course, "CourseCreditEarned", _decimal(c.credits_earned))
        if c.letter:
            _sub(course, "CourseAcademicGrade", c.letter, 10)
            points = self.policy.points(c.letter)
            if c.credits_earned > 0:
                _sub(course, "CourseAcademicGradeStatusCode", "Completed")
            elif points == 0 and c.credits_attempted > 0:
                _sub(course, "CourseAcademicGradeStatusCode", "OtherFail")
        if not c.counted:
            _sub(course, "CourseRepeatCode", "RepeatNotCounted")
        sced = (c.sced_code or "").strip()
        if len(sced) == 12:
            _sub(course, "CourseSCEDCode", sced)
        elif len(sced) == 5:
            _sub(course, "CourseFiveDigitSCEDCode", sced)
        _sub(course, "CourseQualityPointsEarned", _decimal(self._quality_points(c)))
        level = COURSE_LEVELS.get((c.course_level or "").casefold())
        if level:
            _sub(course, "CourseLevel", level)
        in_gpa = c.counted and c.letter is not None and self.policy.points(c.letter) is not None
        _sub(course, "CourseGPAApplicabilityCode", "Applicable" if in_gpa else "NotApplicable")
        if c.course_code:
            _sub(course, "CourseNumber", c.course_code, 15)
        _sub(course, "CourseTitle", c.title or c.course_code or "Course", 120)
        if c.session_start:
            _sub(course, "CourseBeginDate", c.session_start[:10])
        if c.session_end or c.term_end:
            _sub(course, "CourseEndDate", (c.session_end or c.term_end or "")[:10])
        basis = {"direct": "standards scores", "derived": "course grades (derived)", "mixed": "mixed evidence",
                 "source": "teacher's grade"}.get(c.basis or "", c.basis or "unknown")
        teacher = f"; teacher {c.source_letter}" if c.source_letter else ""
        if c.value is None:
            _notes(course, f"Teacher's grade; the course is not aligned to the continuum{teacher}")
        else:
            _notes(course, f"From proficiency {c.value:.2f} on {basis}{teacher}")

    def _extension(self, record: etree._Element, rec: StudentRecord) -> None:
        continuum, scale = self.policy.continuum, self.policy.scale
        ext = _sub(_sub(record, "UserDefinedExtensions"), f"{{{CBE_NS}}}CompetencyTranscript",
                   version="1", continuum=continuum.id, continuumTitle=continuum.title,
                   computedAsOf=self.run.as_of, cbeBridgeVersion=self.run.version,
                   mappingSha256=self.run.mapping_fingerprint)
        s = _sub(ext, f"{{{CBE_NS}}}ProficiencyScale", id=scale.id, title=scale.title,
                 proficientAt=None if scale.proficient_at is None else f"{scale.proficient_at:g}")
        for lv in scale.levels:
            _sub(s, f"{{{CBE_NS}}}Level", lv.description, code=lv.code, label=lv.label, value=f"{lv.value:g}")
        for node in continuum.nodes.values():
            fig = rec.figures.get(node.id)
            if fig is None or fig.value is None or (not self.options.all_nodes and continuum.is_leaf(node.id)):
                continue
            _sub(ext, f"{{{CBE_NS}}}Competency", node.title, id=node.id, code=node.human_code, uri=node.uri,
                 nodeType=node.node_type, parent=node.parent_id, value=f"{fig.value:.3f}", level=fig.level_code,
                 proficient=None if fig.proficient is None else str(bool(fig.proficient)).lower(),
                 basis=fig.basis, direct=str(fig.n_direct), derived=str(fig.n_derived), lastEvidence=fig.last_date,
                 habit="true" if node.id in self.policy.habit_nodes else None)
        for row in rec.graduation:
            achieved = row.get("achieved")
            _sub(ext, f"{{{CBE_NS}}}GraduationRequirement", row.get("title"), node=row.get("node"),
                 code=row.get("code"), required=f"{row.get('required', 0):g}",
                 achieved=None if achieved is None else f"{achieved:.2f}", met=str(bool(row.get("met"))).lower())
        _sub(ext, f"{{{CBE_NS}}}Attachment", "School profile: the proficiency scale, how proficiency is decided, "
             "the continuum, what credit means and the GPA conversion", href=self.options.attachment)

    def _grade_code(self, rec: StudentRecord, year: int | None) -> str | None:
        # Grade in a school year, counted back from the graduating class (class of Y = grade 12 in Y).
        if rec.class_of is None or year is None:
            return None
        return GRADE_CODES.get(f"{12 - (rec.class_of - year):02d}")

    def build(self, rec: StudentRecord) -> etree._Element:
        """The transcript document of one student."""
        root = etree.Element(f"{{{HS_NS}}}HighSchoolTranscript", nsmap=NSMAP)
        self._transmission(root, rec)
        student = _sub(root, "Student")
        self._person(student, rec)
        record = _sub(student, "AcademicRecord")
        self._school(record, rec)
        level = GRADE_CODES.get((rec.grade_level or "").zfill(2))
        if level:
            _sub(_sub(record, "StudentLevel"), "StudentLevelCode", level)
        cumulative = rec.gpa.get("cumulative")
        method = ("Grades and GPA are translated back from proficiency on the district's continuum; "
                  f"see the attachment {self.options.attachment}.")
        self._summary(record, "NonWeighted", cumulative.unweighted if cumulative else None, rec.courses,
                      "Cumulative GPA, back-translated from proficiency.")
        self._summary(record, "Weighted", cumulative.weighted if cumulative else None, rec.courses)
        for year, marks in group_by_year(rec.courses).items():
            session = _sub(record, "AcademicSession")
            detail = _sub(session, "AcademicSessionDetail")
            starts = sorted(m.session_start for m in marks if m.session_start)
            ends = sorted((m.session_end or m.term_end) for m in marks if (m.session_end or m.term_end))
            designator = (starts[0][:7] if starts else f"{(year or 1) - 1:04d}-09")
            _sub(detail, "SessionDesignator", designator)
            if year:
                _sub(detail, "SessionName", f"{year - 1}-{year}")
                _sub(detail, "SessionType", "FullYear")
                _sub(detail, "SessionSchoolYear", f"{year - 1}-{year}")
            if starts:
                _sub(detail, "SessionBeginDate", starts[0][:10])
            if ends:
                _sub(detail, "SessionEndDate", ends[-1][:10])
            grade_code = self._grade_code(rec, year)
            for mark in marks:
                self._course(session, mark, grade_code)
            year_gpa = rec.gpa.get(str(year)) if year else None
            if year_gpa is not None:
                self._summary(session, "NonWeighted", year_gpa.unweighted, marks)
        _notes(record, method)
        self._extension(record, rec)
        return root


def to_bytes(root: etree._Element) -> bytes:
    """UTF-8 with an XML declaration, indented for people who open the file."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


__all__ = ["CBE_NS", "HS_NS", "PescBuilder", "PescOptions", "clean", "to_bytes"]

"""View models: what a template prints, built from stored results and configuration.

Templates get plain objects whose fields are already formatted text (numbers to fixed places,
dates in words), so a district can restyle or rewrite a template without knowing the store
or Python. Builders here only select, group and format: every level, date, letter, credit and
GPA comes from an engine table as stored, and every policy sentence from :mod:`.wording`.
"""

from __future__ import annotations

import base64
import math
import mimetypes
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from cbe_bridge.config import SchoolProfile
from cbe_bridge.translate.student_records import CourseMark, Figure, StudentRecord
from cbe_bridge.documents.wording import COURSE_LEVEL_LABELS, ScaleKey
from cbe_bridge.engine.policy import Policy

BASIS_LABELS = {"direct": "Direct", "derived": "Derived", "mixed": "Mixed"}
SPECIAL_LEVELS = ("dual_enrollment", "elo")  # reported in their own section of the transcript


def long_date(iso: str | date | None) -> str:
    """'2027-05-13' -> 'May 13, 2027' (the form US admissions offices read)."""
    if not iso:
        return ""
    day = iso if isinstance(iso, date) else date.fromisoformat(str(iso)[:10])
    return f"{day:%B} {day.day}, {day.year}"


def short_date(iso: str | None) -> str:
    """'2024-09-17' -> 'Sep 17, 2024': fits a table column."""
    if not iso:
        return ""
    day = date.fromisoformat(str(iso)[:10])
    return f"{day:%b} {day.day}, {day.year}"


def level_value(value: float | None) -> str:
    """A proficiency value to 2 places, truncated, so a 2.995 never prints as a proficient-
    looking 3.00 beside the level "In Progress" the engine gave it (1e-9 absorbs float noise)."""
    if value is None:
        return "-"
    return f"{math.floor(value * 100 + 1e-9) / 100:.2f}"


def gpa_text(value: float | None) -> str:
    """GPA to 2 places, half up, as the engine's own rounding (3.125 -> 3.13)."""
    if value is None:
        return "-"
    return str(Decimal(repr(float(value))).quantize(Decimal("0.01"), ROUND_HALF_UP))


def credits_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


# -- shared parts -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ContactView:
    role: str
    name: str
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class SchoolView:
    name: str
    district: str | None
    ceeb_code: str | None
    address: str | None
    phone: str | None
    website: str | None
    logo_uri: str | None  # a data: URI, so HTML files stand alone
    contacts: tuple[ContactView, ...]
    programme: str | None


def school_view(profile: SchoolProfile) -> SchoolView:
    logo = None
    if profile.logo is not None and Path(profile.logo).is_file():
        kind = mimetypes.guess_type(str(profile.logo))[0] or "image/png"
        logo = f"data:{kind};base64," + base64.b64encode(Path(profile.logo).read_bytes()).decode("ascii")
    contacts = tuple(ContactView(c.role, c.name, c.email, c.phone) for c in profile.contacts)
    return SchoolView(profile.name, profile.district, profile.ceeb_code, profile.address, profile.phone,
                      profile.website, logo, contacts, profile.programme)


@dataclass(frozen=True)
class Provenance:
    """What made a document: printed in its footer and written into its metadata."""

    version: str  # cbe-bridge that rendered the document
    computed_by: str  # cbe-bridge that computed the figures
    run_id: int
    as_of: str
    mapping_fingerprint: str
    continuum_id: str
    template_fingerprint: str
    issued: date

    @property
    def short_fingerprint(self) -> str:
        return self.mapping_fingerprint[:12]

    @property
    def issued_text(self) -> str:
        return long_date(self.issued)

    @property
    def as_of_text(self) -> str:
        return long_date(self.as_of)


@dataclass(frozen=True)
class StudentView:
    student_id: str
    local_id: str | None
    name: str  # "Family, Given Middle": how registrars file and colleges match
    full_name: str
    birth_date: str
    class_of: int | None
    grade_level: str | None


def student_view(r: StudentRecord) -> StudentView:
    p = r.person
    given = p.given_name or ""
    if p.preferred_given_name and p.preferred_given_name != p.given_name:
        given += f" ({p.preferred_given_name})"
    first = " ".join(x for x in (given, p.middle_name) if x)
    name = ", ".join(x for x in (p.family_name, first) if x) or p.student_id
    full = " ".join(x for x in (p.given_name, p.middle_name, p.family_name) if x) or p.student_id
    return StudentView(p.student_id, p.local_id, name, full, long_date(p.birth_date), r.class_of, r.grade_level)


# -- proficiency-based transcript -------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    """A stored proficiency figure as printed."""

    assessed: bool
    code: str = ""
    label: str = "Not yet assessed"
    value: str = "-"
    proficient: bool = False
    basis: str = ""
    basis_label: str = ""
    date: str = ""
    tone: int = 0  # the level's colour, 1-4 (0: not assessed)


def cell(figure: Figure | None, key: ScaleKey) -> Cell:
    if figure is None or figure.value is None:
        return Cell(False)
    level = key.level(figure.level_code)
    return Cell(True, figure.level_code or "", level.label if level else (figure.level_code or ""),
                level_value(figure.value), bool(figure.proficient), figure.basis or "",
                BASIS_LABELS.get(figure.basis or "", figure.basis or ""), short_date(figure.last_date),
                level.tone if level else 0)


@dataclass(frozen=True)
class NodeLine:
    code: str
    title: str
    cell: Cell
    depth: int


@dataclass(frozen=True)
class AreaBlock:
    code: str
    title: str
    overall: Cell
    lines: tuple[NodeLine, ...]


@dataclass(frozen=True)
class GradLine:
    code: str
    title: str
    required: str
    achieved: str
    met: bool


@dataclass(frozen=True)
class SpecialLine:
    """An extended learning opportunity or a dual-enrollment course."""

    kind: str
    title: str
    term: str
    letter: str
    credits: str


@dataclass
class TranscriptView:
    school: SchoolView
    student: StudentView
    key: ScaleKey
    provenance: Provenance
    unofficial: bool
    areas: list[AreaBlock] = field(default_factory=list)
    habits: list[AreaBlock] = field(default_factory=list)
    graduation: list[GradLine] = field(default_factory=list)
    credits_earned: str | None = None
    credits_attempted: str | None = None
    special: list[SpecialLine] = field(default_factory=list)
    kind: str = "transcript"

    @property
    def title(self) -> str:
        return f"Proficiency-based transcript: {self.student.full_name}"

    @property
    def graduation_met(self) -> int:
        return sum(1 for g in self.graduation if g.met)


def _area(policy: Policy, root_id: str, r: StudentRecord, key: ScaleKey, depth: int) -> AreaBlock:
    c = policy.continuum
    root = c.nodes[root_id]
    lines = [NodeLine(n.human_code or "", n.title, cell(r.figures.get(n.id), key), n.depth - root.depth)
             for n in c.descendants(root_id) if n.depth - root.depth <= depth]
    return AreaBlock(root.human_code or "", root.title, cell(r.figures.get(root_id), key), tuple(lines))


def is_habit_area(policy: Policy, root_id: str) -> bool:
    """A content area reported with habits: the node or all its children are habit nodes."""
    kids = policy.children[root_id]
    return root_id in policy.habit_nodes or bool(kids) and all(k in policy.habit_nodes for k in kids)


def transcript_view(policy: Policy, r: StudentRecord, *, school: SchoolView, key: ScaleKey,
                    provenance: Provenance, unofficial: bool, depth: int = 1) -> TranscriptView:
    """The proficiency-based transcript of one student; ``depth`` is how many levels below
    each content area are listed (1: its competencies)."""
    view = TranscriptView(school, student_view(r), key, provenance, unofficial)
    for root in policy.continuum.roots():
        block = _area(policy, root.id, r, key, depth)
        (view.habits if is_habit_area(policy, root.id) else view.areas).append(block)
    for g in r.graduation:
        view.graduation.append(GradLine(g.get("code") or "", g.get("title") or "", level_value(g.get("required")),
                                        level_value(g.get("achieved")), bool(g.get("met"))))
    if r.courses:
        view.credits_earned = credits_text(sum(c.credits_earned for c in r.courses))
        view.credits_attempted = credits_text(sum(c.credits_attempted for c in r.courses))
    view.special = [SpecialLine(COURSE_LEVEL_LABELS[c.course_level or ""], c.title or c.course_code or "",
                                c.session_title or "", c.letter or "", credits_text(c.credits_earned))
                    for c in r.courses if c.course_level in SPECIAL_LEVELS]
    return view


# -- traditional transcript -------------------------------------------------------------------
@dataclass(frozen=True)
class CourseLine:
    code: str
    title: str
    level: str
    letter: str
    attempted: str
    earned: str
    notes: str  # footnote marks, explained on the document


@dataclass
class TermBlock:
    title: str
    courses: list[CourseLine]
    unweighted: str
    weighted: str


@dataclass
class YearBlock:
    label: str
    grade: str
    terms: list[TermBlock]
    unweighted: str
    weighted: str
    attempted: str
    earned: str

    @property
    def pairs(self) -> list[list[TermBlock]]:
        """Terms two by two: a year's semesters print side by side."""
        return [self.terms[i:i + 2] for i in range(0, len(self.terms), 2)]


@dataclass
class TraditionalView:
    school: SchoolView
    student: StudentView
    key: ScaleKey
    provenance: Provenance
    unofficial: bool
    years: list[YearBlock]
    unweighted: str
    weighted: str
    gpa_credits: str
    attempted: str
    earned: str
    kind: str = "traditional"

    @property
    def title(self) -> str:
        return f"Traditional transcript: {self.student.full_name}"


def _notes(c: CourseMark) -> str:
    marks = []
    if c.basis == "derived":
        marks.append("d")  # letter rests on the course grade, not on standards evidence
    if c.basis == "source":
        marks.append("t")  # the teacher's letter as given: course not aligned to the continuum
    if not c.counted:
        marks.append("r")  # an earlier attempt of a repeated course (or not counted)
    return " ".join(marks)


def _year_label(year: int | None) -> str:
    return f"{year - 1}-{str(year)[-2:]}" if year else "Other"


def _grade_in(year: int | None, class_of: int | None) -> str:
    if year is None or class_of is None:
        return ""
    grade = 12 - (class_of - year)
    return f"Grade {grade}" if 1 <= grade <= 12 else ""


def traditional_view(r: StudentRecord, *, school: SchoolView, key: ScaleKey, provenance: Provenance,
                     unofficial: bool) -> TraditionalView:
    """Courses by year and term with back-translated letters, credits and GPA as stored."""
    by_year: dict[int | None, dict[str | None, list[CourseMark]]] = {}
    for c in sorted(r.courses, key=lambda c: (c.school_year or 0, c.term_end or "", c.session_start or "",
                                              c.course_code or "", c.class_id)):
        by_year.setdefault(c.school_year, {}).setdefault(c.session_id, []).append(c)
    years = []
    for year, terms in by_year.items():
        blocks = []
        for session_id, rows in terms.items():
            term_gpa = r.gpa.get(f"term:{session_id}")
            blocks.append(TermBlock(
                rows[0].session_title or "Term", [
                    CourseLine(c.course_code or "", c.title or "", COURSE_LEVEL_LABELS.get(c.course_level or "", ""),
                               c.letter or "-", credits_text(c.credits_attempted), credits_text(c.credits_earned),
                               _notes(c)) for c in rows],
                gpa_text(term_gpa.unweighted if term_gpa else None), gpa_text(term_gpa.weighted if term_gpa else None)))
        year_gpa = r.gpa.get(str(year))
        all_rows = [c for rows in terms.values() for c in rows]
        years.append(YearBlock(_year_label(year), _grade_in(year, r.class_of), blocks,
                               gpa_text(year_gpa.unweighted if year_gpa else None),
                               gpa_text(year_gpa.weighted if year_gpa else None),
                               credits_text(sum(c.credits_attempted for c in all_rows)),
                               credits_text(sum(c.credits_earned for c in all_rows))))
    cumulative = r.gpa.get("cumulative")
    return TraditionalView(
        school, student_view(r), key, provenance, unofficial, years,
        gpa_text(cumulative.unweighted if cumulative else None), gpa_text(cumulative.weighted if cumulative else None),
        credits_text(cumulative.credits if cumulative else None),
        credits_text(sum(c.credits_attempted for c in r.courses)),
        credits_text(sum(c.credits_earned for c in r.courses)))


__all__ = [
    "AreaBlock", "Cell", "CourseLine", "GradLine", "NodeLine", "Provenance", "SchoolView", "SpecialLine",
    "StudentView", "TermBlock", "TraditionalView", "TranscriptView", "YearBlock", "gpa_text", "is_habit_area",
    "level_value", "long_date", "school_view", "short_date", "student_view", "traditional_view", "transcript_view",
]

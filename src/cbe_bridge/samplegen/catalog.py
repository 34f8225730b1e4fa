"""The sample district's course catalog and the small name lists for fake people.

Each course carries its NCES SCED course code (empty for local courses that have none), the
competencies it teaches (with weights, used both for the assessments the generator makes and
for the mapping file's ``course_alignments``), its level, and how the mapping file matches it
(``course_code``, ``sced``, ``title_pattern`` or ``None`` for the courses left unmapped on
purpose). SCED codes are given as far as they are known; check them against the NCES SCED
list before relying on them for anything but tests.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Course", "COURSES", "COURSE_BY_CODE", "DEPARTMENTS", "GIVEN_NAMES", "FAMILY_NAMES",
           "MIDDLE_INITIALS", "SCHOOL_NAMES"]


@dataclass(frozen=True)
class Course:
    code: str  # courseCode, e.g. "ALG1"
    title: str
    sced: str  # 5-digit SCED course code, "" when the course has none
    subject: str  # subjects column (human readable)
    dept: str  # teaching department
    competencies: tuple[tuple[str, float], ...]  # (competency human code, weight)
    level: str = "regular"  # regular | honors | ap
    grades: tuple[str, ...] = ("09", "10", "11", "12")
    span: str = "year"  # year = taken in both semesters; semester = one semester
    match: str | None = "course_code"  # how mapping.yaml matches it; None = unmapped
    pass_fail: bool = False  # graded P / NC, no percent

    @property
    def area(self) -> str | None:
        return self.competencies[0][0].split(".")[0] if self.competencies else None


def _c(code: str, title: str, sced: str, subject: str, dept: str, comps: str, level: str = "regular",
       grades: str = "09,10,11,12", span: str = "year", match: str | None = "course_code",
       pass_fail: bool = False) -> Course:
    pairs: list[tuple[str, float]] = []
    for part in comps.split():
        node, _, weight = part.partition("@")
        pairs.append((node, float(weight) if weight else 1.0))
    return Course(code, title, sced, subject, dept, tuple(pairs), level, tuple(grades.split(",")),
                  span, match, pass_fail)


ELA, MTH, SCI, SOC = "English Language Arts", "Mathematics", "Science", "Social Studies"
WL, ART, PE = "World Languages", "Fine and Performing Arts", "Health and Physical Education"

COURSES: tuple[Course, ...] = (
    # English
    _c("ENG9", "English 9", "01001", ELA, "English", "ELA.C1 ELA.C3 ELA.C5", grades="09"),
    _c("ENG9H", "Honors English 9", "01001", ELA, "English", "ELA.C1 ELA.C3 ELA.C5", "honors", "09"),
    _c("ENG10", "English 10", "01002", ELA, "English", "ELA.C1 ELA.C2 ELA.C3", grades="10"),
    _c("ENG10H", "Honors English 10", "01002", ELA, "English", "ELA.C1 ELA.C2 ELA.C3", "honors",
       "10"),
    _c("ENG11", "English 11: American Literature", "01003", ELA, "English", "ELA.C2 ELA.C3 ELA.C4",
       grades="11"),
    _c("APLANG", "AP English Language and Composition", "01005", ELA, "English",
       "ELA.C2 ELA.C3 ELA.C4", "ap", "11"),
    _c("ENG12", "English 12: World Literature", "01004", ELA, "English", "ELA.C1 ELA.C3 ELA.C4",
       grades="12"),
    _c("APLIT", "AP English Literature and Composition", "01006", ELA, "English",
       "ELA.C1 ELA.C3 ELA.C4", "ap", "12"),
    _c("CWRIT", "Creative Writing", "01104", ELA, "English", "ELA.C3", grades="10,11,12",
       span="semester"),
    _c("SPCH", "Public Speaking", "01151", ELA, "English", "ELA.C4 ELA.C3@0.5", grades="10,11,12",
       span="semester"),
    # Mathematics
    _c("ALG1", "Algebra I", "02052", MTH, "Mathematics", "MATH.C1 MATH.C2 MATH.C5@0.5",
       grades="09,10"),
    _c("GEOM", "Geometry", "02072", MTH, "Mathematics", "MATH.C3 MATH.C5@0.5", grades="09,10,11"),
    _c("GEOMH", "Honors Geometry", "02072", MTH, "Mathematics", "MATH.C3 MATH.C5@0.5", "honors",
       "09,10"),
    _c("ALG2", "Algebra II", "02056", MTH, "Mathematics", "MATH.C1 MATH.C2", grades="10,11,12"),
    _c("ALG2H", "Honors Algebra II", "02056", MTH, "Mathematics", "MATH.C1 MATH.C2", "honors",
       "10,11"),
    _c("PRECALC", "Pre-Calculus", "02110", MTH, "Mathematics", "MATH.C2 MATH.C3@0.5",
       grades="11,12"),
    _c("APCALC", "AP Calculus AB", "02124", MTH, "Mathematics", "MATH.C2 MATH.C5@0.5", "ap", "12"),
    _c("APSTAT", "AP Statistics", "02203", MTH, "Mathematics", "MATH.C4", "ap", "11,12"),
    _c("FINMATH", "Financial Mathematics", "", MTH, "Mathematics", "MATH.C1@0.5 MATH.C4",
       grades="12"),
    # Science
    _c("ESCI", "Earth and Space Science", "03001", SCI, "Science", "SCI.C1@0.5 SCI.C4", grades="09",
       match="sced"),
    _c("BIO", "Biology", "03051", SCI, "Science", "SCI.C1@0.5 SCI.C3", grades="10"),
    _c("BIOH", "Honors Biology", "03051", SCI, "Science", "SCI.C1@0.5 SCI.C3", "honors", "10"),
    _c("CHEM", "Chemistry", "03101", SCI, "Science", "SCI.C1@0.5 SCI.C2", grades="11"),
    _c("CHEMH", "Honors Chemistry", "03101", SCI, "Science", "SCI.C1@0.5 SCI.C2", "honors", "11"),
    _c("PHYS", "Physics", "03151", SCI, "Science", "SCI.C1@0.5 SCI.C2", grades="12"),
    _c("ENVSCI", "Environmental Science", "03003", SCI, "Science", "SCI.C3@0.5 SCI.C4",
       grades="11,12", match="sced"),
    _c("APBIO", "AP Biology", "03056", SCI, "Science", "SCI.C1@0.5 SCI.C3", "ap", "12"),
    # Social studies
    _c("WGEO", "World Geography", "04001", SOC, "Social Studies", "SOC.C4 SOC.C1@0.5", grades="09"),
    _c("WHIST", "World History", "04051", SOC, "Social Studies", "SOC.C1 SOC.C4@0.5", grades="10"),
    _c("USHIST", "U.S. History", "04101", SOC, "Social Studies", "SOC.C1 SOC.C2@0.5", grades="11"),
    _c("APUSH", "AP U.S. History", "04104", SOC, "Social Studies", "SOC.C1 SOC.C2@0.5", "ap", "11"),
    _c("GOV", "U.S. Government", "04151", SOC, "Social Studies", "SOC.C2", grades="12",
       span="semester"),
    _c("ECON", "Economics", "04201", SOC, "Social Studies", "SOC.C3", grades="12", span="semester"),
    _c("PSYCH", "Psychology", "04254", SOC, "Social Studies", "SOC.C1@0.5", grades="11,12",
       span="semester", match="sced"),
    _c("LHIST", "Local History Seminar", "", SOC, "Social Studies", "SOC.C1 SOC.C4@0.5",
       grades="11,12", span="semester", match="title_pattern"),
    # World languages
    _c("SPAN1", "Spanish I", "06101", WL, "World Languages", "WL.C1 WL.C2 WL.C3", match="sced"),
    _c("SPAN2", "Spanish II", "06102", WL, "World Languages", "WL.C1 WL.C2 WL.C3",
       grades="10,11,12", match="sced"),
    _c("SPAN3", "Spanish III", "06103", WL, "World Languages", "WL.C1 WL.C2 WL.C3",
       grades="11,12", match="sced"),
    # Arts
    _c("ART1", "Art I", "05154", ART, "Fine Arts", "ART.C1 ART.C3", match="sced"),
    _c("DRAW", "Drawing and Painting", "", ART, "Fine Arts", "ART.C1 ART.C2@0.5", grades="10,11,12"),
    _c("CHOIR", "Concert Choir", "05110", ART, "Fine Arts", "ART.C2 ART.C3@0.5", match="sced"),
    # Health and physical education
    _c("PE", "Physical Education", "08001", PE, "Health and PE", "WELL.C2", grades="09",
       match="sced", pass_fail=True),
    _c("HEALTH", "Health Education", "08051", PE, "Health and PE", "WELL.C1 WELL.C3", grades="10",
       span="semester", match="sced"),
    _c("FIT", "Lifetime Fitness", "", PE, "Health and PE", "WELL.C2 WELL.C1@0.5",
       grades="11,12", span="semester"),
    # Courses no mapping covers (on purpose)
    _c("ADVIS", "Advisory", "", "Advisory", "Student Services", "", match=None, pass_fail=True),
    _c("YRBK", "Yearbook Production", "", "Journalism", "Fine Arts", "", grades="11,12", match=None),
)

COURSE_BY_CODE: dict[str, Course] = {c.code: c for c in COURSES}
DEPARTMENTS: tuple[str, ...] = tuple(dict.fromkeys(c.dept for c in COURSES))

GIVEN_NAMES: tuple[str, ...] = (
    "Aaliyah", "Aiden", "Amara", "Andre", "Ava", "Benjamin", "Brianna", "Caleb", "Camila", "Carlos",
    "Chloe", "Daniel", "Deja", "Diego", "Elena", "Elijah", "Emily", "Ethan", "Fatima", "Gabriel",
    "Grace", "Hannah", "Hiroshi", "Isabella", "Isaiah", "Jada", "Jamal", "Jasmine", "Javier",
    "Jordan", "Joseph", "Kai", "Katherine", "Kevin", "Layla", "Leah", "Liam", "Lucas", "Madison",
    "Malik", "Maria", "Mason", "Maya", "Mei", "Micah", "Mohammed", "Naomi", "Nathan", "Nia",
    "Noah", "Olivia", "Omar", "Priya", "Rafael", "Riley", "Rosa", "Samuel", "Sofia", "Tariq",
    "Theo", "Valentina", "Wyatt", "Xavier", "Yusuf", "Zoe",
)
FAMILY_NAMES: tuple[str, ...] = (
    "Adams", "Ali", "Anderson", "Baker", "Bennett", "Brooks", "Campbell", "Castillo", "Chen",
    "Clark", "Cruz", "Davis", "Diaz", "Edwards", "Evans", "Flores", "Garcia", "Gonzalez", "Gray",
    "Green", "Hall", "Harris", "Hernandez", "Hill", "Huang", "Jackson", "James", "Johnson", "Kim",
    "King", "Lee", "Lewis", "Lopez", "Martin", "Martinez", "Mitchell", "Moore", "Morgan", "Nguyen",
    "Okafor", "Ortiz", "Parker", "Patel", "Perez", "Phillips", "Ramirez", "Reyes", "Rivera",
    "Roberts", "Robinson", "Rodriguez", "Sanchez", "Scott", "Singh", "Smith", "Sullivan",
    "Taylor", "Thomas", "Thompson", "Torres", "Walker", "Washington", "White", "Williams",
    "Wilson", "Wright", "Yamamoto", "Young",
)
MIDDLE_INITIALS = "ABCDEFGHJKLMNPRSTW"
SCHOOL_NAMES: tuple[str, ...] = (
    "Maplewood High School", "Cedar Ridge High School", "Riverside High School",
    "Lakeview High School", "Northgate High School", "Pine Hollow High School",
    "Eastfield High School", "Summit Valley High School",
)

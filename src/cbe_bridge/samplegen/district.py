"""The district's people and sections: schools, students and their course plans, teachers,
and class sections with their gradebook line items (the generator's first pass).

A student's plan (which course in which term, a failed course and its retake, a transfer's
arrival) is a pure function of the seed and the student's index, so the second pass can
recompute it instead of holding every enrollment in memory. Sections are sized from the
first pass's head counts; the second pass deals students into them round-robin.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from cbe_bridge.samplegen.casepkg import ContinuumIndex
from cbe_bridge.samplegen.catalog import (
    COURSE_BY_CODE,
    COURSES,
    FAMILY_NAMES,
    GIVEN_NAMES,
    MIDDLE_INITIALS,
    SCHOOL_NAMES,
    Course,
)
from cbe_bridge.samplegen.common import CURRENT_YEAR, SCHOOL_YEARS, Term

__all__ = ["School", "Teacher", "Student", "Assessment", "Section", "District", "build_district",
           "plan_for"]

STUDENTS_PER_SCHOOL = 2000
SECTION_CAP = 28
SECTIONS_PER_TEACHER = 5
COURSE_INDEX = {c.code: i for i, c in enumerate(COURSES)}
ADOPTION = ((2024, 0.35), (2025, 0.25), (2026, 0.2), (2027, 0.12))  # rest never adopt
AREAS = ("ELA", "MATH", "SCI", "SOC", "WL", "ART", "WELL")
LEVEL_ADJ = {"regular": 0.0, "honors": -0.15, "ap": -0.3}
TITLES = {
    "English": ("Essay", "Literary Analysis", "Socratic Seminar", "Research Project", "Unit Test"),
    "Mathematics": ("Unit Test", "Performance Task", "Quiz", "Modeling Project"),
    "Science": ("Lab Report", "Unit Test", "Investigation", "Claim-Evidence-Reasoning Task"),
    "Social Studies": ("Document-Based Question", "Unit Test", "Debate", "Research Project"),
    "World Languages": ("Interpretive Task", "Oral Interview", "Presentation", "Unit Test"),
    "Fine Arts": ("Portfolio Review", "Performance", "Critique", "Studio Project"),
    "Health and PE": ("Skills Assessment", "Fitness Plan", "Health Project", "Unit Test"),
}


@dataclass
class School:
    index: int
    sourced_id: str
    name: str
    identifier: str


@dataclass
class Teacher:
    index: int
    sourced_id: str
    given: str
    family: str
    school: int
    dept: str
    adopt_year: int  # first school year with a standards-based gradebook; 9999 = never
    text_scores: bool  # records E/P/IP/LP codes instead of numbers
    urn_ids: bool  # the teacher's LMS exports objective ids as urn:uuid:GUID


@dataclass
class Student:
    index: int
    sourced_id: str
    school: int
    grad_year: int
    given: str
    middle: str
    family: str
    sex: str
    birth_date: str
    ability: float
    area_offset: dict[str, float]
    habit_ability: float
    transfer: tuple[int, int] | None  # (term index, day index in that term) of arrival

    @property
    def start_year(self) -> int:
        """School year (ending year) in which the student was in grade 9."""
        return self.grad_year - 3


@dataclass
class Assessment:
    line_item_id: str
    title: str
    day: int  # index into the term's days
    date: str
    year_frac: float
    targets: tuple[str, ...]  # human codes
    objective_ids: tuple[str, ...]  # as written (GUID or urn:uuid:GUID)
    difficulty: tuple[float, ...]
    habits: bool = False


@dataclass
class Section:
    sourced_id: str
    course: Course
    term: Term
    school: int
    number: int
    teacher: Teacher
    sbg: bool  # standards-based gradebook with assessments aligned to learning targets
    assessments: list[Assessment] = field(default_factory=list)
    final_id: str = ""
    adj: float = 0.0
    area: str | None = None  # the course's content area (cached)


@dataclass
class District:
    schools: list[School]
    students: list[Student]
    teachers: list[Teacher]
    sections: dict[tuple[int, int, int], list[Section]]  # (school, course idx, term) -> sections
    terms: list[Term]
    retakes: int = 0  # students who fail a course and retake it the next year


def _choice(r: random.Random, options: list[str], taken: set[str]) -> str:
    fresh = [o for o in options if o not in taken or o == "CHOIR"]
    return r.choice(fresh or options)


def plan_for(st: Student, seed: int, terms: list[Term]) -> list[tuple[int, int, bool]]:
    """(term index, course index, forced fail) for every class the student takes, in order."""
    r = random.Random((seed << 24) + st.index * 2 + 1)
    a = st.ability
    honors = a > 0.3 and r.random() < 0.75
    math_adv = a > 0.45 and r.random() < 0.65
    spanish = r.random() < 0.8
    spanish3 = spanish and a > 0 and r.random() < 0.45
    fail_grade = 0
    if st.transfer is None and r.random() < (0.12 if a < -0.3 else 0.015):
        fail_grade = r.choice((9, 10))  # dropped below when no later year is in the data
    fail_core = r.randrange(4)
    taken: set[str] = set()
    by_year: list[tuple[int, list[str], list[str], list[str], str | None]] = []
    retake: str | None = None
    for grade in (9, 10, 11, 12):
        year = st.grad_year - (12 - grade)
        h = honors
        if grade == 9:
            core = ["ENG9H" if h else "ENG9", "GEOMH" if math_adv else "ALG1", "ESCI", "WGEO"]
            elective = "SPAN1" if spanish else _choice(r, ["ART1", "CHOIR"], taken)
            fall, spring, year_long = [], [], ["PE", elective]
        elif grade == 10:
            core = ["ENG10H" if h else "ENG10", "ALG2H" if math_adv else "GEOM",
                    "BIOH" if h else "BIO", "WHIST"]
            elective = "SPAN2" if spanish else _choice(r, ["ART1", "CHOIR", "DRAW"], taken)
            fall, spring, year_long = ["HEALTH"], [r.choice(("CWRIT", "SPCH"))], [elective]
        elif grade == 11:
            core = ["APLANG" if h and r.random() < 0.6 else "ENG11",
                    "PRECALC" if math_adv else "ALG2", "CHEMH" if h else "CHEM",
                    "APUSH" if h and r.random() < 0.5 else "USHIST"]
            elective = "SPAN3" if spanish3 else _choice(r, ["ART1", "CHOIR", "DRAW", "YRBK"], taken)
            fall = [_choice(r, ["PSYCH", "LHIST", "FIT"], taken)]
            spring = [_choice(r, ["FIT", "CWRIT", "SPCH", "LHIST"], taken | set(fall))]
            year_long = [elective]
        else:
            m = (r.choice(("APCALC", "APSTAT")) if math_adv
                 else "PRECALC" if a > -0.2 and "PRECALC" not in taken else "FINMATH")
            core = ["APLIT" if h and r.random() < 0.6 else "ENG12", m,
                    r.choice(("APBIO", "PHYS")) if h else r.choice(("PHYS", "ENVSCI", "ENVSCI")),
                    ]
            fall = ["GOV", _choice(r, ["PSYCH", "FIT", "LHIST"], taken)]
            spring = ["ECON", _choice(r, ["CWRIT", "SPCH", "FIT"], taken | set(fall))]
            year_long = [_choice(r, ["YRBK", "CHOIR", "DRAW", "ART1"], taken)]
        if retake is not None:
            year_long = [retake]
            retake = None
        fail_course = core[fail_core % len(core)] if grade == fail_grade else None
        if fail_course is not None and year < CURRENT_YEAR:
            retake = fail_course
        else:
            fail_course = None
        taken.update(core + fall + spring + year_long)
        by_year.append((year, core + year_long + ["ADVIS"], fall, spring, fail_course))
    plan: list[tuple[int, int, bool]] = []
    first = SCHOOL_YEARS[0]
    for year, year_long, fall, spring, fail_course in by_year:
        if year < first or year > CURRENT_YEAR:
            continue
        base = (year - first) * 2
        for sem, extra in ((0, fall), (1, spring)):
            for code in year_long + extra:
                plan.append((base + sem, COURSE_INDEX[code], code == fail_course))
    if st.transfer is not None:
        plan = [p for p in plan if p[0] >= st.transfer[0]]
    return plan


def _make_students(n: int, seed: int, n_schools: int, terms: list[Term]) -> list[Student]:
    r = random.Random(seed)
    students: list[Student] = []
    for i in range(n):
        grad_year = CURRENT_YEAR + (i % 4)
        given, family = r.choice(GIVEN_NAMES), r.choice(FAMILY_NAMES)
        middle = r.choice(MIDDLE_INITIALS) if r.random() < 0.7 else ""
        sex = r.choices(("female", "male", "unspecified"), (0.49, 0.49, 0.02))[0]
        birth = date(grad_year - 19, 9, 1) + timedelta(days=r.randrange(365))
        ability = r.gauss(0.0, 0.5)
        offsets = {a: r.gauss(0.0, 0.25) for a in AREAS}
        habit = 0.5 * ability + r.gauss(0.0, 0.4)
        own_terms = [t.index for t in terms if grad_year - 3 <= t.year <= grad_year]
        transfer = None
        if r.random() < 0.05 and len(own_terms) >= 2:
            term = terms[r.choice(own_terms[1:])]
            transfer = (term.index, r.randrange(len(term.days) // 6, len(term.days) // 2))
        students.append(Student(
            index=i, sourced_id=f"stu-{i + 1:06d}", school=i % n_schools,
            grad_year=grad_year, given=given, middle=middle, family=family, sex=sex,
            birth_date=birth.isoformat(), ability=ability,
            area_offset=offsets, habit_ability=habit, transfer=transfer))
    return students


def _assessments(sec: Section, r: random.Random, index: ContinuumIndex,
                 difficulty: dict[str, float], counter: list[int]) -> None:
    course, term = sec.course, sec.term
    pool: list[str] = []
    weights: list[float] = []
    for comp, w in course.competencies:
        for lt in index.targets[comp]:
            pool.append(lt)
            weights.append(w)
    titles = TITLES.get(sec.teacher.dept, ("Unit Assessment",))
    n_days = len(term.days)

    def make(title: str, frac: float, targets: tuple[str, ...], habits: bool) -> None:
        counter[0] += 1
        day = min(n_days - 2, max(3, int(frac * n_days) + r.randrange(-3, 4)))
        ids = tuple(index.guid[t] for t in targets)
        if sec.teacher.urn_ids:
            ids = tuple("urn:uuid:" + g for g in ids)
        sec.assessments.append(Assessment(
            f"li{counter[0]}", title, day, term.days[day], term.year_frac[day], targets, ids,
            tuple(difficulty[t] for t in targets), habits))

    n = r.choice((2, 3, 3, 3, 4))
    for k in range(n):
        k_targets = r.choices((1, 2, 3), (0.55, 0.35, 0.10))[0]
        chosen: list[str] = []
        while len(chosen) < min(k_targets, len(pool)):
            t = r.choices(pool, weights)[0]
            if t not in chosen:
                chosen.append(t)
        make(f"{course.code} {r.choice(titles)} {k + 1}", (k + 0.7) / (n + 0.4), tuple(chosen), False)
    make(f"{course.code} Habits of Learning Check", 0.8, tuple(r.sample(index.habits, 2)), True)


def build_district(n_students: int, seed: int, terms: list[Term], index: ContinuumIndex,
                   ) -> District:
    """Schools, students, teachers and sections (with their line items) for a run."""
    n_schools = max(1, round(n_students / STUDENTS_PER_SCHOOL))
    schools = [School(s, f"org-hs-{s + 1:03d}",
                      SCHOOL_NAMES[s] if s < len(SCHOOL_NAMES) else f"High School {s + 1}",
                      f"99000010{s + 1:04d}") for s in range(n_schools)]
    students = _make_students(n_students, seed, n_schools, terms)
    counts: dict[tuple[int, int, int], int] = {}
    retakes = 0
    for st in students:
        failed = False
        for term_i, course_i, fail in plan_for(st, seed, terms):
            key = (st.school, course_i, term_i)
            counts[key] = counts.get(key, 0) + 1
            failed = failed or fail
        retakes += failed
    n_sections = {k: math.ceil(v / SECTION_CAP) for k, v in sorted(counts.items())}
    # Teachers per school and department, sized for the busiest term.
    r = random.Random(seed ^ 0x7EAC4E25)
    load: dict[tuple[int, str, int], int] = {}
    for (s, c, t), n in n_sections.items():
        if COURSES[c].code != "ADVIS":
            load[(s, COURSES[c].dept, t)] = load.get((s, COURSES[c].dept, t), 0) + n
    teachers: list[Teacher] = []
    pools: dict[tuple[int, str], list[Teacher]] = {}
    for s in range(n_schools):
        for dept in sorted({c.dept for c in COURSES if c.code != "ADVIS"}):
            busiest = max((n for (ls, d, _), n in load.items() if ls == s and d == dept), default=0)
            for j in range(max(1, math.ceil(busiest / SECTIONS_PER_TEACHER))):
                roll, adopt = r.random(), 9999
                for year, p in ADOPTION:
                    if roll < p:
                        adopt = year
                        break
                    roll -= p
                text = (dept == "World Languages" and j == 0) or r.random() < 0.04
                urn = (dept == "Science" and j == 0) or r.random() < 0.03
                if text or urn:
                    adopt = min(adopt, 2024 if j == 0 else 2025)
                teacher = Teacher(len(teachers), f"tch-{len(teachers) + 1:05d}",
                                  r.choice(GIVEN_NAMES), r.choice(FAMILY_NAMES), s, dept, adopt,
                                  text, urn)
                teachers.append(teacher)
                pools.setdefault((s, dept), []).append(teacher)
    difficulty = {lt: random.Random(f"{seed}/{lt}").gauss(0.0, 0.2) for lt in index.guid}
    sections: dict[tuple[int, int, int], list[Section]] = {}
    counter = [0]
    for k, (key, n) in enumerate(n_sections.items()):
        s, c, t = key
        course, term = COURSES[c], terms[t]
        pool = ([x for x in teachers if x.school == s] if course.code == "ADVIS"
                else pools[(s, course.dept)])
        cr = random.Random((seed << 20) + k)
        secs = []
        for j in range(n):
            teacher = pool[(c * 3 + j + t * 7) % len(pool)]
            sbg = bool(course.competencies) and term.year >= teacher.adopt_year
            sec = Section(f"cls-{term.code}-{course.code}-{s + 1}-{j + 1:02d}", course, term, s,
                          j + 1, teacher, sbg, adj=LEVEL_ADJ[course.level], area=course.area)
            if sbg:
                _assessments(sec, cr, index, difficulty, counter)
            counter[0] += 1
            sec.final_id = f"li{counter[0]}"
            secs.append(sec)
        sections[key] = secs
    return District(schools, students, teachers, sections, terms, retakes)


def course_of(code: str) -> Course:
    return COURSE_BY_CODE[code]

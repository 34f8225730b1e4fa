"""The README written next to a generated district: contents, CSV conventions, messiness.

It is generated (not hand-written) so that the line numbers of the deliberate bad rows and
the row counts always match the files beside it. It holds no timings, so output stays
byte-identical between runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cbe_bridge.samplegen.catalog import COURSES
from cbe_bridge.samplegen.common import CURRENT_YEAR, SCHOOL_YEARS, year_bounds
from cbe_bridge.samplegen.mapping_file import CREDITS_PER_CLASS, GRADUATION
from cbe_bridge.samplegen.oneroster import ABSENT, CATEGORIES, SCORE_SCALES

if TYPE_CHECKING:
    from cbe_bridge.samplegen.generate import GenerationSummary

__all__ = ["readme_text"]


def _years() -> str:
    parts = []
    for y in SCHOOL_YEARS:
        fs, fe, ss, se = year_bounds(y)
        parts.append(f"| {y - 1}-{y} | {y} | {fs} - {fe} | {ss} - {se} |")
    return "\n".join(parts)


def _courses() -> str:
    rows = []
    for c in COURSES:
        match = {"course_code": "course_code", "sced": "sced", "title_pattern": "title_pattern",
                 None: "**unmapped**"}[c.match]
        comps = ", ".join(f"{n}" + (f" ({w:g})" if w != 1 else "") for n, w in c.competencies)
        rows.append(f"| {c.code} | {c.title} | {c.sced or '-'} | {c.level} | {c.span} | "
                    f"{match} | {comps or '-'} |")
    return "\n".join(rows)


def readme_text(s: GenerationSummary) -> str:
    cmd = "python -m cbe_bridge.samplegen --out DIR"
    if s.students != 320:
        cmd += f" --students {s.students}"
    if s.seed != 2026:
        cmd += f" --seed {s.seed}"
    bad = "\n".join(f"| {a.file} | {a.line} | `{a.sourced_id}` | {a.kind} | {a.field} = "
                    f"`{a.value}` | {a.note} |" for a in s.anomalies) or "| - | - | - | - | - | - |"
    counts = "\n".join(f"| {name} | {n} |" for name, n in s.files.items())
    scales = "\n".join(f"| `{i}` | {t} | {k} | `{v}` |" for i, t, k, v in SCORE_SCALES)
    cats = ", ".join(f'"{t}" (`{i}`)' for i, t, _ in CATEGORIES)
    grads = ", ".join(f"{n} >= {lv}" for n, lv in GRADUATION)
    titles = [c.title for c in COURSES if c.pass_fail]
    pass_fail = " and ".join(titles) + (" are" if len(titles) > 1 else " is")
    return f"""# Sample district: Maplewood Unified School District (synthetic)

Everything here is made up by `{cmd}` ({s.students} students, seed {s.seed});
regenerate rather than edit. The same seed and size give byte-identical files. No real
person, school or district is described; names come from small built-in lists.

| file | what |
| --- | --- |
| `oneroster/` | OneRoster 1.2 CSV bundle, bulk: `manifest.csv` + {len(s.files) - 1} files |
| `continuum.case.json` | the district continuum, a CASE 1.0 CFPackage |
| `mapping.yaml` | the district's mapping file (extends the reference district mapping) |
| `anomalies.json` | the deliberate bad rows below, machine-readable |
| `oneroster.zip` | the bundle zipped (only when generated with `--zip`) |

Files the manifest lists as absent: {", ".join(ABSENT)}.

## The district

{s.schools} high school(s), {s.teachers} teachers, {s.students} students and {s.classes}
class sections. Four school years; the current one is {CURRENT_YEAR - 1}-{CURRENT_YEAR} and the
class of {CURRENT_YEAR} is graduating, so it has four years of history, the class of
{CURRENT_YEAR + 1} three, down to the class of {CURRENT_YEAR + 3} (grade 9) with one. Every
school year has two semesters; every class is one semester, so a year-long course is two
classes with a final grade each ({CREDITS_PER_CLASS} credit per class in `mapping.yaml`).

| school year | schoolYear | fall semester (endDate exclusive) | spring semester |
| --- | --- | --- | --- |
{_years()}

Teachers adopt a standards-based gradebook over the hybrid years (about a third in
{SCHOOL_YEARS[0] - 1}-{SCHOOL_YEARS[0]}, most by {CURRENT_YEAR - 1}-{CURRENT_YEAR}, a few
never). A class taught without one has only its course grade; a class taught with one also
has assessments scored on learning targets. Students differ in ability per content area and
grow over time, so proficiency varies. Graduation requirements in `mapping.yaml`: {grads}.

## CSV conventions

- **Course grades**: each class has one lineItem in category "Final Grade" (`cat-final`).
  Its result has `score` = percent 0-100 with one decimal, `textScore` = letter A..F with +/-,
  `scoreDate` = the last instructional day of the semester; the lineItem is linked to the
  "Percent / Letter Grade" scale in lineItemScoreScales.csv. {pass_fail} pass/fail: the
  result has no `score` and `textScore` `P` (pass: the credit, not in the GPA) or `NC` (no credit).
- **Standards scores**: assessment lineItems (category "Assessment") are aligned in
  lineItemLearningObjectiveIds.csv to 1-3 learning targets; a student's result on one has one
  resultLearningObjectiveIds.csv row per target with `source` = `case`, `score` = 1..4
  (integers). The result row itself carries the rounded mean. Dates are assessment dates
  inside the term. Each such class also has one "Habits of Learning" lineItem (category
  "Habits of Learning") aligned to two habits (`HOL.Hn`), scored the same way; habits are
  reported separately, never in academic grades.
- **Text scores**: a few teachers record codes: `score` empty and `textScore` one of
  E / P / IP / LP (4 / 3 / 2 / 1), on lineItems and results linked to the
  "Mastery Codes E/P/IP/LP" scale (lineItemScoreScales.csv and resultScoreScales.csv).
- **Learning objective ids**: the lowercase CASE GUID of the learning target or habit in
  `continuum.case.json`; a few teachers' LMS exports them as `urn:uuid:GUID`.
- **SCED codes**: `courses.csv` `subjectCodes` (5 digits; `subjects` holds the subject
  name); classes.csv repeats them. Local courses have no SCED code (empty).
- **Categories**: {cats}; "Practice" is defined but no line item uses it.
- **sourcedIds**: uuid5 GUIDs for academic sessions and courses; SIS-style ids elsewhere:
  orgs (`org-district`, `org-hs-001`), users (`stu-000001`, `tch-00001`, `cns-001`),
  classes (`cls-2024F-ALG1-1-01` = term, course, school, section), line items (`li…`),
  results (`r…`), objective rows (`r….k`), enrollments (`enr…`), roles, categories, scales.
- results.csv `classSourcedId` is filled on Final Grade results only (it is optional; the
  class of any result is its lineItem's `classSourcedId`).
- scoreScales are district-wide: `courseSourcedId` and `classSourcedId` are empty although
  the binding lists them as required. academicSessions `endDate` is exclusive (binding).
- Students' `grades` is their grade in {CURRENT_YEAR - 1}-{CURRENT_YEAR} (09-12);
  `identifier` is the local student number. demographics.csv has birthDate, sex and race
  flags for students only.

| scoreScale sourcedId | title | type | scoreScaleValue |
| --- | --- | --- | --- |
{scales}

## Messiness (on purpose)

Deliberate bad rows (line = physical line, header is line 1):

| file | line | sourcedId | kind | value | note |
| --- | --- | --- | --- | --- | --- |
{bad}

- Courses no mapping covers: {", ".join(f"{c.code} ({c.title})" for c in COURSES if c.match is None)}.
- Transfer students ({s.transfers}): arrive part-way through a semester; their role and first
  enrollment `beginDate` is the arrival day, and they have no records before it.
- Repeated courses ({s.retakes} students): a core course failed in grade 9 or 10 (F in both
  semesters) is taken again the next school year. Concert Choir may also be taken in several
  years, as the catalogue allows.
- Classes taught without a standards-based gradebook have course grades only, so some
  competencies rest on derived evidence alone.

## Courses

| code | title | SCED | level | span | mapped by | competencies (weight) |
| --- | --- | --- | --- | --- | --- | --- |
{_courses()}

## Row counts

| file | data rows |
| --- | --- |
{counts}
"""

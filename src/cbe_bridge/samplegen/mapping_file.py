"""Write the sample district's mapping file (``mapping.yaml``) in the contract's format.

The file extends the reference district mapping (scales, aggregation, rollup, GPA live
there) and adds what is particular to the sample: the continuum, the OneRoster score scales
the bundle uses, a +/- letter grade scale, a competency rollup whose k fits competencies of
two targets, course alignments (by course code for most courses, by SCED code for some,
one by title pattern; ``ADVIS`` and ``YRBK`` are left unmapped on purpose), automatic CASE
GUID matching for learning objectives, and graduation requirements per content area.
The text is produced from the catalogue, so it always matches the generated courses.
"""

from __future__ import annotations

import json
from pathlib import Path

from cbe_bridge.samplegen.catalog import COURSES, Course
from cbe_bridge.samplegen.common import LETTER_CUTS

__all__ = ["DEFAULT_EXTENDS", "GRADUATION", "GRADE_SCALE", "mapping_text", "write_mapping",
           "CREDITS_PER_CLASS"]

DEFAULT_EXTENDS = "../../mappings/reference-district.yaml"
CREDITS_PER_CLASS = 0.5  # every class is one semester; a year course is two classes
GRADUATION = (("ELA", 3), ("MATH", 3), ("SCI", 3), ("SOC", 3), ("WELL", 3))
TITLE_PATTERNS = {"LHIST": "^Local History"}
GRADE_SCALE = "letters_pm"
# Letter -> percent it stands for: the middle of its band in the bundle's letter scale.
LETTER_PERCENT = {"A": 96.5, "A-": 91, "B+": 88, "B": 84.5, "B-": 81, "C+": 78, "C": 74.5,
                  "C-": 71, "D+": 68, "D": 64.5, "D-": 61, "F": 50}
_LETTER_LEVEL = {"A": 4, "B": 3, "C": 2, "D": 1, "F": 1}


def _q(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid YAML double-quoted scalar


def _match(course: Course) -> str:
    if course.match == "sced":
        return f"{{sced: {_q(course.sced)}}}"
    if course.match == "title_pattern":
        return f"{{title_pattern: {_q(TITLE_PATTERNS[course.code])}}}"
    return f"{{course_code: {_q(course.code)}}}"


def mapping_text(extends: str = DEFAULT_EXTENDS) -> str:
    letters = ", ".join(f"{_q(letter)}: {_LETTER_LEVEL[letter[0]]}" for letter, _ in LETTER_CUTS)
    out = [
        "# Mapping for the synthetic Maplewood USD sample district.",
        "# Written by `python -m cbe_bridge.samplegen`; regenerate rather than edit by hand.",
        "version: 1",
        f"extends: {_q(extends)}",
        "continuum: continuum.case.json",
        "",
        "# OneRoster scoreScales.csv titles used by the bundle.",
        "score_scales:",
        '  - match: {title: "Mastery 1-4"}            # numeric score on lineItems/results',
        "    scale: mastery4",
        '    values: {"1": 1, "2": 2, "3": 3, "4": 4}',
        '  - match: {title: "Mastery Codes E/P/IP/LP"} # teachers who record codes in textScore',
        "    scale: mastery4",
        '    values: {"E": 4, "P": 3, "IP": 2, "LP": 1}',
        '  - match: {title: "Percent / Letter Grade"}  # Final Grade line items (course grades)',
        "    scale: mastery4",
        f"    values: {{{letters}}}",
        "",
        "# The sample's course grades carry +/- letters (and a percent score).",
        "grade_scales:",
        f"  - id: {GRADE_SCALE}",
        '    title: "Letter grades A-F with plus/minus (Maplewood)"',
        "    letters: {"
        + ", ".join(f"{_q(k)}: {v:g}" for k, v in LETTER_PERCENT.items()) + "}",
        "    percent_to_level: [{min: 90, value: 4}, {min: 80, value: 3}, {min: 70, value: 2}, "
        "{min: 60, value: 1.5}, {min: 0, value: 1}]",
        "",
        "# Competencies here have 2-4 learning targets, so k_of_n needs k <= 2.",
        "rollup:",
        "  by_node_type:",
        "    Competency: {method: k_of_n, k: 2}",
        "",
        "# Course -> competencies (derived evidence from semester course grades).",
        f"# Credits are per class: every class is one semester ({CREDITS_PER_CLASS} credit).",
        "# Left unmapped on purpose: "
        + ", ".join(f"{c.code} ({c.title})" for c in COURSES if c.match is None) + ".",
        "course_alignments:",
    ]
    for c in COURSES:
        if c.match is None:
            continue
        comps = ", ".join(f"{{node: {_q(node)}, weight: {w}}}" for node, w in c.competencies)
        out += [
            f"  - match: {_match(c)}  # {c.code} {c.title}",
            f"    competencies: [{comps}]",
            f"    grade_scale: {GRADE_SCALE}",
            f"    credits: {CREDITS_PER_CLASS}",
            f"    course_level: {c.level}",
        ]
    out += [
        "",
        f"# Courses left unmapped are semester classes too ({CREDITS_PER_CLASS} credit each), earned by",
        "# the teacher's letter. Graded pass/fail (P or NC, the reference's pass_letters and",
        "# fail_letters): " + ", ".join(c.title for c in COURSES if c.pass_fail)
        + "; where a class has standards evidence, it decides which.",
        f"credit_rule: {{default_credits: {CREDITS_PER_CLASS}}}",
        "",
        "objective_alignments:",
        "  auto_case_guid: true   # learningObjectiveId = CASE GUID (or urn:uuid:GUID) of a node",
        "",
        "graduation:",
        "  requirements:",
    ]
    out += [f"    - {{node: {_q(node)}, level: {level}}}" for node, level in GRADUATION]
    return "\n".join(out) + "\n"


def write_mapping(path: Path, extends: str = DEFAULT_EXTENDS) -> None:
    path.write_text(mapping_text(extends), encoding="utf-8")

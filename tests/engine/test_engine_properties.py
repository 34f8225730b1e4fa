"""Properties of the per-student computation, on a small continuum and the reference policy.

* the order of evidence rows never changes a figure;
* raising one standards score never lowers a proficiency, a back-translated letter's value or
  the GPA (the reference policy uses monotone methods: decaying average, k of n, mean);
* derived evidence is flagged as such and never outweighs direct evidence on a node.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from cbe_bridge.continuum import load_continuum
from cbe_bridge.engine.figures import gpa_figures
from cbe_bridge.engine.policy import Policy
from cbe_bridge.engine.records import GradeRow, ScoreRow
from cbe_bridge.engine.evidence import DIRECT, make_evidence
from cbe_bridge.engine.student import class_values, compute_student, evaluate
from cbe_bridge.mapping import load_mapping

CONTINUUM = """\
version: 1
id: tiny
title: Tiny continuum
node_types: [Content Area, Competency, Learning Target]
children:
  - code: M
    title: Mathematics
    children:
      - code: M.C1
        title: Ratios
        children:
          - {code: M.C1.T1, title: Unit rates}
          - {code: M.C1.T2, title: Proportions}
          - {code: M.C1.T3, title: Percent}
      - code: M.C2
        title: Expressions
        children:
          - {code: M.C2.T1, title: Equivalent expressions}
          - {code: M.C2.T2, title: Equations}
"""

MAPPING = """\
version: 1
extends: {reference}
continuum: continuum.yaml
course_alignments:
  - match: {{course_code: MATH7}}
    competencies: [{{node: M.C1, weight: 1.0}}, {{node: M.C2, weight: 1.0}}]
    credits: 1.0
graduation:
  requirements: [{{node: M, level: 3}}]
"""

TARGETS = ["M.C1.T1", "M.C1.T2", "M.C1.T3", "M.C2.T1", "M.C2.T2"]


@pytest.fixture(scope="module")
def policy(tmp_path_factory) -> Policy:
    folder: Path = tmp_path_factory.mktemp("policy")
    (folder / "continuum.yaml").write_text(CONTINUUM)
    (folder / "mapping.yaml").write_text(
        MAPPING.format(reference=(REPO / "mappings" / "reference-district.yaml").as_posix()))
    mapping = load_mapping([folder / "mapping.yaml"])
    return Policy(mapping, load_continuum(folder / "continuum.yaml"))


@pytest.fixture(scope="module")
def proficiency_credit(tmp_path_factory) -> Policy:
    """The policy with credit earned only by proficient competencies (``competencies_proficient``)."""
    folder: Path = tmp_path_factory.mktemp("proficiency-credit")
    (folder / "continuum.yaml").write_text(CONTINUUM)
    (folder / "mapping.yaml").write_text(
        MAPPING.format(reference=(REPO / "mappings" / "reference-district.yaml").as_posix())
        + "credit_rule: {method: competencies_proficient, pass_letters: [P], fail_letters: [NC]}\n")
    mapping = load_mapping([folder / "mapping.yaml"])
    assert mapping.credit_rule.method == "competencies_proficient"
    return Policy(mapping, load_continuum(folder / "continuum.yaml"))


def score(i: int, target: str, value: float, day: int) -> ScoreRow:
    return ScoreRow(target, float(value), None, f"2025-{1 + day // 28:02d}-{1 + day % 28:02d}",
                    f"result_objectives/ro{i}", "k1", "li1", None, None, None)


GRADE = GradeRow("k1", "c1", "MATH7", None, "Math 7", "t1", 2025, "2025-06-15", "B", 85.0, "2025-06-15",
                 "results/final")

evidence = st.lists(st.tuples(st.sampled_from(TARGETS), st.integers(1, 4), st.integers(0, 300)),
                    min_size=1, max_size=25)


def figures(policy: Policy, rows: list[ScoreRow], grades=(GRADE,)) -> dict:
    result = compute_student(policy, "sis", "s1", rows, list(grades))
    gpa = {p.scope: p.unweighted.value for p in gpa_figures(policy, result.courses)}
    return {"nodes": {n: (r.value, r.basis) for n, r in result.nodes.items()},
            "courses": [(c.letter, c.value, c.credits_earned) for c in result.courses], "gpa": gpa}


@settings(max_examples=60, deadline=None)
@given(evidence, st.randoms(use_true_random=False))
def test_row_order_never_changes_a_figure(policy, rows, rnd):
    scored = [score(i, *row) for i, row in enumerate(rows)]
    shuffled = scored[:]
    rnd.shuffle(shuffled)
    assert figures(policy, scored) == figures(policy, shuffled)


@settings(max_examples=60, deadline=None)
@given(evidence, st.data())
def test_raising_one_score_never_lowers_a_figure(policy, rows, data):
    scored = [score(i, *row) for i, row in enumerate(rows)]
    k = data.draw(st.integers(0, len(rows) - 1))
    target, value, day = rows[k]
    raised = scored[:]
    raised[k] = score(k, target, data.draw(st.integers(value, 4)), day)
    before, after = figures(policy, scored), figures(policy, raised)
    for node, (value_before, _) in before["nodes"].items():
        if value_before is not None:
            assert after["nodes"][node][0] >= value_before - 1e-9, node
    for (_, v1, _), (_, v2, _) in zip(before["courses"], after["courses"]):
        if v1 is not None:
            assert v2 >= v1 - 1e-9
    for scope, g in before["gpa"].items():
        if g is not None:
            assert after["gpa"][scope] >= g - 1e-9


@settings(max_examples=60, deadline=None)
@given(evidence, st.sampled_from([("M.C1",), ("M.C2",), ("M.C1", "M.C2"), ("M",)]))
def test_a_class_is_valued_as_the_student_is_inside_its_competencies(policy, rows, codes):
    # A course's competencies are valued without lineage (class_values): the values must be
    # evaluate's, node for node, inside the course's subtree.
    by_node: dict = {}
    for i, (target, value, day) in enumerate(rows):
        node = policy.continuum.resolve(target).id
        by_node.setdefault(node, []).append(make_evidence(
            node, float(value), f"2025-{1 + day // 28:02d}-{1 + day % 28:02d}", DIRECT, f"ro{i}", str(value),
            "k1", 1.0, "read"))
    within = policy.subtree(tuple((policy.continuum.resolve(code).id, 1.0) for code in codes))
    full = {node: result.value for node, result in evaluate(policy, by_node).items() if node in within}
    assert class_values(policy, by_node, within) == full


def test_course_grade_alone_gives_derived_figures(policy):
    result = compute_student(policy, "sis", "s1", [], [GRADE])
    assert result.nodes[policy.continuum.resolve("M.C1").id].basis == "derived"
    (course,) = result.courses
    assert course.basis == "derived" and course.letter is not None


@pytest.mark.parametrize(("letter", "percent", "expected"), [
    ("B", 85.0, "B"),  # read on the scale B is Proficient, like an A: the teacher's B stands
    ("B+", 88.0, "B"),  # the points table has no B+: the bare letter
    ("F", 40.0, "F"),  # read on the scale F is Limited Progress; it stays a failing grade
    (None, 65.0, "D"),  # a percent alone has no letter: read on the scale (1.5), converted
    (None, 50.0, "F"),
])
def test_a_course_without_standards_evidence_keeps_the_teachers_letter(policy, letter, percent, expected):
    grade = GradeRow("k1", "c1", "MATH7", None, "Math 7", "t1", 2025, "2025-06-15", letter, percent,
                     "2025-06-15", "results/final")
    (course,) = compute_student(policy, "sis", "s1", [], [grade]).courses
    assert course.basis == "derived" and course.letter == expected
    assert (course.credits_earned > 0) == (expected != "F")
    if letter:
        assert "the teacher's letter stands" in course.rule


@pytest.mark.parametrize(("letter", "earned"), [("A", 1.0), ("D", 1.0), ("F", 0.0), ("B+", 1.0),
                                                ("P", 1.0), ("NC", 0.0)])
def test_a_course_outside_the_continuum_earns_its_credit_by_the_teachers_letter(policy, letter, earned):
    art = GradeRow("k9", "c9", "ART1", None, "Studio Art", "t1", 2025, "2025-06-15", letter, None,
                   "2025-06-15", "results/final-art")
    (course,) = compute_student(policy, "sis", "s1", [], [art]).courses
    assert course.basis == "source" and course.letter == letter.rstrip("+")
    assert (course.credits_attempted, course.credits_earned) == (1.0, earned)


def test_a_pass_earns_the_credit_and_stays_out_of_the_gpa(policy):
    """A pass/fail course graded P (the reference's pass_letters): the teacher's P stands on an
    aligned course with no standards evidence, earns the credit, and the GPA leaves it out."""
    passed = GradeRow("k1", "c1", "MATH7", None, "Math 7", "t1", 2025, "2025-06-15", "P", None,
                      "2025-06-15", "results/final")
    graded = GradeRow("k9", "c9", "ART1", None, "Studio Art", "t1", 2025, "2025-06-15", "B", None,
                      "2025-06-15", "results/final-art")
    result = compute_student(policy, "sis", "s1", [], [passed, graded])
    math, art = sorted(result.courses, key=lambda c: c.grade.class_id)
    assert (math.letter, math.basis, math.credits_earned) == ("P", "derived", 1.0)
    assert "the teacher's letter stands" in math.rule
    cumulative = next(p.unweighted for p in gpa_figures(policy, result.courses) if p.scope == "cumulative")
    assert (cumulative.value, cumulative.credits) == (3.0, 1.0)  # the B alone
    assert (art.letter, art.credits_earned) == ("B", 1.0)


@pytest.mark.parametrize(("given", "level", "letter", "earned"), [
    ("P", 3, "P", 1.0),  # proficient throughout: converts to A, which earns the credit
    ("P", 1, "NC", 0.0),  # the teacher passed it; the class's standards evidence says Limited Progress
    ("NC", 3, "P", 1.0),
    ("NC", 1, "NC", 0.0),
])
def test_a_pass_fail_course_with_standards_evidence_passes_by_its_credit(policy, given, level, letter, earned):
    """A course the teacher graded pass/fail has no letter grade to translate into: the credit,
    decided on the class's evidence like any course's, makes it a pass or a fail."""
    grade = GradeRow("k1", "c1", "MATH7", None, "Math 7", "t1", 2025, "2025-06-15", given, None,
                     "2025-06-15", "results/final")
    rows = [score(i, t, level, 10 + i) for i, t in enumerate(TARGETS)]
    (course,) = compute_student(policy, "sis", "s1", rows, [grade]).courses
    assert (course.letter, course.basis, course.credits_earned) == (letter, "direct", earned)
    assert f"a pass/fail course (the teacher's {given})" in course.rule
    assert not policy.keeps_teacher_letter(course.basis, course.letter, given)  # made from proficiency


def test_a_teachers_fail_stands_without_standards_evidence(policy):
    grade = GradeRow("k1", "c1", "MATH7", None, "Math 7", "t1", 2025, "2025-06-15", "NC", None,
                     "2025-06-15", "results/final")
    (course,) = compute_student(policy, "sis", "s1", [], [grade]).courses
    assert (course.letter, course.basis, course.credits_earned) == ("NC", "derived", 0.0)
    assert policy.keeps_teacher_letter(course.basis, course.letter, "NC")


@pytest.mark.parametrize(("basis", "letter", "given", "kept"), [
    ("direct", "A", "B", False),  # standards evidence decided the letter
    ("derived", "B", "B", True),  # no standards evidence: the teacher's letter kept
    ("derived", "B", "B+", True),  # kept as the points table knows it
    ("derived", "D", None, False),  # a percent-only grade read on the scale and converted
    ("derived", "C", "W", False),  # a letter without points: read from its percent
    ("derived", "P", "P", True),  # a pass of a pass/fail course (the reference's pass_letters)
    ("source", "A", "A", True),  # a course outside the continuum
])
def test_which_letters_are_the_teachers_kept(policy, basis, letter, given, kept):
    """Ed-Fi write-back sends only letters made from proficiency; explain says which are kept."""
    assert policy.keeps_teacher_letter(basis, letter, given) is kept


def test_limited_progress_throughout_a_course_fails_it(policy):
    rows = [score(i, t, 1, 10 + i) for i, t in enumerate(TARGETS)]
    (course,) = compute_student(policy, "sis", "s1", rows, [GRADE]).courses
    assert course.basis == "direct" and course.value == 1.0
    assert course.letter == "F" and course.credits_earned == 0


def test_direct_evidence_decides_where_it_exists(policy):
    rows = [score(i, t, 4, 10 + i) for i, t in enumerate(TARGETS[:3])]
    result = compute_student(policy, "sis", "s1", rows, [GRADE])
    c1 = result.nodes[policy.continuum.resolve("M.C1").id]
    c2 = result.nodes[policy.continuum.resolve("M.C2").id]
    assert c1.basis == "direct" and c1.value == pytest.approx(4.0)
    assert c2.basis == "derived"  # no standards score on M.C2: the course grade stands in, flagged


def test_unmapped_objectives_are_counted_not_used(policy):
    rows = [score(0, "not-a-node", 4, 1), score(1, "M.C1.T1", 3, 2)]
    result = compute_student(policy, "sis", "s1", rows, [])
    assert result.unmapped_objectives == {"not-a-node": 1}
    assert result.nodes[policy.continuum.resolve("M.C1.T1").id].value == 3


def _grade(class_id: str, term_end: str, letter: str, percent: float) -> GradeRow:
    return GradeRow(class_id, "c1", "MATH7", None, "Math 7", "t-" + class_id, int(term_end[:4]), term_end,
                    letter, percent, term_end, f"results/final-{class_id}")


def test_both_semesters_count_and_only_a_failed_retaken_attempt_leaves_the_gpa(policy):
    from dataclasses import replace

    from cbe_bridge.engine.student import _mark_replaced_attempts

    semesters = [_grade("fall", "2025-01-15", "B", 85.0), _grade("spring", "2025-06-10", "A", 95.0)]
    result = compute_student(policy, "sis", "s1", [], semesters)
    assert [c.counted for c in result.courses] == [True, True]
    # A failed attempt (the teacher's F stands: no standards evidence) earned no credit and
    # leaves the GPA once the course is passed later.
    retake = compute_student(policy, "sis", "s1", [], [_grade("y1", "2024-06-10", "F", 40.0),
                                                      _grade("y2", "2025-06-10", "B", 85.0)]).courses
    assert [(c.letter, c.credits_earned > 0, c.counted) for c in retake] == [("F", False, False), ("B", True, True)]
    passed_twice = [replace(retake[0], credits_earned=1.0), retake[1]]  # taken for credit twice (a choir)
    _mark_replaced_attempts(passed_twice)
    assert [c.counted for c in passed_twice] == [True, True]
    # A failed fall semester of a year-long course, then its spring semester: not a retake.
    halves = compute_student(policy, "sis", "s1", [], [_grade("fall", "2025-01-15", "F", 40.0),
                                                      _grade("spring", "2025-06-10", "B", 85.0)]).courses
    assert [(c.letter, c.counted) for c in halves] == [("F", True), ("B", True)]
    # Without a session's school year, the year the term ends in decides (July starts a year).
    undated = [replace(c, grade=replace(c.grade, school_year=None)) for c in retake]
    _mark_replaced_attempts(undated)
    assert [c.counted for c in undated] == [False, True]


def test_evidence_after_the_as_of_date_is_left_out(policy):
    rows = [score(0, "M.C1.T1", 2, 10), score(1, "M.C1.T1", 4, 200)]  # 2025-01-11 and 2025-08-05
    node = policy.continuum.resolve("M.C1.T1").id
    early = compute_student(policy, "sis", "s1", rows, [], as_of="2025-03-01")
    late = compute_student(policy, "sis", "s1", rows, [], as_of="2025-12-31")
    assert early.nodes[node].value == 2 and early.nodes[node].n_direct == 1
    assert late.nodes[node].value > 2


@pytest.mark.parametrize(("letter", "level", "earned"), [
    ("A", None, 1.0),  # no standards evidence in the class: the teacher's letter decides
    ("D", None, 1.0),
    ("F", None, 0.0),
    ("P", None, 1.0),
    ("NC", None, 0.0),
    ("A", 3, 1.0),  # standards evidence: every competency proficient
    ("A", 2, 0.0),  # not proficient, whatever the teacher's letter
])
def test_under_competencies_proficient_the_evidence_decides_the_credit_else_the_teachers_letter(
        proficiency_credit, letter, level, earned):
    grade = GradeRow("k1", "c1", "MATH7", None, "Math 7", "t1", 2025, "2025-06-15", letter, None,
                     "2025-06-15", "results/final")
    rows = [] if level is None else [score(i, t, level, 10 + i) for i, t in enumerate(TARGETS)]
    (course,) = compute_student(proficiency_credit, "sis", "s1", rows, [grade]).courses
    assert course.basis == ("derived" if level is None else "direct")
    assert (course.credits_attempted, course.credits_earned) == (1.0, earned)

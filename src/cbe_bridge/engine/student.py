"""One student's figures, computed from their evidence with the lineage of each figure.

Pure: rows in, results out. The same function serves the bulk computation and ``explain``,
so what ``explain`` shows is exactly how a stored figure was made.

Per node, bottom-up over the continuum:

* a node with children takes the rollup of its children's values (own direct evidence, if
  an objective is aligned to the node itself, counts as one more child);
* a node without children aggregates its own direct evidence;
* derived evidence (course grades) decides a node only where direct evidence does not (the
  mapping's ``only_without_direct``); otherwise it is blended in with its weight.

Per course taken: the course's competencies are evaluated on the evidence of that class
alone, weighted by the alignment, and converted to a letter (the back-translated grade); with
no direct evidence in the class, the course grade itself stands in, flagged derived: the
teacher's letter as the GPA table knows it (a percent-only grade is read on the scale and
converted), and that letter decides the credit as on a course outside the continuum. A course
the teacher graded pass/fail (``credit_rule.pass_letters`` / ``fail_letters``) gets a pass or a
fail letter, by whether its credit is earned.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from cbe_bridge.engine.evidence import DERIVED, DIRECT, Evidence, basis_of, make_evidence
from cbe_bridge.engine.methods.aggregation import aggregate
from cbe_bridge.engine.methods.rollup import rollup
from cbe_bridge.engine.policy import Alignment, Policy
from cbe_bridge.engine.records import GradeRow, ScoreRow


@dataclass(slots=True)
class NodeResult:
    node_id: str
    value: float | None
    level_code: str | None
    proficient: bool | None
    basis: str | None
    rule: str
    evidence: list[Evidence] = field(default_factory=list)  # the node's own evidence used
    children: list[str] = field(default_factory=list)  # children whose values were rolled up
    n_direct: int = 0
    n_derived: int = 0
    last_date: str | None = None


@dataclass(slots=True)
class CourseResult:
    grade: GradeRow
    alignment: Alignment | None
    letter: str | None
    value: float | None
    basis: str  # direct | derived | source (unmapped course: the teacher's letter as given)
    rule: str
    competencies: list[tuple[str, float | None, float]]  # (node, value in this class, weight)
    credits_attempted: float
    credits_earned: float
    counted: bool = True


@dataclass(slots=True)
class StudentResult:
    source: str
    student_id: str
    nodes: dict[str, NodeResult]
    courses: list[CourseResult]
    unmapped_objectives: dict[str, int]
    unreadable_scores: int


def _aggregate(policy: Policy, node_id: str, evidence: list[Evidence]) -> float | None:
    method, params = policy.aggregation_call[node_id]
    return aggregate(method, [e.score for e in evidence], **params,
                     scale_min=policy.scale.min_value, scale_max=policy.scale.max_value)


def _bottom_up(policy: Policy, by_node: dict[str, list[Evidence]], within: frozenset[str] | None = None
               ) -> list[str]:
    """The nodes that have evidence and their ancestors (inside ``within`` if given), children first."""
    active: set[str] = set()
    for node_id in by_node:
        active.add(node_id)
        active.update(policy.ancestor_ids[node_id])
    if within is not None:
        active &= within
    return sorted(active, key=policy.position.__getitem__)


def _rolled_up(policy: Policy, node_id: str, child_values: list[float | None]) -> float | None:
    method, params = policy.rollup_call[node_id]
    if params.get("k") is not None and params["k"] > len(child_values):
        params = {**params, "k": len(child_values)}  # k of n with fewer than k parts: all
    return rollup(method, child_values, threshold=policy.threshold, **params)


def evaluate(policy: Policy, by_node: dict[str, list[Evidence]]) -> dict[str, NodeResult]:
    """Values, with their lineage, for the nodes that have evidence and their ancestors.

    Nodes without a value are left out of the result: absent means "no evidence".
    """
    results: dict[str, NodeResult] = {}
    rule_text = policy.rule_text
    for node_id in _bottom_up(policy, by_node):
        direct: list[Evidence] = []
        derived: list[Evidence] = []
        for e in by_node.get(node_id, ()):
            if e.kind == DIRECT:
                direct.append(e)
            elif e.kind == DERIVED:
                derived.append(e)
        children = policy.children[node_id]
        kids = [results[c] for c in children if c in results]
        value, rule, used = None, "no evidence", []
        kinds: set[str] = set()
        if kids:
            child_values = [results[c].value if c in results else None for c in children]
            if direct:
                child_values.append(_aggregate(policy, node_id, direct))
                used += direct
            value = _rolled_up(policy, node_id, child_values)
            rule = rule_text[(node_id, True)]
            kinds |= {k.basis for k in kids if k.basis}
        elif direct:
            value = _aggregate(policy, node_id, direct)
            rule = rule_text[(node_id, False)]
            used, kinds = direct, {DIRECT}
        if derived and (value is None or not policy.only_without_direct):
            derived_value = _aggregate(policy, node_id, derived)
            if value is None:
                value, used, kinds, kids = derived_value, derived, {DERIVED}, []
                rule = rule_text[(node_id, False)] + " (course grades only)"
            elif derived_value is not None:
                w = policy.derived_weight
                value = (value + w * derived_value) / (1 + w)
                used, kinds = used + derived, kinds | {DERIVED}
                rule += f"; blended with course-grade evidence at weight {w:g}"
        if value is None:
            continue
        level = policy.scale.level_for(value)
        n_direct, n_derived, last = _tally(used, kids)
        results[node_id] = NodeResult(
            node_id, value, level.code if level else None, value >= policy.threshold, basis_of(kinds),
            rule, used, [k.node_id for k in kids], n_direct, n_derived, last)
    return results


def class_values(policy: Policy, by_node: dict[str, list[Evidence]], within: frozenset[str]) -> dict[str, float]:
    """The values :func:`evaluate` gives the nodes inside ``within``, from a class's standards
    (direct) evidence alone, without their lineage: a course keeps only its competencies' values
    and its leaves', and this runs for every course of every student (levels, rules and tallies
    made there were nearly half of the course step's time, measured on the district)."""
    values: dict[str, float] = {}
    for node_id in _bottom_up(policy, by_node, within):
        direct = by_node.get(node_id)
        children = policy.children[node_id]
        if any(c in values for c in children):
            child_values = [values.get(c) for c in children]
            if direct:
                child_values.append(_aggregate(policy, node_id, direct))
            value = _rolled_up(policy, node_id, child_values)
        elif direct:
            value = _aggregate(policy, node_id, direct)
        else:
            continue
        if value is not None:
            values[node_id] = value
    return values


def _tally(used: list[Evidence], kids: list[NodeResult]) -> tuple[int, int, str | None]:
    """Direct and derived evidence counts and the latest date, of a node's own evidence and its
    children's (one pass each: this runs for every node of every student and course)."""
    n_direct = n_derived = 0
    last: str | None = None
    for e in used:
        if e.kind == DIRECT:
            n_direct += 1
        elif e.kind == DERIVED:
            n_derived += 1
        if e.when and (last is None or e.when > last):
            last = e.when
    for k in kids:
        n_direct += k.n_direct
        n_derived += k.n_derived
        if k.last_date and (last is None or k.last_date > last):
            last = k.last_date
    return n_direct, n_derived, last


def _direct_evidence(policy: Policy, scores: list[ScoreRow], unmapped: dict[str, int]) -> tuple[list[Evidence], int]:
    out, unreadable = [], 0
    for row in scores:
        node = policy.node_for_objective(row.objective_id)
        if node is None:
            unmapped[row.objective_id] = unmapped.get(row.objective_id, 0) + 1
            continue
        read = policy.score_value(row)
        if read is None:
            unreadable += 1
            continue
        raw = row.text_score if row.score is None else f"{row.score:g}"
        out.append(make_evidence(node, read[0], row.when or "", DIRECT, row.record, raw or "", row.class_id,
                            1.0, read[1]))
    return out, unreadable


def _derived_evidence(policy: Policy, grade: GradeRow, alignment: Alignment) -> list[Evidence]:
    read = policy.grade_value(grade, alignment)
    if read is None:
        return []
    raw = grade.letter or (f"{grade.percent:g}%" if grade.percent is not None else "")
    return [make_evidence(node, read[0], grade.when or grade.term_end or "", DERIVED, grade.record, raw,
                     grade.class_id, policy.derived_weight * weight, read[1] + f", course aligned {weight:g}")
            for node, weight in alignment.competencies]


def _course_result(policy: Policy, grade: GradeRow, alignment: Alignment | None,
                   class_evidence: dict[str, list[Evidence]]) -> CourseResult:
    if alignment is None or not alignment.competencies:
        letter = policy.known_letter(grade.letter) or (grade.letter or "").strip() or None
        credits = policy.mapping.default_credits
        points = policy.points(letter) if letter else None
        earned = policy.mapping.credit_rule.earned_outside_continuum(letter, points)
        return CourseResult(grade, alignment, letter, None, "source",
                            "course not aligned to the continuum: the teacher's letter is used as given",
                            [], credits, credits if earned else 0.0)
    values = class_values(policy, class_evidence, policy.subtree(alignment.competencies))
    comps = [(n, values.get(n), w) for n, w in alignment.competencies]
    valued = [(v, w) for _, v, w in comps if v is not None]
    letter = None
    if valued:
        value = sum(v * w for v, w in valued) / sum(w for _, w in valued)
        basis = DIRECT
        leaves = [v for node_id, v in values.items() if not policy.children[node_id]]
        rule = "weighted mean of the course's competencies, on this class's standards evidence"
    else:
        read = policy.grade_value(grade, alignment)
        value, basis, leaves = (read[0] if read else None), DERIVED, []
        # Read onto the scale and back, a letter would move (B and A both read as Proficient):
        # with no standards evidence to say otherwise, the teacher's letter stands.
        letter = policy.known_letter(grade.letter)
        rule = ("no standards evidence in this class: the teacher's letter stands (read on the proficiency "
                "scale for its value)" if letter else
                "no standards evidence in this class: the course grade itself, read on the proficiency scale")
    if letter is None and value is not None:
        letter = policy.letter_for(value, leaves)
    points = policy.points(letter) if letter else None
    credit_rule = policy.mapping.credit_rule
    if valued:
        proficient = all(v is not None and v >= policy.threshold for _, v, _ in comps)
        earned = policy.mapping.credit_earned(letter=letter, points=points, competencies_proficient=proficient)
    else:
        # No standards evidence: the teacher's letter stands and decides the credit as on a course
        # outside the continuum (there are no competencies to judge, whatever the credit rule).
        earned = credit_rule.earned_outside_continuum(letter, points)
    if valued and credit_rule.is_pass_fail(grade.letter):
        # A pass/fail course has no letter grade to translate into: its credit, decided on the
        # class's proficiency as for any course, makes it a pass or a fail.
        rule += (f"; a pass/fail course (the teacher's {grade.letter.strip()}): the credit is "
                 f"{'earned' if earned else 'not earned'} (as a letter, {letter})")
        letter = credit_rule.pass_fail_letter(earned, grade.letter)
    return CourseResult(grade, alignment, letter, value, basis, rule, comps, alignment.credits,
                        alignment.credits if earned else 0.0)


def compute_student(policy: Policy, source: str, student_id: str, scores: list[ScoreRow],
                    grades: list[GradeRow], as_of: str | None = None) -> StudentResult:
    """Every figure for one student (see the module docstring).

    ``as_of`` (ISO date) leaves out evidence dated after it, so a run "as of" a past date
    reproduces the figures of that day.
    """
    if as_of is not None:
        scores = [s for s in scores if not s.when or s.when <= as_of]
        grades = [g for g in grades if not (g.when or g.term_end) or (g.when or g.term_end) <= as_of]
    unmapped: dict[str, int] = {}
    direct, unreadable = _direct_evidence(policy, scores, unmapped)
    by_node: dict[str, list[Evidence]] = defaultdict(list)
    by_class: dict[str | None, dict[str, list[Evidence]]] = defaultdict(lambda: defaultdict(list))
    for ev in direct:
        by_node[ev.node_id].append(ev)
        by_class[ev.class_id][ev.node_id].append(ev)
    courses = []
    for grade in sorted(grades, key=lambda g: (g.term_end or "", g.class_id)):
        alignment = policy.alignment_for(grade.course_code, grade.sced_code, grade.course_title)
        if alignment is not None:
            for ev in _derived_evidence(policy, grade, alignment):
                by_node[ev.node_id].append(ev)
        courses.append(_course_result(policy, grade, alignment, by_class.get(grade.class_id, {})))
    _mark_replaced_attempts(courses)
    return StudentResult(source, student_id, evaluate(policy, by_node), courses, unmapped, unreadable)


def _mark_replaced_attempts(courses: list[CourseResult]) -> None:
    """A failed attempt (no credit earned) of a course taken again in a later school year leaves
    the GPA.

    Only failed attempts are replaced, and only by a later year's: the two semesters of a
    year-long course are two classes of one course, so a failed fall followed by the spring
    is not a retake (both count), nor are courses taken for credit year after year (a choir).
    """
    attempts = [(course, course.grade.course_id or course.grade.class_id, course.grade.year)
                for course in courses]
    last_year: dict[str, int] = {}
    for _, key, year in attempts:
        if year is not None:
            last_year[key] = max(last_year.get(key, year), year)
    for course, key, year in attempts:
        retaken = year is not None and year < last_year[key]
        course.counted = not (retaken and course.credits_earned == 0)

"""The district's policy compiled for fast use: mapping + continuum, looked up in O(1).

This module is the only one in the engine that reads the mapping models; the per-student
computation asks it questions (which node is this objective, what is this score worth, which
rule aggregates this node) and never reads mapping files itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cbe_bridge.engine.evidence import DERIVED, DIRECT, Evidence
from cbe_bridge.engine.methods.aggregation import describe_aggregation
from cbe_bridge.engine.methods.conversion import CountRule, count_rule, cut_points, percent_to_value
from cbe_bridge.engine.methods.rollup import describe_rollup
from cbe_bridge.engine.records import GradeRow, ScoreRow
from cbe_bridge.mapping import Mapping
from cbe_bridge.model.continuum import Continuum, ContinuumNode, ProficiencyScale, node_type_key

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Alignment:
    """What a course is worth: its competencies (node id, weight), credits and level."""

    competencies: tuple[tuple[str, float], ...]
    credits: float
    course_level: str
    grade_scale: str | None
    rule: str  # how the course matched, for lineage


class Policy:
    """A mapping applied to a continuum."""

    def __init__(self, mapping: Mapping, continuum: Continuum) -> None:
        self.mapping = mapping
        self.continuum = continuum
        self.scale: ProficiencyScale = mapping.default_proficiency_scale()
        self.threshold = self.scale.proficient_at if self.scale.proficient_at is not None else self.scale.max_value
        self.bottom_up: list[ContinuumNode] = list(reversed(list(continuum.nodes.values())))
        self.position = {n.id: i for i, n in enumerate(self.bottom_up)}
        self.children = {n.id: [c.id for c in continuum.children(n.id)] for n in continuum.nodes.values()}
        # Policies and their plain-words descriptions, resolved once per node.
        self._aggregation = {n.id: mapping.aggregation_for(n.node_type) for n in continuum.nodes.values()}
        self._rollup = {n.id: mapping.rollup_for(n.node_type) for n in continuum.nodes.values()}
        self.aggregation_call = {i: (p.method, p.params()) for i, p in self._aggregation.items()}
        self.rollup_call = {i: (p.method, p.params()) for i, p in self._rollup.items()}
        self.ancestor_ids = {n.id: tuple(a.id for a in continuum.ancestors(n.id)) for n in continuum.nodes.values()}
        self._subtrees: dict[tuple, frozenset[str]] = {}
        self._score_cache: dict[tuple, tuple[float, str] | None] = {}
        self._grade_cache: dict[tuple, tuple[float, str] | None] = {}
        self.rule_text = self._rule_text = {
            (n.id, rolled): self._describe(n.id, rolled) for n in continuum.nodes.values() for rolled in (False, True)}
        habit_types = {node_type_key(t) for t in mapping.habits_node_types}
        self.habit_nodes = {
            n.id for n in continuum.nodes.values()
            if node_type_key(n.node_type) in habit_types
            or node_type_key(continuum.content_area_of(n.id).node_type) in habit_types
            or any(node_type_key(continuum.nodes[a].node_type) in habit_types
                   for a in [x.id for x in continuum.ancestors(n.id)])
        }
        self._objective_rules = mapping.objective_node_overrides()
        self.derived_weight = mapping.derived_evidence.weight
        self.only_without_direct = mapping.derived_evidence.only_without_direct
        self.grade_categories = list(mapping.course_grades.line_item_categories)
        conversion = mapping.gpa.conversion
        self._cuts = tuple((c.min, c.letter) for c in conversion.cuts) if conversion.method == "cut_points" else ()
        # (requirement, its node); requirements naming no node of this continuum are left out.
        self.graduation = [(req, node) for req in mapping.graduation.requirements
                           if (node := continuum.resolve(req.node)) is not None]

    # -- lookups ---------------------------------------------------------------------------
    @lru_cache(maxsize=None)
    def node_for_objective(self, objective_id: str) -> str | None:
        """The continuum node an objective id stands for, or None when it maps to none."""
        ref = self._objective_rules.get(objective_id)
        if ref is not None:
            node = self.continuum.resolve(ref)
            return node.id if node else None
        if self.mapping.objective_alignments.auto_case_guid:
            node = self.continuum.resolve(objective_id)
            return node.id if node else None
        return None

    @lru_cache(maxsize=None)
    def alignment_for(self, course_code: str | None, sced: str | None, title: str | None) -> Alignment | None:
        rule = self.mapping.course_alignment_for(course_code, sced, title)
        if rule is None:
            return None
        comps = []
        for comp in rule.competencies:
            node = self.continuum.resolve(comp.node)
            if node is not None:
                comps.append((node.id, comp.weight))
        return Alignment(tuple(comps), rule.credits, rule.course_level, rule.grade_scale,
                         rule.describe_match())

    def subtree(self, competencies: tuple[tuple[str, float], ...]) -> frozenset[str]:
        """The aligned competencies and everything under them (cached per alignment)."""
        found = self._subtrees.get(competencies)
        if found is None:
            nodes: set[str] = set()
            stack = [node for node, _ in competencies]
            while stack:
                node = stack.pop()
                if node not in nodes:
                    nodes.add(node)
                    stack.extend(self.children[node])
            found = self._subtrees[competencies] = frozenset(nodes)
        return found

    # -- reading scores ----------------------------------------------------------------------
    def score_value(self, row: ScoreRow) -> tuple[float, str] | None:
        """A raw objective score on the proficiency scale, with a note on how; None if unreadable.

        Scores repeat a handful of values, so readings are cached by what they depend on.
        """
        key = (row.scale_titles, row.score, row.text_score, row.result_min, row.result_max)
        if key not in self._score_cache:
            self._score_cache[key] = self._read_score(row)
        return self._score_cache[key]

    def _read_score(self, row: ScoreRow) -> tuple[float, str] | None:
        translated = self.mapping.translate_score(row.scale_titles, row.score, row.text_score)
        if translated is not None:
            return translated
        scale = self.scale
        if row.score is not None:
            if row.result_min is not None and row.result_max is not None and row.result_max > row.result_min \
                    and not (scale.min_value <= row.score <= scale.max_value):
                share = (row.score - row.result_min) / (row.result_max - row.result_min)
                value = scale.min_value + share * (scale.max_value - scale.min_value)
                return value, f"{row.score:g} on {row.result_min:g}-{row.result_max:g} -> {value:.2f} (linear)"
            if scale.min_value <= row.score <= scale.max_value:
                return row.score, f"{row.score:g} read on the {scale.title}"
            return None
        if row.text_score:
            text = row.text_score.strip()
            level = scale.level_by_code(text) or next(
                (lv for lv in scale.levels if lv.label.casefold() == text.casefold()), None)
            if level is not None:
                return level.value, f"{text!r} is level {level.code} = {level.value:g}"
            if _NUMBER.match(text) and scale.min_value <= float(text) <= scale.max_value:
                return float(text), f"{text} read on the {scale.title}"
        return None

    def grade_value(self, grade: GradeRow, alignment: Alignment) -> tuple[float, str] | None:
        """A course grade (letter or percent) on the proficiency scale, with a note on how.

        Cached by what it depends on, like :meth:`score_value`.
        """
        key = (alignment.grade_scale, grade.letter, grade.percent)
        if key not in self._grade_cache:
            self._grade_cache[key] = self._read_grade(grade, alignment)
        return self._grade_cache[key]

    def _read_grade(self, grade: GradeRow, alignment: Alignment) -> tuple[float, str] | None:
        percent = grade.percent
        how = ""
        if percent is None and grade.letter:
            percent = self.mapping.letter_percent(alignment.grade_scale, grade.letter)
            if percent is None:
                return None
            how = f"letter {grade.letter} = {percent:g}%, "
        if percent is None:
            return None
        bands = self.mapping.percent_bands(alignment.grade_scale)
        value = percent_to_value(percent, bands)
        return value, f"{how}{percent:g}% -> {value:g} by the grade scale"

    # -- policy per node -------------------------------------------------------------------
    def aggregation(self, node: ContinuumNode):  # noqa: ANN201 - mapping policy model
        return self._aggregation[node.id]

    def rollup_policy(self, node: ContinuumNode):  # noqa: ANN201
        return self._rollup[node.id]

    def describe_node_rule(self, node: ContinuumNode, rolled_up: bool) -> str:
        return self._rule_text[(node.id, rolled_up)]

    def _describe(self, node_id: str, rolled_up: bool) -> str:
        if rolled_up:
            p = self._rollup[node_id]
            return describe_rollup(p.method, **p.params())
        p = self._aggregation[node_id]
        return describe_aggregation(p.method, **p.params())

    # -- letters, points, credits ------------------------------------------------------------
    def letter_for(self, value: float, values: list[float]) -> str:
        conversion = self.mapping.gpa.conversion
        if conversion.method == "cut_points":
            return cut_points(value, self._cuts)
        rules = [CountRule(**r.model_dump(exclude={"letter"}), letter=r.letter) for r in conversion.rules]
        return count_rule(values or [value], rules, conversion.otherwise)

    def points(self, letter: str) -> float | None:
        return self.mapping.gpa.points.get(letter)

    def known_letter(self, letter: str | None) -> str | None:
        """A teacher's letter as the GPA points table knows it: as given, or without its
        +/- when only the bare letter has points (``B+`` -> ``B``); a pass/fail course's letter
        (``credit_rule.pass_letters`` / ``fail_letters``) as given; None otherwise."""
        letter = (letter or "").strip()
        if not letter:
            return None
        if self.points(letter) is not None or self.mapping.credit_rule.is_pass_fail(letter):
            return letter
        bare = letter.rstrip("+-")
        return bare if self.points(bare) is not None else None

    def keeps_teacher_letter(self, basis: str | None, letter: str | None, teacher_letter: str | None) -> bool:
        """Whether a course mark's letter is the teacher's, kept (a course outside the continuum,
        or one with no standards evidence in its class), rather than made from proficiency."""
        return basis == "source" or (basis == DERIVED and letter is not None
                                     and letter == self.known_letter(teacher_letter))

    def evidence_note(self, ev: Evidence) -> str:
        kind = "direct" if ev.kind == DIRECT else "derived from a course grade"
        return f"{ev.when} {ev.record} raw {ev.raw!r} -> {ev.value:.2f} ({kind}; {ev.note})"


__all__ = ["Alignment", "Policy", "DERIVED", "DIRECT"]

"""The mapping file as one validated model: :class:`Mapping`, and the questions it answers.

A :class:`Mapping` is what every mapping file, after ``extends:`` and layering
(:func:`cbe_bridge.mapping.load_mapping`), comes to. Its sections are the models of
:mod:`.scales`, :mod:`.alignments` and :mod:`.policies`. Checks that span sections (a
``scale:`` naming a scale that exists, band values on the scale they point at, cut points
covering the whole scale ...) are in :func:`cross_checks`; the loader runs them separately so
each problem keeps its own file:line:column.

Helpers answer the engine's questions without it reading the file: ``aggregation_for``,
``rollup_for``, ``scale``, ``course_alignment_for``, ``translate_score`` ... and
``fingerprint``, the sha256 of the canonical JSON of the policy, which outputs record.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, ValidationInfo, model_validator

from cbe_bridge.mapping.alignments import (
    MATCHER_ORDER,
    CourseAlignment,
    ObjectiveAlignments,
)
from cbe_bridge.mapping.base import StrictModel, fmt
from cbe_bridge.mapping.policies import (
    AggregationPolicy,
    AggregationSettings,
    CourseGrades,
    CreditRule,
    CutPointsConversion,
    DerivedEvidence,
    GpaPolicy,
    Graduation,
    NTimes,
    RollupPolicy,
    RollupSettings,
)
from cbe_bridge.mapping.scales import GradeScale, ProficiencyScale, ScoreScale
from cbe_bridge.model.continuum import ProficiencyScale as ContinuumScale
from cbe_bridge.model.continuum import node_type_key

__all__ = ["FORMAT_VERSION", "Mapping", "DataPath", "cross_checks"]

FORMAT_VERSION = 1
"""The mapping-file format version this cbe-bridge reads (``version: 1``)."""

DataPath = tuple[str | int, ...]
"""A place in the mapping data: ``("aggregation", "default", "weight")``."""

CrossProblem = tuple[DataPath, str, str | None]  # (where, message, hint)


class Mapping(StrictModel):
    """A district's policy: scales, alignments, aggregation, rollup, credit and GPA rules."""

    version: Literal[1] = Field(description="Mapping-file format version; this cbe-bridge reads 1")
    extends: str | list[str] | None = Field(
        None, description="File(s) this one builds on, relative to this file; see docs/mapping-format.md")
    title: str | None = Field(None, description="What this mapping is, for people")
    continuum: str | None = Field(
        None, description="The continuum file (CASE CFPackage JSON or continuum YAML), relative to this file")
    proficiency_scales: list[ProficiencyScale] = Field(min_length=1)
    default_scale: str | None = Field(
        None, description="Id of the scale proficiency is computed on (needed with several scales)")
    grade_scales: list[GradeScale] = Field(default_factory=list)
    default_grade_scale: str | None = Field(
        None, description="Grade scale for course alignments that name none (default: the first)")
    score_scales: list[ScoreScale] = Field(default_factory=list)
    course_alignments: list[CourseAlignment] = Field(default_factory=list)
    objective_alignments: ObjectiveAlignments = Field(default_factory=ObjectiveAlignments)
    aggregation: AggregationSettings
    rollup: RollupSettings
    derived_evidence: DerivedEvidence = Field(default_factory=DerivedEvidence)
    course_grades: CourseGrades = Field(default_factory=CourseGrades)
    credit_rule: CreditRule
    graduation: Graduation = Field(default_factory=Graduation)
    habits_node_types: list[str] = Field(
        default_factory=list, description="Node types reported apart from academics, never in GPA")
    gpa: GpaPolicy

    # Where each value was written: data path -> (location of the key, location of the value).
    _locations: dict[DataPath, tuple[str, str]] = PrivateAttr(default_factory=dict)
    _files: tuple[str, ...] = PrivateAttr(default=())
    _fingerprint: str | None = PrivateAttr(default=None)
    _by_code: dict[str, CourseAlignment] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _cross_checks(self, info: ValidationInfo) -> Mapping:
        if info.context and info.context.get("defer_cross_checks"):
            return self
        problems = cross_checks(self)
        if problems:
            raise ValueError("; ".join(f"{_dotted(p)}: {m}" for p, m, _ in problems))
        return self

    # -- provenance --------------------------------------------------------------------------
    @property
    def fingerprint(self) -> str:
        """sha256 (hex) of the canonical JSON of the policy (without file paths)."""
        if self._fingerprint is None:
            data = self.model_dump(mode="json", exclude={"continuum", "extends"})
            text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            self._fingerprint = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return self._fingerprint

    @property
    def source_files(self) -> tuple[str, ...]:
        """The files this mapping was layered from, base first (empty when built in code)."""
        return self._files

    def location_of(self, *path: str | int, key: bool = False) -> str | None:
        """``file:line:column`` where the value at ``path`` (or its key) was written."""
        found = self._locations.get(tuple(path))
        if found is None:
            return None
        return found[0] if key else found[1]

    @property
    def continuum_path(self) -> Path | None:
        """The continuum file named by ``continuum:`` (made absolute by the loader)."""
        return Path(self.continuum) if self.continuum else None

    # -- scales ------------------------------------------------------------------------------
    @property
    def default_scale_id(self) -> str:
        return self.default_scale or self.proficiency_scales[0].id

    def scale(self, scale_id: str | None = None) -> ProficiencyScale:
        """The proficiency scale with this id (the default scale for None); KeyError if none."""
        wanted = scale_id or self.default_scale_id
        for scale in self.proficiency_scales:
            if scale.id == wanted:
                return scale
        raise KeyError(f"no proficiency scale {wanted!r} (known: "
                       + ", ".join(s.id for s in self.proficiency_scales) + ")")

    def default_proficiency_scale(self) -> ContinuumScale:
        """The default scale as the continuum model's scale type (what the engine uses)."""
        return self.scale().to_continuum_scale()

    def grade_scale(self, grade_scale_id: str | None = None) -> GradeScale | None:
        """The grade scale with this id; for None the default grade scale (or the first)."""
        wanted = grade_scale_id or self.default_grade_scale
        if wanted is None:
            return self.grade_scales[0] if self.grade_scales else None
        return next((g for g in self.grade_scales if g.id == wanted), None)

    def letter_percent(self, grade_scale_id: str | None, letter: str) -> float | None:
        """The percent a letter stands for on a grade scale, or None when unknown."""
        scale = self.grade_scale(grade_scale_id)
        return scale.letter_percent(letter) if scale else None

    def percent_bands(self, grade_scale_id: str | None) -> list[tuple[float, float]]:
        """``(min_percent, proficiency value)`` bands of a grade scale, highest first."""
        scale = self.grade_scale(grade_scale_id)
        return scale.bands() if scale else []

    def score_scale_for(self, title: str | None = None, source_id: str | None = None,
                        scale_type: str | None = None) -> ScoreScale | None:
        """The first score-scale translation whose ``match`` fits, or None."""
        return next((s for s in self.score_scales if s.match.matches(title, source_id, scale_type)),
                    None)

    def covers_score_scale(self, title: str | None, source_id: str | None = None,
                           scale_type: str | None = None) -> bool:
        return self.score_scale_for(title, source_id, scale_type) is not None

    def translate_score(self, scale_title: str | None, score: float | None, text_score: str | None,
                        *, source_id: str | None = None,
                        scale_type: str | None = None) -> tuple[float, str] | None:
        """A raw score -> (proficiency value, how) through the ``score_scales`` entries.

        Entries matching the scale are tried in (layered) order and the first that can read
        the score answers, so a district's table can override some values of a vendor's and
        leave the rest to it. None when no matching entry reads the score.
        """
        for rule in self.score_scales:
            if rule.match.matches(scale_title, source_id, scale_type):
                found = rule.translate(score, text_score)
                if found is not None:
                    return found
        return None

    # -- alignments --------------------------------------------------------------------------
    def course_alignment_for(self, course_code: str | None, sced: str | None,
                             title: str | None) -> CourseAlignment | None:
        """The alignment rule for a course, or None.

        Precedence: every ``course_code`` rule first, then ``sced`` rules, then
        ``title_pattern`` rules; within one kind, the first rule in (layered) order wins, and
        layering puts a file's rules before those of the files it extends.
        """
        if self._by_code is None:
            index: dict[str, CourseAlignment] = {}
            for rule in self.course_alignments:
                if rule.match.course_code is not None:
                    index.setdefault(rule.match.course_code.strip().casefold(), rule)
            self._by_code = index
        if course_code is not None:
            hit = self._by_code.get(course_code.strip().casefold())
            if hit is not None:
                return hit
        for kind in MATCHER_ORDER[1:]:
            for rule in self.course_alignments:
                if rule.match.kind == kind and rule.match.matches(course_code, sced, title):
                    return rule
        return None

    def objective_node_overrides(self) -> dict[str, str]:
        """Objective id -> node reference from ``objective_alignments.rules``."""
        return self.objective_alignments.node_overrides()

    # -- policy ------------------------------------------------------------------------------
    def aggregation_for(self, node_type: str | None) -> AggregationPolicy:
        """The aggregation method for nodes of this type (spelling-insensitive) or the default."""
        return self.aggregation.for_type(node_type)

    def rollup_for(self, node_type: str | None) -> RollupPolicy:
        """The rollup method for parents of this type or the default."""
        return self.rollup.for_type(node_type)

    def is_habit_type(self, node_type: str | None) -> bool:
        if node_type is None:
            return False
        key = node_type_key(node_type)
        return any(node_type_key(t) == key for t in self.habits_node_types)

    @property
    def default_credits(self) -> float:
        """Credits of a course no alignment covers (``credit_rule.default_credits``)."""
        return self.credit_rule.default_credits

    def credit_earned(self, *, letter: str | None, points: float | None, competencies_proficient: bool) -> bool:
        """Whether a course's credit is earned under ``credit_rule``."""
        return self.credit_rule.earned(letter, points, competencies_proficient)

    def node_references(self) -> list[tuple[DataPath, str]]:
        """Every ``node:`` reference with where it sits in the data."""
        refs: list[tuple[DataPath, str]] = []
        for i, rule in enumerate(self.course_alignments):
            for j, comp in enumerate(rule.competencies):
                refs.append((("course_alignments", i, "competencies", j, "node"), comp.node))
        for i, orule in enumerate(self.objective_alignments.rules):
            refs.append((("objective_alignments", "rules", i, "node"), orule.node))
        for i, req in enumerate(self.graduation.requirements):
            refs.append((("graduation", "requirements", i, "node"), req.node))
        return refs


def _dotted(path: DataPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _unique_ids(items: list[Any], key: str) -> list[CrossProblem]:
    seen: set[str] = set()
    out: list[CrossProblem] = []
    for i, item in enumerate(items):
        if item.id in seen:
            out.append(((key, i, "id"), f"id {item.id!r} is used twice in {key}", None))
        seen.add(item.id)
    return out


def cross_checks(m: Mapping) -> list[CrossProblem]:
    """Problems that span sections, each with the data path it is about."""
    out = _unique_ids(m.proficiency_scales, "proficiency_scales")
    out += _unique_ids(m.grade_scales, "grade_scales")
    scales = {s.id: s for s in m.proficiency_scales}
    known = ", ".join(scales)

    def scale_at(path: DataPath, scale_id: str | None) -> ProficiencyScale | None:
        sid = scale_id or m.default_scale_id
        if sid not in scales:
            out.append((path, f"no proficiency scale {sid!r}", f"known scales: {known}"))
            return None
        return scales[sid]

    if m.default_scale is None and len(scales) > 1:
        out.append(((), "several proficiency scales and no default_scale",
                    "add 'default_scale: <id>' naming the scale proficiency is computed on"))
    default = scale_at(("default_scale",), m.default_scale)

    def on_scale(path: DataPath, value: float, scale: ProficiencyScale | None, what: str) -> None:
        if scale is not None and not scale.contains(value):
            out.append((path, f"{what} {fmt(value)} is outside scale {scale.id!r} "
                              f"({fmt(scale.min_value)}-{fmt(scale.max_value)})", None))

    for i, g in enumerate(m.grade_scales):
        target = scale_at(("grade_scales", i, "scale"), g.scale)
        for j, band in enumerate(g.percent_to_level):
            on_scale(("grade_scales", i, "percent_to_level", j, "value"), band.value, target,
                     "band value")
    grade_ids = {g.id for g in m.grade_scales}
    if m.default_grade_scale is not None and m.default_grade_scale not in grade_ids:
        out.append((("default_grade_scale",), f"no grade scale {m.default_grade_scale!r}",
                    "known grade scales: " + (", ".join(grade_ids) or "none")))
    for i, s in enumerate(m.score_scales):
        target = scale_at(("score_scales", i, "scale"), s.scale)
        for value in s.output_values():
            on_scale(("score_scales", i, "values" if s.values is not None else "linear"), value,
                     target, "translated value")
    for i, c in enumerate(m.course_alignments):
        if c.grade_scale is not None and c.grade_scale not in grade_ids:
            out.append((("course_alignments", i, "grade_scale"), f"no grade scale {c.grade_scale!r}",
                        "known grade scales: " + (", ".join(sorted(grade_ids)) or "none")))
    if m.course_alignments and not m.grade_scales:
        out.append((("course_alignments",), "course alignments need a grade scale to read "
                    "course grades", "add a 'grade_scales' entry"))
    policies: list[tuple[DataPath, Any]] = [(("aggregation", "default"), m.aggregation.default)]
    policies += [(("aggregation", "by_node_type", t), p) for t, p in m.aggregation.by_node_type.items()]
    for path, policy in policies:
        if isinstance(policy, NTimes):
            on_scale(path + ("threshold",), policy.threshold, default, "n_times threshold")
    for i, req in enumerate(m.graduation.requirements):
        on_scale(("graduation", "requirements", i, "level"), req.level, default, "required level")
    for path, letter in m.gpa.letters_without_points():
        out.append((("gpa", "conversion") + path,
                    f"{m.gpa.conversion.method} can give the letter {letter!r}, which has no grade points",
                    f"add {letter!r} to gpa.points (or to gpa.not_in_gpa for a letter without "
                    "points, like I for incomplete)"))
    rule = m.credit_rule
    for key, letters in (("pass_letters", rule.pass_letters), ("fail_letters", rule.fail_letters)):
        for letter in letters:
            if letter in m.gpa.points:
                out.append((("credit_rule", key), f"{letter!r} has grade points ({fmt(m.gpa.points[letter])}): "
                            "a letter-graded course's letter, not a pass/fail one",
                            f"leave {letter!r} out of {key}, or out of gpa.points"))
    for letter in sorted(set(rule.pass_letters) & set(rule.fail_letters)):
        out.append((("credit_rule", "fail_letters"), f"{letter!r} is both a pass and a fail letter",
                    "list it in one of pass_letters and fail_letters"))
    if bool(rule.pass_letters) != bool(rule.fail_letters):
        missing = "fail_letters" if rule.pass_letters else "pass_letters"
        out.append((("credit_rule", "pass_letters" if rule.pass_letters else "fail_letters"),
                    f"pass/fail courses need both pass_letters and fail_letters; {missing} is empty",
                    "e.g. pass_letters: [P], fail_letters: [NC]: a pass/fail course with standards "
                    "evidence gets one or the other by its credit"))
    conversion = m.gpa.conversion
    if isinstance(conversion, CutPointsConversion) and default is not None:
        lowest = min(c.min for c in conversion.cuts)
        if lowest > default.min_value:
            out.append((("gpa", "conversion", "cuts"),
                        f"the lowest cut starts at {fmt(lowest)}, above the bottom of scale "
                        f"{default.id!r} ({fmt(default.min_value)})",
                        f"add a cut with min: {fmt(default.min_value)} (e.g. for F)"))
    return out

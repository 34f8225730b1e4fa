"""Policy sections of a mapping file: aggregation, rollup, derived evidence, credit, GPA.

Methods are chosen by name (``method:``) and each method model carries exactly the parameters
that method takes, validated here (``weight`` in (0, 1] for the decaying averages, ``n`` and
``threshold`` for ``n_times``, ``k`` for ``k_of_n`` ...). The engine
(:mod:`cbe_bridge.engine.methods`) implements the methods; ``params()`` on a method model
gives the keyword arguments the engine's function takes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from cbe_bridge.mapping.base import CourseLevel, StrictModel, fmt
from cbe_bridge.model.continuum import node_type_key

__all__ = [
    "AGGREGATION_METHOD_NAMES",
    "ROLLUP_METHOD_NAMES",
    "AggregationPolicy",
    "AggregationSettings",
    "CountRuleConversion",
    "CountRuleItem",
    "CourseGrades",
    "CreditRule",
    "CutPoint",
    "CutPointsConversion",
    "DerivedEvidence",
    "GpaConversion",
    "GpaPolicy",
    "Graduation",
    "GraduationRequirement",
    "RollupPolicy",
    "RollupSettings",
]


class _Method(StrictModel):
    """A chosen method and its parameters."""

    method: str

    def params(self) -> dict[str, Any]:
        """Keyword arguments for the engine's function (everything but ``method``)."""
        return self.model_dump(exclude={"method"})


# -- aggregation: evidence on a node -> the node's proficiency value -------------------------
class MostRecent(_Method):
    """The score from the latest assessment date counts alone."""

    method: Literal["most_recent"]


class Highest(_Method):
    """The highest score counts alone."""

    method: Literal["highest"]


class Mean(_Method):
    """The average of all scores."""

    method: Literal["mean"]


class DecayingAverage(_Method):
    """Canvas decaying average (legacy "weighted average"): w x latest + (1-w) x mean(earlier)."""

    method: Literal["decaying_average"]
    weight: float = Field(gt=0, le=1, description="Share of the latest score, e.g. 0.65 (Canvas)")


class DecayingAverageRecursive(_Method):
    """Canvas's newer decaying average: r = w x new + (1-w) x r_previous."""

    method: Literal["decaying_average_recursive"]
    weight: float = Field(gt=0, le=1, description="Share of each new score, e.g. 0.65")


class PowerLaw(_Method):
    """Marzano power law: y = m x^b fitted to the scores in date order (at least 3)."""

    method: Literal["power_law"]


class Mode(_Method):
    """The most frequent score; ties go to the most recent."""

    method: Literal["mode"]


class NTimes(_Method):
    """Proficient once ``n`` scores are at or above ``threshold``; value = their average."""

    method: Literal["n_times"]
    n: int = Field(ge=1, description="How many scores at or above the threshold are needed")
    threshold: float = Field(description="The mastery score, on the proficiency scale")


AggregationPolicy = Annotated[
    MostRecent | Highest | Mean | DecayingAverage | DecayingAverageRecursive | PowerLaw | Mode
    | NTimes,
    Field(discriminator="method"),
]
"""One aggregation method with its parameters (what :meth:`Mapping.aggregation_for` gives)."""

AGGREGATION_METHOD_NAMES = ("most_recent", "highest", "mean", "decaying_average",
                            "decaying_average_recursive", "power_law", "mode", "n_times")


def _unique_node_types(table: dict[str, Any]) -> dict[str, Any]:
    seen: dict[str, str] = {}
    for name in table:
        key = node_type_key(name)
        if key in seen:
            raise ValueError(f"node types {seen[key]!r} and {name!r} are the same type "
                             "(spaces, case, '_' and '-' are ignored)")
        seen[key] = name
    return table


class _PerNodeType(StrictModel):
    """A method per node type with a default: ``by_node_type`` and ``default`` are declared by
    each subclass with its own policy union."""

    @field_validator("by_node_type", check_fields=False)
    @classmethod
    def _check_types(cls, table: dict[str, Any]) -> dict[str, Any]:
        return _unique_node_types(table)

    def for_type(self, node_type: str | None) -> Any:
        """The policy for ``node_type`` (names compared loosely), else the default."""
        if node_type is not None:
            key = node_type_key(node_type)
            for name, policy in self.by_node_type.items():  # type: ignore[attr-defined]
                if node_type_key(name) == key:
                    return policy
        return self.default  # type: ignore[attr-defined]


class AggregationSettings(_PerNodeType):
    """``aggregation:``: the method per node type, and the default for other types."""

    default: AggregationPolicy
    by_node_type: dict[str, AggregationPolicy] = Field(
        default_factory=dict,
        description="Node type -> method; 'Learning Target' = 'LearningTarget' = 'learning_target'")



# -- rollup: children's values -> the parent's -----------------------------------------------
class AllChildrenProficient(_Method):
    """Proficient only when every child is; the value is the lowest child's."""

    method: Literal["all_children_proficient"]


class RollupMean(_Method):
    """The average of the children that have a value."""

    method: Literal["mean"]


class Minimum(_Method):
    """The lowest value among the children that have one."""

    method: Literal["minimum"]


class KOfN(_Method):
    """Proficient when at least ``k`` children are; the value is the k-th highest."""

    method: Literal["k_of_n"]
    k: int = Field(ge=1, description="How many children must be proficient")


RollupPolicy = Annotated[
    AllChildrenProficient | RollupMean | Minimum | KOfN, Field(discriminator="method")
]
"""One rollup method with its parameters (what :meth:`Mapping.rollup_for` gives)."""

ROLLUP_METHOD_NAMES = ("all_children_proficient", "mean", "minimum", "k_of_n")


class RollupSettings(_PerNodeType):
    """``rollup:``: the method per node type of the parent, and the default."""

    default: RollupPolicy
    by_node_type: dict[str, RollupPolicy] = Field(default_factory=dict)



# -- evidence from course grades ---------------------------------------------------------------
class DerivedEvidence(StrictModel):
    """How much a course grade counts as evidence next to direct standards scores."""

    weight: float = Field(0.5, ge=0, le=1, description="Weight of course-grade evidence (direct = 1)")
    only_without_direct: bool = Field(
        True, description="Ignore course-grade evidence on a node that has direct evidence")


class CourseGrades(StrictModel):
    """Where the source carries course (final / term) grades."""

    line_item_categories: list[str] = Field(
        default_factory=lambda: ["Final Grade", "Term Grade"],
        description="Gradebook categories whose results are course grades (case-insensitive)")


# -- credit ------------------------------------------------------------------------------------
class _CreditBase(StrictModel):
    method: str
    default_credits: float = Field(
        1.0, ge=0, description="Credits of a course no alignment covers")
    pass_letters: list[str] = Field(
        default_factory=list,
        description="Letters of a passed pass/fail course, without grade points (P, CR): they earn "
                    "the credit and are left out of the GPA")
    fail_letters: list[str] = Field(
        default_factory=list,
        description="Letters of a failed pass/fail course, without grade points (NC): no credit, "
                    "not in the GPA")

    def passes(self, letter: str | None) -> bool:
        """Whether ``letter`` is a pass of a pass/fail course."""
        return letter is not None and letter.strip() in self.pass_letters

    def is_pass_fail(self, letter: str | None) -> bool:
        """Whether ``letter`` is a pass/fail course's (a pass or a fail)."""
        return self.passes(letter) or (letter is not None and letter.strip() in self.fail_letters)

    def pass_fail_letter(self, earned: bool, teacher_letter: str | None) -> str:
        """A pass/fail course's letter for its outcome: the teacher's when it says the same (P or
        CR, say), else the first of the list."""
        letters = self.pass_letters if earned else self.fail_letters
        given = (teacher_letter or "").strip()
        return given if given in letters else letters[0]

    def earned_outside_continuum(self, letter: str | None, points: float | None) -> bool:
        """A course no alignment covers has no competencies to judge: its credit is earned as
        on a traditional transcript, by a teacher's letter with grade points, or a pass."""
        return self.passes(letter) or (points is not None and points > 0)


class CourseGradeCredit(_CreditBase):
    """Credit is earned when the course's (back-translated) letter earns ``min_points``."""

    method: Literal["course_grade"]
    min_points: float = Field(1.0, ge=0, description="Least grade points that earn the credit")

    def earned(self, letter: str | None, points: float | None, competencies_proficient: bool) -> bool:
        return self.passes(letter) or (points is not None and points >= self.min_points)

    def earned_outside_continuum(self, letter: str | None, points: float | None) -> bool:
        return self.earned(letter, points, False)


class CompetenciesProficientCredit(_CreditBase):
    """Credit is earned when every competency the course is aligned to is proficient."""

    method: Literal["competencies_proficient"]

    def earned(self, letter: str | None, points: float | None, competencies_proficient: bool) -> bool:
        return competencies_proficient


CreditRule = Annotated[CourseGradeCredit | CompetenciesProficientCredit,
                       Field(discriminator="method")]


# -- graduation --------------------------------------------------------------------------------
class GraduationRequirement(StrictModel):
    """A node (usually a content area) and the proficiency value required on it."""

    node: str = Field(min_length=1, description="Node id (CASE GUID), human code or urn:uuid:GUID")
    level: float = Field(description="Proficiency value required on the node (default scale)")


class Graduation(StrictModel):
    requirements: list[GraduationRequirement] = Field(default_factory=list)


# -- GPA ---------------------------------------------------------------------------------------
class CutPoint(StrictModel):
    """Proficiency values from ``min`` up (to the next cut) give ``letter``."""

    min: float
    letter: str = Field(min_length=1)


class CutPointsConversion(StrictModel):
    """One proficiency value -> a letter by the highest cut reached (Marzano's table)."""

    method: Literal["cut_points"]
    cuts: list[CutPoint] = Field(min_length=1)

    @field_validator("cuts")
    @classmethod
    def _unique_minimums(cls, cuts: list[CutPoint]) -> list[CutPoint]:
        mins = [c.min for c in cuts]
        dupes = sorted({m for m in mins if mins.count(m) > 1})
        if dupes:
            raise ValueError("cut points repeat a minimum: " + ", ".join(map(fmt, dupes)))
        return cuts

    def letters(self) -> list[str]:
        return [c.letter for c in self.cuts]


class CountRuleItem(StrictModel):
    """``letter`` applies when every condition given holds (see the engine's ``CountRule``)."""

    letter: str = Field(min_length=1)
    min_share_at_or_above: float = Field(
        0.0, ge=0, le=1, description="At least this share (0-1) of results at or above 'at_or_above'")
    at_or_above: float = 0.0
    max_count_below: int | None = Field(None, ge=0, description="At most this many results below 'below'")
    below: float | None = None
    min_count_below: int | None = Field(None, ge=0, description="At least this many results below 'below'")

    @model_validator(mode="after")
    def _below_given(self) -> CountRuleItem:
        if (self.max_count_below is not None or self.min_count_below is not None) and self.below is None:
            raise ValueError("max_count_below / min_count_below need 'below'")
        return self


class CountRuleConversion(StrictModel):
    """Many results -> a letter by the first rule they satisfy; ``otherwise`` if none."""

    method: Literal["count_rule"]
    rules: list[CountRuleItem] = Field(min_length=1, description="Tried in order: strictest first")
    otherwise: str = Field(min_length=1, description="Letter when no rule holds")

    def letters(self) -> list[str]:
        return [r.letter for r in self.rules] + [self.otherwise]


GpaConversion = Annotated[CutPointsConversion | CountRuleConversion, Field(discriminator="method")]


class GpaPolicy(StrictModel):
    """Back-translation of proficiency to letters and grade points, when a GPA is needed."""

    conversion: GpaConversion
    not_in_gpa: list[str] = Field(
        default_factory=list,
        description="Letters the conversion can give that carry no points (e.g. I, incomplete)")
    points: dict[str, float] = Field(description="Letter -> grade points")
    weights: dict[CourseLevel, float] = Field(
        default_factory=dict, description="Course level -> points added in a weighted GPA")
    scale_max: float = Field(4.0, gt=0, description="Top of the unweighted GPA scale")

    @field_validator("weights")
    @classmethod
    def _non_negative(cls, weights: dict[str, float]) -> dict[str, float]:
        bad = [k for k, v in weights.items() if v < 0]
        if bad:
            raise ValueError("weights must be at least 0: " + ", ".join(bad))
        return weights

    def letters_without_points(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Letters the conversion can give that neither ``points`` nor ``not_in_gpa`` has,
        with where each is written under ``conversion``."""
        conv = self.conversion
        found: list[tuple[tuple[str | int, ...], str]] = []
        if isinstance(conv, CutPointsConversion):
            found = [(("cuts", i, "letter"), c.letter) for i, c in enumerate(conv.cuts)]
        else:
            found = [(("rules", i, "letter"), r.letter) for i, r in enumerate(conv.rules)]
            found.append((("otherwise",), conv.otherwise))
        return [(path, letter) for path, letter in found
                if letter not in self.points and letter not in self.not_in_gpa]

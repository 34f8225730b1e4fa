"""Alignments in a mapping file: courses -> competencies, learning objectives -> nodes.

* :class:`CourseAlignment` (``course_alignments:``): a rule matching courses (by course code,
  SCED code or a title pattern) and naming the continuum nodes the course's grade is evidence
  for, with weights, plus the course's grade scale, credits and level.
* :class:`ObjectiveAlignments` (``objective_alignments:``): which continuum node a learning
  objective (a OneRoster learning-objective id, a Canvas outcome) stands for.

Node references (``node:``) are checked against the continuum by
:func:`cbe_bridge.mapping.check_references`, not here: a mapping file is read without one.
"""

from __future__ import annotations

import re
from functools import cached_property

from pydantic import Field, field_validator, model_validator

from cbe_bridge.mapping.base import CourseLevel, StrictModel, fmt

__all__ = [
    "CompetencyWeight",
    "CourseAlignment",
    "CourseMatch",
    "ObjectiveAlignments",
    "ObjectiveMatch",
    "ObjectiveRule",
]

MATCHER_ORDER = ("course_code", "sced", "title_pattern")
"""Precedence of course matchers: every course_code rule is tried first, then sced, then
title_pattern; within one kind, rules are tried in (layered) file order."""


class CourseMatch(StrictModel):
    """Which courses a rule is for: exactly one of ``course_code``, ``sced``, ``title_pattern``."""

    course_code: str | None = Field(
        None, description="The SIS course code, compared ignoring case and surrounding spaces")
    sced: str | None = Field(
        None, pattern=r"^\d{2,5}$",
        description="NCES SCED code or its start: '02052' (one course) or '02' (all mathematics)")
    title_pattern: str | None = Field(
        None, description="Regular expression searched in the course title, ignoring case")

    @field_validator("title_pattern")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"title_pattern is not a valid regular expression: {exc}") from None
        return pattern

    @model_validator(mode="after")
    def _exactly_one(self) -> CourseMatch:
        given = self.kinds()
        if len(given) != 1:
            raise ValueError("write exactly one of course_code, sced, title_pattern"
                             + (f" (found {', '.join(given)})" if given else ""))
        return self

    def kinds(self) -> list[str]:
        return [k for k in MATCHER_ORDER if getattr(self, k) is not None]

    @property
    def kind(self) -> str:
        return self.kinds()[0]

    @cached_property
    def regex(self) -> re.Pattern[str] | None:
        return re.compile(self.title_pattern, re.IGNORECASE) if self.title_pattern else None

    def matches(self, course_code: str | None, sced: str | None, title: str | None) -> bool:
        if self.course_code is not None:
            return course_code is not None and \
                course_code.strip().casefold() == self.course_code.strip().casefold()
        if self.sced is not None:
            return sced is not None and sced.strip().startswith(self.sced)
        assert self.regex is not None
        return title is not None and self.regex.search(title) is not None

    def describe(self) -> str:
        value = getattr(self, self.kind)
        return f"{self.kind} {value!r}"


class CompetencyWeight(StrictModel):
    """A continuum node a course's grade is evidence for, and how much it counts."""

    node: str = Field(min_length=1, description="Node id (CASE GUID), human code or urn:uuid:GUID")
    weight: float = Field(1.0, gt=0, description="Relative weight of the course for this node")


class CourseAlignment(StrictModel):
    """A course -> competencies rule; its course grade becomes derived evidence."""

    match: CourseMatch
    competencies: list[CompetencyWeight] = Field(
        min_length=1, description="Nodes the course grade is evidence for")
    grade_scale: str | None = Field(
        None, description="Grade scale id for this course's grades (default: default_grade_scale)")
    credits: float = Field(1.0, ge=0, description="Credits the course carries")
    course_level: CourseLevel = Field("regular", description="Weighting class for a weighted GPA")

    @field_validator("competencies")
    @classmethod
    def _unique_nodes(cls, comps: list[CompetencyWeight]) -> list[CompetencyWeight]:
        nodes = [c.node for c in comps]
        dupes = sorted({n for n in nodes if nodes.count(n) > 1})
        if dupes:
            raise ValueError("a node is listed twice: " + ", ".join(dupes))
        return comps

    def describe_match(self) -> str:
        """How the rule matches, for lineage: ``course_code 'ALG1'``."""
        return self.match.describe()

    def describe(self) -> str:
        comps = ", ".join(f"{c.node} x{fmt(c.weight)}" for c in self.competencies)
        return f"{self.describe_match()} -> {comps}"


class ObjectiveMatch(StrictModel):
    """Which learning objective a rule is for: ``human_code``, ``case_guid`` or ``id``.

    ``source`` (e.g. ``canvas``) only documents where an ``id`` comes from.
    """

    human_code: str | None = Field(None, description="The objective id as a human code")
    case_guid: str | None = Field(None, description="The objective's CASE GUID")
    id: str | None = Field(None, description="The objective's id in its source system")
    source: str | None = Field(None, description="The source system of 'id' (e.g. canvas)")

    @model_validator(mode="after")
    def _exactly_one(self) -> ObjectiveMatch:
        given = [k for k in ("human_code", "case_guid", "id") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("write exactly one of human_code, case_guid, id"
                             + (f" (found {', '.join(given)})" if given else ""))
        if self.source is not None and self.id is None:
            raise ValueError("'source' goes with 'id' only")
        return self

    def keys(self) -> list[str]:
        """The objective ids this rule catches."""
        if self.case_guid is not None:
            guid = self.case_guid.strip()
            bare = guid[len("urn:uuid:"):] if guid.lower().startswith("urn:uuid:") else guid
            return [bare, f"urn:uuid:{bare}"]
        value = self.human_code if self.human_code is not None else self.id
        assert value is not None
        return [value.strip()]


class ObjectiveRule(StrictModel):
    """A learning objective -> continuum node rule."""

    match: ObjectiveMatch
    node: str = Field(min_length=1, description="Node id (CASE GUID), human code or urn:uuid:GUID")


class ObjectiveAlignments(StrictModel):
    """How learning objectives find their continuum nodes."""

    auto_case_guid: bool = Field(
        True, description="An objective id equal to a node's CASE GUID (or urn:uuid:GUID) maps to it")
    rules: list[ObjectiveRule] = Field(default_factory=list, description="First matching rule wins")

    def node_overrides(self) -> dict[str, str]:
        """Objective id -> node reference; the first rule naming an id wins."""
        out: dict[str, str] = {}
        for rule in self.rules:
            for key in rule.match.keys():
                out.setdefault(key, rule.node)
        return out

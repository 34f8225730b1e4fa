"""Mapping files: where a district's policy lives (scales, alignments, aggregation, GPA ...).

Public API (the submodules are private; import from here)::

    load_mapping(paths) -> Mapping          read, follow 'extends:', layer in order, validate;
                                            MappingError lists every problem as file:line:col
    check_references(mapping, lookup)       node: references the continuum does not know
    Mapping                                 the validated policy, with helpers:
        .aggregation_for(node_type)  .rollup_for(node_type)  .scale(id=None)
        .course_alignment_for(course_code, sced, title)   .translate_score(title, score, text)
        .grade_scale(id)  .letter_percent(id, letter)  .percent_bands(id)
        .objective_node_overrides()  .credit_earned(letter=, points=, competencies_proficient=)
        .default_proficiency_scale()  .continuum_path  .fingerprint  .location_of(*path)
    mapping_json_schema()                   the published JSON Schema (schemas/mapping.schema.json)

The format is described for districts and vendors in ``docs/mapping-format.md``; the merge
rules of ``extends:`` in :mod:`cbe_bridge.mapping.layering`.
"""

from __future__ import annotations

from typing import Any

from cbe_bridge.mapping.alignments import (
    CompetencyWeight,
    CourseAlignment,
    CourseMatch,
    ObjectiveAlignments,
    ObjectiveMatch,
    ObjectiveRule,
)
from cbe_bridge.mapping.base import COURSE_LEVELS, CourseLevel
from cbe_bridge.mapping.loader import check_references, load_mapping
from cbe_bridge.mapping.models import FORMAT_VERSION, Mapping
from cbe_bridge.mapping.policies import (
    AGGREGATION_METHOD_NAMES,
    ROLLUP_METHOD_NAMES,
    AggregationPolicy,
    AggregationSettings,
    CountRuleConversion,
    CountRuleItem,
    CourseGrades,
    CreditRule,
    CutPoint,
    CutPointsConversion,
    DerivedEvidence,
    GpaConversion,
    GpaPolicy,
    Graduation,
    GraduationRequirement,
    RollupPolicy,
    RollupSettings,
)
from cbe_bridge.mapping.scales import (
    GradeScale,
    LinearTranslation,
    PercentBand,
    ProficiencyLevel,
    ProficiencyScale,
    ScoreScale,
    ScoreScaleMatch,
)

__all__ = [
    "AGGREGATION_METHOD_NAMES",
    "COURSE_LEVELS",
    "FORMAT_VERSION",
    "ROLLUP_METHOD_NAMES",
    "AggregationPolicy",
    "AggregationSettings",
    "CompetencyWeight",
    "CountRuleConversion",
    "CountRuleItem",
    "CourseAlignment",
    "CourseGrades",
    "CourseLevel",
    "CourseMatch",
    "CreditRule",
    "CutPoint",
    "CutPointsConversion",
    "DerivedEvidence",
    "GpaConversion",
    "GpaPolicy",
    "GradeScale",
    "Graduation",
    "GraduationRequirement",
    "LinearTranslation",
    "Mapping",
    "ObjectiveAlignments",
    "ObjectiveMatch",
    "ObjectiveRule",
    "PercentBand",
    "ProficiencyLevel",
    "ProficiencyScale",
    "RollupPolicy",
    "RollupSettings",
    "ScoreScale",
    "ScoreScaleMatch",
    "check_references",
    "load_mapping",
    "mapping_json_schema",
]


# Imported lazily: building the schema needs every model, loading a mapping does not.
def mapping_json_schema() -> dict[str, Any]:
    """The JSON Schema of one mapping file (see :mod:`cbe_bridge.mapping.schema`)."""
    from cbe_bridge.mapping.schema import mapping_json_schema as build

    return build()

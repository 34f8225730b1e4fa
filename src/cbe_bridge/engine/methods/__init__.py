"""Pure policy methods: evidence aggregation, rollup, grade conversion and GPA.

Everything here is a plain function or a small dataclass: no I/O, no database,
no clock, no pydantic. The engine calls these with values read from the mapping file
(whose method names are listed in ``docs/mapping-format.md``) and the store.

* :mod:`.aggregation`: scores on one node -> a proficiency value (``aggregate``).
* :mod:`.rollup`: children's values -> the parent's value (``rollup``).
* :mod:`.conversion`: proficiency -> letter (``cut_points``, ``count_rule``) and course
  grades -> proficiency (``percent_to_value``, ``letter_to_percent``).
* :mod:`.gpa`: course letters -> GPA with lineage (``gpa``, ``latest_attempt_only``).

Each module documents exactly what its methods compute; ``describe_*`` functions give
the plain-English sentences the college attachment uses.
"""

from __future__ import annotations

from .aggregation import (
    AGGREGATION_METHODS,
    TOLERANCE,
    Score,
    aggregate,
    at_or_above,
    describe_aggregation,
    order_scores,
)
from .conversion import (
    CONVERSION_METHODS,
    CountRule,
    count_rule,
    cut_points,
    letter_to_percent,
    percent_to_value,
)
from .gpa import CourseMark, GpaFigure, MarkRef, gpa, gpa_pair, latest_attempt_only
from .rollup import ROLLUP_METHODS, describe_rollup, parent_proficient, rollup

__all__ = [
    "AGGREGATION_METHODS",
    "CONVERSION_METHODS",
    "ROLLUP_METHODS",
    "TOLERANCE",
    "CountRule",
    "CourseMark",
    "GpaFigure",
    "MarkRef",
    "Score",
    "aggregate",
    "at_or_above",
    "count_rule",
    "cut_points",
    "describe_aggregation",
    "describe_rollup",
    "gpa",
    "gpa_pair",
    "latest_attempt_only",
    "letter_to_percent",
    "order_scores",
    "parent_proficient",
    "percent_to_value",
    "rollup",
]

"""Shared pieces of the mapping-file models: the strict base class and small value types.

Every model of a mapping file derives from :class:`StrictModel`: unknown keys are errors
(``extra="forbid"``), instances are immutable (``frozen=True``) and numbers written where a
text is expected (``course_code: 1234``, ``letters: {4: 95}``) are read as text, because YAML
authors rarely quote them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["COURSE_LEVELS", "CourseLevel", "StrictModel", "fmt"]

CourseLevel = Literal["regular", "honors", "ap", "dual_enrollment", "elo"]
"""How a course is weighted in a weighted GPA (``elo``: extended learning opportunity)."""

COURSE_LEVELS: tuple[str, ...] = ("regular", "honors", "ap", "dual_enrollment", "elo")


class StrictModel(BaseModel):
    """Base of every mapping-file model: no unknown keys, immutable, numbers read as text."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


def fmt(value: float) -> str:
    """A number as people write it: ``3`` not ``3.0``, ``2.5`` not ``2.50``."""
    return f"{value:g}"

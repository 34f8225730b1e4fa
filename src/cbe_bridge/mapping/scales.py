"""Scales in a mapping file: proficiency scales, grade scales and score-scale translations.

* :class:`ProficiencyScale` (``proficiency_scales:``): the rubric levels a proficiency value
  lives on, ascending, one of them the proficiency threshold (``proficient_at``).
* :class:`GradeScale` (``grade_scales:``): how a traditional course grade (a letter or a
  percent) reads as a proficiency value, so a course grade can become derived evidence.
* :class:`ScoreScale` (``score_scales:``): how the scores of one source scale (a OneRoster
  1.2 ``scoreScale``, an LMS rating scale) translate onto a proficiency scale: a table of
  values, or a straight line.
"""

from __future__ import annotations

import math
import re

from pydantic import Field, ValidationInfo, field_validator, model_validator

from cbe_bridge.mapping.base import StrictModel, fmt
from cbe_bridge.model.continuum import ProficiencyLevel, ScaleLookups
from cbe_bridge.model.continuum import ProficiencyScale as ContinuumScale

__all__ = [
    "GradeScale",
    "LinearTranslation",
    "PercentBand",
    "ProficiencyLevel",
    "ProficiencyScale",
    "ScoreScale",
    "ScoreScaleMatch",
]

_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)$")


def _number(text: str) -> float | None:
    text = text.strip()
    return float(text) if _NUMBER.match(text) else None


class ProficiencyScale(ScaleLookups, StrictModel):
    """Rubric levels, ascending by value, with the value at which a student is proficient.

    Level codes are unique (case-insensitive), values strictly ascending, and
    ``proficient_at`` is the value of one of the levels ("beyond proficient" is not extra
    credit: levels above it are simply reported).
    """

    id: str = Field(min_length=1, description="Identifier other keys use to name this scale")
    title: str = Field(description="Name printed on transcripts and the school profile")
    levels: list[ProficiencyLevel] = Field(min_length=1, description="Rubric levels, lowest first")
    proficient_at: float = Field(description="Value of the level at which a student is proficient")

    @field_validator("levels")
    @classmethod
    def _levels_ascending(cls, levels: list[ProficiencyLevel]) -> list[ProficiencyLevel]:
        values = [lv.value for lv in levels]
        if len(set(values)) != len(values):
            dupes = sorted({v for v in values if values.count(v) > 1})
            raise ValueError("level values must be unique; repeated: " + ", ".join(map(fmt, dupes)))
        if values != sorted(values):
            raise ValueError("levels must be listed lowest first (ascending values), got "
                             + ", ".join(map(fmt, values)))
        codes = [lv.code.strip().casefold() for lv in levels]
        if len(set(codes)) != len(codes):
            dupes = sorted({lv.code for lv in levels if codes.count(lv.code.strip().casefold()) > 1})
            raise ValueError("level codes must be unique; repeated: " + ", ".join(dupes))
        return levels

    @field_validator("proficient_at")
    @classmethod
    def _threshold_is_a_level(cls, value: float, info: ValidationInfo) -> float:
        levels: list[ProficiencyLevel] | None = info.data.get("levels")
        if levels and not any(math.isclose(value, lv.value) for lv in levels):
            raise ValueError("proficient_at must be the value of one of the levels ("
                             + ", ".join(fmt(lv.value) for lv in levels) + f"), got {fmt(value)}")
        return value

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies between the lowest and the highest level."""
        return self.min_value <= value <= self.max_value

    def is_proficient(self, value: float) -> bool:
        return value >= self.proficient_at

    def to_continuum_scale(self) -> ContinuumScale:
        """The same scale as the continuum model's :class:`ProficiencyScale` (engine type)."""
        return ContinuumScale(id=self.id, title=self.title, levels=list(self.levels),
                              proficient_at=self.proficient_at)


class PercentBand(StrictModel):
    """Percents from ``min`` up (to the next band) read as the proficiency value ``value``."""

    min: float = Field(ge=0, description="Lowest percent of the band")
    value: float = Field(description="Proficiency value a percent in this band reads as")


class GradeScale(StrictModel):
    """A traditional grade scale: letters as percents, and percents as proficiency values."""

    id: str = Field(min_length=1)
    title: str | None = None
    scale: str | None = Field(
        None, description="Proficiency scale the band values are on (default: default_scale)")
    letters: dict[str, float] = Field(
        default_factory=dict,
        description="Letter -> percent it stands for (the middle of its range), e.g. {B+: 88}")
    percent_to_level: list[PercentBand] = Field(
        min_length=1, description="Percent bands -> proficiency value; the highest band reached wins")

    @field_validator("letters")
    @classmethod
    def _letters(cls, letters: dict[str, float]) -> dict[str, float]:
        folded = [k.strip().casefold() for k in letters]
        if len(set(folded)) != len(folded):
            raise ValueError("letters must differ by more than case or spaces")
        bad = [k for k, v in letters.items() if not (math.isfinite(v) and v >= 0)]
        if bad:
            raise ValueError("letter percents must be numbers of at least 0: " + ", ".join(bad))
        return letters

    @field_validator("percent_to_level")
    @classmethod
    def _bands(cls, bands: list[PercentBand]) -> list[PercentBand]:
        mins = [b.min for b in bands]
        if len(set(mins)) != len(mins):
            raise ValueError("percent bands repeat a minimum: "
                             + ", ".join(sorted({fmt(m) for m in mins if mins.count(m) > 1})))
        if min(mins) > 0:
            raise ValueError(f"the lowest percent band starts at {fmt(min(mins))}; add one with "
                             "min: 0 so that every percent reads as a level")
        return bands

    def letter_percent(self, letter: str) -> float | None:
        """The percent a letter stands for (exact, then case-insensitive), or None."""
        text = letter.strip()
        if text in self.letters:
            return self.letters[text]
        return next((v for k, v in self.letters.items() if k.strip().casefold() == text.casefold()),
                    None)

    def bands(self) -> list[tuple[float, float]]:
        """``(min_percent, value)`` pairs, highest first."""
        return sorted(((b.min, b.value) for b in self.percent_to_level), reverse=True)

    def value_for_percent(self, percent: float) -> float:
        """The proficiency value of a percent (the highest band it reaches)."""
        for minimum, value in self.bands():
            if percent >= minimum:
                return value
        return self.bands()[-1][1]


class ScoreScaleMatch(StrictModel):
    """Which source score scale a translation is for: exactly one of the keys."""

    title: str | None = Field(None, description="The scale's title, compared case-insensitively")
    source_id: str | None = Field(None, description="The scale's id in the source system")
    type: str | None = Field(None, description="The scale's type (OneRoster scoreScale.type)")

    @model_validator(mode="after")
    def _exactly_one(self) -> ScoreScaleMatch:
        given = [k for k in ("title", "source_id", "type") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("write exactly one of title, source_id, type"
                             + (f" (found {', '.join(given)})" if given else ""))
        return self

    def matches(self, title: str | None = None, source_id: str | None = None,
                scale_type: str | None = None) -> bool:
        def same(a: str | None, b: str | None) -> bool:
            return a is not None and b is not None and a.strip().casefold() == b.strip().casefold()

        return (same(self.title, title) or same(self.source_id, source_id)
                or same(self.type, scale_type))

    def describe(self) -> str:
        for key in ("title", "source_id", "type"):
            if getattr(self, key) is not None:
                return f"{key} {getattr(self, key)!r}"
        return "nothing"  # pragma: no cover - the validator forbids it


class LinearTranslation(StrictModel):
    """A straight line from the source range onto the proficiency range (ends clamp)."""

    from_min: float
    from_max: float
    to_min: float
    to_max: float

    @model_validator(mode="after")
    def _ranges(self) -> LinearTranslation:
        if not self.from_max > self.from_min:
            raise ValueError(f"from_max ({fmt(self.from_max)}) must be above from_min "
                             f"({fmt(self.from_min)})")
        if not self.to_max > self.to_min:
            raise ValueError(f"to_max ({fmt(self.to_max)}) must be above to_min ({fmt(self.to_min)})")
        return self

    def apply(self, score: float) -> float:
        share = (score - self.from_min) / (self.from_max - self.from_min)
        share = min(1.0, max(0.0, share))
        return self.to_min + share * (self.to_max - self.to_min)


class ScoreScale(StrictModel):
    """How scores on one source scale read on a proficiency scale: ``values`` or ``linear``."""

    match: ScoreScaleMatch
    scale: str | None = Field(None, description="Target proficiency scale (default: default_scale)")
    values: dict[str, float] | None = Field(
        None, description="Score as written (text or number) -> proficiency value")
    linear: LinearTranslation | None = None

    @model_validator(mode="after")
    def _one_translation(self) -> ScoreScale:
        if (self.values is None) == (self.linear is None):
            raise ValueError("write exactly one of 'values' (a table) or 'linear' (a straight line)")
        if self.values is not None and not self.values:
            raise ValueError("'values' is empty")
        return self

    def translate(self, score: float | None, text_score: str | None) -> tuple[float, str] | None:
        """A raw score on this scale -> (proficiency value, how), or None when unreadable."""
        where = self.match.describe()
        if self.values is not None:
            if text_score is not None and text_score.strip():
                text = text_score.strip()
                for key, value in self.values.items():
                    if key.strip() == text:
                        return value, f"{text!r} on {where} -> {fmt(value)} (mapping table)"
                for key, value in self.values.items():
                    if key.strip().casefold() == text.casefold():
                        return value, f"{text!r} on {where} -> {fmt(value)} (mapping table)"
            number = score if score is not None else _number(text_score or "")
            if number is not None:
                for key, value in self.values.items():
                    if _number(key) == number:
                        return value, f"{fmt(number)} on {where} -> {fmt(value)} (mapping table)"
            return None
        assert self.linear is not None
        number = score if score is not None else _number(text_score or "")
        if number is None:
            return None
        line = self.linear
        value = line.apply(number)
        return value, (f"{fmt(number)} on {where} ({fmt(line.from_min)}-{fmt(line.from_max)}) -> "
                       f"{value:.2f} (linear onto {fmt(line.to_min)}-{fmt(line.to_max)})")

    def output_values(self) -> list[float]:
        """Every proficiency value this translation can give (its ends, for a line)."""
        if self.values is not None:
            return list(self.values.values())
        assert self.linear is not None
        return [self.linear.to_min, self.linear.to_max]

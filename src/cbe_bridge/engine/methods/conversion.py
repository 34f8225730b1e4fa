"""Proficiency <-> traditional grades: cut points, count rules, percent bands.

Two families of published conversions from proficiency to a letter grade, both
expressible in a mapping file (``gpa.conversion``):

* **cut points** (:func:`cut_points`): one proficiency value, a table of minimums.
  Marzano's table is A 3.00-4.00, B 2.50-2.99, C 2.00-2.49, D 1.00-1.99, written as
  ``[(3.0, "A"), (2.5, "B"), (2.0, "C"), (1.0, "D")]``.
* **count rules** (:func:`count_rule`): many values (e.g. a course's competency
  results), rules about how many are at or above / below a level, e.g. "A = all 3s and
  4s; B = at least half 3s/4s and no 1s; any 1 -> incomplete".

And two helpers for the other direction, course grades as (derived) evidence:
:func:`percent_to_value` (a 0-100 course grade -> a proficiency value through bands) and
:func:`letter_to_percent` (a letter -> the percent the district's table gives it).

Every "at or above" comparison allows :data:`~.aggregation.TOLERANCE`. Bad input raises
``ValueError`` naming the offending value (grades and levels, never personal data).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from .aggregation import TOLERANCE, at_or_above
from .tables import per_table

__all__ = [
    "CONVERSION_METHODS",
    "CountRule",
    "count_rule",
    "cut_points",
    "letter_to_percent",
    "percent_to_value",
]

CONVERSION_METHODS: dict[str, str] = {
    "cut_points": "a letter for each range of the proficiency value (highest minimum reached)",
    "count_rule": "a letter from how many results are at or above / below given levels",
}
"""Known conversion method names (``gpa.conversion.method``) with descriptions."""

T = TypeVar("T")


def _finite(value: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return float(value)


def _band(value: float, bands: Sequence[tuple[float, T]], what: str) -> T:
    """The label of the highest minimum that ``value`` reaches (any order given)."""
    ordered = _checked_bands(tuple(bands), what)
    for minimum, label in ordered:  # highest minimum first
        if at_or_above(value, minimum):
            return label
    raise ValueError(f"{value:g} is below every {what[:-1]} (lowest minimum {ordered[-1][0]:g})")


@per_table(maxsize=256)
def _checked_bands(bands: tuple[tuple[float, T], ...], what: str) -> tuple[tuple[float, T], ...]:
    """``bands`` checked and ordered highest minimum first; the same few tables are asked for
    per course and per node, so each is checked once."""
    if not bands:
        raise ValueError(f"no {what} given")
    minimums = [_finite(m, f"{what} minimum") for m, _ in bands]
    if len(set(minimums)) != len(minimums):
        dupes = sorted({m for m in minimums if minimums.count(m) > 1})
        raise ValueError(f"{what} repeat a minimum: {', '.join(f'{m:g}' for m in dupes)}")
    return tuple(sorted(zip(minimums, (band[1] for band in bands)), key=lambda pair: -pair[0]))


def cut_points(value: float, cuts: Sequence[tuple[float, str]]) -> str:
    """The letter of the highest cut whose minimum ``value`` reaches.

    ``cuts`` is ``(minimum, letter)`` pairs in any order. A value below every minimum,
    a repeated minimum or a non-finite value raises ``ValueError``; include a lowest cut
    (e.g. ``(0, "F")``) to cover the whole scale. With Marzano's table
    ``[(3.0, "A"), (2.5, "B"), (2.0, "C"), (1.0, "D")]``: 3.0 -> A, 2.99 -> B, 2.49 -> C,
    1.0 -> D, 0.5 -> ``ValueError``.
    """
    return _band(_finite(value, "proficiency value"), cuts, "cut points")


@dataclass(frozen=True)
class CountRule:
    """One count rule: ``letter`` applies when every condition given holds.

    * share: at least ``min_share_at_or_above`` (0-1) of the values are at or above
      ``at_or_above`` (the default 0.0 share always holds);
    * at most ``max_count_below`` values are strictly below ``below``;
    * at least ``min_count_below`` values are strictly below ``below``.

    ``below`` is required when either count is given. Examples (4-point scale):
    ``CountRule("A", 1.0, 3)`` = all 3s and 4s; ``CountRule("B", 0.5, 3,
    max_count_below=0, below=2)`` = at least half 3s/4s and no 1s;
    ``CountRule("I", min_count_below=1, below=2)`` = any 1 -> incomplete.
    """

    letter: str
    min_share_at_or_above: float = 0.0
    at_or_above: float = 0.0
    max_count_below: int | None = None
    below: float | None = None
    min_count_below: int | None = None

    def __post_init__(self) -> None:
        if not self.letter:
            raise ValueError("a count rule needs a letter")
        share = _finite(self.min_share_at_or_above, "min_share_at_or_above")
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"min_share_at_or_above must be between 0 and 1, got {share!r}")
        _finite(self.at_or_above, "at_or_above")
        for name in ("max_count_below", "min_count_below"):
            count = getattr(self, name)
            if count is None:
                continue
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(f"{name} must be a whole number of at least 0, got {count!r}")
            if self.below is None:
                raise ValueError(f"count rule {self.letter!r}: {name} needs 'below'")
        if self.below is not None:
            _finite(self.below, "below")

    def matches(self, values: Sequence[float]) -> bool:
        """True when every condition of this rule holds for ``values`` (non-empty)."""
        reaching = sum(1 for v in values if at_or_above(v, self.at_or_above))
        if reaching < self.min_share_at_or_above * len(values) - TOLERANCE:
            return False
        if self.below is None:
            return True
        under = sum(1 for v in values if not at_or_above(v, self.below))
        if self.max_count_below is not None and under > self.max_count_below:
            return False
        return not (self.min_count_below is not None and under < self.min_count_below)


def count_rule(values: Sequence[float], rules: Sequence[CountRule], otherwise: str) -> str:
    """The letter of the first rule (in the order given) that ``values`` satisfy.

    ``otherwise`` is the letter when no rule matches. Put the strictest rule first: the
    DOMAIN example is ``[CountRule("I", min_count_below=1, below=2), CountRule("A", 1.0, 3),
    CountRule("B", 0.5, 3, max_count_below=0, below=2)]`` with ``otherwise="C"``. Empty
    ``values`` or a non-finite value raises ``ValueError`` (no results, no letter).
    """
    if not values:
        raise ValueError("count_rule needs at least one value")
    checked = [_finite(v, "proficiency value") for v in values]
    for rule in rules:
        if rule.matches(checked):
            return rule.letter
    return otherwise


def percent_to_value(percent: float, bands: Sequence[tuple[float, float]]) -> float:
    """A course-grade percent -> a proficiency value through ``(min_percent, value)`` bands.

    The band with the highest minimum that ``percent`` reaches wins (any order given).
    E.g. bands ``[(90, 4), (80, 3), (70, 2), (0, 1)]``: 85 -> 3, 69.5 -> 1. Percents
    above 100 (extra credit) use the top band. Below every band, a repeated minimum or
    a non-finite percent raises ``ValueError``.
    """
    return float(_band(_finite(percent, "percent"), bands, "percent bands"))


def letter_to_percent(letter: str, table: Mapping[str, float]) -> float:
    """The percent the district's ``table`` gives ``letter`` (e.g. ``{"B+": 88}``).

    Surrounding whitespace is ignored; an exact match is tried first, then a
    case-insensitive one (so ``"b+"`` finds ``"B+"`` unless the table itself has
    both cases). An unknown letter raises ``ValueError`` naming it and the known ones.
    """
    text = letter.strip()
    if text in table:
        return _finite(table[text], f"percent for letter {text!r}")
    folded = [k for k in table if k.strip().casefold() == text.casefold()]
    if len(folded) == 1:
        return _finite(table[folded[0]], f"percent for letter {folded[0]!r}")
    known = ", ".join(table) or "none"
    raise ValueError(f"letter {letter!r} is not in the grade table (known: {known})")

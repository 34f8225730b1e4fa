"""Back-translated GPA: course letters (computed from proficiency) -> a grade point average.

The report's "worst case scenario": a college or scholarship insists on a GPA, so the
school translates proficiency back into the point system and states the method. This
module does the last step, purely: given course marks, a points table and level
weights (``gpa:`` in a mapping file), compute the GPA with the lineage of what counted.

Definition (credit-weighted, the usual US high-school GPA):

* a mark *counts* when its letter has an entry in ``points``; letters without one
  (I incomplete, P pass, W withdrawn, ...) are excluded and listed;
* ``quality_points = sum(points(letter) * credits_attempted)`` over counted marks;
* ``credits = sum(credits_attempted)`` over counted marks (an F counts its credits);
* ``GPA = quality_points / credits``; no counted credits -> no GPA (``None``).

Weighted GPA adds ``weights[course_level]`` (e.g. honors 0.5, AP 1.0) to the points of a
passing letter (points above 0) and caps the result at ``scale_max + max(weights)``;
failing letters get no bonus. Arithmetic is decimal (each number read as its shortest
decimal text), so ``rounded`` (2 places, half up) matches hand calculation: 3.125 -> 3.13.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, NamedTuple

from .tables import per_table

__all__ = ["CourseMark", "GpaFigure", "MarkRef", "gpa", "gpa_pair", "latest_attempt_only"]


@dataclass(frozen=True)
class CourseMark:
    """One course grade on a (traditional) transcript.

    ``course_key`` identifies the course across terms (for repeats); ``term_key`` the
    term; ``letter`` the grade (already converted from proficiency); ``course_level`` is
    a key of the mapping's ``gpa.weights`` (``regular`` normally has none).
    """

    course_key: str
    term_key: str
    letter: str
    credits_attempted: float
    credits_earned: float
    course_level: str = "regular"

    def __post_init__(self) -> None:
        for name in ("credits_attempted", "credits_earned"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number of at least 0, got {value!r}")


class MarkRef(NamedTuple):
    """A mark named for lineage: which course, which term, which letter."""

    course_key: str
    term_key: str
    letter: str


@dataclass(frozen=True)
class GpaFigure:
    """A computed GPA with what it rests on.

    ``value`` is full precision (``None`` without counted credits); ``rounded`` is
    ``value`` to 2 places, half up, as a ``Decimal``; ``quality_points`` and ``credits``
    are the sums defined in the module docstring; ``counted`` and ``excluded`` name the
    marks used and left out (letters without points), both sorted; ``weighted`` says
    which GPA this is.
    """

    value: float | None
    rounded: Decimal | None
    quality_points: float
    credits: float
    counted: tuple[MarkRef, ...]
    excluded: tuple[MarkRef, ...]
    weighted: bool


def _dec(value: float, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return Decimal(repr(float(value)))


@per_table(maxsize=32)
def _exact_tables(points: tuple[tuple[str, float], ...], weights: tuple[tuple[str, float], ...],
                  scale_max: float) -> tuple[dict[str, Decimal], dict[str, Decimal], Decimal]:
    """Points and weights as exact decimals, and the cap of a weighted mark: made once per
    grading table, not per GPA (a district's computation asks for millions with one table)."""
    table = {letter.strip(): _dec(p, f"points for {letter!r}") for letter, p in points}
    bonus = {level: _dec(w, f"weight for {level!r}") for level, w in weights}
    if any(b < 0 for b in bonus.values()):
        raise ValueError(f"course-level weights must be at least 0, got {dict(weights)!r}")
    return table, bonus, _dec(scale_max, "scale_max") + max(bonus.values(), default=Decimal(0))


def _ref(mark: CourseMark) -> MarkRef:
    return MarkRef(mark.course_key, mark.term_key, mark.letter)


def gpa(
    marks: Iterable[CourseMark],
    points: Mapping[str, float],
    weights: Mapping[str, float],
    scale_max: float,
    weighted: bool,
) -> GpaFigure:
    """Credit-weighted GPA of ``marks`` (see the module docstring for the definition).

    ``points`` maps letters to grade points (exact letters; ``" A "`` is read as ``"A"``);
    ``weights`` maps course levels to the bonus added in a weighted GPA (ignored when
    ``weighted`` is false; levels not listed get none; negative bonuses raise
    ``ValueError``); ``scale_max`` is the top of the unweighted scale (4.0). The order of
    ``marks`` never changes the result. Pass ``latest_attempt_only(marks)`` to drop
    repeated attempts first when the district's policy replaces them.
    """
    return gpa_pair(marks, points, weights, scale_max)[1 if weighted else 0]


def gpa_pair(
    marks: Iterable[CourseMark],
    points: Mapping[str, float],
    weights: Mapping[str, float],
    scale_max: float,
) -> tuple[GpaFigure, GpaFigure]:
    """The unweighted and the weighted :func:`gpa` of ``marks``, in one pass over them."""
    table, bonus, cap = _exact_tables(tuple(points.items()), tuple(weights.items()), scale_max)
    quality = weighted_quality = credits = Decimal(0)
    counted: list[MarkRef] = []
    excluded: list[MarkRef] = []
    for mark in marks:
        letter = mark.letter.strip()
        if letter not in table:
            excluded.append(_ref(mark))
            continue
        mark_points = table[letter]
        weighted_points = min(mark_points + bonus.get(mark.course_level, Decimal(0)), cap) \
            if mark_points > 0 else mark_points
        attempted = _dec(mark.credits_attempted, "credits_attempted")
        quality += mark_points * attempted
        weighted_quality += weighted_points * attempted
        credits += attempted
        counted.append(_ref(mark))
    counted_refs, excluded_refs = tuple(sorted(counted)), tuple(sorted(excluded))

    def figure(total: Decimal, weighted: bool) -> GpaFigure:
        value: Decimal | None = None
        if credits > 0:
            with localcontext() as ctx:
                ctx.prec = 28
                value = total / credits
        return GpaFigure(
            value=None if value is None else float(value),
            rounded=None if value is None else value.quantize(Decimal("0.01"), ROUND_HALF_UP),
            quality_points=float(total),
            credits=float(credits),
            counted=counted_refs,
            excluded=excluded_refs,
            weighted=weighted,
        )

    return figure(quality, False), figure(weighted_quality, True)


def latest_attempt_only(
    marks: Iterable[CourseMark],
    *,
    term_order: Callable[[str], Any] | Mapping[str, Any] | None = None,
    not_attempts: Collection[str] = (),
) -> list[CourseMark]:
    """Keep only the last attempt of each course (repeat policy "latest attempt replaces").

    Attempts of one ``course_key`` are ordered by term: by ``term_order`` (a sort-key
    function, or a mapping from term key to rank) or, without it, by ``term_key`` as
    text, which is right only when term keys sort chronologically ("2023-2024-S1").
    Marks whose letter is in ``not_attempts`` (e.g. ``{"W"}``) never replace an earlier
    attempt and are dropped when another attempt exists. Two marks of one course in the
    same term are told apart by letter, then credits, then level, so the choice never
    depends on input order. The kept marks are returned in input order.
    """
    items = list(marks)
    if term_order is None:
        rank: Callable[[str], Any] = lambda term: term  # noqa: E731
    elif isinstance(term_order, Mapping):
        order_map = term_order

        def rank(term: str) -> Any:
            if term not in order_map:
                raise ValueError(f"term {term!r} has no place in term_order")
            return order_map[term]

    else:
        rank = term_order
    skip = {letter.strip() for letter in not_attempts}
    best: dict[str, tuple[tuple[Any, ...], int]] = {}
    for index, mark in enumerate(items):
        real = mark.letter.strip() not in skip
        sort_key = (
            real,
            rank(mark.term_key),
            mark.term_key,
            mark.letter,
            mark.credits_attempted,
            mark.credits_earned,
            mark.course_level,
        )
        current = best.get(mark.course_key)
        if current is None or sort_key > current[0]:
            best[mark.course_key] = (sort_key, index)
    keep = {index for _, index in best.values()}
    return [mark for index, mark in enumerate(items) if index in keep]

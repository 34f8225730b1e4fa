"""Evidence -> proficiency: the aggregation methods a mapping file can choose.

A student's proficiency on one continuum node is computed from the evidence on that
node: scores on the node's proficiency scale, each from one assessment on one date.
Which rule turns many scores into one value is district policy (``aggregation:`` in a
mapping file); this module implements the rules, purely (no I/O, no clock).

Conventions shared by every method:

* **Order.** Scores are sorted internally by assessment date, then ``key``, then weight,
  then value (:func:`order_scores`). Input order never changes a result. Ties on date and
  key thus put derived evidence before direct evidence of the same day (direct counts as
  the later one); ordering by weight before value keeps the monotone methods monotone
  even across such ties. "Most recent" means latest *assessment date* (the stated
  clock), never the time a grade was entered.
* **Monotonicity.** Raising one score never lowers the result of ``most_recent``,
  ``highest``, ``mean`` and both decaying averages. It can lower ``power_law`` (a higher
  first score flattens the curve), ``mode`` (a new tie goes to a more recent, lower
  value) and ``n_times`` (a score newly at mastery joins, and lowers, the average).
* **Not enough evidence.** No scores gives ``None``. ``n_times`` can also give ``None``
  (see there). Every other method gives a value as soon as there is one score.
* **Derived evidence.** ``Score.weight`` (1.0 for direct evidence, below 1 for a course
  grade mapped onto a competency) multiplies into the averaging methods: ``mean``,
  both decaying averages, ``power_law`` (weighted least squares), ``n_times`` (the
  average of the mastery-level scores) and ``mode`` (a score's vote). ``most_recent``
  and ``highest`` ignore it: one score decides, whatever its weight.
* **Threshold comparisons** ("at or above") allow :data:`TOLERANCE` for values that come
  out of linear score conversions as 2.9999999999.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "AGGREGATION_METHODS",
    "TOLERANCE",
    "Score",
    "aggregate",
    "at_or_above",
    "describe_aggregation",
    "order_scores",
]

TOLERANCE = 1e-9
"""Slack used by every "at or above the threshold" comparison in the policy methods."""

AGGREGATION_METHODS: dict[str, str] = {
    "most_recent": "the score from the latest assessment date counts alone",
    "highest": "the highest score counts alone",
    "mean": "the average of all scores",
    "decaying_average": (
        "the latest score counts w, the average of all earlier scores 1 - w "
        "(Canvas decaying average, legacy 'weighted average')"
    ),
    "decaying_average_recursive": (
        "each new score counts w and the running result 1 - w (Canvas's newer decaying average)"
    ),
    "power_law": (
        "a curve y = m * x^b fitted to the scores in date order, read at the latest "
        "assessment (Marzano power law); at least 3 scores, else the average"
    ),
    "mode": "the most frequent score; a tie goes to the most recent of the tied scores",
    "n_times": (
        "proficient once at least n scores are at or above the threshold; the value is then "
        "the average of those scores, until then the average of the scores below it"
    ),
}
"""Known method names with one-line plain-language descriptions."""


# Read-only by convention, not frozen: made once per evidence row (see engine.evidence).
@dataclass(slots=True)
class Score:
    """One piece of evidence: a score on a node's proficiency scale.

    ``value`` is on the proficiency scale (not a percent); ``when`` is the assessment
    date; ``key`` is a stable tiebreak such as ``"canvas/result/123"``; ``weight`` is 1.0
    for direct evidence and below 1 for derived evidence (a course grade mapped onto a
    competency). ``value`` must be finite and ``weight`` finite and above 0.
    """

    value: float
    when: datetime.date
    key: str = ""
    weight: float = 1.0

    def __post_init__(self) -> None:
        if not math.isfinite(self.value):
            raise ValueError(f"score value must be a finite number, got {self.value!r}")
        if not (math.isfinite(self.weight) and self.weight > 0):
            raise ValueError(f"score weight must be a finite number above 0, got {self.weight!r}")


def at_or_above(value: float, threshold: float) -> bool:
    """True when ``value >= threshold`` allowing :data:`TOLERANCE` below it."""
    return value >= threshold - TOLERANCE


def order_scores(scores: Iterable[Score]) -> list[Score]:
    """The scores oldest first: by date, then key, then weight, then value (a total order)."""
    return sorted(scores, key=lambda s: (s.when, s.key, s.weight, s.value))


def _weighted_mean(scores: Sequence[Score]) -> float:
    total = math.fsum(s.weight for s in scores)
    return math.fsum(s.value * s.weight for s in scores) / total


def _most_recent(ordered: Sequence[Score]) -> float:
    """The value of the last score by (date, key, weight, value).

    Two scores on the same date are told apart by ``key``; when date and key both tie,
    direct evidence (higher weight) and then the higher value count as the later one, so
    the result never depends on input order.
    """
    return ordered[-1].value


def _highest(ordered: Sequence[Score]) -> float:
    """The maximum value."""
    return max(s.value for s in ordered)


def _mean(ordered: Sequence[Score]) -> float:
    """The weighted mean: sum(value * weight) / sum(weight)."""
    return _weighted_mean(ordered)


def _decaying_average(ordered: Sequence[Score], w: float) -> float:
    """Canvas legacy decaying average ("weighted average").

    ``w * latest + (1 - w) * mean(all earlier scores)``; one score gives that score.
    Scores 1, 2, 3, 4, 5 with w = 0.65 give 0.65 * 5 + 0.35 * 3 = 4.125 (Canvas shows 4.13).
    With derived evidence the latest score's share is ``w * a`` against ``1 - w`` for the
    earlier block (``a`` = its weight), normalised; the earlier mean is weighted by weight.
    With all weights 1 this is exactly the Canvas formula.
    """
    *earlier, latest = ordered
    if not earlier:
        return latest.value
    a = w * latest.weight
    return (a * latest.value + (1 - w) * _weighted_mean(earlier)) / (a + (1 - w))


def _decaying_average_recursive(ordered: Sequence[Score], w: float) -> float:
    """Canvas's newer decaying average: ``r1 = s1``, ``r_k = w * s_k + (1 - w) * r_(k-1)``.

    Scores 1..5 with w = 0.65 give 4.4696 (Canvas shows 4.47). With derived evidence a
    score of weight ``a`` enters with step ``w * a / (w * a + 1 - w)`` instead of ``w``.
    """
    result = ordered[0].value
    for s in ordered[1:]:
        step = w * s.weight / (w * s.weight + (1 - w))
        result = step * s.value + (1 - step) * result
    return result


def _power_law(
    ordered: Sequence[Score], scale_min: float | None, scale_max: float | None
) -> float:
    """Marzano-style power law: fit ``y = m * x^b``, predict at the latest assessment.

    ``x`` is the position 1..k in date order (two scores on one date get consecutive
    positions); ``ln y = ln m + b ln x`` is fitted by (weight-)weighted least squares and
    read at ``x = k``. Fewer than 3 scores: the weighted mean instead. Logarithms need
    positive scores, so when ``scale_min`` (or, without it, the lowest score) is 0 or
    below, every score is shifted up by ``1 - that minimum`` for the fit and back after.
    The prediction extrapolates a trend: it can lie above every real score (or below
    every one); it is clamped to [scale_min, scale_max] where those are given.
    """
    if len(ordered) < 3:
        result = _weighted_mean(ordered)
    else:
        floor = min(s.value for s in ordered) if scale_min is None else min(
            scale_min, min(s.value for s in ordered)
        )
        shift = 1.0 - floor if floor <= 0 else 0.0
        xs = [math.log(i) for i in range(1, len(ordered) + 1)]
        ys = [math.log(s.value + shift) for s in ordered]
        ws = [s.weight for s in ordered]
        total = math.fsum(ws)
        mx = math.fsum(w * x for w, x in zip(ws, xs)) / total
        my = math.fsum(w * y for w, y in zip(ws, ys)) / total
        sxx = math.fsum(w * (x - mx) ** 2 for w, x in zip(ws, xs))
        sxy = math.fsum(w * (x - mx) * (y - my) for w, x, y in zip(ws, xs, ys))
        b = sxy / sxx
        result = math.exp(my + b * (xs[-1] - mx)) - shift
    if scale_min is not None:
        result = max(result, scale_min)
    if scale_max is not None:
        result = min(result, scale_max)
    return result


def _mode(ordered: Sequence[Score]) -> float:
    """The value with the largest total weight (a count when all weights are 1).

    Values are grouped after rounding to 9 decimals. Ties go to the tied value whose
    latest occurrence is most recent (in :func:`order_scores` order).
    """
    votes: dict[float, float] = {}
    last_seen: dict[float, int] = {}
    first_value: dict[float, float] = {}
    for position, s in enumerate(ordered):
        group = round(s.value, 9)
        votes[group] = votes.get(group, 0.0) + s.weight
        last_seen[group] = position
        first_value.setdefault(group, s.value)
    best = max(votes, key=lambda g: (round(votes[g], 9), last_seen[g]))
    return first_value[best]


def _n_times(ordered: Sequence[Score], n: int, threshold: float) -> float | None:
    """The "n times" rule: mastery must be shown at least ``n`` times.

    * At least ``n`` scores at or above ``threshold`` (each score counts once, whatever
      its weight): the weighted mean of exactly those scores (always >= threshold).
    * Otherwise the rule is not met, and the value must say so: the weighted mean of the
      scores *below* the threshold (always < threshold, so "not yet proficient").
    * Otherwise (fewer than ``n`` scores, all of them at mastery): ``None``, too little
      evidence to decide either way.
    """
    met = [s for s in ordered if at_or_above(s.value, threshold)]
    if len(met) >= n:
        return _weighted_mean(met)
    below = [s for s in ordered if not at_or_above(s.value, threshold)]
    return _weighted_mean(below) if below else None


def _check_weight(weight: float) -> float:
    if not (math.isfinite(weight) and 0 < weight <= 1):
        raise ValueError(f"decaying-average weight must be above 0 and at most 1, got {weight!r}")
    return weight


def _check_n_times(n: int | None, threshold: float | None) -> tuple[int, float]:
    if n is None or threshold is None:
        raise ValueError("aggregation method 'n_times' needs both n and threshold")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n_times needs a whole number n of at least 1, got {n!r}")
    if not math.isfinite(threshold):
        raise ValueError(f"n_times needs a finite threshold, got {threshold!r}")
    return n, threshold


_SIMPLE: dict[str, Callable[[Sequence[Score]], float]] = {
    "most_recent": _most_recent,
    "highest": _highest,
    "mean": _mean,
    "mode": _mode,
}
"""Methods that take the ordered scores alone."""


def _check_method(method: str) -> None:
    if method not in AGGREGATION_METHODS:
        known = ", ".join(AGGREGATION_METHODS)
        raise ValueError(f"unknown aggregation method {method!r}; known methods: {known}")


def aggregate(
    method: str,
    scores: Iterable[Score],
    *,
    weight: float = 0.65,
    n: int | None = None,
    threshold: float | None = None,
    scale_min: float | None = None,
    scale_max: float | None = None,
) -> float | None:
    """Aggregate the evidence on one node into one proficiency value.

    ``method`` is one of :data:`AGGREGATION_METHODS`; ``weight`` is the decaying-average
    ``w`` (share of the newest score, 0 < w <= 1; Canvas's default 0.65, Schoology 0.75);
    ``n`` and ``threshold`` are for ``n_times``; ``scale_min``/``scale_max`` clamp
    ``power_law`` (the other methods never leave the range of the scores). Returns
    ``None`` without evidence (and in the ``n_times`` case described there). Raises
    ``ValueError`` for an unknown method or bad parameters, even when there are no scores.
    """
    _check_method(method)
    if scale_min is not None and scale_max is not None and scale_min > scale_max:
        raise ValueError(f"scale_min {scale_min!r} is above scale_max {scale_max!r}")
    if method in ("decaying_average", "decaying_average_recursive"):
        _check_weight(weight)
    if method == "n_times":
        n, threshold = _check_n_times(n, threshold)
    ordered = order_scores(scores)
    if not ordered:
        return None
    simple = _SIMPLE.get(method)
    if simple is not None:
        return simple(ordered)
    if method == "decaying_average":
        return _decaying_average(ordered, weight)
    if method == "decaying_average_recursive":
        return _decaying_average_recursive(ordered, weight)
    if method == "power_law":
        return _power_law(ordered, scale_min, scale_max)
    assert n is not None and threshold is not None
    return _n_times(ordered, n, threshold)


def _pct(share: float) -> str:
    text = f"{share * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _num(value: float) -> str:
    return f"{value:g}"


def describe_aggregation(method: str, **params: object) -> str:
    """One plain-English sentence saying how the method decides, for a school profile.

    Takes the same keyword parameters as :func:`aggregate` (``weight``, ``n``,
    ``threshold``, ``scale_min``, ``scale_max``); unknown methods raise ``ValueError``.
    Example: ``describe_aggregation("decaying_average", weight=0.65)`` gives "The most
    recent score counts 65%, the average of all earlier scores 35% (Canvas decaying
    average)."
    """
    _check_method(method)
    w = float(params.get("weight", 0.65))  # type: ignore[arg-type]
    if method == "most_recent":
        return "The score from the most recent assessment (by assessment date) counts."
    if method == "highest":
        return "The highest score counts."
    if method == "mean":
        return (
            "All scores are averaged; evidence derived from course grades counts at its "
            "reduced weight."
        )
    if method == "decaying_average":
        _check_weight(w)
        return (
            f"The most recent score counts {_pct(w)}, the average of all earlier scores "
            f"{_pct(1 - w)} (Canvas decaying average)."
        )
    if method == "decaying_average_recursive":
        _check_weight(w)
        return (
            f"Each new score counts {_pct(w)} and the result before it {_pct(1 - w)}, so "
            "older scores fade step by step (Canvas's newer decaying average)."
        )
    if method == "power_law":
        bounds = ""
        lo, hi = params.get("scale_min"), params.get("scale_max")
        if lo is not None and hi is not None:
            bounds = f", kept within {_num(float(lo))}-{_num(float(hi))}"  # type: ignore[arg-type]
        return (
            "A learning curve (power law) is fitted to the scores in date order and read "
            f"at the latest assessment{bounds}; it needs at least 3 scores (with fewer, the "
            "scores are averaged) and it can lie above every actual score."
        )
    if method == "mode":
        return (
            "The most frequent score counts; when scores tie, the most recent of them counts."
        )
    n, threshold = _check_n_times(
        params.get("n"), params.get("threshold")  # type: ignore[arg-type]
    )
    times = "once" if n == 1 else f"{n} times"
    return (
        f"A student must score {_num(threshold)} or above at least {times}; the result is "
        f"then the average of those scores, and until then the average of the scores "
        f"below {_num(threshold)}."
    )

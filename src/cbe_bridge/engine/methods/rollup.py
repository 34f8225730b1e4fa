"""Children -> parent: the rollup methods a mapping file can choose (``rollup:``).

A continuum is a tree (competency -> measurement topic -> learning target, or content
area -> level, ...). A parent node's proficiency value is computed from its children's
values by one of the methods below, chosen per node type of the parent. Pure functions:
no I/O, no database.

Every method returns a value on the children's scale, and the parent is proficient
exactly when that value is at or above the threshold (:func:`parent_proficient`):

* ``all_children_proficient``: the minimum child value, so the parent is proficient iff
  every child is. A child without a value makes the parent ``None`` (not yet decidable):
  a parent cannot be "all children proficient" while one child has no evidence.
* ``minimum``: the minimum over the children *that have values* (missing ones ignored).
* ``mean``: the mean of the children that have values.
* ``k_of_n``: the k-th highest child value, so the parent is proficient iff at least
  ``k`` children are; ``None`` while fewer than ``k`` children have values.

``scale_min``, when given, changes how missing children count: a child without a value
counts as ``scale_min`` (the lowest level: no evidence is no demonstrated proficiency)
for every method. A parent none of whose children has a value is ``None`` regardless.
Each method is monotone: raising one child's value never lowers the parent's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .aggregation import at_or_above

__all__ = ["ROLLUP_METHODS", "describe_rollup", "parent_proficient", "rollup"]

ROLLUP_METHODS: dict[str, str] = {
    "all_children_proficient": (
        "proficient only when every part is proficient; the value is the lowest part's value"
    ),
    "mean": "the average of the parts that have a value",
    "minimum": "the lowest value among the parts that have a value",
    "k_of_n": "proficient when at least k parts are proficient; the value is the k-th highest",
}
"""Known rollup method names with one-line plain-language descriptions."""


def _check(method: str, child_values: Sequence[float | None], threshold: float) -> None:
    if method not in ROLLUP_METHODS:
        known = ", ".join(ROLLUP_METHODS)
        raise ValueError(f"unknown rollup method {method!r}; known methods: {known}")
    if not math.isfinite(threshold):
        raise ValueError(f"rollup threshold must be a finite number, got {threshold!r}")
    for position, value in enumerate(child_values):
        if value is not None and not math.isfinite(value):
            raise ValueError(f"child value at position {position} is not finite: {value!r}")


def _check_k(k: int | None, children: int) -> int:
    if k is None or isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"rollup method 'k_of_n' needs a whole number k of at least 1, got {k!r}")
    if k > children:
        raise ValueError(
            f"rollup method 'k_of_n' needs k ({k}) at most the number of children ({children})"
        )
    return k


def rollup(
    method: str,
    child_values: Sequence[float | None],
    *,
    threshold: float,
    k: int | None = None,
    scale_min: float | None = None,
) -> float | None:
    """The parent's value from its children's values (``None`` = child has no value).

    ``method`` is one of :data:`ROLLUP_METHODS` (see the module docstring for each);
    ``threshold`` is the proficiency threshold of the scale (validated, and the meaning
    of the result: see :func:`parent_proficient`); ``k`` is for ``k_of_n`` and must be
    between 1 and the number of children; ``scale_min`` makes missing children count as
    the lowest level. Raises ``ValueError`` for an unknown method or bad parameters.
    """
    _check(method, child_values, threshold)
    if method == "k_of_n":
        k = _check_k(k, len(child_values))
    present = [v for v in child_values if v is not None]
    if not present:
        return None
    if scale_min is not None:
        if not math.isfinite(scale_min):
            raise ValueError(f"scale_min must be a finite number, got {scale_min!r}")
        values = [scale_min if v is None else v for v in child_values]
        missing = False
    else:
        values = present
        missing = len(present) < len(child_values)
    if method == "all_children_proficient":
        return None if missing else min(values)
    if method == "minimum":
        return min(values)
    if method == "mean":
        return math.fsum(values) / len(values)
    assert k is not None
    if len(values) < k:
        return None
    return sorted(values, reverse=True)[k - 1]


def parent_proficient(value: float | None, threshold: float) -> bool | None:
    """True/False for a rolled-up value against the threshold; ``None`` for no value."""
    if value is None:
        return None
    return at_or_above(value, threshold)


def describe_rollup(method: str, **params: object) -> str:
    """One plain-English sentence saying how a parent's result follows from its parts.

    Takes ``k`` for ``k_of_n`` and optionally ``threshold`` and ``scale_min`` as in
    :func:`rollup`; ``parts`` (default "parts") names the children, e.g.
    ``describe_rollup("k_of_n", k=3, parts="learning targets")``.
    """
    if method not in ROLLUP_METHODS:
        known = ", ".join(ROLLUP_METHODS)
        raise ValueError(f"unknown rollup method {method!r}; known methods: {known}")
    parts = str(params.get("parts", "parts"))
    threshold = params.get("threshold")
    level = "proficient"
    if threshold is not None:
        level = f"proficient ({float(threshold):g} or above)"  # type: ignore[arg-type]
    missing = (
        f" {parts.capitalize()} without evidence count as the lowest level."
        if params.get("scale_min") is not None
        else ""
    )
    if method == "all_children_proficient":
        text = (
            f"A student is {level} only when every one of the {parts} is; the result is the "
            f"lowest result among the {parts}, and there is none while any of them has no "
            "evidence."
        )
    elif method == "mean":
        text = f"The result is the average of the results on the {parts} that have evidence."
    elif method == "minimum":
        text = f"The result is the lowest result among the {parts} that have evidence."
    else:
        k = params.get("k")
        if k is None or isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(
                f"rollup method 'k_of_n' needs a whole number k of at least 1, got {k!r}"
            )
        text = (
            f"A student is {level} when at least {k} of the {parts} are; the result is the "
            f"{_ordinal(k)}highest result among the {parts}."
        )
    return text + missing


def _ordinal(k: int) -> str:
    if k == 1:
        return ""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix} "

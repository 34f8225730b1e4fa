"""Unit tests for back-translated GPA."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cbe_bridge.engine.methods.gpa import CourseMark, MarkRef, gpa, latest_attempt_only

POINTS = {"A": 4.0, "B": 3.0, "C": 2.0, "D": 1.0, "F": 0.0}
WEIGHTS = {"honors": 0.5, "ap": 1.0, "dual_enrollment": 1.0}

MARKS = [
    CourseMark("ENG9", "2024-S1", "A", 1.0, 1.0),
    CourseMark("CHEM-H", "2024-S1", "B", 1.0, 1.0, "honors"),
    CourseMark("CALC-AP", "2024-S1", "A", 1.0, 1.0, "ap"),
    CourseMark("USH-AP", "2024-S1", "C", 1.0, 1.0, "ap"),
    CourseMark("PE", "2024-S1", "P", 0.5, 0.5),
    CourseMark("ART-H", "2024-S1", "F", 0.5, 0.0, "honors"),
    CourseMark("BIO", "2024-S1", "I", 1.0, 0.0),
]


def test_unweighted_gpa() -> None:
    figure = gpa(MARKS, POINTS, WEIGHTS, 4.0, weighted=False)
    assert figure.quality_points == 13.0
    assert figure.credits == 4.5
    assert figure.value == pytest.approx(13 / 4.5)
    assert figure.rounded == Decimal("2.89")
    assert figure.weighted is False
    assert figure.excluded == (MarkRef("BIO", "2024-S1", "I"), MarkRef("PE", "2024-S1", "P"))
    assert len(figure.counted) == 5


def test_weighted_gpa_honors_and_ap() -> None:
    figure = gpa(MARKS, POINTS, WEIGHTS, 4.0, weighted=True)
    # A 4 + honors B 3.5 + AP A 5 + AP C 3 + honors F 0 (no bonus for failing)
    assert figure.quality_points == 15.5
    assert figure.rounded == Decimal("3.44")


def test_weighted_points_capped_at_scale_max_plus_max_weight() -> None:
    points = {**POINTS, "A+": 4.3}
    figure = gpa([CourseMark("X", "T", "A+", 1, 1, "ap")], points, WEIGHTS, 4.0, weighted=True)
    assert figure.value == 5.0
    plain = gpa([CourseMark("X", "T", "A+", 1, 1, "ap")], points, WEIGHTS, 4.0, weighted=False)
    assert plain.value == pytest.approx(4.3)


def test_rounding_is_half_up_on_decimal_values() -> None:
    marks = [CourseMark("A", "T", "A", 0.5, 0.5), CourseMark("B", "T", "B", 0.25, 0.25),
             CourseMark("C", "T", "B", 0.25, 0.25)]
    points = {"A": 3.25, "B": 3.0}
    figure = gpa(marks, points, {}, 4.0, weighted=False)
    assert figure.value == 3.125
    assert figure.rounded == Decimal("3.13")
    # a decimal half that binary floating point cannot hold exactly
    figure = gpa([CourseMark("A", "T", "X", 1, 1)], {"X": 2.675}, {}, 4.0, weighted=False)
    assert figure.rounded == Decimal("2.68")


def test_no_counted_credits_is_no_gpa() -> None:
    figure = gpa([CourseMark("PE", "T", "P", 1, 1)], POINTS, WEIGHTS, 4.0, weighted=True)
    assert figure.value is None and figure.rounded is None
    assert figure.credits == 0.0 and figure.counted == ()


def test_bad_weights_and_credits() -> None:
    with pytest.raises(ValueError, match="at least 0"):
        gpa(MARKS, POINTS, {"honors": -0.5}, 4.0, weighted=True)
    with pytest.raises(ValueError, match="credits_attempted"):
        CourseMark("X", "T", "A", -1, 0)


def test_points_that_are_not_numbers_are_named_even_when_they_cannot_be_cached() -> None:
    with pytest.raises(ValueError, match=r"points for 'A' must be a finite number, got \[4\]"):
        gpa(MARKS, {**POINTS, "A": [4]}, WEIGHTS, 4.0, weighted=False)
    with pytest.raises(ValueError, match="points for 'A' must be a finite number, got 'x'"):
        gpa(MARKS, {**POINTS, "A": "x"}, WEIGHTS, 4.0, weighted=False)


def test_latest_attempt_only_by_term_text() -> None:
    first = CourseMark("ALG1", "2023-2024-S1", "D", 1, 1)
    second = CourseMark("ALG1", "2023-2024-S2", "B", 1, 1)
    other = CourseMark("ENG9", "2023-2024-S1", "A", 1, 1)
    assert latest_attempt_only([second, other, first]) == [second, other]


def test_latest_attempt_only_with_term_order_and_withdrawals() -> None:
    fall = CourseMark("ALG1", "FA23", "D", 1, 1)
    spring = CourseMark("ALG1", "SP24", "B", 1, 1)
    withdrawn = CourseMark("ALG1", "FA24", "W", 1, 0)
    order = {"FA23": 1, "SP24": 2, "FA24": 3}
    assert latest_attempt_only([fall, spring], term_order=order) == [spring]
    assert latest_attempt_only([spring, fall], term_order=order.get) == [spring]
    assert latest_attempt_only([fall, withdrawn], term_order=order) == [withdrawn]
    assert latest_attempt_only([fall, withdrawn], term_order=order, not_attempts={"W"}) == [fall]
    assert latest_attempt_only([withdrawn], term_order=order, not_attempts={"W"}) == [withdrawn]
    with pytest.raises(ValueError, match="'SP25' has no place"):
        latest_attempt_only([CourseMark("X", "SP25", "A", 1, 1)], term_order=order)

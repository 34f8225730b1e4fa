"""Unit tests for evidence aggregation, with the vendor figures from DOMAIN.md."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cbe_bridge.engine.methods.aggregation import (
    AGGREGATION_METHODS,
    Score,
    aggregate,
    describe_aggregation,
    order_scores,
)

D0 = date(2024, 9, 1)


def series(*values: float, weight: float = 1.0) -> list[Score]:
    """Scores on consecutive days, in the order given."""
    return [Score(v, D0 + timedelta(days=i), f"r{i}", weight) for i, v in enumerate(values)]


def test_canvas_legacy_decaying_average_vendor_figure() -> None:
    # Canvas: 0.65 * 5 + 0.35 * mean(1, 2, 3, 4) = 4.125, shown as 4.13
    assert aggregate("decaying_average", series(1, 2, 3, 4, 5)) == pytest.approx(4.125)
    assert round(aggregate("decaying_average", series(1, 2, 3, 4, 5)) + 1e-9, 2) == 4.13


def test_canvas_recursive_decaying_average_vendor_figure() -> None:
    result = aggregate("decaying_average_recursive", series(1, 2, 3, 4, 5))
    assert result == pytest.approx(4.46961875)
    assert round(result, 2) == 4.47


def test_schoology_default_weight() -> None:
    assert aggregate("decaying_average", series(2, 4), weight=0.75) == pytest.approx(3.5)


@pytest.mark.parametrize("method", ["decaying_average", "decaying_average_recursive", "mean"])
def test_one_score_gives_that_score(method: str) -> None:
    assert aggregate(method, series(2.5)) == 2.5


@pytest.mark.parametrize("method", sorted(AGGREGATION_METHODS))
def test_no_evidence_is_none(method: str) -> None:
    assert aggregate(method, [], n=2, threshold=3) is None


def test_most_recent_uses_assessment_date_not_input_order() -> None:
    late = Score(1.0, date(2024, 12, 1), "b")
    early = Score(4.0, date(2024, 10, 1), "a")
    assert aggregate("most_recent", [late, early]) == 1.0
    assert aggregate("most_recent", [early, late]) == 1.0


def test_most_recent_same_day_breaks_tie_by_key() -> None:
    day = date(2024, 10, 1)
    scores = [Score(2.0, day, "canvas/9"), Score(3.0, day, "canvas/10")]
    # "canvas/9" sorts after "canvas/10" as text
    assert aggregate("most_recent", scores) == 2.0
    assert aggregate("most_recent", list(reversed(scores))) == 2.0


def test_order_scores_is_total() -> None:
    day = date(2024, 10, 1)
    a, b = Score(3.0, day, "x"), Score(2.0, day, "x")
    assert order_scores([a, b]) == order_scores([b, a]) == [b, a]
    derived = Score(4.0, day, "x", weight=0.5)
    assert order_scores([a, derived, b]) == [derived, b, a]


def test_same_day_same_key_direct_evidence_counts_as_later() -> None:
    day = date(2024, 10, 1)
    scores = [Score(2.0, day), Score(4.0, day, weight=0.5)]
    assert aggregate("most_recent", scores) == 2.0


def test_tie_order_keeps_decaying_average_monotone() -> None:
    # with ties ordered by value before weight, raising 3.9 -> 4.1 lowered this result
    earlier = Score(0.0, date(2024, 1, 1))
    day = date(2024, 1, 2)
    before = [earlier, Score(4.0, day, weight=1.0), Score(3.9, day, weight=0.25)]
    after = [earlier, Score(4.0, day, weight=1.0), Score(4.1, day, weight=0.25)]
    assert aggregate("decaying_average", after) >= aggregate("decaying_average", before)


def test_highest_and_mean() -> None:
    assert aggregate("highest", series(2, 4, 3)) == 4
    assert aggregate("mean", series(2, 4, 3)) == pytest.approx(3)


def test_mean_weights_derived_evidence() -> None:
    scores = [Score(4.0, D0, "direct"), Score(1.0, D0, "course-grade", weight=0.5)]
    assert aggregate("mean", scores) == pytest.approx((4 + 0.5) / 1.5)


def test_decaying_average_with_derived_latest_counts_less() -> None:
    direct = Score(2.0, D0, "a")
    derived = Score(4.0, D0 + timedelta(days=1), "b", weight=0.5)
    # latest share w * a = 0.325 against 0.35 for the earlier block
    expected = (0.325 * 4 + 0.35 * 2) / (0.325 + 0.35)
    assert aggregate("decaying_average", [direct, derived]) == pytest.approx(expected)
    assert aggregate("decaying_average", [direct, Score(4.0, derived.when, "b")]) == pytest.approx(
        0.65 * 4 + 0.35 * 2
    )


def test_most_recent_and_highest_ignore_weight() -> None:
    scores = series(1, 3.5, weight=0.25)
    assert aggregate("most_recent", scores) == 3.5
    assert aggregate("highest", scores) == 3.5


def test_power_law_can_exceed_every_real_score() -> None:
    scores = series(2, 3, 3.5, 3.5)
    result = aggregate("power_law", scores)
    assert result is not None and result > 3.5
    assert aggregate("power_law", scores, scale_min=0, scale_max=3.5) == 3.5


def test_power_law_exact_power_curve() -> None:
    # y = x exactly: predicted at x = 3 is 3
    assert aggregate("power_law", series(1, 2, 3)) == pytest.approx(3)
    assert aggregate("power_law", series(2, 2, 2)) == pytest.approx(2)


def test_power_law_needs_three_scores_else_mean() -> None:
    assert aggregate("power_law", series(1, 4)) == pytest.approx(2.5)


def test_power_law_handles_zero_scores_on_a_zero_based_scale() -> None:
    result = aggregate("power_law", series(0, 1, 2, 3), scale_min=0, scale_max=4)
    assert result is not None and 2.5 < result <= 4


def test_mode_most_frequent_and_tie_to_most_recent() -> None:
    assert aggregate("mode", series(3, 2, 3, 4)) == 3
    assert aggregate("mode", series(4, 4, 2, 2)) == 2
    assert aggregate("mode", series(2, 2, 4, 4)) == 4


def test_mode_weighted_votes() -> None:
    scores = [Score(2.0, D0, "a"), Score(3.0, D0, "b", 0.5), Score(3.0, D0, "c", 0.25)]
    assert aggregate("mode", scores) == 2.0


def test_n_times_met_averages_the_mastery_scores() -> None:
    assert aggregate("n_times", series(2, 3, 1, 4), n=2, threshold=3) == pytest.approx(3.5)


def test_n_times_not_met_stays_below_threshold() -> None:
    result = aggregate("n_times", series(4, 4, 1, 2), n=3, threshold=3)
    assert result == pytest.approx(1.5)


def test_n_times_too_few_scores_all_at_mastery_is_none() -> None:
    assert aggregate("n_times", series(4, 3), n=3, threshold=3) is None


def test_n_times_threshold_tolerance() -> None:
    assert aggregate("n_times", series(2.9999999999999), n=1, threshold=3) == pytest.approx(3)


def test_unknown_method_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known methods: most_recent, highest"):
        aggregate("median", series(1))


@pytest.mark.parametrize("weight", [0, -0.1, 1.5, float("nan")])
def test_bad_decaying_weight(weight: float) -> None:
    with pytest.raises(ValueError, match="weight"):
        aggregate("decaying_average", series(1), weight=weight)


@pytest.mark.parametrize("kwargs", [{}, {"n": 2}, {"threshold": 3}, {"n": 0, "threshold": 3}])
def test_n_times_needs_n_and_threshold(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="n_times"):
        aggregate("n_times", series(1), **kwargs)


def test_bad_scale_bounds() -> None:
    with pytest.raises(ValueError, match="scale_min"):
        aggregate("power_law", series(1, 2, 3), scale_min=4, scale_max=1)


@pytest.mark.parametrize("kwargs", [{"value": float("nan")}, {"weight": 0}, {"weight": -1}])
def test_score_validation(kwargs: dict[str, float]) -> None:
    fields: dict = {"value": 1.0, "when": D0, **kwargs}
    with pytest.raises(ValueError):
        Score(**fields)


def test_describe_decaying_average_sentence() -> None:
    assert describe_aggregation("decaying_average", weight=0.65) == (
        "The most recent score counts 65%, the average of all earlier scores 35% "
        "(Canvas decaying average)."
    )
    assert "75%" in describe_aggregation("decaying_average_recursive", weight=0.75)


@pytest.mark.parametrize("method", sorted(AGGREGATION_METHODS))
def test_every_method_is_described(method: str) -> None:
    text = describe_aggregation(method, n=2, threshold=3, weight=0.65)
    assert text.endswith(".") and len(text) > 20


def test_describe_n_times_and_unknown() -> None:
    assert "at least 2 times" in describe_aggregation("n_times", n=2, threshold=3)
    with pytest.raises(ValueError):
        describe_aggregation("n_times")
    with pytest.raises(ValueError, match="known methods"):
        describe_aggregation("median")

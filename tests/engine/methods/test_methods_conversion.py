"""Unit tests for proficiency -> letter conversions and the course-grade helpers."""

from __future__ import annotations

import pytest

from cbe_bridge.engine.methods.conversion import (
    CountRule,
    count_rule,
    cut_points,
    letter_to_percent,
    percent_to_value,
)

MARZANO = [(3.0, "A"), (2.5, "B"), (2.0, "C"), (1.0, "D")]


@pytest.mark.parametrize(
    ("value", "letter"),
    [(4.0, "A"), (3.0, "A"), (2.99, "B"), (2.5, "B"), (2.49, "C"), (2.0, "C"), (1.99, "D"),
     (1.0, "D"), (2.9999999999999, "A")],
)
def test_marzano_table(value: float, letter: str) -> None:
    assert cut_points(value, MARZANO) == letter
    assert cut_points(value, list(reversed(MARZANO))) == letter


def test_cut_points_errors() -> None:
    with pytest.raises(ValueError, match=r"0\.5 is below every cut point"):
        cut_points(0.5, MARZANO)
    with pytest.raises(ValueError, match="repeat a minimum: 3"):
        cut_points(3.5, [(3, "A"), (3.0, "B")])
    with pytest.raises(ValueError, match="finite"):
        cut_points(float("nan"), MARZANO)
    with pytest.raises(ValueError, match="no cut points"):
        cut_points(3, [])
    assert cut_points(0.5, [*MARZANO, (0, "F")]) == "F"


DOMAIN_RULES = [
    CountRule("I", min_count_below=1, below=2),  # any 1 -> incomplete
    CountRule("A", 1.0, 3),  # all 3s and 4s
    CountRule("B", 0.5, 3, max_count_below=0, below=2),  # at least half 3s/4s, no 1s
]


@pytest.mark.parametrize(
    ("values", "letter"),
    [([3, 4, 3, 4], "A"), ([3, 4, 2, 2], "B"), ([3, 2, 2, 2], "C"), ([4, 4, 4, 1], "I"),
     ([4], "A"), ([2.5, 3], "B")],
)
def test_domain_count_rules(values: list[float], letter: str) -> None:
    assert count_rule(values, DOMAIN_RULES, otherwise="C") == letter


def test_count_rules_first_match_wins() -> None:
    rules = [CountRule("B", 0.5, 3), CountRule("A", 1.0, 3)]
    assert count_rule([4, 4], rules, otherwise="C") == "B"


def test_no_1s_expressed_without_min_count() -> None:
    # "any 1 -> I" as the fallback: every lettered rule forbids 1s
    rules = [CountRule("A", 1.0, 3), CountRule("B", 0.5, 3, 0, 2), CountRule("C", 0.0, 0, 0, 2)]
    assert count_rule([3, 3, 1], rules, otherwise="I") == "I"
    assert count_rule([3, 2, 2], rules, otherwise="I") == "C"


def test_count_rule_errors() -> None:
    with pytest.raises(ValueError, match="at least one value"):
        count_rule([], DOMAIN_RULES, otherwise="I")
    with pytest.raises(ValueError, match="needs 'below'"):
        CountRule("B", 0.5, 3, max_count_below=0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        CountRule("A", 1.5, 3)
    with pytest.raises(ValueError, match="whole number"):
        CountRule("A", max_count_below=-1, below=2)
    with pytest.raises(ValueError, match="letter"):
        CountRule("")


def test_percent_to_value() -> None:
    bands = [(0, 1.0), (70, 2.0), (90, 4.0), (80, 3.0)]
    assert percent_to_value(85, bands) == 3.0
    assert percent_to_value(69.5, bands) == 1.0
    assert percent_to_value(104, bands) == 4.0
    with pytest.raises(ValueError, match=r"-5 is below every percent band"):
        percent_to_value(-5, bands)
    with pytest.raises(ValueError, match="percent must be a finite number, got 'x'"):
        percent_to_value("x", bands)  # type: ignore[arg-type]


def test_letter_to_percent() -> None:
    table = {"A": 95, "A-": 91, "B+": 88}
    assert letter_to_percent("A-", table) == 91
    assert letter_to_percent(" b+ ", table) == 88
    message = r"letter 'Z' is not in the grade table \(known: A, A-, B\+\)"
    with pytest.raises(ValueError, match=message):
        letter_to_percent("Z", table)

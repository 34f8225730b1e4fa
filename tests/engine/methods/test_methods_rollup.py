"""Unit tests for rolling children's values up to a parent."""

from __future__ import annotations

import pytest

from cbe_bridge.engine.methods.rollup import (
    ROLLUP_METHODS,
    describe_rollup,
    parent_proficient,
    rollup,
)


def test_all_children_proficient_is_the_minimum() -> None:
    assert rollup("all_children_proficient", [3, 4, 3.5], threshold=3) == 3
    assert rollup("all_children_proficient", [3, 4, 2], threshold=3) == 2


def test_all_children_proficient_missing_child_is_none() -> None:
    assert rollup("all_children_proficient", [4, None, 4], threshold=3) is None


def test_minimum_and_mean_skip_missing_children() -> None:
    assert rollup("minimum", [4, None, 3], threshold=3) == 3
    assert rollup("mean", [4, None, 2], threshold=3) == 3


def test_scale_min_counts_missing_children_as_lowest() -> None:
    assert rollup("all_children_proficient", [4, None], threshold=3, scale_min=1) == 1
    assert rollup("mean", [4, None], threshold=3, scale_min=0) == 2
    assert rollup("k_of_n", [4, None, 3], threshold=3, k=3, scale_min=1) == 1


@pytest.mark.parametrize("method", sorted(ROLLUP_METHODS))
def test_no_child_values_is_none(method: str) -> None:
    assert rollup(method, [None, None], threshold=3, k=1) is None
    assert rollup(method, [None, None], threshold=3, k=1, scale_min=1) is None


def test_k_of_n_is_the_kth_highest() -> None:
    children = [2, 3, 4, 3.5, 1]
    assert rollup("k_of_n", children, threshold=3, k=3) == 3
    assert parent_proficient(rollup("k_of_n", children, threshold=3, k=3), 3) is True
    assert parent_proficient(rollup("k_of_n", children, threshold=3, k=4), 3) is False


def test_k_of_n_fewer_than_k_values_is_none() -> None:
    assert rollup("k_of_n", [4, None, None], threshold=3, k=2) is None


@pytest.mark.parametrize("k", [None, 0, 4, True])
def test_k_of_n_bad_k(k: object) -> None:
    with pytest.raises(ValueError, match="k_of_n"):
        rollup("k_of_n", [1, 2, 3], threshold=3, k=k)  # type: ignore[arg-type]


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="known methods: all_children_proficient"):
        rollup("median", [1], threshold=3)
    with pytest.raises(ValueError, match="position 1"):
        rollup("mean", [1, float("nan")], threshold=3)
    with pytest.raises(ValueError, match="threshold"):
        rollup("mean", [1], threshold=float("inf"))


def test_parent_proficient() -> None:
    assert parent_proficient(None, 3) is None
    assert parent_proficient(2.9999999999999, 3) is True
    assert parent_proficient(2.9, 3) is False


def test_describe_rollup() -> None:
    text = describe_rollup("k_of_n", k=3, threshold=3, parts="learning targets")
    assert text == (
        "A student is proficient (3 or above) when at least 3 of the learning targets are; "
        "the result is the 3rd highest result among the learning targets."
    )
    assert "lowest level" in describe_rollup("mean", scale_min=1)
    for method in ROLLUP_METHODS:
        assert describe_rollup(method, k=2).endswith(".")
    with pytest.raises(ValueError):
        describe_rollup("k_of_n")
    with pytest.raises(ValueError):
        describe_rollup("median")

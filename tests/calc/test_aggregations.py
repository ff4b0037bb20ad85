"""Grouped aggregations over symbol indices: NULLs, text values, empty groups, DISTINCT."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from openqix.calc import aggregate as agg_module
from openqix.calc.aggregate import aggregate, unique_pairs
from openqix.calc.errors import CalcError

# Symbols: 0 -> 10, 1 -> 20, 2 -> "text", 3 -> 5
NUMBERS = np.array([10.0, 20.0, np.nan, 5.0])
GROUPS = np.array([0, 0, 0, 0, 1, 1, 3], dtype=np.int64)
SYMBOLS = np.array([0, 1, 1, -1, 2, 3, 2], dtype=np.int32)


def run(func: str, distinct: bool = False) -> npt.NDArray[np.float64]:
    return aggregate(func, GROUPS, 4, SYMBOLS, NUMBERS, distinct=distinct)


def test_sum_ignores_nulls_and_text_and_empty_groups_are_zero() -> None:
    assert run("sum").tolist() == [50.0, 5.0, 0.0, 0.0]


def test_count_counts_every_non_null_value_including_text() -> None:
    assert run("count").tolist() == [3.0, 2.0, 0.0, 1.0]


def test_avg_min_max_are_null_for_groups_without_numbers() -> None:
    np.testing.assert_array_equal(run("avg"), [50 / 3, 5.0, np.nan, np.nan])
    np.testing.assert_array_equal(run("min"), [10.0, 5.0, np.nan, np.nan])
    np.testing.assert_array_equal(run("max"), [20.0, 5.0, np.nan, np.nan])


def test_distinct_counts_and_sums_each_value_once_per_group() -> None:
    assert run("count", distinct=True).tolist() == [2.0, 2.0, 0.0, 1.0]
    assert run("sum", distinct=True).tolist() == [30.0, 5.0, 0.0, 0.0]
    np.testing.assert_array_equal(run("avg", distinct=True), [15.0, 5.0, np.nan, np.nan])


def test_unknown_aggregation_is_refused() -> None:
    with pytest.raises(CalcError):
        run("average")


def test_min_max_of_negative_and_infinite_values() -> None:
    numbers = np.array([-np.inf, -3.0, 7.0])
    groups = np.zeros(3, dtype=np.int64)
    symbols = np.array([0, 1, 2], dtype=np.int32)
    assert aggregate("min", groups, 1, symbols, numbers).tolist() == [-np.inf]
    assert aggregate("max", groups, 1, symbols, numbers).tolist() == [7.0]


@pytest.mark.parametrize("limit", [1 << 25, 0])
def test_unique_pairs_bitmap_and_sort_paths_agree(
    monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    monkeypatch.setattr(agg_module, "_BITMAP_LIMIT", limit)
    left = np.array([2, 0, 2, 1, 0, 2], dtype=np.int64)
    right = np.array([1, 3, 1, -1, 3, 0], dtype=np.int64)
    lhs, rhs = unique_pairs(left, 3, right, 4)
    assert list(zip(lhs.tolist(), rhs.tolist(), strict=True)) == [(0, 3), (2, 0), (2, 1)]

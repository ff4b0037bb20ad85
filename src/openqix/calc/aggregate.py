"""Vectorised aggregations of one field's values grouped by a group-id array.

Records come in as (group id, symbol index) pairs, symbol -1 = NULL; the numbers of the
field's symbols (NaN for text) give Sum/Avg/Min/Max their operands. Empty groups: Sum and
Count 0, Avg/Min/Max NULL (NaN). Count counts every non-NULL value, text included.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from openqix.calc.measures import AGGREGATIONS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_BITMAP_LIMIT = 1 << 25  # group x value cells up to which a bitmap beats sorting


def unique_pairs(
    left: npt.NDArray[np.integer], n_left: int, right: npt.NDArray[np.integer], n_right: int
) -> tuple[IntArray, IntArray]:
    """Distinct (left, right) pairs with right >= 0, sorted by left then right.

    A bitmap over left x right when it is small, else a sort of the combined int64 key.
    """
    keep = right >= 0
    lhs = left[keep].astype(np.int64, copy=False)
    rhs = right[keep].astype(np.int64, copy=False)
    width = max(n_right, 1)
    key = lhs * width + rhs
    if n_left * width <= _BITMAP_LIMIT:
        seen = np.zeros(n_left * width, dtype=np.bool_)
        seen[key] = True
        uniq = np.flatnonzero(seen)
    else:
        uniq = _sorted_unique(key)
    return uniq // width, uniq % width


def _sorted_unique(key: IntArray) -> IntArray:
    """np.unique by sorting (numpy's hash-based unique is several times slower here)."""
    ordered = np.sort(key)
    if ordered.size == 0:
        return ordered
    first = np.empty(ordered.size, dtype=np.bool_)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def aggregate(
    func: str,
    groups: npt.NDArray[np.integer],
    n_groups: int,
    symbols: npt.NDArray[np.integer],
    numbers: FloatArray,
    *,
    distinct: bool = False,
) -> FloatArray:
    """`func` (sum/count/avg/min/max) of the records' values per group, as float64."""
    if func not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {func!r}")
    if distinct:
        ids, codes = unique_pairs(groups, n_groups, symbols, len(numbers))
    else:
        keep = symbols >= 0
        ids, codes = groups[keep].astype(np.int64), symbols[keep].astype(np.int64)
    if func == "count":
        return np.bincount(ids, minlength=n_groups).astype(np.float64)
    values = numbers[codes]
    numeric = ~np.isnan(values)
    ids, values = ids[numeric], values[numeric]
    if func == "sum":
        return np.asarray(np.bincount(ids, weights=values, minlength=n_groups), dtype=np.float64)
    if func == "avg":
        return _average(ids, values, n_groups)
    return _extreme(func, ids, values, n_groups)


def _average(groups: IntArray, values: FloatArray, n_groups: int) -> FloatArray:
    totals = np.asarray(np.bincount(groups, weights=values, minlength=n_groups), np.float64)
    counts = np.bincount(groups, minlength=n_groups)
    out = np.full(n_groups, np.nan)
    has = counts > 0
    out[has] = totals[has] / counts[has]
    return out


def _extreme(func: str, groups: IntArray, values: FloatArray, n_groups: int) -> FloatArray:
    if func == "min":
        out = np.full(n_groups, np.inf)
        np.minimum.at(out, groups, values)
    else:
        out = np.full(n_groups, -np.inf)
        np.maximum.at(out, groups, values)
    counts = np.bincount(groups, minlength=n_groups)
    out[counts == 0] = np.nan
    return out

"""Chart inter-record functions: Rank, Above, Below, RowNo, ColumnNo, Dimensionality and
SecondaryDimensionality, computed over the chart rows' column segments (rows with equal
values in all dimensions but the last; the whole column with TOTAL) in dimension order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from openqix.calc.evaluate import ExpressionError
from openqix.calc.functions._common import numbers
from openqix.calc.values import Duals
from openqix.lang.expression import Call
from openqix.objects.associations import group_rows

if TYPE_CHECKING:
    from openqix.calc.chart import ChartEvaluator

IntArray = npt.NDArray[np.int64]
INTER_RECORD = frozenset(
    {"RANK", "ABOVE", "BELOW", "ROWNO", "COLUMNNO", "DIMENSIONALITY", "SECONDARYDIMENSIONALITY"}
)


def _segments(ev: ChartEvaluator, total: bool) -> IntArray:
    """Column segment of each row: rows with equal values in all dimensions but the last."""
    dims = ev.rows.codes
    if total or len(dims) <= 1:
        return np.zeros(ev.n, dtype=np.int64)
    grouped = group_rows([c.astype(np.int32) for c in dims[:-1]], ev.n)
    return grouped.ids


def inter_record(ev: ChartEvaluator, node: Call) -> Duals:
    name = node.upper
    total = node.total
    n = ev.n
    if name == "ROWNO":
        seg = _segments(ev, total)
        return Duals.of_numbers(_position_in_segment(seg) + 1.0)
    if name == "COLUMNNO":
        return Duals.of_numbers(np.zeros(n))
    if name == "DIMENSIONALITY":
        return Duals.of_numbers(np.full(n, float(len(ev.rows.dims))))
    if name == "SECONDARYDIMENSIONALITY":
        return Duals.of_numbers(np.zeros(n))
    if not node.args:
        raise ExpressionError(node.name, f"{node.name}() needs an argument", node.pos)
    values = ev.eval(node.args[0])
    seg = _segments(ev, total)
    if name == "RANK":
        return _rank(values, seg)
    offset = 1
    if len(node.args) > 1:
        arg = numbers(ev.eval(node.args[1]))
        offset = int(arg[0]) if len(arg) and arg[0] == arg[0] else 1
    shift = -offset if name == "ABOVE" else offset
    order = np.lexsort((np.arange(n), seg))
    sorted_seg = seg[order]
    target = np.arange(n) + shift
    ok = (target >= 0) & (target < n)
    ok[ok] &= sorted_seg[np.clip(target[ok], 0, n - 1)] == sorted_seg[ok]
    out = Duals.null(n)
    rows_sorted = order[ok]
    src = order[target[ok]]
    out.num[rows_sorted] = values.num[src]
    out.text[rows_sorted] = values.text[src]
    return out


def _position_in_segment(seg: IntArray) -> npt.NDArray[np.float64]:
    order = np.lexsort((np.arange(len(seg)), seg))
    sorted_seg = seg[order]
    starts = (
        np.flatnonzero(np.insert(sorted_seg[1:] != sorted_seg[:-1], 0, True)) if len(seg) else seg
    )
    start_of = np.zeros(len(seg), dtype=np.int64)
    if len(seg):
        start_of[starts] = starts
        start_of = np.maximum.accumulate(start_of)
    pos = np.empty(len(seg), dtype=np.float64)
    pos[order] = np.arange(len(seg)) - start_of
    return pos


def _rank(values: Duals, seg: IntArray) -> Duals:
    """Highest value ranks 1; equal values share the lowest rank number of their group."""
    num = values.num
    out = np.full(len(num), np.nan)
    ok = np.flatnonzero(~np.isnan(num))
    for s in np.unique(seg[ok]).tolist():
        members = ok[seg[ok] == s]
        vals = num[members]
        ordered = np.sort(vals)[::-1]
        out[members] = np.searchsorted(-ordered, -vals, side="left") + 1.0
    return Duals.of_numbers(out)

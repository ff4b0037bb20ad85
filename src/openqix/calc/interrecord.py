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
        mode, fmt = (_constant(ev, node, i) for i in (1, 2))
        return _rank(values, seg, mode, fmt)
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


def _constant(ev: ChartEvaluator, node: Call, index: int) -> int:
    """An optional integer argument (mode, format), 0 when absent."""
    if len(node.args) <= index:
        return 0
    arg = numbers(ev.eval(node.args[index]))
    return int(arg[0]) if len(arg) and arg[0] == arg[0] else 0


def _rank(values: Duals, seg: IntArray, mode: int = 0, fmt: int = 0) -> Duals:
    """Highest value ranks 1. Rows sharing a value form a group with ranks low..high:
    mode 0 gives the lowest rank when the group lies below the middle of the ranking, the
    highest above it, the middle of the whole ranking across it; 1 lowest, 2 average,
    3 highest, 4 lowest then +1 per row. Shared ranks show "low - high" (fmt 0), the low
    rank (fmt 1), or the low rank on the group's first row and nothing after (fmt 2)."""
    num = values.num
    out = Duals.null(len(num))
    ok = np.flatnonzero(~np.isnan(num))
    for s in np.unique(seg[ok]).tolist():
        members = ok[seg[ok] == s]
        vals = num[members]
        ordered = np.sort(vals)[::-1]
        low = np.searchsorted(-ordered, -vals, side="left") + 1
        high = np.searchsorted(-ordered, -vals, side="right")
        middle = (len(members) + 1) / 2
        if mode == 1:
            rank = low.astype(np.float64)
        elif mode == 2:
            rank = (low + high) / 2
        elif mode == 3:
            rank = high.astype(np.float64)
        elif mode == 4:
            rank = low + _position_in_segment(low.astype(np.int64))
        else:
            rank = np.where(high <= middle, low, np.where(low >= middle, high, middle))
        out.num[members] = rank
        shared = high > low
        first = _position_in_segment(low.astype(np.int64)) == 0
        for j in np.flatnonzero(shared).tolist():
            if mode == 4:
                continue
            if fmt == 0:
                out.text[members[j]] = f"{low[j]} - {high[j]}"
            elif fmt == 2 and not first[j]:
                out.text[members[j]] = ""
    return out

"""Chart inter-record functions: Rank, Above, Below, Top, Bottom, RowNo, NoOfRows, Column,
ColumnNo, Dimensionality and SecondaryDimensionality, computed over the chart rows' column
segments (rows with equal values in all dimensions but the last; the whole column with TOTAL)
in dimension order.

Above/Below/Top/Bottom take `(expr [, offset [, count]])`. With a count they name a window of
`count` rows; a range function given such a call as an argument (`RangeSum(Above(x, 0, 3))`)
receives one value per window row, NULL where the window leaves the column segment. Outside a
range function the count is ignored (the window's first row).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from openqix.calc.evaluate import ExpressionError, check_arity
from openqix.calc.functions._common import numbers
from openqix.calc.functions.registry import lookup
from openqix.calc.values import Duals
from openqix.lang.expression import Call, Expr, FieldRef
from openqix.objects.associations import group_rows

if TYPE_CHECKING:
    from openqix.calc.chart import ChartEvaluator

IntArray = npt.NDArray[np.int64]
INTER_RECORD = frozenset(
    {
        "RANK",
        "ABOVE",
        "BELOW",
        "TOP",
        "BOTTOM",
        "ROWNO",
        "NOOFROWS",
        "COLUMN",
        "COLUMNNO",
        "DIMENSIONALITY",
        "SECONDARYDIMENSIONALITY",
    }
)
WINDOWED = frozenset({"ABOVE", "BELOW", "TOP", "BOTTOM"})
_WINDOW_CELLS = 50_000_000  # count x chart rows a window may produce


def _segments(ev: ChartEvaluator, total: bool) -> IntArray:
    """Column segment of each row: rows with equal values in all dimensions but the last."""
    dims = ev.rows.codes
    if total or len(dims) <= 1:
        return np.zeros(ev.n, dtype=np.int64)
    grouped = group_rows([c.astype(np.int32) for c in dims[:-1]], ev.n)
    return grouped.ids


def inter_record(ev: ChartEvaluator, node: Call) -> Duals:
    name = node.upper
    total = node.total or _bare_total(node)
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
    if name == "NOOFROWS":
        return Duals.of_numbers(_segment_layout(_segments(ev, total))[2].astype(np.float64))
    if name == "COLUMN":
        return _column(ev, node)
    if not node.args:
        raise ExpressionError(node.name, f"{node.name}() needs an argument", node.pos)
    if name == "RANK":
        values = ev.eval(node.args[0])
        mode, fmt = (_constant(ev, node, i) for i in (1, 2))
        return _rank(values, _segments(ev, total), mode, fmt)
    values, sources = window(ev, node)
    return _take(values, sources[0])


def _bare_total(node: Call) -> bool:
    """`RowNo(TOTAL)`, `NoOfRows(TOTAL)`: the parser reads the lone keyword as a field."""
    if len(node.args) != 1:
        return False
    arg = node.args[0]
    return isinstance(arg, FieldRef) and not arg.quoted and arg.name.upper() == "TOTAL"


def is_window(expr: Expr) -> bool:
    """Whether `expr` is Above/Below/Top/Bottom called with a count (a range of values)."""
    return isinstance(expr, Call) and expr.upper in WINDOWED and len(expr.args) >= 3


def window(ev: ChartEvaluator, node: Call) -> tuple[Duals, list[IntArray]]:
    """The values of an Above/Below/Top/Bottom argument and, per window position (count of
    them, at least one), the row each chart row reads (-1 outside the column segment)."""
    check_arity(node, 1, 3)
    name = node.upper
    values = ev.eval(node.args[0])
    offset = _constant(ev, node, 1, 1)
    count = max(_constant(ev, node, 2, 1), 1)
    if count * max(ev.n, 1) > _WINDOW_CELLS:
        raise ExpressionError(node.name, f"{node.name}(): count {count} is too large", node.pos)
    seg = _segments(ev, node.total)
    order, start, length = _segment_layout(seg)
    local = np.empty(ev.n, dtype=np.int64)
    local[order] = np.arange(ev.n) - start[order]
    if name in ("TOP", "BOTTOM") and offset < 0:
        name, offset = ("BOTTOM" if name == "TOP" else "TOP"), -offset
    sources: list[IntArray] = []
    for k in range(count):
        if name == "ABOVE":
            target = local - offset - k
        elif name == "BELOW":
            target = local + offset + k
        elif name == "TOP":
            target = np.full(ev.n, max(offset, 1) - 1 + k, dtype=np.int64)
        else:
            target = length - max(offset, 1) - k
        ok = (target >= 0) & (target < length)
        source = np.full(ev.n, -1, dtype=np.int64)
        pos = start + np.where(ok, target, 0)
        source[ok] = order[pos[ok]]
        sources.append(source)
    return values, sources


def range_call(ev: ChartEvaluator, node: Call) -> Duals | None:
    """A Range* function whose arguments include windows: each window row is one argument."""
    function = lookup(node.name)
    if function is None:
        return None
    if node.set_expr is not None or node.total or node.distinct is not None:
        raise ExpressionError(node.name, f"{node.name}() takes no set, DISTINCT or TOTAL", node.pos)
    check_arity(node, function.min_args, function.max_args)
    args: list[Duals] = []
    for arg in node.args:
        if is_window(arg):
            assert isinstance(arg, Call)
            values, sources = window(ev, arg)
            args.extend(_take(values, s) for s in sources)
        else:
            args.append(ev.eval(arg))
    return function.impl(ev.context, args, ev.n)


def _take(values: Duals, source: IntArray) -> Duals:
    out = Duals.null(len(source))
    ok = source >= 0
    out.num[ok] = values.num[source[ok]]
    out.text[ok] = values.text[source[ok]]
    return out


def _column(ev: ChartEvaluator, node: Call) -> Duals:
    """Column(n): the n-th measure of the chart (1-based); NULL when there is none or when
    it would call itself."""
    check_arity(node, 1, 1)
    index = _constant(ev, node, 0, 0) - 1
    columns = ev.columns
    if not 0 <= index < len(columns) or index in ev.evaluating_columns:
        return Duals.null(ev.n)
    expr = columns[index]
    if expr is None:
        return Duals.null(ev.n)
    ev.evaluating_columns.add(index)
    try:
        return ev.eval(expr)
    finally:
        ev.evaluating_columns.discard(index)


def _segment_layout(seg: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Rows in segment order; per row its segment's first position in that order and the
    segment's length."""
    n = len(seg)
    order = np.lexsort((np.arange(n), seg)).astype(np.int64)
    sorted_seg = seg[order]
    first = np.insert(sorted_seg[1:] != sorted_seg[:-1], 0, True) if n else np.zeros(0, bool)
    starts = np.flatnonzero(first)
    sizes = np.diff(np.append(starts, n))
    seg_index = np.cumsum(first) - 1
    start = np.empty(n, dtype=np.int64)
    length = np.empty(n, dtype=np.int64)
    start[order] = starts[seg_index]
    length[order] = sizes[seg_index]
    return order, start, length


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


def _constant(ev: ChartEvaluator, node: Call, index: int, default: int = 0) -> int:
    """An optional integer argument (mode, format, offset, count): its first row's value,
    `default` when absent or NULL."""
    if len(node.args) <= index:
        return default
    arg = numbers(ev.eval(node.args[index]))
    return int(arg[0]) if len(arg) and arg[0] == arg[0] else default


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

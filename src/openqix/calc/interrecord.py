"""Chart inter-record functions: Rank, Above, Below, Top, Bottom, RowNo, NoOfRows, Column,
ColumnNo, Dimensionality and SecondaryDimensionality, computed over the chart rows' column
segments (the whole column with TOTAL).

A hypercube sets `ChartEvaluator.display` (its rows as sorted, suppressed rows left out) and
`segment_dims` (every dimension but the last one in the inter-column sort order): a column
segment is then a run of consecutive displayed rows with equal values in those dimensions, as
Qlik's help defines it. Without them (Aggr, Evaluate) the rows keep their dimension order and
a segment holds the rows with equal values in all dimensions but the last.

Above/Below/Top/Bottom take `(expr [, offset [, count]])`. With a count they name a window of
`count` rows; a range function given such a call as an argument (`RangeSum(Above(x, 0, 3))`)
receives one value per window row, NULL where the window leaves the column segment. Outside a
range function the count is ignored (the window's first row).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from openqix.calc.evaluate import ExpressionError, check_arity
from openqix.calc.functions._common import numbers
from openqix.calc.functions.registry import lookup
from openqix.calc.values import Duals
from openqix.lang.expression import Call, Expr, FieldRef, children
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


def uses_inter_record(expr: Expr) -> bool:
    """Whether `expr` calls an inter-record function outside an Aggr (whose rows are its own)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Call):
            if node.upper in INTER_RECORD:
                return True
            if node.upper == "AGGR":
                continue
        stack.extend(children(node))
    return False


def _segments(ev: ChartEvaluator, total: bool) -> IntArray:
    """Column segment of each row: rows with equal values in all dimensions but the last."""
    dims = ev.rows.codes
    if total or len(dims) <= 1:
        return np.zeros(ev.n, dtype=np.int64)
    grouped = group_rows([c.astype(np.int32) for c in dims[:-1]], ev.n)
    return grouped.ids


@dataclass(frozen=True)
class _Layout:
    """Displayed rows in order, and per chart row its segment (-1 when not displayed), its
    position in the segment, its segment's first position in `order` and its length."""

    order: IntArray
    seg: IntArray
    local: IntArray
    start: IntArray
    length: IntArray


def _layout(ev: ChartEvaluator, total: bool) -> _Layout:
    n = ev.n
    if ev.display is None:
        seg_of_row = _segments(ev, total)
        order = np.lexsort((np.arange(n), seg_of_row)).astype(np.int64)
        keys = [seg_of_row[order]]
    else:
        order = np.asarray(ev.display, dtype=np.int64)
        dims = ev.rows.codes
        chosen = ev.segment_dims if ev.segment_dims is not None else range(len(dims) - 1)
        keys = [] if total else [dims[d][order] for d in chosen]
    m = len(order)
    new = np.zeros(m, dtype=np.bool_)
    if m:
        new[0] = True
        for key in keys:
            new[1:] |= key[1:] != key[:-1]
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, m))
    seg_index = np.cumsum(new) - 1
    seg = np.full(n, -1, dtype=np.int64)
    local = np.full(n, -1, dtype=np.int64)
    start = np.zeros(n, dtype=np.int64)
    length = np.zeros(n, dtype=np.int64)
    seg[order] = seg_index
    start[order] = starts[seg_index]
    length[order] = sizes[seg_index]
    local[order] = np.arange(m) - starts[seg_index]
    return _Layout(order, seg, local, start, length)


def inter_record(ev: ChartEvaluator, node: Call) -> Duals:
    name = node.upper
    total = node.total or _bare_total(node)
    n = ev.n
    if name == "ROWNO":
        layout = _layout(ev, total)
        return Duals.of_numbers(np.where(layout.seg >= 0, layout.local + 1.0, np.nan))
    if name == "COLUMNNO":
        return Duals.of_numbers(np.zeros(n))
    if name == "DIMENSIONALITY":
        return Duals.of_numbers(np.full(n, float(len(ev.rows.dims))))
    if name == "SECONDARYDIMENSIONALITY":
        return Duals.of_numbers(np.zeros(n))
    if name == "NOOFROWS":
        layout = _layout(ev, total)
        return Duals.of_numbers(np.where(layout.seg >= 0, layout.length.astype(np.float64), np.nan))
    if name == "COLUMN":
        return _column(ev, node)
    if not node.args:
        raise ExpressionError(node.name, f"{node.name}() needs an argument", node.pos)
    if name == "RANK":
        values = ev.eval(node.args[0])
        mode, fmt = (_constant(ev, node, i) for i in (1, 2))
        layout = _layout(ev, total)
        return _rank(values, layout.seg, mode, fmt, layout.order)
    values, sources, _ = window(ev, node)
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


def window(ev: ChartEvaluator, node: Call) -> tuple[Duals, list[IntArray], IntArray]:
    """The values of an Above/Below/Top/Bottom argument; per window position (the largest
    count of them, at least one) the row each chart row reads (-1 outside the column segment
    or past the row's own count); and each row's count. Offset and count may vary per row
    (`Above(x, 0, RowNo())`)."""
    check_arity(node, 1, 3)
    name = node.upper
    values = ev.eval(node.args[0])
    offset = _row_integers(ev, node, 1, 1)
    count = np.maximum(_row_integers(ev, node, 2, 1), 1)
    layout = _layout(ev, node.total)
    shown = layout.seg >= 0
    widest = int(count[shown].max()) if shown.any() else 1
    if widest * max(ev.n, 1) > _WINDOW_CELLS:
        raise ExpressionError(node.name, f"{node.name}(): count {widest} is too large", node.pos)
    order, start, length, local = layout.order, layout.start, layout.length, layout.local
    bottom = (offset < 0) != (name == "BOTTOM")
    first = np.maximum(np.abs(offset), 1) - 1
    sources: list[IntArray] = []
    for k in range(widest):
        if name == "ABOVE":
            target = local - offset - k
        elif name == "BELOW":
            target = local + offset + k
        else:  # TOP / BOTTOM; a negative offset turns one into the other
            target = np.where(bottom, length - 1 - first - k, first + k)
        ok = shown & (k < count) & (target >= 0) & (target < length)
        source = np.full(ev.n, -1, dtype=np.int64)
        pos = start + np.where(ok, target, 0)
        source[ok] = order[pos[ok]]
        sources.append(source)
    return values, sources, count


def range_call(ev: ChartEvaluator, node: Call) -> Duals | None:
    """A Range* function whose arguments include windows: each window row is one argument.
    Rows whose windows have different counts are evaluated in groups of equal counts, so
    each row sees exactly its own count of arguments."""
    function = lookup(node.name)
    if function is None:
        return None
    if node.set_expr is not None or node.total or node.distinct is not None:
        raise ExpressionError(node.name, f"{node.name}() takes no set, DISTINCT or TOTAL", node.pos)
    check_arity(node, function.min_args, function.max_args)
    parts: list[Duals | tuple[Duals, list[IntArray], IntArray]] = []
    counts: list[IntArray] = []
    for arg in node.args:
        if is_window(arg):
            assert isinstance(arg, Call)
            part = window(ev, arg)
            parts.append(part)
            counts.append(part[2])
        else:
            parts.append(ev.eval(arg))
    rows_of = _rows_by_counts(ev, counts)
    if rows_of is None:
        args: list[Duals] = []
        for item in parts:
            if isinstance(item, Duals):
                args.append(item)
            else:
                args.extend(_take(item[0], source) for source in item[1])
        return function.impl(ev.context, args, ev.n)
    out = Duals.null(ev.n)
    for rows in rows_of:
        group: list[Duals] = []
        for item in parts:
            if isinstance(item, Duals):
                group.append(item.take(rows))
            else:
                values, sources, count = item
                group.extend(_take(values, s[rows]) for s in sources[: int(count[rows[0]])])
        result = function.impl(ev.context, group, len(rows))
        out.num[rows] = result.num
        out.text[rows] = result.text
    return out


def _rows_by_counts(ev: ChartEvaluator, counts: list[IntArray]) -> list[IntArray] | None:
    """Rows grouped by their windows' counts; None when every row has the same counts."""
    if not counts or ev.n == 0:
        return None
    shown = np.ones(ev.n, dtype=np.bool_) if ev.display is None else np.zeros(ev.n, np.bool_)
    if ev.display is not None:
        shown[ev.display] = True
    stacked = np.vstack(counts).T[shown]
    if len(stacked) == 0 or bool(np.all(stacked == stacked[0])):
        return None
    keys, inverse = np.unique(np.vstack(counts).T, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    return [np.flatnonzero(inverse == g) for g in range(len(keys))]


def _row_integers(ev: ChartEvaluator, node: Call, index: int, default: int) -> IntArray:
    """An optional integer argument per row (offset, count); `default` where absent/NULL."""
    if len(node.args) <= index:
        return np.full(ev.n, default, dtype=np.int64)
    arg = numbers(ev.eval(node.args[index]))
    whole = np.where(np.isnan(arg), default, np.trunc(np.nan_to_num(arg)))
    return np.clip(whole, -(2**40), 2**40).astype(np.int64)


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
    """An optional integer argument (mode, format, offset, count): its value on the first
    displayed row, `default` when absent or NULL."""
    if len(node.args) <= index:
        return default
    arg = numbers(ev.eval(node.args[index]))
    first = int(ev.display[0]) if ev.display is not None and len(ev.display) else 0
    return int(arg[first]) if len(arg) > first and arg[first] == arg[first] else default


def _rank(
    values: Duals, seg: IntArray, mode: int = 0, fmt: int = 0, order: IntArray | None = None
) -> Duals:
    """Highest value ranks 1. Rows sharing a value form a group with ranks low..high:
    mode 0 gives the lowest rank when the group lies below the middle of the ranking, the
    highest above it, the middle of the whole ranking across it; 1 lowest, 2 average,
    3 highest, 4 lowest then +1 per row. Shared ranks show "low - high" (fmt 0), the low
    rank (fmt 1), or the low rank on the group's first row and nothing after (fmt 2).
    Rows run in `order` (the displayed rows; all rows by index without it); rows outside
    a segment (-1) are NULL."""
    num = values.num
    out = Duals.null(len(num))
    ok = np.flatnonzero(~np.isnan(num) & (seg >= 0))
    if order is not None:
        position = np.full(len(num), len(num), dtype=np.int64)
        position[order] = np.arange(len(order))
        ok = ok[np.argsort(position[ok], kind="stable")]
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

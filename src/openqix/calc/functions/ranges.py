"""Range functions: aggregate over their arguments, row by row (RangeSum(a, b, c)).

Numeric ones use the numbers of the arguments (a numeric text counts as its number) and skip
text and NULL. RangeSum of nothing numeric is 0; RangeAvg/Min/Max/Stdev/Fractile of nothing
numeric are NULL. RangeCount counts non-NULL values (texts included).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from openqix.calc.functions._common import apply_distinct, display_objects, numbers
from openqix.calc.functions.registry import FunctionContext, register
from openqix.calc.values import Duals, FloatArray, ObjectArray


def _matrix(args: Sequence[Duals]) -> FloatArray:
    """k x n numbers of the arguments (NaN = not numeric)."""
    return np.vstack([numbers(a) for a in args])


@register("RangeSum", 1, None)
def range_sum(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return Duals.of_numbers(np.nansum(_matrix(args), axis=0) + 0.0)


def _nan_reduce(args: Sequence[Duals], fn: str) -> FloatArray:
    m = _matrix(args)
    count = np.sum(~np.isnan(m), axis=0)
    filled = np.where(np.isnan(m), 0.0, m)
    if fn == "avg":
        with np.errstate(invalid="ignore", divide="ignore"):
            out = filled.sum(axis=0) / count
    elif fn == "min":
        out = np.where(np.isnan(m), np.inf, m).min(axis=0)
    else:
        out = np.where(np.isnan(m), -np.inf, m).max(axis=0)
    return np.where(count > 0, out, np.nan)


@register("RangeAvg", 1, None)
def range_avg(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return Duals.of_numbers(_nan_reduce(args, "avg"))


@register("RangeMin", 1, None)
def range_min(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return Duals.of_numbers(_nan_reduce(args, "min"))


@register("RangeMax", 1, None)
def range_max(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return Duals.of_numbers(_nan_reduce(args, "max"))


@register("RangeCount", 1, None)
def range_count(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return Duals.of_numbers(np.sum(np.vstack([~a.is_null for a in args]), axis=0).astype(float))


@register("RangeNumericCount", 1, None)
def range_numeric_count(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return Duals.of_numbers(np.sum(~np.isnan(_matrix(args)), axis=0).astype(float))


@register("RangeTextCount", 1, None)
def range_text_count(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    rows = [a.has_text & np.isnan(numbers(a)) for a in args]
    return Duals.of_numbers(np.sum(np.vstack(rows), axis=0).astype(float))


@register("RangeNullCount", 1, None)
def range_null_count(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return Duals.of_numbers(np.sum(np.vstack([a.is_null for a in args]), axis=0).astype(float))


@register("RangeMissingCount", 1, None)
def range_missing_count(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return Duals.of_numbers(np.sum(np.isnan(_matrix(args)), axis=0).astype(float))


@register("RangeStdev", 1, None)
def range_stdev(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    m = _matrix(args)
    count = np.sum(~np.isnan(m), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(m, axis=0) / count
        dev = np.where(np.isnan(m), 0.0, m - mean)
        var = (dev**2).sum(axis=0) / (count - 1)
    return Duals.of_numbers(np.where(count > 1, np.sqrt(var), np.nan))


@register("RangeFractile", 2, None)
def range_fractile(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """RangeFractile(f, e1, ...): the interpolated f-quantile of the numeric arguments."""
    f = numbers(args[0])
    m = np.sort(_matrix(args[1:]), axis=0)  # NaN sort last
    count = np.sum(~np.isnan(m), axis=0)
    pos = f * (count - 1)
    lo = np.floor(np.nan_to_num(pos)).astype(np.int64)
    lo = np.clip(lo, 0, max(m.shape[0] - 1, 0))
    hi = np.clip(lo + 1, 0, max(m.shape[0] - 1, 0))
    cols = np.arange(n)
    a, b = m[lo, cols], m[hi, cols]
    frac = np.nan_to_num(pos) - lo
    b = np.where(np.isnan(b) | (hi >= count), a, b)
    out = a + (b - a) * frac
    ok = (count > 0) & (f >= 0) & (f <= 1)
    return Duals.of_numbers(np.where(ok, out, np.nan))


def _keys(args: Sequence[Duals]) -> list[FloatArray | ObjectArray]:
    cols: list[FloatArray | ObjectArray] = []
    for a in args:
        num = numbers(a)
        cols.append(num)
        texts = display_objects(a).copy()
        texts[~np.isnan(num)] = None
        cols.append(texts)
    return cols


def _values(row: tuple[object, ...]) -> list[tuple[float, object]]:
    vals: list[tuple[float, object]] = []
    for i in range(0, len(row), 2):
        num, text = row[i], row[i + 1]
        if num == num or text is not None:
            vals.append((float(num), text))  # type: ignore[arg-type]
    return vals


def _mode(*row: object) -> object:
    vals = _values(row)
    if not vals:
        return None
    counts: dict[object, int] = {}
    for num, text in vals:
        key = num if num == num else text
        counts[key] = counts.get(key, 0) + 1
    best = max(counts.values())
    winners = [k for k, c in counts.items() if c == best]
    return winners[0] if len(winners) == 1 else None


def _only(*row: object) -> object:
    vals = _values(row)
    keys = {num if num == num else text for num, text in vals}
    return next(iter(keys)) if len(keys) == 1 else None


def _as_duals(results: np.ndarray, n: int) -> Duals:
    num = np.full(n, np.nan)
    text = np.full(n, None, dtype=object)
    for i, r in enumerate(results.tolist()):
        if isinstance(r, str):
            text[i] = r
        elif r is not None:
            num[i] = float(r)
    return Duals(num, text)


@register("RangeMode", 1, None)
def range_mode(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return _as_duals(apply_distinct(_mode, _keys(args), n), n)


@register("RangeOnly", 1, None)
def range_only(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return _as_duals(apply_distinct(_only, _keys(args), n), n)


@register("RangeConcat", 1, None)
def range_concat(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    texts = [display_objects(a) for a in args]
    return Duals.of_texts(
        apply_distinct(lambda *t: "".join(x for x in t if x is not None), texts, n)
    )


def _per_row(func: str, args: Sequence[Duals], n: int, extra: Sequence[Duals] = ()) -> Duals:
    """The aggregation `func` over each row's arguments (the arguments stacked, grouped by
    row): RangeSkew is Skew of the row's values, and so on."""
    from openqix.calc.aggregate import aggregate_values  # aggregate imports this package

    groups = np.tile(np.arange(n, dtype=np.int64), len(args))
    return aggregate_values(func, Duals.concat(list(args)), extra, groups, n)


def _numeric(args: Sequence[Duals]) -> list[Duals]:
    return [Duals.of_numbers(numbers(a)) for a in args]


@register("RangeSkew", 1, None)
def range_skew(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """Sample skewness of the numeric arguments, as the Skew aggregation."""
    return _per_row("SKEW", _numeric(args), n)


@register("RangeKurtosis", 1, None)
def range_kurtosis(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """Sample kurtosis of the numeric arguments, as the Kurtosis aggregation."""
    return _per_row("KURTOSIS", _numeric(args), n)


@register("RangeCorrel", 2, None)
def range_correl(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """RangeCorrel(x1, y1, x2, y2, ...): Pearson correlation of the pairs where both are
    numbers (an odd last argument is ignored)."""
    pairs = len(args) // 2
    xs = _numeric([args[2 * i] for i in range(pairs)])
    ys = _numeric([args[2 * i + 1] for i in range(pairs)])
    return _per_row("CORREL", xs, n, [Duals.concat(ys)])


@register("RangeMinString", 1, None)
def range_min_string(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """The first argument in sort order (numbers by number before texts), as MinString."""
    return _per_row("MINSTRING", args, n)


@register("RangeMaxString", 1, None)
def range_max_string(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """The last argument in sort order, as MaxString."""
    return _per_row("MAXSTRING", args, n)

"""Vectorised aggregation functions: values of records grouped by a group-id array.

`aggregate_values(func, values, extra, groups, n_groups, distinct, codes)` returns one dual
per group. `values` are the evaluated first argument per record, `extra` the other arguments
(delimiter, rank, sort weight ...), `groups[i]` the group of record i (records outside every
group are filtered by the caller). `codes` optionally identify values (a field's symbol
indices, -1 = NULL) so DISTINCT and Mode need no hashing.

Semantics (sem §3.4): NULL is ignored by every function but NullCount/MissingCount; Sum of
nothing is 0, Count of nothing 0, the other functions NULL; Count counts texts too; Sum, Avg,
Min, Max and the statistics use numbers only; Only/Mode/MinString/MaxString/FirstSortedValue
return duals.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from openqix.calc import parallel
from openqix.calc.errors import CalcError
from openqix.calc.functions._common import display_objects
from openqix.calc.values import Duals, FloatArray, none_mask

IntArray = npt.NDArray[np.int64]
_HandlerType = Callable[[Duals, Sequence[Duals], IntArray, int, "IntArray | None", bool], Duals]
_BITMAP_LIMIT = 1 << 25  # group x value cells up to which a bitmap beats sorting

# name -> (min args, max args)
AGGREGATIONS: dict[str, tuple[int, int]] = {
    "SUM": (1, 1),
    "COUNT": (1, 1),
    "AVG": (1, 1),
    "MIN": (1, 2),
    "MAX": (1, 2),
    "ONLY": (1, 1),
    "CONCAT": (1, 3),
    "MINSTRING": (1, 1),
    "MAXSTRING": (1, 1),
    "MODE": (1, 1),
    "MEDIAN": (1, 1),
    "FRACTILE": (2, 2),
    "STDEV": (1, 1),
    "STERR": (1, 1),
    "SKEW": (1, 1),
    "KURTOSIS": (1, 1),
    "CORREL": (2, 2),
    "NULLCOUNT": (1, 1),
    "NUMERICCOUNT": (1, 1),
    "TEXTCOUNT": (1, 1),
    "MISSINGCOUNT": (1, 1),
    "FIRSTSORTEDVALUE": (2, 3),
}
AGGREGATION_NAMES = frozenset({*AGGREGATIONS, "AGGR"})


class AggregationError(CalcError):
    """Bad arguments to an aggregation (count, rank, fractile)."""


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


def value_codes(values: Duals) -> tuple[IntArray, int]:
    """An identity code per value (numbers by number, texts by text; -1 = NULL)."""
    n = len(values)
    codes = np.full(n, -1, dtype=np.int64)
    numeric = ~np.isnan(values.num)
    n_num = 0
    if numeric.any():
        uniq, inverse = np.unique(values.num[numeric], return_inverse=True)
        codes[numeric] = inverse.reshape(-1)
        n_num = len(uniq)
    textual = ~numeric & ~none_mask(values.text)
    n_text = 0
    if textual.any():
        encoded = pc.dictionary_encode(pa.array(values.text[textual], type=pa.string()))
        indices = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        codes[textual] = n_num + indices
        n_text = len(encoded.dictionary)
    return codes, n_num + n_text


def _distinct_rows(groups: IntArray, codes: IntArray, n_codes: int) -> IntArray:
    """One representative record per distinct (group, value), NULL values dropped."""
    valid = np.flatnonzero(codes >= 0)
    key = groups[valid] * max(n_codes, 1) + codes[valid]
    _, first = np.unique(key, return_index=True)
    return np.asarray(valid[np.sort(first)], dtype=np.int64)


def aggregate_values(
    func: str,
    values: Duals,
    extra: Sequence[Duals],
    groups: IntArray,
    n_groups: int,
    distinct: bool = False,
    codes: IntArray | None = None,
    name: str = "",
) -> Duals:
    """One value per group of `func` (upper-case name) over the records' values."""
    func = func.upper()
    name = name or func
    if func not in AGGREGATIONS:
        raise AggregationError(name, f"Unknown aggregation: {name}")
    low, high = AGGREGATIONS[func]
    if not low <= 1 + len(extra) <= high:
        raise AggregationError(name, f"Wrong number of arguments to {name}()")
    groups = np.asarray(groups, dtype=np.int64)
    if func == "COUNT" and distinct:
        if codes is None:
            codes, n_codes = value_codes(values)
        else:
            n_codes = int(codes.max()) + 1 if len(codes) else 0
        ids, _ = unique_pairs(groups, n_groups, codes, n_codes)
        return Duals.of_numbers(np.bincount(ids, minlength=n_groups).astype(np.float64))
    if distinct and func not in ("CONCAT", "FIRSTSORTEDVALUE", "NULLCOUNT", "MISSINGCOUNT"):
        if codes is None:
            codes, n_codes = value_codes(values)
        else:
            n_codes = int(codes.max()) + 1 if len(codes) else 0
        keep = _distinct_rows(groups, codes, n_codes)
        values, groups, codes = values.take(keep), groups[keep], codes[keep]
        extra = [e.take(keep) for e in extra]
    handler = _HANDLERS[func]
    return handler(values, extra, groups, n_groups, codes, distinct)


# -- the functions ---------------------------------------------------------------------------


def _sum(v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool) -> Duals:
    missing = np.isnan(v.num)
    weights = np.where(missing, 0.0, v.num) if missing.any() else v.num
    total = parallel.bincount(g, weights, n) if n != 1 else [weights.sum()]
    return Duals.of_numbers(np.asarray(total, dtype=np.float64))


def _count(v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool) -> Duals:
    ok = ~v.is_null
    return Duals.of_numbers(np.bincount(g[ok], minlength=n).astype(np.float64))


def _numeric(v: Duals, g: IntArray) -> tuple[FloatArray, IntArray]:
    ok = ~np.isnan(v.num)
    return v.num[ok], g[ok]


def _avg(v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool) -> Duals:
    x, gg = _numeric(v, g)
    counts = np.bincount(gg, minlength=n)
    total = np.bincount(gg, weights=x, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(counts > 0, total / np.maximum(counts, 1), np.nan)
    return Duals.of_numbers(out)


def _rank(extra: Sequence[Duals], name: str) -> int:
    if not extra:
        return 1
    num = extra[0].num
    rank = float(num[0]) if len(num) else 1.0
    if math.isnan(rank):
        raise AggregationError(name, f"{name}(): the rank must be a number")
    return int(rank)


def _sorted_groups(keys: FloatArray, g: IntArray, n: int) -> tuple[IntArray, IntArray, IntArray]:
    """Order of records by (group, key), and each group's start and size in that order."""
    order = np.lexsort((keys, g))
    counts = np.bincount(g, minlength=n)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return order.astype(np.int64), starts, counts.astype(np.int64)


def _extreme(v: Duals, extra: Sequence[Duals], g: IntArray, n: int, highest: bool) -> Duals:
    rank = _rank(extra, "Max" if highest else "Min")
    x, gg = _numeric(v, g)
    out = np.full(n, np.nan)
    if rank == 1 and len(x):
        fill = -np.inf if highest else np.inf
        acc = np.full(n, fill)
        (np.maximum if highest else np.minimum).at(acc, gg, x)
        has = np.bincount(gg, minlength=n) > 0
        out[has] = acc[has]
        return Duals.of_numbers(out)
    if rank < 1 or not len(x):
        return Duals.of_numbers(out)
    order, starts, counts = _sorted_groups(-x if highest else x, gg, n)
    has = counts >= rank
    out[has] = x[order[starts[has] + rank - 1]]
    return Duals.of_numbers(out)


def _min(v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool) -> Duals:
    return _extreme(v, e, g, n, False)


def _max(v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool) -> Duals:
    return _extreme(v, e, g, n, True)


def _codes_of(v: Duals, c: IntArray | None) -> IntArray:
    return c if c is not None else value_codes(v)[0]


def _pick(v: Duals, rows: IntArray, has: npt.NDArray[np.bool_], n: int) -> Duals:
    """Per group the value of record rows[g] where has[g], else NULL."""
    out = Duals.null(n)
    if has.any():
        picked = v.take(rows[has])
        out.num[has] = picked.num
        out.text[has] = picked.text
    return out


def _only(v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool) -> Duals:
    codes = _codes_of(v, c)
    ok = np.flatnonzero(codes >= 0)
    first = np.full(n, -1, dtype=np.int64)
    first[g[ok][::-1]] = ok[::-1]
    low = np.full(n, np.iinfo(np.int64).max)
    high = np.full(n, -1, dtype=np.int64)
    np.minimum.at(low, g[ok], codes[ok])
    np.maximum.at(high, g[ok], codes[ok])
    has = (first >= 0) & (low == high)
    return _pick(v, first, has, n)


def _mode(v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool) -> Duals:
    codes = _codes_of(v, c)
    ok = np.flatnonzero(codes >= 0)
    if not len(ok):
        return Duals.null(n)
    width = int(codes.max()) + 1
    key = g[ok] * width + codes[ok]
    uniq, first, counts = np.unique(key, return_index=True, return_counts=True)
    groups = uniq // width
    order = np.lexsort((-counts, groups))
    groups, counts, first = groups[order], counts[order], first[order]
    lead = np.ones(len(groups), dtype=bool)
    lead[1:] = groups[1:] != groups[:-1]
    tie = np.zeros(len(groups), dtype=bool)
    tie[:-1] = ~lead[1:] & (counts[1:] == counts[:-1])
    best = np.full(n, -1, dtype=np.int64)
    best[groups[lead]] = ok[first[lead]]
    has = np.zeros(n, dtype=bool)
    has[groups[lead & ~tie]] = True
    return _pick(v, best, has & (best >= 0), n)


def _quantile(v: Duals, g: IntArray, n: int, fraction: float) -> Duals:
    x, gg = _numeric(v, g)
    out = np.full(n, np.nan)
    if not len(x) or not 0 <= fraction <= 1:
        return Duals.of_numbers(out)
    order, starts, counts = _sorted_groups(x, gg, n)
    has = counts > 0
    pos = (counts[has] - 1) * fraction
    lo = np.floor(pos).astype(np.int64)
    hi = np.ceil(pos).astype(np.int64)
    base = starts[has]
    a, b = x[order[base + lo]], x[order[base + hi]]
    out[has] = a + (b - a) * (pos - lo)
    return Duals.of_numbers(out)


def _median(
    v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool
) -> Duals:
    return _quantile(v, g, n, 0.5)


def _fractile(
    v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool
) -> Duals:
    fraction = float(e[0].num[0]) if len(e[0]) else math.nan
    return _quantile(v, g, n, fraction)


def _moments(v: Duals, g: IntArray, n: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per group: count, mean, and the deviations' record-level arrays via sums."""
    x, gg = _numeric(v, g)
    count = np.bincount(gg, minlength=n).astype(np.float64)
    total = np.bincount(gg, weights=x, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    return count, mean, x


def _central(v: Duals, g: IntArray, n: int, power: int) -> tuple[FloatArray, FloatArray]:
    count, mean, _ = _moments(v, g, n)
    x, gg = _numeric(v, g)
    dev = x - mean[gg]
    return count, np.asarray(np.bincount(gg, weights=dev**power, minlength=n), np.float64)


def _stdev_values(v: Duals, g: IntArray, n: int) -> tuple[FloatArray, FloatArray]:
    count, m2 = _central(v, g, n, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        std = np.where(count > 1, np.sqrt(m2 / (count - 1)), np.nan)
    return count, std


def _stdev(v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool) -> Duals:
    return Duals.of_numbers(_stdev_values(v, g, n)[1])


def _sterr(v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool) -> Duals:
    count, std = _stdev_values(v, g, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return Duals.of_numbers(std / np.sqrt(count))


def _skew(v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool) -> Duals:
    count, std = _stdev_values(v, g, n)
    _, m3 = _central(v, g, n, 3)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = count / ((count - 1) * (count - 2)) * m3 / std**3
    out[(count < 3) | ~np.isfinite(out)] = np.nan
    return Duals.of_numbers(out)


def _kurtosis(
    v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool
) -> Duals:
    count, std = _stdev_values(v, g, n)
    _, m4 = _central(v, g, n, 4)
    k = count
    with np.errstate(invalid="ignore", divide="ignore"):
        out = k * (k + 1) / ((k - 1) * (k - 2) * (k - 3)) * m4 / std**4 - 3 * (k - 1) ** 2 / (
            (k - 2) * (k - 3)
        )
    out[(count < 4) | ~np.isfinite(out)] = np.nan
    return Duals.of_numbers(out)


def _correl(
    v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool
) -> Duals:
    x, y = v.num, e[0].num
    ok = ~np.isnan(x) & ~np.isnan(y)
    x, y, gg = x[ok], y[ok], g[ok]
    count = np.bincount(gg, minlength=n).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = np.bincount(gg, weights=x, minlength=n) / count
        my = np.bincount(gg, weights=y, minlength=n) / count
        dx, dy = x - mx[gg], y - my[gg]
        sxy = np.bincount(gg, weights=dx * dy, minlength=n)
        sxx = np.bincount(gg, weights=dx * dx, minlength=n)
        syy = np.bincount(gg, weights=dy * dy, minlength=n)
        out = sxy / np.sqrt(sxx * syy)
    out[(count < 2) | ~np.isfinite(out)] = np.nan
    return Duals.of_numbers(out)


def _counter(mask_of: str) -> _HandlerType:
    def handler(
        v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool
    ) -> Duals:
        numeric = ~np.isnan(v.num)
        null = v.is_null
        mask = {
            "null": null,
            "numeric": numeric,
            "text": ~numeric & ~null,
            "missing": ~numeric,
        }[mask_of]
        if d and mask_of in ("null", "missing"):
            # each distinct missing value once: NULL counts as one value
            codes = _codes_of(v, c).copy()
            codes[null] = -2
            keep = mask.copy()
            rows = np.flatnonzero(mask)
            key = g[rows] * (int(codes.max()) + 3) + codes[rows] + 2
            _, first = np.unique(key, return_index=True)
            keep[:] = False
            keep[rows[first]] = True
            mask = keep
        return Duals.of_numbers(np.bincount(g[mask], minlength=n).astype(np.float64))

    return handler


def _string_extreme(v: Duals, g: IntArray, n: int, last: bool) -> Duals:
    """MinString/MaxString: per group the first/last value by text (numbers by number first)."""
    ok = np.flatnonzero(~v.is_null)
    if not len(ok):
        return Duals.null(n)
    num = v.num[ok]
    texts = display_objects(v.take(ok))
    is_text = np.isnan(num)
    text_rank = np.zeros(len(ok), dtype=np.int64)
    if is_text.any():
        own = [str(t) for t in texts[is_text].tolist()]
        by_text = sorted(range(len(own)), key=own.__getitem__)
        ranks = np.empty(len(by_text), dtype=np.int64)
        ranks[np.asarray(by_text, dtype=np.int64)] = np.arange(len(by_text))
        text_rank[is_text] = ranks
    # primary: numbers (0) before texts (1); then number, then text rank
    number_key = np.where(is_text, 0.0, num)
    lex = np.lexsort((text_rank, number_key, is_text.astype(np.int8), g[ok]))
    gg = g[ok][lex]
    if last:
        pick_pos = np.flatnonzero(np.append(gg[1:] != gg[:-1], True))
    else:
        pick_pos = np.flatnonzero(np.insert(gg[1:] != gg[:-1], 0, True))
    rows = np.full(n, -1, dtype=np.int64)
    rows[gg[pick_pos]] = ok[lex[pick_pos]]
    return _pick(v, rows, rows >= 0, n)


def _minstring(
    v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool
) -> Duals:
    return _string_extreme(v, g, n, False)


def _maxstring(
    v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool
) -> Duals:
    return _string_extreme(v, g, n, True)


def _concat(
    v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool
) -> Duals:
    """Texts joined per group: by sort weight when given (ties in record order), else by
    text (code point order). The ordering is vectorised; only the joins loop, once per
    group. DISTINCT keeps the first of equal texts. A group without values is NULL."""
    texts = display_objects(v)
    rows = np.flatnonzero(~none_mask(texts))
    out = np.full(n, None, dtype=object)
    if not len(rows):
        return Duals.of_texts(out)
    delimiter = ""
    if e:
        delim = display_objects(e[0])
        delimiter = str(delim[0]) if len(delim) and delim[0] is not None else ""
    encoded = pc.dictionary_encode(pa.array(texts[rows], type=pa.string()))
    index = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    by_text = np.asarray(pc.array_sort_indices(encoded.dictionary), dtype=np.int64)
    text_rank = np.empty(len(by_text), dtype=np.int64)
    text_rank[by_text] = np.arange(len(by_text))
    gg = g[rows]
    if len(e) > 1:
        w = e[1].num[rows]
        order = np.lexsort((np.arange(len(rows)), np.where(np.isnan(w), np.inf, w), gg))
        gg, index = gg[order], index[order]
        if d:
            pair = gg * len(by_text) + index
            _, first = np.unique(pair, return_index=True)
            keep = np.zeros(len(pair), dtype=bool)
            keep[first] = True
            gg, index = gg[keep], index[keep]
    else:
        key = gg * len(by_text) + text_rank[index]  # one int64 key sorts fastest
        key = _sorted_unique(key) if d else np.sort(key)
        gg = key // len(by_text)
        index = by_text[key % len(by_text)]
    dictionary = encoded.dictionary.to_pylist()
    starts = np.flatnonzero(np.concatenate([[True], gg[1:] != gg[:-1]]))
    ends = np.append(starts[1:], len(gg))
    ordered = [dictionary[i] for i in index.tolist()]
    for group, lo, hi in zip(gg[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
        out[group] = delimiter.join(ordered[lo:hi])
    return Duals.of_texts(out)


def _first_sorted(
    v: Duals, e: Sequence[Duals], g: IntArray, n: int, c: IntArray | None, d: bool
) -> Duals:
    """FirstSortedValue(value, weight[, rank]): NULL when the winning weight is shared by
    different values; DISTINCT counts each (value, weight) once."""
    weight = e[0].num
    rank = _rank(e[1:], "FirstSortedValue")
    codes = _codes_of(v, c)
    ok = np.flatnonzero((codes >= 0) & ~np.isnan(weight))
    out_rows = np.full(n, -1, dtype=np.int64)
    if not len(ok) or rank == 0:
        return Duals.null(n)
    w = weight[ok] if rank > 0 else -weight[ok]
    order = np.lexsort((codes[ok], w, g[ok]))
    rows, gw, gg = ok[order], w[order], g[ok][order]
    step = abs(rank)
    bounds = np.flatnonzero(np.diff(gg)) + 1
    for chunk in np.split(np.arange(len(rows)), bounds):
        members, weights = rows[chunk], gw[chunk]
        member_codes = codes[members]
        if d:
            keep = np.ones(len(members), dtype=bool)
            keep[1:] = (weights[1:] != weights[:-1]) | (member_codes[1:] != member_codes[:-1])
            members, weights, member_codes = members[keep], weights[keep], member_codes[keep]
        if len(members) < step:
            continue
        pos = step - 1
        same = weights == weights[pos]
        if len(np.unique(member_codes[same])) == 1:
            out_rows[int(gg[chunk[0]])] = members[pos]
    return _pick(v, out_rows, out_rows >= 0, n)


_HANDLERS = {
    "SUM": _sum,
    "COUNT": _count,
    "AVG": _avg,
    "MIN": _min,
    "MAX": _max,
    "ONLY": _only,
    "CONCAT": _concat,
    "MINSTRING": _minstring,
    "MAXSTRING": _maxstring,
    "MODE": _mode,
    "MEDIAN": _median,
    "FRACTILE": _fractile,
    "STDEV": _stdev,
    "STERR": _sterr,
    "SKEW": _skew,
    "KURTOSIS": _kurtosis,
    "CORREL": _correl,
    "NULLCOUNT": _counter("null"),
    "NUMERICCOUNT": _counter("numeric"),
    "TEXTCOUNT": _counter("text"),
    "MISSINGCOUNT": _counter("missing"),
    "FIRSTSORTEDVALUE": _first_sorted,
}


# -- legacy entry point (symbol indices of one field) -------------------------------------------


def aggregate(
    func: str,
    groups: npt.NDArray[np.integer],
    n_groups: int,
    symbols: npt.NDArray[np.integer],
    numbers: FloatArray,
    *,
    distinct: bool = False,
) -> FloatArray:
    """`func` of one field's records per group, as float64 (numbers only)."""
    sym = np.asarray(symbols, dtype=np.int64)
    valid = sym >= 0
    num = np.where(valid, np.asarray(numbers, dtype=np.float64)[np.maximum(sym, 0)], np.nan)
    if len(numbers) == 0:
        num = np.full(len(sym), np.nan)
    text = np.full(len(sym), None, dtype=object)
    text[valid & np.isnan(num)] = ""
    values = Duals(num, text)
    result = aggregate_values(
        func, values, [], np.asarray(groups, dtype=np.int64), n_groups, distinct, sym
    )
    return result.num

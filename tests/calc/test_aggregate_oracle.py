"""Differential test: every aggregation (with and without DISTINCT) against plain Python over
generated records holding NULLs, numbers, texts and duals, in several groups."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.calc.aggregate import aggregate_values
from openqix.calc.format import format_number
from openqix.calc.values import Dual, Duals

Value = tuple[str | None, float]  # (text, number): NULL = (None, nan)
NAN = math.nan

values = st.one_of(
    st.just((None, NAN)),
    st.integers(-3, 5).map(lambda i: (None, float(i))),
    st.sampled_from([(None, 0.5), (None, 2.25)]),
    st.sampled_from([("a", NAN), ("B", NAN), ("", NAN), ("b", NAN)]),
    st.sampled_from([("Q1", 1.0), ("Q2", 2.0), ("one", 1.0)]),
)
records = st.lists(st.tuples(st.integers(0, 2), values, values), max_size=14)


def identity(v: Value) -> Any:
    return ("n", v[1]) if v[1] == v[1] else ("t", v[0])


def is_null(v: Value) -> bool:
    return v[0] is None and v[1] != v[1]


def numeric(vs: list[Value]) -> list[float]:
    return [v[1] for v in vs if v[1] == v[1]]


def display(v: Value) -> str:
    return v[0] if v[0] is not None else format_number(v[1])


def distinct(vs: list[Value]) -> list[Value]:
    seen: dict[Any, Value] = {}
    for v in vs:
        if not is_null(v):
            seen.setdefault(identity(v), v)
    return list(seen.values())


def quantile(xs: list[float], f: float) -> float:
    if not xs:
        return NAN
    xs = sorted(xs)
    pos = (len(xs) - 1) * f
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def skew(xs: list[float]) -> float:
    n = len(xs)
    if n < 3:
        return NAN
    m, s = statistics.fmean(xs), statistics.stdev(xs)
    if s == 0:
        return NAN
    return n / ((n - 1) * (n - 2)) * sum(((x - m) / s) ** 3 for x in xs)


def kurtosis(xs: list[float]) -> float:
    n = len(xs)
    if n < 4:
        return NAN
    m, s = statistics.fmean(xs), statistics.stdev(xs)
    if s == 0:
        return NAN
    head = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * sum(((x - m) / s) ** 4 for x in xs)
    return head - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))


def mode(vs: list[Value]) -> Value | None:
    counts = Counter(identity(v) for v in vs if not is_null(v))
    if not counts:
        return None
    ranked = counts.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return next(v for v in vs if not is_null(v) and identity(v) == ranked[0][0])


def only(vs: list[Value]) -> Value | None:
    kept = distinct(vs)
    return kept[0] if len(kept) == 1 else None


def string_extreme(vs: list[Value], last: bool) -> Value | None:
    kept = [v for v in vs if not is_null(v)]
    if not kept:
        return None
    key: Callable[[Value], tuple[int, float, str]] = lambda v: (  # noqa: E731
        (0, v[1], "") if v[1] == v[1] else (1, 0.0, v[0] or "")
    )
    ordered = sorted(kept, key=key)
    return ordered[-1] if last else ordered[0]


def first_sorted(pairs: list[tuple[Value, Value]]) -> Value | None:
    kept = [(v, w[1]) for v, w in pairs if not is_null(v) and w[1] == w[1]]
    if not kept:
        return None
    best = min(w for _, w in kept)
    winners = {identity(v) for v, w in kept if w == best}
    if len(winners) != 1:
        return None
    return next(v for v, w in kept if w == best)


def correl(pairs: list[tuple[Value, Value]]) -> float:
    xy = [(x[1], y[1]) for x, y in pairs if x[1] == x[1] and y[1] == y[1]]
    if len(xy) < 2:
        return NAN
    xs, ys = [p[0] for p in xy], [p[1] for p in xy]
    try:
        return statistics.correlation(xs, ys)
    except statistics.StatisticsError:
        return NAN


def concat(texts: list[str]) -> str | None:
    """Concat of no value is NULL."""
    return ",".join(texts) if texts else None


def stdev(xs: list[float]) -> float:
    return statistics.stdev(xs) if len(xs) > 1 else NAN


ORACLES: dict[str, Callable[[list[Value]], Any]] = {
    "SUM": lambda vs: float(sum(numeric(vs))),
    "COUNT": lambda vs: float(sum(not is_null(v) for v in vs)),
    "AVG": lambda vs: statistics.fmean(numeric(vs)) if numeric(vs) else NAN,
    "MIN": lambda vs: min(numeric(vs), default=NAN),
    "MAX": lambda vs: max(numeric(vs), default=NAN),
    "ONLY": only,
    "MINSTRING": lambda vs: string_extreme(vs, False),
    "MAXSTRING": lambda vs: string_extreme(vs, True),
    "MODE": mode,
    "MEDIAN": lambda vs: quantile(numeric(vs), 0.5),
    "STDEV": lambda vs: stdev(numeric(vs)),
    "STERR": lambda vs: stdev(numeric(vs)) / math.sqrt(max(len(numeric(vs)), 1)),
    "SKEW": lambda vs: skew(numeric(vs)),
    "KURTOSIS": lambda vs: kurtosis(numeric(vs)),
    "NULLCOUNT": lambda vs: float(sum(is_null(v) for v in vs)),
    "NUMERICCOUNT": lambda vs: float(len(numeric(vs))),
    "TEXTCOUNT": lambda vs: float(sum(not is_null(v) and v[1] != v[1] for v in vs)),
    "MISSINGCOUNT": lambda vs: float(sum(v[1] != v[1] for v in vs)),
    "CONCAT": lambda vs: concat(sorted(display(v) for v in vs if not is_null(v))),
}
DISTINCT_ORACLES = {
    "SUM": lambda vs: float(sum(numeric(distinct(vs)))),
    "COUNT": lambda vs: float(len(distinct(vs))),
    "AVG": lambda vs: statistics.fmean(numeric(distinct(vs))) if numeric(distinct(vs)) else NAN,
    "MEDIAN": lambda vs: quantile(numeric(distinct(vs)), 0.5),
    "CONCAT": lambda vs: concat(sorted({display(v) for v in vs if not is_null(v)})),
    "NUMERICCOUNT": lambda vs: float(len(numeric(distinct(vs)))),
}


def as_duals(vs: list[Value]) -> Duals:
    num = np.array([v[1] for v in vs], dtype=np.float64)
    text = np.empty(len(vs), dtype=object)
    text[:] = [v[0] for v in vs]
    return Duals(num, text)


def close(got: Dual, want: Any) -> bool:
    if isinstance(want, str):
        return got.text == want
    if want is None:
        return got.is_null
    if isinstance(want, tuple):
        return got.text == want[0] and (
            got.num == want[1] or (got.num != got.num and want[1] != want[1])
        )
    if math.isnan(want):
        return math.isnan(got.num)
    return math.isclose(got.num, want, rel_tol=1e-9, abs_tol=1e-9)


def run(func: str, rows: list[tuple[int, Value, Value]], distinct_: bool = False) -> list[Dual]:
    groups = np.array([g for g, _, _ in rows], dtype=np.int64)
    first = as_duals([v for _, v, _ in rows])
    extra: list[Duals] = []
    if func == "CONCAT":
        extra = [Duals.of_value(",", len(rows))]
    elif func in ("FIRSTSORTEDVALUE", "CORREL"):
        extra = [as_duals([w for _, _, w in rows])]
    return aggregate_values(func, first, extra, groups, 3, distinct_).items()


@settings(max_examples=60, deadline=None)
@given(records)
def test_every_aggregation_matches_plain_python(rows: list[tuple[int, Value, Value]]) -> None:
    for func, oracle in ORACLES.items():
        got = run(func, rows)
        for g in range(3):
            want = oracle([v for gg, v, _ in rows if gg == g])
            assert close(got[g], want), (func, g, got[g], want)
    for func in ("FIRSTSORTEDVALUE", "CORREL"):
        got = run(func, rows)
        for g in range(3):
            pairs = [(v, w) for gg, v, w in rows if gg == g]
            want = first_sorted(pairs) if func == "FIRSTSORTEDVALUE" else correl(pairs)
            assert close(got[g], want), (func, g, got[g], want)


@settings(max_examples=60, deadline=None)
@given(records)
def test_distinct_aggregations_match_plain_python(rows: list[tuple[int, Value, Value]]) -> None:
    for func, oracle in DISTINCT_ORACLES.items():
        got = run(func, rows, distinct_=True)
        for g in range(3):
            want = oracle([v for gg, v, _ in rows if gg == g])
            assert close(got[g], want), (func, g, got[g], want)


def test_ranked_min_max_and_fractile() -> None:
    vs = [(None, float(x)) for x in (5, 1, 4, 1, 3)]
    groups = np.zeros(5, dtype=np.int64)
    second = Duals.of_value(2, 5)
    assert aggregate_values("MAX", as_duals(vs), [second], groups, 1).num.tolist() == [4.0]
    assert aggregate_values("MIN", as_duals(vs), [second], groups, 1).num.tolist() == [1.0]
    quarter = Duals.of_value(0.25, 5)
    assert aggregate_values("FRACTILE", as_duals(vs), [quarter], groups, 1).num.tolist() == [1.0]

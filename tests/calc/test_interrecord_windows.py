"""Above/Below/Top/Bottom with offset and count, inside range functions, NoOfRows and
Column(n): compared with a plain-Python reference over generated straight tables with one
and two dimensions (column segments = groups of the first dimension; TOTAL = the column)."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "objects"))

from objects_testkit import all_possible, cube_def, model, table, texts

from openqix.calc.chart import ChartContext, ChartDimension, ChartEvaluator, chart_rows
from openqix.engine.model import DataModel
from openqix.engine.selection import SelectionState
from openqix.lang.expression import field_names, parse_expression
from openqix.objects.hypercube import hypercube

Record = tuple[str, int, int | None]


def evaluate(m: DataModel, dims: list[str], text: str) -> dict[tuple[str, ...], Any]:
    """`text` per chart row, keyed by the dimension texts (None for NULL)."""
    ctx = ChartContext(m)
    expr = parse_expression(text)
    rows = chart_rows(ctx, [ChartDimension(d) for d in dims], None, field_names(expr))
    values = ChartEvaluator(ctx, rows).eval(expr)
    keys = zip(*(rows.dim_values(d).text.tolist() for d in range(len(dims))), strict=True)
    out: dict[tuple[str, ...], Any] = {}
    for key, t, n in zip(keys, values.text.tolist(), values.num.tolist(), strict=True):
        out[tuple(key)] = t if t is not None else (None if math.isnan(n) else n)
    return out


class Reference:
    """The chart in plain Python: rows in dimension load order, per-row Sum and Max."""

    def __init__(self, records: list[Record], dims: list[str]) -> None:
        index = {"A": 0, "B": 1}
        cols = [index[d] for d in dims]
        first_seen: list[dict[object, int]] = [{} for _ in cols]
        for rec in records:
            for j, c in enumerate(cols):
                first_seen[j].setdefault(rec[c], len(first_seen[j]))
        keys = {tuple(rec[c] for c in cols) for rec in records}
        self.keys = sorted(keys, key=lambda k: tuple(first_seen[j][v] for j, v in enumerate(k)))
        self.sums: list[float] = []
        self.maxes: list[float | None] = []
        for key in self.keys:
            amounts = [r[2] for r in records if tuple(r[c] for c in cols) == key]
            numbers = [float(a) for a in amounts if a is not None]
            self.sums.append(sum(numbers))
            self.maxes.append(max(numbers) if numbers else None)
        self.two = len(dims) == 2

    def segment(self, i: int, total: bool) -> list[int]:
        if total or not self.two:
            return list(range(len(self.keys)))
        return [j for j, k in enumerate(self.keys) if k[0] == self.keys[i][0]]

    def window(
        self, name: str, values: list[Any], i: int, offset: int, count: int, total: bool
    ) -> list[Any]:
        seg = self.segment(i, total)
        local, length = seg.index(i), len(seg)
        if name in ("Top", "Bottom") and offset < 0:
            name, offset = ("Bottom" if name == "Top" else "Top"), -offset
        out = []
        for k in range(max(count, 1)):
            if name == "Above":
                target = local - offset - k
            elif name == "Below":
                target = local + offset + k
            elif name == "Top":
                target = max(offset, 1) - 1 + k
            else:
                target = length - max(offset, 1) - k
            out.append(values[seg[target]] if 0 <= target < length else None)
        return out

    def text_key(self, i: int) -> tuple[str, ...]:
        return tuple(str(v) for v in self.keys[i])


def _range_sum(v: list[Any]) -> float:
    return float(sum(x for x in v if x is not None))


def _range_avg(v: list[Any]) -> float | None:
    xs = [x for x in v if x is not None]
    return sum(xs) / len(xs) if xs else None


def _range_count(v: list[Any]) -> float:
    return float(sum(x is not None for x in v))


def _range_max(v: list[Any]) -> float | None:
    xs = [x for x in v if x is not None]
    return max(xs) if xs else None


def _range_null_count(v: list[Any]) -> float:
    return float(sum(x is None for x in v))


RANGES: dict[str, Callable[[list[Any]], Any]] = {
    "RangeSum": _range_sum,
    "RangeAvg": _range_avg,
    "RangeCount": _range_count,
    "RangeMax": _range_max,
    "RangeNullCount": _range_null_count,
}

records_strategy = st.lists(
    st.tuples(
        st.sampled_from(["x", "y", "z"]),
        st.integers(0, 6),
        st.none() | st.integers(-5, 20),
    ),
    min_size=1,
    max_size=25,
)


def _close(got: Any, want: Any) -> bool:
    if want is None or got is None:
        return got is None and want is None
    return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    records_strategy,
    st.sampled_from([["B"], ["A", "B"]]),
    st.sampled_from(["Above", "Below", "Top", "Bottom"]),
    st.sampled_from(sorted(RANGES)),
    st.integers(-3, 4),
    st.integers(1, 4),
    st.booleans(),
    st.booleans(),
)
def test_windows_match_python(
    records: list[Record],
    dims: list[str],
    name: str,
    range_name: str,
    offset: int,
    count: int,
    total: bool,
    use_max: bool,
) -> None:
    m = model(
        table(
            "T",
            A=[r[0] for r in records],
            B=[r[1] for r in records],
            Sales=[r[2] for r in records],
        )
    )
    ref = Reference(records, dims)
    inner = "Max(Sales)" if use_max else "Sum(Sales)"
    values: list[Any] = ref.maxes if use_max else ref.sums
    scope = "TOTAL " if total else ""
    call = f"{name}({scope}{inner}, {offset}, {count})"

    got = evaluate(m, dims, call)
    assert list(got) == [ref.text_key(i) for i in range(len(ref.keys))]  # row order
    for i in range(len(ref.keys)):
        # outside a range function the count is ignored: the window's first row
        want = ref.window(name, values, i, offset, count, total)[0]
        assert _close(got[ref.text_key(i)], want), (call, i)

    got = evaluate(m, dims, f"{range_name}({call})")
    for i in range(len(ref.keys)):
        want = RANGES[range_name](ref.window(name, values, i, offset, count, total))
        assert _close(got[ref.text_key(i)], want), (range_name, call, i)

    # a window next to plain arguments: every window row is one more argument
    got = evaluate(m, dims, f"RangeSum({call}, 100, {name}({inner}))")
    for i in range(len(ref.keys)):
        window = ref.window(name, values, i, offset, count, total)
        single = ref.window(name, values, i, 1, 1, False)
        want = _range_sum([*window, 100.0, *single])
        assert _close(got[ref.text_key(i)], want), (call, i)

    rows = evaluate(m, dims, f"NoOfRows({'TOTAL' if total else ''})")
    for i in range(len(ref.keys)):
        assert rows[ref.text_key(i)] == float(len(ref.segment(i, total)))


SALES = model(
    table(
        "Sales",
        Year=[2019, 2020, 2021, 2022, 2023],
        Sales=[1000, 1500, 1200, 1800, 1700],
    )
)


def test_help_examples() -> None:
    """The Qlik help pages' examples (Top, Above, RangeAvg/RangeNullCount with Above)."""
    got = evaluate(SALES, ["Year"], "Sum(Sales) - Top(Sum(Sales), 3)")
    assert got[("2019",)] == -200.0
    got = evaluate(SALES, ["Year"], "RangeAvg(Above(Sum(Sales), 1, 3))")
    want = [None, 1000.0, 1250.0, 3700 / 3, 1500.0]
    assert all(_close(got[(str(y),)], w) for y, w in zip(range(2019, 2024), want, strict=True))
    got = evaluate(SALES, ["Year"], "RangeNullCount(Above(Sum(Sales), 0, 3))")
    assert [got[(str(y),)] for y in range(2019, 2024)] == [2.0, 1.0, 0.0, 0.0, 0.0]
    got = evaluate(SALES, ["Year"], "RangeSum(Above(Sum(Sales), -1, 3))")  # below, here, above
    assert got[("2019",)] == 2500.0 and got[("2023",)] == 3500.0
    got = evaluate(SALES, ["Year"], "Bottom(Sum(Sales)) & '/' & Top(Sum(Sales), -2)")
    assert set(got.values()) == {"1700/1800"}


def test_column_in_a_hypercube() -> None:
    definition = cube_def(
        ["Year"], ["Sum(Sales)", "Column(1) * 2", "Column(2) + 1", "Column(4)", "Column(9)"]
    )
    layout = hypercube(SALES, all_possible(SALES), SelectionState.empty(), definition)
    rows = texts(layout["qDataPages"][0])
    # Column(4) inside measure 4 calls itself: NULL, as Qlik documents for recursive calls
    assert rows[0] == ["2019", "1000", "2000", "2001", "-", "-"]


def test_window_errors_are_typed() -> None:
    from openqix.calc.errors import CalcError

    try:
        evaluate(SALES, ["Year"], "RangeSum(Above(Sum(Sales), 1, 2, 3))")
    except CalcError as error:
        assert "Above" in str(error)
    else:
        raise AssertionError("expected an error")

"""Inter-record functions follow the hypercube's sort (qInterColumnSortOrder, each column's
qSortBy...), checked against a plain-Python reference: sort the rows as the definition says,
cut column segments (consecutive rows equal in every dimension but the last one in the sort
order), then read Above/Below/Top/Bottom/RowNo/NoOfRows/moving sums and running totals (a count
that varies per row) off that list."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from objects_testkit import all_possible, cube_def, model, table, texts

from openqix.engine.model import DataModel
from openqix.engine.selection import SelectionState
from openqix.objects.cube import compute_cube
from openqix.objects.hypercube import hypercube

MEASURES = [
    "Sum(Sales)",
    "Above(Sum(Sales))",
    "Below(Sum(Sales))",
    "Top(Sum(Sales))",
    "Bottom(Sum(Sales))",
    "RowNo()",
    "NoOfRows()",
    "RangeSum(Above(Sum(Sales), 0, 2))",
    "RowNo(TOTAL)",
    "Above(TOTAL Sum(Sales))",
    "RangeSum(Above(Sum(Sales), 0, RowNo()))",
    "RangeNullCount(Above(Sum(Sales), 1, RowNo()))",
    "RangeCount(Above(Sum(Sales), 0, RowNo(TOTAL)))",
]

A_SORTS: list[dict[str, Any]] = [
    {"qSortByAscii": 1},
    {"qSortByAscii": -1},
    {"qSortByLoadOrder": 1},
    {"qSortByLoadOrder": -1},
    {},
]
B_SORTS: list[dict[str, Any]] = [
    {"qSortByNumeric": 1},
    {"qSortByNumeric": -1},
    {"qSortByLoadOrder": 1},
    {"qSortByLoadOrder": -1},
]

records = st.lists(
    st.tuples(
        st.sampled_from(["b", "d", "a", "c", "e"]),
        st.integers(1, 4),
        st.one_of(st.none(), st.integers(-5, 20)),
    ),
    min_size=1,
    max_size=14,
)


def _first_seen(values: list[Any]) -> dict[Any, int]:
    seen: dict[Any, int] = {}
    for v in values:
        seen.setdefault(v, len(seen))
    return seen


def _dim_key(values: list[Any], criteria: dict[str, Any]) -> dict[Any, int]:
    """Rank per value under one SortCriteria (load order breaks ties; all values distinct)."""
    load = _first_seen(values)
    if "qSortByLoadOrder" in criteria or not criteria:
        ordered = sorted(load, key=lambda v: load[v] * criteria.get("qSortByLoadOrder", 1))
    elif "qSortByAscii" in criteria:
        ordered = sorted(load, key=str, reverse=criteria["qSortByAscii"] < 0)
    else:
        ordered = sorted(load, reverse=criteria["qSortByNumeric"] < 0)
    return {v: i for i, v in enumerate(ordered)}


def reference(
    rows: list[tuple[str, int, int | None]],
    dims: list[str],
    criteria: list[dict[str, Any]],
    measure_sort: int,
    order: list[int],
) -> list[tuple[tuple[Any, ...], list[float]]]:
    """(dimension values, MEASURES values) per chart row, in display order."""
    index = {"A": 0, "B": 1}
    columns = {d: [r[index[d]] for r in rows] for d in dims}
    sums: dict[tuple[Any, ...], float] = {}
    for r in rows:
        key = tuple(r[index[d]] for d in dims)
        sums[key] = sums.get(key, 0.0) + (r[2] or 0)
    ranks = [_dim_key(columns[d], c) for d, c in zip(dims, criteria, strict=True)]

    def sort_key(key: tuple[Any, ...]) -> tuple[float, ...]:
        parts: list[float] = []
        for column in order:
            if column < len(dims):
                parts.append(ranks[column][key[column]])
            else:
                parts.append(sums[key] * measure_sort)
        return tuple(parts)

    chart = sorted(sums, key=sort_key)
    dims_by_sort = [c for c in order if c < len(dims)]
    bounding = [d for d in range(len(dims)) if d != dims_by_sort[-1]]
    segments: list[list[int]] = []
    for i, key in enumerate(chart):
        same = i > 0 and all(chart[i - 1][d] == key[d] for d in bounding)
        if same:
            segments[-1].append(i)
        else:
            segments.append([i])
    nan = math.nan
    out: list[tuple[tuple[Any, ...], list[float]]] = [((), []) for _ in chart]
    values = [sums[k] for k in chart]
    for seg in segments:
        for p, i in enumerate(seg):
            above = values[seg[p - 1]] if p > 0 else nan
            below = values[seg[p + 1]] if p + 1 < len(seg) else nan
            moving = values[i] + (values[seg[p - 1]] if p > 0 else 0.0)
            out[i] = (
                chart[i],
                [
                    values[i],
                    above,
                    below,
                    values[seg[0]],
                    values[seg[-1]],
                    p + 1.0,
                    float(len(seg)),
                    moving,
                    i + 1.0,
                    values[i - 1] if i > 0 else nan,
                    sum(values[j] for j in seg[: p + 1]),
                    1.0,
                    p + 1.0,
                ],
            )
    return out


def _cube_rows(
    m: DataModel, definition: dict[str, Any], dims: list[str]
) -> list[tuple[tuple[Any, ...], list[float]]]:
    cube = compute_cube(m, all_possible(m), definition)
    assert all(spec.error is None for spec in cube.measures)
    result = []
    for r in range(cube.n_rows):
        key = []
        for d, name in enumerate(dims):
            symbols = m.fields[name].symbols
            symbol = int(cube.dim_symbols[d][r])
            number = float(symbols.numbers[symbol])
            key.append(symbols.texts[symbol] if math.isnan(number) else int(number))
        result.append((tuple(key), [float(v[r]) for v in cube.measure_values]))
    return result


def _same(got: list[float], expected: list[float]) -> bool:
    return all(
        (math.isnan(g) and math.isnan(e)) or math.isclose(g, e, abs_tol=1e-9)
        for g, e in zip(got, expected, strict=True)
    )


@settings(max_examples=60, deadline=None)
@given(
    rows=records,
    two=st.booleans(),
    a_sort=st.sampled_from(A_SORTS),
    b_sort=st.sampled_from(B_SORTS),
    measure_sort=st.sampled_from([0, 1, -1]),
    data=st.data(),
)
def test_inter_record_functions_follow_the_cube_sort(
    rows: list[tuple[str, int, int | None]],
    two: bool,
    a_sort: dict[str, Any],
    b_sort: dict[str, Any],
    measure_sort: int,
    data: st.DataObject,
) -> None:
    m = model(
        table(
            "T",
            A=[r[0] for r in rows],
            B=[r[1] for r in rows],
            Sales=[r[2] for r in rows],
        )
    )
    dims = ["A", "B"] if two else ["A"]
    criteria = [a_sort, b_sort][: len(dims)]
    width = len(dims) + len(MEASURES)
    first = data.draw(st.permutations([*range(len(dims)), len(dims)]))
    order = list(first) + list(range(len(dims) + 1, width))
    definition = cube_def(dims, MEASURES, qInterColumnSortOrder=order)
    for dim, sort in zip(definition["qDimensions"], criteria, strict=True):
        dim["qDef"]["qSortCriterias"] = [sort]
    definition["qMeasures"][0]["qSortBy"] = {"qSortByNumeric": measure_sort}
    # MEASURES use inter-record functions, so sorting by measure values is disabled (Qlik's
    # help on inter-record functions): the rows keep the dimensions' sort
    expected = reference(rows, dims, criteria, 0, order)
    got = _cube_rows(m, definition, dims)
    assert [k for k, _ in got] == [k for k, _ in expected]
    for (key, values), (_, wanted) in zip(got, expected, strict=True):
        assert _same(values, wanted), (key, values, wanted)


SALES = model(
    table(
        "Sales",
        Product=["p", "q", "r", "s", "p", "r"],
        Region=["N", "N", "S", "S", "S", "N"],
        Sales=[10, 40, 5, 25, 30, 1],
    )
)


def layout(definition: dict[str, Any]) -> list[list[str]]:
    got = hypercube(SALES, all_possible(SALES), SelectionState.empty(), definition)
    return texts(got["qDataPages"][0])


def test_a_measure_sort_is_disabled_by_an_inter_record_function() -> None:
    """Qlik's help: sorting by y-values is disabled when any expression of the chart uses an
    inter-record function; the rows keep the dimension's sort (Product ascending here)."""
    definition = cube_def(
        ["Product"],
        ["Sum(Sales)", "Above(Sum(Sales))", "RowNo()", "Rank(Sum(Sales))"],
        qInterColumnSortOrder=[1, 0],
    )
    definition["qMeasures"][0]["qSortBy"] = {"qSortByNumeric": -1}
    assert layout(definition) == [
        ["p", "40", "-", "1", "1 - 2"],
        ["q", "40", "40", "2", "1 - 2"],
        ["r", "6", "40", "3", "4"],
        ["s", "25", "6", "4", "3"],
    ]
    plain = cube_def(["Product"], ["Sum(Sales)"], qInterColumnSortOrder=[1, 0])
    plain["qMeasures"][0]["qSortBy"] = {"qSortByNumeric": 1}
    assert [row[0] for row in layout(plain)] == ["r", "s", "p", "q"]  # without: it applies


def test_segments_drop_the_last_dimension_of_the_sort_order() -> None:
    """Sorting Region after Product makes Region the segment's running dimension."""
    definition = cube_def(
        ["Region", "Product"], ["Sum(Sales)", "RowNo()", "NoOfRows()"], qInterColumnSortOrder=[1, 0]
    )
    assert layout(definition) == [
        ["N", "p", "10", "1", "2"],
        ["S", "p", "30", "2", "2"],
        ["N", "q", "40", "1", "1"],
        ["N", "r", "1", "1", "2"],
        ["S", "r", "5", "2", "2"],
        ["S", "s", "25", "1", "1"],
    ]


def test_suppressed_rows_are_skipped_by_above() -> None:
    """q sums to 0 in region S and is suppressed; r's Above then reads p, not q."""
    south = "Sum({<Region={S}>} Sales)"
    definition = cube_def(["Product"], [south, f"Above({south}) * {south}"])
    definition["qSuppressZero"] = True
    assert layout(definition) == [["p", "30", "-"], ["r", "5", "150"], ["s", "25", "125"]]


def test_expression_sort_text_sort_and_rank_ties() -> None:
    """A dimension sorted by expression, another by text descending: RowNo and Rank's
    per-row tie order (mode 4) follow the display order."""
    by_expression = cube_def(["Product"], ["Sum(Sales)", "RowNo()", "Above(Sum(Sales))"])
    by_expression["qDimensions"][0]["qDef"]["qSortCriterias"] = [
        {"qSortByExpression": 1, "qExpression": {"qv": "Sum(Sales)"}}
    ]
    assert layout(by_expression) == [
        ["r", "6", "1", "-"],
        ["s", "25", "2", "6"],
        ["p", "40", "3", "25"],
        ["q", "40", "4", "40"],
    ]
    descending = cube_def(["Product"], ["Rank(Sum(Sales), 4)", "Top(Only(Product))"])
    descending["qDimensions"][0]["qDef"]["qSortCriterias"] = [{"qSortByAscii": -1}]
    assert layout(descending) == [
        ["s", "3", "s"],
        ["r", "4", "s"],
        ["q", "1", "s"],
        ["p", "2", "s"],
    ]


def test_calculated_dimension_sorted_descending() -> None:
    definition = cube_def(["=Sales * 2"], ["RowNo()", "Above(Sum(Sales))"])
    definition["qDimensions"][0]["qDef"]["qReverseSort"] = True
    assert layout(definition) == [
        ["80", "1", "-"],
        ["60", "2", "40"],
        ["50", "3", "30"],
        ["20", "4", "25"],
        ["10", "5", "10"],
        ["2", "6", "5"],
    ]

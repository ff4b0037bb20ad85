"""Straight cubes with any expression: calculated dimensions, text measures, set analysis
rows (resolved Q4a), TOTAL and errors."""

from __future__ import annotations

from typing import Any

from objects_testkit import all_possible, column, cube_def, model, table, texts

from openqix.engine.inference import infer
from openqix.engine.selection import SelectionState, select_symbols
from openqix.objects.hypercube import hypercube

SALES = model(
    table(
        "Sales",
        Year=[2020, 2020, 2020, 2021, 2021, 2021, 2021],
        Quarter=["Q1", "Q2", "Q2", "Q1", "Q2", "Q3", "Q4"],
        Amount=[1, 2, 3, 4, 5, 6, 7],
        Rep=["a", "b", "a", "b", "b", "a", None],
    )
)


def select(field: str, *values: str) -> SelectionState:
    symbols = SALES.fields[field].symbols
    state, ok = select_symbols(
        SALES, SelectionState.empty(), field, [symbols.texts.index(v) for v in values], False, False
    )
    assert ok
    return state


def layout(definition: dict[str, Any], state: SelectionState | None = None) -> dict[str, Any]:
    if state is None:
        return hypercube(SALES, all_possible(SALES), SelectionState.empty(), definition)
    return hypercube(SALES, infer(SALES, state), state, definition)


def page(got: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = got["qDataPages"][0]
    return result


def test_a_measure_with_a_set_widens_the_rows() -> None:
    """Help 'Defining the aggregation scope': Quarter=Q2 selected, all year/quarter rows."""
    state = select("Quarter", "Q2")
    got = layout(cube_def(["Year", "Quarter"], ["Sum(Amount)", "Sum({1} Amount)"]), state)
    rows = texts(page(got))
    assert len(rows) == 6
    assert ["2020", "Q1", "0", "1"] in rows and ["2020", "Q2", "5", "5"] in rows
    assert ["2021", "Q4", "0", "7"] in rows


def test_a_total_measure_with_a_set_does_not() -> None:
    state = select("Quarter", "Q1", "Q2")
    got = layout(cube_def(["Quarter"], ["Sum(Amount)", "Sum({1} TOTAL Amount)"]), state)
    assert texts(page(got)) == [["Q1", "5", "28"], ["Q2", "10", "28"]]


def test_expression_measures_and_texts() -> None:
    definition = cube_def(
        ["Year"],
        [
            "Sum(Amount) * 2",
            "Concat(DISTINCT Rep, '+')",
            "Only(Rep)",
            "Sum(Amount)/Sum(TOTAL Amount)",
        ],
    )
    got = layout(definition)
    rows = texts(page(got))
    assert rows[0][:4] == ["2020", "12", "a+b", "-"]
    assert rows[1][:4] == ["2021", "44", "a+b", "-"]
    assert rows[0][4] == "0.2142857143"
    cell = page(got)["qMatrix"][0][2]
    assert cell["qText"] == "a+b" and cell["qElemNumber"] == 0 and "qIsNull" not in cell
    assert got["qGrandTotalRow"][1]["qText"] == "a+b"


def test_calculated_dimensions() -> None:
    definition = cube_def(["=If(Amount > 3, 'big', 'small')"], ["Sum(Amount)", "Count(Rep)"])
    got = layout(definition)
    assert texts(page(got)) == [["big", "22", "3"], ["small", "6", "3"]]
    info = got["qDimensionInfo"][0]
    assert "qError" not in info and info["qFallbackTitle"] == "=If(Amount > 3, 'big', 'small')"
    assert column(page(got), 0, "qState") == ["O", "O"]


def test_aggr_as_a_calculated_dimension() -> None:
    got = layout(cube_def(["=Aggr(Sum(Amount), Year)"], ["Count(DISTINCT Year)"]))
    assert texts(page(got)) == [["6", "1"], ["22", "1"]]


def test_calculated_dimension_sorts_and_suppresses_nulls() -> None:
    definition = cube_def(["=Upper(Rep)"], ["Sum(Amount)"])
    got = layout(definition)
    assert texts(page(got)) == [["A", "10"], ["B", "11"], ["-", "7"]]
    definition["qDimensions"][0]["qNullSuppression"] = True
    assert texts(page(layout(definition))) == [["A", "10"], ["B", "11"]]


def test_bad_definitions_are_errors_on_their_column_only() -> None:
    got = layout(cube_def(["=Sum(", "Year"], ["Sum(Sum(Amount))", "Sum(Amount)"]))
    assert got["qDimensionInfo"][0]["qError"]["qErrorCode"] == 7000
    assert got["qMeasureInfo"][0]["qError"]["qErrorCode"] == 7000
    assert "Nested aggregation" in got["qMeasureInfo"][0]["qError"]["qExtendedMessage"]
    assert texts(page(got)) == [["-", "2020", "-", "6"], ["-", "2021", "-", "22"]]


def test_no_possible_records() -> None:
    empty = select("Quarter", "Q4")
    nothing = SelectionState(
        {**empty.fields, "Rep": select("Rep", "a").fields["Rep"]}
    )  # Q4 and Rep a: no record
    definition = cube_def(["Year"], ["Sum(Amount)", "Rank(Sum(Amount))", "Concat(Rep)"])
    got = layout(definition, nothing)
    assert got["qSize"]["qcy"] == 0
    assert [c["qText"] for c in got["qGrandTotalRow"]] == ["0", "1", "-"]


def test_calculated_and_field_dimensions_with_a_set_measure() -> None:
    state = select("Year", "2020")
    definition = cube_def(["=Amount * 2", "Year"], ["Sum(Amount)", "Count({1<Rep={b}>} Amount)"])
    rows = texts(page(layout(definition, state)))
    assert rows == [["2", "2020", "1", "0"], ["4", "2020", "2", "1"], ["6", "2020", "3", "0"]]


def test_explicit_number_formats_shape_measure_texts() -> None:
    definition = cube_def(["Year"], ["Sum(Amount) * 1000", "Sum(Amount) / 100", "Max(Amount)"])
    formats = [
        {"qType": "F", "qnDec": 2, "qUseThou": 0, "qFmt": "#,##0.00", "qDec": ".", "qThou": ","},
        {"qType": "F", "qnDec": 0, "qUseThou": 0, "qFmt": "0%", "qDec": "."},
        {"qType": "D", "qFmt": "YYYY-MM-DD"},
    ]
    for measure, fmt in zip(definition["qMeasures"], formats, strict=True):
        measure["qDef"]["qNumFormat"] = fmt
    got = layout(definition)
    assert texts(page(got))[0] == ["2020", "6,000.00", "6%", "1900-01-02"]
    assert page(got)["qMatrix"][0][1]["qNum"] == 6000.0
    assert [c["qText"] for c in got["qGrandTotalRow"]] == ["28,000.00", "28%", "1900-01-06"]


def test_context_set_expression_and_aggr_sets() -> None:
    definition = cube_def(["Year"], ["Sum(Amount)"], qContextSetExpression="{<Rep={b}>}")
    assert texts(page(layout(definition))) == [["2020", "2"], ["2021", "9"]]
    bad = cube_def(["Year"], ["Sum(Amount)"], qContextSetExpression="{<Rep={b}")
    assert layout(bad)["qError"]["qErrorCode"] == 7000
    aggr = cube_def([], ["Max(Aggr({<Quarter={Q2}>} Sum(Amount), Year))"])
    assert texts(page(layout(aggr))) == [["5"]]


def test_sort_by_expression() -> None:
    definition = cube_def(["Quarter"], ["Sum(Amount)"])
    criteria = {"qSortByExpression": -1, "qExpression": {"qv": "Sum(Amount)"}}
    definition["qDimensions"][0]["qDef"]["qSortCriterias"] = [criteria]
    assert [r[0] for r in texts(page(layout(definition)))] == ["Q2", "Q4", "Q3", "Q1"]
    criteria["qSortByExpression"] = 1
    assert [r[0] for r in texts(page(layout(definition)))] == ["Q1", "Q3", "Q4", "Q2"]
    criteria["qExpression"] = {"qv": "Sum(Nope("}
    assert [r[0] for r in texts(page(layout(definition)))] == ["Q1", "Q2", "Q3", "Q4"]


def test_moving_sums_and_column_per_segment() -> None:
    """RangeSum(Above(..., 0, 2)) restarts in each Year (the column segment); TOTAL runs on."""
    definition = cube_def(
        ["Year", "Quarter"],
        [
            "Sum(Amount)",
            "RangeSum(Above(Sum(Amount), 0, 2))",
            "RangeSum(Above(TOTAL Sum(Amount), 0, 2))",
            "Column(1) - Top(Column(1))",
            "NoOfRows()",
        ],
    )
    rows = texts(page(layout(definition)))
    assert rows == [
        ["2020", "Q1", "1", "1", "1", "0", "2"],
        ["2020", "Q2", "5", "6", "6", "4", "2"],
        ["2021", "Q1", "4", "4", "9", "0", "4"],
        ["2021", "Q2", "5", "9", "9", "1", "4"],
        ["2021", "Q3", "6", "11", "11", "2", "4"],
        ["2021", "Q4", "7", "13", "13", "3", "4"],
    ]

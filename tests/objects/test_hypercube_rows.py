"""Which rows a straight cube has, what its measures count, suppression, sorting, paging."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from objects_testkit import all_possible, assert_plain, cube_def, hand_inference, model, table

from openqix.calc.errors import PagesTooLarge
from openqix.engine.inference import Inference, infer
from openqix.engine.model import DataModel
from openqix.engine.selection import FieldSelection, SelectionState
from openqix.engine.states import ValueState
from openqix.objects.hypercube import hypercube, hypercube_data

EMPTY = SelectionState.empty()
FANOUT = model(
    table(
        "Orders", OrderID=[1, 2, 3, 4, 5], CustomerID=[1, 1, 2, 9, 3], Amount=[10, 20, 30, 40, 5]
    ),
    table("Customers", CustomerID=[1, 2, 3, 4], Country=["SE", "DK", "SE", "NO"]),
    table("Contacts", CustomerID=[1, 1, 1, 2], Phone=["a", "b", "c", "d"]),
)


def rows(
    m: DataModel,
    definition: dict[str, Any],
    inference: Inference | None = None,
    state: SelectionState = EMPTY,
) -> list[list[str]]:
    layout = hypercube(m, inference or all_possible(m), state, definition)
    assert_plain(layout)
    return [[cell["qText"] for cell in row] for row in layout["qDataPages"][0]["qMatrix"]]


def test_fan_out_through_an_unrelated_table_does_not_multiply() -> None:
    got = rows(FANOUT, cube_def(["Country"], ["Sum(Amount)", "Count(OrderID)", "Count(Phone)"]))
    assert got == [
        ["SE", "35", "3", "3"],
        ["DK", "30", "1", "1"],
        ["NO", "0", "0", "0"],
        ["-", "40", "1", "0"],
    ]


def test_each_record_counts_once_per_chart_row_it_is_associated_with() -> None:
    got = rows(FANOUT, cube_def(["Country", "Phone"], ["Sum(Amount)", "Count(OrderID)"]))
    assert got == [
        ["SE", "a", "30", "2"],
        ["SE", "b", "30", "2"],
        ["SE", "c", "30", "2"],
        ["SE", "-", "5", "1"],
        ["DK", "d", "30", "1"],
        ["NO", "-", "0", "0"],
        ["-", "-", "40", "1"],
    ]


def test_grand_total_counts_every_possible_record_once() -> None:
    layout = hypercube(
        FANOUT,
        all_possible(FANOUT),
        EMPTY,
        cube_def(["Country", "Phone"], ["Sum(Amount)", "Count(DISTINCT Country)"]),
    )
    assert [c["qText"] for c in layout["qGrandTotalRow"]] == ["105", "3"]


def test_measure_on_the_dimension_table() -> None:
    got = rows(FANOUT, cube_def(["Phone"], ["Count(Country)", "Count(DISTINCT Country)"]))
    assert got == [
        ["a", "1", "1"],
        ["b", "1", "1"],
        ["c", "1", "1"],
        ["d", "1", "1"],
        ["-", "2", "2"],  # customers 3 and 4 have no contact
    ]


def test_key_field_dimension_lists_every_possible_key_value() -> None:
    got = rows(FANOUT, cube_def(["CustomerID"], ["Sum(Amount)"]))
    assert got == [["1", "30"], ["2", "30"], ["9", "40"], ["3", "5"], ["4", "0"]]


def test_null_dimension_row_and_its_cardinality() -> None:
    layout = hypercube(FANOUT, all_possible(FANOUT), EMPTY, cube_def(["Country"], ["Sum(Amount)"]))
    cell = layout["qDataPages"][0]["qMatrix"][-1][0]
    assert cell == {
        "qText": "-",
        "qNum": cell["qNum"],
        "qElemNumber": -2,
        "qState": "L",
        "qIsNull": True,
    }
    assert layout["qDimensionInfo"][0]["qCardinalities"]["qHypercubeCardinal"] == 4


def test_null_suppression() -> None:
    definition = cube_def(["Country"], ["Sum(Amount)"])
    definition["qDimensions"][0]["qNullSuppression"] = True
    assert [r[0] for r in rows(FANOUT, definition)] == ["SE", "DK", "NO"]


def test_suppress_zero_and_missing() -> None:
    m = model(table("T", k=["a", "b", "c", "d"], v=[0, None, 2, "text"]))
    measures = ["Sum(v)", "Avg(v)"]
    assert len(rows(m, cube_def(["k"], measures))) == 4
    assert [r[0] for r in rows(m, cube_def(["k"], measures, qSuppressZero=True))] == ["c"]
    missing = rows(m, cube_def(["k"], measures, qSuppressMissing=True))
    assert [r[0] for r in missing] == ["a", "b", "c", "d"]  # Sum is 0, never missing
    only_avg = rows(m, cube_def(["k"], ["Avg(v)"], qSuppressMissing=True))
    assert [r[0] for r in only_avg] == ["a", "c"]


def test_island_measure_shows_its_total_on_every_row() -> None:
    m = model(table("A", k=["x", "y"]), table("B", budget=[100, 50]))
    assert rows(m, cube_def(["k"], ["Sum(budget)"])) == [["x", "150"], ["y", "150"]]


def test_selection_through_inference() -> None:
    texts = FANOUT.fields["Country"].symbols.texts
    state = SelectionState({"Country": FieldSelection(np.array([t == "SE" for t in texts]))})
    inference = infer(FANOUT, state)
    layout = hypercube(
        FANOUT, inference, state, cube_def(["Country", "CustomerID"], ["Sum(Amount)"])
    )
    matrix = layout["qDataPages"][0]["qMatrix"]
    assert [[c["qText"] for c in row] for row in matrix] == [["SE", "1", "30"], ["SE", "3", "5"]]
    assert {row[0]["qState"] for row in matrix} == {"S"}
    assert layout["qGrandTotalRow"][0]["qText"] == "35"
    assert layout["qDimensionInfo"][0]["qStateCounts"]["qSelected"] == 1


def test_dimension_cells_carry_the_value_state() -> None:
    m = model(table("T", k=["a", "b"], v=[1, 2]))
    inference = hand_inference(m, states={"k": {"a": ValueState.SELECTED}})
    layout = hypercube(m, inference, EMPTY, cube_def(["k"], ["Sum(v)"]))
    assert [row[0]["qState"] for row in layout["qDataPages"][0]["qMatrix"]] == ["S", "O"]
    assert {row[1]["qState"] for row in layout["qDataPages"][0]["qMatrix"]} == {"L"}


SORT_MODEL = model(table("T", k=["b", "C", "a", "b", "a"], n=[2, 10, 1, 3, 1], v=[5, 1, 2, 1, 1]))


@pytest.mark.parametrize(
    ("criteria", "order", "sort_by", "expected"),
    [
        ({}, None, {}, ["b", "C", "a"]),
        ({"qSortByAscii": 1}, None, {}, ["a", "b", "C"]),
        ({"qSortByAscii": -1}, None, {}, ["C", "b", "a"]),
        ({}, [1, 0], {"qSortByNumeric": -1}, ["b", "a", "C"]),
        ({}, [1, 0], {"qSortByNumeric": 1}, ["C", "a", "b"]),
        ({"qSortByFrequency": 1, "qSortByAscii": -1}, None, {}, ["b", "a", "C"]),
    ],
)
def test_sorting(
    criteria: dict[str, int], order: list[int] | None, sort_by: dict[str, int], expected: list[str]
) -> None:
    definition = cube_def(["k"], ["Sum(v)"])
    definition["qDimensions"][0]["qDef"]["qSortCriterias"] = [criteria]
    definition["qMeasures"][0]["qSortBy"] = sort_by
    if order is not None:
        definition["qInterColumnSortOrder"] = order
    layout = hypercube(SORT_MODEL, all_possible(SORT_MODEL), EMPTY, definition)
    assert [r[0]["qText"] for r in layout["qDataPages"][0]["qMatrix"]] == expected
    assert layout["qEffectiveInterColumnSortOrder"] == (order or [0, 1])


def test_second_column_breaks_ties_and_nulls_sort_last() -> None:
    m = model(table("T", g=["x", "x", "y", None, "y"], k=["b", "a", "c", "a", None]))
    definition = cube_def(["g", "k"], [])
    for dim in definition["qDimensions"]:
        dim["qDef"]["qSortCriterias"] = [{"qSortByAscii": -1}]
    assert rows(m, definition) == [["y", "c"], ["y", "-"], ["x", "b"], ["x", "a"], ["-", "a"]]


def test_reverse_sort_flips_a_dimension() -> None:
    definition = cube_def(["k"], ["Sum(v)"])
    definition["qDimensions"][0]["qDef"].update(
        qSortCriterias=[{"qSortByAscii": 1}], qReverseSort=True
    )
    assert [r[0] for r in rows(SORT_MODEL, definition)] == ["C", "b", "a"]


def test_numeric_dimension_sort_and_invalid_sort_orders() -> None:
    definition = cube_def(["n"], ["Sum(v)"], qInterColumnSortOrder=[5, 0, 0])
    definition["qDimensions"][0]["qDef"]["qSortCriterias"] = [{"qSortByNumeric": -1}]
    layout = hypercube(SORT_MODEL, all_possible(SORT_MODEL), EMPTY, definition)
    assert [r[0]["qNum"] for r in layout["qDataPages"][0]["qMatrix"]] == [10.0, 3.0, 2.0, 1.0]
    assert layout["qEffectiveInterColumnSortOrder"] == [0, 1]


def test_pages_are_clipped_to_the_cube() -> None:
    definition = cube_def(["Country"], ["Sum(Amount)", "Count(OrderID)"])
    pages = [
        {"qLeft": 1, "qTop": 1, "qWidth": 5, "qHeight": 2},
        {"qLeft": 0, "qTop": 3, "qWidth": 1, "qHeight": 10},
        {"qLeft": 0, "qTop": 7, "qWidth": 3, "qHeight": 10},
        {"qLeft": 4, "qTop": 0, "qWidth": 3, "qHeight": 10},
    ]
    inner, tail, below, right = hypercube_data(
        FANOUT, all_possible(FANOUT), EMPTY, definition, pages
    )
    assert [[c["qText"] for c in r] for r in inner["qMatrix"]] == [["30", "1"], ["0", "0"]]
    assert inner["qArea"] == {"qLeft": 1, "qTop": 1, "qWidth": 2, "qHeight": 2}
    assert inner["qTails"] == [{"qUp": 0, "qDown": 0}]
    assert [[c["qText"] for c in r] for r in tail["qMatrix"]] == [["-"]]
    assert below["qMatrix"] == [] and below["qArea"]["qHeight"] == 0
    assert right["qMatrix"] == [] and right["qArea"]["qWidth"] == 0


def test_oversized_pages_raise_in_data_calls_and_flag_the_layout() -> None:
    m = model(table("T", k=list(range(5001))))
    definition = cube_def(["k"], ["Count(k)"])
    page = [{"qLeft": 0, "qTop": 0, "qWidth": 2, "qHeight": 5001}]
    with pytest.raises(PagesTooLarge):
        hypercube_data(m, all_possible(m), EMPTY, definition, page)
    definition["qInitialDataFetch"] = page
    layout = hypercube(m, all_possible(m), EMPTY, definition)
    assert layout["qError"]["qErrorCode"] == 7009 and layout["qDataPages"] == []
    assert layout["qSize"] == {"qcx": 2, "qcy": 5001}

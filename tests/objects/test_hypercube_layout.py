"""Straight hypercube layouts: the golden shape, infos, totals, errors and dynamic keys."""

from __future__ import annotations

import math
from typing import Any

import pytest
from objects_testkit import all_possible, assert_plain, column, cube_def, is_nan, model, table

from openqix.engine.selection import SelectionState
from openqix.objects.hypercube import hypercube

EMPTY = SelectionState.empty()
NAN = math.nan


def golden_model() -> Any:
    return model(table("T", xyz=["x", "y", "y", "y", "z"], numbers=[1, 2, 3, 4, 5]))


def test_matches_the_golden_layout() -> None:
    """qix-semantics §2.4: dimension xyz, measure count(numbers), page 50 x 20."""
    m = golden_model()
    definition = {
        "qDimensions": [{"qDef": {"qFieldDefs": ["xyz"]}}],
        "qMeasures": [{"qDef": {"qDef": "count(numbers)"}, "qSortBy": {"qSortByFrequency": 1}}],
        "qInitialDataFetch": [{"qWidth": 50, "qHeight": 20}],
        "customProperty": "kept",
    }
    got = hypercube(m, all_possible(m), EMPTY, definition)
    counts = {
        "qLocked": 0,
        "qSelected": 0,
        "qOption": 3,
        "qDeselected": 0,
        "qAlternative": 0,
        "qExcluded": 0,
        "qSelectedExcluded": 0,
        "qLockedExcluded": 0,
    }
    expected = {
        "qSize": {"qcx": 2, "qcy": 3},
        "qDimensionInfo": [
            {
                "qFallbackTitle": "xyz",
                "qApprMaxGlyphCount": 1,
                "qCardinal": 3,
                "qSortIndicator": "N",
                "qGroupFallbackTitles": ["xyz"],
                "qGroupPos": 0,
                "qStateCounts": counts,
                "qTags": ["$ascii", "$text"],
                "qDimensionType": "D",
                "qGrouping": "N",
                "qNumFormat": {"qType": "U", "qnDec": 0, "qUseThou": 0},
                "qIsAutoFormat": True,
                "qGroupFieldDefs": ["xyz"],
                "qMin": NAN,
                "qMax": NAN,
                "qAttrExprInfo": [],
                "qAttrDimInfo": [],
                "qCardinalities": {
                    "qCardinal": 3,
                    "qHypercubeCardinal": 3,
                    "qAllValuesCardinal": -1,
                },
            }
        ],
        "qMeasureInfo": [
            {
                "qFallbackTitle": "count(numbers)",
                "qApprMaxGlyphCount": 1,
                "qCardinal": 0,
                "qSortIndicator": "A",
                "qNumFormat": {
                    "qType": "I",
                    "qnDec": 0,
                    "qUseThou": 1,
                    "qFmt": "###0",
                    "qDec": ".",
                },
                "qMin": 1.0,
                "qMax": 3.0,
                "qIsAutoFormat": True,
                "qAttrExprInfo": [],
                "qAttrDimInfo": [],
                "qTrendLines": [],
            }
        ],
        "qEffectiveInterColumnSortOrder": [0, 1],
        "qGrandTotalRow": [
            {"qText": "5", "qNum": 5.0, "qElemNumber": -1, "qState": "X", "qIsTotalCell": True}
        ],
        "qDataPages": [
            {
                "qMatrix": [
                    [
                        {"qText": "x", "qNum": NAN, "qElemNumber": 0, "qState": "O"},
                        {"qText": "1", "qNum": 1.0, "qElemNumber": 0, "qState": "L"},
                    ],
                    [
                        {"qText": "y", "qNum": NAN, "qElemNumber": 1, "qState": "O"},
                        {"qText": "3", "qNum": 3.0, "qElemNumber": 0, "qState": "L"},
                    ],
                    [
                        {"qText": "z", "qNum": NAN, "qElemNumber": 2, "qState": "O"},
                        {"qText": "1", "qNum": 1.0, "qElemNumber": 0, "qState": "L"},
                    ],
                ],
                "qTails": [{"qUp": 0, "qDown": 0}],
                "qArea": {"qLeft": 0, "qTop": 0, "qWidth": 2, "qHeight": 3},
            }
        ],
        "qPivotDataPages": [],
        "qStackedDataPages": [],
        "qMode": "S",
        "qNoOfLeftDims": -1,
        "qTreeNodesOnDim": [],
        "qColumnOrder": [],
        "customProperty": "kept",
    }
    assert_plain(got)
    assert list(got) == list(expected)
    assert repr(got) == repr(expected)  # repr: NaN compares equal to itself there


def test_labels_state_name_and_dynamic_keys_of_defs() -> None:
    m = golden_model()
    definition = cube_def(["xyz"], ["Sum(numbers)"], qStateName="B", qColumnOrder=[1, 0])
    definition["qDimensions"][0]["qDef"].update(qFieldLabels=["Letters"], cId="d1")
    definition["qMeasures"][0]["qDef"].update(qLabel="Total", cId="m1")
    got = hypercube(m, all_possible(m), EMPTY, definition)
    assert got["qStateName"] == "B" and got["qColumnOrder"] == [1, 0]
    dim, measure = got["qDimensionInfo"][0], got["qMeasureInfo"][0]
    assert (dim["qFallbackTitle"], dim["qGroupFallbackTitles"], dim["cId"]) == (
        "Letters",
        ["Letters"],
        "d1",
    )
    assert (measure["qFallbackTitle"], measure["cId"]) == ("Total", "m1")
    assert list(measure)[-1] == "cId"


def test_real_measures_get_the_real_format() -> None:
    m = model(table("T", k=["a", "b"], v=[1.25, 2]))
    got = hypercube(m, all_possible(m), EMPTY, cube_def(["k"], ["Avg(v)"]))
    info = got["qMeasureInfo"][0]
    assert info["qNumFormat"]["qType"] == "R" and (info["qMin"], info["qMax"]) == (1.25, 2.0)
    assert got["qGrandTotalRow"][0]["qText"] == "1.625"


def test_explicit_measure_format_is_reported_without_auto_flag() -> None:
    m = golden_model()
    definition = cube_def(["xyz"], ["Sum(numbers)"])
    fmt = {"qType": "F", "qnDec": 2, "qUseThou": 1, "qFmt": "#,##0.00", "qDec": ".", "qThou": ","}
    definition["qMeasures"][0]["qDef"]["qNumFormat"] = fmt
    info = hypercube(m, all_possible(m), EMPTY, definition)["qMeasureInfo"][0]
    assert info["qNumFormat"] == fmt and "qIsAutoFormat" not in info


@pytest.mark.parametrize("bad", ["Sum(Sum(numbers))", "Sum(numbers", "Nope(numbers)"])
def test_invalid_measure_has_an_error_and_null_cells(bad: str) -> None:
    m = golden_model()
    got = hypercube(m, all_possible(m), EMPTY, cube_def(["xyz"], [bad]))
    info = got["qMeasureInfo"][0]
    assert info["qError"]["qErrorCode"] == 7000
    assert info["qFallbackTitle"] == bad
    assert is_nan(info["qMin"]) and is_nan(info["qMax"])
    cell = got["qDataPages"][0]["qMatrix"][0][1]
    assert cell["qText"] == "-" and is_nan(cell["qNum"]) and cell["qIsNull"] is True
    assert got["qGrandTotalRow"][0]["qText"] == "-"
    assert "qError" not in got


def test_library_items_that_were_not_resolved() -> None:
    m = golden_model()
    definition = {
        "qDimensions": [{"qLibraryId": "dimX", "qDef": {}}],
        "qMeasures": [{"qLibraryId": "mesY", "qDef": {}}],
    }
    got = hypercube(m, all_possible(m), EMPTY, definition)
    assert got["qDimensionInfo"][0]["qError"]["qErrorCode"] == 7001
    assert got["qMeasureInfo"][0]["qError"]["qErrorCode"] == 7001
    assert got["qMeasureInfo"][0]["qLibraryId"] == "mesY"


def test_unknown_dimension_field_gives_one_null_row_with_the_total() -> None:
    m = golden_model()
    got = hypercube(m, all_possible(m), EMPTY, cube_def(["Nope"], ["Sum(numbers)"]))
    assert got["qDimensionInfo"][0]["qError"] == {
        "qErrorCode": 7000,
        "qContext": "Nope",
        "qExtendedMessage": "field not found: Nope",
    }
    assert got["qSize"] == {"qcx": 2, "qcy": 1}
    row = got["qDataPages"][0]["qMatrix"][0]
    assert row[0]["qIsNull"] is True and row[1]["qText"] == "15"


def test_unknown_measure_field_aggregates_nothing() -> None:
    m = golden_model()
    got = hypercube(m, all_possible(m), EMPTY, cube_def(["xyz"], ["Sum(Nope)", "Avg(Nope)"]))
    page = got["qDataPages"][0]
    assert column(page, 1) == ["0", "0", "0"] and column(page, 2) == ["-", "-", "-"]
    assert "qError" not in got["qMeasureInfo"][0]


def test_dimensions_in_unlinked_tables_are_a_cube_error() -> None:
    m = model(table("A", a=[1, 2]), table("B", b=[3]))
    got = hypercube(m, all_possible(m), EMPTY, cube_def(["a", "b"], ["Count(a)"]))
    assert got["qError"]["qErrorCode"] == 6000
    assert got["qSize"] == {"qcx": 3, "qcy": 0}
    assert got["qDataPages"][0]["qMatrix"] == []
    assert len(got["qDimensionInfo"]) == 2 and len(got["qGrandTotalRow"]) == 1


def test_other_modes_are_not_implemented() -> None:
    m = golden_model()
    got = hypercube(m, all_possible(m), EMPTY, cube_def(["xyz"], ["Sum(numbers)"], qMode="P"))
    assert got["qError"]["qErrorCode"] == 20 and got["qMode"] == "P"
    assert got["qDataPages"] == []
    long_form = cube_def(["xyz"], [], qMode="DATA_MODE_STRAIGHT")
    assert hypercube(m, all_possible(m), EMPTY, long_form)["qMode"] == "S"


@pytest.mark.parametrize(
    ("dims", "measures", "size"),
    [([], ["Sum(numbers)", "Count(xyz)"], {"qcx": 2, "qcy": 1}), ([], [], {"qcx": 0, "qcy": 0})],
)
def test_dimensionless_cubes(dims: list[str], measures: list[str], size: dict[str, int]) -> None:
    m = golden_model()
    got = hypercube(m, all_possible(m), EMPTY, cube_def(dims, measures))
    assert got["qSize"] == size
    if measures:
        assert [c["qText"] for c in got["qDataPages"][0]["qMatrix"][0]] == ["15", "5"]
        assert got["qDataPages"][0]["qTails"] == []
    else:
        assert got["qGrandTotalRow"] == [] and got["qDataPages"][0]["qMatrix"] == []


def test_dynamic_keys_keep_their_order_and_the_cache_sees_edits() -> None:
    m = golden_model()
    definition = cube_def(["xyz"], ["Sum(numbers)"])
    definition["qDimensions"][0]["qDef"].update(zeta=1, alpha=2)
    first = hypercube(m, all_possible(m), EMPTY, definition)
    assert list(first["qDimensionInfo"][0])[-2:] == ["zeta", "alpha"]
    definition["qDimensions"][0]["qDef"]["qFieldLabels"] = ["Renamed"]
    definition["qMeasures"][0]["qDef"]["qDef"] = "Count(numbers)"
    second = hypercube(m, all_possible(m), EMPTY, definition)
    assert second["qDimensionInfo"][0]["qFallbackTitle"] == "Renamed"
    assert second["qGrandTotalRow"][0]["qText"] == "5"
    again = hypercube(m, all_possible(m), EMPTY, cube_def(["xyz"], ["Sum(numbers)"]))
    assert again["qGrandTotalRow"][0]["qText"] == "15"

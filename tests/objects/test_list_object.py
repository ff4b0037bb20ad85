"""List objects: values in every state, state letters and counts, sorting, frequency, paging."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from objects_testkit import (
    all_possible,
    assert_plain,
    column,
    hand_inference,
    is_nan,
    model,
    table,
)

from openqix.calc.errors import PagesTooLarge
from openqix.engine.inference import infer
from openqix.engine.selection import FieldSelection, SelectionState
from openqix.engine.states import ValueState
from openqix.objects.listobject import list_object, list_object_data

S, A, X = ValueState.SELECTED, ValueState.ALTERNATIVE, ValueState.EXCLUDED
EMPTY = SelectionState.empty()
MODEL = model(
    table(
        "Sales",
        Region=["north", "South", "east", "north", "West", "north"],
        Units=[3, 1, 2, 3, 10, 3],
    ),
    table("Mixed", Code=["b", 10, "A", 2.5, None]),
)
PAGE = [{"qLeft": 0, "qTop": 0, "qWidth": 1, "qHeight": 50}]


def listbox(field: str, **extra: Any) -> dict[str, Any]:
    return {"qDef": {"qFieldDefs": [field]}, "qInitialDataFetch": PAGE, **extra}


def layout(field: str, inference: Any = None, **extra: Any) -> dict[str, Any]:
    return list_object(MODEL, inference or all_possible(MODEL), EMPTY, listbox(field, **extra))


def values(field: str, criteria: dict[str, int], **extra: Any) -> list[str]:
    extra["qDef"] = {"qFieldDefs": [field], "qSortCriterias": [criteria]}
    return column(layout(field, **extra)["qDataPages"][0], 0)


def test_layout_shape() -> None:
    lo = layout("Units", myKey="kept", qFrequencyMode="V")
    assert_plain(lo)
    assert list(lo) == ["qSize", "qDimensionInfo", "qExpressions", "qDataPages", "myKey"]
    assert lo["qSize"] == {"qcx": 1, "qcy": 4}
    info = lo["qDimensionInfo"]
    assert info["qFallbackTitle"] == "Units" and info["qCardinal"] == 4
    assert info["qTags"] == ["$numeric", "$integer"] and info["qDimensionType"] == "N"
    assert (info["qMin"], info["qMax"]) == (1.0, 10.0)
    assert info["qStateCounts"]["qOption"] == 4 and len(info["qStateCounts"]) == 8
    assert info["qCardinalities"] == {
        "qCardinal": 4,
        "qHypercubeCardinal": 0,
        "qAllValuesCardinal": -1,
    }
    assert info["qGroupFieldDefs"] == ["Units"] and info["qGroupPos"] == 0
    assert info["qNumFormat"] == {"qType": "U", "qnDec": 0, "qUseThou": 0}
    assert "qLocked" not in info and "qError" not in info
    page = lo["qDataPages"][0]
    assert page["qMatrix"][0] == [
        {"qText": "3", "qNum": 3.0, "qElemNumber": 0, "qState": "O", "qFrequency": "3"}
    ]
    assert page["qTails"] == [] and page["qArea"] == {
        "qLeft": 0,
        "qTop": 0,
        "qWidth": 1,
        "qHeight": 4,
    }


def test_text_field_info() -> None:
    info = layout("Region")["qDimensionInfo"]
    assert info["qDimensionType"] == "D" and info["qTags"] == ["$ascii", "$text"]
    assert is_nan(info["qMin"]) and is_nan(info["qMax"])
    assert info["qApprMaxGlyphCount"] == 5


def test_state_letters_and_counts() -> None:
    inference = hand_inference(MODEL, states={"Region": {"north": S, "South": A, "east": X}})
    shown = layout("Region", inference, qShowAlternatives=True)
    page = shown["qDataPages"][0]
    assert column(page, 0, "qState") == ["S", "A", "X", "O"]
    counts = shown["qDimensionInfo"]["qStateCounts"]
    assert (counts["qSelected"], counts["qAlternative"], counts["qExcluded"]) == (1, 1, 1)
    hidden = layout("Region", inference)
    assert column(hidden["qDataPages"][0], 0, "qState") == ["S", "X", "X", "O"]
    assert hidden["qDimensionInfo"]["qStateCounts"]["qAlternative"] == 1


def test_locked_field_and_state_name_echo() -> None:
    mask = MODEL.fields["Region"].symbols.texts.index("north")
    selected = [i == mask for i in range(4)]
    state = SelectionState({"Region": FieldSelection(np.array(selected), True)})
    lo = list_object(MODEL, all_possible(MODEL), state, listbox("Region", qStateName="B"))
    assert lo["qStateName"] == "B" and lo["qDimensionInfo"]["qLocked"] is True


def test_no_criteria_is_load_order() -> None:
    assert values("Region", {}) == ["north", "South", "east", "West"]


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"qSortByAscii": 1}, ["east", "north", "South", "West"]),
        ({"qSortByAscii": -1}, ["West", "South", "north", "east"]),
        ({"qSortByLoadOrder": -1}, ["West", "east", "South", "north"]),
        ({"qSortByFrequency": 1}, ["north", "South", "east", "West"]),
        ({"qSortByFrequency": -1, "qSortByAscii": 1}, ["east", "South", "West", "north"]),
    ],
)
def test_text_sorting(criteria: dict[str, int], expected: list[str]) -> None:
    assert values("Region", criteria) == expected


def test_numeric_sort_puts_text_last_in_both_directions() -> None:
    assert values("Code", {"qSortByNumeric": 1}) == ["2.5", "10", "b", "A"]
    assert values("Code", {"qSortByNumeric": -1, "qSortByAscii": 1}) == ["10", "2.5", "A", "b"]


def test_state_sort_comes_before_the_other_keys() -> None:
    inference = hand_inference(MODEL, states={"Region": {"West": S, "north": X, "east": A}})
    got = values("Region", {"qSortByState": 1, "qSortByAscii": 1}, inference=inference)
    assert got == ["West", "South", "east", "north"]


def test_auto_sort_by_state_promotes_selected_values_in_long_lists() -> None:
    inference = hand_inference(MODEL, states={"Region": {"West": S}})
    long_list = values(
        "Region", {}, inference=inference, qAutoSortByState={"qDisplayNumberOfRows": 2}
    )
    assert long_list[0] == "West"
    short_list = values(
        "Region", {}, inference=inference, qAutoSortByState={"qDisplayNumberOfRows": 10}
    )
    assert short_list[0] == "north"


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("V", ["3", "1", "1", "1"]),
        ("P", ["50.0%", "16.7%", "16.7%", "16.7%"]),
        ("NX_FREQUENCY_RELATIVE", ["0.5", "0.167", "0.167", "0.167"]),
    ],
)
def test_frequency_modes(mode: str, expected: list[str]) -> None:
    page = layout("Region", qFrequencyMode=mode)["qDataPages"][0]
    assert column(page, 0, "qFrequency") == expected


def test_frequency_counts_possible_records_and_is_omitted_at_zero() -> None:
    inference = hand_inference(MODEL, rows={"Sales": [True, True, False, False, False, True]})
    page = layout("Region", inference, qFrequencyMode="V")["qDataPages"][0]
    assert [row[0].get("qFrequency") for row in page["qMatrix"]] == ["2", "1", None, None]
    assert "qFrequency" not in layout("Region")["qDataPages"][0]["qMatrix"][0][0]


def test_unknown_field_reports_an_error() -> None:
    lo = layout("Nope")
    assert lo["qError"]["qErrorCode"] == 7000 and lo["qError"]["qContext"] == "Nope"
    assert lo["qSize"] == {"qcx": 1, "qcy": 0}
    assert lo["qDimensionInfo"]["qError"]["qErrorCode"] == 7000
    assert lo["qDataPages"][0]["qMatrix"] == []


def test_calculated_dimension_is_not_supported_yet() -> None:
    assert layout("=Region")["qError"]["qErrorCode"] == 7000


def test_paging_is_clipped() -> None:
    definition = listbox("Region")
    pages = [
        {"qTop": 2, "qWidth": 3, "qHeight": 5},
        {"qLeft": 0, "qTop": 9, "qWidth": 1, "qHeight": 5},
    ]
    first, beyond = list_object_data(MODEL, all_possible(MODEL), EMPTY, definition, pages)
    assert column(first, 0) == ["east", "West"]
    assert first["qArea"] == {"qLeft": 0, "qTop": 2, "qWidth": 1, "qHeight": 2}
    assert beyond["qMatrix"] == [] and beyond["qArea"]["qHeight"] == 0


def test_oversized_pages() -> None:
    big = [{"qLeft": 0, "qTop": 0, "qWidth": 1, "qHeight": 10_001}]
    m = model(table("Big", N=list(range(10_001))))
    with pytest.raises(PagesTooLarge) as caught:
        list_object_data(m, all_possible(m), EMPTY, listbox("N"), big)
    assert caught.value.code == 7009
    lo = list_object(m, all_possible(m), EMPTY, listbox("N", qInitialDataFetch=big))
    assert lo["qError"] == {
        "qErrorCode": 7009,
        "qContext": "qPages",
        "qExtendedMessage": "10001 cells requested, at most 10000",
    }
    assert lo["qDataPages"] == []


def test_through_inference() -> None:
    mask = [t == "north" for t in MODEL.fields["Region"].symbols.texts]
    state = SelectionState({"Region": FieldSelection(np.array(mask))})
    inference = infer(MODEL, state)
    page = list_object(MODEL, inference, state, listbox("Units"))["qDataPages"][0]
    assert dict(zip(column(page, 0), column(page, 0, "qState"), strict=True)) == {
        "3": "O",
        "1": "X",
        "2": "X",
        "10": "X",
    }
    region = list_object(MODEL, inference, state, listbox("Region", qShowAlternatives=True))
    assert column(region["qDataPages"][0], 0, "qState") == ["S", "A", "A", "A"]

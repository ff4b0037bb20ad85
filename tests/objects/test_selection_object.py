"""The current-selections object: items, texts, threshold, flags, counts, per state."""

from __future__ import annotations

import numpy as np
from objects_testkit import assert_plain, model, table

from openqix.engine.inference import infer
from openqix.engine.selection import FieldSelection, SelectionState
from openqix.objects.generic import StaticContext, layout_of
from openqix.objects.selection_object import SelectionExtras, selected_texts, selection_object

MODEL = model(
    table("Sales", Region=["b", "A", "c", 10, 2.5, "D", "e", "f", "g"], Units=list(range(9))),
)


def _state(**selected: list[int]) -> SelectionState:
    fields = {}
    for name, symbols in selected.items():
        mask = np.zeros(MODEL.fields[name].cardinal, dtype=bool)
        mask[symbols] = True
        fields[name] = FieldSelection(mask)
    return SelectionState(fields)


def test_no_selection() -> None:
    state = SelectionState.empty()
    layout = selection_object(MODEL, infer(MODEL, state), state, "$")
    assert layout == {"qBackCount": 0, "qForwardCount": 0, "qStateName": "$", "qSelections": []}


def test_items_in_selection_order_with_sorted_texts() -> None:
    state = _state(Units=[7], Region=[0, 1, 3, 4])
    extras = SelectionExtras(back_count=2, forward_count=1, and_mode={"Units"})
    layout = selection_object(MODEL, infer(MODEL, state), state, "$", extras)
    assert_plain(layout)
    assert (layout["qBackCount"], layout["qForwardCount"]) == (2, 1)
    units, region = layout["qSelections"]
    assert units["qField"] == "Units" and units["qSortIndex"] == 0 and units["qIsNum"] is True
    assert units["qSelectedFieldSelectionInfo"] == [{"qName": "7", "qFieldSelectionMode": "AND"}]
    # Numbers ascending first, then texts case-insensitively.
    assert region["qSelected"] == "2.5, 10, A, b" and "qIsNum" not in region
    assert region["qSelectedCount"] == 4 and region["qTotal"] == 9
    assert list(region) == [
        "qTotal",
        "qField",
        "qSelectedCount",
        "qSelected",
        "qRangeInfo",
        "qSortIndex",
        "qStateCounts",
        "qSelectedFieldSelectionInfo",
        "qNotSelectedFieldSelectionInfo",
        "qSelectionThreshold",
    ]


def test_threshold_locked_and_one_and_only_one() -> None:
    state = _state(Region=list(range(7)))
    fields = dict(state.fields)
    fields["Region"] = FieldSelection(fields["Region"].selected, locked=True)
    state = SelectionState(fields)
    extras = SelectionExtras(one_and_only_one={"Region"})
    (item,) = selection_object(MODEL, infer(MODEL, state), state, "S1", extras)["qSelections"]
    assert item["qSelected"] == "7 of 9" and item["qLocked"] is True
    assert item["qOneAndOnlyOne"] is True
    assert len(item["qSelectedFieldSelectionInfo"]) == 6
    assert item["qStateCounts"]["qLocked"] == 7 and item["qStateCounts"]["qAlternative"] == 2


def test_selected_texts_limit() -> None:
    info = MODEL.fields["Region"]
    assert selected_texts(info, np.arange(9)) == ["2.5", "10", "A", "b", "c", "D", "e", "f", "g"]
    assert selected_texts(info, np.arange(9), 3) == ["2.5", "10", "A"]


def test_in_a_generic_layout_per_state() -> None:
    empty = SelectionState.empty()
    chosen = _state(Region=[1])
    ctx = StaticContext(
        MODEL, {"$": (empty, infer(MODEL, empty)), "B": (chosen, infer(MODEL, chosen))}
    )
    props = {"qInfo": {"qType": "cs"}, "qSelectionObjectDef": {"qStateName": "B"}}
    layout = layout_of(props, ctx)
    assert layout["qSelectionObject"]["qStateName"] == "B"
    assert layout["qSelectionObject"]["qSelections"][0]["qSelected"] == "A"
    missing = layout_of({"qInfo": {"qType": "cs"}, "qSelectionObjectDef": {"qStateName": "Z"}}, ctx)
    assert missing["qSelectionObject"]["qError"]["qErrorCode"] == 2


def test_not_values_of_an_and_mode_field() -> None:
    chosen = np.zeros(MODEL.fields["Region"].cardinal, dtype=bool)
    negated = chosen.copy()
    chosen[0] = True
    negated[[5, 1]] = True
    state = SelectionState({"Region": FieldSelection(chosen, and_mode=True, excluded=negated)})
    extras = SelectionExtras(and_mode={"Region"})
    (item,) = selection_object(MODEL, infer(MODEL, state), state, "$", extras)["qSelections"]
    assert item["qSelectedFieldSelectionInfo"] == [{"qName": "b", "qFieldSelectionMode": "AND"}]
    assert item["qNotSelectedFieldSelectionInfo"] == [
        {"qName": "A", "qFieldSelectionMode": "NOT"},
        {"qName": "D", "qFieldSelectionMode": "NOT"},
    ]

"""Logical inference on small hand-made models: the cases spelled out in qix-semantics §1.3/§1.4."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from openqix.engine.inference import (
    clear_cache,
    infer,
    possible_rows,
    selection_masks,
    state_counts,
)
from openqix.engine.model import DataModel
from openqix.engine.selection import FieldSelection, SelectionState
from openqix.engine.states import STATE_COUNT_KEYS, ValueState


@pytest.fixture
def shop(eng: SimpleNamespace) -> DataModel:
    """Customers(4 has no orders) -- Orders(CustID 9 is an orphan) -- Products."""
    return eng.model(
        Customers={"CustID": [1, 2, 3, 4], "Name": ["Ann", "Bob", "Cid", "Dan"]},
        Orders={
            "OrderID": [10, 11, 12, 13],
            "CustID": [1, 1, 2, 9],
            "ProdID": [100, 101, 100, None],
        },
        Products={"ProdID": [100, 101, 102], "Product": ["Cap", "Hat", "Mug"]},
    )


def test_no_selection_everything_possible_including_orphans(
    eng: SimpleNamespace, shop: DataModel
) -> None:
    result = infer(shop, SelectionState.empty())
    for name in shop.fields:
        assert set(eng.letters(result, shop, name).values()) == {"O"}
    assert all(mask.all() for mask in result.possible_rows.values())


def test_select_customer_without_orders(eng: SimpleNamespace, shop: DataModel) -> None:
    result = infer(shop, eng.state(shop, {"Name": ["Dan"]}))
    assert eng.letters(result, shop, "Name") == {"Ann": "A", "Bob": "A", "Cid": "A", "Dan": "S"}
    assert eng.letters(result, shop, "CustID") == {"1": "X", "2": "X", "3": "X", "4": "O", "9": "X"}
    assert set(eng.letters(result, shop, "OrderID").values()) == {"X"}
    assert set(eng.letters(result, shop, "Product").values()) == {"X"}
    assert eng.rows(result, "Customers") == [3]
    assert eng.rows(result, "Orders") == []


def test_selection_propagates_outwards_only(eng: SimpleNamespace, shop: DataModel) -> None:
    result = infer(shop, eng.state(shop, {"Product": ["Cap"]}))
    assert eng.rows(result, "Orders") == [0, 2]
    assert eng.rows(result, "Customers") == [0, 1]
    assert eng.letters(result, shop, "Name") == {"Ann": "O", "Bob": "O", "Cid": "X", "Dan": "X"}
    # Products is not filtered by Orders (no selection on that side): Cap is the only
    # possible product because of its own selection, the rest are alternatives.
    assert eng.letters(result, shop, "Product") == {"Cap": "S", "Hat": "A", "Mug": "A"}


def test_orphan_key_value_is_possible_from_its_own_side(
    eng: SimpleNamespace, shop: DataModel
) -> None:
    result = infer(shop, eng.state(shop, {"OrderID": ["13"]}))
    assert eng.letters(result, shop, "CustID")["9"] == "O"
    assert eng.rows(result, "Customers") == []
    assert set(eng.letters(result, shop, "Name").values()) == {"X"}
    # The order has a NULL product: nothing in Products is associated.
    assert set(eng.letters(result, shop, "Product").values()) == {"X"}


def test_selecting_a_key_value_keeps_rows_of_each_table_holding_it(
    eng: SimpleNamespace, shop: DataModel
) -> None:
    result = infer(shop, eng.state(shop, {"CustID": ["4"]}))
    assert eng.rows(result, "Customers") == [3]  # not dropped for lack of orders
    assert eng.letters(result, shop, "Name")["Dan"] == "O"
    assert eng.rows(result, "Orders") == []
    assert eng.rows(result, "Products") == []  # no order associates a product with 4


def test_null_never_matches_a_selection(eng: SimpleNamespace) -> None:
    model = eng.model(T={"A": ["x", None, "y"], "B": [1, 2, 3]})
    result = infer(model, eng.state(model, {"A": ["x", "y"]}))
    assert eng.rows(result, "T") == [0, 2]
    assert eng.letters(result, model, "B") == {"1": "O", "2": "X", "3": "O"}


def test_null_key_rows_survive_when_not_filtered(eng: SimpleNamespace) -> None:
    model = eng.model(A={"K": [1, None], "a": ["p", "q"]}, B={"K": [1, 2], "b": ["u", "v"]})
    result = infer(model, eng.state(model, {"a": ["q"]}))
    assert eng.rows(result, "A") == [1]
    assert eng.rows(result, "B") == []  # filtered by A's only row, whose key is NULL
    result = infer(model, eng.state(model, {"b": ["u"]}))
    assert eng.rows(result, "A") == [0]


def test_excluded_selected_and_locked_states(eng: SimpleNamespace) -> None:
    model = eng.model(
        Sales={"Month": ["Jan", "Feb", "Mar", "Mar"], "Product": ["Cap", "Cap", "Cap", "Hat"]}
    )
    state = eng.state(model, {"Month": ["Jan", "Feb", "Mar"], "Product": ["Hat"]})
    result = infer(model, state)
    assert eng.letters(result, model, "Month") == {"Jan": "XS", "Feb": "XS", "Mar": "S"}
    assert eng.letters(result, model, "Product") == {"Cap": "A", "Hat": "S"}
    locked = eng.state(model, {"Month": ["Jan", "Feb", "Mar"], "Product": ["Hat"]}, ("Month",))
    assert eng.letters(infer(model, locked), model, "Month") == {
        "Jan": "XL",
        "Feb": "XL",
        "Mar": "L",
    }


def test_alternative_versus_excluded(eng: SimpleNamespace) -> None:
    model = eng.model(T={"Year": [2019, 2019, 2020], "Region": ["N", "S", "N"]})
    result = infer(model, eng.state(model, {"Year": ["2019"], "Region": ["S"]}))
    # 2020 is excluded by Region=S as well as by Year's own selection: X, not A.
    assert eng.letters(result, model, "Year") == {"2019": "S", "2020": "X"}
    assert eng.letters(result, model, "Region") == {"N": "A", "S": "S"}


def test_branches_are_joined_not_checked_one_by_one(eng: SimpleNamespace) -> None:
    """A row needs ONE partner row satisfying both selections beyond it, not one per selection."""
    model = eng.model(
        T={"K": [1], "t": ["r"]},
        N={"K": [1, 1], "K1": [1, 2], "K2": [2, 1]},
        M1={"K1": [1], "g1": ["yes"]},
        M2={"K2": [1], "g2": ["yes"]},
    )
    result = infer(model, eng.state(model, {"g1": ["yes"], "g2": ["yes"]}))
    assert eng.rows(result, "N") == []
    assert eng.rows(result, "T") == []


def test_key_shared_by_three_tables_is_one_hub(eng: SimpleNamespace) -> None:
    """A selection in Payments restricts Orders through the key, not through Customers too."""
    model = eng.model(
        Customers={"CustID": [1], "Name": ["Ann"]},
        Orders={"CustID": [1, 2, 3], "OrderID": [10, 20, 30]},
        Payments={"CustID": [2, 3], "Paid": ["yes", "no"]},
    )
    result = infer(model, eng.state(model, {"Paid": ["yes"]}))
    assert eng.rows(result, "Orders") == [1]
    assert eng.rows(result, "Customers") == []
    assert eng.letters(result, model, "CustID") == {"1": "X", "2": "O", "3": "X"}


def test_synthetic_key_like_and_looped_models_terminate(eng: SimpleNamespace) -> None:
    model = eng.model(
        A={"K1": [1, 2, 3], "K2": ["a", "b", "c"], "x": [1, 2, 3]},
        B={"K1": [1, 2, 4], "K2": ["a", "c", "c"], "y": ["p", "q", "r"]},
        C={"K2": ["a", "b"], "K3": [7, 8]},
        D={"K3": [7, 8], "K1": [1, 2]},
    )
    assert all(infer(model, SelectionState.empty()).possible_rows[t].all() for t in "ABCD")
    result = infer(model, eng.state(model, {"y": ["q"]}))
    # Each shared field links separately: A row 1 matches on K1 (2) but not on K2 (b vs c).
    assert eng.rows(result, "B") == [1]
    assert 1 not in eng.rows(result, "A")


def test_state_counts_reports_all_keys() -> None:
    states = np.array(
        [ValueState.SELECTED, ValueState.ALTERNATIVE, ValueState.ALTERNATIVE], np.int8
    )
    counts = state_counts(states)
    assert list(counts) == list(STATE_COUNT_KEYS)
    assert counts["qSelected"] == 1
    assert counts["qAlternative"] == 2
    assert sum(counts.values()) == 3
    assert sum(state_counts(np.zeros(0, np.int8)).values()) == 0


def test_results_are_cached_and_read_only(eng: SimpleNamespace, shop: DataModel) -> None:
    state = eng.state(shop, {"Name": ["Ann"]})
    first = infer(shop, state)
    assert infer(shop, state) is first
    clear_cache()
    assert infer(shop, state) is not first
    with pytest.raises(ValueError):
        first.states["Name"][0] = 0
    with pytest.raises(ValueError):
        first.possible_rows["Orders"][0] = True


def test_possible_helper_matches_states(eng: SimpleNamespace, shop: DataModel) -> None:
    result = infer(shop, eng.state(shop, {"Name": ["Ann"]}, ("Name",)))
    assert result.possible("Name").tolist() == [True, False, False, False]
    assert result.possible("Product").tolist() == [True, True, False]


def test_selections_on_unknown_or_resized_fields(eng: SimpleNamespace, shop: DataModel) -> None:
    state = SelectionState(
        {
            "Gone": FieldSelection(np.ones(3, bool)),
            "Name": FieldSelection(np.array([True])),  # made on an older, smaller model
            "Product": FieldSelection(np.zeros(3, bool)),  # empty: no constraint
        }
    )
    masks = selection_masks(shop, state.fields)
    assert list(masks) == ["Name"]
    assert masks["Name"].tolist() == [True, False, False, False]
    assert eng.rows(infer(shop, state), "Customers") == [0]


def test_possible_rows_with_no_selection_is_all_rows(shop: DataModel) -> None:
    rows = possible_rows(shop, {})
    assert {name: int(mask.sum()) for name, mask in rows.items()} == {
        "Customers": 4,
        "Orders": 4,
        "Products": 3,
    }


def test_empty_model() -> None:
    result = infer(DataModel.empty(), SelectionState.empty())
    assert dict(result.states) == {}
    assert dict(result.possible_rows) == {}

"""Pure selection operations: replace/toggle, locks, clears, conflict rule (resolved Q1)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from openqix.engine.inference import infer
from openqix.engine.model import DataModel
from openqix.engine.selection import (
    SelectionState,
    clear_all,
    clear_all_but_this,
    clear_field,
    lock_all,
    lock_field,
    select_all,
    select_alternative,
    select_excluded,
    select_possible,
    select_symbols,
    unlock_all,
    unlock_field,
)


@pytest.fixture
def sales(eng: SimpleNamespace) -> DataModel:
    """Acme bought only in 2020 (in the East); Bolt in 2019 and 2020 (West)."""
    return eng.model(
        Sales={
            "Year": [2019, 2020, 2020, 2019],
            "Customer": ["Bolt", "Acme", "Bolt", "Bolt"],
            "Region": ["West", "East", "West", "West"],
            "Amount": [1, 2, 3, 4],
        }
    )


def elems(model: DataModel, field: str, *texts: str) -> list[int]:
    symbols = model.fields[field].symbols
    return [i for i, t in enumerate(symbols.texts) if t in texts]


def test_replace_toggle_and_out_of_range(eng: SimpleNamespace, sales: DataModel) -> None:
    state, ok = select_symbols(sales, SelectionState.empty(), "Year", [0, 7, -1], False, False)
    assert ok
    assert eng.selected(state, sales, "Year") == {"2019"}
    state, ok = select_symbols(sales, state, "Year", np.array([0, 1, 1]), True, False)
    assert ok
    assert eng.selected(state, sales, "Year") == {"2020"}
    state, ok = select_symbols(sales, state, "Year", [1], True, False)
    assert ok
    assert "Year" not in state.fields  # empty selection removes the field


def test_unknown_field_fails(sales: DataModel) -> None:
    empty = SelectionState.empty()
    assert select_symbols(sales, empty, "Nope", [0], False, False) == (empty, False)


def test_no_change_returns_same_object(sales: DataModel) -> None:
    state, _ = select_symbols(sales, SelectionState.empty(), "Year", [0], False, False)
    assert select_symbols(sales, state, "Year", [0], False, False) == (state, True)
    assert select_symbols(sales, state, "Year", [0], False, False)[0] is state
    empty = SelectionState.empty()
    assert select_symbols(sales, empty, "Year", [], False, False)[0] is empty
    assert clear_field(empty, "Year") is empty
    assert clear_all(state, False) is not state
    assert clear_all(empty, True) is empty


def test_selection_order(sales: DataModel) -> None:
    state = SelectionState.empty()
    state, _ = select_symbols(sales, state, "Year", [0], False, False)
    state, _ = select_symbols(sales, state, "Region", [0], False, False)  # West
    state, _ = select_symbols(sales, state, "Year", [0, 1], False, False)
    assert list(state.fields) == ["Year", "Region"]
    state = clear_field(state, "Year")
    state, _ = select_symbols(sales, state, "Year", [1], False, False)
    assert list(state.fields) == ["Region", "Year"]
    reselected, _ = select_symbols(sales, state, "Year", [0], False, False)
    assert list(reselected.fields) == ["Region", "Year"]


def test_snapshots_are_not_mutated(sales: DataModel) -> None:
    first, _ = select_symbols(sales, SelectionState.empty(), "Year", [0], False, False)
    before = first.fields["Year"].selected.copy()
    second, _ = select_symbols(sales, first, "Year", [1], True, False)
    assert np.array_equal(first.fields["Year"].selected, before)
    assert second.version != first.version
    with pytest.raises(ValueError):
        second.fields["Year"].selected[0] = False


def test_locked_field_needs_soft_lock(eng: SimpleNamespace, sales: DataModel) -> None:
    state = lock_field(eng.state(sales, {"Year": ["2019"]}), "Year")
    assert select_symbols(sales, state, "Year", [1], False, False) == (state, False)
    changed, ok = select_symbols(sales, state, "Year", elems(sales, "Year", "2020"), False, True)
    assert ok
    assert eng.selected(changed, sales, "Year") == {"2020"}
    assert changed.is_locked("Year")  # a soft-lock selection keeps the lock
    emptied, ok = select_symbols(sales, changed, "Year", [], False, True)
    assert ok
    assert emptied.is_locked("Year")
    assert emptied.selected_fields() == []


def test_conflict_clears_other_unlocked_fields(eng: SimpleNamespace, sales: DataModel) -> None:
    state = eng.state(sales, {"Year": ["2019"]})
    acme = elems(sales, "Customer", "Acme")
    after, ok = select_symbols(sales, state, "Customer", acme, False, False)
    assert ok
    assert list(after.fields) == ["Customer"]
    result = infer(sales, after)
    assert eng.letters(result, sales, "Year") == {"2019": "X", "2020": "O"}
    assert eng.letters(result, sales, "Customer")["Acme"] == "S"


def test_conflict_with_locked_field_fails(eng: SimpleNamespace, sales: DataModel) -> None:
    state = eng.state(sales, {"Year": ["2019"]}, ("Year",))
    acme = elems(sales, "Customer", "Acme")
    assert select_symbols(sales, state, "Customer", acme, False, False) == (state, False)


def test_no_conflict_keeps_other_selections(eng: SimpleNamespace, sales: DataModel) -> None:
    state = eng.state(sales, {"Year": ["2019"], "Region": ["West", "East"]})
    after, ok = select_symbols(
        sales, state, "Customer", elems(sales, "Customer", "Bolt"), False, False
    )
    assert ok
    assert list(after.fields) == ["Year", "Region", "Customer"]


def test_conflict_keeps_locked_and_clears_the_conflicting_field(
    eng: SimpleNamespace, sales: DataModel
) -> None:
    state = eng.state(sales, {"Amount": ["1", "2"], "Year": ["2019"]}, ("Amount",))
    east = elems(sales, "Region", "East")
    # Locked Amount is compatible with East (row 2); Year=2019 is not, so it goes.
    after, ok = select_symbols(sales, state, "Region", east, False, False)
    assert ok
    assert list(after.fields) == ["Amount", "Region"]
    assert after.is_locked("Amount")


def test_first_pass_clears_only_fields_that_conflict_alone(eng: SimpleNamespace) -> None:
    model = eng.model(T={"F": ["f", "f", "x"], "G": ["g1", "g2", "g1"], "H": ["h1", "h1", "h2"]})
    state = eng.state(model, {"G": ["g1"], "H": ["h2"]})
    after, ok = select_symbols(model, state, "F", [0], False, False)
    assert ok
    assert list(after.fields) == ["G", "F"]


def test_second_pass_clears_most_recent_selection_first(eng: SimpleNamespace) -> None:
    # F=f is compatible with G=g1 alone and with H=h1 alone, not with both.
    model = eng.model(T={"F": ["f", "f", "x"], "G": ["g1", "g2", "g1"], "H": ["h2", "h1", "h1"]})
    state, _ = select_symbols(model, SelectionState.empty(), "G", [0], False, False)
    state, _ = select_symbols(model, state, "H", [1], False, False)
    assert eng.selected(state, model, "H") == {"h1"}
    after, ok = select_symbols(model, state, "F", [0], False, False)
    assert ok
    assert list(after.fields) == ["G", "F"]


def test_toggle_into_conflict(eng: SimpleNamespace, sales: DataModel) -> None:
    state = eng.state(sales, {"Year": ["2019"], "Customer": ["Bolt"]})
    # Toggling Bolt off and Acme on leaves Customer={Acme}: excluded by Year=2019.
    after, ok = select_symbols(
        sales, state, "Customer", elems(sales, "Customer", "Bolt", "Acme"), True, False
    )
    assert ok
    assert list(after.fields) == ["Customer"]
    assert eng.selected(after, sales, "Customer") == {"Acme"}


def test_clear_operations(eng: SimpleNamespace, sales: DataModel) -> None:
    state = eng.state(
        sales, {"Year": ["2019"], "Region": ["West"], "Customer": ["Bolt"]}, ("Region",)
    )
    assert clear_field(state, "Region") is state  # locked: Field.Clear does nothing
    assert list(clear_field(state, "Year").fields) == ["Region", "Customer"]
    assert list(clear_all(state, False).fields) == ["Region"]
    assert clear_all(state, True).fields == {}
    assert list(clear_all_but_this(state, "Customer")[0].fields) == ["Region", "Customer"]
    assert list(clear_all_but_this(state, "Customer", True)[0].fields) == ["Customer"]
    only = eng.state(sales, {"Year": ["2019"]})
    assert clear_all_but_this(only, "Year") == (only, True)


def test_lock_and_unlock(eng: SimpleNamespace, sales: DataModel) -> None:
    state = eng.state(sales, {"Year": ["2019"], "Region": ["West"]})
    assert lock_field(state, "Customer") is state  # nothing selected, nothing to lock
    locked = lock_field(state, "Year")
    assert locked.is_locked("Year") and not locked.is_locked("Region")
    assert lock_field(locked, "Year") is locked
    assert not unlock_field(locked, "Year").is_locked("Year")
    assert unlock_field(state, "Year") is state
    every = lock_all(state)
    assert all(s.locked for s in every.fields.values())
    assert lock_all(every) is every
    assert not any(s.locked for s in unlock_all(every).fields.values())
    assert unlock_all(state) is state
    emptied, _ = select_symbols(sales, every, "Year", [], False, True)
    assert "Year" not in unlock_field(emptied, "Year").fields
    assert "Year" not in unlock_all(emptied).fields


def test_select_all_marks_excluded_as_xs(eng: SimpleNamespace, sales: DataModel) -> None:
    state = eng.state(sales, {"Region": ["West"]})
    after, ok = select_all(sales, state, "Customer", False)
    assert ok
    assert eng.letters(infer(sales, after), sales, "Customer") == {"Bolt": "S", "Acme": "XS"}
    assert select_all(sales, state, "Nope", False) == (state, False)


def test_select_possible_and_alternative(eng: SimpleNamespace, sales: DataModel) -> None:
    state = eng.state(sales, {"Region": ["West"]})
    after, ok = select_possible(sales, state, infer(sales, state), "Customer", False)
    assert ok
    assert eng.selected(after, sales, "Customer") == {"Bolt"}

    state = eng.state(sales, {"Year": ["2019"]})
    after, ok = select_alternative(sales, state, infer(sales, state), "Year", False)
    assert ok
    assert eng.selected(after, sales, "Year") == {"2020"}
    assert eng.letters(infer(sales, after), sales, "Year") == {"2019": "A", "2020": "S"}
    # No alternatives in an unselected field: nothing to do.
    assert select_alternative(sales, state, infer(sales, state), "Region", False) == (
        state,
        False,
    )


def test_select_excluded_with_alternatives(eng: SimpleNamespace, sales: DataModel) -> None:
    # Customer=Bolt, Region=West: Acme is X (Region excludes it too); no alternative for
    # Customer, so the excluded Acme is selected and the conflicting Region is dropped.
    state = eng.state(sales, {"Customer": ["Bolt"], "Region": ["West"]})
    after, ok = select_excluded(sales, state, infer(sales, state), "Customer", False)
    assert ok
    assert eng.selected(after, sales, "Customer") == {"Acme"}
    assert "Region" not in after.fields
    assert eng.letters(infer(sales, after), sales, "Customer") == {"Bolt": "A", "Acme": "S"}


def test_select_excluded_alternatives_become_s_excluded_xs(eng: SimpleNamespace) -> None:
    model = eng.model(T={"C": ["a", "b", "c"], "R": ["n", "n", "s"]})
    state = eng.state(model, {"C": ["a"], "R": ["n"]})
    assert eng.letters(infer(model, state), model, "C") == {"a": "S", "b": "A", "c": "X"}
    after, ok = select_excluded(model, state, infer(model, state), "C", False)
    assert ok
    assert eng.letters(infer(model, after), model, "C") == {"a": "A", "b": "S", "c": "XS"}
    assert list(after.fields) == ["C", "R"]


def test_select_calls_respect_locks(eng: SimpleNamespace, sales: DataModel) -> None:
    state = eng.state(sales, {"Year": ["2019"]}, ("Year",))
    result = infer(sales, state)
    assert select_all(sales, state, "Year", False) == (state, False)
    assert select_alternative(sales, state, result, "Year", False) == (state, False)
    after, ok = select_alternative(sales, state, result, "Year", True)
    assert ok and after.is_locked("Year")


def test_reselecting_an_all_excluded_selection_settles_the_conflict(
    eng: SimpleNamespace, sales: DataModel
) -> None:
    # Reachable by Back/Forward or alternate-state copies, not by select calls alone.
    state = eng.state(sales, {"Customer": ["Acme"], "Year": ["2019"]})
    assert eng.letters(infer(sales, state), sales, "Customer")["Acme"] == "XS"
    after, ok = select_symbols(
        sales, state, "Customer", elems(sales, "Customer", "Acme"), False, False
    )
    assert ok
    assert list(after.fields) == ["Customer"]

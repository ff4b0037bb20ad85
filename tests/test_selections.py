"""Selections of one session: history per state, alternate states, one-and-only-one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.app import App
from openqix.engine.model import Column, DataModel, LoadedTable
from openqix.errors import InvalidParameterValue, NotFound
from openqix.selections import HISTORY_LIMIT, Selections, and_mode_refusal, check_state_name


def _app() -> App:
    t = LoadedTable(
        "T",
        ("a", "b"),
        (Column.from_values(["x", "y", "z", "x"]), Column.from_values([1, 2, 3, 4])),
    )
    return App(id="t", model=DataModel.build([t]))


def _selected(selections: Selections, field: str, state: str = "$") -> list[int]:
    sel = selections.state(state).selection(field)
    return [] if sel is None else np.flatnonzero(sel.selected).tolist()


def test_history_is_per_state_and_bounded() -> None:
    app = _app()
    app.alternate_states.append("A")
    s = Selections(app)
    s.select_symbols("a", [0])
    s.select_symbols("a", [1], state="A")
    assert (s.back_count(), s.back_count("A")) == (1, 1)
    assert s.take_changes() == {"$", "A"} and s.take_changes() == set()
    assert s.back() and _selected(s, "a") == [] and _selected(s, "a", "A") == [1]
    assert not s.back() and s.forward_count() == 1
    assert s.forward() and _selected(s, "a") == [0]
    for i in range(HISTORY_LIMIT + 5):
        s.select_symbols("b", [i % 4])
    assert s.back_count() == HISTORY_LIMIT


def test_unchanged_operations_push_nothing() -> None:
    s = Selections(_app())
    s.select_symbols("a", [0])
    s.take_changes()
    s.select_symbols("a", [0])
    s.clear_field("b")
    assert s.back_count() == 1 and s.take_changes() == set()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ab"), st.integers(0, 3), st.booleans()), max_size=12))
def test_back_walks_the_snapshots_in_reverse(steps: list[tuple[str, int, bool]]) -> None:
    s = Selections(_app())
    seen = [s.state()]
    for field, symbol, toggle in steps:
        s.select_symbols(field, [symbol], toggle)
        if s.state() is not seen[-1]:
            seen.append(s.state())
    for expected in reversed(seen[:-1]):
        assert s.back() and s.state() is expected
    assert not s.back()
    for expected in seen[1:]:
        assert s.forward() and s.state() is expected


def test_states() -> None:
    app = _app()
    s = Selections(app)
    with pytest.raises(NotFound):
        s.state("A")
    s.select_symbols("a", [2])
    s.add_session_state("B", "$")
    assert s.state_names() == ["B"] and _selected(s, "a", "B") == [2]
    app.alternate_states.append("A")
    assert s.state_names() == ["A", "B"] and _selected(s, "a", "A") == []
    assert s.remove_session_state("B") and not s.remove_session_state("B")
    with pytest.raises(NotFound):
        s.state("B")
    for bad in ["", "$", "1", "$2", "$_1x"]:
        with pytest.raises(InvalidParameterValue):
            check_state_name(bad)
    assert check_state_name("Compare") == "Compare"


def test_one_and_only_one() -> None:
    s = Selections(_app())
    s.set_one_and_only_one("b", True)
    assert _selected(s, "b") == [0]
    assert not s.select_symbols("b", [])
    assert s.select_symbols("b", [2, 3])  # the first valid value replaces the selection
    assert _selected(s, "b") == [2]
    s.clear_all()
    assert _selected(s, "b") == [2]
    assert not s.clear_field("b")
    s.set_one_and_only_one("b", False)
    assert s.clear_field("b") and _selected(s, "b") == []


def test_restore_and_reload() -> None:
    app = _app()
    s = Selections(app)
    before = s.state()
    s.select_symbols("a", [1])
    s.restore(before)
    assert _selected(s, "a") == [] and s.back_count() == 2
    s.select_symbols("a", [1])
    app.model = DataModel.build([LoadedTable("T", ("a",), (Column.from_values(["y", "q"]),))])
    assert _selected(s, "a") == [0] and s.back_count() == 0  # by value; history dropped


def test_and_mode_rules() -> None:
    pairs = LoadedTable(
        "P", ("who", "what"), (Column.from_values(["a", "a", "b"]), Column.from_values([1, 2, 1]))
    )
    dupes = LoadedTable(
        "D", ("x", "y"), (Column.from_values(["a", "a"]), Column.from_values([1, 1]))
    )
    m = DataModel.build([pairs, dupes])
    assert and_mode_refusal(m, "what") is None
    assert "second" in str(and_mode_refusal(m, "who"))
    assert "duplicate" in str(and_mode_refusal(m, "y"))
    assert "not found" in str(and_mode_refusal(m, "zz"))


def test_one_step_collapses_history() -> None:
    s = Selections(_app())
    s.select_symbols("a", [0])
    with s.one_step():
        s.select_symbols("a", [1])
        s.select_symbols("b", [1])
    assert s.back_count() == 2
    assert s.back() and _selected(s, "a") == [0] and _selected(s, "b") == []
    with s.one_step():
        pass
    assert s.back_count() == 1

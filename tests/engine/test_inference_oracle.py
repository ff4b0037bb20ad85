"""Inference against a brute-force oracle on generated tree-shaped models.

Oracle (join semantics, tree models): a row r of table T is possible iff rows can be picked,
one per table of W(T) = the tables on the paths from T to each selected field (T included),
that agree on every field two of them share (non-null, equal), with r picked for T and every
picked row satisfying the selections on its own fields. Found by plain backtracking.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.engine.inference import infer
from openqix.engine.model import Column, DataModel, LoadedTable
from openqix.engine.selection import FieldSelection, SelectionState, select_symbols
from openqix.engine.states import STATE_LETTERS

Rows = dict[str, list[dict[str, int]]]  # table -> rows as field -> symbol index (-1 NULL)
Selections = dict[str, set[int]]

KEY_VALUES = st.sampled_from([None, 1, 2, 3, 4])
PLAIN_VALUES = st.sampled_from([None, "a", "b", "c", 1, 2])


@st.composite
def tree_models(draw: st.DrawFn) -> DataModel:
    """2-4 tables; table i links to an earlier one by a new key, or joins one of its keys."""
    n = draw(st.integers(2, 4))
    fields: list[list[str]] = [[] for _ in range(n)]
    for i in range(1, n):
        parent = draw(st.integers(0, i - 1))
        keys = [f for f in fields[parent] if f.startswith("K")]
        if keys and draw(st.booleans()):
            fields[i].append(draw(st.sampled_from(keys)))  # a key held by 3+ tables
        else:
            fields[parent].append(f"K{i}")
            fields[i].append(f"K{i}")
    loaded = []
    for i, names in enumerate(fields):
        names += [f"V{i}{j}" for j in range(draw(st.integers(1, 2)))]
        n_rows = draw(st.integers(0, 5))
        columns = []
        for name in names:
            values = st.lists(
                KEY_VALUES if name.startswith("K") else PLAIN_VALUES,
                min_size=n_rows,
                max_size=n_rows,
            )
            columns.append(Column.from_values(draw(values)))
        loaded.append(LoadedTable(f"T{i}", tuple(names), tuple(columns)))
    return DataModel.build(loaded)


@st.composite
def states(draw: st.DrawFn, model: DataModel) -> SelectionState:
    candidates = sorted(name for name, f in model.fields.items() if f.cardinal)
    if not candidates:
        return SelectionState.empty()
    chosen = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=3, unique=True))
    fields = {}
    for name in chosen:
        n = model.fields[name].cardinal
        mask = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        fields[name] = FieldSelection(np.array(mask, dtype=bool), draw(st.booleans()))
    return SelectionState(fields)


# --- the oracle -------------------------------------------------------------------------------


def oracle_rows(model: DataModel, selections: Selections) -> dict[str, list[bool]]:
    data: Rows = {
        name: [{f: int(t.columns[f][r]) for f in t.field_names} for r in range(t.n_rows)]
        for name, t in model.tables.items()
    }
    return {
        name: [
            _extends(model, data, selections, _needed_tables(model, name, selections), r)
            for r in range(model.tables[name].n_rows)
        ]
        for name in model.tables
    }


def _needed_tables(model: DataModel, start: str, selections: Selections) -> list[str]:
    """`start` then the tables on its paths to each selected field, in BFS order."""
    parent: dict[tuple[str, str], tuple[str, str] | None] = {("t", start): None}
    order: list[tuple[str, str]] = []
    todo = deque([("t", start)])
    while todo:
        node = todo.popleft()
        order.append(node)
        kind, name = node
        if kind == "t":
            nexts = [("f", f) for f in model.tables[name].field_names]
        else:
            nexts = [("t", t) for t in model.fields[name].tables]
        for nxt in nexts:
            if nxt not in parent:
                parent[nxt] = node
                todo.append(nxt)
    needed = {start}
    for field in selections:
        node = parent.get(("f", field))
        while node is not None:
            if node[0] == "t":
                needed.add(node[1])
            node = parent[node]
    return [name for kind, name in order if kind == "t" and name in needed]


def _extends(
    model: DataModel, data: Rows, selections: Selections, tables: list[str], row: int
) -> bool:
    def ok(r: dict[str, int], picked: dict[str, dict[str, int]]) -> bool:
        for f, v in r.items():
            if f in selections and v not in selections[f]:
                return False
        for o in picked.values():
            for f in set(r) & set(o):
                if r[f] < 0 or r[f] != o[f]:
                    return False
        return True

    def search(i: int, picked: dict[str, dict[str, int]]) -> bool:
        if i == len(tables):
            return True
        name = tables[i]
        candidates = [data[name][row]] if i == 0 else data[name]
        return any(ok(r, picked) and search(i + 1, {**picked, name: r}) for r in candidates)

    return search(0, {})


def oracle_possible(model: DataModel, selections: Selections) -> dict[str, set[int]]:
    rows = oracle_rows(model, selections)
    out: dict[str, set[int]] = {name: set() for name in model.fields}
    for name, mask in rows.items():
        table = model.tables[name]
        for r, alive in enumerate(mask):
            for f in table.field_names if alive else ():
                if table.columns[f][r] >= 0:
                    out[f].add(int(table.columns[f][r]))
    return out


def oracle_letters(model: DataModel, state: SelectionState) -> dict[str, list[str]]:
    selections = {
        n: set(np.flatnonzero(s.selected).tolist()) for n, s in state.fields.items() if s.count
    }
    possible = oracle_possible(model, selections)
    letters: dict[str, list[str]] = {}
    for name, field in model.fields.items():
        chosen = selections.get(name)
        if chosen is None:
            letters[name] = ["O" if i in possible[name] else "X" for i in range(field.cardinal)]
            continue
        alone = oracle_possible(model, {k: v for k, v in selections.items() if k != name})
        lock = state.is_locked(name)
        letters[name] = [
            ("L" if lock else "S")
            if i in chosen and i in possible[name]
            else ("XL" if lock else "XS")
            if i in chosen
            else "A"
            if i in alone[name]
            else "X"
            for i in range(field.cardinal)
        ]
    return letters


# --- the tests --------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_inference_matches_oracle(data: st.DataObject) -> None:
    model = data.draw(tree_models())
    state = data.draw(states(model))
    result = infer(model, state)
    selections = {
        n: set(np.flatnonzero(s.selected).tolist()) for n, s in state.fields.items() if s.count
    }
    expected_rows = oracle_rows(model, selections)
    for name in model.tables:
        assert result.possible_rows[name].tolist() == expected_rows[name], name
    got = {
        name: [STATE_LETTERS[c] for c in codes.tolist()] for name, codes in result.states.items()
    }
    assert got == oracle_letters(model, state)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_select_leaves_a_possible_value_or_fails_unchanged(data: st.DataObject) -> None:
    model = data.draw(tree_models())
    state = data.draw(states(model))
    field = data.draw(st.sampled_from(sorted(model.fields)))
    n = model.fields[field].cardinal
    symbols = data.draw(st.lists(st.integers(-1, n), max_size=3))
    toggle = data.draw(st.booleans())
    after, ok = select_symbols(model, state, field, symbols, toggle, soft_lock=False)
    if not ok:
        assert after is state
        return
    for name, sel in state.fields.items():
        if sel.locked and name != field:
            assert after.fields[name] is sel  # locked selections are never dropped
    new = after.fields.get(field)
    if new is not None and new.count:
        codes = infer(model, after).states[field][new.selected]
        assert any(STATE_LETTERS[c] in ("S", "L") for c in codes.tolist())


@st.composite
def any_models(draw: st.DrawFn) -> DataModel:
    """Tables holding random subsets of a few shared fields: loops and multi-field links."""
    names = ["A", "B", "C", "D", "E"]
    loaded = []
    for i in range(draw(st.integers(1, 4))):
        fields = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
        n_rows = draw(st.integers(0, 5))
        columns: list[Any] = [
            Column.from_values(draw(st.lists(KEY_VALUES, min_size=n_rows, max_size=n_rows)))
            for _ in fields
        ]
        loaded.append(LoadedTable(f"T{i}", tuple(fields), tuple(columns)))
    return DataModel.build(loaded)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_graph_terminates_and_is_monotone(data: st.DataObject) -> None:
    model = data.draw(any_models())
    state = data.draw(states(model))
    result = infer(model, state)
    for name, sel in state.fields.items():
        codes = result.states[name]
        assert not sel.count or set(codes[~sel.selected].tolist()) <= {4, 5}  # A or X
    # Dropping the last selection can only widen the possible rows.
    if state.fields:
        fewer = SelectionState(dict(list(state.fields.items())[:-1]))
        wider = infer(model, fewer)
        for name, rows in result.possible_rows.items():
            assert not (rows & ~wider.possible_rows[name]).any()

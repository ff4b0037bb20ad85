"""Inference on models with synthetic keys, chains, NULLs and orphans against a brute-force
oracle that never looks at the engine's model: it joins the generated *source* rows.

Oracle: a row r of source table T is possible iff rows can be picked, one per table on the
tree paths from T to the tables holding a selected field, that agree wherever two of them
share fields (one shared field: equal and not NULL; two or more, a synthetic key: equal
combinations, NULL equal to NULL, but not all NULL), with r picked for T and every picked
row satisfying the selections on its own fields. A value is possible iff it occurs in a
possible row of a table holding its field.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.engine.inference import infer
from openqix.engine.model import Column, DataModel, LoadedTable
from openqix.engine.selection import FieldSelection, SelectionState
from openqix.engine.states import STATE_LETTERS

Value = Any  # int | str | None
Source = dict[str, tuple[tuple[str, ...], list[tuple[Value, ...]]]]  # table -> fields, rows
Chosen = dict[str, set[str]]  # field -> selected texts

KEYS = st.sampled_from([None, 1, 2, 3])
PLAIN = st.sampled_from([None, "a", "b", "c", "d"])


@st.composite
def sources(draw: st.DrawFn) -> Source:
    """2-5 tables in a tree: each new table links to an earlier one by one new key field or
    by two (a synthetic key), so chains of 3+ tables, NULL keys and orphans all occur."""
    n = draw(st.integers(2, 5))
    fields: list[list[str]] = [[] for _ in range(n)]
    for i in range(1, n):
        parent = draw(st.integers(0, i - 1))
        keys = [f"K{i}"] if draw(st.booleans()) else [f"K{i}a", f"K{i}b"]
        fields[parent] += keys
        fields[i] += keys
    out: Source = {}
    for i, names in enumerate(fields):
        names += [f"V{i}"]
        n_rows = draw(st.integers(0, 5))
        columns = [
            draw(st.lists(KEYS if f.startswith("K") else PLAIN, min_size=n_rows, max_size=n_rows))
            for f in names
        ]
        out[f"T{i}"] = (tuple(names), list(zip(*columns, strict=True)) if n_rows else [])
    return out


def build(source: Source) -> DataModel:
    return DataModel.build(
        [
            LoadedTable(
                name,
                names,
                tuple(Column.from_values([row[j] for row in rows]) for j in range(len(names))),
            )
            for name, (names, rows) in source.items()
        ]
    )


def text(value: Value) -> str | None:
    return None if value is None else str(value)


# --- the oracle -------------------------------------------------------------------------------


def _adjacent(source: Source) -> dict[str, list[str]]:
    return {
        a: [b for b in source if b != a and set(source[a][0]) & set(source[b][0])] for a in source
    }


def _needed(source: Source, start: str, chosen: Chosen) -> list[str]:
    """`start` then the tables on the tree paths to the nearest holder of each selected
    field, in BFS order."""
    adjacent = _adjacent(source)
    parent: dict[str, str | None] = {start: None}
    order = []
    todo = deque([start])
    while todo:
        table = todo.popleft()
        order.append(table)
        for nxt in adjacent[table]:
            if nxt not in parent:
                parent[nxt] = table
                todo.append(nxt)
    needed = {start}
    for field in chosen:
        holders = [t for t in order if field in source[t][0]]
        node: str | None = holders[0] if holders else None
        while node is not None:
            needed.add(node)
            node = parent[node]
    return [t for t in order if t in needed]


def _agree(a: dict[str, Value], b: dict[str, Value]) -> bool:
    shared = sorted(set(a) & set(b))
    if len(shared) == 1:
        f = shared[0]
        return a[f] is not None and a[f] == b[f]
    if all(a[f] is None for f in shared):
        return False
    return all(a[f] == b[f] for f in shared)


def oracle_rows(source: Source, chosen: Chosen) -> dict[str, list[bool]]:
    dicts = {
        t: [dict(zip(names, row, strict=True)) for row in rows]
        for t, (names, rows) in source.items()
    }

    def satisfies(row: dict[str, Value]) -> bool:
        return all(f not in chosen or text(v) in chosen[f] for f, v in row.items())

    def possible(table: str, row: dict[str, Value]) -> bool:
        tables = _needed(source, table, chosen)

        def search(i: int, picked: list[dict[str, Value]]) -> bool:
            if i == len(tables):
                return True
            candidates = [row] if i == 0 else dicts[tables[i]]
            return any(
                satisfies(r)
                and all(_agree(r, o) for o in picked if set(r) & set(o))
                and search(i + 1, [*picked, r])
                for r in candidates
            )

        return search(0, [])

    return {t: [possible(t, r) for r in rows] for t, rows in dicts.items()}


def oracle_letters(source: Source, chosen: Chosen) -> dict[str, dict[str, str]]:
    """Per field, per value text, the expected state letter (no locks)."""

    def possible_values(selections: Chosen) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for table, mask in oracle_rows(source, selections).items():
            names, rows = source[table]
            for row, alive in zip(rows, mask, strict=True):
                for f, v in zip(names, row, strict=True):
                    out.setdefault(f, set())
                    if alive and v is not None:
                        out[f].add(str(v))
        return out

    possible = possible_values(chosen)
    all_values: dict[str, set[str]] = {}
    for names, rows in source.values():
        for row in rows:
            for f, v in zip(names, row, strict=True):
                if v is not None:
                    all_values.setdefault(f, set()).add(str(v))
    letters: dict[str, dict[str, str]] = {}
    for field, values in all_values.items():
        if field not in chosen:
            letters[field] = {v: "O" if v in possible[field] else "X" for v in values}
            continue
        alone = possible_values({k: s for k, s in chosen.items() if k != field})
        letters[field] = {
            v: ("S" if v in possible[field] else "XS")
            if v in chosen[field]
            else ("A" if v in alone[field] else "X")
            for v in values
        }
    return letters


# --- the tests --------------------------------------------------------------------------------


@st.composite
def cases(draw: st.DrawFn) -> tuple[Source, DataModel, SelectionState, Chosen]:
    source = draw(sources())
    model = build(source)
    candidates = sorted(n for n, f in model.fields.items() if f.cardinal and "$syn" not in f.tags)
    fields: dict[str, FieldSelection] = {}
    chosen: Chosen = {}
    if candidates:
        for name in draw(st.lists(st.sampled_from(candidates), max_size=3, unique=True)):
            n = model.fields[name].cardinal
            mask = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
            if mask.any():
                fields[name] = FieldSelection(mask)
                texts = model.fields[name].symbols.texts
                chosen[name] = {texts[i] for i in np.flatnonzero(mask).tolist()}
    return source, model, SelectionState(fields), chosen


@settings(max_examples=250, deadline=None)
@given(cases())
def test_inference_matches_the_source_join(
    case: tuple[Source, DataModel, SelectionState, Chosen],
) -> None:
    source, model, state, chosen = case
    result = infer(model, state)
    expected = oracle_letters(source, chosen)
    for name, per_value in expected.items():
        texts = model.fields[name].symbols.texts
        got = {texts[i]: STATE_LETTERS[c] for i, c in enumerate(result.states[name].tolist())}
        assert got == per_value, name
    # Possible rows of the source tables (their row order is kept by the model).
    rows = oracle_rows(source, chosen)
    for table, mask in rows.items():
        assert result.possible_rows[table].tolist() == mask, table


@settings(max_examples=60, deadline=None)
@given(sources())
def test_source_tables_round_trip_through_synthetic_keys(source: Source) -> None:
    model = build(source)
    back = {name: (fields, cols) for name, fields, cols in model.source_tables()}
    assert set(back) == set(source)
    for name, (names, rows) in source.items():
        fields, cols = back[name]
        assert fields == names
        for j, f in enumerate(names):
            texts = model.fields[f].symbols.texts if f in model.fields else []
            got = [None if i < 0 else texts[i] for i in cols[f].tolist()]
            assert got == [text(row[j]) for row in rows]

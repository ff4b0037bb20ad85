"""The Merge prefix: parsing, `merge_frames` against a row-by-row oracle, normal and partial
reloads (run_script and DoReload over the API)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.api.core import EngineCore
from openqix.calc.values import Duals
from openqix.config import Settings
from openqix.lang.errors import ScriptSyntaxError
from openqix.lang.script_ast import LoadStatement
from openqix.lang.script_parser import parse_statement, split_script
from openqix.script.executor import run_script
from openqix.script.merge import MergeError, merge_frames, operation_codes
from openqix.script.sources.connections import ConnectionResolver
from openqix.script.tables import Frame
from openqix.testing import InMemoryClient

from .conftest import table_rows


def _load(text: str) -> LoadStatement:
    (statement,) = split_script(text)
    node = parse_statement(statement)
    assert isinstance(node, LoadStatement)
    return node


# -- parsing ----------------------------------------------------------------------------------
def test_merge_prefix_parses_every_part() -> None:
    load = _load("Merge Only (Seq, vMax) On ID, [Order Line] Concatenate(T) LOAD * INLINE [a];")
    p = load.prefixes
    assert (p.partial, p.only, p.merge_keys) == ("merge", True, ("ID", "Order Line"))
    assert (p.merge_sequence, p.merge_variable) == ("Seq", "vMax")
    assert (p.concatenate, p.concatenate_to) == (True, "T")
    plain = _load("Merge On K LOAD * INLINE [a];").prefixes
    assert (plain.only, plain.merge_keys, plain.merge_sequence) == (False, ("K",), None)


@pytest.mark.parametrize(
    "text",
    ["Merge LOAD * INLINE [a];", "Merge (a, b, c) On K LOAD * INLINE [a];", "Merge On LOAD a;"],
)
def test_merge_prefix_syntax_errors(text: str) -> None:
    with pytest.raises(ScriptSyntaxError):
        _load(text)


def test_operation_codes_accept_words_and_letters() -> None:
    ops = operation_codes(Duals.of_texts(["Insert", "u", "DELETE", " i ", "update", "d"]))
    assert ops.tolist() == [0, 1, 2, 0, 1, 2]
    with pytest.raises(MergeError, match="unknown operation 'NULL'"):
        operation_codes(Duals.of_texts(["Insert", None]))


# -- merge_frames against an oracle -----------------------------------------------------------
Row = dict[str, Any]
OPS = ["Insert", "Update", "Delete"]


def _frame(names: list[str], rows: list[Row]) -> Frame:
    columns = []
    for name in names:
        values = [row.get(name) for row in rows]
        if name == "Op":
            columns.append(Duals.of_texts(values))
        else:
            columns.append(
                Duals.of_numbers(np.array([np.nan if v is None else v for v in values], float))
            )
    return Frame.of(names, columns, len(rows))


def _rows(frame: Frame) -> list[tuple[Any, ...]]:
    out = []
    for i in range(frame.n):
        row = []
        for name in frame.names:
            number = frame.columns[name].num[i]
            row.append(None if np.isnan(number) else float(number))
        out.append(tuple(row))
    return out


def _oracle(
    target_names: list[str],
    target: list[Row],
    change_names: list[str],
    changes: list[Row],
    sequence: str | None,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    fields = change_names[1:]
    order = list(range(len(changes)))
    if sequence is not None:
        order.sort(key=lambda i: changes[i][sequence])
    latest: dict[Any, int] = {}
    for i in order:
        latest[changes[i]["K"]] = i
    if sequence is not None and sequence in target_names:
        for key, i in list(latest.items()):
            seqs = [r[sequence] for r in target if r["K"] == key]
            if seqs and changes[i][sequence] < max(seqs):
                del latest[key]
    names = target_names + [f for f in fields if f not in target_names]
    out: list[Row] = []
    for row in target:
        i = latest.get(row["K"])
        op = None if i is None else changes[i]["Op"]
        if op is None:
            out.append(row)
        elif op == "Update":
            out.append({**row, **{f: changes[i][f] for f in fields}})
    present = {r["K"] for r in target}
    for i in sorted(latest.values()):
        op = changes[i]["Op"]
        if op == "Insert" or (op == "Update" and changes[i]["K"] not in present):
            out.append({f: changes[i][f] for f in fields})
    return names, [tuple(None if r.get(n) is None else float(r[n]) for n in names) for r in out]


@settings(max_examples=60, deadline=None)
@given(
    target_keys=st.lists(st.integers(0, 5), max_size=6),
    changes=st.lists(
        st.tuples(st.sampled_from(OPS), st.integers(0, 7), st.integers(0, 9), st.integers(0, 3)),
        max_size=10,
    ),
    use_sequence=st.booleans(),
    extra_field=st.booleans(),
)
def test_merge_frames_matches_oracle(
    target_keys: list[int],
    changes: list[tuple[str, int, int, int]],
    use_sequence: bool,
    extra_field: bool,
) -> None:
    target_names = ["K", "A", "S"] + (["B"] if extra_field else [])
    target = [{"K": k, "A": 100 + i, "S": 1, "B": 7} for i, k in enumerate(target_keys)]
    change_names = ["Op", "K", "A", "S"]
    change_rows = [{"Op": o, "K": k, "A": a, "S": s} for o, k, a, s in changes]
    sequence = "S" if use_sequence else None
    got = merge_frames(
        _frame(target_names, target), _frame(change_names, change_rows), ["K"], sequence
    )
    names, rows = _oracle(target_names, target, change_names, change_rows, sequence)
    assert got.names == names
    assert _rows(got) == rows


def test_merge_frames_errors() -> None:
    target = _frame(["K", "A"], [{"K": 1, "A": 1}])
    with pytest.raises(MergeError, match="operation field"):
        merge_frames(target, _frame(["Op"], [{"Op": "Insert"}]), ["K"], None)
    changes = _frame(["Op", "K", "A"], [{"Op": "Insert", "K": 1, "A": 2}])
    with pytest.raises(Exception, match="key field 'X' not found in the loaded data"):
        merge_frames(target, changes, ["X"], None)
    with pytest.raises(Exception, match="key field 'A' not found in the target"):
        merge_frames(_frame(["K"], [{"K": 1}]), changes, ["A"], None)
    with pytest.raises(Exception, match="sequence field 'Z' not found"):
        merge_frames(target, changes, ["K"], "Z")


# -- reloads ----------------------------------------------------------------------------------
BASE = """Products:
LOAD * INLINE [
ID, Price
1, 10
2, 20
];
"""
CHANGES = """Merge Only (Seq, vSeq) On ID Concatenate(Products)
LOAD * INLINE [
Op, ID, Price, Seq
Update, 1, 11, 5
Delete, 2, , 6
Insert, 3, 30, 7
] WHERE Seq > $(vSeq);
"""


def test_partial_run_applies_merge_only_to_previous_tables() -> None:
    connections = ConnectionResolver([])
    script = BASE + "SET vSeq = 0;\n" + CHANGES
    full = run_script(script, connections)
    (table,) = full.tables
    assert table_rows(table) == [["1", "10"], ["2", "20"]]  # Merge Only skipped
    partial = run_script(script, connections, partial=True, previous=full.tables)
    (table,) = partial.tables
    assert list(table.field_names) == ["ID", "Price", "Seq"]
    assert table_rows(table) == [["1", "11", "5"], ["3", "30", "7"]]
    assert partial.variables["vSeq"] == "7"
    assert partial.log[-2:] == ["Products << INLINE01", "3 Lines fetched"]


def test_merge_over_the_api_partial_reload(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client = InMemoryClient(
        EngineCore(Settings(data_dir=tmp_path / "data")), "/app/SessionApp_merge"
    )
    try:
        doc = client.handle(-1, "GetActiveDoc")
        client.call(doc, "SetScript", [BASE + "SET vSeq = 5;\n" + CHANGES])
        assert client.call(doc, "DoReload", [0, False, False]) == {"qReturn": True}
        assert client.call(doc, "DoReload", [0, True, False]) == {"qReturn": True}
        tables = client.call(doc, "GetTablesAndKeys", [{}, {}, 0, False, False])["qtr"]
        assert [(t["qName"], t["qNoOfRows"]) for t in tables] == [("Products", 2)]
        data = client.call(doc, "GetTableData", [0, 10, False, "Products"])["qData"]
        texts = [[v["qText"] for v in row["qValue"]] for row in data]
        assert texts == [["1", "10", ""], ["3", "30", "7"]]  # vSeq = 5: only seq 6 and 7
        # a failing merge keeps the model
        client.call(doc, "SetScript", [BASE + "Merge On Nope LOAD * INLINE [\nOp, ID\ni, 9\n];"])
        assert client.call(doc, "DoReload", [0, True, False]) == {"qReturn": False}
        tables = client.call(doc, "GetTablesAndKeys", [{}, {}, 0, False, False])["qtr"]
        assert [(t["qName"], t["qNoOfRows"]) for t in tables] == [("Products", 2)]
    finally:
        client.close()

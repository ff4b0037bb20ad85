"""The data model: Arrow columns, narrow index arrays, compact symbol tables, synthetic keys,
circular references, system fields, AND mode and the shared inference cache."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.engine.inference import and_mode_allowed, infer
from openqix.engine.model import CIRCULAR_WARNING, Column, DataModel, LoadedTable
from openqix.engine.selection import (
    FieldSelection,
    SelectionState,
    lock_field,
    select_not,
    select_symbols,
)
from openqix.engine.states import STATE_LETTERS
from openqix.engine.symbols import SymbolTable, encode_arrow, index_dtype


def table(name: str, **columns: list[object]) -> LoadedTable:
    return LoadedTable(
        name,
        tuple(columns),
        tuple(Column.from_values(v) for v in columns.values()),  # type: ignore[arg-type]
    )


def letters(model: DataModel, state: SelectionState, field: str) -> dict[str, str]:
    codes = infer(model, state).states[field].tolist()
    texts = model.fields[field].symbols.texts
    return {texts[i]: STATE_LETTERS[c] for i, c in enumerate(codes)}


def select(model: DataModel, field: str, *texts: str) -> SelectionState:
    symbols = model.fields[field].symbols
    found = [symbols.find_text(t) for t in texts]
    state, ok = select_symbols(
        model, SelectionState.empty(), field, [i for i in found if i is not None], False, False
    )
    assert ok
    return state


# --- columns and symbol tables ---------------------------------------------------------------


def test_index_arrays_are_the_narrowest_signed_type() -> None:
    assert index_dtype(127) == np.int8
    assert index_dtype(128) == np.int16
    assert index_dtype(32767) == np.int16
    assert index_dtype(32768) == np.int32
    model = DataModel.build(
        [
            LoadedTable(
                "T",
                ("small", "mid", "big"),
                (
                    Column.from_arrow(pa.array([1, 2, None] * 100)),
                    Column.from_arrow(pa.array(list(range(300)))),
                    Column.from_arrow(pa.array(list(range(40_000)) * 1)[:300]),
                ),
            )
        ]
    )
    columns = model.tables["T"].columns
    assert columns["small"].dtype == np.int8 and columns["small"][2] == -1
    assert columns["mid"].dtype == np.int16
    assert model.tables["T"].has_null("small") and not model.tables["T"].has_null("mid")


def test_ascending_integers_are_stored_as_a_range() -> None:
    symbols, index = encode_arrow(
        pa.nulls(5, pa.string()), np.zeros(5, dtype=bool), np.arange(10, 15, dtype=np.float64)
    )
    assert symbols.is_range and symbols.nbytes == 16
    assert list(symbols.texts) == ["10", "11", "12", "13", "14"]
    assert symbols.number(3) == 13.0 and symbols.find_number(12) == 2
    assert symbols.find_text("14") == 4 and symbols.find_text("014") is None
    assert index.tolist() == [0, 1, 2, 3, 4]
    assert symbols.numbers.tolist() == [10.0, 11.0, 12.0, 13.0, 14.0]
    # Out of load order, or with a gap: an ordinary table.
    shuffled, _ = encode_arrow(
        pa.nulls(3, pa.string()), np.zeros(3, dtype=bool), np.array([2.0, 1.0, 3.0])
    )
    assert not shuffled.is_range and list(shuffled.texts) == ["2", "1", "3"]


def test_numbers_are_identified_by_value_and_keep_their_first_text() -> None:
    column = Column.from_arrow(
        pa.array([7, 7, 3, -0.0, 0.0], type=pa.float64()),
        texts=pa.array(["007", "7.0", None, "-0", "zero"]),
    )
    model = DataModel.build([LoadedTable("T", ("F",), (column,))])
    symbols = model.fields["F"].symbols
    assert list(symbols.texts) == ["007", "3", "-0"]
    assert model.tables["T"].columns["F"].tolist() == [0, 0, 1, 2, 2]


def test_from_arrow_types() -> None:
    dates = pa.array([dt.date(2020, 1, 1), None, dt.date(2020, 1, 1)], type=pa.date32())
    column = Column.from_arrow(dates)
    assert column.texts[0] == "2020-01-01" and column.texts[1] is None
    assert column.numbers[0] == 43831.0  # Qlik serial day number of 2020-01-01
    model = DataModel.build(
        [
            LoadedTable(
                "T",
                ("D", "S", "C", "B"),
                (
                    column,
                    Column.from_arrow(pa.chunked_array([["x", None], ["y"]])),
                    Column.from_arrow(pa.array(["u", "v", "u"]).dictionary_encode()),
                    Column.from_arrow(pa.array([True, False, None])),
                ),
            )
        ]
    )
    assert "$date" in model.fields["D"].tags and "$timestamp" in model.fields["D"].tags
    assert model.fields["D"].tags == ("$numeric", "$integer", "$timestamp", "$date")
    assert list(model.fields["S"].symbols.texts) == ["x", "y"]
    assert model.tables["T"].columns["S"].tolist() == [0, -1, 1]
    assert model.fields["C"].tags == ("$ascii", "$text")
    assert list(model.fields["B"].symbols.texts) == ["1", "0"]
    stamp = Column.from_arrow(pa.array([dt.datetime(2020, 1, 1, 12)], type=pa.timestamp("s")))
    assert stamp.numbers[0] == 43831.5 and stamp.texts[0] == "2020-01-01 12:00:00"
    assert stamp.tags == ("$timestamp",)


values = st.one_of(
    st.none(),
    st.integers(-5, 5),
    st.sampled_from([0.5, -0.0, 1e20, 2.25]),
    st.text(alphabet="ab1é ", max_size=3),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(values, max_size=12))
def test_arrow_and_python_columns_encode_alike(items: list[object]) -> None:
    from_python = Column.from_values(items)  # type: ignore[arg-type]
    texts = pa.array(list(from_python.texts), type=pa.string())
    numbers = pa.array(from_python.numbers, from_pandas=True)  # NaN as null
    nulls = np.array([v is None for v in items], dtype=bool)
    from_arrow = Column.from_arrow(numbers, texts=texts)
    a = DataModel.build([LoadedTable("T", ("F",), (from_python,))])
    b = DataModel.build([LoadedTable("T", ("F",), (from_arrow,))])
    sa, sb = a.fields["F"].symbols, b.fields["F"].symbols
    assert list(sa.texts) == list(sb.texts)
    assert np.array_equal(sa.numbers, sb.numbers, equal_nan=True)
    assert a.tables["T"].columns["F"].tolist() == b.tables["T"].columns["F"].tolist()
    assert (a.tables["T"].columns["F"] < 0).tolist() == nulls.tolist()
    for i in range(len(sa)):
        num = sa.number(i)
        found = sa.find_text(sa.text(i)) if math.isnan(num) else sa.find_number(num)
        assert found == i


def test_symbol_table_helpers() -> None:
    symbols = SymbolTable(pa.array([None, "b", "A"]), np.array([5.0, np.nan, np.nan]))
    assert symbols.text_list() == ["5", "b", "A"]
    assert symbols.casefold_rank().tolist() == [0, 2, 1]
    assert symbols.max_text_length() == 1
    assert symbols.texts == ("5", "b", "A")
    assert symbols.texts.index("A") == 2


# --- synthetic keys and loops ------------------------------------------------------------------


def test_two_shared_fields_make_a_synthetic_key() -> None:
    model = DataModel.build(
        [
            table("A", x=[1, 2, 1], y=["a", "b", "a"], v=["p", "q", "r"]),
            table("B", x=[1, 2], y=["a", "c"], w=["s", "t"]),
        ]
    )
    assert model.tables["A"].field_names == ("v", "$Syn 1")
    syn = model.tables["$Syn 1 Table"]
    assert syn.is_synthetic and syn.field_names == ("x", "y", "$Syn 1") and syn.n_rows == 3
    assert "$syn" in model.fields["$Syn 1"].tags and "$key" in model.fields["$Syn 1"].tags
    assert "$keypart" in model.fields["x"].tags and model.fields["x"].tables == ("$Syn 1 Table",)
    # (2, b) exists only in A: selecting w=s leaves v=p,r; x=2 and y=b excluded.
    state = select(model, "w", "s")
    assert letters(model, state, "v") == {"p": "O", "q": "X", "r": "O"}
    assert letters(model, state, "y") == {"a": "O", "b": "X", "c": "X"}


def test_nested_synthetic_keys() -> None:
    model = DataModel.build(
        [
            table("A", x=[1], y=[2], z=[3]),
            table("B", x=[1], y=[2]),
            table("C", x=[1], y=[2], z=[3], q=[4]),
        ]
    )
    names = set(model.tables)
    assert {"$Syn 1 Table", "$Syn 2 Table"} <= names
    back = {n: f for n, f, _ in model.source_tables()}
    assert back == {"A": ("x", "y", "z"), "B": ("x", "y"), "C": ("x", "y", "z", "q")}


def test_a_loop_loosens_the_largest_table_and_warns() -> None:
    model = DataModel.build(
        [
            table("Small", a=[1, 2], b=[1, 2]),
            table("Mid", b=[1, 2], c=[1, 2], m=["p", "q"]),
            table("Big", c=[1, 2, 2], a=[1, 2, 1], g=["u", "v", "w"]),
        ]
    )
    assert model.loose_tables == ("Big",)
    assert model.warnings == (CIRCULAR_WARNING.format(tables="'Big'"),)
    # Selecting in Small reaches Mid over b, not over the loose Big (a -> c).
    state = select(model, "a", "1")
    assert letters(model, state, "m") == {"p": "O", "q": "X"}
    # Big is filtered by its neighbours but passes nothing on.
    state = select(model, "g", "u")
    assert letters(model, state, "m") == {"p": "O", "q": "O"}
    assert infer(model, state).possible_rows["Big"].tolist() == [True, False, False]


def test_loosen_table_from_the_script_is_kept() -> None:
    loose = LoadedTable("L", ("k",), (Column.from_values([1]),), loose=True)
    model = DataModel.build([loose, table("M", k=[1, 2])])
    assert model.loose_tables == ("L",) and model.warnings == ()


def test_system_fields() -> None:
    model = DataModel.build([table("A", x=[1, 2]), table("B", x=[1], y=["a"])])
    system = model.system_fields()
    assert list(system) == ["$Field", "$Table", "$Rows", "$Fields"]
    assert list(system["$Field"].symbols.texts) == ["x", "y"]
    assert list(system["$Rows"].symbols.texts) == ["2", "1"]
    assert all("$system" in f.tags for f in system.values())
    assert "$Field" not in model.fields


# --- AND mode ------------------------------------------------------------------------------------


def and_model() -> DataModel:
    return DataModel.build(
        [
            table("People", Customer=["ann", "bob", "cid"], Country=["se", "dk", "se"]),
            table(
                "Bought",
                Customer=["ann", "ann", "bob", "bob", "cid"],
                Product=["cap", "shirt", "cap", "socks", "shirt"],
            ),
        ]
    )


def test_and_mode_is_allowed_only_on_a_two_field_distinct_table() -> None:
    model = and_model()
    assert and_mode_allowed(model, "Product")
    assert not and_mode_allowed(model, "Customer")  # in two tables
    assert and_mode_allowed(model, "Country")
    wide = DataModel.build([table("T", a=[1], b=[2], c=[3])])
    assert not and_mode_allowed(wide, "b") and not and_mode_allowed(wide, "c")
    dup = DataModel.build([table("T", a=[1, 1], b=[2, 2])])
    assert not and_mode_allowed(dup, "b")
    state, ok = select_symbols(model, SelectionState.empty(), "Customer", [0], False, False, True)
    assert not ok and state.fields == {}


def test_and_and_not_selections() -> None:
    model = and_model()
    products = model.fields["Product"].symbols
    cap, shirt, socks = (products.find_text(t) for t in ("cap", "shirt", "socks"))
    state, ok = select_symbols(
        model, SelectionState.empty(), "Product", [cap, shirt], False, False, and_mode=True
    )
    assert ok and state.fields["Product"].and_mode
    assert letters(model, state, "Customer") == {"ann": "O", "bob": "X", "cid": "X"}
    # NOT socks on top: bob bought socks; ann stays (AND cap & shirt), shirt stays selected.
    state, ok = select_not(model, state, "Product", [socks], False, False)
    assert ok
    assert letters(model, state, "Product") == {"cap": "S", "shirt": "S", "socks": "D"}
    # Only NOT socks: everyone but bob.
    only_not, ok = select_not(model, SelectionState.empty(), "Product", [socks], False, False)
    assert ok and not only_not.fields["Product"].count
    assert letters(model, only_not, "Customer") == {"ann": "O", "bob": "X", "cid": "O"}
    locked = lock_field(state, "Product")
    assert locked.fields["Product"].and_mode and locked.fields["Product"].excluded is not None


# --- the shared cache and lazy states ---------------------------------------------------------


def test_equal_selections_of_different_sessions_share_one_inference() -> None:
    model = and_model()
    a = SelectionState({"Country": FieldSelection(np.array([True, False]))})
    b = SelectionState({"Country": FieldSelection(np.array([True, False]))})
    assert a.version != b.version
    assert infer(model, a) is infer(model, b)
    c = SelectionState({"Country": FieldSelection(np.array([True, False]), locked=True)})
    assert infer(model, c) is not infer(model, a)


def test_states_are_computed_per_field_on_demand() -> None:
    model = and_model()
    state = SelectionState({"Country": FieldSelection(np.array([True, False]))})
    states = infer(model, state).states
    assert set(states) == set(model.fields) and len(states) == 3
    assert "Product" in states and "Nope" not in states
    assert states["Product"].tolist() == states["Product"].tolist()
    assert not states["Product"].flags.writeable


def test_the_cache_is_bounded_by_bytes_as_well() -> None:
    from openqix.engine.inference import _LRU

    cache: _LRU[str, int] = _LRU(10, max_bytes=100)
    cache.put("a", 1, 60)
    cache.put("b", 2, 60)  # over the byte bound: "a" goes
    assert cache.get("a") is None and cache.get("b") == 2
    cache.put("c", 3, 500)  # the newest always stays
    assert cache.get("b") is None and cache.get("c") == 3


@settings(max_examples=60, deadline=None)
@given(
    st.sets(st.tuples(st.sampled_from("uvwx"), st.sampled_from("pqrs")), max_size=12),
    st.sets(st.sampled_from("pqrs"), max_size=3),
    st.sets(st.sampled_from("pqrs"), max_size=2),
)
def test_and_mode_matches_brute_force(
    pairs: set[tuple[str, str]], chosen: set[str], negated: set[str]
) -> None:
    rows = sorted(pairs)
    model = DataModel.build(
        [
            table("Bought", Customer=[c for c, _ in rows], Product=[p for _, p in rows]),
            table("People", Customer=list("uvwx"), Age=[1, 2, 3, 4]),
        ]
    )
    products = model.fields["Product"].symbols if rows else None
    chosen = {p for p in chosen if products is not None and products.find_text(p) is not None}
    negated = {
        p for p in negated - chosen if products is not None and products.find_text(p) is not None
    }
    if not chosen and not negated:
        return
    assert products is not None
    bought = {c: {p for cc, p in rows if cc == c} for c in "uvwx"}
    # A customer without any Bought row has no partner row: excluded, as by any selection.
    expected = {
        c for c in "uvwx" if bought[c] and chosen <= bought[c] and not (negated & bought[c])
    }
    start = SelectionState.empty()
    ids = [products.find_text(p) for p in sorted(chosen)]
    state, ok = select_symbols(model, start, "Product", ids, False, False, and_mode=True)  # type: ignore[arg-type]
    if chosen and not any(chosen <= b for b in bought.values()):
        assert not ok and state is start  # nothing would be possible: refused
        return
    assert ok
    if negated:
        not_ids = [products.find_text(p) for p in sorted(negated)]
        after, ok = select_not(model, state, "Product", not_ids, False, False)  # type: ignore[arg-type]
        if not expected and chosen:  # the AND values would all be excluded: refused
            assert not ok and after is state
            return
        assert ok
        state = after
    got = letters(model, state, "Age")
    ages = {"u": "1", "v": "2", "w": "3", "x": "4"}
    assert {c for c in "uvwx" if got[ages[c]] == "O"} == expected

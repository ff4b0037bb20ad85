"""QVD read and write: our files load back identically (values, duals, NULLs, field order),
files of an independent writer (pyqvd) load correctly and pyqvd reads ours; broken files are a
clear error naming the file."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyqvd import QvdTable

from openqix.script.sources import (
    DualColumn,
    SourceTable,
    StoreTable,
    dual_column,
    read_table,
    write_table,
)
from openqix.script.sources.errors import BadFileError, BadQvdError
from openqix.script.sources.qvd import read_qvd, write_qvd

Value = tuple[str | None, float]


def values_of(table: SourceTable, i: int) -> list[Value]:
    column = dual_column(table.columns[i])
    return list(zip(column.texts.tolist(), column.numbers.tolist(), strict=True))


def same(a: list[Value], b: list[Value]) -> bool:
    return all(
        ta == tb and (na == nb or (math.isnan(na) and math.isnan(nb)))
        for (ta, na), (tb, nb) in zip(a, b, strict=True)
    ) and len(a) == len(b)


def test_store_then_load_keeps_values_duals_nulls_and_field_order(tmp_path: Path) -> None:
    nan = math.nan
    table = StoreTable(
        ("Z", "A", "Empty", "One"),
        (
            DualColumn.of(
                ["1", "x", None, "007", None, "1.50", "-3"], [1, nan, nan, 7, 2.5, 1.5, -3]
            ),
            DualColumn.of(["é", "b", "é", "", "d", "b", None], [nan] * 7),
            DualColumn.of([None] * 7, [nan] * 7),
            DualColumn.of(["k"] * 7, [nan] * 7),
        ),
    )
    path = tmp_path / "t.qvd"
    write_table(table, path)
    loaded = read_table(path)
    assert loaded.field_names == ("Z", "A", "Empty", "One")
    for i, column in enumerate(table.columns):
        expected = list(zip(column.texts.tolist(), column.numbers.tolist(), strict=True))
        assert same(values_of(loaded, i), expected)


def test_large_indices_and_wide_records(tmp_path: Path) -> None:
    """Fields wider than a byte, records wider than 8 bytes, bits crossing byte edges."""
    n = 5000
    rng = np.random.default_rng(1)
    columns = []
    for width in (1, 3, 7, 9, 13, 5, 11, 2, 12):
        values = rng.integers(0, 2**width, n).astype(float)
        columns.append(DualColumn.of([None] * n, values))
    table = StoreTable(tuple(f"F{i}" for i in range(len(columns))), tuple(columns))
    loaded = read_qvd(write_qvd(table), "wide.qvd")
    for i, column in enumerate(columns):
        assert np.array_equal(dual_column(loaded.columns[i]).numbers, column.numbers)


def test_pyqvd_reads_our_files(tmp_path: Path) -> None:
    table = StoreTable(
        ("Id", "Name"),
        (
            DualColumn.of([None, None, None], [1, 2, 2**40]),
            DualColumn.of(["a", None, "c"], [math.nan, math.nan, math.nan]),
        ),
    )
    path = tmp_path / "ours.qvd"
    write_table(table, path)
    other = QvdTable.from_qvd(str(path)).to_dict()
    assert other["columns"] == ["Id", "Name"]
    assert other["data"] == [[1, "a"], [2, None], [2**40, "c"]]


def test_files_written_by_pyqvd_load_correctly(tmp_path: Path) -> None:
    data = [[1, "a", 2.5], [2, None, -1.0], [None, "c", 2.5], [70000, "a", 1e300]]
    path = tmp_path / "theirs.qvd"
    QvdTable.from_dict({"columns": ["I", "S", "D"], "data": data}).to_qvd(str(path))
    loaded = read_table(path)
    assert loaded.field_names == ("I", "S", "D")
    nan = math.nan
    assert same(values_of(loaded, 0), [(None, 1), (None, 2), (None, nan), (None, 70000)])
    assert same(values_of(loaded, 1), [("a", nan), (None, nan), ("c", nan), ("a", nan)])
    assert same(values_of(loaded, 2), [(None, 2.5), (None, -1.0), (None, 2.5), (None, 1e300)])


TEXTS = st.one_of(
    st.none(),
    st.text(
        alphabet=st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)), max_size=5
    ),
)
NUMBERS = st.one_of(
    st.just(math.nan), st.integers(-(2**40), 2**40).map(float), st.floats(-1e9, 1e9)
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(TEXTS, NUMBERS, TEXTS), min_size=0, max_size=30))
def test_round_trip_of_any_duals(rows: list[tuple[str | None, float, str | None]]) -> None:
    first = DualColumn.of([r[0] for r in rows], [r[1] for r in rows])
    second = DualColumn.of([r[2] for r in rows], [math.nan] * len(rows))
    table = StoreTable(("A", "B"), (first, second))
    loaded = read_qvd(write_qvd(table), "h.qvd")
    for i, column in enumerate((first, second)):
        # a number is one symbol: its first text is the text of all its rows
        expected: list[Value] = []
        first_text: dict[float, str | None] = {}
        for text, number in zip(column.texts.tolist(), column.numbers.tolist(), strict=True):
            if not math.isnan(number):
                text = first_text.setdefault(number + 0.0, text)
            expected.append((text, number + 0.0))
        assert same(values_of(loaded, i), expected)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b[: len(b) // 2], "Cannot read QVD file 'bad.qvd'"),
        (lambda b: b[:-3], "truncated"),
        (lambda b: b"hello", "no QVD header"),
        (lambda b: b.replace(b"</QvdTableHeader>\r\n\0", b"</QvdTableHeader>"), "not terminated"),
        (lambda b: b.replace(b"<NoOfRecords>4<", b"<NoOfRecords>x<", 1), "NoOfRecords"),
        (lambda b: b.replace(b"<BitWidth>2<", b"<BitWidth>60<", 1), "bad bits"),
        (lambda b: b.replace(b"<NoOfSymbols>3<", b"<NoOfSymbols>2<", 1), "symbols"),
        (lambda b: b.replace(b"<Compression>", b"<Compression>zip", 1), "compression"),
        (lambda b: b.replace(b"<Fields>", b"<Fields><", 1), "bad header"),
    ],
)
def test_broken_files_are_a_clear_error(tmp_path: Path, mutate: object, message: str) -> None:
    table = StoreTable(("A",), (DualColumn.of(["a", "b", "c", "a"], [math.nan] * 4),))
    path = tmp_path / "bad.qvd"
    path.write_bytes(mutate(write_qvd(table)))  # type: ignore[operator]
    with pytest.raises(BadFileError, match=message) as caught:
        read_table(path)
    assert "bad.qvd" in str(caught.value)


def test_symbol_index_out_of_range_and_unknown_symbol_type() -> None:
    table = StoreTable(("A",), (DualColumn.of(["a", "b", "c"], [math.nan] * 3),))
    data = write_qvd(table)
    bad_symbols = data.replace(b"\x04a\0", b"\x09a\0", 1)
    with pytest.raises(BadFileError, match=r"x\.qvd"):
        read_table(bad_symbols, name="x.qvd")
    header_end = data.index(b"\0") + 1
    records = data[-3:]
    broken = data[:-3] + bytes([3, 3, 3])
    assert records != broken[-3:] and header_end
    with pytest.raises(BadQvdError, match="bad index"):
        read_qvd(broken, "x.qvd")


SAMPLE = write_qvd(
    StoreTable(
        ("A", "B"),
        (
            DualColumn.of(["x", None, "007", None], [math.nan, 2.5, 7.0, math.nan]),
            DualColumn.of([None, None, None, None], [1.0, 2.0, 3.0, 70000.0]),
        ),
    )
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, len(SAMPLE) - 1), st.integers(0, 255)), max_size=4),
    st.integers(0, len(SAMPLE)),
)
def test_damaged_files_load_or_fail_cleanly(flips: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(SAMPLE[:cut])
    for position, value in flips:
        if position < len(data):
            data[position] = value
    try:
        table = read_table(bytes(data), name="damaged.qvd")
    except BadFileError as error:
        assert "damaged.qvd" in str(error)
    else:
        for column in table.columns:
            dual_column(column)  # every index is inside its symbol table


def test_a_symbol_cut_short_is_a_clear_error() -> None:
    data = SAMPLE.replace(b"\x01\x01\x00\x00\x00", b"\x01\x01\x00\x00", 1)
    with pytest.raises(BadQvdError, match=r"damaged\.qvd"):
        read_qvd(data, "damaged.qvd")

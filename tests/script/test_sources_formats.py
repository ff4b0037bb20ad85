"""Parquet, XLSX, JSON and SQL (SQLite) sources; STORE into parquet; engine columns from
source columns; broken files are a clear error naming the file."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import sqlite3
from pathlib import Path

import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.script.errors import SourceError
from openqix.script.sources import (
    DualColumn,
    ReadOptions,
    SourceTable,
    SqlConnection,
    StoreTable,
    dual_column,
    read_table,
    run_sql,
    write_table,
)
from openqix.script.sources.errors import BadFileError, SqlError
from openqix.script.sources.table import NUMBER_PATTERN, interpret_numbers, to_column


def cells(table: SourceTable) -> list[list[object]]:
    out = []
    for i in range(len(table.columns)):
        column = dual_column(table.columns[i])
        out.append(
            [
                None if t is None and math.isnan(n) else (t if t is not None else n)
                for t, n in zip(column.texts.tolist(), column.numbers.tolist(), strict=True)
            ]
        )
    return [list(r) for r in zip(*out, strict=True)]


# -- parquet -----------------------------------------------------------------------------------


def test_parquet_keeps_types(tmp_path: Path) -> None:
    table = pa.table(
        {
            "i": pa.array([1, None, 3]),
            "f": pa.array([1.5, 2.0, None]),
            "s": pa.array(["a", None, "c"]),
            "d": pa.array([dt.date(2024, 1, 1), None, dt.date(1899, 12, 31)]),
            "b": pa.array([True, False, None]),
            "l": pa.array([[1], [], None]),
        }
    )
    path = tmp_path / "x.parquet"
    pq.write_table(table, path)
    loaded = read_table(path)
    assert loaded.field_names == ("i", "f", "s", "d", "b", "l")
    assert cells(loaded) == [
        [1.0, 1.5, "a", 45292.0, -1.0, "[1]"],
        [None, 2.0, None, None, 0.0, "[]"],
        [3.0, None, "c", 1.0, None, None],
    ]
    assert loaded.is_raw_text(2) and not loaded.is_raw_text(0)


def test_store_parquet_round_trip(tmp_path: Path) -> None:
    nan = math.nan
    table = StoreTable(
        ("N", "F", "T", "D"),
        (
            DualColumn.of([None, None, None], [1, 2, nan]),
            DualColumn.of(["1.5", None, None], [1.5, 2.25, nan]),
            DualColumn.of(["a", None, "c"], [nan, nan, nan]),
            DualColumn.of(["007", "x", None], [7, nan, nan]),
        ),
    )
    path = tmp_path / "out.parquet"
    write_table(table, path)
    arrow = pq.read_table(path)
    assert arrow.schema.types == [pa.int64(), pa.float64(), pa.string(), pa.string()]
    assert arrow.column("D").to_pylist() == ["007", "x", None]
    loaded = read_table(path)
    assert cells(loaded) == [
        [1.0, 1.5, "a", "007"],
        [2.0, 2.25, None, "x"],
        [None, None, "c", None],
    ]


def test_bad_parquet() -> None:
    with pytest.raises(BadFileError, match=r"x\.parquet"):
        read_table(b"PAR1 nope", name="x.parquet")


# -- xlsx --------------------------------------------------------------------------------------


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.title = "Other"
    first.append(["Z"])
    sheet = workbook.create_sheet("Sheet1")
    sheet.append(["Id", "Name", "Day", None])
    sheet.append([1, "Ann", dt.datetime(2024, 1, 1), "x"])
    sheet.append([2.5, None, dt.datetime(2024, 1, 2, 12), 3])
    sheet.append([3, "007", None, None])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_sheet_labels_and_cell_types() -> None:
    options = ReadOptions(file_type="ooxml", labels="embedded", table="Sheet1")
    table = read_table(xlsx_bytes(), options, name="book.xlsx")
    assert table.field_names == ("Id", "Name", "Day", "@4")
    got = cells(table)
    assert [row[:2] for row in got] == [[1.0, "Ann"], [2.5, None], [3.0, "007"]]
    assert dual_column(table.columns[2]).numbers.tolist()[:2] == [45292.0, 45293.5]
    assert [row[2] for row in got][2] is None
    assert [row[3] for row in got] == ["x", 3.0, None]
    assert table.is_raw_text(1)
    default = read_table(xlsx_bytes(), None, name="book.xlsx")
    assert default.field_names == ("Z",)


def test_bad_xlsx_and_missing_sheet() -> None:
    with pytest.raises(BadFileError, match=r"book\.xlsx"):
        read_table(b"PK\x03\x04 not a zip", ReadOptions(file_type="ooxml"), name="book.xlsx")
    with pytest.raises(BadFileError, match="no sheet named 'Nope'"):
        read_table(xlsx_bytes(), ReadOptions(table="Nope"), name="book.xlsx")


# -- json --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b'[{"a": 1, "b": "x"}, {"b": "y", "c": {"k": [1]}}, {"a": 2.5, "b": null}]',
        b'{"a": 1, "b": "x"}\n{"b": "y", "c": {"k": [1]}}\n\n{"a": 2.5, "b": null}\n',
    ],
)
def test_json_array_and_ndjson(data: bytes) -> None:
    table = read_table(data, None, name="x.json")
    assert table.field_names == ("a", "b", "c")
    assert cells(table) == [[1.0, "x", None], [None, "y", '{"k":[1]}'], [2.5, None, None]]


@pytest.mark.parametrize("data", [b"[1, 2]", b"{nope", b'"text"', b"[{}, 3]"])
def test_invalid_json(data: bytes) -> None:
    with pytest.raises(BadFileError, match=r"Cannot read JSON file 'x\.json'"):
        read_table(data, None, name="x.json")


# -- sql ---------------------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE orders (id INTEGER, item TEXT, price REAL, note)")
        db.executemany(
            "INSERT INTO orders VALUES (?, ?, ?, ?)",
            [(1, "pen", 1.5, "a"), (2, "ink", None, 3), (3, None, 2.0, None)],
        )
    db.close()
    return path


def test_sql_select_on_sqlite(database: Path) -> None:
    connection = SqlConnection("shop", database)
    table = run_sql(connection, "SELECT id, item, price, note FROM orders ORDER BY id;")
    assert table.field_names == ("id", "item", "price", "note")
    assert cells(table) == [[1.0, "pen", 1.5, "a"], [2.0, "ink", None, 3.0], [3.0, None, 2.0, None]]


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM orders",
        "INSERT INTO orders VALUES (9, 'x', 1, 1)",
        "ATTACH DATABASE '/etc/passwd' AS p",
        "PRAGMA table_info(orders)",
        "SELECT * FROM nope",
        "SELEC 1",
    ],
)
def test_sql_is_read_only_and_errors_are_clear(database: Path, sql: str) -> None:
    with pytest.raises(SqlError, match="connection 'shop'"):
        run_sql(SqlConnection("shop", database), sql)
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM orders").fetchone() == (3,)
    db.close()


# -- engine columns ----------------------------------------------------------------------------


def test_to_column_interprets_raw_texts_and_keeps_duals() -> None:
    raw = pa.chunked_array([pa.array(["1.50", "abc", None, "007", "", "-2e1"])])
    column = to_column(raw)
    assert list(column.texts) == ["1.50", "abc", None, "007", "", "-2e1"]
    assert np.array_equal(column.numbers, [1.5, np.nan, np.nan, 7.0, np.nan, -20.0], equal_nan=True)
    table = read_table(
        write_qvd_bytes(DualColumn.of(["x", None, None], [math.nan, 2.0, math.nan])), name="q.qvd"
    )
    qvd_column = to_column(table.columns[0])
    assert list(qvd_column.texts) == ["x", "2", None]


def write_qvd_bytes(column: DualColumn) -> bytes:
    from openqix.script.sources.qvd import write_qvd

    return write_qvd(StoreTable(("V",), (column,)))


def test_interpret_numbers_reads_each_distinct_text_once() -> None:
    texts = pa.array(["1", "x", "1", None, "1e999", ".5", "+3."])
    assert np.array_equal(
        interpret_numbers(texts), [1, np.nan, 1, np.nan, np.nan, 0.5, 3.0], equal_nan=True
    )


NUMBER_TEXTS = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(-1e6, 1e6, allow_nan=False).map(str),
    st.text(alphabet=st.sampled_from(list("0123456789+-.eE xinfa")), max_size=6),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), NUMBER_TEXTS), min_size=1, max_size=20))
def test_engine_columns_agree_with_the_plain_number_rule(texts: list[str | None]) -> None:
    """The cast fast path and the per-value rule give the same duals: number by the rule,
    text as read (the canonical text where the reader dropped it)."""
    column = to_column(pa.chunked_array([pa.array(texts, type=pa.string())]))
    first_text: dict[float, str] = {}
    for text, got_text, got_number in zip(texts, column.texts, column.numbers, strict=True):
        if text is None:
            assert got_text is None and math.isnan(got_number)
            continue
        expected = float(text) if re.fullmatch(NUMBER_PATTERN, text) else math.nan
        if not math.isfinite(expected):
            expected = math.nan
        assert got_number == expected or (math.isnan(expected) and math.isnan(got_number))
        if math.isnan(expected):
            assert got_text == text
        else:
            assert float(str(got_text)) == expected
            first_text.setdefault(expected + 0.0, text)


def test_with_the_scripts_interpreter_only_whole_numbers_take_the_cast() -> None:
    def nothing_is_a_number(texts: pa.Array) -> np.ndarray:
        return np.full(len(texts), np.nan)

    def column(texts: list[str]) -> pa.ChunkedArray:
        return pa.chunked_array([pa.array(texts * 3000)])

    whole = to_column(column(["-12", "007", "3"]), nothing_is_a_number)
    assert whole.numbers[:3].tolist() == [-12.0, 7.0, 3.0]
    assert list(whole.texts[:3]) == ["-12", "007", "3"]
    for texts in (["1.5", "2"], ["+5", "2"], ["x", "2"]):
        decided = to_column(column(texts), nothing_is_a_number)
        assert bool(np.isnan(decided.numbers).all())


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["json", "ooxml", "parquet", "txt", "qvd", "fix"]),
    st.one_of(
        st.binary(max_size=200),
        st.sampled_from([b"PK\x03\x04", b"PAR1", b"[", b"{}", b"<QvdTableHeader>"]).flatmap(
            lambda head: st.binary(max_size=100).map(lambda tail: head + tail)
        ),
    ),
)
def test_any_bytes_give_a_table_or_a_clear_error(file_type: str, data: bytes) -> None:
    try:
        read_table(data, ReadOptions(file_type=file_type), name="fuzz.bin")
    except SourceError as error:
        assert "fuzz.bin" in str(error) or "fix" in str(error)

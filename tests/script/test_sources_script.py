"""The sources through a real load script: STORE then LOAD round trips in every format, SQL
through an SQLite connection, escapes and broken files as located script errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from openqix.engine.model import LoadedTable
from openqix.script.errors import PathOutsideConnectionError, ScriptError
from openqix.script.executor import run_script
from openqix.script.sources import ConnectionResolver, FolderConnection

from .conftest import table_rows

DATA = """T: LOAD * INLINE [
A, B
1, x
007,
2.50, y
];
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def connections(root: Path) -> ConnectionResolver:
    with sqlite3.connect(root / "shop.db") as db:
        db.execute("CREATE TABLE s (id INTEGER, name TEXT)")
        db.execute("INSERT INTO s VALUES (1, 'a'), (2, NULL)")
    db.close()
    return ConnectionResolver(
        [FolderConnection("data", root)], sql=[("shop", "sqlite", "lib://data/shop.db")]
    )


def values(table: LoadedTable) -> list[list[tuple[str | None, float]]]:
    return [[(t, float(n)) for t, n in zip(c.texts, c.numbers, strict=True)] for c in table.columns]


@pytest.mark.parametrize("file_format", ["qvd", "txt", "parquet"])
def test_store_then_load_gives_the_same_table(
    connections: ConnectionResolver, file_format: str
) -> None:
    script = DATA + (
        f"STORE T INTO [lib://data/t.{file_format}] ({file_format});\n"
        f"U: NoConcatenate LOAD * FROM [lib://data/t.{file_format}] ({file_format});\n"
    )
    result = run_script(script, connections)
    original, reloaded = result.tables
    assert reloaded.field_names == original.field_names == ("A", "B")
    assert (
        table_rows(reloaded)
        == table_rows(original)
        == [
            ["1", "x"],
            ["007", ""],
            ["2.50", "y"],
        ]
    )
    assert str(values(reloaded)) == str(values(original))  # NaN-safe comparison
    assert f"T >> t.{file_format}" in result.log


def test_sql_select_through_a_connection(connections: ConnectionResolver) -> None:
    result = run_script("LIB CONNECT TO 'shop';\nS: SQL SELECT id, name FROM s;", connections)
    (table,) = result.tables
    assert table_rows(table) == [["1", "a"], ["2", None]]


def test_store_outside_the_root_is_a_located_error(
    root: Path, connections: ConnectionResolver
) -> None:
    with pytest.raises(PathOutsideConnectionError) as caught:
        run_script(DATA + "STORE T INTO [lib://data/../t.qvd] (qvd);", connections)
    assert (caught.value.line, caught.value.column) == (7, 14)
    assert not (root.parent / "t.qvd").exists()


@pytest.mark.parametrize(
    ("name", "data", "spec"),
    [
        ("bad.qvd", b"<QvdTableHeader>", "qvd"),
        ("bad.xlsx", b"PK\x03\x04", "ooxml, embedded labels, table is Sheet1"),
        ("bad.json", b"[{]", "json"),
        ("bad.parquet", b"PAR1", "parquet"),
    ],
)
def test_broken_files_are_script_errors_naming_the_file(
    root: Path, connections: ConnectionResolver, name: str, data: bytes, spec: str
) -> None:
    (root / name).write_bytes(data)
    with pytest.raises(ScriptError, match=name.replace(".", r"\.")) as caught:
        run_script(f"SET x = 1;\nLOAD * FROM [lib://data/{name}] ({spec});", connections)
    assert caught.value.line == 2


@pytest.mark.parametrize(
    ("statement", "names", "rows"),
    [
        (
            "LOAD * FROM [lib://data/products_pyqvd.qvd] (qvd);",  # written by pyqvd
            ("ProductID", "Product", "Price"),
            [["1", "Pen", "1.5"], ["2", "Ink", "12"], ["3", None, "0.25"], ["4", "Pad", None]],
        ),
        (
            "LOAD * FROM [lib://data/targets.xlsx] (ooxml, embedded labels, table is Sheet1);",
            ("Region", "Target", "Start"),
            [
                ["North", "100", "2024-01-01"],
                ["South", "250.5", "2024-02-01"],
                ["East", None, None],
            ],
        ),
        (
            "LOAD * FROM [lib://data/events.json] (json);",
            ("id", "kind", "value"),
            [["1", "click", "2.5"], ["2", "view", None], ["3", "click", None]],
        ),
        (
            "LOAD * FROM [lib://data/sales.parquet] (parquet);",
            ("id", "day", "amount"),
            [["1", "2024-01-01", "10.5"], ["2", "2024-01-02", None], ["3", None, "3"]],
        ),
    ],
)
def test_shipped_sample_files(
    fixture_connections: ConnectionResolver,
    statement: str,
    names: tuple[str, ...],
    rows: list[list[str | None]],
) -> None:
    (table,) = run_script(statement, fixture_connections).tables
    assert table.field_names == names
    assert table_rows(table) == rows

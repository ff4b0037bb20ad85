"""LOAD ... FROM lib:// files: reading (BOM, CRLF, quotes, ragged rows, encodings) and the
confinement of every path to its connection's folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from openqix.script.errors import (
    CannotOpenFileError,
    ConnectionNotFoundError,
    NotALibPathError,
    PathOutsideConnectionError,
    ScriptError,
)
from openqix.script.executor import run_script
from openqix.script.sources.connections import ConnectionResolver, FolderConnection

from .conftest import table_rows


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    (folder / "sub").mkdir(parents=True)
    return folder


@pytest.fixture
def connections(root: Path) -> ConnectionResolver:
    return ConnectionResolver([FolderConnection("Data", root)])


def load(connections: ConnectionResolver, statement: str) -> list[list[str | None]]:
    (table,) = run_script(statement, connections).tables
    return table_rows(table)


def test_bom_crlf_quotes_and_ragged_rows(root: Path, connections: ConnectionResolver) -> None:
    (root / "sub" / "orders.csv").write_bytes(
        b'\xef\xbb\xbfId,Name,Note\r\n1, "Smith, J" ,"a ""b"""\r\n2,Lee\r\n3,,x,extra\r\n'
    )
    result = run_script(
        "LOAD * FROM [lib://data/sub/orders.csv] (txt, utf8, embedded labels, delimiter is ',');",
        connections,
    )
    (table,) = result.tables
    assert (table.name, table.field_names) == ("orders", ("Id", "Name", "Note"))
    assert table_rows(table) == [["1", "Smith, J", 'a "b"'], ["2", "Lee", ""], ["3", "", "x"]]
    assert result.log == ["orders << orders.csv", "3 Lines fetched"]


def test_msq_value_over_several_lines(root: Path, connections: ConnectionResolver) -> None:
    (root / "notes.csv").write_text('Id;Text\n1;"two\nlines"\n2;plain\n', "utf-8")
    rows = load(connections, "LOAD * FROM 'lib://DATA/notes.csv' (txt, msq, delimiter is ';');")
    assert rows == [["1", "two\nlines"], ["2", "plain"]]


def test_ansi_and_utf8_without_bom(root: Path, connections: ConnectionResolver) -> None:
    (root / "latin.csv").write_bytes("City\nMalmö\n".encode("cp1252"))
    (root / "utf.csv").write_bytes("City\nMalmö\n".encode())
    assert load(connections, "LOAD * FROM lib://data/latin.csv (txt, ansi);") == [["Malmö"]]
    assert load(connections, "LOAD * FROM lib://data/utf.csv (txt, utf8);") == [["Malmö"]]


def test_long_file_names_are_cut_to_32_characters(
    root: Path, connections: ConnectionResolver
) -> None:
    name = "a_very_long_file_name_for_a_table_name.tab.csv"
    (root / name).write_text("X\n1\n", "utf-8")
    (table,) = run_script(f"LOAD * FROM [lib://data/{name}];", connections).tables
    assert table.name == "a_very_long_file_name_for_a_tabl"


def test_a_large_file_loads(root: Path, connections: ConnectionResolver) -> None:
    lines = "".join(f'{i},"name {i}",{i * 0.5}\n' for i in range(50_000))
    (root / "big.csv").write_text("Id,Name,Half\n" + lines, "utf-8")
    (table,) = run_script("LOAD * FROM [lib://data/big.csv];", connections).tables
    assert table.n_rows == 50_000
    assert table.columns[1].texts[49_999] == "name 49999"
    assert table.columns[2].numbers[3] == 1.5


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("lib://data/../secret.csv", PathOutsideConnectionError),
        ("lib://data/sub/../../secret.csv", PathOutsideConnectionError),
        ("lib://data//etc/passwd", PathOutsideConnectionError),
        ("lib://data/missing.csv", CannotOpenFileError),
        ("lib://data/sub", CannotOpenFileError),
        ("lib://nope/x.csv", ConnectionNotFoundError),
        ("/etc/passwd", NotALibPathError),
        ("secret.csv", NotALibPathError),
    ],
)
def test_paths_that_cannot_be_read(
    root: Path, connections: ConnectionResolver, path: str, error: type[ScriptError]
) -> None:
    (root.parent / "secret.csv").write_text("S\n1\n", "utf-8")
    script = f"SET x = 1;\n  LOAD * FROM [{path}];"
    with pytest.raises(error) as caught:
        run_script(script, connections)
    assert (caught.value.line, caught.value.column) == (2, 15)
    assert caught.value.length == len(path) + 2


def test_symlinks_may_not_lead_outside_the_root(
    root: Path, connections: ConnectionResolver
) -> None:
    (root.parent / "secret.csv").write_text("S\n1\n", "utf-8")
    os.symlink(root.parent / "secret.csv", root / "link.csv")
    os.symlink(root.parent, root / "up")
    for path in ("lib://data/link.csv", "lib://data/up/secret.csv"):
        with pytest.raises(PathOutsideConnectionError, match="outside the folder"):
            run_script(f"LOAD * FROM [{path}];", connections)


def test_symlinks_inside_the_root_are_fine(root: Path, connections: ConnectionResolver) -> None:
    (root / "sub" / "real.csv").write_text("R\n1\n", "utf-8")
    os.symlink(root / "sub" / "real.csv", root / "alias.csv")
    assert load(connections, "LOAD * FROM [lib://data/alias.csv];") == [["1"]]


def test_resolver_is_a_case_insensitive_mapping(root: Path) -> None:
    resolver = ConnectionResolver([FolderConnection("Data", root)])
    assert list(resolver) == ["Data"] and len(resolver) == 1
    assert resolver["DATA"].root == root and "data" in resolver
    (root / "x.csv").write_text("a\n", "utf-8")
    assert resolver.resolve("LIB://dAtA/x.csv") == (root / "x.csv").resolve()
    assert resolver.resolve("lib://data\\x.csv") == (root / "x.csv").resolve()


def test_a_failing_load_after_successful_ones_gives_no_tables(
    root: Path, connections: ConnectionResolver
) -> None:
    (root / "ok.csv").write_text("A\n1\n", "utf-8")
    with pytest.raises(ScriptError):
        run_script(
            "LOAD * FROM [lib://data/ok.csv];\nLOAD * FROM [lib://data/no.csv];", connections
        )

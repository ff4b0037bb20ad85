"""Every path a reader or writer touches is confined to its connection's root: STORE targets,
SQL databases named by lib:// paths; and the app accepts sqlite connections."""

from __future__ import annotations

import math
import os
import sqlite3
from pathlib import Path

import pytest

from openqix.app import App
from openqix.script.errors import (
    CannotOpenFileError,
    ConnectionNotFoundError,
    NotALibPathError,
    PathOutsideConnectionError,
    ScriptError,
)
from openqix.script.sources import (
    ConnectionResolver,
    DualColumn,
    FolderConnection,
    StoreTable,
    read_table,
    run_sql,
    write_table,
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    (folder / "sub").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", folder / "escape")
    os.symlink(tmp_path / "outside" / "x.qvd", folder / "dangling.qvd")
    return folder


@pytest.fixture
def resolver(root: Path) -> ConnectionResolver:
    return ConnectionResolver([FolderConnection("Data", root)])


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("lib://data/../x.qvd", PathOutsideConnectionError),
        ("lib://data/sub/../../outside/x.qvd", PathOutsideConnectionError),
        ("lib://data//tmp/x.qvd", PathOutsideConnectionError),
        ("lib://data/escape/x.qvd", PathOutsideConnectionError),
        ("lib://data/dangling.qvd", PathOutsideConnectionError),
        ("lib://data/nofolder/x.qvd", CannotOpenFileError),
        ("lib://data/sub", CannotOpenFileError),
        ("lib://other/x.qvd", ConnectionNotFoundError),
        ("/tmp/x.qvd", NotALibPathError),
    ],
)
def test_store_targets_are_confined(
    root: Path, resolver: ConnectionResolver, path: str, error: type[ScriptError]
) -> None:
    with pytest.raises(error):
        resolver.resolve_for_write(path)
    assert not (root.parent / "outside" / "x.qvd").exists()


def test_store_then_load_inside_the_root(root: Path, resolver: ConnectionResolver) -> None:
    table = StoreTable(("A",), (DualColumn.of(["x", None], [math.nan, 1.0]),))
    target = resolver.resolve_for_write("lib://DATA/sub/t.qvd")
    write_table(table, target)
    assert target == (root / "sub" / "t.qvd").resolve()
    assert read_table(resolver.resolve("lib://data/sub/t.qvd")).n_rows == 2
    assert [p.name for p in (root / "sub").iterdir()] == ["t.qvd"]  # no temp file left


def make_db(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (v INTEGER)")
        db.execute("INSERT INTO t VALUES (42)")
    db.close()


def test_sql_connections_by_lib_path_or_absolute_path(root: Path, tmp_path: Path) -> None:
    make_db(root / "sub" / "a.db")
    make_db(tmp_path / "outside" / "b.db")
    resolver = ConnectionResolver(
        [FolderConnection("Data", root)],
        sql=[
            ("ByLib", "sqlite", "lib://data/sub/a.db"),
            ("ByPath", "sqlite", str(tmp_path / "outside" / "b.db")),
            ("Escape", "sqlite", "lib://data/escape/b.db"),
            ("Relative", "sqlite", "b.db"),
        ],
    )
    for name in ("bylib", "ByPath"):
        table = run_sql(resolver.sql_connection(name), "SELECT v FROM t")
        assert table.texts(0) == ["42"]
    with pytest.raises(PathOutsideConnectionError):
        resolver.sql_connection("Escape")
    with pytest.raises(CannotOpenFileError):
        resolver.sql_connection("Relative")
    with pytest.raises(ConnectionNotFoundError):
        resolver.sql_connection("Nope")


def test_apps_accept_sqlite_connections(tmp_path: Path) -> None:
    app = App(id="a")
    conn_id = app.create_connection("db", str(tmp_path / "x.db"), "sqlite")
    assert app.connection(conn_id).type == "sqlite"

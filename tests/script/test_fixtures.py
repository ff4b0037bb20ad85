"""Behaviour pinned by text fixtures: every tests/fixtures/scripts/NAME.qvs runs against the
connections `data` (tests/fixtures/data), `inc` (tests/fixtures/scripts/include), `out` (an
empty writable folder) and `db` (an SQLite database with a `people` table) and must give what
NAME.json describes: tables with names, fields and rows as texts (optionally the log,
variables, comments and tags), or an error."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from openqix.engine.model import DataModel
from openqix.script.errors import ScriptError
from openqix.script.executor import run_script
from openqix.script.sources.connections import ConnectionResolver, FolderConnection

from .conftest import FIXTURES, table_rows

SCRIPTS = sorted((FIXTURES / "scripts").glob("*.qvs"))


def test_there_are_fixtures() -> None:
    assert len(SCRIPTS) >= 40


def _connections(tmp_path: Path) -> ConnectionResolver:
    database = tmp_path / "db.sqlite"
    with sqlite3.connect(database) as con:
        con.execute("CREATE TABLE people (id INTEGER, name TEXT, age INTEGER)")
        rows = [(1, "Ann", 34), (2, "Bo", 12), (3, "Cy", 18)]
        con.executemany("INSERT INTO people VALUES (?, ?, ?)", rows)
    con.close()
    (tmp_path / "out").mkdir()
    folders = [
        FolderConnection("data", FIXTURES / "data"),
        FolderConnection("out", tmp_path / "out"),
        FolderConnection("inc", FIXTURES / "scripts" / "include"),
    ]
    return ConnectionResolver(folders, sql=[("db", "sqlite", str(database))])


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_script_fixture(script: Path, tmp_path: Path) -> None:
    expected: dict[str, Any] = json.loads(script.with_suffix(".json").read_text("utf-8"))
    text = script.read_text("utf-8")
    fixture_connections = _connections(tmp_path)
    if "error" in expected:
        _check_error(text, fixture_connections, expected["error"])
        return
    result = run_script(text, fixture_connections)
    got = [
        {"name": t.name, "fields": list(t.field_names), "rows": table_rows(t)}
        for t in result.tables
    ]
    assert got == expected["tables"]
    if "log" in expected:
        assert result.log == expected["log"]
    if "variables" in expected:
        assert result.variables == expected["variables"]
    if "field_comments" in expected:
        assert result.field_comments == expected["field_comments"]
        assert result.table_comments == expected["table_comments"]
        assert result.field_tags == expected["field_tags"]
    DataModel.build(result.tables)  # the engine accepts what the script produced


def _check_error(text: str, connections: ConnectionResolver, error: dict[str, Any]) -> None:
    with pytest.raises(ScriptError) as caught:
        run_script(text, connections)
    assert type(caught.value).__name__ == error["type"]
    assert caught.value.message == error["message"]
    assert (caught.value.line, caught.value.column) == (error["line"], error["column"])

"""SQL SELECT through an SQLite connection (stdlib sqlite3), read-only.

The database opens with `mode=ro` and an authorizer that allows reading only: no ATTACH (which
could reach files outside the connection), no writes, no PRAGMA; one statement per call.
Columns take SQLite's per-value types: a column of integers is integers, a mixed one duals.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from openqix.script.sources.connections import SqlConnection
from openqix.script.sources.errors import SqlError
from openqix.script.sources.table import SourceTable, column_from_python

_ALLOWED = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    sqlite3.SQLITE_RECURSIVE,
}


def run_select(connection: SqlConnection, sql_text: str) -> SourceTable:
    if connection.kind.lower() != "sqlite":
        raise SqlError(f"Connection '{connection.name}': type '{connection.kind}' not supported")
    text = sql_text.strip().rstrip(";").strip()
    try:
        with closing(_open(connection.database)) as db:
            cursor = db.execute(text)
            names = tuple(str(d[0]) for d in cursor.description or ())
            rows: list[tuple[Any, ...]] = cursor.fetchall()
    except (sqlite3.Error, sqlite3.Warning, ValueError) as error:
        raise SqlError(f"SQL error on connection '{connection.name}': {error}") from error
    if not names:
        raise SqlError(f"Connection '{connection.name}': the statement returned no columns")
    columns = tuple(column_from_python([_cell(row[i]) for row in rows]) for i in range(len(names)))
    return SourceTable(names, columns)


def _open(database: Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    db.set_authorizer(_authorize)
    return db


def _authorize(action: int, *_: Any) -> int:
    return sqlite3.SQLITE_OK if action in _ALLOWED else sqlite3.SQLITE_DENY


def _cell(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value

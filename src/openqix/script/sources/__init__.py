"""Readers of external data (inline text, delimited and fixed text, QVD, Parquet, XLSX, JSON,
SQL through an SQLite connection), the STORE writers, and the folder connections that confine
every path to its root. The only place that reads or writes data files.

The API the executor codes against:

    read_table(source, spec, name=...) -> SourceTable     # LOAD ... FROM file (format-spec)
    write_table(table, path, file_format, spec=...)       # STORE t INTO file (qvd|txt|parquet)
    run_sql(connection, sql_text) -> SourceTable          # SQL SELECT ... on an SQL connection

`source` is a `Path` already confined by `ConnectionResolver.resolve(lib_path)` (or bytes);
`STORE` paths go through `ConnectionResolver.resolve_for_write(lib_path)` and SQL connections
are found with `ConnectionResolver.sql_connection(name)`. `spec` is the parser's `FormatSpec`
(or a `ReadOptions`); see `options.ReadOptions` for the attribute names read from it. The
column types of a `SourceTable` are documented in `table.py`; `table.to_column(s)` turns
source columns into engine `Column`s without a Python object per row. Every failure is a
`SourceError` (a `ScriptError`) naming the file, without position: the executor adds it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openqix.script.sources.connections import (
    ConnectionResolver,
    FolderConnection,
    SqlConnection,
)
from openqix.script.sources.errors import BadFileError, StoreError
from openqix.script.sources.options import ReadOptions
from openqix.script.sources.table import (
    DUAL_TYPE,
    DualColumn,
    SourceTable,
    StoreTable,
    dual_column,
    dual_numbers,
)
from openqix.script.sources.text_fast import StreamFailed, TextStream

__all__ = [
    "DUAL_TYPE",
    "ConnectionResolver",
    "DualColumn",
    "FolderConnection",
    "ReadOptions",
    "SourceTable",
    "SqlConnection",
    "StoreTable",
    "StreamFailed",
    "TextStream",
    "dual_column",
    "dual_numbers",
    "read_table",
    "run_sql",
    "stream_table",
    "write_table",
]

STORE_FORMATS = ("qvd", "txt", "csv", "parquet")


def read_table(source: Path | bytes, spec: Any = None, *, name: str | None = None) -> SourceTable:
    """Read one file (or its bytes) in the format its spec or extension names."""
    options = ReadOptions.from_spec(spec)
    display = name or (source.name if isinstance(source, Path) else "data")
    kind = options.resolved_type(display)
    data = None if kind in ("parquet", "txt") else _read_bytes(source, display)
    if kind == "txt" and isinstance(source, Path) and not source.is_file():
        _read_bytes(source, display)  # the error of a missing or unreadable file
    try:
        return _dispatch(kind, source, data, options, display)
    except BadFileError:
        raise
    except (ValueError, KeyError, IndexError, OSError, UnicodeError) as error:
        raise BadFileError.of(display, kind, str(error) or type(error).__name__) from error


# Files at least this large are read block by block when their format allows it.
STREAM_MIN_BYTES = 1 << 25
STREAM_BLOCK_BYTES = 10 << 20


def stream_table(
    source: Path,
    spec: Any = None,
    *,
    name: str | None = None,
    min_bytes: int | None = None,
    block_size: int | None = None,
) -> TextStream | None:
    """A large delimited text file block by block (raw-text batches, see `table.stream_columns`
    for turning them into engine Columns), or None where `read_table` must read it whole.
    Iterating the batches raises `StreamFailed` where the whole-file reading's rules differ
    (then `read_table` the file). `min_bytes`/`block_size` default to STREAM_MIN_BYTES and
    STREAM_BLOCK_BYTES."""
    options = ReadOptions.from_spec(spec)
    display = name or source.name
    if options.resolved_type(display) != "txt":
        return None
    try:
        if source.stat().st_size < (STREAM_MIN_BYTES if min_bytes is None else min_bytes):
            return None
    except OSError:
        return None  # read_table reports it
    from openqix.script.sources.delimited import stream_text_file

    return stream_text_file(
        source, options, display, STREAM_BLOCK_BYTES if block_size is None else block_size
    )


def _dispatch(
    kind: str, source: Path | bytes, data: bytes | None, options: ReadOptions, name: str
) -> SourceTable:
    if kind == "txt":
        from openqix.script.sources.delimited import read_text_table

        return read_text_table(source, options, name)
    if kind == "fix":
        from openqix.script.sources.fixed import read_fixed

        return read_fixed(_need(data), options, name)
    if kind == "qvd":
        from openqix.script.sources.qvd import read_qvd

        return read_qvd(_need(data), name)
    if kind == "parquet":
        from openqix.script.sources.parquet import read_parquet

        return read_parquet(source, name)
    if kind == "ooxml":
        from openqix.script.sources.xlsx import read_xlsx

        return read_xlsx(_need(data), options, name)
    from openqix.script.sources.json_source import read_json

    return read_json(_need(data), name)


def _need(data: bytes | None) -> bytes:
    assert data is not None
    return data


def _read_bytes(source: Path | bytes, name: str) -> bytes:
    if isinstance(source, bytes):
        return source
    from openqix.script.errors import CannotOpenFileError

    try:
        return source.read_bytes()
    except OSError as error:
        raise CannotOpenFileError(f"Cannot open file: '{name}'") from error


def write_table(
    table: StoreTable, path: Path, file_format: str | None = None, *, spec: Any = None
) -> None:
    """STORE: write `table` to `path` as qvd (default), txt/csv (delimited) or parquet."""
    options = ReadOptions.from_spec(spec)
    kind = (file_format or options.file_type or _store_type(path.name)).lower()
    if kind not in STORE_FORMATS:
        raise StoreError(f"STORE cannot write the format '{kind}' ('{path.name}')")
    from openqix.script.sources import writers

    try:
        if kind == "qvd":
            from openqix.script.sources.qvd import write_qvd

            writers.atomic_write(path, write_qvd(table))
        elif kind == "parquet":
            writers.atomic_write(path, writers.parquet_bytes(table))
        else:
            writers.atomic_write(path, writers.delimited_bytes(table, options, path.name))
    except OSError as error:
        raise StoreError(f"Cannot write file: '{path.name}' ({error.strerror})") from error


def _store_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {"csv": "txt", "txt": "txt", "tab": "txt", "parquet": "parquet"}.get(extension, "qvd")


def run_sql(connection: SqlConnection, sql_text: str) -> SourceTable:
    """Run one SELECT on an SQL connection (read-only); the result as a SourceTable."""
    from openqix.script.sources.sql import run_select

    return run_select(connection, sql_text)

"""Parquet files through pyarrow: columns keep their Arrow types (numbers, dates, texts);
nested and binary columns become texts (JSON for nested values)."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from openqix.script.sources.errors import BadFileError
from openqix.script.sources.table import SourceTable


def read_parquet(source: Path | bytes, name: str) -> SourceTable:
    try:
        table = pq.read_table(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (pa.ArrowException, OSError) as error:
        raise BadFileError.of(name, "Parquet", str(error)) from error
    columns = tuple(_simple(column) for column in table.columns)
    return SourceTable(tuple(table.column_names), columns)


def _simple(column: pa.ChunkedArray) -> pa.ChunkedArray:
    kind = column.type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if pa.types.is_nested(kind):
        texts = [
            None if v is None else orjson.dumps(v, default=str).decode() for v in column.to_pylist()
        ]
        return pa.chunked_array([pa.array(texts, type=pa.string())])
    if (
        pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
        or pa.types.is_fixed_size_binary(kind)
    ):
        values = [
            None if v is None else v.decode("utf-8", errors="replace") for v in column.to_pylist()
        ]
        return pa.chunked_array([pa.array(values, type=pa.string())])
    if pa.types.is_duration(kind):
        seconds = column.cast(pa.duration("us")).cast(pa.int64())
        return pa.chunked_array([pa.compute.divide(seconds.cast(pa.float64()), 86_400e6)])
    return column

"""STORE writers: delimited text and Parquet (QVD is in qvd.py), written atomically.

Text: UTF-8 with a byte order mark, a header line of field names, the delimiter of the
format spec (`,` by default), CRLF line ends; a value is quoted (`"`, doubled inside) when it
holds the delimiter, a quote, a line break or edge blanks. A value's own text is written, a
number without one in its shortest form, NULL as an empty value.
Parquet: a field whose values are all numbers shown in their shortest form is float64 (int64
when all are integers); any other field is a string column of the values' texts (reloading
them interprets numbers again, so `007` comes back as the dual 007/7).
"""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from openqix.lang.script_ast import SPACES
from openqix.script.sources.options import ReadOptions
from openqix.script.sources.table import DualColumn, StoreTable, number_text


def atomic_write(path: Path, data: bytes) -> None:
    """Write next to the target and rename over it: a failed STORE leaves no half file."""
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def delimited_bytes(table: StoreTable, options: ReadOptions, name: str) -> bytes:
    delimiter = options.text_delimiter(name)
    if delimiter == SPACES:
        delimiter = " "
    lines = [delimiter.join(_quote(field, delimiter) for field in table.field_names)]
    texts = [_display(column) for column in table.columns]
    quoted = [[_quote(v, delimiter) for v in column] for column in texts]
    lines.extend(delimiter.join(row) for row in zip(*quoted, strict=True))
    encoding = options.codec() if options.encoding else "utf-8"
    body = "\r\n".join(lines) + "\r\n"
    prefix = b"\xef\xbb\xbf" if encoding == "utf-8" else b""
    return prefix + body.encode(encoding, errors="replace")


def _display(column: DualColumn) -> list[str]:
    return [text or "" for text in column.texts_or_display()]


def _quote(value: str, delimiter: str) -> str:
    if not value:
        return value
    if (
        delimiter in value
        or '"' in value
        or "\n" in value
        or "\r" in value
        or value[0] in " \t"
        or value[-1] in " \t"
    ):
        return '"' + value.replace('"', '""') + '"'
    return value


def parquet_bytes(table: StoreTable) -> bytes:
    arrays = [_parquet_column(column) for column in table.columns]
    arrow = pa.Table.from_arrays(arrays, names=list(table.field_names))
    out = io.BytesIO()
    pq.write_table(arrow, out)
    return out.getvalue()


def _parquet_column(column: DualColumn) -> pa.Array:
    is_null = column.is_null()
    has_number = ~np.isnan(column.numbers)
    if bool(np.all(has_number | is_null)):
        numbers = column.numbers
        own = [t for t in column.texts[has_number].tolist() if t is not None]
        canonical = [number_text(float(v)) for v in numbers[has_number].tolist()]
        if not own or own == [
            c
            for c, t in zip(canonical, column.texts[has_number].tolist(), strict=True)
            if t is not None
        ]:
            values = pa.array(numbers, mask=is_null)
            finite = numbers[has_number]
            if bool(np.all(np.mod(finite, 1) == 0)) and bool(np.all(np.abs(finite) < 2**53)):
                return pc.cast(values, pa.int64())
            return values
    texts = [
        None if null else text
        for text, null in zip(_display(column), is_null.tolist(), strict=True)
    ]
    return pa.array(texts, type=pa.string())

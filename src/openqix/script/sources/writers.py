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
import re
import uuid
from pathlib import Path

import numpy as np
import numpy.typing as npt
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
    """The text file of a table, built column-wise in Arrow (no Python loop per value)."""
    delimiter = options.text_delimiter(name)
    if delimiter == SPACES:
        delimiter = " "
    header = delimiter.join(_quote(field, delimiter) for field in table.field_names)
    encoding = options.codec() if options.encoding else "utf-8"
    prefix = b"\xef\xbb\xbf" if encoding == "utf-8" else b""
    head = prefix + (header + "\r\n").encode(encoding, errors="replace")
    if table.n_rows == 0 or not table.columns:
        return head
    cells = [_quoted_texts(column, delimiter) for column in table.columns]
    lines = (
        pc.binary_join_element_wise(*cells, pa.scalar("\r\n"), "")
        if len(cells) == 1
        else (
            pc.binary_join_element_wise(
                pc.binary_join_element_wise(*cells, delimiter), pa.scalar("\r\n"), ""
            )
        )
    )
    body = _concatenated(lines)
    if encoding != "utf-8":
        body = body.decode("utf-8").encode(encoding, errors="replace")
    return head + body


def _display_texts(column: DualColumn) -> pa.Array:
    """Each value's own text, else its number in the engine's shortest form; NULL is null."""
    texts = pa.array(column.texts, type=pa.string(), from_pandas=True)
    has_number = ~np.isnan(column.numbers)
    if bool(has_number.any()):
        numbers = pc.cast(pa.array(column.numbers, mask=~has_number), pa.string())
        texts = pc.coalesce(texts, _canonical(numbers, column.numbers))
    return texts


def _quoted_texts(column: DualColumn, delimiter: str) -> pa.Array:
    """Each value's display text (NULL as empty), quoted where a reader needs quotes."""
    texts = pc.fill_null(_display_texts(column), "")
    special = "[" + re.escape(delimiter) + '"\n\r]|^[ \t]|[ \t]$'
    if len(delimiter) > 1:
        special = re.escape(delimiter) + '|["\n\r]|^[ \t]|[ \t]$'
    needs = pc.match_substring_regex(texts, special)
    if not pc.any(needs).as_py():
        return texts
    escaped = pc.binary_join_element_wise('"', pc.replace_substring(texts, '"', '""'), '"', "")
    return pc.if_else(needs, escaped, texts)


def _canonical(texts: pa.Array, numbers: npt.NDArray[np.float64]) -> pa.Array:
    """Arrow's shortest number texts, except where Python's form (the engine's) differs:
    very small or large magnitudes (exponents) and -0. Those few go through Python."""
    size = np.abs(numbers)
    odd = np.isfinite(numbers) & (((size < 1e-4) & (size > 0)) | (size >= 1e15))
    odd |= np.signbit(numbers) & (numbers == 0)
    odd |= np.asarray(
        pc.fill_null(pc.match_substring(texts, "e"), False).to_numpy(zero_copy_only=False),
        dtype=bool,
    )
    if not bool(odd.any()):
        return texts
    fixed = texts.to_pylist()
    for i in np.flatnonzero(odd).tolist():
        fixed[i] = number_text(float(numbers[i]))
    return pa.array(fixed, type=pa.string())


def _concatenated(lines: pa.Array) -> bytes:
    """The bytes of all strings of an array, back to back."""
    lines = lines.combine_chunks() if isinstance(lines, pa.ChunkedArray) else lines
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
    start, end = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return bytes(memoryview(lines.buffers()[2])[start:end])


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
    display = _display_texts(column)
    if bool(np.all(has_number | is_null)):
        own = pa.array(column.texts, type=pa.string(), from_pandas=True)
        numbers = pc.cast(pa.array(column.numbers, mask=~has_number), pa.string())
        shortest = _canonical(numbers, column.numbers)
        plain = pc.fill_null(pc.equal(own, shortest), True)  # no own text, or the plain one
        if bool(pc.all(plain).as_py() is not False):
            values = pa.array(column.numbers, mask=is_null)
            finite = column.numbers[has_number]
            if bool(np.all(np.mod(finite, 1) == 0)) and bool(np.all(np.abs(finite) < 2**53)):
                return pc.cast(values, pa.int64())
            return values
    return pc.if_else(pa.array(is_null), pa.scalar(None, pa.string()), display)

"""JSON files: an array of objects (one row each), one object (one row), or newline-delimited
objects (NDJSON). Field names are the keys in first-seen order; a missing key is NULL; nested
values become JSON texts."""

from __future__ import annotations

from typing import Any

import orjson

from openqix.script.sources.errors import BadFileError
from openqix.script.sources.table import SourceTable, column_from_python


def read_json(data: bytes, name: str) -> SourceTable:
    records = _records(data.removeprefix(b"\xef\xbb\xbf"), name)
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(record))
    columns = []
    for key in names:
        cells = [_cell(record.get(key)) for record in records]
        columns.append(column_from_python(cells))
    return SourceTable(tuple(names), tuple(columns))


def _records(data: bytes, name: str) -> list[dict[str, Any]]:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as whole_error:
        try:
            document = [orjson.loads(line) for line in data.splitlines() if line.strip()]
        except orjson.JSONDecodeError:
            raise BadFileError.of(name, "JSON", str(whole_error)) from whole_error
    if isinstance(document, dict):
        document = [document]
    if not isinstance(document, list) or not all(isinstance(r, dict) for r in document):
        raise BadFileError.of(name, "JSON", "expected an array of objects")
    return document


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return value

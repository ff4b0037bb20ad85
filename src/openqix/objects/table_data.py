"""Doc-level data views: field descriptions, table rows and value samples.

`Doc.GetFieldDescription` (shapes §8.6), `Doc.GetTableData` (§8.7) and
`Doc.GetFieldAndColumnSamples` read the data model directly; values come back as
`FieldValue`s (`{"qText"}` plus `qIsNumeric`/`qNumber` for numbers).
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from openqix.engine.model import DataModel
from openqix.engine.symbols import SymbolTable

FieldValue = dict[str, Any]
MAX_TABLE_ROWS = 10_000


def field_value(symbols: SymbolTable, index: int) -> FieldValue:
    """The FieldValue of one symbol; NULL (index < 0) is an empty text."""
    if index < 0:
        return {"qText": ""}
    value: FieldValue = {"qText": symbols.text(index)}
    number = symbols.number(index)
    if not math.isnan(number):
        value["qIsNumeric"] = True
        value["qNumber"] = number
    return value


def field_description(
    model: DataModel, name: str, locked: bool = False, and_mode: bool = False
) -> dict[str, Any]:
    """FieldDescription of a field of `model` (KeyError when it does not exist)."""
    field = model.fields[name]
    description: dict[str, Any] = {
        "qInternalNumber": list(model.fields).index(name),
        "qName": name,
        "qSrcTables": list(field.tables),
    }
    if "$system" in field.tags:
        description["qIsSystem"] = True
    if "$hidden" in field.tags:
        description["qIsHidden"] = True
    description["qCardinal"] = field.cardinal
    description["qTotalCount"] = field.row_count
    if locked:
        description["qIsLocked"] = True
    if and_mode:
        description["qAndMode"] = True
    if field.cardinal and field.symbols.numeric_count == field.cardinal:
        description["qIsNumeric"] = True
    description["qTags"] = list(field.tags)
    description["qByteSize"] = _byte_size(model, name)
    return description


def _byte_size(model: DataModel, name: str) -> int:
    field = model.fields[name]
    size = int(field.symbols.nbytes)
    for table in field.tables:
        size += int(model.tables[table].columns[name].nbytes)
    return size


def table_rows(
    model: DataModel, table_name: str, offset: int, rows: int, synthetic_mode: bool = True
) -> list[dict[str, Any]]:
    """GetTableData: rows `offset .. offset+rows` of a table, at most MAX_TABLE_ROWS.

    Without `synthetic_mode` a table holding a synthetic key shows the fields it was loaded
    with (the key resolved through its `$Syn N Table`) instead of the `$Syn N` column.
    """
    table = model.tables[table_name]
    start = max(0, offset)
    stop = min(table.n_rows, start + max(0, min(rows, MAX_TABLE_ROWS)))
    columns = {f: table.columns[f][start:stop] for f in table.field_names}
    names = list(table.field_names)
    if not synthetic_mode and table.source_fields:
        names = list(table.source_fields)
        _resolve_synthetic_keys(model, columns, names)
    lists = [(model.fields[f].symbols, columns[f].tolist()) for f in names]
    return [
        {"qValue": [field_value(symbols, column[i]) for symbols, column in lists]}
        for i in range(stop - start)
    ]


def _resolve_synthetic_keys(
    model: DataModel, columns: dict[str, Any], wanted: Sequence[str]
) -> None:
    """Replace `$Syn N` columns by the fields of `$Syn N Table` (keys may nest)."""
    pending = [f for f in columns if f not in wanted]
    while pending:
        key = pending.pop()
        codes = columns.pop(key)
        key_table = model.tables.get(f"{key} Table")
        if key_table is None:
            continue
        for part in key_table.field_names:
            if part == key:
                continue
            values = key_table.columns[part][np.maximum(codes, 0)]
            columns[part] = np.where(codes >= 0, values, -1)
            if part not in wanted:
                pending.append(part)


def samples(
    model: DataModel,
    requests: Sequence[Mapping[str, Any]],
    max_values: int,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """GetFieldAndColumnSamples: up to `max_values` distinct values per requested field (or
    table column); `*` and `?` wildcards in names expand to every match, in model order."""
    rng = np.random.default_rng(abs(int(seed)))
    results: list[dict[str, Any]] = []
    for request in requests:
        field_pattern = str(request.get("qFieldName") or "")
        table_pattern = str(request.get("qTableName") or "")
        for table, field in _matching_columns(model, field_pattern, table_pattern):
            symbols = model.fields[field].symbols
            if table:
                column = model.tables[table].columns[field]
                present = np.flatnonzero(np.bincount(column[column >= 0], minlength=len(symbols)))
            else:
                present = np.arange(len(symbols))
            count = min(len(present), max(0, max_values))
            chosen = (
                np.sort(rng.choice(present, size=count, replace=False)) if count else present[:0]
            )
            results.append(
                {
                    "qFieldOrColumn": {"qFieldName": field, "qTableName": table},
                    "qValues": [field_value(symbols, int(i)) for i in chosen.tolist()],
                }
            )
    return results


def _matching_columns(
    model: DataModel, field_pattern: str, table_pattern: str
) -> list[tuple[str, str]]:
    if not table_pattern:
        return [("", f) for f in model.fields if fnmatch.fnmatchcase(f, field_pattern)]
    return [
        (t, f)
        for t, table in model.tables.items()
        if fnmatch.fnmatchcase(t, table_pattern)
        for f in table.field_names
        if fnmatch.fnmatchcase(f, field_pattern or "*")
    ]

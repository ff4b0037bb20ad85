"""`Doc.GetTablesAndKeys`: the tables of the data model with per-field statistics, and the keys
linking them (sem §4.8, shapes §8).

`synthetic_mode` true shows the internal view: `$Syn` fields and `$Syn N Table` tables as the
model holds them. False (the schema's default) shows the source view: the tables as loaded,
their shared fields as several links and no synthetic keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from openqix.engine.model import DataModel
from openqix.engine.stats import column_stats

Columns = Mapping[str, npt.NDArray[np.integer]]


def tables_and_keys(
    model: DataModel,
    synthetic_mode: bool,
    table_comments: Mapping[str, str] | None = None,
    field_comments: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    table_comments = table_comments or {}
    field_comments = field_comments or {}
    if synthetic_mode:
        views = [(t.name, t.field_names, t.columns) for t in model.tables.values()]
    else:
        views = [(name, tuple(fields), cols) for name, fields, cols in model.source_tables()]
    holders: dict[str, list[str]] = {}
    for name, fields, _ in views:
        for f in fields:
            holders.setdefault(f, []).append(name)
    tables: list[dict[str, Any]] = []
    for name, fields, columns in views:
        table = model.tables[name]
        record: dict[str, Any] = {"qName": name}
        if table.loose:
            record["qLoose"] = True
        record["qNoOfRows"] = table.n_rows
        record["qFields"] = [
            _field_record(model, f, columns[f], len(holders[f]) > 1, field_comments.get(f, ""))
            for f in fields
        ]
        record["qPos"] = {"qx": 0, "qy": 0}
        if comment := table_comments.get(name):
            record["qComment"] = comment
        if table.is_synthetic:
            record["qIsSynthetic"] = True
        tables.append(record)
    keys = [{"qKeyFields": [f], "qTables": names} for f, names in holders.items() if len(names) > 1]
    return {"qtr": tables, "qk": keys}


def _field_record(
    model: DataModel, name: str, column: npt.NDArray[np.integer], is_key: bool, comment: str
) -> dict[str, Any]:
    field = model.fields[name]
    stats = column_stats(name, column, field.cardinal)
    record: dict[str, Any] = {"qName": name, "qOriginalFields": [], "qPresent": True}
    if stats.has_null:
        record["qHasNull"] = True
    if stats.has_duplicates:
        record["qHasDuplicates"] = True
    if "$syn" in field.tags:
        record["qIsSynthetic"] = True
    record["qInformationDensity"] = stats.n_non_nulls / stats.n_rows if stats.n_rows else 0
    record["qnNonNulls"] = stats.n_non_nulls
    record["qnRows"] = stats.n_rows
    total = stats.n_total_distinct
    record["qSubsetRatio"] = stats.n_present_distinct / total if total else 0
    record["qnTotalDistinctValues"] = total
    record["qnPresentDistinctValues"] = stats.n_present_distinct
    record["qKeyType"] = stats.key_type(is_key)
    if comment:
        record["qComment"] = comment
    tags = list(field.tags)
    if is_key and "$key" not in tags:
        tags.insert(0, "$key")  # a part of a synthetic key links its source tables itself
    record["qTags"] = tags
    record["qDerivedFields"] = []
    return record

"""Small builders for object tests: models from Python lists, hand-made inference."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from openqix.engine.inference import Inference
from openqix.engine.model import Column, DataModel, LoadedTable
from openqix.engine.states import ValueState

Value = str | float | int | None


def table(name: str, **columns: Sequence[Value]) -> LoadedTable:
    return LoadedTable(name, tuple(columns), tuple(Column.from_values(v) for v in columns.values()))


def model(*tables: LoadedTable) -> DataModel:
    return DataModel.build(list(tables))


def all_possible(m: DataModel) -> Inference:
    """No selections: every row possible, every value OPTION."""
    return hand_inference(m)


def hand_inference(
    m: DataModel,
    rows: Mapping[str, Sequence[bool]] | None = None,
    states: Mapping[str, Mapping[str, ValueState]] | None = None,
) -> Inference:
    """Possible-row masks per table (default all) and states per field by value text."""
    possible = {t: np.ones(m.tables[t].n_rows, dtype=bool) for t in m.tables}
    for name, mask in (rows or {}).items():
        possible[name] = np.asarray(mask, dtype=bool)
    field_states = {
        f: np.full(m.fields[f].cardinal, ValueState.OPTION, dtype=np.int8) for f in m.fields
    }
    for name, by_text in (states or {}).items():
        texts = m.fields[name].symbols.texts
        for text, value_state in by_text.items():
            field_states[name][texts.index(text)] = value_state
    return Inference(possible, field_states)


def texts(page: Mapping[str, Any]) -> list[list[str]]:
    return [[cell["qText"] for cell in row] for row in page["qMatrix"]]


def column(page: Mapping[str, Any], index: int, key: str = "qText") -> list[Any]:
    return [row[index][key] for row in page["qMatrix"]]


def is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def cube_def(dims: Sequence[str], measures: Sequence[str], **extra: Any) -> dict[str, Any]:
    """A HyperCubeDef with an initial page covering everything small."""
    definition: dict[str, Any] = {
        "qDimensions": [{"qDef": {"qFieldDefs": [d]}} for d in dims],
        "qMeasures": [{"qDef": {"qDef": m}} for m in measures],
        "qInitialDataFetch": [{"qLeft": 0, "qTop": 0, "qWidth": 20, "qHeight": 400}],
    }
    definition.update(extra)
    return definition


def assert_plain(value: Any) -> None:
    """Layouts are plain JSON-like Python: no numpy scalars or arrays anywhere."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert type(key) is str, key
            assert_plain(item)
    elif isinstance(value, list):
        for item in value:
            assert_plain(item)
    else:
        assert type(value) in (str, int, float, bool), (type(value), value)

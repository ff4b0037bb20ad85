"""List objects (`qListObjectDef` -> `qListObject`): every non-NULL value of one field in
every state, sorted by the def's SortCriteria, paged one cell per row.

Frequencies count the value's possible records (resolved Q5); with `qShowAlternatives`
false, alternative values show as "X" in qMatrix but count as alternative in qStateCounts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from openqix.calc.errors import CalcError
from openqix.calc.format import frequency_text
from openqix.engine.inference import Inference
from openqix.engine.model import DataModel
from openqix.engine.selection import SelectionState
from openqix.engine.states import STATE_LETTERS, ValueState
from openqix.objects.dimension_info import (
    DimensionSpec,
    dimension_info,
    dynamic_keys,
    parse_dimension,
)
from openqix.objects.paging import Area, Cell, clip_pages, value_cell
from openqix.objects.sorting import (
    frequencies,
    lexsort,
    needs_frequency,
    state_key,
    symbol_keys,
)

_FREQUENCY_MODES = {
    "NX_FREQUENCY_NONE": "N",
    "NX_FREQUENCY_VALUE": "V",
    "NX_FREQUENCY_PERCENT": "P",
    "NX_FREQUENCY_RELATIVE": "R",
}
_HIDDEN_ALTERNATIVE = STATE_LETTERS[ValueState.EXCLUDED]


@dataclass(frozen=True)
class _ListValues:
    """The list's values in display order, with what their cells need."""

    spec: DimensionSpec
    order: npt.NDArray[np.int64]
    states: npt.NDArray[np.int8]
    frequency: npt.NDArray[np.int64] | None
    frequency_mode: str
    show_alternatives: bool


def list_object(
    model: DataModel, inference: Inference, state: SelectionState, definition: Mapping[str, Any]
) -> dict[str, Any]:
    """The `qListObject` layout of a ListObjectDef (shapes §4)."""
    values = _list_values(model, inference, definition)
    layout: dict[str, Any] = {}
    if definition.get("qStateName"):
        layout["qStateName"] = definition["qStateName"]
    layout["qSize"] = {"qcx": 1, "qcy": len(values.order)}
    if values.spec.error is not None:
        layout["qError"] = values.spec.error.validation_error()
    layout["qDimensionInfo"] = dimension_info(model, inference, state, values.spec)
    layout["qExpressions"] = []
    try:
        layout["qDataPages"] = _pages(model, values, definition.get("qInitialDataFetch") or [])
    except CalcError as error:
        layout.setdefault("qError", error.validation_error())
        layout["qDataPages"] = []
    layout.update(dynamic_keys(definition))
    return layout


def list_object_data(
    model: DataModel,
    inference: Inference,
    state: SelectionState,
    definition: Mapping[str, Any],
    pages: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """GetListObjectData: NxDataPage per requested page; raises PagesTooLarge (7009)."""
    return _pages(model, _list_values(model, inference, definition), pages)


def _list_values(
    model: DataModel, inference: Inference, definition: Mapping[str, Any]
) -> _ListValues:
    spec = parse_dimension(model, definition)
    mode = str(definition.get("qFrequencyMode") or "N")
    mode = _FREQUENCY_MODES.get(mode, mode)
    show_alternatives = bool(definition.get("qShowAlternatives"))
    if spec.field is None:
        empty = np.zeros(0, dtype=np.int64)
        return _ListValues(spec, empty, np.zeros(0, np.int8), None, mode, show_alternatives)
    field = model.fields[spec.field]
    states = np.asarray(inference.states[spec.field], dtype=np.int8)
    frequency = None
    if mode in ("V", "P", "R") or needs_frequency(spec.criteria):
        frequency = frequencies(model, inference, spec.field)
    keys = symbol_keys(field, states, spec.criteria, frequency)
    if _auto_sort_by_state(definition, field.cardinal):
        keys.insert(0, state_key(states))
    order = lexsort(keys)
    if spec.reverse:
        order = order[::-1].copy()
    return _ListValues(spec, order, states, frequency, mode, show_alternatives)


def _auto_sort_by_state(definition: Mapping[str, Any], n_values: int) -> bool:
    """qAutoSortByState: promote selected values when the list has more values than rows."""
    auto = definition.get("qAutoSortByState") or {}
    rows = auto.get("qDisplayNumberOfRows", 0) if isinstance(auto, Mapping) else 0
    return isinstance(rows, int) and 0 < rows < n_values


def _pages(
    model: DataModel, values: _ListValues, pages: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    areas = clip_pages(pages, 1, len(values.order))
    return [
        {"qMatrix": _matrix(model, values, area), "qTails": [], "qArea": area.rect()}
        for area in areas
    ]


def _matrix(model: DataModel, values: _ListValues, area: Area) -> list[list[Cell]]:
    if values.spec.field is None or area.width == 0:
        return []
    symbols = model.fields[values.spec.field].symbols
    total = int(values.frequency.sum()) if values.frequency is not None else 0
    rows: list[list[Cell]] = []
    for symbol in values.order[area.top : area.top + area.height].tolist():
        letter = STATE_LETTERS[int(values.states[symbol])]
        if letter == "A" and not values.show_alternatives:
            letter = _HIDDEN_ALTERNATIVE
        cell = value_cell(symbols.texts[symbol], float(symbols.numbers[symbol]), symbol, letter)
        if values.frequency is not None:
            text = frequency_text(int(values.frequency[symbol]), total, values.frequency_mode)
            if text is not None:
                cell["qFrequency"] = text
        rows.append([cell])
    return rows

"""List objects (`qListObjectDef` -> `qListObject`): every non-NULL value of one field in
every state, sorted by the def's SortCriteria, paged one cell per row.

Frequencies count the value's possible records (resolved Q5); with `qShowAlternatives`
false, alternative values show as "X" in qMatrix but count as alternative in qStateCounts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
from openqix.objects.search import highlight, list_search_mask, split_terms
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
    search_terms: tuple[str, ...] = ()


def list_object(
    model: DataModel,
    inference: Inference,
    state: SelectionState,
    definition: Mapping[str, Any],
    search: str | None = None,
    sort_states: npt.NDArray[np.int8] | None = None,
) -> dict[str, Any]:
    """The `qListObject` layout of a ListObjectDef (shapes §4).

    While a search (SearchListObjectFor) is active, only the matching values are listed
    (qSize.qcy is their number) and their cells carry qHighlightRanges. `sort_states` (the
    states when selection mode began) replace the current ones for sorting by state, so the
    object keeps its order while the user selects in it.
    """
    values = _list_values(model, inference, definition, search, sort_states)
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
    search: str | None = None,
    sort_states: npt.NDArray[np.int8] | None = None,
) -> list[dict[str, Any]]:
    """GetListObjectData: NxDataPage per requested page; raises PagesTooLarge (7009)."""
    values = _list_values(model, inference, definition, search, sort_states)
    return _pages(model, values, pages)


def list_states(
    model: DataModel, inference: Inference, definition: Mapping[str, Any]
) -> npt.NDArray[np.int8] | None:
    """The value states of the list object's field (None without a field)."""
    spec = parse_dimension(model, definition)
    return None if spec.field is None else inference.states[spec.field]


def list_search_symbols(
    model: DataModel, definition: Mapping[str, Any], text: str
) -> npt.NDArray[np.int64]:
    """Element numbers matched by a list-object search (AcceptListObjectSearch)."""
    spec = parse_dimension(model, definition)
    if spec.field is None:
        return np.zeros(0, dtype=np.int64)
    mask = list_search_mask(model.fields[spec.field].symbols, text)
    return np.flatnonzero(mask).astype(np.int64)


def _list_values(
    model: DataModel,
    inference: Inference,
    definition: Mapping[str, Any],
    search: str | None = None,
    sort_states: npt.NDArray[np.int8] | None = None,
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
    expression = expression_sort_values(model, inference, spec.field, spec.criteria)
    ordering = states if sort_states is None or len(sort_states) != len(states) else sort_states
    keys = symbol_keys(field, ordering, spec.criteria, frequency, expression)
    if _auto_sort_by_state(definition, field.cardinal):
        keys.insert(0, state_key(ordering))
    order = lexsort(keys)
    if spec.reverse:
        order = order[::-1].copy()
    terms: tuple[str, ...] = ()
    if search is not None:
        order = order[list_search_mask(field.symbols, search)[order]]
        terms = tuple(split_terms(search))
    return _ListValues(spec, order, states, frequency, mode, show_alternatives, terms)


ExpressionSort = Callable[[DataModel, Inference, str, str], "npt.NDArray[np.float64] | None"]
# Set by the chart-expression evaluator (calc/) once it exists: the value of a sort expression
# per symbol of a field, in the given inference. Until then qSortByExpression is ignored.
EXPRESSION_SORT: list[ExpressionSort] = []


def expression_sort_values(
    model: DataModel, inference: Inference, field: str, criteria: Mapping[str, Any]
) -> npt.NDArray[np.float64] | None:
    """Per-symbol values of `qSortCriterias[].qExpression` when qSortByExpression is set."""
    expression = criteria.get("qExpression")
    text = expression.get("qv") if isinstance(expression, Mapping) else None
    if not criteria.get("qSortByExpression") or not text or not EXPRESSION_SORT:
        return None
    return EXPRESSION_SORT[0](model, inference, field, str(text))


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
        text = symbols.text(symbol)
        cell = value_cell(text, symbols.number(symbol), symbol, letter)
        if values.frequency is not None:
            frequency = frequency_text(int(values.frequency[symbol]), total, values.frequency_mode)
            if frequency is not None:
                cell["qFrequency"] = frequency
        if values.search_terms:
            ranges = highlight(text, values.search_terms)
            cell["qHighlightRanges"] = {
                "qRanges": [
                    {"qCharPos": r["qCharPos"], "qCharCount": r["qCharCount"]} for r in ranges
                ]
            }
        rows.append([cell])
    return rows

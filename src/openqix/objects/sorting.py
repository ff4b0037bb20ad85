"""Sort orders of field values (SortCriteria) and of hypercube rows.

Keys of one SortCriteria apply in the priority state, frequency, numeric, text, load order;
load order always breaks the remaining ties. Values without a number sort after numbers in
a numeric sort, NULL cube rows after everything, in either direction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from openqix.engine.inference import Inference
from openqix.engine.model import DataModel, Field
from openqix.engine.states import ValueState

IntArray = npt.NDArray[np.int64]
Key = npt.NDArray[Any]

# Selected/locked first, then possible, then alternative, then excluded (sem §2.3).
_STATE_RANK = np.zeros(len(ValueState), dtype=np.int64)
for _state, _rank in (
    (ValueState.LOCKED, 0),
    (ValueState.SELECTED, 0),
    (ValueState.OPTION, 1),
    (ValueState.ALTERNATIVE, 2),
    (ValueState.DESELECTED, 2),
    (ValueState.EXCLUDED, 3),
    (ValueState.EXCL_SELECTED, 3),
    (ValueState.EXCL_LOCKED, 3),
):
    _STATE_RANK[_state] = _rank

_INDICATOR_KEYS = (
    "qSortByExpression",
    "qSortByFrequency",
    "qSortByNumeric",
    "qSortByAscii",
    "qSortByLoadOrder",
)


def flag(criteria: Mapping[str, Any], key: str) -> int:
    """A SortCriteria key as -1/0/1 (absent or null = 0)."""
    value = criteria.get(key) or 0
    return int(np.sign(int(value))) if isinstance(value, (int, float)) else 0


def sort_indicator(criteria: Mapping[str, Any]) -> str:
    """NxSortIndicatorType: the direction of the first active non-state key, else N."""
    for key in _INDICATOR_KEYS:
        direction = flag(criteria, key)
        if direction:
            return "A" if direction > 0 else "D"
    return "N"


def needs_frequency(criteria: Mapping[str, Any]) -> bool:
    return flag(criteria, "qSortByFrequency") != 0


def frequencies(model: DataModel, inference: Inference, name: str) -> IntArray:
    """Possible records per symbol, counted in the largest table holding the field."""
    field = model.fields[name]
    table = max(field.tables, key=lambda t: model.tables[t].n_rows)
    column = model.tables[table].columns[name]
    values = column[inference.possible_rows[table] & (column >= 0)]
    return np.bincount(values, minlength=field.cardinal).astype(np.int64)


def state_key(states: npt.NDArray[np.int8]) -> IntArray:
    """Rank per symbol for "selected first" ordering."""
    return _STATE_RANK[states.astype(np.int64)]


def symbol_keys(
    field: Field,
    states: npt.NDArray[np.int8],
    criteria: Mapping[str, Any],
    frequency: IntArray | None = None,
    expression_values: npt.NDArray[np.float64] | None = None,
) -> list[Key]:
    """Sort keys over the field's symbols, most significant first (for np.lexsort reversed).

    `expression_values` is the value of `qExpression` per symbol for qSortByExpression (NaN
    sorts last); without it (no evaluator yet) the expression key is skipped.
    """
    keys: list[Key] = []
    if direction := flag(criteria, "qSortByState"):
        keys.append(state_key(states) * direction)
    if (direction := flag(criteria, "qSortByExpression")) and expression_values is not None:
        keys.append(np.isnan(expression_values))
        keys.append(np.nan_to_num(expression_values) * direction)
    if (direction := flag(criteria, "qSortByFrequency")) and frequency is not None:
        keys.append(-frequency * direction)
    if direction := flag(criteria, "qSortByNumeric"):
        numbers = field.symbols.numbers
        keys.append(np.isnan(numbers))
        keys.append(np.nan_to_num(numbers) * direction)
    if direction := flag(criteria, "qSortByAscii"):
        keys.append(text_rank(field) * direction)
    if direction := flag(criteria, "qSortByLoadOrder"):
        keys.append(np.arange(field.cardinal, dtype=np.int64) * direction)
    keys.append(np.arange(field.cardinal, dtype=np.int64))
    return keys


def text_rank(field: Field) -> IntArray:
    """Rank of each symbol's text in case-insensitive order (ties by load order)."""
    return field.symbols.casefold_rank()  # cached with the symbol table


def rank_of(order: npt.NDArray[np.integer]) -> IntArray:
    """Inverse permutation: position of each element in `order`."""
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return rank


def lexsort(keys: list[Key]) -> IntArray:
    """Indices sorting by `keys`, the first key most significant."""
    return np.lexsort(keys[::-1]).astype(np.int64)


def symbol_ranks(
    field: Field,
    states: npt.NDArray[np.int8],
    criteria: Mapping[str, Any],
    frequency: IntArray | None = None,
    reverse: bool = False,
) -> IntArray:
    """Rank per symbol under one SortCriteria; `reverse` (qReverseSort) flips the order."""
    rank = rank_of(lexsort(symbol_keys(field, states, criteria, frequency)))
    return (field.cardinal - 1 - rank) if reverse else rank


def row_rank_of_symbols(ranks: IntArray, symbols: npt.NDArray[np.integer]) -> IntArray:
    """Per cube row the rank of its symbol; NULL rows after every value."""
    if len(ranks) == 0:
        return np.zeros(len(symbols), dtype=np.int64)
    return np.where(symbols >= 0, ranks[np.maximum(symbols, 0)], len(ranks))


def measure_keys(values: npt.NDArray[np.float64], sort_by: Mapping[str, Any]) -> list[Key]:
    """Row keys for one measure: numeric by qSortByNumeric, NULL last; none when unsorted."""
    direction = flag(sort_by, "qSortByNumeric")
    if not direction:
        return []
    return [np.isnan(values), np.nan_to_num(values) * direction]

"""Logical inference: from a selection state, the possible rows of every table and the state
(S/O/A/X/XS/L/XL) of every field value.

Propagation runs over the bipartite graph of tables and key fields with directional semi-joins
(spec qix-semantics.md §1.3); results are cached per (model version, selection version).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from openqix.engine.model import DataModel
from openqix.engine.states import STATE_COUNT_KEYS, ValueState

if TYPE_CHECKING:  # selection.py imports this module for its conflict rule
    from openqix.engine.selection import FieldSelection, SelectionState

StateArray = npt.NDArray[np.int8]
BoolMask = npt.NDArray[np.bool_]
_RowView = BoolMask | npt.NDArray[np.intp] | None

_CACHE_SIZE = 64
_LINK_CACHE_SIZE = 8
_SPARSE_RATIO = 4  # below 1/4 of the rows possible, gather by row number (measured)
_POSSIBLE_STATES = (ValueState.SELECTED, ValueState.LOCKED, ValueState.OPTION)

K = TypeVar("K")
V = TypeVar("V")
_Scalar = TypeVar("_Scalar", bound=np.generic)


@dataclass(frozen=True)
class Inference:
    """Result of inference for one (model, selection state) pair.

    possible_rows[table]: bool mask over the table's rows that survive all selections.
    states[field]: ValueState code per symbol of the field.
    """

    possible_rows: Mapping[str, npt.NDArray[np.bool_]]
    states: Mapping[str, StateArray]

    def possible(self, field: str) -> BoolMask:
        """Mask of the field's possible symbols (states S, L and O)."""
        return np.isin(self.states[field], _POSSIBLE_STATES)


@dataclass(frozen=True)
class _Link:
    """`table` may be filtered by the rows of `source` through key `field`; `beyond` holds the
    fields on source's side of the graph that `table` does not hold itself."""

    table: str
    field: str
    source: str
    beyond: frozenset[str]


class _LRU(Generic[K, V]):
    """A small thread-safe LRU: sessions may infer from several threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_inference_cache: _LRU[tuple[int, int], Inference] = _LRU(_CACHE_SIZE)
_link_cache: _LRU[int, tuple[_Link, ...]] = _LRU(_LINK_CACHE_SIZE)


def infer(model: DataModel, state: SelectionState) -> Inference:
    """Possible rows and value states for `state` over `model` (cached)."""
    key = (model.version, state.version)
    cached = _inference_cache.get(key)
    if cached is not None:
        return cached
    result = _compute(model, state)
    _inference_cache.put(key, result)
    return result


def clear_cache() -> None:
    """Forget cached inferences (tests; memory pressure)."""
    _inference_cache.clear()
    _link_cache.clear()


def state_counts(states: StateArray) -> dict[str, int]:
    """NxStateCounts of one field: all eight keys, zeros included."""
    counts = np.bincount(states.astype(np.intp), minlength=len(STATE_COUNT_KEYS))
    return {key: int(n) for key, n in zip(STATE_COUNT_KEYS, counts.tolist(), strict=False)}


def selection_masks(model: DataModel, fields: Mapping[str, FieldSelection]) -> dict[str, BoolMask]:
    """The non-empty selections in `fields` on fields of `model`, fitted to their cardinal.

    Fields unknown to the model are ignored; a mask from an older model is cut or padded.
    """
    masks: dict[str, BoolMask] = {}
    for name, sel in fields.items():
        field = model.fields.get(name)
        if field is None or not sel.count:
            continue
        mask = fit_mask(sel.selected, field.cardinal)
        if mask.any():
            masks[name] = mask
    return masks


def possible_rows(model: DataModel, selections: Mapping[str, BoolMask]) -> dict[str, BoolMask]:
    """Per table, the rows compatible with `selections` (field -> mask over its symbols)."""
    rows = {name: _initial_rows(model, name, selections) for name in model.tables}
    if not selections:
        return rows
    selected = frozenset(selections)
    by_source: dict[str, list[_Link]] = {}
    for link in _links(model):
        if link.beyond & selected:
            by_source.setdefault(link.source, []).append(link)
    counts = {name: int(np.count_nonzero(mask)) for name, mask in rows.items()}
    # Worklist fixpoint: masks only shrink, so it terminates on any graph, loops included.
    pending = deque(by_source)
    queued = set(pending)
    while pending:
        source = pending.popleft()
        queued.discard(source)
        for link in by_source[source]:
            changed = _semi_join(model, rows, counts, link)
            if changed and link.table in by_source and link.table not in queued:
                pending.append(link.table)
                queued.add(link.table)
    return rows


def possible_symbols(model: DataModel, rows: Mapping[str, BoolMask], field: str) -> BoolMask:
    """Symbols of `field` occurring in a possible row of any table holding it."""
    return _symbols(model, _row_views(rows, model.fields[field].tables), field)


def _row_views(rows: Mapping[str, BoolMask], tables: Iterable[str]) -> dict[str, _RowView]:
    """Per table how to pick its possible rows: None for all, else a mask or row numbers.

    Row numbers are computed once and reused by every field of the table: gathering a few
    rows by number beats scanning a long mask again for each field.
    """
    views: dict[str, _RowView] = {}
    for table in tables:
        mask = rows[table]
        count = int(np.count_nonzero(mask))
        if count == len(mask):
            views[table] = None
        else:
            views[table] = mask if count * _SPARSE_RATIO > len(mask) else np.flatnonzero(mask)
    return views


def _symbols(model: DataModel, views: Mapping[str, _RowView], field: str) -> BoolMask:
    info = model.fields[field]
    if all(views[t] is None for t in info.tables):
        # Every symbol occurs in at least one table holding the field.
        return np.ones(info.cardinal, dtype=np.bool_)
    present = np.zeros(info.cardinal + 1, dtype=np.bool_)
    for table in info.tables:
        column = model.tables[table].columns[field]
        view = views[table]
        present[column if view is None else column[view]] = True
    return present[:-1]  # the extra slot absorbed NULL (-1) indices


def _compute(model: DataModel, state: SelectionState) -> Inference:
    selections = selection_masks(model, state.fields)
    rows = possible_rows(model, selections)
    views = _row_views(rows, model.tables)
    states: dict[str, StateArray] = {}
    for name in model.fields:
        possible = _symbols(model, views, name)
        selected = selections.get(name)
        if selected is None:
            states[name] = _freeze(_unselected_states(possible))
            continue
        others = {k: v for k, v in selections.items() if k != name}
        alternative = possible_symbols(model, possible_rows(model, others), name)
        states[name] = _freeze(
            _selected_states(possible, selected, alternative, state.is_locked(name))
        )
    return Inference({k: _freeze(v) for k, v in rows.items()}, states)


def _unselected_states(possible: BoolMask) -> StateArray:
    states = np.full(len(possible), ValueState.EXCLUDED, dtype=np.int8)
    states[possible] = ValueState.OPTION
    return states


def _selected_states(
    possible: BoolMask, selected: BoolMask, alternative: BoolMask, locked: bool
) -> StateArray:
    # A selected field's possible values are a subset of its selection: nothing here is O.
    states = np.full(len(possible), ValueState.EXCLUDED, dtype=np.int8)
    states[alternative & ~selected] = ValueState.ALTERNATIVE
    states[selected] = ValueState.EXCL_LOCKED if locked else ValueState.EXCL_SELECTED
    states[selected & possible] = ValueState.LOCKED if locked else ValueState.SELECTED
    return states


def _initial_rows(model: DataModel, table: str, selections: Mapping[str, BoolMask]) -> BoolMask:
    """Rows satisfying every selection on the table's own fields (NULL never matches)."""
    info = model.tables[table]
    rows = np.ones(info.n_rows, dtype=np.bool_)
    for name in info.field_names:
        mask = selections.get(name)
        if mask is not None:
            rows &= np.append(mask, False)[info.columns[name]]
    return rows


def _semi_join(
    model: DataModel, rows: dict[str, BoolMask], counts: dict[str, int], link: _Link
) -> bool:
    """Keep the rows of link.table whose key occurs in a possible row of link.source."""
    target = rows[link.table]
    if not counts[link.table]:
        return False
    source_column = model.tables[link.source].columns[link.field]
    source_rows = rows[link.source]
    present = np.zeros(model.fields[link.field].cardinal + 1, dtype=np.bool_)
    if counts[link.source] == len(source_rows):
        present[source_column] = True
    else:
        present[source_column[source_rows]] = True
    present[-1] = False  # NULL keys never join
    reduced = target & present[model.tables[link.table].columns[link.field]]
    count = int(np.count_nonzero(reduced))
    if count == counts[link.table]:
        return False
    rows[link.table] = reduced
    counts[link.table] = count
    return True


def _links(model: DataModel) -> tuple[_Link, ...]:
    cached = _link_cache.get(model.version)
    if cached is None:
        cached = tuple(_build_links(model))
        _link_cache.put(model.version, cached)
    return cached


def _build_links(model: DataModel) -> Iterable[_Link]:
    for field in model.fields.values():
        for table in field.tables:
            own = set(model.tables[table].field_names)
            for source in field.tables:
                if source == table:
                    continue
                side = _reachable(model, source, avoid_table=table, avoid_field=field.name)
                beyond = {f for t in side for f in model.tables[t].field_names} - own
                yield _Link(table, field.name, source, frozenset(beyond))


def _reachable(model: DataModel, start: str, avoid_table: str, avoid_field: str) -> set[str]:
    """Tables reachable from `start` over key fields without crossing the avoided nodes."""
    seen = {start}
    todo = [start]
    crossed = {avoid_field}
    while todo:
        table = todo.pop()
        for name in model.tables[table].field_names:
            if name in crossed:
                continue
            crossed.add(name)
            for other in model.fields[name].tables:
                if other != avoid_table and other not in seen:
                    seen.add(other)
                    todo.append(other)
    return seen


def fit_mask(mask: BoolMask, size: int) -> BoolMask:
    """`mask` cut or padded with False to `size` (a selection made on an older model)."""
    if len(mask) == size:
        return mask
    fitted = np.zeros(size, dtype=np.bool_)
    n = min(size, len(mask))
    fitted[:n] = mask[:n]
    return fitted


def _freeze(array: npt.NDArray[_Scalar]) -> npt.NDArray[_Scalar]:
    array.setflags(write=False)
    return array

"""Logical inference: from a selection state, the possible rows of every table and the state
(S/O/A/X/XS/L/XL) of every field value.

Propagation runs over the bipartite graph of tables and key fields with directional semi-joins
(spec qix-semantics.md §1.3); results are cached per (model version, selection content) and
shared by all sessions.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Hashable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from openqix.engine.model import DataModel
from openqix.engine.states import STATE_COUNT_KEYS, ValueState
from openqix.engine.symbols import IndexArray

if TYPE_CHECKING:  # selection.py imports this module for its conflict rule
    from openqix.engine.selection import FieldSelection, SelectionState

StateArray = npt.NDArray[np.int8]
BoolMask = npt.NDArray[np.bool_]
_RowView = BoolMask | npt.NDArray[np.intp] | None

_CACHE_SIZE = 64
_CACHE_BYTES = 512 << 20  # row masks and row numbers of the cached inferences
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
    states[field]: ValueState code per symbol of the field, computed on first access (a
    layout reads the few fields it shows, never the 10M-symbol ID field it does not).
    """

    possible_rows: Mapping[str, npt.NDArray[np.bool_]]
    states: Mapping[str, StateArray]

    @property
    def nbytes(self) -> int:
        """Bytes of the row masks (and sparse row numbers) held by this result."""
        rows = self.possible_rows
        if isinstance(rows, _RowMasks):
            return rows.nbytes
        return sum(int(m.nbytes) for m in rows.values())

    def possible(self, field: str) -> BoolMask:
        """Mask of the field's possible symbols (states S, L and O)."""
        states = self.states
        if isinstance(states, _LazyStates):
            return states.possible(field)
        return np.isin(states[field], _POSSIBLE_STATES)


class _LazyStates(Mapping[str, StateArray]):
    """Per-field value states, computed once on first access (thread-safe)."""

    def __init__(
        self,
        model: DataModel,
        selections: Mapping[str, BoolMask],
        filters: Mapping[str, BoolMask],
        rows: _Rows,
        state: SelectionState,
    ):
        self._model = model
        self._selections = selections
        self._filters = filters
        self._rows = rows
        self._state = state
        self._views: dict[str, _RowView] | None = None
        self._done: dict[str, StateArray] = {}
        self._possible: dict[str, BoolMask] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._model.fields)

    def __iter__(self) -> Iterator[str]:
        return iter(self._model.fields)

    def __contains__(self, key: object) -> bool:
        return key in self._model.fields

    def _possible_symbols(self, name: str) -> BoolMask:
        found = self._possible.get(name)
        if found is None:
            if self._views is None:
                self._views = self._rows.views(self._model.tables)
            found = _freeze(_symbols(self._model, self._views, name))
            self._possible[name] = found
        return found

    def possible(self, name: str) -> BoolMask:
        if name not in self._model.fields:
            raise KeyError(name)
        if name not in self._selections:
            with self._lock:
                return self._possible_symbols(name)
        return np.isin(self[name], _POSSIBLE_STATES)

    def __getitem__(self, name: str) -> StateArray:
        if name not in self._model.fields:
            raise KeyError(name)
        with self._lock:
            done = self._done.get(name)
            if done is not None:
                return done
            possible = self._possible_symbols(name)
            selected = self._selections.get(name)
            if selected is None:
                states = _unselected_states(possible)
            else:
                others = {k: v for k, v in self._selections.items() if k != name}
                filters = {k: v for k, v in self._filters.items() if k != name}
                if others:
                    other = _propagate(self._model, others, filters)
                    views = other.views(self._model.fields[name].tables)
                    alternative = _symbols(self._model, views, name)
                else:  # every value occurs in some row of a table holding it
                    alternative = np.ones(len(possible), dtype=np.bool_)
                sel = self._state.fields[name]
                states = _selected_states(possible, selected, alternative, sel.locked)
                if sel.excluded is not None:
                    states[fit_mask(sel.excluded, len(states))] = ValueState.DESELECTED
            done = _freeze(states)
            self._done[name] = done
            return done


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

    def __init__(self, size: int, max_bytes: int = 0) -> None:
        self._size = size
        self._max_bytes = max_bytes  # 0: no byte bound
        self._items: OrderedDict[K, V] = OrderedDict()
        self._weights: dict[K, int] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V, weight: int = 0) -> None:
        """Store `value` (`weight`: its bytes); the oldest entries go beyond either bound,
        but the newest entry always stays."""
        with self._lock:
            self._bytes -= self._weights.pop(key, 0)
            self._items[key] = value
            self._items.move_to_end(key)
            self._weights[key] = weight
            self._bytes += weight
            while len(self._items) > 1 and (
                len(self._items) > self._size or (self._max_bytes and self._bytes > self._max_bytes)
            ):
                old, _ = self._items.popitem(last=False)
                self._bytes -= self._weights.pop(old, 0)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._weights.clear()
            self._bytes = 0


_inference_cache: _LRU[tuple[int, Hashable], Inference] = _LRU(_CACHE_SIZE, _CACHE_BYTES)
_link_cache: _LRU[int, tuple[_Link, ...]] = _LRU(_LINK_CACHE_SIZE)
_present_cache: _LRU[tuple[int, str, str], BoolMask] = _LRU(256)


def infer(model: DataModel, state: SelectionState) -> Inference:
    """Possible rows and value states for `state` over `model` (cached)."""
    key = (model.version, state.content_key)
    cached = _inference_cache.get(key)
    if cached is not None:
        return cached
    result = _compute(model, state)
    _inference_cache.put(key, result, result.nbytes)
    return result


def clear_cache() -> None:
    """Forget cached inferences (tests; memory pressure)."""
    _inference_cache.clear()
    _link_cache.clear()
    _present_cache.clear()


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


def possible_rows(
    model: DataModel,
    selections: Mapping[str, BoolMask],
    filters: Mapping[str, BoolMask] | None = None,
) -> dict[str, BoolMask]:
    """Per table, the rows compatible with `selections` (field -> mask over its symbols).

    `filters` (field -> mask over the rows of the field's only table) replace the symbol mask
    of AND-mode fields (see `and_mode_filters`); such a field must be in `selections` too.
    """
    return dict(_propagate(model, selections, filters).masks())


class _Rows:
    """Row masks per table being reduced (None: every row), with counts and row numbers of
    sparse masks."""

    def __init__(self, masks: dict[str, BoolMask | None], sizes: dict[str, int]):
        self._masks = masks
        self.sizes = sizes
        self.counts = {
            name: sizes[name] if mask is None else int(np.count_nonzero(mask))
            for name, mask in masks.items()
        }
        self._indices: dict[str, npt.NDArray[np.intp]] = {}

    def mask(self, table: str) -> BoolMask | None:
        return self._masks[table]

    def set(
        self, table: str, mask: BoolMask, count: int, indices: npt.NDArray[np.intp] | None
    ) -> None:
        self._masks[table] = mask
        self.counts[table] = count
        self._indices.pop(table, None)
        if indices is not None:
            self._indices[table] = indices

    def is_all(self, table: str) -> bool:
        return self.counts[table] == self.sizes[table]

    def is_sparse(self, table: str) -> bool:
        return self.counts[table] * _SPARSE_RATIO < self.sizes[table]

    def indices(self, table: str) -> npt.NDArray[np.intp]:
        found = self._indices.get(table)
        if found is None:
            mask = self._masks[table]
            found = np.arange(self.sizes[table]) if mask is None else np.flatnonzero(mask)
            self._indices[table] = found
        return found

    def views(self, tables: Iterable[str]) -> dict[str, _RowView]:
        """Per table: None for all rows, row numbers when sparse, else the mask."""
        out: dict[str, _RowView] = {}
        for t in tables:
            if self.is_all(t):
                out[t] = None
            elif self.is_sparse(t):
                out[t] = self.indices(t)
            else:
                out[t] = self._masks[t]
        return out

    def indices_nbytes(self) -> int:
        return sum(int(i.nbytes) for i in self._indices.values())

    def masks(self) -> _RowMasks:
        return _RowMasks(self._masks, self.sizes)


class _RowMasks(Mapping[str, BoolMask]):
    """Read-only row masks; a table with every row possible gets its mask on first use."""

    def __init__(self, masks: Mapping[str, BoolMask | None], sizes: Mapping[str, int]):
        self._masks = dict(masks)
        self._sizes = sizes
        for mask in self._masks.values():
            if mask is not None:
                _freeze(mask)

    @property
    def nbytes(self) -> int:
        return sum(int(m.nbytes) for m in self._masks.values() if m is not None) + self.extra

    extra = 0  # bytes of row numbers kept alongside (set by _compute)

    def __getitem__(self, table: str) -> BoolMask:
        mask = self._masks[table]
        if mask is None:
            mask = _freeze(np.ones(self._sizes[table], dtype=np.bool_))
            self._masks[table] = mask
        return mask

    def __iter__(self) -> Iterator[str]:
        return iter(self._masks)

    def __len__(self) -> int:
        return len(self._masks)


def _propagate(
    model: DataModel,
    selections: Mapping[str, BoolMask],
    filters: Mapping[str, BoolMask] | None = None,
) -> _Rows:
    filters = filters or {}
    state = _Rows(
        {name: _initial_rows(model, name, selections, filters) for name in model.tables},
        {name: t.n_rows for name, t in model.tables.items()},
    )
    if not selections:
        return state
    selected = frozenset(selections)
    by_source: dict[str, list[_Link]] = {}
    for link in _links(model):
        if link.beyond & selected:
            by_source.setdefault(link.source, []).append(link)
    # Worklist fixpoint: masks only shrink, so it terminates on any graph, loops included.
    # Restricted tables go first, so that a table is mostly used after it was reduced; the
    # sources never used then still run (they drop orphans: values without partner rows).
    pending = deque(t for t in by_source if not state.is_all(t))
    queued = set(pending)
    processed: set[str] = set()
    while pending or len(processed) < len(by_source):
        if not pending:
            rest = next(t for t in by_source if t not in processed)
            pending.append(rest)
            queued.add(rest)
        source = pending.popleft()
        queued.discard(source)
        processed.add(source)
        for link in by_source[source]:
            changed = _semi_join(model, state, link)
            if changed and link.table in by_source and link.table not in queued:
                pending.append(link.table)
                queued.add(link.table)
    return state


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
    filters = and_mode_filters(model, state.fields)
    for name in filters:
        selections.setdefault(name, np.zeros(model.fields[name].cardinal, dtype=np.bool_))
    rows = _propagate(model, selections, filters)
    masks = rows.masks()
    masks.extra = rows.indices_nbytes()
    return Inference(masks, _LazyStates(model, selections, filters, rows, state))


def and_mode_filters(model: DataModel, fields: Mapping[str, FieldSelection]) -> dict[str, BoolMask]:
    """Row filters of the AND-mode selections in `fields` (spec resolved Q2).

    Field f in AND mode lives in one table T(g, f). With AND values V and NOT values N, a row
    of T survives when its g value is associated with every value of V and with none of N,
    and (if V is not empty) its f value is in V.
    """
    filters: dict[str, BoolMask] = {}
    for name, sel in fields.items():
        info = model.fields.get(name)
        if info is None or not sel.and_mode or not and_mode_allowed(model, name):
            continue
        chosen = fit_mask(sel.selected, info.cardinal)
        excluded = (
            fit_mask(sel.excluded, info.cardinal)
            if sel.excluded is not None
            else np.zeros(info.cardinal, dtype=np.bool_)
        )
        if not chosen.any() and not excluded.any():
            continue
        table = model.tables[info.tables[0]]
        other = next(f for f in table.field_names if f != name)
        own = table.columns[name]
        partner = table.columns[other]
        n_partner = model.fields[other].cardinal
        valid = (own >= 0) & (partner >= 0)
        ok = np.ones(n_partner + 1, dtype=np.bool_)
        ok[-1] = False
        n_and = int(np.count_nonzero(chosen))
        if n_and:
            hit = valid & np.append(chosen, False)[own]
            pairs = np.unique(partner[hit].astype(np.int64) * info.cardinal + own[hit])
            per_partner = np.bincount(pairs // max(info.cardinal, 1), minlength=n_partner)
            ok[:-1] &= per_partner == n_and
        if excluded.any():
            hit = valid & np.append(excluded, False)[own]
            ok[:-1] &= np.bincount(partner[hit], minlength=n_partner) == 0
        rows = ok[partner]
        if n_and:
            rows &= np.append(chosen, False)[own]
        filters[name] = rows
    return filters


def and_mode_allowed(model: DataModel, field: str) -> bool:
    """AND mode needs the field in one table only, that table having exactly two fields with
    this one second, and no duplicate records (spec resolved Q2)."""
    info = model.fields.get(field)
    if info is None or len(info.tables) != 1:
        return False
    table = model.tables[info.tables[0]]
    if len(table.field_names) != 2 or table.field_names[1] != field:
        return False
    first = table.columns[table.field_names[0]].astype(np.int64)
    second = table.columns[field].astype(np.int64)
    codes = (first + 1) * (info.cardinal + 1) + (second + 1)
    return len(np.unique(codes)) == table.n_rows


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


def _initial_rows(
    model: DataModel,
    table: str,
    selections: Mapping[str, BoolMask],
    filters: Mapping[str, BoolMask] | None = None,
) -> BoolMask | None:
    """Rows satisfying every selection on the table's own fields (NULL never matches); None
    when the table has no selected field (every row)."""
    info = model.tables[table]
    rows: BoolMask | None = None
    for name in info.field_names:
        row_filter = filters.get(name) if filters else None
        if row_filter is not None:
            rows = row_filter.copy() if rows is None else rows & row_filter
            continue
        mask = selections.get(name)
        if mask is not None:
            kept = _gather(np.append(mask, False), info.columns[name], info.has_null(name))
            rows = kept if rows is None else rows & kept
    return rows


def _semi_join(model: DataModel, state: _Rows, link: _Link) -> bool:
    """Keep the rows of link.table whose key occurs in a possible row of link.source."""
    n_target = state.counts[link.table]
    if not n_target:
        return False
    present = _present_symbols(model, state, link.source, link.field)
    column = model.tables[link.table].columns[link.field]
    size = state.sizes[link.table]
    if state.is_sparse(link.table):
        candidates = state.indices(link.table)
        kept = candidates[present[column.take(candidates)]]
        count = len(kept)
        if count == n_target:
            return False
        reduced = np.zeros(size, dtype=np.bool_)
        reduced[kept] = True
        state.set(link.table, reduced, count, kept)
        return True
    gathered = _gather(present, column, model.tables[link.table].has_null(link.field))
    target = state.mask(link.table)
    reduced = gathered if target is None or n_target == size else target & gathered
    count = int(np.count_nonzero(reduced))
    if count == n_target:
        return False
    state.set(link.table, reduced, count, None)
    return True


def _present_symbols(model: DataModel, state: _Rows, table: str, field: str) -> BoolMask:
    """Symbols of `field` in the possible rows of `table`, plus a False slot for NULL (-1)."""
    if state.is_all(table):
        return _all_present(model, table, field)
    column = model.tables[table].columns[field]
    present = np.zeros(model.fields[field].cardinal + 1, dtype=np.bool_)
    if state.is_sparse(table):
        present[column.take(state.indices(table))] = True
    else:
        mask = state.mask(table)
        present[column if mask is None else column[mask]] = True
    present[-1] = False  # NULL keys never join
    return present


def _all_present(model: DataModel, table: str, field: str) -> BoolMask:
    """Symbols of `field` occurring in `table` at all (cached with the model)."""
    key = (model.version, table, field)
    cached = _present_cache.get(key)
    if cached is None:
        cached = np.zeros(model.fields[field].cardinal + 1, dtype=np.bool_)
        cached[model.tables[table].columns[field]] = True
        cached[-1] = False
        _freeze(cached)
        _present_cache.put(key, cached)
    return cached


_PARALLEL_MIN = 1 << 21
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _gather(lookup: BoolMask, column: IndexArray, has_null: bool) -> BoolMask:
    """`lookup[column]` (column values must be valid indices of lookup; -1 is its last slot).

    Arrow's take kernel on bytes beats numpy's fancy indexing (which widens the narrow index
    array to intp); long columns are split over two threads (both release the GIL).
    """
    n = len(column)
    if n < _PARALLEL_MIN:
        return _take(lookup, column, has_null)
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="openqix-gather")
    out = np.empty(n, dtype=np.bool_)
    half = n // 2

    def part(bounds: tuple[int, int]) -> None:
        lo, hi = bounds
        out[lo:hi] = _take(lookup, column[lo:hi], has_null)

    list(_pool.map(part, [(0, half), (half, n)]))
    return out


def _take(lookup: BoolMask, column: IndexArray, has_null: bool) -> BoolMask:
    if len(column) < 4096 or has_null:
        return lookup[column]  # -1 (NULL) picks the last slot
    taken = pc.take(pa.array(lookup.view(np.uint8)), pa.array(column))
    result: BoolMask = taken.to_numpy(zero_copy_only=True).view(np.bool_)
    return result


def _links(model: DataModel) -> tuple[_Link, ...]:
    cached = _link_cache.get(model.version)
    if cached is None:
        cached = tuple(_build_links(model))
        _link_cache.put(model.version, cached)
    return cached


def _build_links(model: DataModel) -> Iterable[_Link]:
    """Links of the key graph; a loosely coupled table is never a source (selections do not
    propagate through it) though it is filtered by its neighbours."""
    for field in model.fields.values():
        for table in field.tables:
            own = set(model.tables[table].field_names)
            for source in field.tables:
                if source == table or model.tables[source].loose:
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
        if model.tables[table].loose:
            continue
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

"""Selection state of one state name: per field a mask over its symbols and a lock flag.

Snapshots are immutable and versioned: every change makes a new `SelectionState`, so history
(Back/Forward), rollback and result caching fall out of keeping old ones around. The select,
clear and lock operations below are pure functions from one snapshot to the next.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from openqix.engine.inference import (
    Inference,
    and_mode_allowed,
    and_mode_filters,
    fit_mask,
    infer,
    possible_rows,
    possible_symbols,
    selection_masks,
)
from openqix.engine.model import DataModel
from openqix.engine.states import ValueState

BoolMask = npt.NDArray[np.bool_]
_versions = itertools.count(1)


@dataclass(frozen=True)
class FieldSelection:
    """Selected symbols of one field (a read-only bool mask) and whether the field is locked."""

    selected: BoolMask
    locked: bool = False
    # AND mode (spec resolved Q2): `selected` are AND values, `excluded` the NOT values (D).
    and_mode: bool = False
    excluded: BoolMask | None = None

    @property
    def count(self) -> int:
        return int(np.count_nonzero(self.selected))

    @property
    def not_count(self) -> int:
        return 0 if self.excluded is None else int(np.count_nonzero(self.excluded))


@dataclass(frozen=True)
class SelectionState:
    """Fields with a selection (or a lock), in the order the selections were made."""

    fields: Mapping[str, FieldSelection] = field(default_factory=dict)
    version: int = field(default_factory=lambda: next(_versions))

    @classmethod
    def empty(cls) -> SelectionState:
        return cls({})

    @functools.cached_property
    def content_key(self) -> tuple[tuple[str, bool, int, bytes, bool, bytes], ...]:
        """What inference depends on, exactly: equal for equal selections made by any session
        (the inference cache is keyed by it, not by the snapshot's version)."""
        return tuple(
            sorted(
                (
                    name,
                    sel.locked,
                    len(sel.selected),
                    np.packbits(sel.selected).tobytes(),
                    sel.and_mode,
                    b"" if sel.excluded is None else np.packbits(sel.excluded).tobytes(),
                )
                for name, sel in self.fields.items()
                if sel.count or sel.not_count
            )
        )

    def selection(self, name: str) -> FieldSelection | None:
        return self.fields.get(name)

    def is_locked(self, name: str) -> bool:
        sel = self.fields.get(name)
        return sel is not None and sel.locked

    def selected_fields(self) -> list[str]:
        """Names of fields with at least one selected value, in selection order."""
        return [name for name, sel in self.fields.items() if sel.count]


# --- pure selection operations -------------------------------------------------------------
# Each returns a new snapshot, or the SAME object when nothing changed (callers test identity
# to decide whether to push history and send change notifications).


def select_symbols(
    model: DataModel,
    state: SelectionState,
    field: str,
    symbols: Sequence[int] | npt.NDArray[np.integer[Any]],
    toggle: bool,
    soft_lock: bool,
    and_mode: bool | None = None,
) -> tuple[SelectionState, bool]:
    """Select element numbers of `field`: replace the selection, or flip them (`toggle`).

    Indices outside the symbol table are ignored; conflicts with other fields' selections are
    settled as in resolved Q1 1a. Fails on an unknown field, or a locked one without
    `soft_lock` (which keeps the lock on the new selection). `and_mode=True` makes the values
    AND values (the field must allow AND mode: `and_mode_allowed`, else it fails), False
    plain OR values, None keeps the field's current mode.
    """
    info = model.fields.get(field)
    if info is None or (and_mode and not and_mode_allowed(model, field)):
        return state, False
    chosen = _chosen(symbols, info.cardinal)
    if toggle:
        chosen ^= _current_mask(state, field, info.cardinal)
    return _apply(model, state, field, chosen, soft_lock, and_mode)


def select_not(
    model: DataModel,
    state: SelectionState,
    field: str,
    symbols: Sequence[int] | npt.NDArray[np.integer[Any]],
    toggle: bool,
    soft_lock: bool,
) -> tuple[SelectionState, bool]:
    """NOT-select element numbers of an AND-mode field (state D, spec resolved Q2): records
    associated with them are excluded. Replaces the NOT values (or flips them: `toggle`);
    a value cannot be AND- and NOT-selected at once (the AND selection loses it). Fails
    when the field does not allow AND mode or is locked without `soft_lock`."""
    info = model.fields.get(field)
    if info is None or not and_mode_allowed(model, field):
        return state, False
    excluded = _chosen(symbols, info.cardinal)
    current = state.fields.get(field)
    if toggle and current is not None and current.excluded is not None:
        excluded ^= fit_mask(current.excluded, info.cardinal)
    chosen = _current_mask(state, field, info.cardinal).copy()
    chosen &= ~excluded
    return _apply(model, state, field, chosen, soft_lock, True, excluded)


def _chosen(symbols: Sequence[int] | npt.NDArray[np.integer[Any]], cardinal: int) -> BoolMask:
    indices = np.asarray(symbols, dtype=np.int64).ravel()
    indices = indices[(indices >= 0) & (indices < cardinal)]
    chosen = np.zeros(cardinal, dtype=np.bool_)
    chosen[indices] = True
    return chosen


def select_all(
    model: DataModel, state: SelectionState, field: str, soft_lock: bool
) -> tuple[SelectionState, bool]:
    """Select every value; values excluded by other fields become XS."""
    info = model.fields.get(field)
    if info is None or not info.cardinal:
        return state, False
    return _apply(model, state, field, np.ones(info.cardinal, dtype=np.bool_), soft_lock)


def select_possible(
    model: DataModel, state: SelectionState, inference: Inference, field: str, soft_lock: bool
) -> tuple[SelectionState, bool]:
    """Select the currently possible values (S, L, O); fails when there are none."""
    return _select_states(model, state, inference, field, soft_lock, _POSSIBLE)


def select_alternative(
    model: DataModel, state: SelectionState, inference: Inference, field: str, soft_lock: bool
) -> tuple[SelectionState, bool]:
    """Select the alternatives (A); the previously selected values become alternative."""
    return _select_states(model, state, inference, field, soft_lock, (ValueState.ALTERNATIVE,))


def select_excluded(
    model: DataModel, state: SelectionState, inference: Inference, field: str, soft_lock: bool
) -> tuple[SelectionState, bool]:
    """Invert: select every unselected value that is not O, i.e. A and X (resolved Q1 1b).

    With alternatives present the excluded values end up XS; without any, selecting the
    excluded values conflicts with the other fields, which are then cleared, so they end up S.
    """
    wanted = (ValueState.ALTERNATIVE, ValueState.EXCLUDED)
    return _select_states(model, state, inference, field, soft_lock, wanted)


def clear_field(state: SelectionState, field: str) -> SelectionState:
    """Field.Clear. A locked field keeps its selection (same state returned)."""
    sel = state.fields.get(field)
    if sel is None or sel.locked:
        return state
    return _replace(state, field, None)


def clear_all(state: SelectionState, locked_also: bool = False) -> SelectionState:
    """Doc.ClearAll: locked fields stay (with their lock) unless `locked_also`."""
    kept = {n: s for n, s in state.fields.items() if s.locked and not locked_also}
    return state if len(kept) == len(state.fields) else SelectionState(kept)


def clear_all_but_this(
    state: SelectionState, field: str, soft_lock: bool = False
) -> tuple[SelectionState, bool]:
    """Clear every other field; locked ones only with `soft_lock`. Always succeeds."""
    kept = {n: s for n, s in state.fields.items() if n == field or (s.locked and not soft_lock)}
    if len(kept) == len(state.fields):
        return state, True
    return SelectionState(kept), True


def lock_field(state: SelectionState, field: str) -> SelectionState:
    """Lock the field's selected values; a field without selection has nothing to lock."""
    sel = state.fields.get(field)
    if sel is None or sel.locked or not sel.count:
        return state
    return _replace(state, field, dataclasses.replace(sel, locked=True))


def unlock_field(state: SelectionState, field: str) -> SelectionState:
    sel = state.fields.get(field)
    if sel is None or not sel.locked:
        return state
    kept = sel.count or sel.not_count
    return _replace(state, field, dataclasses.replace(sel, locked=False) if kept else None)


def lock_all(state: SelectionState) -> SelectionState:
    """Doc.LockAll: lock every field that has a selection."""
    if all(s.locked or not s.count for s in state.fields.values()):
        return state
    return SelectionState(
        {
            n: dataclasses.replace(s, locked=s.locked or bool(s.count))
            for n, s in state.fields.items()
        }
    )


def unlock_all(state: SelectionState) -> SelectionState:
    """Doc.UnlockAll: selections stay; locked fields left empty disappear."""
    if not any(s.locked for s in state.fields.values()):
        return state
    return SelectionState(
        {
            n: dataclasses.replace(s, locked=False)
            for n, s in state.fields.items()
            if s.count or s.not_count
        }
    )


_POSSIBLE = (ValueState.SELECTED, ValueState.LOCKED, ValueState.OPTION)


def _select_states(
    model: DataModel,
    state: SelectionState,
    inference: Inference,
    field: str,
    soft_lock: bool,
    wanted: tuple[ValueState, ...],
) -> tuple[SelectionState, bool]:
    states = inference.states.get(field)
    if states is None or field not in model.fields:
        return state, False
    chosen = np.isin(states, wanted)
    if not chosen.any():
        return state, False
    return _apply(model, state, field, chosen, soft_lock)


def _apply(
    model: DataModel,
    state: SelectionState,
    field: str,
    chosen: BoolMask,
    soft_lock: bool,
    and_mode: bool | None = None,
    excluded: BoolMask | None = None,
) -> tuple[SelectionState, bool]:
    """Make `chosen` the field's selection, honouring locks and resolving conflicts.

    `and_mode` None keeps the field's current mode; in AND mode the NOT values (`excluded`,
    default: the current ones minus `chosen`) are kept with the selection.
    """
    current = state.fields.get(field)
    locked = current is not None and current.locked
    if locked and not soft_lock:
        return state, False
    if and_mode is None:
        and_mode = current is not None and current.and_mode
    if and_mode and excluded is None and current is not None and current.excluded is not None:
        excluded = fit_mask(current.excluded, len(chosen)) & ~chosen
    if excluded is not None:
        excluded = excluded if and_mode and excluded.any() else None
        if excluded is not None:
            excluded.setflags(write=False)
    unchanged = (
        np.array_equal(chosen, _current_mask(state, field, len(chosen)))
        and current is not None
        and current.and_mode == and_mode
        and _same_mask(current.excluded, excluded)
    ) or (current is None and not chosen.any() and excluded is None)
    chosen.setflags(write=False)  # always a fresh array here; snapshots share it read-only
    new = FieldSelection(chosen, locked, and_mode, excluded)
    if not chosen.any():
        empty = new if locked or excluded is not None else None
        return (state if unchanged else _replace(state, field, empty)), True
    # Re-selecting an unchanged but fully excluded (XS) selection still settles conflicts.
    candidate = state if unchanged else _replace(state, field, new)
    return _settle_conflicts(model, state, candidate, field)


def _same_mask(a: BoolMask | None, b: BoolMask | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(np.array_equal(a, b))


def _settle_conflicts(
    model: DataModel, before: SelectionState, after: SelectionState, field: str
) -> tuple[SelectionState, bool]:
    """Resolved Q1 1a: if none of `field`'s new values is possible, drop conflicting selections.

    Fails (returning `before`) when the locked fields alone exclude every new value. Otherwise
    clears each unlocked field that, together with the locked ones, excludes them; then, if
    still needed, the remaining unlocked selections, most recent first.
    """
    # The ordinary case: the caller needs this inference next anyway, so it warms the cache.
    if (infer(model, after).possible(field) & after.fields[field].selected).any():
        return after, True
    fixed = {n: s for n, s in after.fields.items() if s.locked or n == field}
    if not _has_possible(model, fixed, field):
        return before, False
    movable = [n for n in after.fields if n not in fixed]
    conflicting = {
        n for n in movable if not _has_possible(model, {**fixed, n: after.fields[n]}, field)
    }
    kept = {n: s for n, s in after.fields.items() if n not in conflicting}
    for name in reversed([n for n in movable if n not in conflicting]):
        if _has_possible(model, kept, field):
            break
        del kept[name]
    return SelectionState(kept), True


def _has_possible(model: DataModel, fields: Mapping[str, FieldSelection], field: str) -> bool:
    """Whether some selected value of `field` is possible under `fields`."""
    masks = selection_masks(model, fields)
    filters = and_mode_filters(model, fields)
    for name in filters:
        masks.setdefault(name, np.zeros(model.fields[name].cardinal, dtype=np.bool_))
    rows = possible_rows(model, masks, filters)
    selected = masks.get(field)
    return selected is not None and bool((possible_symbols(model, rows, field) & selected).any())


def _current_mask(state: SelectionState, field: str, size: int) -> BoolMask:
    sel = state.fields.get(field)
    if sel is None:
        return np.zeros(size, dtype=np.bool_)
    return fit_mask(sel.selected, size)


def _replace(state: SelectionState, field: str, sel: FieldSelection | None) -> SelectionState:
    """A new snapshot with `field` set (keeping its position) or removed."""
    fields = dict(state.fields)
    if sel is None:
        fields.pop(field, None)
    else:
        fields[field] = sel
    return SelectionState(fields)

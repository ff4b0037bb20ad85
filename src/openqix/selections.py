"""The selections one session (or the embedded API) holds on an app, per state name.

Wraps the pure engine functions: keeps the current `SelectionState` of each state (`$`, the
app's alternate states and the session's own), a back/forward history per state, the field
flags of the session (qOneAndOnlyOne, AND mode) and which states changed since the API last
asked (`take_changes`, for change notifications). Re-applies selections by value after a
reload swapped the model, and computes layouts through objects/. Docs: docs/selections.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any

import numpy as np

from openqix.engine import selection as sel
from openqix.engine.inference import Inference, infer
from openqix.engine.model import DataModel
from openqix.engine.search import match_symbols
from openqix.engine.selection import FieldSelection, SelectionState
from openqix.engine.states import ValueState
from openqix.errors import InvalidParameterValue, NotFound, QixError
from openqix.objects.generic import DEFAULT_STATE
from openqix.objects.hypercube import hypercube, hypercube_data

if TYPE_CHECKING:
    from openqix.app import App


_EXCLUDED = (ValueState.EXCLUDED, ValueState.EXCL_SELECTED, ValueState.EXCL_LOCKED)


def state_key(name: str | None) -> str:
    return name if name else DEFAULT_STATE


HISTORY_LIMIT = 100
_RESERVED_STATES = ("$", "0", "1")


def check_state_name(name: str) -> str:
    """An alternate state name a client may create: not `$`, `0`, `1`, `$n` or `$_n`."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidParameterValue("qStateName: an alternate state needs a name")
    if name in _RESERVED_STATES or re.fullmatch(r"\$_?\d+.*", name):
        raise InvalidParameterValue(f"qStateName: {name!r} is reserved")
    return name


@dataclass
class _History:
    """Back/forward stacks of one state's snapshots (the current one is not on them)."""

    back: list[SelectionState] = dc_field(default_factory=list)
    forward: list[SelectionState] = dc_field(default_factory=list)


class Selections:
    def __init__(self, app: App):
        self.app = app
        self._states: dict[str, SelectionState] = {DEFAULT_STATE: SelectionState.empty()}
        self._session_states: list[str] = []
        self._history: dict[str, _History] = {}
        self._changed: set[str] = set()
        self._model = app.model  # the model the selection masks refer to
        self.one_and_only_one: set[str] = set()  # fields with Field.SetNxProperties qOneAndOnlyOne
        self.and_mode: set[str] = set()  # fields in AND mode (Field.SetAndMode)
        # (state, field) -> the search text and the selection it made (qTextSearch).
        self._text_searches: dict[tuple[str, str], tuple[str, FieldSelection]] = {}

    # -- reading ---------------------------------------------------------------------------
    @property
    def model(self) -> DataModel:
        self._follow_reload()
        return self.app.model

    def state(self, name: str | None = None) -> SelectionState:
        self._follow_reload()
        if name and name[0] == "$" and name[1:].lstrip("_").isdigit():
            return self._history_state(name)  # set identifiers $1, $2 ... and $_1 ...
        key = state_key(name)
        if key != DEFAULT_STATE and key not in self.known_states():
            raise NotFound(f"unknown state: {key}")
        current = self._states.get(key)
        if current is None:
            current = self._states[key] = SelectionState.empty()
        return current

    def _history_state(self, identifier: str) -> SelectionState:
        """`$n`: the default state's selection n steps back; `$_n`: n steps forward."""
        history = self._history.get(DEFAULT_STATE) or _History()
        stack = history.forward if identifier[1] == "_" else history.back
        steps = int(identifier.lstrip("$_"))
        if not 0 < steps <= len(stack):
            raise NotFound(f"no selection history for {identifier}")
        return stack[-steps]

    def inference(self, name: str | None = None) -> Inference:
        state = self.state(name)
        return infer(self.app.model, state)

    def resolve(self, name: str | None) -> tuple[SelectionState, Inference]:
        state = self.state(name)
        return state, infer(self.app.model, state)

    def version(self, name: str | None = None) -> int:
        return self.state(name).version

    def known_states(self) -> list[str]:
        """`$`, the app's alternate states, then this session's own ones.

        Selections and history of states removed since (by any session) are dropped here.
        """
        names = [DEFAULT_STATE, *self.app.alternate_states]
        names += [n for n in self._session_states if n not in names]
        for gone in [n for n in self._states if n not in names]:
            self.forget_state(gone, names)
        return names

    def state_names(self) -> list[str]:
        """Alternate state names (NxAppLayout.qStateNames)."""
        return self.known_states()[1:]

    def take_changes(self) -> set[str]:
        """State names whose selections changed since the last call (change notifications)."""
        changed, self._changed = self._changed, set()
        return changed

    # -- alternate states --------------------------------------------------------------------
    def add_session_state(self, name: str, source: str | None = None) -> None:
        """AddSessionAlternateState: a state of this session only, optionally a copy of another."""
        check_state_name(name)
        initial = self.state(source) if source else SelectionState.empty()
        if name not in self.known_states():
            self._session_states.append(name)
        self._states[name] = SelectionState(dict(initial.fields))
        self._history.pop(name, None)
        self._changed.add(name)

    def remove_session_state(self, name: str) -> bool:
        if name not in self._session_states:
            return False
        self._session_states.remove(name)
        self.forget_state(name)
        return True

    def forget_state(self, name: str, known: Sequence[str] | None = None) -> None:
        """Drop the selections and history of a state that no longer exists."""
        if name in (self.known_states() if known is None else known):
            return
        self._states.pop(name, None)
        self._history.pop(name, None)

    # -- history ---------------------------------------------------------------------------
    def back_count(self, state: str | None = None) -> int:
        self.state(state)
        history = self._history.get(state_key(state))
        return len(history.back) if history else 0

    def forward_count(self, state: str | None = None) -> int:
        self.state(state)
        history = self._history.get(state_key(state))
        return len(history.forward) if history else 0

    def back(self, state: str | None = None) -> bool:
        """Doc.Back: restore the previous snapshot of the state; False when there is none."""
        current = self.state(state)
        history = self._history.get(state_key(state))
        if not history or not history.back:
            return False
        history.forward.append(current)
        self._states[state_key(state)] = history.back.pop()
        self._changed.add(state_key(state))
        return True

    def forward(self, state: str | None = None) -> bool:
        current = self.state(state)
        history = self._history.get(state_key(state))
        if not history or not history.forward:
            return False
        history.back.append(current)
        self._states[state_key(state)] = history.forward.pop()
        self._changed.add(state_key(state))
        return True

    @contextmanager
    def one_step(self, state: str | None = None) -> Iterator[None]:
        """Changes made inside count as one step of the state's history (one Back undoes
        them all), as a single call that selects in several fields should."""
        before = self.state(state)
        history = self._history.setdefault(state_key(state), _History())
        depth = len(history.back)
        yield
        if self.state(state) is not before and len(history.back) > depth + 1:
            del history.back[depth:]
            history.back.append(before)

    # -- changing --------------------------------------------------------------------------
    def select_symbols(
        self,
        field: str,
        symbols: Sequence[int],
        toggle: bool = False,
        soft_lock: bool = False,
        state: str | None = None,
    ) -> bool:
        model = self._field_model(field)
        indices = np.asarray(symbols, dtype=np.int64)
        if field in self.one_and_only_one:
            # One and only one: the first valid value replaces the selection.
            valid = indices[(indices >= 0) & (indices < model.fields[field].cardinal)]
            if not len(valid):
                return False
            indices, toggle = valid[:1], False
        new, ok = sel.select_symbols(model, self.state(state), field, indices, toggle, soft_lock)
        return self._set(state, new, field) and ok

    def select_values(
        self,
        field: str,
        values: Sequence[str | float | int],
        toggle: bool = False,
        soft_lock: bool = False,
        state: str | None = None,
    ) -> bool:
        symbols = self._field_model(field).fields[field].symbols
        found: list[int] = []
        for value in values:
            if isinstance(value, int | float) and not isinstance(value, bool):
                index = symbols.find_number(float(value))
            else:
                index = symbols.find_text(str(value))
            if index is not None:
                found.append(index)
        return self.select_symbols(field, found, toggle, soft_lock, state)

    def select_match(
        self,
        field: str,
        pattern: str,
        toggle: bool,
        soft_lock: bool,
        state: str | None = None,
        excluded_too: bool = True,
    ) -> bool:
        """Field.Select: the values matching a search string; False when none matches.

        Without `excluded_too` (qExcludedValuesMode 0) excluded values never match.
        """
        symbols = self._field_model(field).fields[field].symbols
        matched = match_symbols(symbols, pattern)
        if not excluded_too and len(matched):
            states = self.inference(state).states[field]
            matched = matched[~np.isin(states[matched], _EXCLUDED)]
        if not len(matched):
            return False
        ok = self.select_symbols(field, [int(i) for i in matched], toggle, soft_lock, state)
        if ok and not toggle:
            self.note_search(field, pattern, state)
        return ok

    def note_search(self, field: str, text: str, state: str | None = None) -> None:
        """Remember that the field's current selection came from the search `text`."""
        selection = self.state(state).selection(field)
        if selection is not None:
            self._text_searches[(state_key(state), field)] = (text, selection)

    def text_searches(self, state: str | None = None) -> dict[str, str]:
        """Field -> the search text that made its current selection (qTextSearch)."""
        current = self.state(state)
        key = state_key(state)
        return {
            field: text
            for (name, field), (text, selection) in self._text_searches.items()
            if name == key and current.selection(field) is selection
        }

    def select_ranges(
        self,
        field: str,
        ranges: Sequence[tuple[float, float, bool, bool]],
        soft_lock: bool,
        state: str | None = None,
    ) -> bool:
        """Numeric ranges (low, high, low inclusive, high inclusive): their union replaces the
        field's selection; False when no value falls in any range."""
        numbers = self._field_model(field).fields[field].symbols.numbers
        chosen = np.zeros(len(numbers), dtype=np.bool_)
        for low, high, low_incl, high_incl in ranges:
            above = numbers >= low if low_incl else numbers > low
            below = numbers <= high if high_incl else numbers < high
            chosen |= above & below
        if not chosen.any():
            return False
        return self.select_symbols(field, np.flatnonzero(chosen).tolist(), False, soft_lock, state)

    def apply(
        self,
        operation: Callable[..., tuple[SelectionState, bool]],
        field: str,
        soft_lock: bool,
        state: str | None = None,
        needs_inference: bool = False,
    ) -> bool:
        """Run one of engine.selection's whole-field operations (select_all, ...)."""
        model = self._field_model(field)
        current = self.state(state)
        if needs_inference:
            new, ok = operation(model, current, infer(model, current), field, soft_lock)
        else:
            new, ok = operation(model, current, field, soft_lock)
        return self._set(state, new, field) and ok

    def clear_field(self, field: str, state: str | None = None) -> bool:
        """Field.Clear; False when the field is locked or always keeps one value."""
        self._field_model(field)
        current = self.state(state)
        if current.is_locked(field) or field in self.one_and_only_one:
            return False
        self._set(state, sel.clear_field(current, field))
        return True

    def clear_all_but_this(self, field: str, soft_lock: bool, state: str | None = None) -> bool:
        self._field_model(field)
        new, ok = sel.clear_all_but_this(self.state(state), field, soft_lock)
        self._set(state, new)
        return ok

    def clear_all(self, locked_also: bool = False, state: str | None = None) -> None:
        self._set(state, sel.clear_all(self.state(state), locked_also))

    def lock(self, field: str, state: str | None = None) -> bool:
        """Field.Lock; False when the field has no selected value to lock."""
        self._field_model(field)
        self._set(state, sel.lock_field(self.state(state), field))
        return self.state(state).is_locked(field)

    def unlock(self, field: str, state: str | None = None) -> bool:
        self._field_model(field)
        self._set(state, sel.unlock_field(self.state(state), field))
        return True

    def lock_all(self, state: str | None = None) -> None:
        self._set(state, sel.lock_all(self.state(state)))

    def unlock_all(self, state: str | None = None) -> None:
        self._set(state, sel.unlock_all(self.state(state)))

    def restore(self, snapshot: SelectionState, state: str | None = None) -> None:
        """Make an earlier snapshot current again (EndSelections(false)), as a new step."""
        if state_key(state) in self.known_states():
            self._set(state, snapshot)

    def set_one_and_only_one(self, field: str, on: bool) -> None:
        """qOneAndOnlyOne: from now on the field keeps exactly one selected value; if it does
        not have one, its first possible value (in load order) is selected."""
        model = self._field_model(field)
        if not on:
            self.one_and_only_one.discard(field)
            return
        if field in self.one_and_only_one:
            return
        for name in self.known_states():
            current = self.state(name)
            selection = current.selection(field)
            if selection is not None and selection.count == 1:
                continue
            possible = np.flatnonzero(infer(model, current).possible(field))
            first = int(possible[0]) if len(possible) else 0
            if model.fields[field].cardinal:
                new, _ = sel.select_symbols(model, current, field, [first], False, True)
                self._set(name, new)
        self.one_and_only_one.add(field)

    # -- layouts ---------------------------------------------------------------------------
    def hypercube_rows(
        self, dimensions: list[str], measures: list[str], state: str | None = None
    ) -> list[tuple[Any, ...]]:
        definition: dict[str, Any] = {
            "qDimensions": [{"qDef": {"qFieldDefs": [d]}} for d in dimensions],
            "qMeasures": [{"qDef": {"qDef": m}} for m in measures],
        }
        current, inference = self.resolve(state)
        layout = hypercube(self.app.model, inference, current, definition)
        if "qError" in layout:
            raise QixError(f"hypercube error {layout['qError']}", code=7000)
        width, height = layout["qSize"]["qcx"], layout["qSize"]["qcy"]
        step = max(1, 10_000 // max(width, 1))
        rows: list[tuple[Any, ...]] = []
        for top in range(0, height, step):
            page = {"qLeft": 0, "qTop": top, "qWidth": width, "qHeight": step}
            for data_page in hypercube_data(self.app.model, inference, current, definition, [page]):
                rows.extend(_row_values(r, len(dimensions)) for r in data_page["qMatrix"])
        return rows

    # -- internals -------------------------------------------------------------------------
    def _field_model(self, field: str) -> DataModel:
        model = self.model
        if field not in model.fields:
            raise NotFound(f"field not found: {field}")
        return model

    def _set(self, name: str | None, new: SelectionState, target: str | None = None) -> bool:
        """Make `new` the state's snapshot, pushing the old one on its back stack.

        Fields with qOneAndOnlyOne keep exactly one value: an operation on such a field that
        leaves it with another count is refused (False); other operations (ClearAll, conflicts)
        leave its previous value in place.
        """
        key = state_key(name)
        old = self._states.get(key) or self.state(name)
        if new is old:
            return True
        if self.one_and_only_one:
            guarded = self._keep_single_values(old, new, target)
            if guarded is None:
                return False
            new = guarded
        if self.and_mode:
            new = self._mark_and_mode(new)
        history = self._history.setdefault(key, _History())
        history.back.append(old)
        del history.back[:-HISTORY_LIMIT]
        history.forward.clear()
        self._states[key] = new
        self._changed.add(key)
        return True

    def _mark_and_mode(self, state: SelectionState) -> SelectionState:
        """Selections of AND-mode fields carry the flag the inference reads."""
        stale = [n for n, s in state.fields.items() if n in self.and_mode and not s.and_mode]
        if not stale:
            return state
        fields = dict(state.fields)
        for name in stale:
            fields[name] = replace(fields[name], and_mode=True)
        return SelectionState(fields)

    def set_and_mode(self, field: str, on: bool) -> None:
        """Field.SetAndMode (callers check `and_mode_refusal` first): flags the field's
        selections in every state."""
        self._field_model(field)
        if on:
            self.and_mode.add(field)
        else:
            self.and_mode.discard(field)
        for name in self.known_states():
            current = self.state(name)
            selection = current.selection(field)
            if selection is not None and selection.and_mode != on:
                fields = dict(current.fields)
                fields[field] = replace(selection, and_mode=on)
                self._set(name, SelectionState(fields))

    def _keep_single_values(
        self, old: SelectionState, new: SelectionState, target: str | None
    ) -> SelectionState | None:
        fields = dict(new.fields)
        restored = False
        for name in self.one_and_only_one:
            selection = fields.get(name)
            if selection is not None and selection.count == 1:
                continue
            if name == target:
                return None
            previous = old.fields.get(name)
            if previous is not None and previous.count == 1:
                fields[name] = previous
                restored = True
        return SelectionState(fields) if restored else new

    def _follow_reload(self) -> None:
        """After a reload, keep each selected value that still exists (matched by value)."""
        model = self.app.model
        if model is self._model:
            return
        self._states = {name: _remap(st, self._model, model) for name, st in self._states.items()}
        self._history.clear()  # old snapshots refer to the old symbol tables
        self.one_and_only_one &= set(model.fields)
        self.and_mode &= set(model.fields)
        self._model = model


def and_mode_refusal(model: DataModel, name: str) -> str | None:
    """Why `name` may not be in AND mode, or None: it must live in one table of exactly two
    fields, be its second field, and the table must hold no duplicate rows."""
    field = model.fields.get(name)
    if field is None:
        return f"field not found: {name}"
    if len(field.tables) != 1:
        return f"{name} is in more than one table"
    table = model.tables[field.tables[0]]
    if len(table.field_names) != 2 or table.field_names[1] != name:
        return f"{name} must be the second of exactly two fields in its table"
    first = table.columns[table.field_names[0]].astype(np.int64) + 1  # NULL (-1) -> 0
    second = table.columns[name].astype(np.int64) + 1
    pairs = first * (field.cardinal + 1) + second
    if np.unique(pairs).size != table.n_rows:
        return f"table {table.name} has duplicate rows (load it with DISTINCT)"
    return None


def _remap(state: SelectionState, old: DataModel, new: DataModel) -> SelectionState:
    if not state.fields:
        return state
    fields: dict[str, FieldSelection] = {}
    for name, selection in state.fields.items():
        if name not in new.fields or name not in old.fields:
            continue
        old_symbols, new_symbols = old.fields[name].symbols, new.fields[name].symbols
        mask = np.zeros(len(new_symbols), dtype=bool)
        for index in np.flatnonzero(selection.selected).tolist():
            num = old_symbols.number(index)
            found = (
                new_symbols.find_text(old_symbols.text(index))
                if math.isnan(num)
                else new_symbols.find_number(num)
            )
            if found is not None:
                mask[found] = True
        mask.setflags(write=False)
        if mask.any() or selection.locked:
            fields[name] = FieldSelection(mask, selection.locked)
    return SelectionState(fields)


def _row_values(row: list[dict[str, Any]], n_dims: int) -> tuple[Any, ...]:
    values: list[Any] = []
    for i, cell in enumerate(row):
        if i < n_dims:
            values.append(None if cell.get("qIsNull") else cell.get("qText"))
        else:
            num = cell.get("qNum")
            values.append(None if not isinstance(num, float | int) or num != num else num)
    return tuple(values)

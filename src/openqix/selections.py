"""The selections one session (or the embedded API) holds on an app, per state name.

Wraps the pure engine functions: keeps the current `SelectionState` of each state, re-applies
selections by value after a reload swapped the model, and computes layouts through objects/.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from openqix.engine import selection as sel
from openqix.engine.inference import Inference, infer
from openqix.engine.model import DataModel
from openqix.engine.search import match_symbols
from openqix.engine.selection import FieldSelection, SelectionState
from openqix.errors import NotFound, QixError
from openqix.objects.generic import DEFAULT_STATE
from openqix.objects.hypercube import hypercube, hypercube_data

if TYPE_CHECKING:
    from openqix.app import App


def state_key(name: str | None) -> str:
    return name if name else DEFAULT_STATE


class Selections:
    def __init__(self, app: App):
        self.app = app
        self._states: dict[str, SelectionState] = {DEFAULT_STATE: SelectionState.empty()}
        self._model = app.model  # the model the selection masks refer to

    # -- reading ---------------------------------------------------------------------------
    @property
    def model(self) -> DataModel:
        self._follow_reload()
        return self.app.model

    def state(self, name: str | None = None) -> SelectionState:
        self._follow_reload()
        key = state_key(name)
        if key not in self._states:
            raise NotFound(f"unknown state: {key}")
        return self._states[key]

    def inference(self, name: str | None = None) -> Inference:
        state = self.state(name)
        return infer(self.app.model, state)

    def resolve(self, name: str | None) -> tuple[SelectionState, Inference]:
        state = self.state(name)
        return state, infer(self.app.model, state)

    def version(self, name: str | None = None) -> int:
        return self.state(name).version

    def state_names(self) -> list[str]:
        return [n for n in self._states if n != DEFAULT_STATE]

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
        new, ok = sel.select_symbols(
            model, self.state(state), field, np.asarray(symbols, dtype=np.int64), toggle, soft_lock
        )
        self._set(state, new)
        return ok

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
        self, field: str, pattern: str, toggle: bool, soft_lock: bool, state: str | None = None
    ) -> bool:
        symbols = self._field_model(field).fields[field].symbols
        matched = match_symbols(symbols, pattern)
        return self.select_symbols(field, [int(i) for i in matched], toggle, soft_lock, state)

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
        self._set(state, new)
        return ok

    def clear_field(self, field: str, state: str | None = None) -> None:
        self._field_model(field)
        self._set(state, sel.clear_field(self.state(state), field))

    def clear_all_but_this(self, field: str, soft_lock: bool, state: str | None = None) -> bool:
        self._field_model(field)
        new, ok = sel.clear_all_but_this(self.state(state), field, soft_lock)
        self._set(state, new)
        return ok

    def clear_all(self, locked_also: bool = False, state: str | None = None) -> None:
        self._set(state, sel.clear_all(self.state(state), locked_also))

    def lock(self, field: str, state: str | None = None) -> None:
        self._field_model(field)
        self._set(state, sel.lock_field(self.state(state), field))

    def unlock(self, field: str, state: str | None = None) -> None:
        self._field_model(field)
        self._set(state, sel.unlock_field(self.state(state), field))

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

    def _set(self, name: str | None, new: SelectionState) -> None:
        self._states[state_key(name)] = new

    def _follow_reload(self) -> None:
        """After a reload, keep each selected value that still exists (matched by value)."""
        model = self.app.model
        if model is self._model:
            return
        self._states = {name: _remap(st, self._model, model) for name, st in self._states.items()}
        self._model = model


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
            num = float(old_symbols.numbers[index])
            found = (
                new_symbols.find_text(old_symbols.texts[index])
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

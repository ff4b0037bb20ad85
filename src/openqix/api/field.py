"""Field: selections in one field of one state."""

from __future__ import annotations

import math
from typing import Any

from openqix.api.base import QixApi, element_numbers
from openqix.engine import selection as sel
from openqix.field_ref import FieldRef


class FieldApi(QixApi):
    qix_type = "Field"

    @property
    def ref(self) -> FieldRef:
        assert isinstance(self.target, FieldRef)
        return self.target

    def _exists(self) -> bool:
        return self.ref.name in self.doc.selections.model.fields

    def _done(self, ok: bool) -> dict[str, Any]:
        self.selection_changed(self.ref.state_name)
        return {"qReturn": ok}

    def Select(self, qMatch: str, qSoftLock: bool, qExcludedValuesMode: int) -> dict[str, Any]:
        return self._match(qMatch, False, qSoftLock)

    def ToggleSelect(
        self, qMatch: str, qSoftLock: bool, qExcludedValuesMode: int
    ) -> dict[str, Any]:
        return self._match(qMatch, True, qSoftLock)

    def _match(self, pattern: str, toggle: bool, soft_lock: bool) -> dict[str, Any]:
        if not self._exists():
            return {"qReturn": False}
        selections = self.doc.selections
        ok = selections.select_match(self.ref.name, pattern, toggle, soft_lock, self.ref.state_name)
        return self._done(ok)

    def SelectValues(
        self, qFieldValues: list[Any], qToggleMode: bool, qSoftLock: bool
    ) -> dict[str, Any]:
        if not self._exists():
            return {"qReturn": False}
        values = [_field_value(v) for v in qFieldValues if isinstance(v, dict)]
        ok = self.doc.selections.select_values(
            self.ref.name, values, qToggleMode, qSoftLock, self.ref.state_name
        )
        return self._done(ok)

    def LowLevelSelect(
        self, qValues: list[int], qToggleMode: bool, qSoftLock: bool
    ) -> dict[str, Any]:
        if not self._exists():
            return {"qReturn": False}
        return self._select(element_numbers(qValues), qToggleMode, qSoftLock)

    def _select(self, symbols: list[int], toggle: bool, soft_lock: bool) -> dict[str, Any]:
        selections = self.doc.selections
        ok = selections.select_symbols(
            self.ref.name, symbols, toggle, soft_lock, self.ref.state_name
        )
        return self._done(ok)

    def Clear(self) -> dict[str, Any]:
        if not self._exists():
            return {"qReturn": False}
        self.doc.selections.clear_field(self.ref.name, self.ref.state_name)
        return self._done(True)

    def ClearAllButThis(self, qSoftLock: bool) -> dict[str, Any]:
        if not self._exists():
            return {"qReturn": False}
        selections = self.doc.selections
        return self._done(
            selections.clear_all_but_this(self.ref.name, qSoftLock, self.ref.state_name)
        )

    def SelectAll(self, qSoftLock: bool) -> dict[str, Any]:
        return self._whole_field(sel.select_all, qSoftLock, False)

    def SelectPossible(self, qSoftLock: bool) -> dict[str, Any]:
        return self._whole_field(sel.select_possible, qSoftLock, True)

    def SelectExcluded(self, qSoftLock: bool) -> dict[str, Any]:
        return self._whole_field(sel.select_excluded, qSoftLock, True)

    def SelectAlternative(self, qSoftLock: bool) -> dict[str, Any]:
        return self._whole_field(sel.select_alternative, qSoftLock, True)

    def _whole_field(
        self, operation: Any, soft_lock: bool, needs_inference: bool
    ) -> dict[str, Any]:
        if not self._exists():
            return {"qReturn": False}
        selections = self.doc.selections
        ok = selections.apply(
            operation, self.ref.name, soft_lock, self.ref.state_name, needs_inference
        )
        return self._done(ok)

    def Lock(self) -> dict[str, Any]:
        if not self._exists():
            return {"qReturn": False}
        self.doc.selections.lock(self.ref.name, self.ref.state_name)
        return self._done(True)

    def Unlock(self) -> dict[str, Any]:
        if not self._exists():
            return {"qReturn": False}
        self.doc.selections.unlock(self.ref.name, self.ref.state_name)
        return self._done(True)

    def GetCardinal(self) -> dict[str, Any]:
        fields = self.doc.selections.model.fields
        field = fields.get(self.ref.name)
        return {"qReturn": field.cardinal if field is not None else 0}

    def GetAndMode(self) -> dict[str, Any]:
        return {"qReturn": False}

    def GetNxProperties(self) -> dict[str, Any]:
        return {"qProperties": {}}


def _field_value(value: dict[str, Any]) -> str | float:
    """A FieldValue: its number when qIsNumeric (and finite), else its text."""
    number = value.get("qNumber")
    if value.get("qIsNumeric") and isinstance(number, int | float) and math.isfinite(number):
        return float(number)
    return str(value.get("qText", ""))

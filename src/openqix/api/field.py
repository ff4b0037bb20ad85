"""Field: selections in one field of one state.

Every selection call answers `{"qReturn": bool}`: false when the field does not exist, is
locked (without `qSoftLock`), keeps one and only one value, or nothing matched.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from openqix.api.base import QixApi, element_numbers
from openqix.engine import selection as sel
from openqix.errors import InvalidParameterValue
from openqix.field_ref import FieldRef
from openqix.selections import Selections, and_mode_refusal


class FieldApi(QixApi):
    qix_type = "Field"

    @property
    def ref(self) -> FieldRef:
        assert isinstance(self.target, FieldRef)
        return self.target

    @property
    def selections(self) -> Selections:
        return self.doc.selections

    def _exists(self) -> bool:
        return self.ref.name in self.selections.model.fields

    def _run(self, operation: Callable[[Selections], bool]) -> dict[str, Any]:
        """Run a selection change on an existing field and report what changed."""
        if not self._exists():
            return {"qReturn": False}
        ok = operation(self.selections)
        self.selection_changed(self.ref.state_name)
        return {"qReturn": ok}

    # -- selecting --------------------------------------------------------------------------
    def Select(self, qMatch: str, qSoftLock: bool, qExcludedValuesMode: int) -> dict[str, Any]:
        return self._match(qMatch, False, qSoftLock, qExcludedValuesMode)

    def ToggleSelect(
        self, qMatch: str, qSoftLock: bool, qExcludedValuesMode: int
    ) -> dict[str, Any]:
        return self._match(qMatch, True, qSoftLock, qExcludedValuesMode)

    def _match(
        self, pattern: str, toggle: bool, soft_lock: bool, excluded_mode: int
    ) -> dict[str, Any]:
        ref = self.ref
        return self._run(
            lambda s: s.select_match(
                ref.name, pattern, toggle, soft_lock, ref.state_name, bool(excluded_mode)
            )
        )

    def SelectValues(
        self, qFieldValues: list[Any], qToggleMode: bool, qSoftLock: bool
    ) -> dict[str, Any]:
        values = [_field_value(v) for v in qFieldValues if isinstance(v, dict)]
        ref = self.ref
        return self._run(
            lambda s: s.select_values(ref.name, values, qToggleMode, qSoftLock, ref.state_name)
        )

    def LowLevelSelect(
        self, qValues: list[int], qToggleMode: bool, qSoftLock: bool
    ) -> dict[str, Any]:
        symbols = element_numbers(qValues)
        ref = self.ref
        return self._run(
            lambda s: s.select_symbols(ref.name, symbols, qToggleMode, qSoftLock, ref.state_name)
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
        ref = self.ref
        return self._run(
            lambda s: s.apply(operation, ref.name, soft_lock, ref.state_name, needs_inference)
        )

    # -- clearing and locking -------------------------------------------------------------------
    def Clear(self) -> dict[str, Any]:
        ref = self.ref
        return self._run(lambda s: s.clear_field(ref.name, ref.state_name))

    def ClearAllButThis(self, qSoftLock: bool) -> dict[str, Any]:
        ref = self.ref
        return self._run(lambda s: s.clear_all_but_this(ref.name, qSoftLock, ref.state_name))

    def Lock(self) -> dict[str, Any]:
        ref = self.ref
        return self._run(lambda s: s.lock(ref.name, ref.state_name))

    def Unlock(self) -> dict[str, Any]:
        ref = self.ref
        return self._run(lambda s: s.unlock(ref.name, ref.state_name))

    # -- field properties -------------------------------------------------------------------
    def GetCardinal(self) -> dict[str, Any]:
        field = self.selections.model.fields.get(self.ref.name)
        return {"qReturn": field.cardinal if field is not None else 0}

    def GetAndMode(self) -> dict[str, Any]:
        return {"qReturn": self.ref.name in self.selections.and_mode}

    def SetAndMode(self, qAndMode: bool) -> dict[str, Any]:
        """AND mode is allowed only where Qlik allows it (resolved Q2); else a typed error."""
        name = self.ref.name
        if qAndMode:
            reason = and_mode_refusal(self.selections.model, name)
            if reason is not None:
                raise InvalidParameterValue(f"SetAndMode: {reason}")
        if self._exists():
            self.selections.set_and_mode(name, bool(qAndMode))
            self.selection_changed(self.ref.state_name)
        return {}

    def GetNxProperties(self) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        if self.ref.name in self.selections.one_and_only_one:
            properties["qOneAndOnlyOne"] = True
        return {"qProperties": properties}

    def SetNxProperties(self, qProperties: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(qProperties, dict):
            raise InvalidParameterValue("qProperties must be an object")
        if self._exists():
            self.selections.set_one_and_only_one(
                self.ref.name, bool(qProperties.get("qOneAndOnlyOne"))
            )
            self.selection_changed(self.ref.state_name)
        return {}


def _field_value(value: dict[str, Any]) -> str | float:
    """A FieldValue: its number when qIsNumeric (and finite), else its text."""
    number = value.get("qNumber")
    if value.get("qIsNumeric") and isinstance(number, int | float) and math.isfinite(number):
        return float(number)
    return str(value.get("qText", ""))

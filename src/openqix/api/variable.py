"""Variable: the legacy (QlikView-era) variable API, on the same variables as GenericVariable."""

from __future__ import annotations

import copy
from typing import Any

from openqix.api.generic_variable import VariableApiBase
from openqix.calc.values import Dual
from openqix.objects.variables import DEFAULT_NUMBER_PRESENTATION

_LEGACY_KEYS = ("qUsePredefListedValues", "qPreDefinedList")


class VariableApi(VariableApiBase):
    qix_type = "Variable"

    def GetContent(self) -> dict[str, Any]:
        value = self.value()
        content: dict[str, Any] = {"qString": value.display() or ""}
        if value.is_numeric:
            content["qIsNum"] = True
        return {"qContent": content}

    def GetRawContent(self) -> dict[str, Any]:
        return {"qReturn": self.variable.definition}

    def SetContent(self, qContent: str, qUpdateMRU: bool) -> dict[str, Any]:
        self.set_definition(str(qContent))
        return {"qReturn": True}

    def ForceContent(self, qs: str, qd: float) -> dict[str, Any]:
        self.set_definition(str(qs), Dual(str(qs), float(qd)))
        return {}

    def GetNxProperties(self) -> dict[str, Any]:
        props = self.variable.properties
        out: dict[str, Any] = {"qName": self.variable.name}
        out["qNumberPresentation"] = copy.deepcopy(
            props.get("qNumberPresentation", DEFAULT_NUMBER_PRESENTATION)
        )
        if props.get("qIncludeInBookmark"):
            out["qIncludeInBookmark"] = True
        out.update(copy.deepcopy(self.variable.legacy))
        return {"qProperties": out}

    def SetNxProperties(self, qProperties: dict[str, Any]) -> dict[str, Any]:
        variable = self.variable
        prop = copy.deepcopy(variable.properties)
        for key in ("qName", "qNumberPresentation", "qIncludeInBookmark"):
            if key in qProperties:
                prop[key] = qProperties[key]
        self.replace_properties(prop)
        variable.legacy = {
            k: copy.deepcopy(qProperties[k]) for k in _LEGACY_KEYS if k in qProperties
        }
        return {}

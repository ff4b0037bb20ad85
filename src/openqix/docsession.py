"""A session's view of an open app: its selections and its session objects.

The app's data and script are shared by every session that opens it; selections and session
objects (CreateSessionObject) belong to one session and die with it.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from openqix.app import App
from openqix.engine.inference import Inference
from openqix.engine.model import DataModel
from openqix.engine.selection import SelectionState
from openqix.errors import InvalidParameterValue
from openqix.field_ref import FieldRef
from openqix.objects.definitions import check_definitions
from openqix.objects.generic import effective_state, layout_of
from openqix.selections import Selections, state_key

# Property keys whose layouts depend on a selection state.
STATEFUL_DEFS = ("qHyperCubeDef", "qListObjectDef", "qSelectionObjectDef")


@dataclass
class GenericObject:
    id: str
    properties: dict[str, Any]

    @property
    def type(self) -> str:
        return str(self.properties.get("qInfo", {}).get("qType", ""))

    def state_names(self, known: Iterable[str] = ()) -> set[str]:
        """State names this object's layout reads: those of its stateful defs, its own when it
        holds expressions, and any of the `known` states its expressions name in a set
        identifier (`{StateA}`, `{StateA<...>}`, `StateA::Field`)."""
        names: set[str] = set()
        for key in STATEFUL_DEFS:
            definition = self.properties.get(key)
            if isinstance(definition, dict):
                names.add(effective_state(self.properties, definition))
        text = orjson.dumps(self.properties).decode()
        if _EXPRESSION_KEYS.search(text):
            names.add(effective_state(self.properties, {}))
        if "{" in text or "::" in text:
            names.update(s for s in known if s not in names and _names_state(text, s))
        return names


_EXPRESSION_KEYS = re.compile(r'"q(?:StringExpression|ValueExpression)"')


def _names_state(text: str, state: str) -> bool:
    name = re.escape(state)
    return re.search(rf"\{{\s*{name}\s*[}}<]|(?<![\w$]){name}::", text) is not None


def check_properties(properties: dict[str, Any]) -> None:
    """The members of generic-object properties that the engine itself reads."""
    info = properties.get("qInfo")
    if not isinstance(info, dict) or not info.get("qType") or not isinstance(info["qType"], str):
        raise InvalidParameterValue("qInfo.qType is required and must be a string")
    if not isinstance(info.get("qId", ""), str):
        raise InvalidParameterValue("qInfo.qId must be a string")
    for key in ("qStateName", "qExtendsId"):
        if not isinstance(properties.get(key) or "", str):
            raise InvalidParameterValue(f"{key} must be a string")
    check_definitions(properties)


@dataclass
class _Context:
    model: DataModel
    selections_of: Selections

    def selections(self, state_name: str) -> tuple[SelectionState, Inference]:
        return self.selections_of.resolve(state_name)


@dataclass
class DocSession:
    app: App
    selections: Selections
    objects: dict[str, GenericObject] = field(default_factory=dict)
    fields: dict[tuple[str, str], FieldRef] = field(default_factory=dict)

    @classmethod
    def open(cls, app: App) -> DocSession:
        return cls(app, Selections(app))

    def create_object(self, properties: dict[str, Any]) -> GenericObject:
        check_properties(properties)
        props = copy.deepcopy(properties)
        object_id = str(properties["qInfo"].get("qId") or "")
        if not object_id or object_id in self.objects:
            object_id = uuid.uuid4().hex[:12]
        props["qInfo"] = {**props["qInfo"], "qId": object_id}
        obj = GenericObject(object_id, props)
        self.objects[object_id] = obj
        return obj

    def field_ref(self, name: str, state_name: str) -> FieldRef:
        """One FieldRef per (field, state), so repeated GetField calls share a handle."""
        key = (name, state_key(state_name))
        if key not in self.fields:
            self.fields[key] = FieldRef(name, key[1])
        return self.fields[key]

    def layout(self, obj: GenericObject) -> dict[str, Any]:
        return layout_of(obj.properties, _Context(self.selections.model, self.selections))

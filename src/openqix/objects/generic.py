"""Generic-object layouts: the properties with every engine definition replaced by its
computed counterpart (sem §2.1), in the key order of real output: qInfo, qMeta,
qSelectionInfo, qStateName, then the other properties in their own order.

Each def is calculated in its own qStateName, else the object's, else the default "$".
Definitions not implemented yet (q...Def keys) are left out; dynamic keys are copied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from openqix.engine.inference import Inference
from openqix.engine.model import DataModel
from openqix.engine.selection import SelectionState
from openqix.objects.hypercube import hypercube
from openqix.objects.listobject import list_object

DEFAULT_STATE = "$"
PRIVILEGES = ("read", "update", "delete", "exportdata")
_HEAD_KEYS = frozenset({"qInfo", "qMetaDef", "qStateName", "qLayoutExclude"})

Compute = Callable[[DataModel, Inference, SelectionState, Mapping[str, Any]], dict[str, Any]]
_COMPUTED: dict[str, tuple[str, Compute]] = {
    "qHyperCubeDef": ("qHyperCube", hypercube),
    "qListObjectDef": ("qListObject", list_object),
}


class LayoutContext(Protocol):
    """What a layout needs from the session: the model and each state's selections."""

    @property
    def model(self) -> DataModel: ...

    def selections(self, state_name: str) -> tuple[SelectionState, Inference]: ...


@dataclass(frozen=True)
class StaticContext:
    """A LayoutContext over fixed (selection, inference) pairs per state name (tests, embeds)."""

    model: DataModel
    states: Mapping[str, tuple[SelectionState, Inference]] = field(default_factory=dict)

    def selections(self, state_name: str) -> tuple[SelectionState, Inference]:
        return self.states[state_name]


def layout_of(properties: Mapping[str, Any], ctx: LayoutContext) -> dict[str, Any]:
    """GetLayout of a generic object from its properties."""
    object_state = _state_name(properties)
    layout: dict[str, Any] = {"qInfo": properties.get("qInfo", {})}
    layout["qMeta"] = _meta(properties.get("qMetaDef"))
    layout["qSelectionInfo"] = {}
    if object_state:
        layout["qStateName"] = object_state
    for key, value in properties.items():
        if key in _HEAD_KEYS or (key == "qExtendsId" and not value):
            continue
        if isinstance(value, Mapping) and key in _COMPUTED:
            layout_key, compute = _COMPUTED[key]
            state, inference = ctx.selections(effective_state(properties, value))
            layout[layout_key] = compute(ctx.model, inference, state, value)
        elif key == "qExtendsId" or not (key.startswith("q") and key.endswith("Def")):
            layout[key] = value
    return layout


def effective_state(properties: Mapping[str, Any], definition: Mapping[str, Any]) -> str:
    """The state a def is calculated in: its own qStateName, else the object's, else "$"."""
    return _state_name(definition) or _state_name(properties) or DEFAULT_STATE


def _state_name(definition: Mapping[str, Any]) -> str:
    name = definition.get("qStateName")
    return name if isinstance(name, str) else ""


def _meta(meta_def: Any) -> dict[str, Any]:
    """qMeta: the qMetaDef content plus the engine's privileges."""
    meta = dict(meta_def) if isinstance(meta_def, Mapping) else {}
    meta["privileges"] = list(PRIVILEGES)
    return meta

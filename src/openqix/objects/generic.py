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
from openqix.errors import NotFound
from openqix.objects.field_list import field_list
from openqix.objects.hypercube import hypercube
from openqix.objects.listobject import list_object
from openqix.objects.selection_object import selection_object

DEFAULT_STATE = "$"
PRIVILEGES = ("read", "update", "delete", "exportdata")
_HEAD_KEYS = frozenset({"qInfo", "qMetaDef", "qStateName", "qLayoutExclude"})

Compute = Callable[[DataModel, Inference, SelectionState, Mapping[str, Any]], dict[str, Any]]
_COMPUTED: dict[str, tuple[str, Compute]] = {
    "qHyperCubeDef": ("qHyperCube", hypercube),
    "qListObjectDef": ("qListObject", list_object),
}
# Defs computed in a selection state, and the layout key of each.
_STATEFUL = {
    "qHyperCubeDef": "qHyperCube",
    "qListObjectDef": "qListObject",
    "qSelectionObjectDef": "qSelectionObject",
}


class LayoutContext(Protocol):
    """What a layout needs from the session: the model and each state's selections (NotFound
    for an unknown state). A context may also offer `selection_extras(state_name)` ->
    `SelectionExtras` (history counts, field flags) for selection objects."""

    @property
    def model(self) -> DataModel: ...

    def selections(self, state_name: str) -> tuple[SelectionState, Inference]: ...


@dataclass(frozen=True)
class StaticContext:
    """A LayoutContext over fixed (selection, inference) pairs per state name (tests, embeds)."""

    model: DataModel
    states: Mapping[str, tuple[SelectionState, Inference]] = field(default_factory=dict)

    def selections(self, state_name: str) -> tuple[SelectionState, Inference]:
        if state_name not in self.states:
            raise NotFound(f"unknown state: {state_name}")
        return self.states[state_name]


@dataclass
class ObjectSession:
    """A session's transient state of one object that its layout shows: active list-object
    searches (by def path) and selection mode (BeginSelections)."""

    searches: dict[str, str] = field(default_factory=dict)
    sort_states: dict[str, Any] = field(default_factory=dict)  # def path -> states at Begin
    in_selections: bool = False
    made_selections: bool = False

    def selection_info(self) -> dict[str, Any]:
        info: dict[str, Any] = {}
        if self.in_selections:
            info["qInSelections"] = True
        if self.made_selections:
            info["qMadeSelections"] = True
        return info


def layout_of(
    properties: Mapping[str, Any], ctx: LayoutContext, session: ObjectSession | None = None
) -> dict[str, Any]:
    """GetLayout of a generic object from its properties."""
    session = session or ObjectSession()
    object_state = _state_name(properties)
    layout: dict[str, Any] = {"qInfo": properties.get("qInfo", {})}
    layout["qMeta"] = _meta(properties.get("qMetaDef"))
    layout["qSelectionInfo"] = session.selection_info()
    if object_state:
        layout["qStateName"] = object_state
    for key, value in properties.items():
        if key in _HEAD_KEYS or (key == "qExtendsId" and not value):
            continue
        if isinstance(value, Mapping) and key in _STATEFUL:
            layout[_STATEFUL[key]] = _computed(key, value, properties, ctx, session)
        elif isinstance(value, Mapping) and key == "qFieldListDef":
            layout["qFieldList"] = field_list(ctx.model, value)
        elif key == "qExtendsId" or not (key.startswith("q") and key.endswith("Def")):
            layout[key] = value
    return layout


def _computed(
    key: str,
    definition: Mapping[str, Any],
    properties: Mapping[str, Any],
    ctx: LayoutContext,
    session: ObjectSession,
) -> dict[str, Any]:
    """The layout part of one stateful def; a def in an unknown state carries qError."""
    state_name = effective_state(properties, definition)
    try:
        state, inference = ctx.selections(state_name)
    except NotFound:
        return {"qError": {"qErrorCode": NotFound.code, "qContext": f"unknown state {state_name}"}}
    if key == "qListObjectDef":
        path = "/" + key
        search = session.searches.get(path)
        sort_states = session.sort_states.get(path) if session.in_selections else None
        return list_object(ctx.model, inference, state, definition, search, sort_states)
    if key == "qSelectionObjectDef":
        extras_of = getattr(ctx, "selection_extras", None)
        extras = extras_of(state_name) if callable(extras_of) else None
        return selection_object(ctx.model, inference, state, state_name, extras)
    if key == "qHyperCubeDef":  # a context may offer variables and set identifiers
        context_of = getattr(ctx, "chart_context", None)
        context = context_of(state_name) if callable(context_of) else None
        return hypercube(ctx.model, inference, state, definition, context)
    return _COMPUTED[key][1](ctx.model, inference, state, definition)


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

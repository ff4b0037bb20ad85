"""A session's view of an open app: its selections and its session objects.

The app's data and script are shared by every session that opens it; selections and session
objects (CreateSessionObject) belong to one session and die with it.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from openqix.app import App
from openqix.calc.chart import ChartContext
from openqix.calc.values import Dual
from openqix.engine.inference import Inference
from openqix.engine.model import DataModel
from openqix.engine.selection import SelectionState
from openqix.errors import InvalidParameterValue
from openqix.field_ref import FieldRef
from openqix.objects.definitions import check_definitions
from openqix.objects.expressions import ExpressionEnv, complete_layout
from openqix.objects.generic import ObjectSession, effective_state, layout_of
from openqix.objects.selection_object import SelectionExtras
from openqix.objects.variables import VariableScope, VariableStore
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
    chart_contexts: Callable[[str], ChartContext] | None = None

    def chart_context(self, state_name: str) -> ChartContext | None:
        """Variables and set identifiers for hypercube expressions (docs/variables.md)."""
        return self.chart_contexts(state_name) if self.chart_contexts is not None else None

    def selections(self, state_name: str) -> tuple[SelectionState, Inference]:
        return self.selections_of.resolve(state_name)

    def selection_extras(self, state_name: str) -> SelectionExtras:
        of = self.selections_of
        return SelectionExtras(
            of.back_count(state_name),
            of.forward_count(state_name),
            frozenset(of.one_and_only_one),
            frozenset(of.and_mode),
            of.text_searches(state_name),
        )


@dataclass
class DocSession:
    app: App
    selections: Selections
    objects: dict[str, GenericObject] = field(default_factory=dict)
    fields: dict[tuple[str, str], FieldRef] = field(default_factory=dict)
    object_sessions: dict[str, ObjectSession] = field(default_factory=dict)
    # Selections per state when an object's BeginSelections ran (EndSelections(false) restores).
    object_snapshots: dict[str, dict[str, SelectionState]] = field(default_factory=dict)
    session_variables: VariableStore = field(default_factory=lambda: VariableStore(session=True))

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

    def object_session(self, obj: GenericObject) -> ObjectSession:
        """This session's searches and selection mode of `obj`."""
        return self.object_sessions.setdefault(obj.id, ObjectSession())

    def layout(self, obj: GenericObject) -> dict[str, Any]:
        ctx = _Context(self.selections.model, self.selections, self.chart_context)
        layout = layout_of(obj.properties, ctx, self.object_sessions.get(obj.id))
        return complete_layout(
            obj.properties, layout, self.variables, self.evaluate, self.bookmark_list
        )

    # -- bookmarks (docs/bookmarks.md) -------------------------------------------------------
    def bookmark_list(self, list_def: Mapping[str, Any]) -> list[dict[str, Any]]:
        """qBookmarkList items (also Doc.GetBookmarks) for a qBookmarkListDef."""
        types = list_def.get("qTypes")
        if not isinstance(types, list):
            types = [list_def.get("qType")]
        data = list_def.get("qData")
        return self.app.bookmarks.listed(types, data if isinstance(data, Mapping) else {})

    def bookmark_selection(self, identifier: str, state_name: str) -> SelectionState | None:
        """A set identifier naming a bookmark (id or title): its selections in `state_name`."""
        bookmark = self.app.bookmarks.find(identifier)
        if bookmark is None:
            return None
        return bookmark.selection(self.selections.model, state_name)

    # -- variables and single values (docs/variables.md) ----------------------------------------
    @property
    def variables(self) -> VariableScope:
        """The app's variables with this session's own (CreateSessionVariable) over them."""
        return VariableScope(self.app.variables, self.session_variables)

    def evaluate(self, text: str, state_name: str = "$") -> Dual:
        """One value of a chart expression without dimensions (Evaluate, `=` variables)."""
        return self.expressions().evaluate(text, state_name)

    def chart_context(self, state_name: str = "$") -> ChartContext:
        """Chart evaluation in a state with this session's variables and states."""
        return self.expressions().chart_context(state_name)

    def expressions(self) -> ExpressionEnv:
        """Single-value evaluation over this session's selections and variables."""
        return ExpressionEnv(
            self.selections.model,
            self.selections.state,
            self.variables,
            self.bookmark_selection,
        )

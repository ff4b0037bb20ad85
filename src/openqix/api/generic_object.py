"""GenericObject: layouts, properties, data pages, selections through list objects/cubes."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

from openqix.api.base import QixApi, element_numbers
from openqix.docsession import GenericObject, check_properties
from openqix.engine import selection as sel
from openqix.errors import InvalidParameterValue, NotFound
from openqix.objects.dimension_info import parse_dimension
from openqix.objects.generic import ObjectSession, effective_state
from openqix.objects.hypercube import hypercube_data
from openqix.objects.listobject import list_object_data, list_search_symbols, list_states
from openqix.selections import Selections

LIST_PATH = "/qListObjectDef"
CUBE_PATH = "/qHyperCubeDef"


class GenericObjectApi(QixApi):
    qix_type = "GenericObject"

    @property
    def obj(self) -> GenericObject:
        assert isinstance(self.target, GenericObject)
        return self.target

    def GetLayout(self) -> dict[str, Any]:
        return {"qLayout": self.doc.layout(self.obj)}

    def GetProperties(self) -> dict[str, Any]:
        return {"qProp": copy.deepcopy(self.obj.properties)}

    def GetEffectiveProperties(self) -> dict[str, Any]:
        return {"qProp": copy.deepcopy(self.obj.properties)}

    def GetInfo(self) -> dict[str, Any]:
        return {"qInfo": copy.deepcopy(self.obj.properties["qInfo"])}

    def SetProperties(self, qProp: dict[str, Any]) -> dict[str, Any]:
        check_properties(qProp)
        props = copy.deepcopy(qProp)
        props["qInfo"] = {**qProp["qInfo"], "qId": self.obj.id}  # the id of an object never changes
        self.obj.properties = props
        if self.call.entry is not None:
            self.call.changed(self.call.entry.handle)
        return {}

    # -- data pages --------------------------------------------------------------------------
    def GetListObjectData(self, qPath: str, qPages: list[Any]) -> dict[str, Any]:
        definition, state, inference = self._definition(qPath, "qListObjectDef")
        session = self._session
        search = session.searches.get(qPath)
        frozen = session.sort_states.get(qPath) if session.in_selections else None
        model = self.doc.selections.model
        pages = list_object_data(model, inference, state, definition, qPages, search, frozen)
        return {"qDataPages": pages}

    def GetHyperCubeData(self, qPath: str, qPages: list[Any]) -> dict[str, Any]:
        definition, state, inference = self._definition(qPath, "qHyperCubeDef")
        context = self.doc.chart_context(self._state_name(definition))
        model = self.doc.selections.model
        pages = hypercube_data(model, inference, state, definition, qPages, context)
        return {"qDataPages": pages}

    # -- selections ---------------------------------------------------------------------------
    def SelectListObjectValues(
        self, qPath: str, qValues: list[int], qToggleMode: bool, qSoftLock: bool
    ) -> dict[str, Any]:
        definition = self._def_at(qPath, "qListObjectDef")
        return self._select(self._field(definition), qValues, qToggleMode, qSoftLock, definition)

    def SelectHyperCubeValues(
        self, qPath: str, qDimNo: int, qValues: list[int], qToggleMode: bool
    ) -> dict[str, Any]:
        definition = self._def_at(qPath, "qHyperCubeDef")
        dims = definition.get("qDimensions") or []
        if not 0 <= qDimNo < len(dims):
            raise InvalidParameterValue(f"qDimNo out of range: {qDimNo}")
        return self._select(self._field(dims[qDimNo]), qValues, qToggleMode, False, definition)

    def ClearSelections(self, qPath: str, qColIndices: list[int]) -> dict[str, Any]:
        definition, fields = self._fields_at(qPath, qColIndices)
        state = self._state_name(definition)
        selections = self.doc.selections
        for field in fields:
            if field is not None:
                selections.clear_field(field, state)
        self._made_selection()
        self.selection_changed(state)
        return {}

    # -- list-object selections, search, locks, selection mode ---------------------------------
    def SelectListObjectPossible(self, qPath: str, qSoftLock: bool) -> dict[str, Any]:
        return self._list_whole_field(qPath, sel.select_possible, qSoftLock, True)

    def SelectListObjectExcluded(self, qPath: str, qSoftLock: bool) -> dict[str, Any]:
        return self._list_whole_field(qPath, sel.select_excluded, qSoftLock, True)

    def SelectListObjectAlternative(self, qPath: str, qSoftLock: bool) -> dict[str, Any]:
        return self._list_whole_field(qPath, sel.select_alternative, qSoftLock, True)

    def SelectListObjectAll(self, qPath: str, qSoftLock: bool) -> dict[str, Any]:
        return self._list_whole_field(qPath, sel.select_all, qSoftLock, False)

    def SelectListObjectContinuousRange(
        self, qPath: str, qRanges: list[Any], qSoftLock: bool
    ) -> dict[str, Any]:
        definition = self._def_at(qPath, "qListObjectDef")
        ranges = [_range(r) for r in qRanges if isinstance(r, dict)]
        return self._list_change(
            definition,
            lambda s, field, state: s.select_ranges(field, ranges, qSoftLock, state),
        )

    def SearchListObjectFor(self, qPath: str, qMatch: str) -> dict[str, Any]:
        self._def_at(qPath, "qListObjectDef")
        if qMatch:
            self._session.searches[qPath] = qMatch
        else:
            self._session.searches.pop(qPath, None)
        self._self_changed()
        return {"qSuccess": True}

    def AbortListObjectSearch(self, qPath: str) -> dict[str, Any]:
        self._def_at(qPath, "qListObjectDef")
        if self._session.searches.pop(qPath, None) is not None:
            self._self_changed()
        return {}

    def AcceptListObjectSearch(
        self, qPath: str, qToggleMode: bool, qSoftLock: bool
    ) -> dict[str, Any]:
        """Select the values the active search matches (replacing or toggling), end the search."""
        definition = self._def_at(qPath, "qListObjectDef")
        text = self._session.searches.pop(qPath, None)
        self._self_changed()
        if text is None:
            return {}
        symbols = list_search_symbols(self.doc.selections.model, definition, text).tolist()

        def accept(selections: Selections, field: str, state: str) -> bool:
            ok = selections.select_symbols(field, symbols, qToggleMode, qSoftLock, state)
            if ok and not qToggleMode:
                selections.note_search(field, text, state)
            return ok

        if symbols:
            self._list_change(definition, accept)
        return {}

    def Lock(self, qPath: str, qColIndices: list[int]) -> dict[str, Any]:
        return self._lock(qPath, qColIndices, True)

    def Unlock(self, qPath: str, qColIndices: list[int]) -> dict[str, Any]:
        return self._lock(qPath, qColIndices, False)

    def _lock(self, path: str, columns: list[int], lock: bool) -> dict[str, Any]:
        definition, fields = self._fields_at(path, columns)
        state = self._state_name(definition)
        selections = self.doc.selections
        for field in fields:
            if field is not None:
                (selections.lock if lock else selections.unlock)(field, state)
        self.selection_changed(state)
        return {}

    def BeginSelections(self, qPaths: list[Any]) -> dict[str, Any]:
        """Selection mode: selections apply at once; EndSelections(false) rolls them back."""
        session = self._session
        if not session.in_selections:
            session.in_selections = True
            session.made_selections = False
            known = self.doc.selections.known_states()
            session.sort_states.clear()
            definition = self.obj.properties.get("qListObjectDef")
            if isinstance(definition, dict):
                _, _, inference = self._definition(LIST_PATH, "qListObjectDef")
                states = list_states(self.doc.selections.model, inference, definition)
                if states is not None:
                    session.sort_states[LIST_PATH] = states
            self.doc.object_snapshots[self.obj.id] = {
                name: self.doc.selections.state(name)
                for name in self.obj.state_names(known)
                if name in known
            }
            self._self_changed()
        return {}

    def EndSelections(self, qAccept: bool) -> dict[str, Any]:
        session = self._session
        if not session.in_selections:
            return {}
        session.in_selections = session.made_selections = False
        session.sort_states.clear()
        snapshots = self.doc.object_snapshots.pop(self.obj.id, {})
        if not qAccept:
            for name, snapshot in snapshots.items():
                self.doc.selections.restore(snapshot, name)
            self.selection_changed()
        self._self_changed()
        return {}

    def ResetMadeSelections(self) -> dict[str, Any]:
        """Selection mode stays on; the selections go back to where BeginSelections found them."""
        if not self._session.in_selections:
            return {}
        for name, snapshot in self.doc.object_snapshots.get(self.obj.id, {}).items():
            self.doc.selections.restore(snapshot, name)
        self._session.made_selections = False
        self.selection_changed()
        self._self_changed()
        return {}

    def _list_whole_field(
        self, path: str, operation: Any, soft_lock: bool, needs_inference: bool
    ) -> dict[str, Any]:
        definition = self._def_at(path, "qListObjectDef")
        return self._list_change(
            definition,
            lambda s, field, state: s.apply(operation, field, soft_lock, state, needs_inference),
        )

    def _list_change(
        self, definition: dict[str, Any], change: Callable[[Selections, str, str], bool]
    ) -> dict[str, Any]:
        """Run a selection change on the list object's field; qSuccess false without one."""
        field = self._field(definition)
        if field is None:
            return {"qSuccess": False}
        state = self._state_name(definition)
        ok = change(self.doc.selections, field, state)
        self._made_selection()
        self.selection_changed(state)
        return {"qSuccess": ok}

    def _fields_at(self, path: str, columns: list[int]) -> tuple[dict[str, Any], list[str | None]]:
        """The def at `path` and the fields behind it (a cube's dimensions at `columns`)."""
        if path == LIST_PATH:
            definition = self._def_at(path, "qListObjectDef")
            return definition, [self._field(definition)]
        definition = self._def_at(path, "qHyperCubeDef")
        dims = definition.get("qDimensions") or []
        indices = element_numbers(columns) or list(range(len(dims)))
        return definition, [self._field(dims[i]) for i in indices if 0 <= i < len(dims)]

    @property
    def _session(self) -> ObjectSession:
        return self.doc.object_session(self.obj)

    def _made_selection(self) -> None:
        session = self.doc.object_sessions.get(self.obj.id)
        if session is not None and session.in_selections and not session.made_selections:
            session.made_selections = True
            self._self_changed()

    def _self_changed(self) -> None:
        if self.call.entry is not None:
            self.call.changed(self.call.entry.handle)

    # -- internals ------------------------------------------------------------------------------
    def _field(self, dimension: dict[str, Any]) -> str | None:
        """The field a dimension (or list object) selects in; None when it has none."""
        return parse_dimension(self.doc.selections.model, dimension).field

    def _select(
        self, field: str | None, values: list[int], toggle: bool, soft_lock: bool, definition: Any
    ) -> dict[str, Any]:
        selections = self.doc.selections
        if field is None:
            return {"qSuccess": False}
        state = self._state_name(definition)
        ok = selections.select_symbols(field, element_numbers(values), toggle, soft_lock, state)
        self._made_selection()
        self.selection_changed(state)
        return {"qSuccess": ok}

    def _state_name(self, definition: dict[str, Any]) -> str:
        return effective_state(self.obj.properties, definition)

    def _def_at(self, path: str, key: str) -> dict[str, Any]:
        if path != "/" + key:
            raise NotFound(f"no {key} at path {path}")
        definition = self.obj.properties.get(key)
        if not isinstance(definition, dict):
            raise NotFound(f"the object has no {key}")
        return definition

    def _definition(self, path: str, key: str) -> tuple[dict[str, Any], Any, Any]:
        definition = self._def_at(path, key)
        state, inference = self.doc.selections.resolve(self._state_name(definition))
        return definition, state, inference


def _range(value: dict[str, Any]) -> tuple[float, float, bool, bool]:
    """A Range {qMin, qMax, qMinInclEq, qMaxInclEq}; a missing bound is open."""
    low, high = value.get("qMin"), value.get("qMax")
    return (
        float(low) if isinstance(low, int | float) and not isinstance(low, bool) else -math.inf,
        float(high) if isinstance(high, int | float) and not isinstance(high, bool) else math.inf,
        bool(value.get("qMinInclEq")),
        bool(value.get("qMaxInclEq")),
    )

"""GenericObject: layouts, properties, data pages, selections through list objects/cubes."""

from __future__ import annotations

import copy
from typing import Any

from openqix.api.base import QixApi, element_numbers
from openqix.docsession import GenericObject, check_properties
from openqix.errors import InvalidParameterValue, NotFound
from openqix.objects.dimension_info import parse_dimension
from openqix.objects.generic import effective_state
from openqix.objects.hypercube import hypercube_data
from openqix.objects.listobject import list_object_data

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
        pages = list_object_data(self.doc.selections.model, inference, state, definition, qPages)
        return {"qDataPages": pages}

    def GetHyperCubeData(self, qPath: str, qPages: list[Any]) -> dict[str, Any]:
        definition, state, inference = self._definition(qPath, "qHyperCubeDef")
        pages = hypercube_data(self.doc.selections.model, inference, state, definition, qPages)
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
        if qPath == LIST_PATH:
            definition = self._def_at(qPath, "qListObjectDef")
            fields = [self._field(definition)]
        else:
            definition = self._def_at(qPath, "qHyperCubeDef")
            dims = definition.get("qDimensions") or []
            columns = element_numbers(qColIndices) or list(range(len(dims)))
            fields = [self._field(dims[i]) for i in columns if 0 <= i < len(dims)]
        state = self._state_name(definition)
        selections = self.doc.selections
        for field in fields:
            if field is not None:
                selections.clear_field(field, state)
        self.selection_changed(state)
        return {}

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

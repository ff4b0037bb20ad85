"""Bookmarks: named snapshots of the selections of every state (qix-shapes §7.3).

A bookmark keeps its selections by value (`qValues` texts and numbers), so it survives a
reload the way current selections do, and is turned back into a `SelectionState` against
whatever model is loaded when it is applied or named as a set identifier (`{BM01}`).
Pure: no sessions here; the API layer decides which states to restore. See docs/bookmarks.md.
"""

from __future__ import annotations

import copy
import math
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from openqix.engine.model import DataModel
from openqix.engine.selection import FieldSelection, SelectionState
from openqix.errors import InvalidParameterValue
from openqix.objects.variables import json_pointer, meta_of

BOOKMARK_TYPE = "bookmark"
NUMBER_FORMAT = {"qType": "U", "qnDec": 10, "qUseThou": 0}
_QLIK_EPOCH_DAYS = 25569  # 1970-01-01 as a Qlik serial day number


def utc_now_serial() -> float:
    """The current UTC time as a Qlik serial day number (qUtcModifyTime)."""
    return time.time() / 86400 + _QLIK_EPOCH_DAYS


def field_value(text: str, number: float) -> dict[str, Any]:
    """A FieldValue: `{qText}` for text, `{qText, qIsNumeric, qNumber}` for a number."""
    if math.isnan(number):
        return {"qText": text}
    return {"qText": text, "qIsNumeric": True, "qNumber": number}


def capture_state(
    model: DataModel, state: SelectionState, searches: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The BookmarkFieldItems of one state's selections (one loop step per selected value)."""
    items: list[dict[str, Any]] = []
    for name, selection in state.fields.items():
        if name not in model.fields:
            continue
        symbols = model.fields[name].symbols
        indices = np.flatnonzero(selection.selected).tolist()
        if not indices and not selection.locked:
            continue
        select_info: dict[str, Any] = {}
        if searches and name in searches:
            select_info["qTextSearch"] = searches[name]
        select_info.update(
            {
                "qRangeLo": "NaN",
                "qRangeHi": "NaN",
                "qNumberFormat": dict(NUMBER_FORMAT),
                "qRangeInfo": [],
                "qContinuousRangeInfo": [],
            }
        )
        item: dict[str, Any] = {"qDef": {"qName": name, "qType": "PRESENT"}}
        if selection.locked:
            item["qLocked"] = True
        item["qSelectInfo"] = select_info
        item["qValues"] = [field_value(symbols.text(i), symbols.number(i)) for i in indices]
        item["qExcludedValues"] = []
        items.append(item)
    return items


def state_from_items(model: DataModel, items: Iterable[Any]) -> SelectionState:
    """The selections stored as field items, matched by value in `model`: a number by its
    number, a text by its text; values and fields the model lacks are dropped."""
    fields: dict[str, FieldSelection] = {}
    for item in items:
        if not isinstance(item, Mapping):
            continue
        definition = item.get("qDef")
        name = definition.get("qName") if isinstance(definition, Mapping) else None
        if not isinstance(name, str) or name not in model.fields:
            continue
        symbols = model.fields[name].symbols
        mask = np.zeros(len(symbols), dtype=np.bool_)
        for value in item.get("qValues") or []:
            index = _find(symbols, value)
            if index is not None:
                mask[index] = True
        mask.setflags(write=False)
        locked = bool(item.get("qLocked"))
        if mask.any() or locked:
            fields[name] = FieldSelection(mask, locked)
    return SelectionState(fields)


def _find(symbols: Any, value: Any) -> int | None:
    if not isinstance(value, Mapping):
        return None
    number = value.get("qNumber")
    if value.get("qIsNumeric") and isinstance(number, int | float) and not isinstance(number, bool):
        found: int | None = symbols.find_number(float(number))
        return found
    text = value.get("qText")
    return symbols.find_text(text) if isinstance(text, str) else None


@dataclass
class Bookmark:
    """One bookmark: its properties (qInfo, qMetaDef, dynamic keys) and stored selections."""

    id: str
    properties: dict[str, Any]
    state_data: list[dict[str, Any]] = field(default_factory=list)  # AlternateStateData
    modify_time: float = field(default_factory=utc_now_serial)

    @property
    def type(self) -> str:
        return str(self.properties.get("qInfo", {}).get("qType") or BOOKMARK_TYPE)

    @property
    def title(self) -> str:
        meta = self.properties.get("qMetaDef")
        title = meta.get("title") if isinstance(meta, Mapping) else None
        return title if isinstance(title, str) else ""

    def items(self, state_name: str) -> list[dict[str, Any]]:
        """The field items stored for one state ([] when it had no selections)."""
        for entry in self.state_data:
            if entry.get("qStateName") == state_name:
                return list(entry.get("qFieldItems") or [])
        return []

    def selection(self, model: DataModel, state_name: str) -> SelectionState:
        return state_from_items(model, self.items(state_name))

    def nx_bookmark(self) -> dict[str, Any]:
        return {
            "qStateData": copy.deepcopy(self.state_data),
            "qUtcModifyTime": self.modify_time,
            "qVariableItems": [],
            "qPatches": [],
        }

    def layout(self) -> dict[str, Any]:
        """GenericBookmarkLayout; qFieldInfos describes the default state's fields."""
        layout: dict[str, Any] = {"qInfo": copy.deepcopy(self.properties["qInfo"])}
        layout["qMeta"] = meta_of(self.properties.get("qMetaDef"))
        layout["qBookmark"] = self.nx_bookmark()
        layout["qFieldInfos"] = [
            {
                "qFieldName": item["qDef"]["qName"],
                "qValuesCount": len(item.get("qValues") or []),
                "qExcludedValuesCount": len(item.get("qExcludedValues") or []),
            }
            for item in self.items("$")
        ]
        for key, value in self.properties.items():
            if not key.startswith("q"):
                layout[key] = copy.deepcopy(value)
        return layout

    def field_values(self, name: str, excluded: bool, start: int, end: int) -> list[Any]:
        """GetFieldValues: the stored (or excluded) values of a field, indices start..end."""
        for item in self.items("$"):
            if item.get("qDef", {}).get("qName") == name:
                values = item.get("qExcludedValues" if excluded else "qValues") or []
                return copy.deepcopy(values[max(start, 0) : max(end, start, 0) + 1])
        return []

    def list_item(self, data_paths: Mapping[str, Any]) -> dict[str, Any]:
        """An NxContainerEntry for qBookmarkList / GetBookmarks: `qData` maps each key to the
        value at its JSON pointer in the properties, plus the engine's `qBookmark`."""
        data = {key: json_pointer(self.properties, path) for key, path in data_paths.items()}
        data["qBookmark"] = self.nx_bookmark()
        return {
            "qInfo": copy.deepcopy(self.properties["qInfo"]),
            "qMeta": meta_of(self.properties.get("qMetaDef")),
            "qData": data,
        }

    def to_record(self) -> dict[str, Any]:
        return {
            "properties": copy.deepcopy(self.properties),
            "qStateData": copy.deepcopy(self.state_data),
            "qUtcModifyTime": self.modify_time,
        }


def check_bookmark_properties(prop: Any) -> dict[str, Any]:
    """A private copy of bookmark properties with `qInfo.qType` defaulted to "bookmark"."""
    if not isinstance(prop, Mapping):
        raise InvalidParameterValue("qProp must be an object")
    info = prop.get("qInfo", {})
    if not isinstance(info, Mapping):
        raise InvalidParameterValue("qInfo must be an object")
    for key in ("qId", "qType"):
        if not isinstance(info.get(key) or "", str):
            raise InvalidParameterValue(f"qInfo.{key} must be a string")
    if not isinstance(prop.get("qMetaDef", {}), Mapping):
        raise InvalidParameterValue("qMetaDef must be an object")
    props = copy.deepcopy(dict(prop))
    props["qInfo"] = {**info, "qType": info.get("qType") or BOOKMARK_TYPE}
    props.setdefault("qMetaDef", {})
    return props


class BookmarkStore:
    """An app's bookmarks by id, in creation order."""

    def __init__(self) -> None:
        self._items: dict[str, Bookmark] = {}

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Bookmark]:
        return iter(list(self._items.values()))

    def get(self, bookmark_id: str) -> Bookmark | None:
        return self._items.get(bookmark_id)

    def create(self, prop: Any, state_data: Sequence[dict[str, Any]]) -> Bookmark:
        """A new bookmark; the client's qInfo.qId is kept unless empty or taken."""
        props = check_bookmark_properties(prop)
        bookmark_id = str(props["qInfo"].get("qId") or "")
        if not bookmark_id or bookmark_id in self._items:
            bookmark_id = "bm" + uuid.uuid4().hex[:10]  # usable as a bare set identifier
        props["qInfo"]["qId"] = bookmark_id
        bookmark = Bookmark(bookmark_id, props, list(state_data))
        self._items[bookmark_id] = bookmark
        return bookmark

    def set_properties(self, bookmark: Bookmark, prop: Any) -> None:
        """SetProperties: everything but the id (which stays) is replaced."""
        props = check_bookmark_properties(prop)
        props["qInfo"]["qId"] = bookmark.id
        bookmark.properties = props
        bookmark.modify_time = utc_now_serial()

    def remove(self, bookmark_id: str) -> Bookmark | None:
        return self._items.pop(bookmark_id, None)

    def find(self, identifier: str) -> Bookmark | None:
        """A set identifier's bookmark: by id, else by title (the first one with it)."""
        found = self._items.get(identifier)
        if found is not None:
            return found
        return next((b for b in self._items.values() if b.title == identifier), None)

    def listed(self, types: Iterable[Any], data_paths: Mapping[str, Any]) -> list[dict[str, Any]]:
        """NxContainerEntries of the bookmarks whose qType is in `types` (all when `types`
        holds no non-empty name)."""
        wanted = {t for t in types if isinstance(t, str) and t}
        return [b.list_item(data_paths) for b in self if not wanted or b.type in wanted]

    def to_records(self) -> list[dict[str, Any]]:
        return [b.to_record() for b in self]

    @classmethod
    def from_records(cls, records: Iterable[Any]) -> BookmarkStore:
        store = cls()
        for record in records:
            if not isinstance(record, Mapping):
                continue
            props = check_bookmark_properties(record.get("properties", {}))
            bookmark_id = str(props["qInfo"].get("qId") or "")
            if not bookmark_id:
                continue
            state_data = [dict(e) for e in record.get("qStateData") or [] if isinstance(e, Mapping)]
            modify = record.get("qUtcModifyTime")
            bookmark = Bookmark(bookmark_id, props, state_data)
            if isinstance(modify, int | float) and not isinstance(modify, bool):
                bookmark.modify_time = float(modify)
            store._items[bookmark_id] = bookmark
        return store

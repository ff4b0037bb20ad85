"""The current-selections object (`qSelectionObjectDef` -> `qSelectionObject`, sem §1.10,
shapes §5): one item per field with selected values in one state, in selection order.

`qSelected` lists the selected texts (numbers first, ascending, then texts, case-insensitive)
joined with ", " up to `qSelectionThreshold` values, else reads "<n> of <total>".
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from openqix.engine.inference import Inference, state_counts
from openqix.engine.model import DataModel, Field
from openqix.engine.selection import SelectionState

SELECTION_THRESHOLD = 6


@dataclass(frozen=True)
class SelectionExtras:
    """What a selection object shows besides the selections: history and field flags."""

    back_count: int = 0
    forward_count: int = 0
    one_and_only_one: Collection[str] = field(default_factory=frozenset)
    and_mode: Collection[str] = field(default_factory=frozenset)
    text_searches: Mapping[str, str] = field(default_factory=dict)


def selection_object(
    model: DataModel,
    inference: Inference,
    state: SelectionState,
    state_name: str,
    extras: SelectionExtras | None = None,
) -> dict[str, Any]:
    """The `qSelectionObject` layout of the state `state_name`."""
    extras = extras or SelectionExtras()
    items: list[dict[str, Any]] = []
    for name, selection in state.fields.items():
        info = model.fields.get(name)
        if info is None or name not in inference.states:
            continue
        selected = np.flatnonzero(selection.selected[: info.cardinal])
        excluded = selection.excluded
        negated = (
            np.flatnonzero(excluded[: info.cardinal]) if excluded is not None else selected[:0]
        )
        if not len(selected) and not len(negated):
            continue
        item = _item(info, inference, selected, len(items), selection.locked, extras)
        if len(negated):
            item["qNotSelectedFieldSelectionInfo"] = [
                {"qName": text, "qFieldSelectionMode": "NOT"}
                for text in selected_texts(info, negated, SELECTION_THRESHOLD)
            ]
        items.append(item)
    return {
        "qBackCount": extras.back_count,
        "qForwardCount": extras.forward_count,
        "qStateName": state_name,
        "qSelections": items,
    }


def _item(
    info: Field,
    inference: Inference,
    selected: np.ndarray[Any, Any],
    sort_index: int,
    locked: bool,
    extras: SelectionExtras,
) -> dict[str, Any]:
    count = len(selected)
    texts = selected_texts(info, selected, SELECTION_THRESHOLD)
    mode = "AND" if info.name in extras.and_mode else "NORMAL"
    item: dict[str, Any] = {"qTotal": info.cardinal}
    if info.cardinal and info.symbols.numeric_count == info.cardinal:
        item["qIsNum"] = True
    item["qField"] = info.name
    if locked:
        item["qLocked"] = True
    if info.name in extras.one_and_only_one:
        item["qOneAndOnlyOne"] = True
    if extras.text_searches.get(info.name):
        item["qTextSearch"] = extras.text_searches[info.name]
    item["qSelectedCount"] = count
    item["qSelected"] = (
        ", ".join(texts) if count <= SELECTION_THRESHOLD else f"{count} of {info.cardinal}"
    )
    item["qRangeInfo"] = []
    item["qSortIndex"] = sort_index
    item["qStateCounts"] = state_counts(inference.states[info.name])
    item["qSelectedFieldSelectionInfo"] = [
        {"qName": text, "qFieldSelectionMode": mode} for text in texts[:SELECTION_THRESHOLD]
    ]
    item["qNotSelectedFieldSelectionInfo"] = []
    item["qSelectionThreshold"] = SELECTION_THRESHOLD
    return item


def selected_texts(
    info: Field, selected: np.ndarray[Any, Any], limit: int | None = None
) -> list[str]:
    """Texts of the first `limit` (default all) selected symbols in display order: numbers
    ascending, then texts case-insensitively (ties by load order)."""
    need = len(selected) if limit is None else min(limit, len(selected))
    numbers = info.symbols.numbers[selected]
    is_text = np.isnan(numbers)
    numeric = selected[~is_text][np.argsort(numbers[~is_text], kind="stable")]
    chosen = numeric[:need].tolist()
    if len(chosen) < need:
        text_symbols = selected[is_text].tolist()
        chosen += heapq.nsmallest(
            need - len(chosen), text_symbols, key=lambda i: (info.symbols.text(i).casefold(), i)
        )
    return [info.symbols.text(int(i)) for i in chosen]

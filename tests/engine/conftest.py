"""Builders shared by the engine tests, handed out as the `eng` fixture (a namespace) so no
test imports conftest by module name."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from openqix.engine.inference import Inference
from openqix.engine.model import Column, DataModel, LoadedTable
from openqix.engine.selection import FieldSelection, SelectionState
from openqix.engine.states import STATE_LETTERS


def _model(**tables: dict[str, list[Any]]) -> DataModel:
    """_model(Orders={"OrderID": [...], ...}, ...) -> DataModel."""
    return DataModel.build(
        [
            LoadedTable(name, tuple(cols), tuple(Column.from_values(v) for v in cols.values()))
            for name, cols in tables.items()
        ]
    )


def _mask(model: DataModel, field: str, *texts: str) -> np.ndarray:
    symbols = model.fields[field].symbols
    out = np.zeros(len(symbols), dtype=bool)
    for text in texts:
        index = symbols.find_text(text)
        assert index is not None, f"{text!r} not in {field}"
        out[index] = True
    return out


def _state(
    model: DataModel, choices: dict[str, list[str]], locked: tuple[str, ...] = ()
) -> SelectionState:
    """_state(model, {"Field": ["a", "b"]}, locked=("Field",))."""
    return SelectionState(
        {
            name: FieldSelection(_mask(model, name, *texts), name in locked)
            for name, texts in choices.items()
        }
    )


def _letters(inference: Inference, model: DataModel, field: str) -> dict[str, str]:
    """Value text -> state letter, e.g. {"a": "S", "b": "A"}."""
    texts = model.fields[field].symbols.texts
    codes = inference.states[field].tolist()
    return {t: STATE_LETTERS[s] for t, s in zip(texts, codes, strict=True)}


def _selected(state: SelectionState, model: DataModel, field: str) -> set[str]:
    sel = state.fields.get(field)
    if sel is None:
        return set()
    texts = model.fields[field].symbols.texts
    return {texts[i] for i in np.flatnonzero(sel.selected)}


def _rows(inference: Inference, table: str) -> list[int]:
    return np.flatnonzero(inference.possible_rows[table]).tolist()


@pytest.fixture(scope="session")
def eng() -> SimpleNamespace:
    return SimpleNamespace(
        model=_model,
        mask=_mask,
        state=_state,
        letters=_letters,
        selected=_selected,
        rows=_rows,
    )

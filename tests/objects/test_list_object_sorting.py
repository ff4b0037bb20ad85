"""List-object sort keys not covered elsewhere: frequency, load order, the expression hook."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from objects_testkit import all_possible, column, model, table

from openqix.engine.selection import SelectionState
from openqix.objects import listobject
from openqix.objects.listobject import list_object

MODEL = model(table("T", f=["b", "a", "c", "a", "c", "c"]))
PAGE = [{"qLeft": 0, "qTop": 0, "qWidth": 1, "qHeight": 10}]


def _values(criteria: dict[str, Any]) -> list[str]:
    definition = {"qDef": {"qFieldDefs": ["f"], "qSortCriterias": [criteria]}}
    definition["qInitialDataFetch"] = PAGE
    layout = list_object(MODEL, all_possible(MODEL), SelectionState.empty(), definition)
    return column(layout["qDataPages"][0], 0)


@pytest.fixture
def by_length_desc() -> Iterator[None]:
    def hook(m: Any, inference: Any, field: str, text: str) -> np.ndarray:
        assert text == "=Count(f)"
        counts = np.bincount(m.tables["T"].columns[field], minlength=m.fields[field].cardinal)
        return counts.astype(np.float64)

    listobject.EXPRESSION_SORT.append(hook)
    yield
    listobject.EXPRESSION_SORT.clear()


def test_frequency_and_load_order() -> None:
    assert _values({"qSortByFrequency": 1}) == ["c", "a", "b"]
    assert _values({"qSortByFrequency": -1}) == ["b", "a", "c"]
    assert _values({"qSortByLoadOrder": -1}) == ["c", "a", "b"]


def test_expression_sort_is_skipped_without_an_evaluator() -> None:
    criteria = {"qSortByExpression": 1, "qExpression": {"qv": "=Count(f)"}}
    assert _values(criteria) == ["b", "a", "c"]


@pytest.mark.usefixtures("by_length_desc")
def test_expression_sort_through_the_hook() -> None:
    criteria = {"qSortByExpression": -1, "qExpression": {"qv": "=Count(f)"}}
    assert _values(criteria) == ["c", "a", "b"]
    assert _values({**criteria, "qSortByExpression": 1}) == ["b", "a", "c"]

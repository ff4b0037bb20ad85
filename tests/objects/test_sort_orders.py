"""Sort indicators, symbol ranks and page clipping in isolation."""

from __future__ import annotations

import numpy as np
import pytest
from objects_testkit import model, table

from openqix.engine.states import ValueState
from openqix.objects.paging import clip_page
from openqix.objects.sorting import row_rank_of_symbols, sort_indicator, symbol_ranks


@pytest.mark.parametrize(
    ("criteria", "indicator"),
    [
        ({}, "N"),
        ({"qSortByState": 1}, "N"),
        ({"qSortByFrequency": 1}, "A"),
        ({"qSortByState": 1, "qSortByNumeric": -1, "qSortByAscii": 1}, "D"),
        ({"qSortByLoadOrder": 1, "qExpression": {}}, "A"),
        ({"qSortByAscii": None}, "N"),
    ],
)
def test_sort_indicator(criteria: dict[str, object], indicator: str) -> None:
    assert sort_indicator(criteria) == indicator


def test_symbol_ranks_and_null_rows_last() -> None:
    field = model(table("T", f=["b", "a", "c"])).fields["f"]
    states = np.full(3, ValueState.OPTION, dtype=np.int8)
    ranks = symbol_ranks(field, states, {"qSortByAscii": 1})
    assert ranks.tolist() == [1, 0, 2]
    assert symbol_ranks(field, states, {"qSortByAscii": 1}, reverse=True).tolist() == [1, 2, 0]
    symbols = np.array([2, -1, 0], dtype=np.int32)
    assert row_rank_of_symbols(ranks, symbols).tolist() == [2, 3, 1]


def test_clip_page_defaults_and_negative_values() -> None:
    area = clip_page({"qWidth": 4, "qHeight": 4}, 2, 3)
    assert area.rect() == {"qLeft": 0, "qTop": 0, "qWidth": 2, "qHeight": 3}
    area = clip_page({"qLeft": -3, "qTop": -1, "qWidth": 1, "qHeight": 1}, 2, 3)
    assert area.rect() == {"qLeft": 0, "qTop": 0, "qWidth": 1, "qHeight": 1}
    assert clip_page({"qLeft": 5, "qWidth": 1, "qHeight": 1}, 2, 3).width == 0

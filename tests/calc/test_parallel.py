"""Chunked scans give the same answers as one pass (the chunk threshold lowered to 2)."""

from __future__ import annotations

import numpy as np
import pytest

from openqix.calc import parallel
from openqix.calc.chart import ChartContext, evaluate_value
from openqix.engine.model import Column, DataModel, LoadedTable


@pytest.fixture
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)


def test_chunks_cover_everything_once(tiny_chunks: None) -> None:
    assert parallel.chunks(1) == [(0, 1)]
    assert parallel.chunks(7) == [(0, 4), (4, 7)]
    assert parallel.map_chunks(lambda lo, hi: hi - lo, 9) == [5, 4]


def test_chunked_bincount_matches_numpy(tiny_chunks: None) -> None:
    rng = np.random.default_rng(1)
    groups = rng.integers(0, 5, 101)
    weights = rng.normal(size=101)
    expected = np.bincount(groups, weights=weights, minlength=6)
    np.testing.assert_allclose(parallel.bincount(groups, weights, 6), expected)


def test_chunked_record_numbers_match(tiny_chunks: None) -> None:
    qty = [1, 2, None, 4, 5, 6, 7]
    price = [10.0, 20.0, 30.0, "x", 50.0, 60.0, 70.5]
    table = LoadedTable("T", ("Qty", "Price"), (Column.from_values(qty), Column.from_values(price)))
    ctx = ChartContext(DataModel.build([table]))
    expected = sum(q * p for q, p in zip(qty, price, strict=True) if q is not None and p != "x")
    assert evaluate_value("Sum(Qty * Price)", ctx).num == pytest.approx(expected)


def test_chunked_grouping_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    from openqix.objects.associations import group_rows

    rng = np.random.default_rng(2)
    a = rng.integers(-1, 4, 57).astype(np.int32)
    b = rng.integers(-1, 6, 57).astype(np.int32)
    whole = group_rows([a, b, None], 57)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)
    chunked = group_rows([a, b, None], 57)
    assert chunked.count == whole.count
    np.testing.assert_array_equal(chunked.ids, whole.ids)
    for x, y in zip(chunked.dim_symbols, whole.dim_symbols, strict=True):
        np.testing.assert_array_equal(x, y)

"""The streamed encoder (`ColumnEncoder`) against `encode_arrow` over the whole column."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.engine.model import Column, DataModel, LoadedTable
from openqix.engine.symbols import ColumnEncoder, encode_arrow

# (text, number): texts sharing a number (1 / 1.0 / 01), decimals, big and negative numbers,
# pure texts (one that looks like a number's text), NULL
VALUES = [
    ("1", 1.0),
    ("1.0", 1.0),
    ("01", 1.0),
    ("2", 2.0),
    ("-3", -3.0),
    ("0", 0.0),
    ("-0", 0.0),
    ("1.5", 1.5),
    ("1.50", 1.5),
    ("1.50000000", 1.5),
    ("1.500000000", 1.5),
    ("01.5000000", 1.5),
    ("2.25", 2.25),
    ("0.1", 0.1),
    ("12345678", 12345678.0),
    ("0.00", 0.0),
    ("-0.00", 0.0),
    ("1.25", 1.25),
    ("-1.25", -1.25),
    ("1.250", 1.25),
    ("123456789012.345", 123456789012.345),
    ("1234567890123.456", 1234567890123.456),
    ("1e20", 1e20),
    ("a", math.nan),
    ("b", math.nan),
    ("7", math.nan),
    ("", math.nan),
    (None, math.nan),
]


def _rows(picks: list[int]) -> tuple[list[str | None], np.ndarray]:
    texts = [VALUES[i][0] for i in picks]
    numbers = np.array([VALUES[i][1] for i in picks], dtype=np.float64)
    return texts, numbers


def _decimals(text: str | None, number: float) -> int:
    """d when `text` is `number` written with exactly d decimals (at most 15 digits, not a
    negative zero), else 0: the `decimals` that `ColumnEncoder.add` takes."""
    found = re.fullmatch(r"(-?)(0|[1-9][0-9]*)[.]([0-9]+)", text or "")
    if not found or number != number:
        return 0
    sign, whole, fraction = found.groups()
    if len(whole) + len(fraction) > 15 or (sign and number == 0):
        return 0
    return len(fraction)


def _stream(
    texts: list[str | None],
    numbers: np.ndarray,
    cuts: list[int],
    per_row: list[bool],
    with_decimals: bool = False,
):
    encoder = ColumnEncoder()
    bounds = [0, *sorted({c for c in cuts if 0 < c < len(texts)}), len(texts)]
    for b, (start, end) in enumerate(itertools.pairwise(bounds)):
        part = pa.array(texts[start:end], type=pa.string())
        nums = numbers[start:end]
        canonical = np.array(
            [
                t is not None and n == n and t == str(int(n))
                for t, n in zip(part.to_pylist(), nums, strict=True)
            ],
            dtype=bool,
        )
        decimals = np.array(
            [_decimals(t, n) for t, n in zip(part.to_pylist(), nums, strict=True)], np.int8
        )
        if per_row[b % len(per_row)] and part.null_count == 0:
            encoder.add(
                part,
                nums,
                None,
                canonical,
                distinct=False,
                decimals=decimals if with_decimals else None,
            )
            continue
        encoded = pc.dictionary_encode(part)
        entries = encoded.dictionary
        codes = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False))
        first = {}
        for row, code in enumerate(codes.tolist()):
            if code >= 0:
                first.setdefault(code, row)
        entry_numbers = np.array([nums[first[c]] for c in range(len(entries))], dtype=np.float64)
        entry_canonical = np.array([canonical[first[c]] for c in range(len(entries))], dtype=bool)
        entry_decimals = np.array([decimals[first[c]] for c in range(len(entries))], np.int8)
        encoder.add(
            entries,
            entry_numbers,
            codes,
            entry_canonical,
            decimals=entry_decimals if with_decimals else None,
        )
    return encoder.finish()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(0, len(VALUES) - 1), min_size=0, max_size=60),
    st.lists(st.integers(0, 60), max_size=6),
    st.lists(st.booleans(), min_size=1, max_size=3),
    st.booleans(),
)
def test_streamed_encoding_equals_the_whole_column_encoding(picks, cuts, per_row, decimals):
    """Also with each entry's fixed decimals given: texts of one number with the same
    decimals are then taken as equal without comparing them (`1.50`, `1.5`, `-0.00`)."""
    texts, numbers = _rows(picks)
    array = pa.array(texts, type=pa.string())
    nulls = np.array([t is None for t in texts], dtype=bool)
    expected_symbols, expected_index = encode_arrow(array, nulls, numbers)
    symbols, index, exceptions = _stream(texts, numbers, cuts, per_row, decimals)
    assert symbols.text_list() == expected_symbols.text_list()
    np.testing.assert_array_equal(symbols.numbers, expected_symbols.numbers)
    assert index.dtype == expected_index.dtype
    np.testing.assert_array_equal(index, expected_index)
    # the rows keep their own texts and numbers
    column = Column.from_encoded(symbols, index, exceptions)
    assert list(column.texts) == texts
    np.testing.assert_array_equal(column.numbers, numbers)
    assert len(column) == len(texts)


def test_integer_ids_become_a_range_and_decimals_a_scaled_table():
    encoder = ColumnEncoder()
    for start in range(0, 30_000, 10_000):
        ids = np.arange(start + 1, start + 10_001, dtype=np.float64)
        encoder.add(
            pa.array([str(int(v)) for v in ids]), ids, None, np.ones(10_000, bool), distinct=False
        )
    symbols, index, exceptions = encoder.finish()
    assert symbols.is_range and len(symbols) == 30_000 and exceptions is None
    assert index.dtype == np.int16 and index[0] == 0 and index[-1] == 29_999

    rng = np.random.default_rng(3)
    cents = rng.integers(100, 100_000, 20_000)
    texts = [f"{c // 100}.{c % 100:02d}" for c in cents.tolist()]
    prices = np.array([float(t) for t in texts])
    encoder = ColumnEncoder()
    for start in range(0, 20_000, 5_000):
        encoder.add(
            pa.array(texts[start : start + 5_000]),
            prices[start : start + 5_000],
            None,
            np.zeros(5_000, bool),
            distinct=False,
        )
    symbols, index, _ = encoder.finish()
    expected, expected_index = encode_arrow(pa.array(texts), np.zeros(20_000, bool), prices)
    assert symbols.text_list() == expected.text_list()
    np.testing.assert_array_equal(index, expected_index)


def test_an_encoded_column_goes_into_the_model_as_it_is():
    encoder = ColumnEncoder()
    encoder.add(
        pa.array(["x", "y", "x"]), np.full(2, np.nan)[[0, 1, 0]], None, None, distinct=False
    )
    symbols, index, _ = encoder.finish()
    column = Column.from_encoded(symbols, index)
    model = DataModel.build([LoadedTable("T", ("F",), (column,))])
    assert model.fields["F"].symbols is symbols
    assert np.shares_memory(model.tables["T"].columns["F"], index)
    assert model.fields["F"].tags == ("$ascii", "$text")
    # shared with another table: decoded and encoded with it
    other = Column.from_values(["y", "z"])
    model = DataModel.build(
        [LoadedTable("T", ("F",), (column,)), LoadedTable("U", ("F",), (other,))]
    )
    assert model.fields["F"].symbols.text_list() == ["x", "y", "z"]
    assert model.tables["U"].columns["F"].tolist() == [1, 2]
    assert column.with_tags(("$date",)).tags == ("$date",)

"""Automatic number interpretation of loaded texts, with a Python oracle on generated text."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from openqix.calc.interpret import interpret_texts


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0.0),
        ("42", 42.0),
        ("007", 7.0),
        ("-3", -3.0),
        ("+3", 3.0),
        ("1.50", 1.5),
        ("1.", 1.0),
        (".5", 0.5),
        ("-0", 0.0),
        ("1e3", 1000.0),
        ("2.5E-1", 0.25),
        ("", None),
        ("abc", None),
        ("1,000", None),
        ("1 000", None),
        (" 1", None),
        ("1.2.3", None),
        ("--1", None),
        ("1e", None),
        ("e5", None),
        ("inf", None),
        ("NaN", None),
        ("0x10", None),
        ("1_000", None),
        ("1e999", None),
        ("١٢", None),  # Arabic-Indic digits are text
        ("1\n", None),
    ],
)
def test_number_or_text(text: str, number: float | None) -> None:
    column = interpret_texts([text])
    assert list(column.texts) == [text]
    got = float(column.numbers[0])
    assert math.isnan(got) if number is None else got == number
    assert not (number == 0.0 and math.copysign(1.0, got) < 0)


def test_texts_are_kept_and_columns_align() -> None:
    texts = ["1.50", "x", "", "007"]
    column = interpret_texts(texts)
    assert column.texts is texts
    assert column.numbers.dtype == np.float64
    assert np.array_equal(column.numbers, [1.5, np.nan, np.nan, 7.0], equal_nan=True)


def test_empty_input() -> None:
    assert interpret_texts([]).numbers.shape == (0,)


_ORACLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def oracle(text: str) -> float:
    if not _ORACLE.fullmatch(text):
        return math.nan
    value = float(text)
    return value + 0.0 if math.isfinite(value) else math.nan


@given(st.lists(st.text(alphabet=st.sampled_from(list("0123456789.-+eE ,x")), max_size=8)))
def test_matches_a_python_oracle(texts: list[str]) -> None:
    expected = [oracle(t) for t in texts]
    assert np.array_equal(interpret_texts(texts).numbers, expected, equal_nan=True)

"""Auto number formatting of measure values and the reported number formats."""

from __future__ import annotations

import math

import numpy as np
import pytest

from openqix.calc.format import (
    INTEGER_FORMAT,
    REAL_FORMAT,
    auto_number_format,
    dimension_number_format,
    format_number,
    frequency_text,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (545.7844299999997, "545.78443"),
        (22618.240500000098, "22618.2405"),
        (49609.47729000036, "49609.47729"),
        (70642504, "70642504"),
        (70642504.0, "70642504"),
        (0.1 + 0.2, "0.3"),
        (-3.5, "-3.5"),
        (-0.0, "0"),
        (0, "0"),
        (1234567.891234, "1234567.891"),
        (12345678901.5, "12345678902"),
        (1e20, "1e+20"),
        (1.5e-7, "1.5e-07"),
        (math.nan, "-"),
        (math.inf, "+Inf"),
        (-math.inf, "-Inf"),
    ],
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


def test_integer_columns_get_the_integer_format() -> None:
    assert auto_number_format(np.array([1.0, 3.0, np.nan])) == INTEGER_FORMAT
    assert INTEGER_FORMAT == {"qType": "I", "qnDec": 0, "qUseThou": 1, "qFmt": "###0", "qDec": "."}


def test_real_columns_get_the_real_format() -> None:
    assert auto_number_format(np.array([1.0, 2.5])) == REAL_FORMAT
    assert REAL_FORMAT["qFmt"] == "##############" and REAL_FORMAT["qThou"] == ","


def test_columns_without_numbers_get_the_unknown_format() -> None:
    assert auto_number_format(np.array([np.nan])) == {"qType": "U", "qnDec": 0, "qUseThou": 0}
    assert dimension_number_format() == {"qType": "U", "qnDec": 0, "qUseThou": 0}


def test_returned_formats_are_copies() -> None:
    auto_number_format(np.array([1.0]))["qType"] = "X"
    assert INTEGER_FORMAT["qType"] == "I"


@pytest.mark.parametrize(
    ("count", "total", "mode", "text"),
    [
        (274, 1754, "V", "274"),
        (274, 1754, "P", "15.6%"),
        (10, 1754, "P", "0.6%"),
        (12, 1754, "P", "0.7%"),
        (274, 1754, "R", "0.156"),
        (1, 2, "R", "0.5"),
        (2, 2, "R", "1"),
        (0, 10, "V", None),
        (5, 10, "N", None),
    ],
)
def test_frequency_text(count: int, total: int, mode: str, text: str | None) -> None:
    assert frequency_text(count, total, mode) == text

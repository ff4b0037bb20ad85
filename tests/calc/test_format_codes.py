"""Qlik format codes: numbers, money, dates, times, timestamps, intervals — documented
examples and round trips through the interpretation functions."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.calc.format import (
    DEFAULT_FORMATS,
    FormatSettings,
    compile_number_format,
    format_datetimes,
    format_intervals,
)
from openqix.calc.interpret import parse_datetimes, parse_intervals, parse_numbers

from .functions_helpers import callv, num, text

EUROPE = FormatSettings.from_variables(
    {
        "ThousandSep": ".",
        "DecimalSep": ",",
        "MoneyThousandSep": ".",
        "MoneyDecimalSep": ",",
        "MoneyFormat": "#.##0,00 €;-#.##0,00 €",
        "DateFormat": "DD.MM.YYYY",
        "TimeFormat": "hh:mm:ss",
        "TimestampFormat": "DD.MM.YYYY hh:mm:ss[.fff]",
        "MonthNames": "Jan;Feb;Mär;Apr;Mai;Jun;Jul;Aug;Sep;Okt;Nov;Dez",
        "DayNames": "Mo;Di;Mi;Do;Fr;Sa;So",
    }
)


@pytest.mark.parametrize(
    ("value", "pattern", "dec", "thou", "expected"),
    [
        (35648, "#,##0.00", ".", ",", "35,648.00"),
        (3535.34, "#.##0,00", ",", ".", "3.535,34"),
        (35648.375, "0.0", ".", ",", "35648.4"),
        (0.125, "0.0%", ".", ",", "12.5%"),
        (1234567, "#,##0", ".", ",", "1,234,567"),
        (-1234.5, "$#,##0.00;($#,##0.00)", ".", ",", "($1,234.50)"),
        (-3.5, "0.00", ".", ",", "-3.50"),
        (-0.001, "0.00", ".", ",", "0.00"),
        (7, "000", ".", ",", "007"),
        (2.675, "0.00", ".", ",", "2.68"),
        (1.5, "# ##0", ".", " ", "2"),
    ],
)
def test_number_format_codes(
    value: float, pattern: str, dec: str, thou: str, expected: str
) -> None:
    assert compile_number_format(pattern, dec, thou).format(value) == expected


def test_num_and_money_functions() -> None:
    assert text("Num", 35648, "#,##0.00", ".", ",") == "35,648.00"
    assert num("Num", 35648, "#,##0.00", ".", ",") == 35648
    assert text("Num", 3535.34, "#.##0,00", formats=EUROPE) == "3.535,34"
    assert text("Num", 0.5, formats=EUROPE) == "0,5"
    assert text("Money", 1234.5) == "$ 1234.50"
    assert text("Money", -3.5) == "-$ 3.50"
    assert text("Money", 1234.5, formats=EUROPE) == "1.234,50 €"
    assert text("Num", None) is None
    assert text("Num", "abc") is None


def test_date_time_functions() -> None:
    assert text("Date", 35648) == "8/6/1997"
    assert text("Date", 35648, "YY.MM.DD") == "97.08.06"
    assert text("Date", 35648.375, "YYYY-MM-DD") == "1997-08-06"
    assert num("Date", 35648.375) == 35648.375  # the number is kept
    assert text("Date", 35648, "DD MMMM YYYY, WWWW") == "06 August 1997, Wednesday"
    assert text("Date", 35648, "D MMM YYYY") == "6 Aug 1997"
    assert text("Date", 35648, "D. MMM YYYY, WWW", formats=EUROPE) == "6. Aug 1997, Mi"
    assert text("Date", 35648) == "8/6/1997"
    assert text("Time", 0.375) == "9:00:00 AM"
    assert text("Time", 0.75, "hh:mm") == "18:00"
    assert text("Time", 0.75, "h:mm TT") == "6:00 PM"
    assert text("Time", 0.5 + 1 / 86400 / 2, "hh:mm:ss.fff") == "12:00:00.500"
    assert text("Timestamp", 35648.6041666667) == "8/6/1997 2:30:00 PM"
    assert text("Timestamp", 35648.6041666667, formats=EUROPE) == "06.08.1997 14:30:00"
    assert text("Date", "8/6/97", "YY.MM.DD", formats=EUROPE) is None
    assert text("Date", "1997-08-06", "DD/MM/YYYY") == "06/08/1997"


def test_interval_function() -> None:
    assert text("Interval", 0.375) == "9:00:00"
    assert text("Interval", 1.5, "D hh:mm") == "1 12:00"
    assert text("Interval", 1.5, "hh:mm") == "36:00"
    assert text("Interval", -0.25, "hh:mm") == "-06:00"
    assert text("Interval", 0.000694444444, "mm:ss") == "01:00"


def test_interpretation_functions() -> None:
    d = callv("Date#", ["2018-02-20", "2018-02-30", "x", None], ["YYYY-MM-DD"] * 4)
    assert d.num[0] == 43151 and np.isnan(d.num[1:]).all()
    assert d.text.tolist() == ["2018-02-20", "2018-02-30", "x", None]
    assert num("Date#", "97.08.06", "YY.MM.DD") == 35648
    assert num("Date#", "06.08.1997", formats=EUROPE) == 35648
    assert num("Date#", "Aug 6 1997", "MMM D YYYY") == 35648
    assert num("Date#", "6 mär 2020", "D MMM YYYY", formats=EUROPE) == num("MakeDate", 2020, 3, 6)
    assert num("Num#", "35,648.375", "#.#", ".", ",") == 35648.375
    assert num("Num#", "3.535,34", "#.##0,00", ",", ".") == 3535.34
    assert num("Num#", "12.5%", "0.0%") == 0.125
    assert num("Num#", "abc") is None and text("Num#", "abc") == "abc"
    assert num("Money#", "$ 3.50") == 3.5
    assert num("Money#", "-$ 3.50") == -3.5
    assert num("Money#", "($1,234.50)", "$#,##0.00;($#,##0.00)") == -1234.5
    assert num("Time#", "09:00", "hh:mm") == 0.375
    assert num("Time#", "6:00:00 PM") == 0.75
    assert num("Timestamp#", "8/6/1997 2:30:00 PM") == pytest.approx(35648 + 14.5 / 24)
    assert num("Timestamp#", "8/6/1997 2:30:00.250 PM") == pytest.approx(
        35648 + (14.5 * 3600 + 0.25) / 86400
    )
    assert num("Interval#", "36:00", "hh:mm") == 1.5
    assert num("Interval#", "1 12:00", "D hh:mm") == 1.5
    assert num("Interval#", "-06:00", "hh:mm") == -0.25


def _serial(d: dt.datetime) -> float:
    delta = d - dt.datetime(1899, 12, 30)
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6


DATE_FORMATS = [
    "YYYY-MM-DD",
    "M/D/YYYY",
    "DD.MM.YYYY",
    "D MMM YYYY",
    "MMMM D, YYYY",
    "WWW DD MMM YYYY",
    "YYYYMMDD",
]
TS_FORMATS = ["YYYY-MM-DD hh:mm:ss", "M/D/YYYY h:mm:ss TT", "DD.MM.YYYY hh:mm:ss.fff"]

dates = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2199, 12, 31))


@settings(max_examples=30, deadline=None)
@given(st.lists(dates, min_size=1, max_size=8), st.sampled_from(DATE_FORMATS))
def test_date_round_trip(values: list[dt.datetime], pattern: str) -> None:
    """Date#(Date(x, f), f) == floor(x), and the text matches Python's own formatting."""
    serials = np.array([_serial(v) for v in values])
    texts = format_datetimes(serials, pattern, DEFAULT_FORMATS)
    back = parse_datetimes(list(texts), pattern, DEFAULT_FORMATS)
    assert np.array_equal(back, np.floor(serials))
    if pattern == "YYYY-MM-DD":
        assert texts.tolist() == [v.strftime("%Y-%m-%d") for v in values]


@settings(max_examples=30, deadline=None)
@given(st.lists(dates, min_size=1, max_size=8), st.sampled_from(TS_FORMATS))
def test_timestamp_round_trip(values: list[dt.datetime], pattern: str) -> None:
    values = [v.replace(microsecond=v.microsecond // 1000 * 1000) for v in values]
    if "fff" not in pattern:
        values = [v.replace(microsecond=0) for v in values]
    serials = np.array([_serial(v) for v in values])
    texts = format_datetimes(serials, pattern, DEFAULT_FORMATS)
    back = parse_datetimes(list(texts), pattern, DEFAULT_FORMATS)
    assert np.allclose(back, serials, atol=1e-9, rtol=0)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(min_value=-(10**9), max_value=10**9), min_size=1, max_size=8),
    st.sampled_from(["hh:mm:ss", "D hh:mm:ss", "mm:ss", "hh:mm:ss.fff"]),
)
def test_interval_round_trip(ms_values: list[int], pattern: str) -> None:
    step = 1 if "fff" in pattern else 1000
    values = np.array([v // step * step / 86_400_000 for v in ms_values])
    texts = format_intervals(values, pattern, DEFAULT_FORMATS)
    back = parse_intervals(list(texts), pattern, DEFAULT_FORMATS)
    assert np.allclose(back, values, atol=1e-10, rtol=0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=1, max_size=8),
    st.sampled_from(["#,##0.00", "0.000", "#,##0", "$#,##0.00;($#,##0.00)", "0.0%"]),
    st.sampled_from([(".", ","), (",", "."), (".", " ")]),
)
def test_number_round_trip(values: list[float], pattern: str, seps: tuple[str, str]) -> None:
    """Num#(Num(x, f), f) equals x rounded to the decimals of f."""
    dec, thou = seps
    pat = pattern.replace(",", "\x00").replace(".", dec).replace("\x00", thou)
    fmt = compile_number_format(pat, dec, thou)
    texts = [fmt.format(v) for v in values]
    back = parse_numbers(texts, pat, dec, thou)
    decimals = {"#,##0.00": 2, "0.000": 3, "#,##0": 0, "$#,##0.00;($#,##0.00)": 2, "0.0%": 3}
    tol = 0.5 * 10 ** -decimals[pattern] + 1e-9 * max(1.0, max(abs(v) for v in values))
    assert np.all(np.abs(back - np.array(values)) <= tol)

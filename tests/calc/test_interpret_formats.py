"""Automatic interpretation of loaded text driven by the format settings."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.calc.format import DEFAULT_FORMATS, FormatSettings
from openqix.calc.interpret import interpret_arrow, interpret_numbers, interpret_texts

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
    }
)


def test_us_defaults() -> None:
    texts = [
        "12",
        "-3.5",
        "1,234.5",
        "1,2",
        "$ 3.50",
        "8/6/1997",
        "2:30:00 PM",
        "8/6/1997 2:30:00 PM",
        "1997-08-06",
        "1997-08-06 14:30",
        "abc",
        "",
        None,
        "13/13/2020",
    ]
    got = interpret_numbers(texts, DEFAULT_FORMATS)
    expected = [
        12,
        -3.5,
        1234.5,
        np.nan,
        3.5,
        35648,
        14.5 / 24,
        35648 + 14.5 / 24,
        35648,
        35648 + 14.5 / 24,
        np.nan,
        np.nan,
        np.nan,
        np.nan,
    ]
    assert np.allclose(got, expected, equal_nan=True, rtol=0, atol=1e-9)


def test_european_settings() -> None:
    texts = ["1.234,5", "1,5", "1.5", "06.08.1997", "14:30:00", "3,50 €", "-3,50 €", "8/6/1997"]
    got = interpret_numbers(texts, EUROPE)
    expected = [1234.5, 1.5, np.nan, 35648, 14.5 / 24, 3.5, -3.5, np.nan]
    assert np.allclose(got, expected, equal_nan=True, rtol=0, atol=1e-9)


def test_arrow_input_keeps_texts() -> None:
    arr = pa.chunked_array([pa.array(["007", "x"]), pa.array([None, "8/6/1997"])])
    duals = interpret_arrow(arr, DEFAULT_FORMATS)
    assert duals.text.tolist() == ["007", "x", None, "8/6/1997"]
    assert np.array_equal(duals.num, [7, np.nan, np.nan, 35648], equal_nan=True)
    dict_arr = pa.array(["1", "2", "1"]).dictionary_encode()
    assert interpret_arrow(dict_arr, DEFAULT_FORMATS).num.tolist() == [1, 2, 1]


def test_interpret_texts_with_formats() -> None:
    column = interpret_texts(["1,000", "x"], DEFAULT_FORMATS)
    assert np.array_equal(column.numbers, [1000, np.nan], equal_nan=True)
    assert np.isnan(interpret_texts(["1,000"]).numbers[0])  # plain rule without formats


def _oracle(text: str, dec: str, thou: str) -> float:
    import re

    t = re.escape(thou)
    d = re.escape(dec)
    pattern = rf"[+-]?(?:(?:[0-9]{{1,3}}(?:{t}[0-9]{{3}})+|[0-9]+)(?:{d}[0-9]*)?|{d}[0-9]+)"
    pattern += r"(?:[eE][+-]?[0-9]+)?"
    if not re.fullmatch(pattern, text):
        return float("nan")
    value = float(text.replace(thou, "").replace(dec, "."))
    return value + 0.0 if np.isfinite(value) else float("nan")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from(list("0123456789.,-e")), max_size=9), max_size=10),
    st.sampled_from([(".", ","), (",", ".")]),
)
def test_numbers_match_a_python_oracle(texts: list[str], seps: tuple[str, str]) -> None:
    dec, thou = seps
    fs = FormatSettings(
        thousand_sep=thou,
        decimal_sep=dec,
        money_thousand_sep=thou,
        money_decimal_sep=dec,
        money_format="¤0",
        date_format="YYYY/MM/DD",
        time_format="hh:mm:ss",
        timestamp_format="YYYY/MM/DD hh:mm:ss",
    )
    got = interpret_numbers(texts, fs)
    expected = [_oracle(t, dec, thou) for t in texts]
    # texts of this alphabet never read as dates/times in these formats
    assert np.array_equal(got, expected, equal_nan=True)


def test_null_interpret() -> None:
    fs = FormatSettings.from_variables({"NullInterpret": ""})
    duals = interpret_arrow(["", "1", None], fs)
    assert duals.text.tolist() == [None, "1", None]
    assert duals.is_null.tolist() == [True, False, True]

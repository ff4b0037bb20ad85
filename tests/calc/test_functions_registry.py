"""The shared function table: lookup, arity, and that every function handles n rows,
NULLs and n = 0 without crashing."""

from __future__ import annotations

import numpy as np
import pytest

from openqix.calc.format import DEFAULT_FORMATS, FormatSettings
from openqix.calc.functions import FunctionContext, ScalarFunction, all_functions, lookup
from openqix.calc.values import Duals


def test_lookup_is_case_insensitive_and_unknown_is_none() -> None:
    fn = lookup("subfield")
    assert isinstance(fn, ScalarFunction)
    assert fn.name == "SubField" and fn.min_args == 2 and fn.max_args == 3
    assert lookup("SUBFIELD") is fn
    assert lookup("NoSuchFunction") is None


def test_function_context_defaults() -> None:
    ctx = FunctionContext()
    assert ctx.formats == DEFAULT_FORMATS
    assert 40000 < ctx.now < 80000


def test_format_settings_from_variables() -> None:
    fs = FormatSettings.from_variables(
        {
            "ThousandSep": ".",
            "DecimalSep": ",",
            "DateFormat": "DD.MM.YYYY",
            "MonthNames": "Jan;Feb;Mär;Apr;Mai;Jun;Jul;Aug;Sep;Okt;Nov;Dez",
            "FirstWeekDay": "0",
            "BrokenWeeks": "0",
            "ReferenceDay": "4",
        }
    )
    assert fs.thousand_sep == "." and fs.decimal_sep == ","
    assert fs.date_format == "DD.MM.YYYY"
    assert fs.month_names[2] == "Mär"
    assert fs.first_week_day == 0 and fs.broken_weeks is False and fs.reference_day == 4
    assert fs.time_format == "h:mm:ss TT"  # not given: the default
    assert FormatSettings.from_variables({}) == DEFAULT_FORMATS


def _sample_args(k: int, n: int) -> list[Duals]:
    base = [
        Duals.of_numbers(np.linspace(1, 3, n)),
        Duals.of_texts(["a;b", "2", None][:n] + ["x"] * max(0, n - 3)),
        Duals.null(n),
    ]
    return [base[i % 3] for i in range(k)]


@pytest.mark.parametrize("fn", all_functions(), ids=lambda f: f.name)
def test_every_function_handles_rows_nulls_and_empty(fn: ScalarFunction) -> None:
    ctx = FunctionContext(now=45000.25)
    for k in {fn.min_args, fn.max_args if fn.max_args is not None else fn.min_args + 2}:
        for n in (0, 3):
            out = fn.impl(ctx, _sample_args(k, n), n)
            assert isinstance(out, Duals)
            assert len(out) == n
            assert out.num.dtype == np.float64 and out.text.dtype == object
        nulls = fn.impl(ctx, [Duals.null(2) for _ in range(k)], 2)
        assert len(nulls) == 2


def test_the_documented_set_is_registered() -> None:
    names = [
        "Len",
        "Left",
        "Right",
        "Mid",
        "Index",
        "Upper",
        "Lower",
        "Capitalize",
        "Trim",
        "LTrim",
        "RTrim",
        "Replace",
        "SubField",
        "SubStringCount",
        "TextBetween",
        "Repeat",
        "Chr",
        "Ord",
        "KeepChar",
        "PurgeChar",
        "Match",
        "MixMatch",
        "WildMatch",
        "Hash128",
        "Hash160",
        "Hash256",
        "Round",
        "Floor",
        "Ceil",
        "Fabs",
        "Fmod",
        "Mod",
        "Div",
        "Sqrt",
        "Exp",
        "Log",
        "Log10",
        "Pow",
        "Sign",
        "Even",
        "Odd",
        "Rand",
        "BitCount",
        "Pi",
        "Frac",
        "If",
        "Pick",
        "Alt",
        "Null",
        "IsNull",
        "IsNum",
        "IsText",
        "Coalesce",
        "EmptyIsNull",
        "Class",
        "Dual",
        "Year",
        "Month",
        "Day",
        "Week",
        "WeekYear",
        "WeekDay",
        "Hour",
        "Minute",
        "Second",
        "MakeDate",
        "MakeTime",
        "MakeWeekDate",
        "Today",
        "Now",
        "Date",
        "Time",
        "Timestamp",
        "Interval",
        "DayStart",
        "DayEnd",
        "WeekStart",
        "WeekEnd",
        "MonthStart",
        "MonthEnd",
        "QuarterStart",
        "QuarterEnd",
        "YearStart",
        "YearEnd",
        "AddMonths",
        "AddYears",
        "InMonth",
        "InYear",
        "InQuarter",
        "InWeek",
        "NetWorkDays",
        "Age",
        "DayNumberOfYear",
        "Num",
        "Money",
        "Text",
        "Num#",
        "Date#",
        "Time#",
        "Timestamp#",
        "Interval#",
        "Money#",
        "RangeSum",
        "RangeAvg",
        "RangeMin",
        "RangeMax",
        "RangeCount",
        "RangeMode",
        "RangeOnly",
        "RangeConcat",
        "RangeNullCount",
        "RangeNumericCount",
        "RangeTextCount",
        "RangeStdev",
        "RangeFractile",
        "RGB",
        "ARGB",
        "HSL",
        "ColorMix1",
        "ColorMix2",
        "Black",
        "White",
        "Red",
    ]
    missing = [n for n in names if lookup(n) is None]
    assert missing == []

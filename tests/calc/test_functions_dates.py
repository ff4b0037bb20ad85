"""Date and time functions: documented examples and a Python `datetime` reference."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.calc.format import FormatSettings

from .functions_helpers import CTX, callv, num, text

ISO = FormatSettings.from_variables({"FirstWeekDay": "0", "BrokenWeeks": "0", "ReferenceDay": "4"})
EPOCH = dt.date(1899, 12, 30)


def serial(y: int, m: int, d: int) -> float:
    return float((dt.date(y, m, d) - EPOCH).days)


def test_parts() -> None:
    assert num("Year", 35648) == 1997
    assert (text("Month", 35648), num("Month", 35648)) == ("Aug", 8)
    assert num("Day", "1997-08-06") == 6
    assert num("Hour", 0.6) == 14 and num("Minute", 0.6) == 24 and num("Second", 0.6) == 0
    assert (text("WeekDay", "1971-10-12"), num("WeekDay", "1971-10-12")) == ("Tue", 2)
    assert num("WeekDay", "1971-10-12", 0) == 1
    assert num("Year", "abc") is None and num("Year", None) is None
    assert num("DayNumberOfYear", "2007-03-01") == 60
    assert num("DayNumberOfQuarter", "2007-02-01") == 32


def test_weeks() -> None:
    assert num("Week", "2021-01-01") == 1  # US: broken weeks from Sunday
    assert num("Week", "2021-01-03") == 2
    assert num("Week", "2021-01-01", formats=ISO) == 53
    assert num("WeekYear", "2021-01-01", formats=ISO) == 2020
    assert num("Week", "2021-01-04", 0, 0, 4) == 1
    assert num("WeekYear", "2019-12-30", formats=ISO) == 2020


def test_construction_and_now() -> None:
    assert num("MakeDate", 2012, 2, 29) == serial(2012, 2, 29)
    assert text("MakeDate", 2012, 2, 29) == "2/29/2012"
    assert num("MakeDate", 2013, 2, 29) is None
    assert num("MakeDate", 2012) == serial(2012, 1, 1)
    assert text("MakeTime", 14, 30) == "2:30:00 PM"
    assert num("MakeWeekDate", 2014, 6, 6) == serial(2014, 2, 9)
    assert num("MakeWeekDate", 2014, 6) == serial(2014, 2, 3)
    assert num("Today") == np.floor(CTX.now)
    assert num("Now") == CTX.now


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("MonthStart", ("2012-10-19",), (2012, 10, 1)),
        ("MonthStart", ("2012-10-19", -1), (2012, 9, 1)),
        ("MonthEnd", ("2001-02-19",), (2001, 2, 28)),
        ("MonthEnd", ("2001-02-19", 4), (2001, 6, 30)),
        ("QuarterStart", ("2005-10-29",), (2005, 10, 1)),
        ("QuarterStart", ("2005-10-29", -1), (2005, 7, 1)),
        ("QuarterStart", ("2005-10-29", 0, 3), (2005, 9, 1)),
        ("QuarterEnd", ("2005-10-29", -1), (2005, 9, 30)),
        ("YearStart", ("2001-10-19",), (2001, 1, 1)),
        ("YearStart", ("2001-10-19", -1), (2000, 1, 1)),
        ("YearStart", ("2001-10-19", 0, 4), (2001, 4, 1)),
        ("YearEnd", ("2001-10-19", 0, 4), (2002, 3, 31)),
        ("WeekStart", ("2006-01-12",), (2006, 1, 8)),
        ("WeekStart", ("2006-01-12", 0, 0), (2006, 1, 9)),
        ("WeekEnd", ("2006-01-12",), (2006, 1, 14)),
        ("DayStart", ("2006-01-25 16:45",), (2006, 1, 25)),
        ("AddMonths", ("2003-01-29", 3), (2003, 4, 29)),
        ("AddMonths", ("2003-01-31", 1), (2003, 2, 28)),
        ("AddMonths", ("2003-02-28", 1, 1), (2003, 3, 31)),
        ("AddYears", ("2010-02-28", 1), (2011, 2, 28)),
        ("AddYears", ("2012-02-29", 1), (2013, 2, 28)),
    ],
)
def test_period_functions(
    name: str, args: tuple[object, ...], expected: tuple[int, int, int]
) -> None:
    got = num(name, *args)  # type: ignore[arg-type]
    assert got is not None
    assert np.floor(got) == serial(*expected)
    if name.endswith("End"):
        assert got - np.floor(got) == pytest.approx(1 - 1 / 86_400_000, abs=1e-9)


def test_end_texts_show_the_date() -> None:
    assert text("MonthEnd", "2001-02-19") == "2/28/2001"
    assert text("DayEnd", "2006-01-12") == "1/12/2006 11:59:59 PM"
    assert text("MonthName", "2007-03-01") == "Mar 2007"


def test_in_functions_age_and_networkdays() -> None:
    assert num("InYear", "2013-01-25", "2013-01-01", 0) == -1
    assert num("InYear", "2012-01-25", "2013-01-01", 0) == 0
    assert num("InYear", "2012-01-25", "2013-01-01", -1) == -1
    assert num("InMonth", "2013-01-25", "2013-04-01", -3) == -1
    assert num("InQuarter", "2006-01-25", "2006-01-01", 0) == -1
    assert num("InQuarter", "2006-01-25", "2006-04-01", 0) == 0
    assert num("InWeek", "2006-01-12", "2006-01-14", 0) == -1
    assert num("InWeek", "2006-01-12", "2006-01-20", 0) == 0
    assert num("Age", "2007-02-25", "2005-10-29") == 1
    assert num("Age", "2008-10-29", "2005-10-29") == 3
    assert num("NetWorkDays", "2007-02-19", "2007-03-01") == 9
    assert num("NetWorkDays", "2006-12-18", "2006-12-31", "2006-12-25", "2006-12-26") == 8


days = st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2199, 12, 31))


@settings(max_examples=30, deadline=None)
@given(st.lists(days, min_size=1, max_size=10), st.integers(-30, 30))
def test_vectorised_dates_match_python(values: list[dt.date], k: int) -> None:
    s = [float((v - EPOCH).days) for v in values]
    assert callv("Year", s).num.tolist() == [v.year for v in values]
    assert callv("Day", s).num.tolist() == [v.day for v in values]
    assert callv("Month", s).num.tolist() == [v.month for v in values]
    iso = callv("Week", s, formats=ISO).num.tolist()
    assert iso == [v.isocalendar()[1] for v in values]
    assert callv("WeekYear", s, formats=ISO).num.tolist() == [v.isocalendar()[0] for v in values]
    assert callv("WeekDay", s, formats=ISO).num.tolist() == [v.weekday() for v in values]
    starts = callv("MonthStart", s).num.tolist()
    assert starts == [float((v.replace(day=1) - EPOCH).days) for v in values]
    moved = callv("AddMonths", s, [k] * len(s)).num.tolist()
    for v, got in zip(values, moved, strict=True):
        idx = v.year * 12 + v.month - 1 + k
        y, m = divmod(idx, 12)
        m += 1
        last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
        assert got == (dt.date(y, m, min(v.day, last)) - EPOCH).days
    texts = callv("Date", s, ["YYYY-MM-DD"] * len(s)).text.tolist()
    assert texts == [v.isoformat() for v in values]


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(days, days), min_size=1, max_size=6))
def test_networkdays_matches_a_day_by_day_count(pairs: list[tuple[dt.date, dt.date]]) -> None:
    pairs = [(a, a + dt.timedelta(days=(b - a).days % 60)) for a, b in pairs]
    got = callv(
        "NetWorkDays",
        [float((a - EPOCH).days) for a, _ in pairs],
        [float((b - EPOCH).days) for _, b in pairs],
    ).num.tolist()
    expected = [
        sum(1 for i in range((b - a).days + 1) if (a + dt.timedelta(days=i)).weekday() < 5)
        for a, b in pairs
    ]
    assert got == expected


def test_names_and_to_date() -> None:
    assert text("QuarterName", "2005-10-29") == "Oct-Dec 2005"
    assert text("QuarterName", "2005-10-29", -1) == "Jul-Sep 2005"
    assert text("MonthsName", 4, "2013-10-19") == "Sep-Dec 2013"
    assert num("MonthsStart", 4, "2013-10-19") == serial(2013, 9, 1)
    assert text("DayName", "2006-01-25 16:45") == "1/25/2006"
    assert text("WeekName", "2006-01-12", formats=ISO) == "2006/02"
    assert num("InYearToDate", "2013-01-25", "2013-02-01", 0) == -1
    assert num("InYearToDate", "2012-01-25", "2013-02-01", -1) == -1
    assert num("InYearToDate", "2013-04-25", "2013-02-01", 0) == 0
    assert num("InMonthToDate", "2013-01-25 23:00", "2013-01-25", 0) == -1
    assert num("InMonthToDate", "2013-01-26", "2013-01-25", 0) == 0

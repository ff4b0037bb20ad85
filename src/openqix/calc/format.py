"""Number to text the way the Qlik engine auto-formats measure values, and the automatic
number formats (FieldAttributes) reported in dimension and measure infos.

Auto format: 10 significant digits, trailing zeros stripped, integers (and the integer part
of reals from 1e10 to 1e15) in full without a thousands separator, NULL/NaN as "-".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

NULL_TEXT = "-"
SIGNIFICANT_DIGITS = 10
_FULL_INTEGER_LIMIT = 1e15  # below this an integral double prints exactly

INTEGER_FORMAT: dict[str, Any] = {
    "qType": "I",
    "qnDec": 0,
    "qUseThou": 1,
    "qFmt": "###0",
    "qDec": ".",
}
REAL_FORMAT: dict[str, Any] = {
    "qType": "R",
    "qnDec": 0,
    "qUseThou": 0,
    "qFmt": "##############",
    "qDec": ".",
    "qThou": ",",
}
UNKNOWN_FORMAT: dict[str, Any] = {"qType": "U", "qnDec": 0, "qUseThou": 0}
DIMENSION_FORMAT = UNKNOWN_FORMAT


def format_number(value: float) -> str:
    """Auto-formatted text of one number: 545.7844299999997 -> "545.78443"."""
    value = float(value)
    if math.isnan(value):
        return NULL_TEXT
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < _FULL_INTEGER_LIMIT:
        return str(int(value))
    if abs(value) >= 10.0**SIGNIFICANT_DIGITS and abs(value) < _FULL_INTEGER_LIMIT:
        return str(round(value))  # the integer part in full rather than an exponent
    return f"{value:.{SIGNIFICANT_DIGITS}g}"


def auto_number_format(values: npt.NDArray[np.float64]) -> dict[str, Any]:
    """Effective format of a measure column: integer when every finite value is integral."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return dict(UNKNOWN_FORMAT)
    if bool(np.all(finite == np.floor(finite))):
        return dict(INTEGER_FORMAT)
    return dict(REAL_FORMAT)


def dimension_number_format() -> dict[str, Any]:
    """Effective format reported for field-based dimensions and list objects."""
    return dict(DIMENSION_FORMAT)


def frequency_text(count: int, total: int, mode: str) -> str | None:
    """`qFrequency` of a list-object value (resolved Q5); None = omit the key.

    V: the record count; P: percent of all counts with one decimal; R: ratio with up to
    three decimals. A zero count has no frequency.
    """
    if count <= 0 or mode not in ("V", "P", "R"):
        return None
    if mode == "V":
        return str(count)
    ratio = count / total if total else 0.0
    if mode == "P":
        return f"{ratio * 100:.1f}%"
    return f"{ratio:.3f}".rstrip("0").rstrip(".") or "0"


# -- format settings: the system variables of the script (qix-semantics §4.6) -----------------

US_MONTH_NAMES = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
US_LONG_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
US_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
US_LONG_DAY_NAMES = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


def _names(text: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if text is None:
        return default
    parts = tuple(p.strip() for p in text.split(";"))
    return parts if len(parts) == len(default) else default


def _int(text: str | None, default: int) -> int:
    if text is None:
        return default
    try:
        return int(float(text.strip()))
    except ValueError:
        return default


@dataclass(frozen=True)
class FormatSettings:
    """The formatting system variables. Defaults = the en-US header of a new app's script."""

    thousand_sep: str = ","
    decimal_sep: str = "."
    money_thousand_sep: str = ","
    money_decimal_sep: str = "."
    money_format: str = "$ ###0.00;-$ ###0.00"
    time_format: str = "h:mm:ss TT"
    date_format: str = "M/D/YYYY"
    timestamp_format: str = "M/D/YYYY h:mm:ss[.fff] TT"
    month_names: tuple[str, ...] = US_MONTH_NAMES
    long_month_names: tuple[str, ...] = US_LONG_MONTH_NAMES
    day_names: tuple[str, ...] = US_DAY_NAMES
    long_day_names: tuple[str, ...] = US_LONG_DAY_NAMES
    first_week_day: int = 6  # 0 = Monday ... 6 = Sunday
    broken_weeks: bool = True
    reference_day: int = 0
    first_month_of_year: int = 1
    collation_locale: str = "en-US"
    null_interpret: str | None = None

    @classmethod
    def from_variables(cls, variables: Mapping[str, str]) -> FormatSettings:
        """Settings from script/app variables by their Qlik names; missing ones default."""
        d = cls()
        g = variables.get
        return cls(
            thousand_sep=g("ThousandSep", d.thousand_sep),
            decimal_sep=g("DecimalSep", d.decimal_sep) or d.decimal_sep,
            money_thousand_sep=g("MoneyThousandSep", d.money_thousand_sep),
            money_decimal_sep=g("MoneyDecimalSep", d.money_decimal_sep) or d.money_decimal_sep,
            money_format=g("MoneyFormat", d.money_format) or d.money_format,
            time_format=g("TimeFormat", d.time_format) or d.time_format,
            date_format=g("DateFormat", d.date_format) or d.date_format,
            timestamp_format=g("TimestampFormat", d.timestamp_format) or d.timestamp_format,
            month_names=_names(g("MonthNames"), d.month_names),
            long_month_names=_names(g("LongMonthNames"), d.long_month_names),
            day_names=_names(g("DayNames"), d.day_names),
            long_day_names=_names(g("LongDayNames"), d.long_day_names),
            first_week_day=_int(g("FirstWeekDay"), d.first_week_day) % 7,
            broken_weeks=_int(g("BrokenWeeks"), 1) != 0,
            reference_day=_int(g("ReferenceDay"), d.reference_day),
            first_month_of_year=min(max(_int(g("FirstMonthOfYear"), 1), 1), 12),
            collation_locale=g("CollationLocale", d.collation_locale),
            null_interpret=g("NullInterpret"),
        )


DEFAULT_FORMATS = FormatSettings()

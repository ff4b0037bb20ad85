"""Number to text the way the Qlik engine auto-formats measure values, and the automatic
number formats (FieldAttributes) reported in dimension and measure infos.

Auto format: 10 significant digits, trailing zeros stripped, integers (and the integer part
of reals from 1e10 to 1e15) in full without a thousands separator, NULL/NaN as "-".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from openqix.calc import dates

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

# The system variables FormatSettings reads (a script that sets one re-reads the settings).
FORMAT_VARIABLES = frozenset(
    {
        "ThousandSep",
        "DecimalSep",
        "MoneyThousandSep",
        "MoneyDecimalSep",
        "MoneyFormat",
        "TimeFormat",
        "DateFormat",
        "TimestampFormat",
        "MonthNames",
        "LongMonthNames",
        "DayNames",
        "LongDayNames",
        "FirstWeekDay",
        "BrokenWeeks",
        "ReferenceDay",
        "FirstMonthOfYear",
        "CollationLocale",
        "NullInterpret",
    }
)
NUMERICAL_ABBREVIATION = (
    "3:k;6:M;9:G;12:T;15:P;18:E;21:Z;24:Y;-3:m;-6:μ;-9:n;-12:p;-15:f;-18:a;-21:z;-24:y"
)


def locale_info(formats: FormatSettings, current_year: int) -> dict[str, Any]:
    """`qLocaleInfo` (GetLocaleInfo, GetAppLayout) of an app whose script set `formats`."""
    return {
        "qDecimalSep": formats.decimal_sep,
        "qThousandSep": formats.thousand_sep,
        "qListSep": ";",  # no script variable sets it
        "qMoneyDecimalSep": formats.money_decimal_sep,
        "qMoneyThousandSep": formats.money_thousand_sep,
        "qCurrentYear": current_year,
        "qMoneyFmt": formats.money_format,
        "qTimeFmt": formats.time_format,
        "qDateFmt": formats.date_format,
        "qTimestampFmt": formats.timestamp_format,
        "qCalendarStrings": {
            "qDayNames": list(formats.day_names),
            "qMonthNames": list(formats.month_names),
            "qLongDayNames": list(formats.long_day_names),
            "qLongMonthNames": list(formats.long_month_names),
        },
        "qFirstWeekDay": formats.first_week_day,
        "qBrokenWeeks": formats.broken_weeks,
        "qReferenceDay": formats.reference_day,
        "qFirstMonthOfYear": formats.first_month_of_year,
        "qCollation": formats.collation_locale,
        "qNumericalAbbreviation": NUMERICAL_ABBREVIATION,
    }


# -- number format codes ---------------------------------------------------------------------


@dataclass(frozen=True)
class NumberSection:
    """One section (`pos;neg`) of a number format code."""

    prefix: str
    suffix: str
    int_min: int  # zeros before the decimal separator
    frac_min: int  # zeros after it
    frac_max: int  # zeros and hashes after it
    grouping: int  # digits per thousands group, 0 = none
    percent: bool


@dataclass(frozen=True)
class NumberFormat:
    """A compiled number format: `#,##0.00`, `0%`, `$#,##0.00;($#,##0.00)`, ..."""

    positive: NumberSection | None
    negative: NumberSection | None
    dec: str
    thou: str

    def format(self, value: float) -> str:
        return format_with(self, value)


def _section(text: str, dec: str, thou: str) -> NumberSection | None:
    digits = [i for i, ch in enumerate(text) if ch in "#0"]
    if not digits:
        return None
    start, stop = digits[0], digits[-1] + 1
    # a decimal separator right after the last digit placeholder ("0." ) belongs to the body
    body = text[start:stop]
    prefix, suffix = text[:start], text[stop:]
    if suffix.startswith(dec) and dec not in body:
        suffix = suffix[len(dec) :]
    if dec and dec in body:
        int_part, frac_part = body.split(dec, 1)
    else:
        int_part, frac_part = body, ""
    grouping = 0
    if thou and thou in int_part:
        grouping = len(int_part.rsplit(thou, 1)[1]) or 3
    frac_clean = frac_part.replace(thou, "") if thou else frac_part
    return NumberSection(
        prefix=prefix,
        suffix=suffix,
        int_min=int_part.count("0"),
        frac_min=frac_clean.count("0"),
        frac_max=frac_clean.count("0") + frac_clean.count("#"),
        grouping=grouping,
        percent="%" in prefix or "%" in suffix,
    )


_number_formats: dict[tuple[str, str, str], NumberFormat] = {}


def compile_number_format(pattern: str, dec: str = ".", thou: str = ",") -> NumberFormat:
    key = (pattern, dec, thou)
    found = _number_formats.get(key)
    if found is None:
        sections = pattern.split(";", 1)
        pos = _section(sections[0], dec, thou)
        neg = _section(sections[1], dec, thou) if len(sections) > 1 else None
        found = NumberFormat(pos, neg, dec, thou)
        if len(_number_formats) < 4096:
            _number_formats[key] = found
    return found


def _digits(value: float, decimals: int) -> tuple[str, str]:
    """Integer and fraction digits of |value| rounded half away from zero."""
    d = Decimal(repr(abs(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{d:f}"
    if "." in text:
        int_digits, frac = text.split(".", 1)
    else:
        int_digits, frac = text, ""
    return int_digits, frac


def format_with(fmt: NumberFormat, value: float) -> str:
    """`value` in the format; a format without digit placeholders shows the auto format."""
    value = float(value)
    if math.isnan(value):
        return NULL_TEXT
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    negative = value < 0
    section = fmt.negative if negative and fmt.negative is not None else fmt.positive
    if section is None:
        return format_number(value).replace(".", fmt.dec)
    v = abs(value) * 100 if section.percent else abs(value)
    int_digits, frac = _digits(v, section.frac_max)
    frac = frac.rstrip("0")
    if len(frac) < section.frac_min:
        frac = frac + "0" * (section.frac_min - len(frac))
    int_digits = int_digits.lstrip("0")
    if len(int_digits) < section.int_min:
        int_digits = "0" * (section.int_min - len(int_digits)) + int_digits
    if section.grouping and fmt.thou:
        g = section.grouping
        head = len(int_digits) % g or g
        groups = [int_digits[:head]] + [
            int_digits[i : i + g] for i in range(head, len(int_digits), g)
        ]
        int_digits = fmt.thou.join(x for x in groups if x)
    body = int_digits + (fmt.dec + frac if frac else "")
    if body == "":
        body = "0"
    is_zero = not any(ch in "123456789" for ch in body)
    sign = "-" if negative and fmt.negative is None and not is_zero else ""
    return f"{sign}{section.prefix}{body}{section.suffix}"


def format_numbers_with(
    values: npt.NDArray[np.float64], pattern: str, dec: str, thou: str
) -> npt.NDArray[np.object_]:
    """Texts of numbers in a number format (None for NaN); once per distinct number."""
    fmt = compile_number_format(pattern, dec, thou)
    return _per_distinct(values, fmt.format)


def _per_distinct(
    values: npt.NDArray[np.float64], fn: Callable[[float], str]
) -> npt.NDArray[np.object_]:
    out = np.full(values.shape[0], None, dtype=object)
    ok = ~np.isnan(values)
    if ok.any():
        uniq, inv = np.unique(values[ok], return_inverse=True)
        texts = np.empty(uniq.shape[0], dtype=object)
        texts[:] = [fn(v) for v in uniq.tolist()]
        out[ok] = texts[np.asarray(inv).reshape(-1)]
    return out


# -- date, time and interval format codes ------------------------------------------------------

# token kinds: ("lit", text) or (code, width)
DateToken = tuple[str, str]

_CODE_CHARS = {
    "Y": "Y",
    "y": "Y",
    "M": "M",
    "D": "D",
    "d": "D",
    "W": "W",
    "w": "W",
    "h": "h",
    "H": "h",
    "m": "m",
    "s": "s",
    "S": "s",
    "f": "f",
    "F": "f",
}


def tokenize_date_format(pattern: str, keep_optional: bool = False) -> list[DateToken]:
    """Split a date/time format into code runs (`YYYY`, `MM`, `TT`, ...) and literal text.

    `[...]` marks an optional part: dropped when formatting, kept (as `opt(`/`)opt` markers)
    for parsing when `keep_optional`.
    """
    tokens: list[DateToken] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "[":
            close = pattern.find("]", i)
            close = len(pattern) if close < 0 else close
            if keep_optional:
                tokens.append(("opt(", ""))
                tokens.extend(tokenize_date_format(pattern[i + 1 : close], True))
                tokens.append((")opt", ""))
            i = close + 1
            continue
        if pattern.startswith(("TT", "tt", "Tt", "tT"), i):
            tokens.append(("T", "TT"))
            i += 2
            continue
        code = _CODE_CHARS.get(ch)
        if code is None:
            if tokens and tokens[-1][0] == "lit":
                tokens[-1] = ("lit", tokens[-1][1] + ch)
            else:
                tokens.append(("lit", ch))
            i += 1
            continue
        j = i
        while j < len(pattern) and pattern[j] == ch:
            j += 1
        tokens.append((code, pattern[i:j]))
        i = j
    return tokens


def _pad(values: npt.NDArray[np.int64], width: int) -> pa.Array:
    arr = pc.cast(pa.array(values), pa.string())
    return pc.utf8_lpad(arr, width, "0") if width > 1 else arr


_DEDUPE_MIN_ROWS = 4096


def format_datetimes(
    serials: npt.NDArray[np.float64], pattern: str, settings: FormatSettings
) -> npt.NDArray[np.object_]:
    """Texts of serial date-times in a date/time/timestamp format (None for NaN).

    Vectorised: calendar parts with numpy, texts assembled with pyarrow string kernels.
    """
    n = serials.shape[0]
    ok = dates.valid(serials)
    if not ok.any():
        return np.full(n, None, dtype=object)
    if n >= _DEDUPE_MIN_ROWS:
        uniq, inv = np.unique(np.where(ok, serials, np.nan), return_inverse=True)
        if uniq.shape[0] * 2 <= n:
            return format_datetimes(uniq, pattern, settings)[np.asarray(inv).reshape(-1)]
    s = np.where(ok, serials, 0.0)
    days, hour, minute, second, milli = dates.time_parts(s)
    p = dates.parts(days.astype(np.float64))
    tokens = tokenize_date_format(pattern)
    twelve = any(code == "T" for code, _ in tokens)
    pieces: list[pa.Array | str] = []
    for code, text in tokens:
        w = len(text)
        if code == "lit":
            pieces.append(text)
        elif code == "Y":
            pieces.append(_pad(p.year % 100, 2) if w <= 2 else _pad(p.year, 4))
        elif code == "M":
            if w >= 3:
                names = settings.long_month_names if w >= 4 else settings.month_names
                pieces.append(pa.array(np.asarray(names, dtype=object)[p.month - 1], pa.string()))
            else:
                pieces.append(_pad(p.month, w))
        elif code in ("D", "W") and (w >= 3 or code == "W"):
            wd = dates.weekday_monday0(days.astype(np.float64))
            if w >= 3:
                names = settings.long_day_names if w >= 4 else settings.day_names
                pieces.append(pa.array(np.asarray(names, dtype=object)[wd], pa.string()))
            else:
                pieces.append(_pad((wd - settings.first_week_day) % 7, 1))
        elif code == "D":
            pieces.append(_pad(p.day, w))
        elif code == "h":
            h = (hour + 11) % 12 + 1 if twelve else hour
            pieces.append(_pad(h, w))
        elif code == "m":
            pieces.append(_pad(minute, w))
        elif code == "s":
            pieces.append(_pad(second, w))
        elif code == "f":
            frac = pc.utf8_lpad(pc.cast(pa.array(milli), pa.string()), 3, "0")
            frac = pc.utf8_slice_codeunits(frac, 0, w) if w < 3 else frac
            pieces.append(pc.utf8_rpad(frac, w, "0") if w > 3 else frac)
        elif code == "T":
            ampm = np.where(hour < 12, "AM", "PM").astype(object)
            pieces.append(pa.array(ampm, pa.string()))
    return _join(pieces, ok, n)


def _join(
    pieces: list[pa.Array | str], ok: npt.NDArray[np.bool_], n: int
) -> npt.NDArray[np.object_]:
    if not pieces:
        joined: pa.Array = pa.array([""] * n, pa.string())
    elif all(isinstance(x, str) for x in pieces):
        joined = pa.array(["".join(str(x) for x in pieces)] * n, pa.string())
    else:
        joined = pc.binary_join_element_wise(*pieces, "")
    out = np.empty(n, dtype=object)
    out[:] = joined.to_pylist()
    out[~ok] = None
    return out


def format_intervals(
    values: npt.NDArray[np.float64], pattern: str, settings: FormatSettings
) -> npt.NDArray[np.object_]:
    """Texts of intervals (days) in an interval format: the largest unit holds the total
    (`hh:mm` of 1.5 days is `36:00`); a negative interval gets a leading `-`."""
    n = values.shape[0]
    ok = np.isfinite(values)
    v = np.where(ok, values, 0.0)
    total = np.round(np.abs(v) * 86_400_000).astype(np.int64)
    tokens = tokenize_date_format(pattern)
    codes = [c for c, _ in tokens]
    unit_ms = {"D": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1000}
    order = [c for c in ("D", "h", "m", "s") if c in codes]
    largest = order[0] if order else "s"
    pieces: list[pa.Array | str] = [pa.array(np.where(v < 0, "-", "").astype(object), pa.string())]
    for code, text in tokens:
        w = len(text)
        if code == "lit" or code not in ("D", "h", "m", "s", "f"):
            pieces.append(text)
            continue
        if code == "f":
            frac = pc.utf8_lpad(pc.cast(pa.array(total % 1000), pa.string()), 3, "0")
            pieces.append(pc.utf8_slice_codeunits(frac, 0, w) if w < 3 else frac)
            continue
        unit = unit_ms[code]
        if code == largest:
            amount = total // unit
        else:
            bigger = {"h": 86_400_000, "m": 3_600_000, "s": 60_000}[code]
            amount = total % bigger // unit
        pieces.append(_pad(amount, w))
    return _join(pieces, ok, n)

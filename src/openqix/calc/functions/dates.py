"""Date and time functions over Qlik serial dates (days since 1899-12-30).

Date arguments use their number; a text without one goes through the automatic interpretation
(DateFormat, TimestampFormat, ISO, ...). Results that are dates are duals formatted with
DateFormat (TimestampFormat for DayStart/DayEnd/Now, TimeFormat for MakeTime). A value that is
not a date gives NULL. Week settings (FirstWeekDay, BrokenWeeks, ReferenceDay,
FirstMonthOfYear) default to the FormatSettings; a setting argument that varies per row uses
its first row's value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from openqix.calc import dates as cal
from openqix.calc.format import FormatSettings, format_datetimes
from openqix.calc.functions._common import FALSE, TRUE, auto_numbers, numbers
from openqix.calc.functions.registry import FunctionContext, register
from openqix.calc.values import Duals, FloatArray, ObjectArray

ONE_MS = 1.0 / cal.MS_PER_DAY
Impl = Callable[[FunctionContext, Sequence[Duals], int], Duals]


def _dates(ctx: FunctionContext, d: Duals) -> FloatArray:
    num = auto_numbers(d, ctx.formats)
    return np.where(cal.valid(num), num, np.nan)


def _setting(args: Sequence[Duals], i: int, default: int) -> int:
    if len(args) <= i:
        return default
    num = numbers(args[i])
    ok = num[~np.isnan(num)]
    return int(ok[0]) if ok.size else default


def _period(args: Sequence[Duals], i: int, n: int) -> FloatArray:
    if len(args) <= i:
        return np.zeros(n)
    return np.trunc(numbers(args[i]))


def date_result(serial: FloatArray, fs: FormatSettings, pattern: str | None = None) -> Duals:
    serial = np.where(np.isfinite(serial), serial, np.nan)
    return Duals(serial, format_datetimes(serial, pattern or fs.date_format, fs))


def timestamp_result(serial: FloatArray, fs: FormatSettings) -> Duals:
    return date_result(serial, fs, fs.timestamp_format)


def _numeric(fn: Callable[[FunctionContext, Sequence[Duals], FloatArray, int], FloatArray]) -> Impl:
    def impl(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
        d = _dates(ctx, args[0])
        out = np.asarray(fn(ctx, args, d, n), dtype=np.float64)
        return Duals.of_numbers(np.where(np.isnan(d), np.nan, out))

    return impl


# -- parts ----------------------------------------------------------------------------------------

register("Year", 1, 1)(_numeric(lambda c, a, d, n: cal.parts(d).year.astype(np.float64)))
register("Day", 1, 1)(_numeric(lambda c, a, d, n: cal.parts(d).day.astype(np.float64)))
register("Hour", 1, 1)(_numeric(lambda c, a, d, n: cal.time_parts(d)[1].astype(np.float64)))
register("Minute", 1, 1)(_numeric(lambda c, a, d, n: cal.time_parts(d)[2].astype(np.float64)))
register("Second", 1, 1)(_numeric(lambda c, a, d, n: cal.time_parts(d)[3].astype(np.float64)))
register("DayNumberOfYear", 1, 2)(
    _numeric(
        lambda c, a, d, n: (
            np.floor(d)
            - _year_start(d, np.zeros(n), _setting(a, 1, c.formats.first_month_of_year))
            + 1
        )
    )
)
register("DayNumberOfQuarter", 1, 2)(
    _numeric(
        lambda c, a, d, n: (
            np.floor(d)
            - _quarter_start(d, np.zeros(n), _setting(a, 1, c.formats.first_month_of_year))
            + 1
        )
    )
)


@register("Month", 1, 1)
def month(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """Dual: the month name (MonthNames) and its number 1..12."""
    d = _dates(ctx, args[0])
    p = cal.parts(d)
    names = np.asarray(ctx.formats.month_names, dtype=object)[p.month - 1]
    ok = ~np.isnan(d)
    return Duals(np.where(ok, p.month, np.nan), _keep(ok, names))


@register("WeekDay", 1, 2)
def weekday(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """Dual: the day name (DayNames) and 0..6 counted from the first week day."""
    d = _dates(ctx, args[0])
    fwd = _setting(args, 1, ctx.formats.first_week_day) % 7
    mon0 = cal.weekday_monday0(d)
    names = np.asarray(ctx.formats.day_names, dtype=object)[mon0]
    ok = ~np.isnan(d)
    return Duals(np.where(ok, (mon0 - fwd) % 7, np.nan), _keep(ok, names))


def _keep(ok: npt.NDArray[np.bool_], texts: ObjectArray) -> ObjectArray:
    out = np.full(texts.shape[0], None, dtype=object)
    out[ok] = texts[ok]
    return out


def _week_args(ctx: FunctionContext, args: Sequence[Duals]) -> tuple[int, bool, int]:
    fs = ctx.formats
    fwd = _setting(args, 1, fs.first_week_day) % 7
    broken = _setting(args, 2, 1 if fs.broken_weeks else 0) != 0
    ref = _setting(args, 3, fs.reference_day)
    return fwd, broken, ref


@register("Week", 1, 4)
def week(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    d = _dates(ctx, args[0])
    wk, _ = cal.week_numbers(d, *_week_args(ctx, args))
    return Duals.of_numbers(np.where(np.isnan(d), np.nan, wk))


@register("WeekYear", 1, 4)
def week_year(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    d = _dates(ctx, args[0])
    _, wy = cal.week_numbers(d, *_week_args(ctx, args))
    return Duals.of_numbers(np.where(np.isnan(d), np.nan, wy))


# -- construction ---------------------------------------------------------------------------------


@register("MakeDate", 1, 3)
def make_date(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    y = np.trunc(numbers(args[0]))
    m = np.trunc(numbers(args[1])) if len(args) > 1 else np.ones(n)
    d = np.trunc(numbers(args[2])) if len(args) > 2 else np.ones(n)
    ok = (m >= 1) & (m <= 12) & (d >= 1) & (y >= 1) & (y <= 9999)
    ym = np.where(ok, m, 1).astype(np.int64)
    yy = np.where(ok, y, 2000).astype(np.int64)
    ok &= d <= cal.days_in_month(yy, ym)
    serial = np.where(ok, cal.make_serial(y, m, d), np.nan)
    return date_result(serial, ctx.formats)


@register("MakeTime", 1, 3)
def make_time(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    h = numbers(args[0])
    m = numbers(args[1]) if len(args) > 1 else np.zeros(n)
    s = numbers(args[2]) if len(args) > 2 else np.zeros(n)
    serial = (h * 3600 + m * 60 + s) / 86400.0
    return date_result(serial, ctx.formats, ctx.formats.time_format)


@register("MakeWeekDate", 1, 3)
def make_week_date(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """MakeWeekDate(year[, week[, day]]): ISO weeks (Monday first, week 1 holds Jan 4th),
    day 0 = Monday."""
    y = np.trunc(numbers(args[0]))
    w = np.trunc(numbers(args[1])) if len(args) > 1 else np.ones(n)
    d = np.trunc(numbers(args[2])) if len(args) > 2 else np.zeros(n)
    jan4 = cal.make_serial(y, 1, 4)
    first = cal.week_start(jan4, 0)
    return date_result(first + (w - 1) * 7 + d, ctx.formats)


@register("Today", 0, 1)
def today(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return date_result(np.full(n, float(np.floor(ctx.now))), ctx.formats)


@register("Now", 0, 1)
def now(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return timestamp_result(np.full(n, ctx.now), ctx.formats)


# -- period starts and ends -----------------------------------------------------------------------


def _year_start(d: FloatArray, shift: FloatArray, first_month: int) -> FloatArray:
    p = cal.parts(d)
    fiscal_year = np.where(p.month >= first_month, p.year, p.year - 1)
    return cal.make_serial(fiscal_year + shift, first_month, 1)


def _quarter_start(d: FloatArray, shift: FloatArray, first_month: int) -> FloatArray:
    p = cal.parts(d)
    rel = (p.month - first_month) % 12
    start_month = p.month - rel % 3
    idx = p.year * 12 + (start_month - 1) + (shift * 3).astype(np.int64)
    return cal.make_serial(idx // 12, idx % 12 + 1, 1)


def _month_start(d: FloatArray, shift: FloatArray) -> FloatArray:
    p = cal.parts(d)
    idx = p.year * 12 + (p.month - 1) + shift.astype(np.int64)
    return cal.make_serial(idx // 12, idx % 12 + 1, 1)


def _period_fn(
    name: str,
    max_args: int,
    start: Callable[[FunctionContext, Sequence[Duals], FloatArray, FloatArray], FloatArray],
    length: Callable[[FunctionContext, Sequence[Duals], FloatArray, FloatArray], FloatArray],
    timestamp: bool = False,
) -> None:
    def starts(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
        d = _dates(ctx, args[0])
        shift = np.nan_to_num(_period(args, 1, n))
        s = start(ctx, args, d, shift)
        s = np.where(np.isnan(d), np.nan, s)
        return timestamp_result(s, ctx.formats) if timestamp else date_result(s, ctx.formats)

    def ends(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
        d = _dates(ctx, args[0])
        shift = np.nan_to_num(_period(args, 1, n))
        e = length(ctx, args, d, shift) - ONE_MS
        e = np.where(np.isnan(d), np.nan, e)
        return timestamp_result(e, ctx.formats) if timestamp else date_result(e, ctx.formats)

    register(name + "Start", 1, max_args)(starts)
    register(name + "End", 1, max_args)(ends)


def _fm(ctx: FunctionContext, args: Sequence[Duals]) -> int:
    return min(max(_setting(args, 2, ctx.formats.first_month_of_year), 1), 12)


def _day_offset(args: Sequence[Duals]) -> float:
    if len(args) <= 2:
        return 0.0
    num = numbers(args[2])
    ok = num[~np.isnan(num)]
    return float(ok[0]) if ok.size else 0.0


_period_fn(
    "Day",
    3,
    lambda c, a, d, s: np.floor(d - _day_offset(a)) + s + _day_offset(a),
    lambda c, a, d, s: np.floor(d - _day_offset(a)) + s + 1 + _day_offset(a),
    timestamp=True,
)
_period_fn(
    "Week",
    3,
    lambda c, a, d, s: cal.week_start(d, _setting(a, 2, c.formats.first_week_day) % 7) + 7 * s,
    lambda c, a, d, s: cal.week_start(d, _setting(a, 2, c.formats.first_week_day) % 7) + 7 * s + 7,
)
_period_fn(
    "Month",
    2,
    lambda c, a, d, s: _month_start(d, s),
    lambda c, a, d, s: _month_start(d, s + 1),
)
_period_fn(
    "Quarter",
    3,
    lambda c, a, d, s: _quarter_start(d, s, _fm(c, a)),
    lambda c, a, d, s: _quarter_start(d, s + 1, _fm(c, a)),
)
_period_fn(
    "Year",
    3,
    lambda c, a, d, s: _year_start(d, s, _fm(c, a)),
    lambda c, a, d, s: _year_start(d, s + 1, _fm(c, a)),
)


@register("MonthName", 1, 2)
def month_name(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """Dual: `MMM YYYY` text, the month's first day as number."""
    d = _dates(ctx, args[0])
    s = np.where(np.isnan(d), np.nan, _month_start(d, np.nan_to_num(_period(args, 1, n))))
    return date_result(s, ctx.formats, "MMM YYYY")


@register("YearName", 1, 3)
def year_name(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    d = _dates(ctx, args[0])
    fm = _fm(ctx, args)
    s = _year_start(d, np.nan_to_num(_period(args, 1, n)), fm)
    s = np.where(np.isnan(d), np.nan, s)
    if fm == 1:
        return date_result(s, ctx.formats, "YYYY")
    first = format_datetimes(s, "YYYY", ctx.formats)
    last = format_datetimes(
        _year_start(d, np.nan_to_num(_period(args, 1, n)) + 1, fm), "YYYY", ctx.formats
    )
    texts = np.array(
        [None if a is None else f"{a}-{b}" for a, b in zip(first, last, strict=True)], dtype=object
    )
    return Duals(s, texts)


# -- arithmetic -----------------------------------------------------------------------------------


@register("AddMonths", 2, 3)
def add_months(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    d = _dates(ctx, args[0])
    k = numbers(args[1])
    mode = _setting(args, 2, 0)
    return date_result(cal.add_months(d, k, end_relative=mode == 1), ctx.formats)


@register("AddYears", 2, 2)
def add_years(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    d = _dates(ctx, args[0])
    return date_result(cal.add_months(d, numbers(args[1]) * 12), ctx.formats)


@register("Age", 2, 2)
def age(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """Full years from a date of birth (2nd argument) to a date (1st)."""
    at = _dates(ctx, args[0])
    born = _dates(ctx, args[1])
    a, b = cal.parts(at), cal.parts(born)
    years = a.year - b.year - ((a.month < b.month) | ((a.month == b.month) & (a.day < b.day)))
    return Duals.of_numbers(np.where(np.isnan(at) | np.isnan(born), np.nan, years))


@register("NetWorkDays", 2, None)
def net_work_days(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """Monday-to-Friday days from start to end, both included, minus the holidays given
    (dates or date texts). End before start gives a negative count."""
    start = _dates(ctx, args[0])
    end = _dates(ctx, args[1])
    holidays: list[np.datetime64] = []
    for h in args[2:]:
        hd = _dates(ctx, h)
        given = hd[~np.isnan(hd)]
        holidays.extend(
            (cal.EPOCH + np.floor(given).astype(np.int64).astype("timedelta64[D]")).tolist()
        )
    ok = ~np.isnan(start) & ~np.isnan(end)
    s = cal.EPOCH + np.floor(np.where(ok, start, 0)).astype(np.int64).astype("timedelta64[D]")
    e = cal.EPOCH + np.floor(np.where(ok, end, 0)).astype(np.int64).astype("timedelta64[D]")
    hol = np.array(sorted(set(holidays)), dtype="datetime64[D]")
    forward = e >= s
    count = np.where(
        forward,
        np.busday_count(s, e + np.timedelta64(1, "D"), holidays=hol),
        -np.busday_count(e, s + np.timedelta64(1, "D"), holidays=hol),
    )
    return Duals.of_numbers(np.where(ok, count, np.nan))


# -- In... ----------------------------------------------------------------------------------------


def _in_period(
    name: str,
    max_args: int,
    start: Callable[[FunctionContext, Sequence[Duals], FloatArray, FloatArray], FloatArray],
    end: Callable[[FunctionContext, Sequence[Duals], FloatArray, FloatArray], FloatArray],
) -> None:
    def impl(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
        d = _dates(ctx, args[0])
        base = _dates(ctx, args[1])
        shift = np.nan_to_num(np.trunc(numbers(args[2])))
        inside = (d >= start(ctx, args, base, shift)) & (d < end(ctx, args, base, shift))
        ok = ~np.isnan(d) & ~np.isnan(base)
        return Duals.of_numbers(np.where(ok, np.where(inside, TRUE, FALSE), np.nan))

    register(name, 3, max_args)(impl)


def _setting3(ctx: FunctionContext, args: Sequence[Duals], default: int) -> int:
    return _setting(args, 3, default)


_in_period(
    "InDay",
    4,
    lambda c, a, b, s: np.floor(b - _s3f(a)) + s + _s3f(a),
    lambda c, a, b, s: np.floor(b - _s3f(a)) + s + 1 + _s3f(a),
)
_in_period(
    "InWeek",
    4,
    lambda c, a, b, s: cal.week_start(b, _setting3(c, a, c.formats.first_week_day) % 7) + 7 * s,
    lambda c, a, b, s: cal.week_start(b, _setting3(c, a, c.formats.first_week_day) % 7) + 7 * s + 7,
)
_in_period(
    "InMonth", 3, lambda c, a, b, s: _month_start(b, s), lambda c, a, b, s: _month_start(b, s + 1)
)
_in_period(
    "InQuarter",
    4,
    lambda c, a, b, s: _quarter_start(b, s, _fm3(c, a)),
    lambda c, a, b, s: _quarter_start(b, s + 1, _fm3(c, a)),
)
_in_period(
    "InYear",
    4,
    lambda c, a, b, s: _year_start(b, s, _fm3(c, a)),
    lambda c, a, b, s: _year_start(b, s + 1, _fm3(c, a)),
)


def _fm3(ctx: FunctionContext, args: Sequence[Duals]) -> int:
    return min(max(_setting(args, 3, ctx.formats.first_month_of_year), 1), 12)


def _s3f(args: Sequence[Duals]) -> float:
    if len(args) <= 3:
        return 0.0
    num = numbers(args[3])
    ok = num[~np.isnan(num)]
    return float(ok[0]) if ok.size else 0.0


# -- names, multi-month periods, to-date tests ----------------------------------------------------


@register("DayName", 1, 3)
def day_name(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """The day's start (shifted by period_no days) shown in DateFormat."""
    d = _dates(ctx, args[0])
    s = np.floor(d) + np.nan_to_num(_period(args, 1, n))
    return date_result(np.where(np.isnan(d), np.nan, s), ctx.formats)


@register("WeekName", 1, 3)
def week_name(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """`YYYY/WW` (week year and week number), the week's first day as number."""
    d = _dates(ctx, args[0])
    fwd = _setting(args, 2, ctx.formats.first_week_day) % 7
    s = cal.week_start(d, fwd) + 7 * np.nan_to_num(_period(args, 1, n))
    s = np.where(np.isnan(d), np.nan, s)
    wk, wy = cal.week_numbers(
        s, ctx.formats.first_week_day, ctx.formats.broken_weeks, ctx.formats.reference_day
    )
    texts = np.full(n, None, dtype=object)
    ok = ~np.isnan(s)
    if ok.any():
        texts[ok] = [f"{y}/{w:02d}" for y, w in zip(wy[ok].tolist(), wk[ok].tolist(), strict=True)]
    return Duals(s, texts)


@register("QuarterName", 1, 3)
def quarter_name(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """`Jan-Mar 2005` (MonthNames), the quarter's first day as number."""
    d = _dates(ctx, args[0])
    shift = np.nan_to_num(_period(args, 1, n))
    start = _quarter_start(d, shift, _fm(ctx, args))
    start = np.where(np.isnan(d), np.nan, start)
    last = np.where(np.isnan(d), np.nan, _quarter_start(d, shift + 1, _fm(ctx, args)) - 1)
    first_m = format_datetimes(start, "MMM", ctx.formats)
    last_m = format_datetimes(last, "MMM YYYY", ctx.formats)
    texts = np.full(n, None, dtype=object)
    ok = ~np.isnan(start)
    texts[ok] = [f"{a}-{b}" for a, b in zip(first_m[ok], last_m[ok], strict=True)]
    return Duals(start, texts)


def _months_start(d: FloatArray, months: int, shift: FloatArray, first_month: int) -> FloatArray:
    p = cal.parts(d)
    rel = (p.month - first_month) % 12
    start_month = p.month - rel % months
    idx = p.year * 12 + (start_month - 1) + (shift * months).astype(np.int64)
    return cal.make_serial(idx // 12, idx % 12 + 1, 1)


def _months_args(ctx: FunctionContext, args: Sequence[Duals]) -> tuple[int, int]:
    months = _setting(args, 0, 1)
    if months not in (1, 2, 3, 4, 6, 12):
        months = 1
    first_month = min(max(_setting(args, 3, ctx.formats.first_month_of_year), 1), 12)
    return months, first_month


def _months_impl(kind: str) -> Impl:
    def impl(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
        months, first_month = _months_args(ctx, args)
        d = _dates(ctx, args[1])
        shift = np.nan_to_num(_period(args, 2, n))
        start = _months_start(d, months, shift, first_month)
        end = _months_start(d, months, shift + 1, first_month)
        start = np.where(np.isnan(d), np.nan, start)
        if kind == "start":
            return date_result(start, ctx.formats)
        if kind == "end":
            return date_result(np.where(np.isnan(d), np.nan, end - ONE_MS), ctx.formats)
        a = format_datetimes(start, "MMM", ctx.formats)
        b = format_datetimes(np.where(np.isnan(d), np.nan, end - 1), "MMM YYYY", ctx.formats)
        texts = np.full(n, None, dtype=object)
        ok = ~np.isnan(start)
        texts[ok] = [f"{x}-{y}" for x, y in zip(a[ok], b[ok], strict=True)]
        return Duals(start, texts)

    return impl


register("MonthsStart", 2, 4)(_months_impl("start"))
register("MonthsEnd", 2, 4)(_months_impl("end"))
register("MonthsName", 2, 4)(_months_impl("name"))


def _to_date(name: str, max_args: int, start_fn: Callable[..., FloatArray]) -> None:
    """In...ToDate(date, base, period_no[, ...]): inside the shifted period and not after the
    end of the base date's day at the same position in it."""

    def impl(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
        d = _dates(ctx, args[0])
        base = _dates(ctx, args[1])
        shift = np.nan_to_num(np.trunc(numbers(args[2])))
        base_start = start_fn(ctx, args, base, np.zeros(n))
        start = start_fn(ctx, args, base, shift)
        limit = start + (np.floor(base) - base_start) + 1 - ONE_MS  # the base day included
        inside = (d >= start) & (d <= limit)
        ok = ~np.isnan(d) & ~np.isnan(base)
        return Duals.of_numbers(np.where(ok, np.where(inside, TRUE, FALSE), np.nan))

    register(name, 3, max_args)(impl)


_to_date("InYearToDate", 4, lambda c, a, b, s: _year_start(b, s, _fm3(c, a)))
_to_date("InQuarterToDate", 4, lambda c, a, b, s: _quarter_start(b, s, _fm3(c, a)))
_to_date("InMonthToDate", 3, lambda c, a, b, s: _month_start(b, s))
_to_date(
    "InWeekToDate",
    4,
    lambda c, a, b, s: cal.week_start(b, _setting3(c, a, c.formats.first_week_day) % 7) + 7 * s,
)


@register("YearToDate", 1, 4)
def year_to_date(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """YearToDate(date[, yearoffset[, firstmonth[, todaydate]]]): inside the year of today
    (shifted) and not after today's position in it."""
    d = _dates(ctx, args[0])
    shift = np.nan_to_num(_period(args, 1, n))
    fm = min(max(_setting(args, 2, ctx.formats.first_month_of_year), 1), 12)
    today = _dates(ctx, args[3]) if len(args) > 3 else np.full(n, float(np.floor(ctx.now)))
    start0 = _year_start(today, np.zeros(n), fm)
    start = _year_start(today, shift, fm)
    limit = start + (np.floor(today) - start0) + 1 - ONE_MS
    inside = (d >= start) & (d <= limit)
    return Duals.of_numbers(np.where(np.isnan(d), np.nan, np.where(inside, TRUE, FALSE)))


def _utc_offset_days() -> float:
    import datetime

    offset = datetime.datetime.now().astimezone().utcoffset()
    return 0.0 if offset is None else offset.total_seconds() / 86400.0


@register("UTC", 0, 0)
def utc(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return timestamp_result(np.full(n, ctx.now - _utc_offset_days()), ctx.formats)


register("GMT", 0, 0)(utc)

"""Serial-date arithmetic, vectorised with numpy.

A Qlik date is a serial number: days since 1899-12-30 (a Saturday), the fraction is the time
of day. Everything here works on float64 arrays with NaN for "no date".
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

EPOCH = np.datetime64("1899-12-30", "D")
MS_PER_DAY = 86_400_000
# numpy datetime64[D] covers far more than Qlik's range; keep serials in a sane window so
# conversions never overflow (years 0001..9999).
_MIN_SERIAL = -693_593.0
_MAX_SERIAL = 2_958_465.0


class Parts(NamedTuple):
    """Calendar parts of serial dates (valid where `ok`; zeros elsewhere)."""

    ok: npt.NDArray[np.bool_]
    year: IntArray
    month: IntArray  # 1..12
    day: IntArray  # 1..31
    days: IntArray  # floor of the serial (whole days)


def valid(serial: FloatArray) -> npt.NDArray[np.bool_]:
    return np.asarray(np.isfinite(serial) & (serial >= _MIN_SERIAL) & (serial < _MAX_SERIAL))


def parts(serial: FloatArray) -> Parts:
    ok = valid(serial)
    days = np.where(ok, np.floor(np.where(ok, serial, 0)), 0).astype(np.int64)
    dt = EPOCH + days.astype("timedelta64[D]")
    months = dt.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (dt - months.astype("datetime64[D]")).astype(np.int64) + 1
    return Parts(ok, year, month, day, days)


def make_serial(year: npt.ArrayLike, month: npt.ArrayLike, day: npt.ArrayLike) -> FloatArray:
    """Serial of y-m-d; months and days outside their range roll over (month 13 = next
    January, day 0 = last day of the previous month). NaN in any part gives NaN."""
    y = np.asarray(year, dtype=np.float64)
    m = np.asarray(month, dtype=np.float64)
    d = np.asarray(day, dtype=np.float64)
    y, m, d = np.broadcast_arrays(y, m, d)
    ok = np.isfinite(y) & np.isfinite(m) & np.isfinite(d) & (np.abs(y) < 10000)
    yi = np.where(ok, y, 2000).astype(np.int64)
    mi = np.where(ok, m, 1).astype(np.int64)
    di = np.where(ok, d, 1).astype(np.int64)
    month_index = (yi - 1970) * 12 + (mi - 1)
    first = month_index.astype("datetime64[M]").astype("datetime64[D]")
    serial = (first - EPOCH).astype(np.int64) + (di - 1)
    return np.where(ok, serial.astype(np.float64), np.nan)


def month_start(year: IntArray, month: IntArray) -> FloatArray:
    return make_serial(year, month, 1)


def days_in_month(year: IntArray, month: IntArray) -> IntArray:
    return (make_serial(year, month + 1, 1) - make_serial(year, month, 1)).astype(np.int64)


def weekday_monday0(serial: FloatArray) -> IntArray:
    """0 = Monday ... 6 = Sunday (serial 0 was a Saturday)."""
    days = np.floor(np.where(np.isfinite(serial), serial, 0)).astype(np.int64)
    return np.asarray((days + 5) % 7, dtype=np.int64)


def week_start(serial: FloatArray, first_week_day: int | IntArray) -> FloatArray:
    """Serial (whole day) of the first day of the week holding `serial`."""
    fwd = np.asarray(first_week_day, dtype=np.int64)
    back = (weekday_monday0(serial) - fwd) % 7
    return np.asarray(np.floor(serial) - back, dtype=np.float64)  # NaN stays NaN


def week_numbers(
    serial: FloatArray, first_week_day: int, broken: bool, reference_day: int
) -> tuple[IntArray, IntArray]:
    """(week number, week year) of each date under Qlik's week settings.

    Broken weeks: week 1 starts on January 1st and the weeks after it start on
    `first_week_day`. Unbroken weeks: week 1 is the week containing January `reference_day`
    (0 means 4, the ISO rule), weeks may span years, and the week year can differ.
    """
    p = parts(serial)
    serial = np.where(p.ok, serial, 0.0)
    if broken:
        jan1 = make_serial(p.year, 1, 1)
        first_ws = week_start(jan1, first_week_day)
        week = np.floor((np.floor(serial) - first_ws) / 7).astype(np.int64) + 1
        return np.where(p.ok, week, 0), p.year
    ref = reference_day if 1 <= reference_day <= 7 else 4
    ws = week_start(serial, first_week_day)
    wy = parts(ws + (7 - ref)).year
    first_ws = week_start(make_serial(wy, 1, ref), first_week_day)
    week = np.floor((ws - first_ws) / 7).astype(np.int64) + 1
    return np.where(p.ok, week, 0), np.where(p.ok, wy, 0)


def add_months(serial: FloatArray, months: FloatArray, end_relative: bool = False) -> FloatArray:
    """AddMonths: the same day n months later, clipped to the month's last day; the time of
    day is kept. `end_relative` (mode 1): a month-end date stays a month end."""
    p = parts(serial)
    k = np.where(np.isfinite(months), np.trunc(months), 0).astype(np.int64)
    idx = (p.year * 12 + (p.month - 1)) + k
    ny, nm = idx // 12, idx % 12 + 1
    dim = days_in_month(ny, nm)
    day = np.minimum(p.day, dim)
    if end_relative:
        was_end = p.day == days_in_month(p.year, p.month)
        day = np.where(was_end, dim, day)
    out = make_serial(ny, nm, day) + (serial - np.floor(serial))
    return np.where(p.ok & np.isfinite(months), out, np.nan)


def day_of_year(serial: FloatArray) -> IntArray:
    p = parts(serial)
    return (p.days - make_serial(p.year, 1, 1).astype(np.int64) + 1).astype(np.int64)


def time_parts(serial: FloatArray) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
    """(whole days, hour, minute, second, millisecond) with the time rounded to the nearest
    millisecond (a carry moves to the next day)."""
    ok = np.isfinite(serial)
    s = np.where(ok, serial, 0.0)
    total_ms = np.round(s * MS_PER_DAY).astype(np.int64)
    days = total_ms // MS_PER_DAY
    ms = total_ms % MS_PER_DAY
    hour = ms // 3_600_000
    minute = ms // 60_000 % 60
    second = ms // 1000 % 60
    milli = ms % 1000
    return days, hour, minute, second, milli

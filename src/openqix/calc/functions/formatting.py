"""Formatting and interpretation functions: Num, Money, Date, Time, Timestamp, Interval, Dual,
and Num#, Money#, Date#, Time#, Timestamp#, Interval#.

Formatting functions keep the number and set the text; a value without a number that the
automatic interpretation cannot read gives NULL (Qlik: `Date('8/6/97','YY.MM.DD')` is NULL when
DateFormat is `YY-MM-DD`). Interpretation functions keep the text and attach the number they
read; a text that does not read stays text without a number. Omitted formats and separators
come from the FormatSettings (DateFormat, MoneyFormat, DecimalSep, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openqix.calc.format import (
    FormatSettings,
    compile_number_format,
    format_datetimes,
    format_intervals,
    format_number,
)
from openqix.calc.functions._common import (
    apply_distinct,
    auto_numbers,
    by_distinct_text,
    display_objects,
    numbers,
)
from openqix.calc.functions.registry import FunctionContext, register
from openqix.calc.interpret import parse_datetimes, parse_intervals, parse_numbers
from openqix.calc.values import Duals, FloatArray, ObjectArray, none_mask

TextsOf = Callable[[FloatArray, str, FormatSettings], ObjectArray]


def _format_rows(
    num: FloatArray, fmt_arg: Duals | None, default: str, fn: TextsOf, fs: FormatSettings
) -> ObjectArray:
    n = num.shape[0]
    out = np.full(n, None, dtype=object)
    for pattern, rows in by_distinct_text(fmt_arg, default, n):
        if rows is None:
            out = fn(num, pattern, fs)
        else:
            out[rows] = fn(num[rows], pattern, fs)
    return out


def _dated(
    fn: TextsOf, default: Callable[[FormatSettings], str]
) -> Callable[[FunctionContext, Sequence[Duals], int], Duals]:
    def impl(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
        num = auto_numbers(args[0], ctx.formats)
        fmt = args[1] if len(args) > 1 else None
        texts = _format_rows(num, fmt, default(ctx.formats), fn, ctx.formats)
        return Duals(num, texts)

    return impl


register("Date", 1, 2)(_dated(format_datetimes, lambda f: f.date_format))
register("Time", 1, 2)(_dated(format_datetimes, lambda f: f.time_format))
register("Timestamp", 1, 2)(_dated(format_datetimes, lambda f: f.timestamp_format))


def interval_default(fs: FormatSettings) -> str:
    """Interval's default format: TimeFormat without its AM/PM marker."""
    fmt = fs.time_format.replace("TT", "").replace("tt", "").strip()
    return fmt or "hh:mm:ss"


register("Interval", 1, 2)(_dated(format_intervals, interval_default))


def _numbered(money: bool) -> Callable[[FunctionContext, Sequence[Duals], int], Duals]:
    def impl(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
        fs = ctx.formats
        num = auto_numbers(args[0], fs)
        dec_default = fs.money_decimal_sep if money else fs.decimal_sep
        thou_default = fs.money_thousand_sep if money else fs.thousand_sep
        if len(args) == 1 and not money:
            texts = apply_distinct(
                lambda v: None if v != v else format_number(v).replace(".", dec_default), [num], n
            )
            return Duals(num, texts)
        fmt = display_objects(args[1]) if len(args) > 1 else np.full(n, fs.money_format, object)
        dec = display_objects(args[2]) if len(args) > 2 else np.full(n, dec_default, object)
        thou = display_objects(args[3]) if len(args) > 3 else np.full(n, thou_default, object)

        def one(v: float, f: str | None, d: str | None, t: str | None) -> str | None:
            if v != v:
                return None
            if f is None:
                return format_number(v)
            return compile_number_format(
                f, d or dec_default, thou_default if t is None else t
            ).format(v)

        return Duals(num, apply_distinct(one, [num, fmt, dec, thou], n))

    return impl


register("Num", 1, 4)(_numbered(False))
register("Money", 1, 4)(_numbered(True))


@register("Dual", 2, 2)
def dual(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """Dual(text, number): the text of the first argument with the number of the second."""
    return Duals(numbers(args[1]), display_objects(args[0]).copy())


# -- interpretation -------------------------------------------------------------------------------


def _parsed(
    parse: Callable[[ObjectArray, str, FormatSettings], FloatArray],
    default: Callable[[FormatSettings], str],
) -> Callable[[FunctionContext, Sequence[Duals], int], Duals]:
    def impl(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
        texts = display_objects(args[0])
        num = np.full(n, np.nan)
        fmt = args[1] if len(args) > 1 else None
        for pattern, rows in by_distinct_text(fmt, default(ctx.formats), n):
            if rows is None:
                num = parse(texts, pattern, ctx.formats)
            else:
                num[rows] = parse(texts[rows], pattern, ctx.formats)
        return Duals(num, texts.copy())

    return impl


def _dt(values: ObjectArray, pattern: str, fs: FormatSettings) -> FloatArray:
    return parse_datetimes(list(values), pattern, fs)


def _iv(values: ObjectArray, pattern: str, fs: FormatSettings) -> FloatArray:
    return parse_intervals(list(values), pattern, fs)


register("Date#", 1, 2)(_parsed(_dt, lambda f: f.date_format))
register("Time#", 1, 2)(_parsed(_dt, lambda f: f.time_format))
register("Timestamp#", 1, 2)(_parsed(_dt, lambda f: f.timestamp_format))
register("Interval#", 1, 2)(_parsed(_iv, interval_default))


def _num_parsed(money: bool) -> Callable[[FunctionContext, Sequence[Duals], int], Duals]:
    def impl(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
        fs = ctx.formats
        texts = display_objects(args[0])
        dec_default = fs.money_decimal_sep if money else fs.decimal_sep
        thou_default = fs.money_thousand_sep if money else fs.thousand_sep
        default_fmt = fs.money_format if money else ""
        fmt = display_objects(args[1]) if len(args) > 1 else np.full(n, default_fmt, object)
        dec = display_objects(args[2]) if len(args) > 2 else np.full(n, dec_default, object)
        thou = display_objects(args[3]) if len(args) > 3 else np.full(n, thou_default, object)
        num = np.full(n, np.nan)
        fmt = np.where(none_mask(fmt), "", fmt).astype(object)
        dec = np.where(none_mask(dec), dec_default, dec).astype(object)
        thou = np.where(none_mask(thou), "", thou).astype(object)
        key = pc.binary_join_element_wise(
            pa.array(fmt, pa.string()),
            pa.array(dec, pa.string()),
            pa.array(thou, pa.string()),
            "\x00",
        )
        enc = pc.dictionary_encode(key)
        groups = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        for g, combined in enumerate(enc.dictionary.to_pylist()):
            f, d, t = str(combined).split("\x00")
            rows = np.flatnonzero(groups == g)
            num[rows] = parse_numbers(list(texts[rows]), f or None, d or dec_default, t)
        return Duals(num, texts.copy())

    return impl


register("Num#", 1, 4)(_num_parsed(False))
register("Money#", 1, 4)(_num_parsed(True))

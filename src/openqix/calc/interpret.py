"""Interpretation of text as numbers, dates, times, timestamps, intervals and money.

Two uses:

- `Num#`, `Date#`, `Time#`, `Timestamp#`, `Interval#`, `Money#` read texts in an explicit
  format (calc/functions/formatting.py calls `parse_numbers`, `parse_datetimes`,
  `parse_intervals`).
- Automatic interpretation of loaded text (`interpret_arrow`, `interpret_texts`): a text that
  reads as a number (DecimalSep/ThousandSep), money (MoneyFormat), timestamp, date or time
  (TimestampFormat, DateFormat, TimeFormat, then ISO `YYYY-MM-DD[ hh:mm[:ss[.fff]]]`) keeps its
  text and gets that number; anything else stays text.

Vectorised: each format becomes one RE2 regular expression run by pyarrow's `extract_regex`
over the whole column, the captured parts are cast and combined with numpy. No Python loop per
value. Without format settings `interpret_texts` keeps the plain-number rule (see
`NUMBER_PATTERN`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from openqix.calc import dates
from openqix.calc.format import FormatSettings, _section, tokenize_date_format
from openqix.calc.values import Duals
from openqix.engine.model import Column

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

NUMBER_PATTERN = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"

ISO_FORMATS = ("YYYY-MM-DD", "YYYY-MM-DD hh:mm[:ss][.fff]", "YYYY-MM-DDThh:mm[:ss][.fff]")


# -- helpers -------------------------------------------------------------------------------------


def _lit(text: str) -> str:
    """A literal for RE2: letters and digits as they are, everything else as \\x{..}."""
    out = []
    for ch in text:
        if ch.isspace():
            out.append(r"\s*")
        elif ch.isalnum() and ch.isascii():
            out.append(ch)
        else:
            out.append(rf"\x{{{ord(ch):x}}}")
    return "".join(out)


def _as_string_array(values: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        if pa.types.is_dictionary(values.type):
            values = values.cast(values.type.value_type)
        if not pa.types.is_string(values.type):
            values = values.cast(pa.string())
        return values
    return pa.array(list(values), type=pa.string())


def _mask(arr: pa.Array | pa.ChunkedArray) -> BoolArray:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _num(arr: pa.Array) -> FloatArray:
    return np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def _field(struct: pa.Array, name: str) -> FloatArray:
    """A captured group as numbers (NaN where it did not take part or the row failed)."""
    f = pc.struct_field(struct, name)
    f = pc.if_else(pc.equal(f, ""), pa.scalar(None, pa.string()), f)
    return _num(f)


def _field_text(struct: pa.Array, name: str) -> pa.Array:
    f = pc.struct_field(struct, name)
    return pc.if_else(pc.equal(f, ""), pa.scalar(None, pa.string()), f)


# -- numbers and money ---------------------------------------------------------------------------


def _number_regex(dec: str, thou: str) -> str:
    d = _lit(dec)
    integer = rf"(?:[0-9]{{1,3}}(?:{_lit(thou)}[0-9]{{3}})+|[0-9]+)" if thou else r"[0-9]+"
    return rf"(?P<n>[+-]?(?:{integer}(?:{d}[0-9]*)?|{d}[0-9]+)(?:[eE][+-]?[0-9]+)?)"


_FLOAT = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"


def _to_float(texts: pa.Array, dec: str, thou: str, checked: bool = False) -> FloatArray:
    """`checked`: every text already matched `_number_regex(dec, thou)` (so is a float)."""
    if thou:
        texts = pc.replace_substring(texts, thou, "")
    if dec != ".":
        texts = pc.replace_substring(texts, dec, ".")
    if not checked:
        valid = pc.match_substring_regex(texts, _FLOAT)
        texts = pc.if_else(valid, texts, pa.scalar(None, pa.string()))
    values = _num(texts) + 0.0
    values[~np.isfinite(values)] = np.nan
    return values


def _number_variants(pattern: str | None, dec: str, thou: str) -> list[tuple[str, float, bool]]:
    """(regex, sign, percent) per way a text can read in a number format: the negative
    section, the positive one, then a bare number."""
    body = _number_regex(dec, thou)
    sections = pattern.split(";", 1) if pattern else [""]
    pos = _section(sections[0], dec, thou) if pattern else None
    neg = _section(sections[1], dec, thou) if len(sections) > 1 else None
    variants: list[tuple[str, str, float, bool]] = []
    if neg is not None:
        variants.append((neg.prefix.strip(), neg.suffix.strip(), -1.0, neg.percent))
    if pos is not None:
        variants.append((pos.prefix.strip(), pos.suffix.strip(), 1.0, pos.percent))
    variants.append(("", "", 1.0, False))
    return [
        (rf"^\s*{_lit(prefix)}\s*{body}\s*{_lit(suffix)}\s*$", sign, percent)
        for prefix, suffix, sign, percent in variants
    ]


def parse_numbers(
    values: pa.Array | pa.ChunkedArray | Sequence[str | None],
    pattern: str | None,
    dec: str = ".",
    thou: str = ",",
) -> FloatArray:
    """Num#/Money#: the number each text reads as in `pattern` (its prefix/suffix text, `%`,
    and a `pos;neg` negative section are honoured; digit placeholders are not enforced) with
    the given separators; NaN when it does not read."""
    arr = _as_string_array(values)
    n = len(arr)
    out = np.full(n, np.nan)
    if n == 0:
        return out
    dec = dec or "."
    for regex, sign, percent in _number_variants(pattern, dec, thou):
        todo = np.isnan(out)
        if not todo.any():
            break
        ok = _mask(pc.match_substring_regex(arr, regex)) & todo
        if not ok.any():
            continue
        idx = np.flatnonzero(ok)
        texts = pc.struct_field(pc.extract_regex(arr.take(pa.array(idx)), regex), "n")
        nums = _to_float(texts, dec, thou) * sign
        if percent:
            nums = nums / 100.0
        out[idx] = nums
    return out


# -- dates, times, timestamps --------------------------------------------------------------------


def _names_regex(names: Sequence[str]) -> str:
    alts = sorted({_lit(x) for x in names if x}, key=len, reverse=True)
    return "(?i:" + "|".join(alts) + ")"


def _date_regex(pattern: str, settings: FormatSettings, interval: bool = False) -> str:
    tokens = tokenize_date_format(pattern, keep_optional=True)
    parts: list[str] = []
    used: set[str] = set()

    def group(name: str, body: str) -> str:
        if name in used:
            return f"(?:{body})"
        used.add(name)
        return f"(?P<{name}>{body})"

    digit_codes = {"Y", "M", "D", "W", "h", "m", "s", "f"}
    for i, (code, text) in enumerate(tokens):
        w = len(text)
        nxt = tokens[i + 1][0] if i + 1 < len(tokens) else "end"
        fixed = nxt in digit_codes
        digits = "[0-9]{" + str(max(w, 2)) + "}" if fixed else r"[0-9]{1,2}"
        if code == "lit":
            parts.append(_lit(text))
        elif code == "opt(":
            parts.append("(?:")
        elif code == ")opt":
            parts.append(")?")
        elif interval and code in ("D", "h", "m", "s"):
            first = not any(c in ("D", "h", "m", "s") for c, _ in tokens[:i])
            body = r"[0-9]+" if first and not fixed else digits
            parts.append(group("i" + code, body))
        elif code == "Y":
            parts.append(group("y2", "[0-9]{2}") if w <= 2 else group("Y", "[0-9]{4}"))
        elif code == "M":
            if w >= 4:
                parts.append(group("Ml", _names_regex(settings.long_month_names)))
            elif w == 3:
                parts.append(group("Ms", _names_regex(settings.month_names)))
            else:
                parts.append(group("M", digits))
        elif code in ("D", "W") and (w >= 3 or code == "W"):
            if w >= 3:
                parts.append(_names_regex(settings.long_day_names + settings.day_names))
            else:
                parts.append("[0-9]")
        elif code == "D":
            parts.append(group("D", digits))
        elif code == "h":
            parts.append(group("h", digits))
        elif code == "m":
            parts.append(group("mi", digits))
        elif code == "s":
            parts.append(group("s", digits))
        elif code == "f":
            parts.append(group("f", "[0-9]+"))
        elif code == "T":
            # the AM/PM marker may be left out (24-hour text)
            if parts and parts[-1].endswith(r"\s*"):
                parts[-1] = parts[-1][: -len(r"\s*")]
                parts.append(r"(?:\s*" + group("T", "(?i:[ap]m)") + ")?")
            else:
                parts.append("(?:" + group("T", "(?i:[ap]m)") + ")?")
    sign = r"(?P<sign>-)?" if interval else ""
    return r"^\s*" + sign + "".join(parts) + r"\s*$"


def _month_from_names(struct: pa.Array, name: str, names: Sequence[str]) -> FloatArray:
    texts = pc.utf8_lower(_field_text(struct, name))
    idx = pc.index_in(texts, value_set=pa.array([x.lower() for x in names], pa.string()))
    return _num(idx) + 1.0


def _fraction(struct: pa.Array) -> FloatArray:
    f = _field_text(struct, "f")
    digits = _num(pc.utf8_length(f))
    value = _num(f)
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(value), 0.0, value / np.power(10.0, np.nan_to_num(digits)))


def parse_datetimes(
    values: pa.Array | pa.ChunkedArray | Sequence[str | None],
    pattern: str,
    settings: FormatSettings,
) -> FloatArray:
    """Date#/Time#/Timestamp#: the serial date-time each text reads as in `pattern`, NaN when
    it does not read or names an impossible date or time. Two-digit years: 00-29 → 20xx,
    30-99 → 19xx. Without date codes the result is a time of day (0 <= x < 1)."""
    arr = _as_string_array(values)
    n = len(arr)
    out = np.full(n, np.nan)
    if n == 0:
        return out
    if worth_deduplicating(arr):
        enc = pc.dictionary_encode(arr)
        if len(enc.dictionary) * 2 <= n:
            per_value = parse_datetimes(enc.dictionary, pattern, settings)
            idx = enc.indices.fill_null(len(enc.dictionary)).to_numpy(zero_copy_only=False)
            return np.append(per_value, np.nan)[np.asarray(idx, dtype=np.int64)]
    regex = _date_regex(pattern, settings)
    matched = _mask(pc.match_substring_regex(arr, regex))
    if not matched.any():
        return out
    rows = np.flatnonzero(matched)
    sub = arr if rows.size == n else arr.take(pa.array(rows))
    out[rows] = _datetimes_of(pc.extract_regex(sub, regex), len(sub), settings)
    return out


def _datetimes_of(struct: pa.Array, n: int, settings: FormatSettings) -> FloatArray:
    """Serials from the captured parts of a date/time regex (NaN where impossible)."""
    ok = _mask(pc.is_valid(struct))
    names = {struct.type.field(i).name for i in range(struct.type.num_fields)}
    has_date = bool(names & {"Y", "y2", "M", "Ms", "Ml", "D"})
    if "Y" in names:
        year = _field(struct, "Y")
    elif "y2" in names:
        y2 = _field(struct, "y2")
        year = np.where(y2 < 30, 2000 + y2, 1900 + y2)
    else:
        year = np.full(n, 1899.0)
    if "M" in names:
        month = _field(struct, "M")
    elif "Ms" in names:
        month = _month_from_names(struct, "Ms", settings.month_names)
    elif "Ml" in names:
        month = _month_from_names(struct, "Ml", settings.long_month_names)
    else:
        month = np.full(n, 12.0 if not has_date else 1.0)
    day = _field(struct, "D") if "D" in names else np.full(n, 30.0 if not has_date else 1.0)
    hour = np.nan_to_num(_field(struct, "h")) if "h" in names else np.zeros(n)
    minute = np.nan_to_num(_field(struct, "mi")) if "mi" in names else np.zeros(n)
    second = np.nan_to_num(_field(struct, "s")) if "s" in names else np.zeros(n)
    frac = _fraction(struct) if "f" in names else np.zeros(n)
    if "T" in names:
        marker = _field_text(struct, "T")
        pm = _mask(pc.equal(pc.utf8_lower(marker), "pm"))
        am = _mask(pc.equal(pc.utf8_lower(marker), "am"))
        twelve = pm | am
        ok &= ~twelve | ((hour >= 1) & (hour <= 12))
        hour = np.where(twelve, hour % 12 + np.where(pm, 12, 0), hour)
    ok &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
    ok &= (hour < 24) & (minute < 60) & (second < 60)
    ok &= np.isfinite(year) & np.isfinite(month) & np.isfinite(day)
    y = np.where(ok, year, 2000).astype(np.int64)
    m = np.where(ok, month, 1).astype(np.int64)
    ok &= day <= dates.days_in_month(y, m)
    serial = dates.make_serial(y, m, np.where(ok, day, 1))
    if not has_date:
        serial = np.zeros(n)
    serial = serial + (hour * 3600 + minute * 60 + second + frac) / 86400.0
    return np.where(ok, serial, np.nan)


def parse_intervals(
    values: pa.Array | pa.ChunkedArray | Sequence[str | None],
    pattern: str,
    settings: FormatSettings,
) -> FloatArray:
    """Interval#: the interval in days each text reads as (`D hh:mm:ss`, `hh:mm`, ...); the
    first unit may exceed its usual range (`36:00` in `hh:mm` is 1.5 days)."""
    arr = _as_string_array(values)
    n = len(arr)
    if n == 0:
        return np.zeros(0)
    struct = pc.extract_regex(arr, _date_regex(pattern, settings, interval=True))
    ok = _mask(pc.is_valid(struct))
    names = {struct.type.field(i).name for i in range(struct.type.num_fields)}
    total = np.zeros(n)
    for name, per_day in (("iD", 1.0), ("ih", 24.0), ("im", 1440.0), ("is", 86400.0)):
        if name in names:
            total += np.nan_to_num(_field(struct, name)) / per_day
    if "f" in names:
        total += _fraction(struct) / 86400.0
    if "sign" in names:
        neg = _mask(pc.equal(_field_text(struct, "sign"), "-"))
        total = np.where(neg, -total, total)
    return np.where(ok, total, np.nan)


# -- automatic interpretation --------------------------------------------------------------------


def interpret_numbers(
    values: pa.Array | pa.ChunkedArray | Sequence[str | None], formats: FormatSettings
) -> FloatArray:
    """The number each loaded text automatically reads as (NaN = stays text).

    Large columns with repeated values are interpreted once per distinct text."""
    arr = _as_string_array(values)
    n = len(arr)
    if worth_deduplicating(arr):
        enc = pc.dictionary_encode(arr)
        if len(enc.dictionary) * 2 <= n:
            per_value = _interpret_numbers(enc.dictionary, formats)
            idx = enc.indices.fill_null(len(enc.dictionary)).to_numpy(zero_copy_only=False)
            return np.append(per_value, np.nan)[np.asarray(idx, dtype=np.int64)]
    return _interpret_numbers(arr, formats)


_DEDUPE_MIN_ROWS = 4096
_SAMPLE = 8192


def worth_deduplicating(arr: pa.Array) -> bool:
    """Whether a large column repeats its values enough to work once per distinct value:
    judged on a sample from its middle (a unique column shows almost no repeats there)."""
    n = len(arr)
    if n < _DEDUPE_MIN_ROWS:
        return False
    start = max(0, n // 2 - _SAMPLE // 2)
    sample = arr.slice(start, min(_SAMPLE, n))
    distinct = pc.count_distinct(sample, mode="all").as_py()
    return bool(distinct < 0.98 * len(sample))


def _interpret_numbers(arr: pa.Array, formats: FormatSettings) -> FloatArray:
    n = len(arr)
    out = np.full(n, np.nan)
    if n == 0:
        return out
    # plain numbers first (the common case), on every row
    regex = "^" + _number_regex(formats.decimal_sep, formats.thousand_sep) + "$"
    is_number = _mask(pc.match_substring_regex(arr, regex))
    if is_number.any():
        texts = arr if is_number.all() else arr.filter(pa.array(is_number))
        out[is_number] = _to_float(texts, formats.decimal_sep, formats.thousand_sep, True)
    rest = np.flatnonzero(np.isnan(out))
    if rest.size == 0:
        return out
    # one pass with every other accepted shape at once; only candidates go through the steps
    sub_all = arr if rest.size == n else arr.take(pa.array(rest))
    candidate = _mask(pc.match_substring_regex(sub_all, _candidate_regex(formats)))
    if not candidate.any():
        return out
    todo = np.zeros(n, dtype=bool)
    todo[rest[candidate]] = True
    steps: list[tuple[str, str]] = [("money", "")]
    steps += [("date", formats.timestamp_format), ("date", formats.date_format)]
    steps += [("date", formats.time_format)]
    steps += [("date", f) for f in ISO_FORMATS]
    for kind, pattern in steps:
        idx = np.flatnonzero(todo & np.isnan(out))
        if idx.size == 0:
            break
        sub = arr.take(pa.array(idx)) if idx.size < n else arr
        if kind == "money":
            got = parse_numbers(
                sub, formats.money_format, formats.money_decimal_sep, formats.money_thousand_sep
            )
        else:
            got = parse_datetimes(sub, pattern, formats)
        out[idx] = np.where(np.isnan(out[idx]), got, out[idx])
    return out


_candidates: dict[FormatSettings, str] = {}


def _candidate_regex(formats: FormatSettings) -> str:
    """An alternation of all shapes the automatic interpretation accepts (without groups)."""
    found = _candidates.get(formats)
    if found is None:
        shapes = [
            r
            for r, _, _ in _number_variants(
                formats.money_format, formats.money_decimal_sep, formats.money_thousand_sep
            )
        ]
        patterns = [formats.timestamp_format, formats.date_format, formats.time_format]
        shapes += [_date_regex(p, formats) for p in (*patterns, *ISO_FORMATS)]
        found = "|".join("(?:" + re.sub(r"\(\?P<\w+>", "(?:", x) + ")" for x in shapes)
        if len(_candidates) < 64:
            _candidates[formats] = found
    return found


def interpret_arrow(
    values: pa.Array | pa.ChunkedArray | Sequence[str | None], formats: FormatSettings
) -> Duals:
    """Loaded texts as duals: each text kept, with the number it automatically reads as.

    A text equal to NullInterpret (when set) becomes NULL. Callers that keep the texts in
    Arrow use `interpret_numbers` (the numbers only) instead of materialising Python strings.
    """
    arr = _as_string_array(values)
    if formats.null_interpret is not None and len(arr):
        is_null = pc.fill_null(pc.equal(arr, formats.null_interpret), False)
        arr = pc.if_else(is_null, pa.scalar(None, pa.string()), arr)
    texts = np.empty(len(arr), dtype=object)
    texts[:] = arr.to_pylist()
    return Duals(interpret_numbers(arr, formats), texts)


def interpret_texts(texts: Sequence[str], formats: FormatSettings | None = None) -> Column:
    """Each text with the number it reads as (NaN when it is not a number); texts are kept.

    Without `formats`: plain numbers only (`NUMBER_PATTERN`). With `formats`: the full
    automatic interpretation of `interpret_numbers`.
    """
    numbers = np.full(len(texts), np.nan)
    if len(texts) == 0:
        return Column(texts, numbers)
    if formats is not None:
        return Column(texts, interpret_numbers(texts, formats))
    array = pa.array(texts, type=pa.string())
    is_number = pc.fill_null(pc.match_substring_regex(array, NUMBER_PATTERN), False)
    mask = np.asarray(is_number.to_numpy(zero_copy_only=False), dtype=bool)
    if mask.any():
        values = pc.cast(array.filter(is_number), pa.float64()).to_numpy(zero_copy_only=False)
        values = values + 0.0  # -0 reads as 0
        values[~np.isfinite(values)] = np.nan  # 1e999 overflows: it stays text
        numbers[mask] = values
    return Column(texts, numbers)

"""String functions. A NULL string argument gives NULL (Len included); a number argument is
used through its text (own text, else the auto format). Counts and positions are truncated
toward zero. pyarrow kernels do the common cases; the rest run once per distinct combination
of argument values (`apply_distinct`), never once per row.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

import numpy as np
import pyarrow.compute as pc

from openqix.calc.functions._common import (
    apply_distinct,
    const_number,
    const_text,
    display_objects,
    int_arg,
    map_text_numbers,
    map_texts,
)
from openqix.calc.functions.registry import FunctionContext, register
from openqix.calc.values import Duals


def _texts(d: Duals) -> np.ndarray:
    return display_objects(d)


def _str_result(values: np.ndarray) -> Duals:
    return Duals.of_texts(values)


@register("Len", 1, 1)
def len_(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return map_text_numbers(args[0], pc.utf8_length)


@register("Upper", 1, 1)
def upper(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return map_texts(args[0], pc.utf8_upper)


@register("Lower", 1, 1)
def lower(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return map_texts(args[0], pc.utf8_lower)


def _capitalize(s: str | None) -> str | None:
    if s is None:
        return None
    out = []
    start = True
    for ch in s:
        if ch.isalpha():
            out.append(ch.upper() if start else ch.lower())
            start = False
        else:
            out.append(ch)
            start = ch.isspace() or not ch.isalnum()
    return "".join(out)


@register("Capitalize", 1, 1)
def capitalize(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return _str_result(apply_distinct(_capitalize, [_texts(args[0])], n))


@register("Trim", 1, 1)
def trim(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return map_texts(args[0], lambda a: pc.utf8_trim(a, " "))


@register("LTrim", 1, 1)
def ltrim(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return map_texts(args[0], lambda a: pc.utf8_ltrim(a, " "))


@register("RTrim", 1, 1)
def rtrim(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return map_texts(args[0], lambda a: pc.utf8_rtrim(a, " "))


def _left(s: str | None, k: float) -> str | None:
    if s is None or k != k:
        return None
    return s[: max(int(k), 0)]


def _right(s: str | None, k: float) -> str | None:
    if s is None or k != k:
        return None
    k = int(k)
    return s[len(s) - k :] if k > 0 else ""


def _mid(s: str | None, start: float, k: float | None = None) -> str | None:
    if s is None or start != start or (k is not None and k != k):
        return None
    i = int(start)
    if i < 1:
        return None
    if k is None:
        return s[i - 1 :]
    return s[i - 1 : i - 1 + max(int(k), 0)]


@register("Left", 2, 2)
def left(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    k = const_number(args[1])
    if k is not None and k == k:
        kk = max(int(k), 0)
        return map_texts(args[0], lambda a: pc.utf8_slice_codeunits(a, 0, kk))
    return _str_result(apply_distinct(_left, [_texts(args[0]), int_arg(args[1])], n))


@register("Right", 2, 2)
def right(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return _str_result(apply_distinct(_right, [_texts(args[0]), int_arg(args[1])], n))


@register("Mid", 2, 3)
def mid(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    cols = [_texts(args[0]), int_arg(args[1])]
    if len(args) > 2:
        cols.append(int_arg(args[2]))
    return _str_result(apply_distinct(_mid, cols, n))


def _occurrences(s: str, sub: str) -> list[int]:
    found = []
    pos = s.find(sub)
    while pos >= 0:
        found.append(pos)
        pos = s.find(sub, pos + 1)
    return found


def _index(s: str | None, sub: str | None, k: float = 1.0) -> float | None:
    if s is None or sub is None or k != k:
        return None
    i = int(k)
    if sub == "" or i == 0:
        return 0.0
    found = _occurrences(s, sub)
    if abs(i) > len(found):
        return 0.0
    return float((found[i - 1] if i > 0 else found[i]) + 1)


@register("Index", 2, 3)
def index(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    cols = [_texts(args[0]), _texts(args[1])]
    if len(args) > 2:
        cols.append(int_arg(args[2]))
    return Duals.of_numbers(apply_distinct(_index, cols, n, numeric=True))


def _replace(s: str | None, old: str | None, new: str | None) -> str | None:
    if s is None or old is None or new is None:
        return None
    return s.replace(old, new) if old else s


@register("Replace", 3, 3)
def replace(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    old, new = const_text(args[1]), const_text(args[2])
    if old and new is not None:
        return map_texts(args[0], lambda a: pc.replace_substring(a, old, new))
    return _str_result(apply_distinct(_replace, [_texts(a) for a in args], n))


def subfield_parts(s: str, delimiter: str) -> list[str]:
    """The parts SubField splits `s` into (an empty delimiter gives the text itself)."""
    return s.split(delimiter) if delimiter else [s]


def _subfield(s: str | None, delim: str | None, k: float) -> str | None:
    if s is None or delim is None or k != k:
        return None
    parts = subfield_parts(s, delim)
    i = int(k)
    if i > 0 and i <= len(parts):
        return parts[i - 1]
    if i < 0 and -i <= len(parts):
        return parts[i]
    return None


@register("SubField", 2, 3)
def subfield(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """3-arg form: the k-th part (negative from the end; out of range → NULL). The 2-arg form
    generates rows in a script LOAD (`subfield_rows`); as a plain value it is the first part."""
    k = int_arg(args[2]) if len(args) > 2 else np.ones(n)
    return _str_result(apply_distinct(_subfield, [_texts(args[0]), _texts(args[1]), k], n))


def subfield_rows(values: Duals, delimiter: Duals) -> tuple[np.ndarray, Duals]:
    """The 2-argument SubField of a script LOAD: one output row per part.

    Returns (source row of each output row, the parts). A NULL value gives one NULL row.
    """
    n = len(values)
    texts = _texts(values)
    delims = _texts(delimiter)
    parts = apply_distinct(
        lambda s, d: None if s is None or d is None else subfield_parts(s, d), [texts, delims], n
    )
    counts = np.fromiter((1 if p is None else len(p) for p in parts), dtype=np.int64, count=n)
    rows = np.repeat(np.arange(n, dtype=np.int64), counts)
    flat: list[str | None] = []
    for p in parts.tolist():
        if p is None:
            flat.append(None)
        else:
            flat.extend(p)
    return rows, Duals.of_texts(flat)


def _substring_count(s: str | None, sub: str | None) -> float | None:
    if s is None or sub is None:
        return None
    return float(s.count(sub)) if sub else 0.0


@register("SubStringCount", 2, 2)
def substring_count(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    sub = const_text(args[1])
    if sub:
        return map_text_numbers(args[0], lambda a: pc.count_substring(a, sub))
    return Duals.of_numbers(
        apply_distinct(_substring_count, [_texts(args[0]), _texts(args[1])], n, numeric=True)
    )


def _text_between(s: str | None, start: str | None, end: str | None, k: float = 1.0) -> str | None:
    if s is None or start is None or end is None or k != k:
        return None
    pos = -1
    for _ in range(max(int(k), 1)):
        pos = s.find(start, pos + 1)
        if pos < 0:
            return None
    begin = pos + len(start)
    stop = s.find(end, begin)
    if stop < 0:
        return None
    return s[begin:stop]


@register("TextBetween", 3, 4)
def text_between(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    cols: list[np.ndarray] = [_texts(a) for a in args[:3]]
    if len(args) > 3:
        cols.append(int_arg(args[3]))
    return _str_result(apply_distinct(_text_between, cols, n))


def _repeat(s: str | None, k: float = 1.0) -> str | None:
    if s is None or k != k:
        return None
    return s * max(int(k), 0)


@register("Repeat", 1, 2)
def repeat(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    k = int_arg(args[1]) if len(args) > 1 else np.ones(n)
    return _str_result(apply_distinct(_repeat, [_texts(args[0]), k], n))


def _chr(code: float) -> str | None:
    if code != code or code < 0 or code > 0x10FFFF:
        return None
    return chr(int(code))


@register("Chr", 1, 1)
def chr_(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return _str_result(apply_distinct(_chr, [int_arg(args[0])], n))


def _ord(s: str | None) -> float | None:
    if s is None or s == "":
        return None
    return float(ord(s[0]))


@register("Ord", 1, 1)
def ord_(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return Duals.of_numbers(apply_distinct(_ord, [_texts(args[0])], n, numeric=True))


def _keep(s: str | None, chars: str | None) -> str | None:
    if s is None or chars is None:
        return None
    keep = set(chars)
    return "".join(c for c in s if c in keep)


def _purge(s: str | None, chars: str | None) -> str | None:
    if s is None or chars is None:
        return None
    drop = set(chars)
    return "".join(c for c in s if c not in drop)


@register("KeepChar", 2, 2)
def keep_char(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return _str_result(apply_distinct(_keep, [_texts(args[0]), _texts(args[1])], n))


@register("PurgeChar", 2, 2)
def purge_char(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return _str_result(apply_distinct(_purge, [_texts(args[0]), _texts(args[1])], n))


def _findoneof(s: str | None, chars: str | None, k: float = 1.0) -> float | None:
    if s is None or chars is None or k != k:
        return None
    seen = 0
    wanted = set(chars)
    for i, c in enumerate(s):
        if c in wanted:
            seen += 1
            if seen == int(k):
                return float(i + 1)
    return 0.0


@register("FindOneOf", 2, 3)
def find_one_of(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    cols: list[np.ndarray] = [_texts(args[0]), _texts(args[1])]
    if len(args) > 2:
        cols.append(int_arg(args[2]))
    return Duals.of_numbers(apply_distinct(_findoneof, cols, n, numeric=True))


@register("Text", 1, 1)
def text(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """The value as a text only (its number dropped)."""
    return Duals.of_texts(_texts(args[0]))


def _hash(algo: str) -> object:
    def fn(*parts: str | None) -> str | None:
        h = hashlib.new(algo)
        for p in parts:
            h.update(("" if p is None else p).encode("utf-8"))
            h.update(b"\x00")
        # Qlik returns a 22/27/43-character printable string; ours is base64url without padding.
        return base64.urlsafe_b64encode(h.digest()).decode("ascii").rstrip("=")

    return fn


def _hash_impl(algo: str, bits: int) -> object:
    def impl(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
        f = _hash(algo)

        def trimmed(*parts: str | None) -> str | None:
            full = f(*parts)  # type: ignore[operator]
            return str(full)[: (bits + 5) // 6]

        return _str_result(apply_distinct(trimmed, [_texts(a) for a in args], n))

    return impl


register("Hash128", 1, None)(_hash_impl("md5", 128))  # type: ignore[arg-type]
register("Hash160", 1, None)(_hash_impl("sha1", 160))  # type: ignore[arg-type]
register("Hash256", 1, None)(_hash_impl("sha256", 256))  # type: ignore[arg-type]

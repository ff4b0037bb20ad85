"""Vectorised helpers shared by the function families.

Texts go through pyarrow string arrays (NULL = arrow null); numbers are float64 numpy arrays
(NaN = no number). A value's text for string functions is its own text, else its number in the
auto format (10 significant digits); formatting a number happens once per distinct number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, overload

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from openqix.calc.format import FormatSettings, format_number
from openqix.calc.interpret import interpret_numbers, worth_deduplicating
from openqix.calc.values import BoolArray, Duals, FloatArray, ObjectArray, none_mask

PLAIN_NUMBER = r"^\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*$"

TRUE = -1.0
FALSE = 0.0


def number_texts(num: FloatArray, formatter: Callable[[float], str] = format_number) -> ObjectArray:
    """Auto-format texts of numbers (None for NaN), formatting each distinct number once."""
    out = np.full(num.shape[0], None, dtype=object)
    valid = ~np.isnan(num)
    if valid.any():
        uniq, inv = np.unique(num[valid], return_inverse=True)
        texts = np.empty(uniq.shape[0], dtype=object)
        texts[:] = [formatter(v) for v in uniq.tolist()]
        out[valid] = texts[inv]
    return out


def display_objects(d: Duals) -> ObjectArray:
    """Per value its text (own text, else formatted number); None for NULL."""
    need = none_mask(d.text) & ~np.isnan(d.num)
    if not need.any():
        return d.text
    out = d.text.copy()
    out[need] = number_texts(d.num[need])
    return out


def text_array(d: Duals) -> pa.StringArray:
    """The texts of `d` as an arrow string array (null for NULL)."""
    return pa.array(display_objects(d), type=pa.string())


def arrow_texts(arr: pa.Array | pa.ChunkedArray) -> ObjectArray:
    """An arrow string array back to an object array (None for null)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    out = np.empty(len(arr), dtype=object)
    out[:] = arr.to_pylist()
    return out


def texts_result(arr: pa.Array | pa.ChunkedArray) -> Duals:
    """Pure texts from an arrow string array."""
    return Duals.of_texts(arrow_texts(arr))


def map_texts(d: Duals, kernel: Callable[[pa.Array], pa.Array]) -> Duals:
    """Pure texts from an arrow string kernel applied to the texts of `d`; a column with
    repeated values runs the kernel once per distinct text."""
    arr = text_array(d)
    n = len(arr)
    if worth_deduplicating(arr):
        enc = pc.dictionary_encode(arr)
        if len(enc.dictionary) * 2 <= n:
            mapped = np.full(len(enc.dictionary) + 1, None, dtype=object)
            mapped[:-1] = arrow_texts(kernel(enc.dictionary))
            idx = enc.indices.fill_null(len(enc.dictionary)).to_numpy(zero_copy_only=False)
            return Duals.of_texts(mapped[np.asarray(idx, dtype=np.int64)])
    return texts_result(kernel(arr))


def map_text_numbers(d: Duals, kernel: Callable[[pa.Array], pa.Array]) -> Duals:
    """Numbers from an arrow kernel over the texts of `d` (once per distinct text)."""
    arr = text_array(d)
    n = len(arr)
    if worth_deduplicating(arr):
        enc = pc.dictionary_encode(arr)
        if len(enc.dictionary) * 2 <= n:
            mapped = np.append(arrow_numbers(kernel(enc.dictionary)), np.nan)
            idx = enc.indices.fill_null(len(enc.dictionary)).to_numpy(zero_copy_only=False)
            return Duals.of_numbers(mapped[np.asarray(idx, dtype=np.int64)])
    return Duals.of_numbers(arrow_numbers(kernel(arr)))


def arrow_numbers(arr: pa.Array | pa.ChunkedArray) -> FloatArray:
    """An arrow numeric array as float64 (null → NaN)."""
    cast = pc.cast(arr, pa.float64())
    return np.asarray(cast.to_numpy(zero_copy_only=False), dtype=np.float64)


def bool_mask(arr: pa.Array | pa.ChunkedArray) -> BoolArray:
    """An arrow boolean array to numpy (null → False)."""
    filled = pc.fill_null(arr, False)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


def numbers(d: Duals) -> FloatArray:
    """The number of each value; a text without a number that reads as a plain number counts
    as that number (Qlik interprets numeric strings given to numeric parameters)."""
    num = d.num
    textual = np.isnan(num) & ~none_mask(d.text)
    if not textual.any():
        return num
    idx = np.flatnonzero(textual)
    arr = pa.array(d.text[idx], type=pa.string())
    ok = bool_mask(pc.match_substring_regex(arr, PLAIN_NUMBER))
    if not ok.any():
        return num
    out = num.copy()
    vals = pc.cast(pc.utf8_trim_whitespace(arr.filter(pa.array(ok))), pa.float64())
    out[idx[ok]] = np.asarray(vals.to_numpy(zero_copy_only=False), dtype=np.float64)
    return out


def booleans(d: Duals) -> BoolArray:
    """Truth of a condition: a number other than 0 is true; text and NULL are false."""
    num = numbers(d)
    return np.asarray(~np.isnan(num) & (num != 0), dtype=bool)


def bool_result(mask: BoolArray) -> Duals:
    return Duals.of_numbers(np.where(mask, TRUE, FALSE))


def map_distinct(arr: pa.Array, fn: Callable[[str], str | None]) -> ObjectArray:
    """Apply a Python function once per distinct text (nulls stay None)."""
    enc = pc.dictionary_encode(arr)
    dictionary = enc.dictionary.to_pylist()
    mapped = np.empty(len(dictionary) + 1, dtype=object)
    mapped[:-1] = [fn(t) for t in dictionary]
    mapped[-1] = None
    idx = enc.indices.fill_null(len(dictionary)).to_numpy(zero_copy_only=False)
    return mapped[np.asarray(idx, dtype=np.int64)]


def map_distinct_num(arr: pa.Array, fn: Callable[[str], float]) -> FloatArray:
    """Apply a text → number function once per distinct text (null → NaN)."""
    enc = pc.dictionary_encode(arr)
    dictionary = enc.dictionary.to_pylist()
    mapped = np.empty(len(dictionary) + 1, dtype=np.float64)
    mapped[:-1] = [fn(t) for t in dictionary]
    mapped[-1] = np.nan
    idx = enc.indices.fill_null(len(dictionary)).to_numpy(zero_copy_only=False)
    return mapped[np.asarray(idx, dtype=np.int64)]


def int_arg(d: Duals) -> npt.NDArray[np.float64]:
    """Numbers truncated toward zero (NaN kept) for count/position parameters."""
    return np.trunc(numbers(d))


def const_number(d: Duals) -> float | None:
    """The single number of an argument that is the same in every row, else None."""
    num = numbers(d)
    if num.shape[0] == 0:
        return None
    first = num[0]
    if np.isnan(first):
        return None if not np.isnan(num).all() else float("nan")
    return float(first) if bool(np.all(num == first)) else None


def const_text(d: Duals) -> str | None:
    """The single text of an argument that is the same in every row, else None."""
    t = display_objects(d)
    if t.shape[0] == 0:
        return None
    first = t[0]
    if first is None:
        return None
    return str(first) if bool(np.all(t == first)) else None


def _codes(col: FloatArray | ObjectArray) -> tuple[list[object], npt.NDArray[np.int64]]:
    """Distinct values of one column and each row's index into them."""
    if col.dtype == np.float64:
        uniq, inv = np.unique(col, return_inverse=True)
        return uniq.tolist(), np.asarray(inv, dtype=np.int64).reshape(-1)
    enc = pc.dictionary_encode(pa.array(col, type=pa.string()))
    values: list[object] = enc.dictionary.to_pylist()
    idx = enc.indices.fill_null(len(values)).to_numpy(zero_copy_only=False)
    values.append(None)
    return values, np.asarray(idx, dtype=np.int64)


@overload
def apply_distinct(
    fn: Callable[..., object],
    cols: Sequence[FloatArray | ObjectArray],
    n: int,
    numeric: Literal[False] = False,
) -> ObjectArray: ...


@overload
def apply_distinct(
    fn: Callable[..., object],
    cols: Sequence[FloatArray | ObjectArray],
    n: int,
    numeric: Literal[True],
) -> FloatArray: ...


def apply_distinct(
    fn: Callable[..., object],
    cols: Sequence[FloatArray | ObjectArray],
    n: int,
    numeric: bool = False,
) -> FloatArray | ObjectArray:
    """`fn(*values)` once per distinct combination of the columns' values, spread to rows.

    Float columns give floats (NaN for none), object columns str or None. Results are
    objects (numeric=False) or float64 (numeric=True, None → NaN).
    """
    if n == 0:
        return np.zeros(0) if numeric else np.empty(0, dtype=object)
    decoded = [_codes(c) for c in cols]
    dims = [len(v) for v, _ in decoded]
    product = 1
    for d in dims:
        product *= max(d, 1)
    if product < 2**62:
        key = np.ravel_multi_index([c for _, c in decoded], dims) if cols else np.zeros(n, np.int64)
        uniq, inv = np.unique(key, return_inverse=True)
        combos = (
            np.stack(np.unravel_index(uniq, dims), axis=1) if cols else np.zeros((1, 0), np.int64)
        )
    else:
        stacked = np.stack([c for _, c in decoded], axis=1)
        combos, inv = np.unique(stacked, axis=0, return_inverse=True)
    results = [fn(*(decoded[j][0][k] for j, k in enumerate(row))) for row in combos.tolist()]
    inv = np.asarray(inv).reshape(-1)
    if numeric:
        arr = np.array([np.nan if r is None else float(r) for r in results], dtype=np.float64)  # type: ignore[arg-type]
        return arr[inv]
    out = np.empty(len(results), dtype=object)
    out[:] = results
    return out[inv]


def auto_numbers(d: Duals, formats: FormatSettings) -> FloatArray:
    """Numbers of the values; a text without a number is read by the automatic
    interpretation (numbers, money, dates, times, timestamps of the format settings)."""
    num = d.num
    textual = np.isnan(num) & ~none_mask(d.text)
    if not textual.any():
        return num
    idx = np.flatnonzero(textual)
    out = num.copy()
    out[idx] = interpret_numbers(pa.array(d.text[idx], type=pa.string()), formats)
    return out


def by_distinct_text(
    arg: Duals | None, default: str, n: int
) -> list[tuple[str, npt.NDArray[np.int64] | None]]:
    """Rows grouped by the text of a (usually constant) format argument: (text, rows) pairs,
    rows None meaning every row. NULL or missing → `default`."""
    if arg is None:
        return [(default, None)]
    single = const_text(arg)
    texts = display_objects(arg)
    if single is not None:
        return [(single, None)]
    if n and all(t is None for t in texts.tolist()[:1]) and bool(none_mask(texts).all()):
        return [(default, None)]
    groups: list[tuple[str, npt.NDArray[np.int64] | None]] = []
    keys = np.where(none_mask(texts), default, texts).astype(object)
    for key in sorted(set(keys.tolist())):
        groups.append((str(key), np.flatnonzero(keys == key)))
    return groups

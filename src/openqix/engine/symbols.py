"""Symbol tables: the distinct non-null values of one field, as duals, in load order.

A value is identified by its number when it has one (numeric equality decides identity, the
first text seen is kept) and by its text otherwise. The index of a value is its element number.

Storage is columnar and compact (docs/engine.md, "Memory"): numbers in one float64 array,
texts in one Arrow string array where a null entry means "the canonical text of the number"
(so integer keys loaded from numbers store no text at all), and a field whose values are the
integers lo, lo+1, ... in load order (an ascending ID) stores only `lo` and the count.
Row index arrays are the narrowest signed integer type that holds the cardinal (int8, int16,
int32); -1 is NULL in every width.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

IndexArray = npt.NDArray[np.signedinteger[Any]]
FloatArray = npt.NDArray[np.float64]

# Integer values spanning at most this many slots (or 2x the rows) are encoded with a lookup
# table in O(n) instead of hashing.
_DENSE_SPAN = 1 << 22
_MAX_EXACT = 2.0**53


def index_dtype(cardinal: int) -> np.dtype[np.signedinteger[Any]]:
    """The narrowest signed dtype whose non-negative range holds `cardinal` element numbers."""
    if cardinal <= np.iinfo(np.int8).max:
        return np.dtype(np.int8)
    if cardinal <= np.iinfo(np.int16).max:
        return np.dtype(np.int16)
    return np.dtype(np.int32)


def number_text(value: float) -> str:
    """The canonical text of a number (what a number loaded without text displays)."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


class SymbolTexts(Sequence[str]):
    """Read-only `texts[i]` view of a symbol table (no Python string is stored per value)."""

    def __init__(self, table: SymbolTable):
        self._table = table

    def __len__(self) -> int:
        return len(self._table)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._table.text(i) for i in range(len(self))[index]]
        return self._table.text(index)

    def __iter__(self) -> Iterator[str]:
        return iter(self._table.text_list())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SymbolTexts):
            return self._table.text_list() == other._table.text_list()
        if isinstance(other, (tuple, list)):
            return self._table.text_list() == list(other)
        return NotImplemented

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"SymbolTexts({self._table.text_list()[:10]!r}{'...' if len(self) > 10 else ''})"


class SymbolTable:
    """Distinct values of a field: `text(i)`/`texts[i]` and `number(i)`/`numbers[i]` (NaN for
    pure text)."""

    def __init__(
        self,
        texts: pa.Array | Sequence[str | None] | None,
        numbers: FloatArray | None,
        *,
        range_start: int | None = None,
        range_count: int = 0,
    ):
        self._range: tuple[int, int] | None = None
        if range_start is not None:
            self._range = (range_start, range_count)
            self._numbers: FloatArray | None = None
            self._texts: pa.Array = pa.nulls(0, pa.string())
        else:
            if numbers is None:
                raise ValueError("numbers required")
            if texts is None:
                texts = pa.nulls(len(numbers), pa.string())
            elif not isinstance(texts, pa.Array):
                texts = pa.array(list(texts), type=pa.string())
            if len(texts) != len(numbers):
                raise ValueError("texts and numbers differ in length")
            self._texts = texts
            numbers = np.asarray(numbers, dtype=np.float64)
            numbers.setflags(write=False)
            self._numbers = numbers
        self._lookup: dict[str, dict[Any, int]] = {}
        self._text_list: list[str] | None = None
        self._cached: dict[str, Any] = {}
        self._lock = threading.Lock()

    @classmethod
    def integer_range(cls, start: int, count: int) -> SymbolTable:
        """The integers start, start+1, ... (in that load order) with their canonical texts."""
        return cls(None, None, range_start=start, range_count=count)

    # -- size and storage --------------------------------------------------------------------
    def __len__(self) -> int:
        if self._range is not None:
            return self._range[1]
        return len(self._numbers) if self._numbers is not None else 0

    @property
    def is_range(self) -> bool:
        return self._range is not None

    @property
    def nbytes(self) -> int:
        """Bytes held by the symbol table's arrays (the lazily built lookups excluded)."""
        if self._range is not None:
            return 16 + (self._numbers.nbytes if self._numbers is not None else 0)
        assert self._numbers is not None
        return int(self._numbers.nbytes) + int(self._texts.nbytes)

    # -- values ------------------------------------------------------------------------------
    @property
    def numbers(self) -> FloatArray:
        """Numbers of all symbols (NaN for text). A range table materialises it on first use."""
        if self._numbers is None:
            assert self._range is not None
            start, count = self._range
            numbers = np.arange(start, start + count, dtype=np.float64)
            numbers.setflags(write=False)
            self._numbers = numbers
        return self._numbers

    @property
    def texts(self) -> SymbolTexts:
        return SymbolTexts(self)

    def number(self, index: int) -> float:
        if self._range is not None and self._numbers is None:
            if not 0 <= index < self._range[1]:
                raise IndexError(index)
            return float(self._range[0] + index)
        return float(self.numbers[index])

    def text(self, index: int) -> str:
        if self._text_list is not None:
            return self._text_list[index]
        if self._range is not None:
            return str(int(self.number(index)))
        if index < 0:
            index += len(self)
        value = self._texts[index].as_py()
        return value if value is not None else number_text(self.number(index))

    def text_list(self) -> list[str]:
        """All texts as Python strings (built once per table on first use: searches, sorts)."""
        if self._text_list is None:
            self._text_list = self.text_array().to_pylist()
        return self._text_list

    def text_array(self) -> pa.Array:
        """All texts as an Arrow string array (canonical number texts filled in)."""
        numbers = self.numbers
        if self._range is not None:
            return pc.cast(pa.array(numbers.astype(np.int64)), pa.string())
        texts = self._texts
        missing = np.asarray(texts.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        if not missing.any():
            return texts
        filled = np.empty(len(numbers), dtype=object)
        filled[:] = texts.to_numpy(zero_copy_only=False)
        nums = numbers[missing]
        integral = (np.mod(nums, 1) == 0) & (np.abs(nums) < 1e15)
        as_int = pc.cast(pa.array(nums[integral].astype(np.int64)), pa.string())
        canonical = np.empty(len(nums), dtype=object)
        canonical[integral] = as_int.to_numpy(zero_copy_only=False)
        canonical[~integral] = [number_text(float(v)) for v in nums[~integral]]
        filled[missing] = canonical
        return pa.array(filled, type=pa.string())

    def casefold_rank(self) -> npt.NDArray[np.int64]:
        """Rank of each symbol's text in case-insensitive order, ties by load order (cached:
        list objects sort by it on every layout)."""
        with self._lock:
            rank = self._cached.get("casefold_rank")
            if rank is None:
                texts = np.array([t.casefold() for t in self.text_list()] or [""], dtype=np.str_)
                order = np.argsort(texts[: len(self)], kind="stable")
                rank = np.empty(len(order), dtype=np.int64)
                rank[order] = np.arange(len(order), dtype=np.int64)
                rank.setflags(write=False)
                self._cached["casefold_rank"] = rank
            return rank

    def max_text_length(self) -> int:
        """Length of the longest text (cached)."""
        with self._lock:
            found = self._cached.get("max_text_length")
            if found is None:
                lengths = pc.utf8_length(self.text_array())
                found = int(pc.max(lengths).as_py() or 0) if len(self) else 0
                self._cached["max_text_length"] = found
            return int(found)

    def is_numeric(self, index: int) -> bool:
        return not math.isnan(self.number(index))

    @property
    def numeric_count(self) -> int:
        if self._range is not None:
            return self._range[1]
        return int(np.count_nonzero(~np.isnan(self.numbers)))

    # -- lookups -----------------------------------------------------------------------------
    def find_number(self, number: float) -> int | None:
        number = float(number)
        if self._range is not None:
            start, count = self._range
            if number.is_integer() and 0 <= number - start < count:
                return int(number) - start
            return None
        return self._index("number").get(number)

    def find_text(self, text: str) -> int | None:
        """Exact text match; a text symbol wins over a numeric one with the same text."""
        if self._range is not None:
            try:
                value = int(text)
            except ValueError:
                return None
            found = self.find_number(value)
            return found if found is not None and str(value) == text else None
        found = self._index("text").get(text)
        return found if found is not None else self._index("numeric_text").get(text)

    def _index(self, kind: str) -> dict[Any, int]:
        """Lookups are built on first use: most symbol tables are never searched by value."""
        with self._lock:
            if not self._lookup:
                numbers = self.numbers
                texts = self.text_list()
                is_text = np.isnan(numbers)
                text_ids = np.flatnonzero(is_text).tolist()
                num_ids = np.flatnonzero(~is_text).tolist()
                nums = numbers[~is_text].tolist()
                self._lookup["number"] = dict(zip(reversed(nums), reversed(num_ids), strict=True))
                self._lookup["text"] = {texts[i]: i for i in reversed(text_ids)}
                self._lookup["numeric_text"] = {texts[i]: i for i in reversed(num_ids)}
            return self._lookup[kind]


# --- encoding ----------------------------------------------------------------------------------


def encode_column(
    texts: Sequence[str | None], numbers: FloatArray
) -> tuple[SymbolTable, IndexArray]:
    """Hash one column of duals into a symbol table (load order) and a row index array.

    `texts[i] is None` means NULL (index -1). Rows with a number are identified by it.
    """
    if len(numbers) != len(texts):
        raise ValueError("texts and numbers differ in length")
    text_arr = pa.array(list(texts), type=pa.string())
    is_null = np.asarray(text_arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    return encode_arrow(text_arr, is_null, np.asarray(numbers, dtype=np.float64))


def encode_arrow(
    texts: pa.Array, is_null: npt.NDArray[np.bool_], numbers: FloatArray
) -> tuple[SymbolTable, IndexArray]:
    """Vectorised encoding of one column (no Python work per row).

    Row i is NULL when `is_null[i]`; else a number when `numbers[i]` is not NaN (its text is
    `texts[i]`, or the canonical text of the number when `texts[i]` is null); else the text
    `texts[i]` (a null text with no number is NULL as well).
    """
    n = len(numbers)
    if len(texts) != n or len(is_null) != n:
        raise ValueError("texts, nulls and numbers differ in length")
    has_number = ~np.isnan(numbers)
    is_num = has_number & ~is_null
    if not is_num.all():
        text_valid = np.asarray(texts.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        is_txt = ~has_number & ~is_null & text_valid
    else:
        is_txt = np.zeros(n, dtype=bool)
    all_num = bool(is_num.all())

    # numeric symbols: value dictionary, codes per numeric row, first row of each value
    num_pos = None if all_num else np.flatnonzero(is_num)
    values = numbers if all_num else numbers[num_pos]
    num_values, num_codes, num_first, dense_sorted = _encode_numbers(values)
    if num_pos is not None:
        num_first = num_pos[num_first]

    # text symbols: Arrow's dictionary is in first-occurrence order
    if is_txt.any():
        txt_pos = np.flatnonzero(is_txt)
        chosen = texts if len(txt_pos) == n else texts.take(pa.array(txt_pos))
        encoded = pc.dictionary_encode(chosen)
        txt_dict = encoded.dictionary
        txt_codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        txt_first = _first_positions(txt_codes, txt_pos, len(txt_dict))
    else:
        txt_dict = pa.array([], type=pa.string())
        txt_codes = np.zeros(0, dtype=np.int64)
        txt_first = np.zeros(0, dtype=np.int64)

    n_num, n_txt = len(num_values), len(txt_dict)
    cardinal = n_num + n_txt
    first = np.concatenate([num_first, txt_first])
    if len(first) < 2 or bool(np.all(first[1:] > first[:-1])):
        rank = None
        order = None
    else:
        order = np.argsort(first, kind="stable")
        rank = np.empty(cardinal, dtype=np.int64)
        rank[order] = np.arange(cardinal)

    num_texts = texts.take(pa.array(num_first)) if n_num else pa.array([], type=pa.string())
    if (
        dense_sorted
        and n_txt == 0
        and rank is None
        and num_texts.null_count == n_num
        and n_num
        and abs(num_values[0]) < _MAX_EXACT
    ):
        symbols = SymbolTable.integer_range(int(num_values[0]), n_num)
    else:
        sym_numbers = np.concatenate([num_values, np.full(n_txt, np.nan)])
        sym_texts = pa.concat_arrays([num_texts.cast(pa.string()), txt_dict.cast(pa.string())])
        if order is not None:
            sym_numbers = sym_numbers[order]
            sym_texts = sym_texts.take(pa.array(order))
        symbols = SymbolTable(sym_texts, sym_numbers)

    dtype = index_dtype(cardinal)
    num_ranked = num_codes if rank is None else rank[num_codes]
    if all_num:
        index = num_ranked.astype(dtype, copy=False)
    else:
        index = np.full(n, -1, dtype=dtype)
        index[is_num] = num_ranked
        if n_txt:
            index[is_txt] = txt_codes + n_num if rank is None else rank[txt_codes + n_num]
    return symbols, index


def _encode_numbers(
    values: FloatArray,
) -> tuple[FloatArray, npt.NDArray[np.int64], npt.NDArray[np.int64], bool]:
    """(distinct values in first-occurrence order, code per value, first position per
    distinct value, whether the distinct values are lo, lo+1, ... in that order)."""
    n = len(values)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros(0), empty, empty, False
    values = values + 0.0  # -0.0 is 0
    lo, hi = float(values.min()), float(values.max())
    span = hi - lo + 1
    if (
        span <= max(_DENSE_SPAN, 2 * n)
        and abs(lo) < _MAX_EXACT
        and abs(hi) < _MAX_EXACT
        and bool(np.array_equal(np.trunc(values), values))
    ):
        offsets: npt.NDArray[np.signedinteger[Any]] = (values - lo).astype(
            np.int32 if span < 2**31 else np.int64
        )
        first = np.full(int(span), n, dtype=np.int64)
        np.minimum.at(first, offsets, np.arange(n, dtype=np.int64))
        present = np.flatnonzero(first < n)
        firsts = first[present]
        if len(firsts) > 1 and not bool(np.all(firsts[1:] > firsts[:-1])):
            order = np.argsort(firsts, kind="stable")
            present, firsts = present[order], firsts[order]
            dense_sorted = False
        else:
            dense_sorted = len(present) == int(span)
        lut = np.full(int(span), -1, dtype=np.int64)
        lut[present] = np.arange(len(present), dtype=np.int64)
        codes = lut[offsets]
        return present.astype(np.float64) + lo, codes, firsts, dense_sorted
    encoded = pc.dictionary_encode(pa.array(values, type=pa.float64()))
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    distinct = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=np.float64)
    firsts = _first_positions(codes, np.arange(n, dtype=np.int64), len(distinct))
    return distinct, codes, firsts, False


def _first_positions(
    idx: npt.NDArray[np.int64], pos: npt.NDArray[np.int64], size: int
) -> npt.NDArray[np.int64]:
    """Row position of each dictionary entry's first occurrence."""
    first = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
    if len(idx):
        np.minimum.at(first, idx, pos)
    return first

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

    def stored_texts(self) -> pa.Array:
        """The texts as stored: null where a symbol shows its number's canonical text."""
        if self._range is not None:
            return pa.nulls(self._range[1], pa.string())
        return self._texts

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


# --- streamed encoding ---------------------------------------------------------------------------

_LUT_MIN = 1 << 23  # a lookup table of up to this many slots (or 2x the rows) is fine
_SCALES = (1.0, 10.0, 100.0, 1000.0, 10000.0)


class _Growable:
    """A numpy array appended to in place (capacity doubles): one large allocation
    instead of a chunk per batch pinning the heap between the batches' temporaries; pages
    of unused capacity are never touched, so they cost no memory."""

    def __init__(self, dtype: npt.DTypeLike, capacity: int = 0):
        self.data: npt.NDArray[Any] = np.empty(capacity, dtype=dtype)
        self.size = 0

    def reserve(self, capacity: int) -> None:
        if capacity > len(self.data):
            grown = np.empty(capacity, dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown

    def widen(self, dtype: np.dtype[Any]) -> None:
        if dtype.itemsize > self.data.dtype.itemsize:
            grown = np.empty(len(self.data), dtype=dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown

    def append(self, values: npt.NDArray[Any]) -> None:
        end = self.size + len(values)
        if end > len(self.data):
            self.reserve(max(end, len(self.data) * 2, 1 << 12))
        self.data[self.size : end] = values
        self.size = end

    def view(self) -> npt.NDArray[Any]:
        return self.data[: self.size]


_FORM_CANONICAL, _FORM_OTHER, _FORM_FIXED = 0, 1, 2  # forms of a number's text
_MERGED_CHUNKS = 8  # stored-text chunks of one level joined into one


def _entry_forms(
    m: int, canonical: npt.NDArray[np.bool_] | None, decimals: npt.NDArray[np.int8] | None
) -> npt.NDArray[np.int8]:
    """Per entry its text's form (`_FORM_*`; fixed d decimals: `_FORM_FIXED + d`)."""
    forms = np.full(m, _FORM_OTHER, dtype=np.int8)
    if decimals is not None:
        fixed = decimals > 0
        forms[fixed] = decimals[fixed] + _FORM_FIXED
    if canonical is not None:
        forms[canonical] = _FORM_CANONICAL
    return forms


class ColumnEncoder:
    """Encodes one column batch by batch (a streamed reading) into the symbol table and row
    index array `encode_arrow` gives for all rows at once, without holding the rows.

    Each batch comes as entries (texts, no nulls; with `distinct=True` each text once, in
    first-occurrence order, else one entry per row), the number of each entry (NaN = text) and
    per row its entry (-1 = NULL). Symbols keep the first-occurrence order over all rows; a
    number is identified by its value (its first text is kept), a text by itself. Rows whose
    own text differs from their symbol's (`1.50` after `1.5`) are kept aside as exceptions, so
    per-row values stay exact.

    Numbers are found through a lookup table over a span of integers (decimals scaled by a
    power of ten when all of the first batch's are exact at that scale: prices, rates) while
    the span stays small, else through sorted keys.
    """

    def __init__(self) -> None:
        self.n_rows = 0
        self._n_sym = 0
        self._numbers = _Growable(np.float64)
        self._texts: list[pa.Array | int] = []  # an int: that many symbols without own text
        self._text_levels: list[int] = []  # per chunk of `_texts` (`_append_texts`)
        # per symbol the form of its stored text (None: all canonical): 0 its number's
        # canonical text, 1 another text, 2 + d the number with d fixed decimals (`_FORM_*`)
        self._form: npt.NDArray[np.int8] | None = None
        self._numeric_forms: set[int] = set()  # of the numbers' symbols (-1: mixed)
        # while the symbols are the integers lo, lo+1, ... in load order without own texts
        # (an ascending ID) nothing is stored per symbol: lookups are arithmetic
        self._in_range = True
        self._range_lo = 0
        self._index = _Growable(np.int8)
        self._expected_rows = 0
        self._text_dict = pa.array([], type=pa.string())
        self._text_ids = np.zeros(0, dtype=np.int64)
        self._scale: float | None = None
        self._lut = np.zeros(0, dtype=np.int32)
        self._lut_lo = 0
        self._keys = np.zeros(0, dtype=np.float64)
        self._key_ids = np.zeros(0, dtype=np.int64)
        self._exception_rows: list[npt.NDArray[np.int64]] = []
        self._exception_texts: list[pa.Array] = []

    def reserve(self, rows: int) -> None:
        """Room for about `rows` rows in all (an estimate: more rows are fine); the lookup
        table may then span twice that from the first batch on."""
        self._index.reserve(rows)
        self._expected_rows = max(self._expected_rows, rows)

    def _lut_limit(self, batch_rows: int) -> int:
        """The most slots the lookup table may have: twice the rows (expected or seen)."""
        return max(_LUT_MIN, 2 * max(self.n_rows + batch_rows, self._expected_rows))

    def add(
        self,
        entries: pa.Array,
        numbers: FloatArray,
        codes: npt.NDArray[np.signedinteger[Any]] | None = None,
        canonical: npt.NDArray[np.bool_] | None = None,
        *,
        distinct: bool = True,
        decimals: npt.NDArray[np.int8] | None = None,
    ) -> None:
        """One batch. `codes=None`: one entry per row. `canonical[i]`: entry i is its number's
        canonical text: `str(int)` for an integer below 1e15 (stored as null, like integers
        loaded from numbers), else Arrow's float64 to string cast (texts of the same number
        are then compared without looking at the stored texts). `decimals[i] = d > 0`: entry
        i is its number written with exactly d decimals (`-?(0|[1-9][0-9]*)[.][0-9]{d}`, at
        most 15 digits, not `-0.00`): two such texts of one number are equal exactly when
        their d are, so they are not compared either."""
        m = len(entries)
        if len(numbers) != m:
            raise ValueError("entries and numbers differ in length")
        if entries.type != pa.string():
            entries = entries.cast(pa.string())
        numbers = np.asarray(numbers, dtype=np.float64) + 0.0  # -0.0 is 0
        if self._extends_range(numbers, codes, canonical):
            return
        forms = _entry_forms(m, canonical, decimals)
        gid = np.empty(m, dtype=np.int64)
        is_num = ~np.isnan(numbers)
        all_num = bool(is_num.all())
        num_e = np.arange(m) if all_num else np.flatnonzero(is_num)
        txt_e = np.zeros(0, dtype=np.intp) if all_num else np.flatnonzero(~is_num)
        x = numbers if all_num else numbers[num_e]
        scaled = self._scaled(x) if self._scale is not None and not self._in_range else None
        found_n = self._find_numbers(x, m, scaled)
        known_n = found_n >= 0
        gid[num_e[known_n]] = found_n[known_n]
        new_num_e = num_e[~known_n]
        new_scaled = None if scaled is None else (scaled[0][~known_n], scaled[1][~known_n])
        uniq, first_idx, inverse = self._distinct(x[~known_n], m, new_scaled)
        uniq_scaled = None
        if new_scaled is not None and self._scale is not None:
            uniq_scaled = (new_scaled[0][first_idx], new_scaled[1][first_idx])
        first_num_e = new_num_e[first_idx]

        # texts: distinct texts, the known ones found, the others new
        if len(txt_e):
            texts = entries if len(txt_e) == m else entries.take(pa.array(txt_e))
            if distinct:
                t_inverse = None
                t_first = txt_e
            else:
                enc = pc.dictionary_encode(texts)
                t_inverse = np.asarray(enc.indices.to_numpy(zero_copy_only=False), np.int64)
                texts = enc.dictionary
                t_first = txt_e[_first_positions(t_inverse, np.arange(len(txt_e)), len(texts))]
            hit = pc.index_in(texts, value_set=self._text_dict)
            positions = np.asarray(hit.fill_null(-1).to_numpy(zero_copy_only=False), np.int64)
            known_ids = np.append(self._text_ids, -1)
            found_t = known_ids[np.where(positions >= 0, positions, len(self._text_ids))]
        else:
            t_inverse, t_first = None, np.zeros(0, dtype=np.intp)
            texts = pa.array([], type=pa.string())
            found_t = np.zeros(0, dtype=np.int64)
        known_t = found_t >= 0
        new_t = np.flatnonzero(~known_t)

        # new symbols, numbered in order of their first entry
        firsts = np.concatenate([first_num_e, t_first[new_t]])
        n_new = len(firsts)
        t_ids = found_t.copy()
        if n_new:
            # None: already in first-occurrence order (only numbers or only texts are new)
            order = np.argsort(firsts, kind="stable") if len(new_t) and len(first_num_e) else None
            if order is None:
                ids = self._n_sym + np.arange(n_new, dtype=np.int64)
            else:
                ids = np.empty(n_new, dtype=np.int64)
                ids[order] = self._n_sym + np.arange(n_new, dtype=np.int64)
            num_ids = ids[: len(uniq)]
            gid[new_num_e] = num_ids[inverse.ravel()]
            t_ids[new_t] = ids[len(uniq) :]
            sym_numbers = (
                np.concatenate([uniq, np.full(len(new_t), np.nan)]) if len(new_t) else uniq
            )
            sym_forms = np.full(n_new, _FORM_OTHER, dtype=np.int8)
            if len(first_num_e):
                self._note_forms(forms[first_num_e])
                sym_forms[: len(uniq)] = forms[first_num_e]
            if order is not None:
                sym_numbers, sym_forms = sym_numbers[order], sym_forms[order]
            canon = sym_forms == _FORM_CANONICAL
            keep = ~canon
            if not keep.all():
                with np.errstate(invalid="ignore"):
                    keep |= (sym_numbers != np.trunc(sym_numbers)) | (np.abs(sym_numbers) >= 1e15)
            if self._in_range and not self._continues_range(sym_numbers, keep):
                self._leave_range(m)
            if self._in_range:
                if not self._n_sym:
                    self._range_lo = int(sym_numbers[0])
                self._n_sym += n_new
            else:
                if keep.any():
                    sym_texts = entries.take(pa.array(firsts if order is None else firsts[order]))
                    if not keep.all():
                        sym_texts = pc.if_else(
                            pa.array(keep), sym_texts, pa.scalar(None, pa.string())
                        )
                    self._append_texts(sym_texts)
                else:
                    self._append_texts(n_new)
                self._numbers.append(sym_numbers)
                self._mark_forms(sym_forms)
                self._n_sym += n_new
                self._remember_numbers(uniq, num_ids, m, uniq_scaled)
            if len(new_t):
                self._text_dict = pa.concat_arrays([self._text_dict, texts.take(pa.array(new_t))])
                self._text_ids = np.concatenate([self._text_ids, t_ids[new_t]])
        if len(txt_e):
            gid[txt_e] = t_ids if t_inverse is None else t_ids[t_inverse]

        differs = self._exceptions(entries, gid, num_e, known_n, new_num_e, first_idx, forms)
        dtype = index_dtype(self._n_sym)
        if codes is None:
            index = gid.astype(dtype)
            rows = np.flatnonzero(differs) if differs is not None else None
            chosen = rows
        else:
            codes = np.asarray(codes)
            index = np.append(gid, -1).astype(dtype)[codes]
            rows = chosen = None
            if differs is not None:
                rows = np.flatnonzero(np.append(differs, False)[codes])
                chosen = codes[rows]
        if rows is not None and chosen is not None and len(rows):
            self._exception_rows.append(rows.astype(np.int64) + self.n_rows)
            self._exception_texts.append(entries.take(pa.array(chosen)))
        self._index.widen(index.dtype)
        self._index.append(index)
        self.n_rows += len(index)

    def _distinct(
        self,
        values: FloatArray,
        batch_rows: int,
        scaled_values: tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]] | None = None,
    ) -> tuple[FloatArray, npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """(distinct values in first-occurrence order, the position of each one's first
        occurrence, per value its distinct number) of new numbers. Through the lookup
        table's (empty) slots when it covers them, else by sorting."""
        k = len(values)
        if k and not self._in_range and self._scale is not None:
            scaled, exact = scaled_values or self._scaled(values)
            if exact.all():
                lo, hi = int(scaled.min()), int(scaled.max())
                if len(self._lut):
                    lo = min(lo, self._lut_lo)
                    hi = max(hi, self._lut_lo + len(self._lut) - 1)
                if hi - lo + 1 <= self._lut_limit(batch_rows):
                    self._grow_lut(lo, hi, self._lut_limit(batch_rows))
                    slots = scaled - self._lut_lo
                    positions = np.arange(k)
                    self._lut[slots] = positions  # one writer per slot wins: a representative
                    rep = self._lut[slots].astype(np.intp)
                    self._lut[slots] = -1
                    dups = np.flatnonzero(rep != positions)
                    first_of = positions.copy()
                    if len(dups):
                        np.minimum.at(first_of, rep[dups], dups)
                    first = first_of[rep]
                    first_idx = np.flatnonzero(first == positions)
                    number = np.empty(k, dtype=np.intp)
                    number[first_idx] = np.arange(len(first_idx))
                    return values[first_idx], first_idx, number[first]
        uniq, first_idx, inverse = np.unique(values, return_index=True, return_inverse=True)
        order = np.argsort(first_idx, kind="stable")
        number = np.empty(len(uniq), dtype=np.intp)
        number[order] = np.arange(len(uniq))
        return uniq[order], first_idx[order], number[inverse.ravel()]

    def _extends_range(
        self,
        numbers: FloatArray,
        codes: npt.NDArray[np.signedinteger[Any]] | None,
        canonical: npt.NDArray[np.bool_] | None,
    ) -> bool:
        """The common batch of an ascending ID, one row each: the next integers of the
        range in order, all in their plain form. Folded with one comparison."""
        m = len(numbers)
        if not (self._in_range and codes is None and m and canonical is not None):
            return False
        lo = float(self._range_lo + self._n_sym) if self._n_sym else float(numbers[0])
        if abs(lo) >= _MAX_EXACT or lo != np.trunc(lo) or not bool(canonical.all()):
            return False
        if not bool(np.array_equal(numbers, lo + np.arange(m, dtype=np.float64))):
            return False
        if not self._n_sym:
            self._range_lo = int(lo)
        self._numeric_forms.add(_FORM_CANONICAL)
        first = self._n_sym
        self._n_sym += m
        index = np.arange(first, first + m, dtype=index_dtype(self._n_sym))
        self._index.widen(index.dtype)
        self._index.append(index)
        self.n_rows += m
        return True

    def _continues_range(self, values: FloatArray, keep: npt.NDArray[np.bool_]) -> bool:
        """Whether new symbols `values` (in order) continue the ascending-ID range."""
        if keep.any() or np.isnan(values).any():
            return False
        lo = self._range_lo + self._n_sym if self._n_sym else float(values[0])
        if abs(lo) >= _MAX_EXACT or lo != np.trunc(lo):
            return False
        return bool(np.array_equal(values, lo + np.arange(len(values), dtype=np.float64)))

    def _leave_range(self, batch_rows: int) -> None:
        """Store the range's symbols explicitly (the new ones break it)."""
        self._in_range = False
        if self._n_sym:
            values = np.arange(self._n_sym, dtype=np.float64) + self._range_lo
            self._numbers.append(values)
            self._append_texts(self._n_sym)
            self._remember_numbers(values, np.arange(self._n_sym, dtype=np.int64), batch_rows)

    def _note_forms(self, forms: npt.NDArray[np.int8]) -> None:
        """Remember the text forms new numbers' symbols have (one of them, or mixed)."""
        lo, hi = int(forms.min()), int(forms.max())
        self._numeric_forms.add(lo if lo == hi else -1)

    def _mark_forms(self, forms: npt.NDArray[np.int8]) -> None:
        """The text forms of the new symbols (numbered from `_n_sym`)."""
        end = self._n_sym + len(forms)
        if self._form is None:
            if not forms.any():
                return
            self._form = np.zeros(max(1024, 2 * end), dtype=np.int8)
        if end > len(self._form):
            grown = np.zeros(max(end, len(self._form) * 3 // 2), dtype=np.int8)
            grown[: self._n_sym] = self._form[: self._n_sym]
            self._form = grown
        self._form[self._n_sym : end] = forms

    def _append_texts(self, texts: pa.Array | int) -> None:
        """Keep the stored texts in few chunks: each batch's texts are a chunk of level 0,
        and `_MERGED_CHUNKS` chunks of one level are joined into one of the next level (a
        text is copied about log8(batches) times, never all at once), so lookups by symbol
        take from a few dozen arrays at most."""
        self._texts.append(texts)
        self._text_levels.append(0)
        k = _MERGED_CHUNKS
        while len(self._texts) >= k and len(set(self._text_levels[-k:])) == 1:
            group = self._texts[-k:]
            merged: pa.Array | int
            if all(isinstance(t, int) for t in group):
                merged = sum(t for t in group if isinstance(t, int))
            else:
                merged = pa.concat_arrays(
                    [pa.nulls(t, pa.string()) if isinstance(t, int) else t for t in group]
                )
            self._texts[-k:] = [merged]
            self._text_levels[-k:] = [self._text_levels[-1] + 1]

    def _chunk_groups(
        self, ids: npt.NDArray[np.int64]
    ) -> tuple[list[tuple[int, npt.NDArray[np.intp], npt.NDArray[np.int64]]], Any]:
        """Symbols `ids` grouped by the stored-text chunk holding them: (chunk, positions in
        `ids`, positions in the chunk) per chunk, and the order the groups put `ids` in
        (None: as given)."""
        lengths = [t if isinstance(t, int) else len(t) for t in self._texts]
        starts = np.cumsum([0, *lengths])
        chunk_of = np.searchsorted(starts, ids, side="right") - 1
        if not len(ids) or bool((chunk_of == chunk_of[0]).all()):
            c = int(chunk_of[0]) if len(ids) else 0
            return [(c, np.arange(len(ids)), ids - starts[c])], None
        order = np.argsort(chunk_of, kind="stable")
        bounds = np.searchsorted(chunk_of[order], np.arange(len(lengths) + 1))
        groups = []
        for c in np.flatnonzero(np.diff(bounds)).tolist():
            positions = order[bounds[c] : bounds[c + 1]]
            groups.append((c, positions, ids[positions] - starts[c]))
        return groups, order

    def _stored(self, ids: npt.NDArray[np.int64]) -> pa.Array:
        """The stored texts of symbols `ids` (a ChunkedArray's own take would first join
        all its chunks)."""
        groups, order = self._chunk_groups(ids)
        pieces: list[pa.Array] = []
        for c, _, chosen in groups:
            chunk = self._texts[c] if self._texts else 0
            if isinstance(chunk, int):
                pieces.append(pa.nulls(len(chosen), pa.string()))
            else:
                pieces.append(chunk.take(pa.array(chosen)))
        merged = pa.concat_arrays(pieces) if len(pieces) > 1 else pieces[0]
        if order is None:
            return merged
        back = np.empty(len(order), dtype=np.int64)
        back[order] = np.arange(len(order))
        return merged.take(pa.array(back))

    def _exceptions(
        self,
        entries: pa.Array,
        gid: npt.NDArray[np.int64],
        num_e: npt.NDArray[np.intp],
        known_n: npt.NDArray[np.bool_],
        new_num_e: npt.NDArray[np.intp],
        first_idx: npt.NDArray[np.intp],
        forms: npt.NDArray[np.int8],
    ) -> npt.NDArray[np.bool_] | None:
        """Per entry: whether its text differs from its (numeric) symbol's stored text."""
        if len(self._numeric_forms) == 1 and len(forms):
            (form,) = self._numeric_forms
            if form not in (-1, _FORM_OTHER) and int(forms.min()) == form == int(forms.max()):
                return None  # all texts canonical, or all with the same fixed decimals
        check = np.zeros(len(gid), dtype=bool)
        check[num_e[known_n]] = True
        check[new_num_e] = True
        check[new_num_e[first_idx]] = False  # the entry that gave the symbol its text
        todo = np.flatnonzero(check)
        if not len(todo):
            return None
        if self._form is None:
            stored_form = np.zeros(len(todo), dtype=np.int8)
        else:
            stored_form = self._form[gid[todo]]
        own_form = forms[todo]
        odd = stored_form != _FORM_CANONICAL
        # one canonical text and one other differ; two canonical ones are equal; so are two
        # with the same fixed decimals (and two with different ones differ)
        differs = odd != (own_form != _FORM_CANONICAL)
        fixed = (stored_form >= _FORM_FIXED) & (own_form >= _FORM_FIXED)
        differs |= fixed & (stored_form != own_form)
        # two other texts: look at them
        compare = np.flatnonzero(odd & (own_form != _FORM_CANONICAL) & ~fixed)
        if len(compare):
            stored = self._stored(gid[todo[compare]])
            own = entries.take(pa.array(todo[compare]))
            same = pc.fill_null(pc.equal(own, stored), False)
            differs[compare] = ~np.asarray(same.to_numpy(zero_copy_only=False), dtype=bool)
        if not differs.any():
            return None
        out = np.zeros(len(gid), dtype=bool)
        out[todo[differs]] = True
        return out

    # -- number lookups ----------------------------------------------------------------------
    def _scaled(self, x: FloatArray) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """(x at the table's scale as integers, whether that is exact)."""
        assert self._scale is not None
        with np.errstate(invalid="ignore", over="ignore"):
            scaled = np.rint(x * self._scale) if self._scale != 1.0 else x
            exact = np.abs(scaled) < _MAX_EXACT
            exact &= (scaled / self._scale == x) if self._scale != 1.0 else (np.trunc(x) == x)
        return np.where(exact, scaled, 0).astype(np.int64), exact

    def _find_numbers(
        self,
        x: FloatArray,
        batch_rows: int,
        scaled_x: tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]] | None = None,
    ) -> npt.NDArray[np.int64]:
        out = np.full(len(x), -1, dtype=np.int64)
        if not len(x) or not self._n_sym:
            return out
        if self._in_range:
            shifted = x - self._range_lo
            inside = (shifted >= 0) & (shifted < self._n_sym) & (np.trunc(x) == x)
            out[inside] = shifted[inside].astype(np.int64)
            return out
        rest = np.arange(len(x))
        if self._scale is not None and len(self._lut):
            scaled, exact = scaled_x or self._scaled(x)
            offsets = scaled - self._lut_lo
            inside = exact & (offsets >= 0) & (offsets < len(self._lut))
            where = np.flatnonzero(inside)
            out[where] = self._lut[offsets[where]]
            rest = np.flatnonzero(out < 0)
        if len(rest) and len(self._keys):
            values = x[rest]
            pos = np.minimum(np.searchsorted(self._keys, values), len(self._keys) - 1)
            hit = self._keys[pos] == values
            out[rest[hit]] = self._key_ids[pos[hit]]
        return out

    def _remember_numbers(
        self,
        values: FloatArray,
        ids: npt.NDArray[np.int64],
        batch_rows: int,
        scaled_values: tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]] | None = None,
    ) -> None:
        """Add new distinct numbers (none known yet) with their symbol ids."""
        if not len(values):
            return
        limit = self._lut_limit(batch_rows)
        if self._scale is None and not len(self._keys):
            self._scale = next(
                (
                    scale
                    for scale in _SCALES
                    if bool(np.all(np.abs(np.rint(values * scale)) < _MAX_EXACT))
                    and bool(np.all(np.rint(values * scale) / scale == values))
                ),
                None,
            )
        rest = np.arange(len(values))
        if self._scale is not None:
            scaled, exact = scaled_values or self._scaled(values)
            where = np.flatnonzero(exact)
            if len(where):
                lo, hi = int(scaled[where].min()), int(scaled[where].max())
                if len(self._lut):
                    lo = min(lo, self._lut_lo)
                    hi = max(hi, self._lut_lo + len(self._lut) - 1)
                if hi - lo + 1 <= limit:
                    self._grow_lut(lo, hi, limit)
                    self._lut[scaled[where] - self._lut_lo] = ids[where]
                    rest = np.flatnonzero(~exact)
        if len(rest):
            rest = rest[np.argsort(values[rest], kind="stable")]
            pos = np.searchsorted(self._keys, values[rest])
            self._keys = np.insert(self._keys, pos, values[rest])
            self._key_ids = np.insert(self._key_ids, pos, ids[rest])

    def _grow_lut(self, lo: int, hi: int, limit: int) -> None:
        old = self._lut
        old_lo, old_hi = self._lut_lo, self._lut_lo + len(old) - 1
        if len(old) and lo >= old_lo and hi <= old_hi:
            return
        span = hi - lo + 1
        margin = min(max(1 << 12, span // 2), max(0, (limit - span) // 2))
        new_lo = lo if (not len(old) or lo >= old_lo) else lo - margin
        new_hi = hi if (len(old) and hi <= old_hi) else hi + margin
        lut = np.full(new_hi - new_lo + 1, -1, dtype=np.int32)
        if len(old):
            lut[old_lo - new_lo : old_lo - new_lo + len(old)] = old
        self._lut, self._lut_lo = lut, new_lo

    # -- result ------------------------------------------------------------------------------
    def finish(
        self,
    ) -> tuple[SymbolTable, IndexArray, tuple[npt.NDArray[np.int64], pa.Array] | None]:
        """(symbol table, row index array, exceptions as (rows, their texts) or None)."""
        self._lut = np.zeros(0, dtype=np.int32)
        self._keys = np.zeros(0, dtype=np.float64)
        self._key_ids = np.zeros(0, dtype=np.int64)
        self._text_dict = pa.array([], type=pa.string())
        if self._in_range:
            n = self._n_sym
            numbers = np.zeros(0)
            texts = pa.array([], type=pa.string())
        else:
            numbers = self._numbers.view()
            chunks = [pa.nulls(t, pa.string()) if isinstance(t, int) else t for t in self._texts]
            texts = pa.concat_arrays(chunks) if chunks else pa.array([], type=pa.string())
            n = len(numbers)
        self._numbers, self._texts, self._text_levels = _Growable(np.float64), [], []
        if self._in_range and n:
            symbols = SymbolTable.integer_range(self._range_lo, n)
        elif (
            n
            and texts.null_count == n
            and abs(numbers[0]) < _MAX_EXACT
            and bool(np.array_equal(numbers, numbers[0] + np.arange(n, dtype=np.float64)))
        ):
            symbols = SymbolTable.integer_range(int(numbers[0]), n)
        else:
            symbols = SymbolTable(texts, numbers)
        self._index.widen(index_dtype(n))
        index = self._index.view()
        self._index = _Growable(np.int8)
        exceptions = None
        if self._exception_rows:
            exceptions = (
                np.concatenate(self._exception_rows),
                pa.concat_arrays(self._exception_texts),
            )
        return symbols, index, exceptions

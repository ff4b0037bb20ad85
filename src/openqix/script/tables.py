"""The tables of one reload while it runs, as columns of duals (`calc.values.Duals`).

Naming (label, else source name, `-1`, `-2` on a clash), automatic concatenation of a LOAD
whose field set equals an existing table's, value keys for joins / DISTINCT / GROUP BY, and
the final `LoadedTable`s in creation order. Everything is vectorised over the columns.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from openqix.calc.functions._common import number_texts
from openqix.calc.values import Duals, none_mask, object_array
from openqix.engine.model import Column, LoadedTable

MAX_SOURCE_NAME = 32
IntArray = npt.NDArray[np.int64]
_NONE = np.array(None, dtype=object)


def file_name(path: str) -> str:
    """The last part of a path (`lib://data/sub/sales.csv` -> `sales.csv`)."""
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def file_table_name(path: str) -> str:
    """The default table name of a file: its base name without extension, at most 32 chars."""
    name = file_name(path)
    stem, dot, _ = name.rpartition(".")
    return (stem if dot and stem else name)[:MAX_SOURCE_NAME]


def inline_table_name(number: int) -> str:
    return f"INLINE{number:02d}"


def autogenerate_table_name(number: int) -> str:
    return f"AUTOGENERATE{number:02d}"


# -- frames: named columns of equal length -------------------------------------------------------
ColumnData = Duals | Column  # a column as computed (Duals) or as read (the engine's Column)


class Columns(MutableMapping[str, Duals]):
    """Named columns; a column read from a source stays an engine `Column` (Arrow texts, no
    Python object per row) until something needs its values as Duals."""

    def __init__(self, data: Mapping[str, ColumnData] | None = None) -> None:
        self._data: dict[str, ColumnData] = dict(data or {})
        self._duals: dict[str, Duals] = {}

    def __getitem__(self, key: str) -> Duals:
        value = self._data[key]
        if isinstance(value, Duals):
            return value
        cached = self._duals.get(key)
        if cached is None:
            cached = self._duals[key] = duals_of_column(value)
        return cached

    def __setitem__(self, key: str, value: ColumnData) -> None:
        self._data[key] = value
        self._duals.pop(key, None)

    def __delitem__(self, key: str) -> None:
        del self._data[key]
        self._duals.pop(key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def raw(self, key: str) -> ColumnData:
        return self._data[key]


@dataclass
class Frame:
    """Named columns (field order kept) with a row count."""

    names: list[str]
    columns: Columns
    n: int

    def __init__(self, names: Sequence[str], columns: Mapping[str, ColumnData], n: int) -> None:
        self.names = list(names)
        self.columns = columns if isinstance(columns, Columns) else Columns(columns)
        self.n = n

    @classmethod
    def of(cls, names: Sequence[str], columns: Sequence[Duals], n: int | None = None) -> Frame:
        rows = len(columns[0]) if columns else (n or 0)
        return cls(list(names), dict(zip(names, columns, strict=True)), rows)

    def raw(self, name: str) -> ColumnData:
        return self.columns.raw(name)

    def take(self, index: npt.ArrayLike) -> Frame:
        idx = np.asarray(index, dtype=np.int64)
        columns: dict[str, ColumnData] = {}
        for name in self.names:
            raw = self.columns.raw(name)
            if isinstance(raw, Column) and raw.arrow_texts is not None:
                columns[name] = take_column(raw, idx)  # stays Arrow: no Python texts
            else:
                columns[name] = self.columns[name].take(idx)
        return Frame(list(self.names), columns, len(idx))

    def take_or_null(self, index: IntArray) -> Frame:
        return Frame(
            list(self.names),
            {k: take_or_null(self.columns[k], index) for k in self.names},
            len(index),
        )


def take_column(column: Column, index: IntArray) -> Column:
    """Rows of an Arrow-backed engine column, still Arrow-backed."""
    assert column.arrow_texts is not None
    numbers = np.asarray(column.numbers, dtype=np.float64)[index]
    texts = column.arrow_texts.take(pa.array(index, type=pa.int64()))
    values = pa.array(numbers, type=pa.float64(), mask=np.isnan(numbers))
    return Column.from_arrow(values, texts=texts, tags=column.tags)


def take_or_null(values: Duals, index: IntArray) -> Duals:
    """values[index] with -1 giving NULL."""
    if len(values) == 0:
        return Duals.null(len(index))
    safe = np.maximum(index, 0)
    missing = index < 0
    num = values.num[safe]
    text = values.text[safe]
    if missing.any():
        num = np.where(missing, np.nan, num)
        text = np.where(missing, _NONE, text).astype(object)
    return Duals(num, text)


def concat_duals(parts: Sequence[Duals]) -> Duals:
    if len(parts) == 1:
        return parts[0]
    return Duals.concat(list(parts))


# -- value keys ----------------------------------------------------------------------------------
def value_codes(values: Duals) -> tuple[IntArray, int]:
    """Per row a code identifying its value (number if it has one, else text; NULL its own
    code), in 0..k-1 (not necessarily all used). Bounded integers are range-encoded, other
    numbers and texts hashed by pyarrow."""
    n = len(values)
    codes = np.empty(n, dtype=np.int64)
    has_num = ~np.isnan(values.num)
    all_numbers = bool(has_num.all())
    num_rows = None if all_numbers else np.flatnonzero(has_num)
    numbers = values.num if num_rows is None else values.num[num_rows]
    k = 0
    if len(numbers):
        number_codes, k = _number_codes(numbers)
        if num_rows is None:
            codes = number_codes
        else:
            codes[num_rows] = number_codes
    if not all_numbers:
        rest = np.flatnonzero(~has_num)
        texts = values.text[rest]
        null = none_mask(texts)
        text_codes, n_text = _dense(pa.array(texts, type=pa.string()))
        text_codes[null] = n_text
        codes[rest] = text_codes + k
        k += n_text + 1
    return codes, k


def _number_codes(numbers: npt.NDArray[np.float64]) -> tuple[IntArray, int]:
    low, high = float(numbers.min()), float(numbers.max())
    span = high - low
    if span < 4 * len(numbers) + 1024 and bool(np.all(numbers == np.floor(numbers))):
        return (numbers - low).astype(np.int64), int(span) + 1
    return _dense(pa.array(numbers + 0.0, type=pa.float64()))


def _dense(array: pa.Array) -> tuple[IntArray, int]:
    encoded = pc.dictionary_encode(array)
    codes = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False), np.int64)
    return codes, len(encoded.dictionary)


def row_codes(columns: Sequence[Duals], n: int) -> tuple[IntArray, int]:
    """A code per row identifying the combination of its values in `columns`."""
    if not columns:
        return np.zeros(n, dtype=np.int64), 1 if n else 0
    codes, k = value_codes(columns[0])
    for column in columns[1:]:
        more, m = value_codes(column)
        if k * m < 1 << 24:
            codes, k = codes * m + more, k * m
        else:
            codes, k = _dense(pa.array(codes * m + more, type=pa.int64()))
    return codes, k


def first_occurrence(codes: IntArray, k: int) -> IntArray:
    """Sorted row positions of the first row of each code (load order kept)."""
    first = np.full(k, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes), dtype=np.int64))
    return np.sort(first[first < len(codes)])


def dense_in_order(codes: IntArray, k: int) -> tuple[IntArray, int]:
    """Renumber codes by first appearance (group 0 = the first row's value)."""
    first = np.full(k, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes), dtype=np.int64))
    present = first < len(codes)
    order = np.argsort(first, kind="stable")
    rank = np.empty(k, dtype=np.int64)
    rank[order] = np.arange(k)
    return rank[codes], int(present.sum())


# -- tables --------------------------------------------------------------------------------------
@dataclass
class STable:
    name: str
    names: list[str]
    parts: dict[str, list[ColumnData]] = field(default_factory=dict)
    n: int = 0
    comment: str = ""
    loose: bool = False
    _duals: dict[str, Duals] = field(default_factory=dict, repr=False)

    def append(self, frame: Frame) -> None:
        """Append rows; fields the frame lacks get NULL, new fields are added (NULL before)."""
        for name in frame.names:
            if name not in self.parts:
                self.names.append(name)
                self.parts[name] = [Duals.null(self.n)] if self.n else []
        for name in self.names:
            column = frame.raw(name) if name in frame.columns else Duals.null(frame.n)
            self.parts[name].append(column)
        self.n += frame.n
        self._duals.clear()

    def column(self, name: str) -> Duals:
        cached = self._duals.get(name)
        if cached is None:
            parts = [p if isinstance(p, Duals) else duals_of_column(p) for p in self.parts[name]]
            cached = concat_duals(parts) if parts else Duals.null(0)
            self._duals[name] = cached
        return cached

    def raw_column(self, name: str) -> ColumnData:
        parts = self.parts[name]
        return parts[0] if len(parts) == 1 else self.column(name)

    def frame(self) -> Frame:
        return Frame(list(self.names), {n: self.raw_column(n) for n in self.names}, self.n)

    def replace(self, frame: Frame) -> None:
        self.names = list(frame.names)
        self.parts = {n: [frame.raw(n)] for n in frame.names}
        self.n = frame.n
        self._duals.clear()

    def drop_field(self, name: str) -> None:
        self.names.remove(name)
        del self.parts[name]
        self._duals.pop(name, None)

    def rename_field(self, old: str, new: str) -> None:
        self.names[self.names.index(old)] = new
        self.parts[new] = self.parts.pop(old)
        self._duals.pop(old, None)

    def loaded(self) -> LoadedTable:
        columns: list[Column] = []
        for name in self.names:
            raw = self.raw_column(name)
            columns.append(raw if isinstance(raw, Column) else to_column(raw))
        return LoadedTable(self.name, tuple(self.names), tuple(columns), self.loose)


def to_column(values: Duals) -> Column:
    """Duals to the engine's column, vectorised: a number without its own text gets the
    engine's canonical text when it is an integer, else the auto-formatted one."""
    num = values.num
    text = values.text
    has_num = ~np.isnan(num)
    need = none_mask(text) & has_num
    if need.any():
        with np.errstate(invalid="ignore"):
            fractional = need & (num != np.floor(num))
        if fractional.any():
            text = text.copy()
            text[fractional] = number_texts(num[fractional])
    numbers = pa.array(num, type=pa.float64(), mask=~has_num)
    return Column.from_arrow(numbers, texts=pa.array(text, type=pa.string()))


def _drop_canonical_texts(texts: pa.Array, numbers: npt.NDArray[np.float64]) -> pa.Array:
    """Integers whose text is exactly their canonical text (`12`, not `012`) need no text of
    their own: dropping it saves a Python string per row and changes nothing visible."""
    with np.errstate(invalid="ignore"):
        is_int = (numbers == np.floor(numbers)) & (np.abs(numbers) < 1e15)
    if not is_int.any() or texts.null_count == len(texts):
        return texts
    canonical = pc.cast(pa.array(np.where(is_int, numbers, 0.0).astype(np.int64)), pa.string())
    same = pc.and_(pa.array(is_int), pc.fill_null(pc.equal(canonical, texts), False))
    return pc.if_else(same, pa.scalar(None, pa.string()), texts)


def duals_of_column(column: Column) -> Duals:
    """An engine column's values as Duals (own texts kept; None where the text is the
    number's canonical one or the value is NULL)."""
    numbers = np.asarray(column.numbers, dtype=np.float64)
    if column.arrow_texts is not None:
        texts = column.arrow_texts
        if pa.types.is_dictionary(texts.type):
            texts = texts.cast(texts.type.value_type)
        texts = _drop_canonical_texts(texts, numbers)
        text = texts.to_numpy(zero_copy_only=False)
        if text.dtype != object:
            text = object_array(list(text))
        if column.nulls is not None and column.nulls.any():
            numbers = np.where(column.nulls, np.nan, numbers)
        return Duals(numbers, text)
    raw = column.texts
    text = raw if isinstance(raw, np.ndarray) else object_array(list(raw))
    return Duals(numbers, text)


class TableSet:
    """Tables by creation order; the first table with a given field set takes appends."""

    def __init__(self) -> None:
        self.tables: dict[str, STable] = {}
        self.last: str | None = None
        self.version = 0

    def __contains__(self, name: str) -> bool:
        return name in self.tables

    def get(self, name: str) -> STable | None:
        return self.tables.get(name)

    def ordered(self) -> list[STable]:
        return list(self.tables.values())

    def find_same_fields(self, names: Iterable[str]) -> STable | None:
        wanted = frozenset(names)
        for table in self.tables.values():
            if frozenset(table.names) == wanted:
                return table
        return None

    def create(self, name: str, frame: Frame) -> STable:
        table = STable(self.unique_name(name), [])
        table.append(frame)
        self.tables[table.name] = table
        self.last = table.name
        self.version += 1
        return table

    def store(self, frame: Frame, name: str, concatenate: bool) -> STable:
        """Append to the table with the same field set, or create one."""
        table = self.find_same_fields(frame.names) if concatenate else None
        if table is None:
            return self.create(name, frame)
        table.append(frame)
        self.last = table.name
        self.version += 1
        return table

    def drop(self, name: str) -> None:
        del self.tables[name]
        if self.last == name:
            self.last = next(reversed(self.tables), None) if self.tables else None
        self.version += 1

    def rename(self, old: str, new: str) -> None:
        self.tables = {(new if k == old else k): v for k, v in self.tables.items()}
        self.tables[new].name = new
        if self.last == old:
            self.last = new
        self.version += 1

    def unique_name(self, name: str) -> str:
        if name not in self.tables:
            return name
        return next(f"{name}-{n}" for n in itertools.count(1) if f"{name}-{n}" not in self.tables)

    def field_tables(self, name: str) -> list[STable]:
        return [t for t in self.tables.values() if name in t.parts]

    def loaded_tables(self) -> list[LoadedTable]:
        return [table.loaded() for table in self.tables.values() if table.names]

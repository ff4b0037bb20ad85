"""The data model built by a reload: tables of symbol indices linked by same-named fields.

`LoadedTable`s (what the script produced) go in; an immutable `DataModel` comes out. A
field name shared by several tables is a key field; each (table, table, field) is an edge of
the key graph that inference propagates over.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from openqix.engine.symbols import IndexArray, SymbolTable, encode_arrow, number_text

_versions = itertools.count(1)


@dataclass(frozen=True)
class Column:
    """One loaded column: per row a text (None = NULL) and a number (NaN = no number).

    Build it from Python values (`Column(texts, numbers)`, `Column.from_values`) or, with no
    Python object per row, from Arrow (`Column.from_arrow`). `tags` are extra field tags
    (`$date`, `$timestamp`) the loader knows about.
    """

    texts: Sequence[str | None]
    numbers: npt.NDArray[np.float64]
    tags: tuple[str, ...] = ()
    # Arrow form (from_arrow): per-row texts, a null entry meaning "canonical text of the
    # number" (or NULL where `nulls` says so).
    arrow_texts: pa.Array | None = field(default=None, compare=False, repr=False)
    nulls: npt.NDArray[np.bool_] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_values(cls, values: Sequence[str | float | int | None]) -> Column:
        """Plain Python values: numbers become duals with their canonical text."""
        texts: list[str | None] = []
        numbers = np.full(len(values), np.nan)
        for i, v in enumerate(values):
            if v is None:
                texts.append(None)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                numbers[i] = float(v)
                texts.append(_number_text(float(v)))
            else:
                texts.append(str(v))
        return cls(texts, numbers)

    @classmethod
    def from_arrow(
        cls,
        values: pa.Array | pa.ChunkedArray,
        texts: pa.Array | pa.ChunkedArray | None = None,
        tags: Sequence[str] = (),
    ) -> Column:
        """A column straight from Arrow, vectorised (docs/engine.md, "Columns from Arrow").

        - integer / floating / decimal / boolean `values`: numbers; a value's text is the row's
          entry in `texts` (a string array of the same length, the first text of a number is
          kept) or, where that is null or `texts` is omitted, the canonical number text;
        - string `values`: pure texts (no number interpretation: use calc.interpret for that);
        - date32/date64: dual of the Qlik serial day number and the ISO text (`$date` tag);
          timestamp: serial day number with fraction and ISO text (`$timestamp` tag);
        - dictionary arrays are decoded; nulls are NULL. Anything else is cast to string.
        """
        values = _combine(values)
        n = len(values)
        extra = tuple(tags)
        kind = values.type
        if pa.types.is_dictionary(kind):
            values = values.dictionary_decode()
            kind = values.type
        row_texts = _combine(texts).cast(pa.string()) if texts is not None else None
        if row_texts is not None and len(row_texts) != n:
            raise ValueError("texts and values differ in length")
        if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
            is_date = pa.types.is_date(kind)
            stamp = values.cast(pa.timestamp("us")) if is_date else values
            micros = pc.cast(stamp.cast(pa.timestamp("us")), pa.int64())
            numbers = _to_float(micros) / 86_400e6 + _SERIAL_EPOCH
            if row_texts is None:
                # Format each distinct value once: the texts stay dictionary-encoded.
                fmt = "%Y-%m-%d" if is_date else "%Y-%m-%d %H:%M:%S"
                encoded = pc.dictionary_encode(stamp)
                formatted = pc.strftime(encoded.dictionary, format=fmt)
                row_texts = pa.DictionaryArray.from_arrays(encoded.indices, formatted)
            extra += ("$date",) if is_date else ("$timestamp",)
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind):
            numbers = np.full(n, np.nan)
            row_texts = values.cast(pa.string())
        elif (
            pa.types.is_integer(kind)
            or pa.types.is_floating(kind)
            or pa.types.is_decimal(kind)
            or pa.types.is_boolean(kind)
        ):
            numbers = _to_float(
                values.cast(pa.float64()) if not pa.types.is_floating(kind) else values
            )
        else:
            numbers = np.full(n, np.nan)
            row_texts = values.cast(pa.string())
        if row_texts is None:
            row_texts = pa.nulls(n, pa.string())
        nulls = np.asarray(values.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        lazy = _ArrowRowTexts(row_texts, numbers, nulls)
        return cls(lazy, numbers, extra, row_texts, nulls)

    def __len__(self) -> int:
        return len(self.numbers)

    def encoding_inputs(self) -> tuple[pa.Array, npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
        """(texts with nulls, NULL mask, numbers) as `symbols.encode_arrow` takes them."""
        if self.arrow_texts is not None and self.nulls is not None:
            return self.arrow_texts, self.nulls, self.numbers
        texts = self.texts
        array = texts if isinstance(texts, pa.Array) else pa.array(list(texts), type=pa.string())
        is_null = np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        return array, is_null, np.asarray(self.numbers, dtype=np.float64)


_SERIAL_EPOCH = 25569.0  # Qlik serial number of 1970-01-01


def _combine(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values


def _to_float(values: pa.Array) -> npt.NDArray[np.float64]:
    """float64 numpy with NaN for nulls (values must be float64 or int64)."""
    out = np.asarray(pc.cast(values, pa.float64()).fill_null(np.nan).to_numpy(), dtype=np.float64)
    return out if out.flags.writeable else out.copy()


class _ArrowRowTexts(Sequence[str | None]):
    """`Column.texts` of an Arrow column, converted to Python one value at a time."""

    def __init__(
        self, texts: pa.Array, numbers: npt.NDArray[np.float64], nulls: npt.NDArray[np.bool_]
    ):
        self._texts, self._numbers, self._nulls = texts, numbers, nulls

    def __len__(self) -> int:
        return len(self._numbers)

    @overload
    def __getitem__(self, index: int) -> str | None: ...
    @overload
    def __getitem__(self, index: slice) -> list[str | None]: ...
    def __getitem__(self, index: int | slice) -> str | None | list[str | None]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        if self._nulls[index]:
            return None
        text = self._texts[index].as_py()
        if text is not None:
            return str(text)
        number = float(self._numbers[index])
        return None if math.isnan(number) else _number_text(number)

    def __iter__(self) -> Iterator[str | None]:
        for i in range(len(self)):
            yield self[i]


@dataclass(frozen=True)
class LoadedTable:
    """A table as the load script produced it, before symbol encoding."""

    name: str
    field_names: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def n_rows(self) -> int:
        return len(self.columns[0].numbers) if self.columns else 0


@dataclass(frozen=True)
class Table:
    name: str
    field_names: tuple[str, ...]
    columns: dict[str, IndexArray]
    n_rows: int


@dataclass(frozen=True)
class Field:
    name: str
    symbols: SymbolTable
    tables: tuple[str, ...]
    tags: tuple[str, ...]
    row_count: int

    @property
    def cardinal(self) -> int:
        return len(self.symbols)

    @property
    def is_key(self) -> bool:
        return len(self.tables) > 1


@dataclass(frozen=True)
class Edge:
    """Two tables linked through a shared field."""

    left: str
    right: str
    field: str


@dataclass(frozen=True)
class DataModel:
    tables: dict[str, Table]
    fields: dict[str, Field]
    version: int = field(default_factory=lambda: next(_versions))

    @classmethod
    def empty(cls) -> DataModel:
        return cls({}, {})

    @classmethod
    def build(cls, loaded: Sequence[LoadedTable]) -> DataModel:
        """Encode loaded tables into one model; a field name shared by tables is one field."""
        by_field: dict[str, list[tuple[int, Column]]] = {}
        for t_index, table in enumerate(loaded):
            if len(set(table.field_names)) != len(table.field_names):
                raise ValueError(f"table {table.name!r} has duplicate field names")
            for name, column in zip(table.field_names, table.columns, strict=True):
                by_field.setdefault(name, []).append((t_index, column))

        table_columns: list[dict[str, IndexArray]] = [{} for _ in loaded]
        fields: dict[str, Field] = {}
        for name, parts in by_field.items():
            inputs = [column.encoding_inputs() for _, column in parts]
            if len(inputs) == 1:
                texts, nulls, numbers = inputs[0]
            else:
                texts = pa.concat_arrays([t.cast(pa.string()) for t, _, _ in inputs])
                nulls = np.concatenate([m for _, m, _ in inputs])
                numbers = np.concatenate([v for _, _, v in inputs])
            symbols, index = encode_arrow(texts, nulls, numbers)
            offset = 0
            for t_index, column in parts:
                n = len(column.numbers)
                table_columns[t_index][name] = index[offset : offset + n]
                offset += n
            owners = tuple(loaded[t].name for t, _ in parts)
            extra = tuple(dict.fromkeys(tag for _, c in parts for tag in c.tags))
            fields[name] = Field(
                name, symbols, owners, _tags(symbols, owners) + extra, len(numbers)
            )

        tables = {
            lt.name: Table(lt.name, lt.field_names, table_columns[i], lt.n_rows)
            for i, lt in enumerate(loaded)
        }
        return cls(tables, fields)

    def edges(self) -> Iterator[Edge]:
        for f in self.fields.values():
            for left, right in itertools.combinations(f.tables, 2):
                yield Edge(left, right, f.name)

    def neighbours(self, table: str) -> Iterator[Edge]:
        """Edges touching `table`, oriented so that `edge.left == table`."""
        for name in self.tables[table].field_names:
            for other in self.fields[name].tables:
                if other != table:
                    yield Edge(table, other, name)


def _tags(symbols: SymbolTable, tables: tuple[str, ...]) -> tuple[str, ...]:
    tags: list[str] = []
    if len(tables) > 1:
        tags.append("$key")
    n = len(symbols)
    n_numeric = symbols.numeric_count
    if n and n_numeric == n:
        tags.append("$numeric")
        if symbols.is_range or bool(np.all(np.mod(symbols.numbers, 1) == 0)):
            tags.append("$integer")
    elif n_numeric == 0 and n:
        if bool(pc.all(pc.string_is_ascii(symbols.text_array())).as_py()):
            tags.append("$ascii")
        tags.append("$text")
    return tuple(tags)


_number_text = number_text

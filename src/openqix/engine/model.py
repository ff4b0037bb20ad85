"""The data model built by a reload: tables of symbol indices linked by same-named fields.

`LoadedTable`s (what the script produced) go in; an immutable `DataModel` comes out. A
field name shared by several tables is a key field; each (table, table, field) is an edge of
the key graph that inference propagates over.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from openqix.engine.symbols import IndexArray, SymbolTable, encode_column

_versions = itertools.count(1)


@dataclass(frozen=True)
class Column:
    """One loaded column: per row a text (None = NULL) and a number (NaN = no number)."""

    texts: Sequence[str | None]
    numbers: npt.NDArray[np.float64]

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


@dataclass(frozen=True)
class LoadedTable:
    """A table as the load script produced it, before symbol encoding."""

    name: str
    field_names: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def n_rows(self) -> int:
        return len(self.columns[0].texts) if self.columns else 0


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
            texts: list[str | None] = []
            for _, column in parts:
                texts.extend(column.texts)
            numbers = np.concatenate([c.numbers for _, c in parts]) if parts else np.empty(0)
            symbols, index = encode_column(texts, numbers)
            offset = 0
            for t_index, column in parts:
                n = len(column.texts)
                table_columns[t_index][name] = index[offset : offset + n]
                offset += n
            owners = tuple(loaded[t].name for t, _ in parts)
            fields[name] = Field(name, symbols, owners, _tags(symbols, owners), len(texts))

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
        if bool(np.all(np.mod(symbols.numbers, 1) == 0)):
            tags.append("$integer")
    elif n_numeric == 0 and n:
        if all(t.isascii() for t in symbols.texts):
            tags.append("$ascii")
        tags.append("$text")
    return tuple(tags)


def _number_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)

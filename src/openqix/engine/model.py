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

from openqix.engine.symbols import (
    IndexArray,
    SymbolTable,
    encode_arrow,
    index_dtype,
    number_text,
)

_versions = itertools.count(1)


Exceptions = tuple[npt.NDArray[np.int64], pa.Array]


class Column:
    """One loaded column: per row a text (None = NULL) and a number (NaN = no number).

    Build it from Python values (`Column(texts, numbers)`, `Column.from_values`), with no
    Python object per row from Arrow (`Column.from_arrow`), or already encoded
    (`Column.from_encoded`: a symbol table and a row index array, what a streamed reading
    produces; `texts`/`numbers`/`arrow_texts`/`nulls` are then derived on first use only).
    `tags` are extra field tags (`$date`, `$timestamp`) the loader knows about.
    """

    __slots__ = ("_arrow_texts", "_encoded", "_exceptions", "_nulls", "_numbers", "_texts", "tags")

    def __init__(
        self,
        texts: Sequence[str | None] | None,
        numbers: npt.NDArray[np.float64] | None,
        tags: tuple[str, ...] = (),
        arrow_texts: pa.Array | None = None,
        nulls: npt.NDArray[np.bool_] | None = None,
    ):
        self._texts = texts
        self._numbers = numbers
        self.tags = tuple(tags)
        # Arrow form (from_arrow): per-row texts, a null entry meaning "canonical text of the
        # number" (or NULL where `nulls` says so).
        self._arrow_texts = arrow_texts
        self._nulls = nulls
        self._encoded: tuple[SymbolTable, IndexArray] | None = None
        self._exceptions: Exceptions | None = None

    @classmethod
    def from_encoded(
        cls,
        symbols: SymbolTable,
        index: IndexArray,
        exceptions: Exceptions | None = None,
        tags: Sequence[str] = (),
    ) -> Column:
        """A column already encoded: row i is `symbols[index[i]]` (-1 = NULL), except the
        rows in `exceptions` (row positions, texts), whose own text differs from their
        symbol's (the model keeps the symbol's; per-row values keep theirs)."""
        column = cls(None, None, tuple(tags))
        column._encoded = (symbols, index)
        column._exceptions = exceptions
        return column

    def with_tags(self, tags: Sequence[str]) -> Column:
        """The same column with other extra tags."""
        column = Column(self._texts, self._numbers, tuple(tags), self._arrow_texts, self._nulls)
        column._encoded, column._exceptions = self._encoded, self._exceptions
        return column

    @property
    def encoded(self) -> tuple[SymbolTable, IndexArray] | None:
        """(symbol table, row index array) when the column came encoded, else None."""
        return self._encoded

    @property
    def numbers(self) -> npt.NDArray[np.float64]:
        if self._numbers is None:
            assert self._encoded is not None
            symbols, index = self._encoded
            numbers = np.append(symbols.numbers, np.nan)[index]
            numbers.setflags(write=False)
            self._numbers = numbers
        return self._numbers

    @property
    def nulls(self) -> npt.NDArray[np.bool_] | None:
        if self._nulls is None and self._encoded is not None:
            self._nulls = self._encoded[1] < 0
        return self._nulls

    @property
    def arrow_texts(self) -> pa.Array | None:
        if self._arrow_texts is None and self._encoded is not None:
            symbols, index = self._encoded
            stored = pa.concat_arrays([symbols.stored_texts(), pa.nulls(1, pa.string())])
            texts = stored.take(pa.array(np.where(index < 0, len(symbols), index)))
            if self._exceptions is not None:
                rows, own = self._exceptions
                mask = np.zeros(len(index), dtype=bool)
                mask[rows] = True
                texts = pc.replace_with_mask(texts, pa.array(mask), own)
            self._arrow_texts = texts
        return self._arrow_texts

    @property
    def texts(self) -> Sequence[str | None]:
        if self._texts is None:
            arrow_texts, nulls = self.arrow_texts, self.nulls
            assert arrow_texts is not None and nulls is not None
            self._texts = _ArrowRowTexts(arrow_texts, self.numbers, nulls)
        return self._texts

    def __repr__(self) -> str:
        return f"Column({len(self)} rows, tags={self.tags!r})"

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
          kept) or, where that is null or `texts` is omitted, the canonical number text; a
          row with a null value but a text is that text (so any dual column can be given);
        - string `values`: pure texts (no number interpretation: use calc.interpret for that);
        - date32/date64: dual of the Qlik serial day number and the ISO text (`$date` tag);
          timestamp: serial day number with fraction and ISO text (`$timestamp` tag; dates
          get `$timestamp` and `$date`);
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
            extra += ("$timestamp", "$date") if is_date else ("$timestamp",)
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
        nulls = np.asarray(values.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        if row_texts is None:
            row_texts = pa.nulls(n, pa.string())
        elif nulls.any():  # a row with a text and no number is a text value
            nulls &= np.asarray(row_texts.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        lazy = _ArrowRowTexts(row_texts, numbers, nulls)
        return cls(lazy, numbers, extra, row_texts, nulls)

    def __len__(self) -> int:
        if self._encoded is not None:
            return len(self._encoded[1])
        return len(self._numbers) if self._numbers is not None else len(self.texts)

    def encoding_inputs(self) -> tuple[pa.Array, npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
        """(texts with nulls, NULL mask, numbers) as `symbols.encode_arrow` takes them."""
        arrow_texts, nulls = self.arrow_texts, self.nulls
        if arrow_texts is not None and nulls is not None:
            return arrow_texts, nulls, self.numbers
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
    def __getitem__(self, index: int | slice) -> str | list[str | None] | None:
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
    loose: bool = False  # `Loosen Table` in the script

    @property
    def n_rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0


@dataclass(frozen=True)
class Table:
    name: str
    field_names: tuple[str, ...]
    columns: dict[str, IndexArray]
    n_rows: int
    is_synthetic: bool = False
    loose: bool = False
    source_fields: tuple[str, ...] = ()  # the fields as loaded (before synthetic keys)
    _has_null: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def has_null(self, name: str) -> bool:
        """Whether the column holds NULL (-1) anywhere (computed once)."""
        found = self._has_null.get(name)
        if found is None:
            column = self.columns[name]
            found = bool(len(column)) and int(column.min()) < 0
            self._has_null[name] = found
        return found

    @property
    def nbytes(self) -> int:
        """Bytes of the table's index arrays."""
        return sum(int(c.nbytes) for c in self.columns.values())


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


SYN_PREFIX = "$Syn "
SYSTEM_FIELDS = ("$Field", "$Table", "$Rows", "$Fields")
CIRCULAR_WARNING = (
    "Circular reference: one or more loops were detected in the data model. Loops may cause "
    "ambiguous results; table(s) {tables} set as loosely coupled."
)


@dataclass(frozen=True)
class DataModel:
    tables: dict[str, Table]
    fields: dict[str, Field]
    version: int = field(default_factory=lambda: next(_versions))
    # Reload warnings of the model itself (circular references), in reload-log wording.
    warnings: tuple[str, ...] = ()

    @classmethod
    def empty(cls) -> DataModel:
        return cls({}, {})

    @classmethod
    def build(cls, loaded: Sequence[LoadedTable]) -> DataModel:
        """Encode loaded tables into one model; a field name shared by tables is one field.

        Then tables sharing two or more fields get a synthetic key (`$Syn N` + `$Syn N Table`)
        and loops in the key graph are cut by loosening tables (docs/engine.md).
        """
        by_field: dict[str, list[tuple[int, Column]]] = {}
        for t_index, table in enumerate(loaded):
            if len(set(table.field_names)) != len(table.field_names):
                raise ValueError(f"table {table.name!r} has duplicate field names")
            for name, column in zip(table.field_names, table.columns, strict=True):
                by_field.setdefault(name, []).append((t_index, column))

        table_columns: list[dict[str, IndexArray]] = [{} for _ in loaded]
        symbols_of: dict[str, SymbolTable] = {}
        extra_tags: dict[str, tuple[str, ...]] = {}
        row_counts: dict[str, int] = {}
        for name, parts in by_field.items():
            encoded = parts[0][1].encoded if len(parts) == 1 else None
            if encoded is not None:  # a streamed reading: encoded as it was read
                symbols, index = encoded
            else:
                inputs = [column.encoding_inputs() for _, column in parts]
                if len(inputs) == 1:
                    texts, nulls, numbers = inputs[0]
                else:
                    texts = pa.concat_arrays([t.cast(pa.string()) for t, _, _ in inputs])
                    nulls = np.concatenate([m for _, m, _ in inputs])
                    numbers = np.concatenate([v for _, _, v in inputs])
                del inputs
                symbols, index = encode_arrow(texts, nulls, numbers)
                del texts, nulls, numbers
            offset = 0
            for t_index, column in parts:
                n = len(column)
                table_columns[t_index][name] = index[offset : offset + n]
                offset += n
            symbols_of[name] = symbols
            extra_tags[name] = tuple(dict.fromkeys(tag for _, c in parts for tag in c.tags))
            row_counts[name] = len(index)

        drafts = [
            _Draft(lt.name, list(lt.field_names), table_columns[i], lt.n_rows, loose=lt.loose)
            for i, lt in enumerate(loaded)
        ]
        cards = {name: len(sym) for name, sym in symbols_of.items()}
        for syn_name, syn_symbols, keyparts in _synthetic_keys(drafts, cards):
            symbols_of[syn_name] = syn_symbols
            extra_tags[syn_name] = ("$syn",)
            row_counts[syn_name] = 0
            for part in keyparts:
                extra_tags[part] = (*extra_tags[part], "$keypart")
        loosened = _cut_loops(drafts)

        owners: dict[str, list[str]] = {}
        for draft in drafts:
            for name in draft.field_names:
                owners.setdefault(name, []).append(draft.name)
        fields: dict[str, Field] = {}
        for name, tables_of in owners.items():
            symbols = symbols_of[name]
            tags = _tags(symbols, tuple(tables_of)) + extra_tags[name]
            rows = row_counts[name] or sum(d.n_rows for d in drafts if name in d.columns)
            fields[name] = Field(name, symbols, tuple(tables_of), tuple(dict.fromkeys(tags)), rows)
        tables = {
            d.name: Table(
                d.name,
                tuple(d.field_names),
                {f: d.columns[f] for f in d.field_names},
                d.n_rows,
                is_synthetic=d.synthetic,
                loose=d.loose,
                source_fields=d.source_fields,
            )
            for d in drafts
        }
        warnings: tuple[str, ...] = ()
        if loosened:
            names = ", ".join(f"'{t}'" for t in loosened)
            warnings = (CIRCULAR_WARNING.format(tables=names),)
        return cls(tables, fields, warnings=warnings)

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

    def source_tables(self) -> list[tuple[str, tuple[str, ...], dict[str, IndexArray]]]:
        """The tables as loaded: (name, fields, index array per field), synthetic keys
        expanded back into their fields and `$Syn` tables left out (partial reloads)."""
        out: list[tuple[str, tuple[str, ...], dict[str, IndexArray]]] = []
        for table in self.tables.values():
            if table.is_synthetic:
                continue
            wanted = table.source_fields or table.field_names
            columns = dict(table.columns)
            pending = [f for f in columns if f not in wanted]
            while pending:
                syn = pending.pop()
                codes = columns.pop(syn)
                key_table = self.tables[f"{syn} Table"]
                for part in key_table.field_names:
                    if part == syn:
                        continue
                    part_column = key_table.columns[part]
                    # code -1 (NULL key) picks the appended NULL
                    columns[part] = np.append(part_column, -1).astype(part_column.dtype)[codes]
                    if part not in wanted:
                        pending.append(part)
            out.append((table.name, tuple(wanted), {f: columns[f] for f in wanted}))
        return out

    @property
    def loose_tables(self) -> tuple[str, ...]:
        return tuple(name for name, t in self.tables.items() if t.loose)

    @property
    def nbytes(self) -> int:
        """Bytes of all index arrays and symbol tables (lazily built lookups excluded)."""
        return sum(t.nbytes for t in self.tables.values()) + sum(
            f.symbols.nbytes for f in self.fields.values()
        )

    def system_fields(self) -> dict[str, Field]:
        """The system fields `$Field`, `$Table`, `$Rows`, `$Fields` (tag `$system`), for field
        lists with qShowSystem. They describe the model and take no part in inference."""
        cached = _system_cache.get(self.version)
        if cached is not None:
            return cached
        table_names = list(self.tables)
        values: dict[str, list[str | float | int | None]] = {
            "$Field": list(self.fields),
            "$Table": list(table_names),
            "$Rows": [self.tables[t].n_rows for t in table_names],
            "$Fields": [len(self.tables[t].field_names) for t in table_names],
        }
        out: dict[str, Field] = {}
        for name in SYSTEM_FIELDS:
            column = Column.from_values(values[name])
            symbols, _ = encode_arrow(*column.encoding_inputs())
            tags = ("$system", *_tags(symbols, ()))
            out[name] = Field(name, symbols, (), tags, len(values[name]))
        _system_cache.clear()
        _system_cache[self.version] = out
        return out


_system_cache: dict[int, dict[str, Field]] = {}


@dataclass
class _Draft:
    """A table while synthetic keys and loops are settled."""

    name: str
    field_names: list[str]
    columns: dict[str, IndexArray]
    n_rows: int
    loose: bool = False
    synthetic: bool = False
    source_fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.source_fields = self.source_fields or tuple(self.field_names)


def _synthetic_keys(
    drafts: list[_Draft], cards: dict[str, int]
) -> Iterator[tuple[str, SymbolTable, tuple[str, ...]]]:
    """Replace every field set shared by two tables (2+ fields) by a `$Syn N` key, adding a
    `$Syn N Table` with the distinct combinations. Repeats until no two tables share two
    fields (a synthetic key may contain another one). Yields (name, symbols, key parts)."""
    number = 0
    while True:
        shared = _first_shared(drafts)
        if shared is None:
            return
        number += 1
        name = f"{SYN_PREFIX}{number}"
        holders = [d for d in drafts if set(shared) <= set(d.field_names)]
        codes, first_rows = _combinations(holders, shared, cards)
        n_syn = len(first_rows)
        dtype = index_dtype(n_syn)
        offset = 0
        stacked = {f: np.concatenate([d.columns[f] for d in holders]) for f in shared}
        for draft in holders:
            part = codes[offset : offset + draft.n_rows]
            offset += draft.n_rows
            for f in shared:
                del draft.columns[f]
            draft.field_names = [f for f in draft.field_names if f not in shared] + [name]
            draft.columns[name] = part.astype(dtype)
        syn_columns = {f: stacked[f][first_rows] for f in shared}
        syn_columns[name] = np.arange(n_syn, dtype=dtype)
        drafts.append(_Draft(f"{name} Table", [*shared, name], syn_columns, n_syn, synthetic=True))
        cards[name] = n_syn
        yield name, SymbolTable.integer_range(1, n_syn), shared


def _first_shared(drafts: list[_Draft]) -> tuple[str, ...] | None:
    for i, left in enumerate(drafts):
        for right in drafts[i + 1 :]:
            common = set(left.field_names) & set(right.field_names)
            if len(common) >= 2:
                return tuple(f for f in left.field_names if f in common)
    return None


def _combinations(
    holders: list[_Draft], shared: tuple[str, ...], cards: dict[str, int]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per stacked row of `holders`, the number of its combination of `shared` values in
    first-occurrence order (-1 when all are NULL), and the first row of each combination.
    NULL takes part in a combination like a value."""
    code = np.zeros(sum(d.n_rows for d in holders), dtype=np.int64)
    for f in shared:
        column = np.concatenate([d.columns[f] for d in holders]).astype(np.int64) + 1
        code = code * (cards[f] + 1) + column
        _, code = np.unique(code, return_inverse=True)  # re-densify: no overflow
        code = code.astype(np.int64).ravel()
    all_null = np.ones(len(code), dtype=np.bool_)
    for f in shared:
        all_null &= np.concatenate([d.columns[f] for d in holders]) < 0
    code[all_null] = -1
    valid = np.flatnonzero(~all_null)
    if not len(valid):
        return code, np.zeros(0, dtype=np.int64)
    size = int(code.max()) + 1
    first = np.full(size, len(code), dtype=np.int64)
    np.minimum.at(first, code[valid], valid)
    used = np.flatnonzero(first < len(code))
    order = used[np.argsort(first[used], kind="stable")]
    rank = np.full(size, -1, dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    out = np.where(code >= 0, rank[np.maximum(code, 0)], -1)
    return out, first[order]


def _cut_loops(drafts: list[_Draft]) -> list[str]:
    """Loosen tables until the table/key-field graph has no cycle; returns their names.

    Tables already loose (Loosen Table) take no part; then, while a cycle is left, the
    table with the most rows whose loosening removes a cycle is loosened.
    """
    loosened: list[str] = []
    while _cycles(drafts) > 0:
        candidates = sorted((d for d in drafts if not d.loose), key=lambda d: (-d.n_rows, d.name))
        before = _cycles(drafts)
        for draft in candidates:
            draft.loose = True
            if _cycles(drafts) < before:
                loosened.append(draft.name)
                break
            draft.loose = False
        else:  # pragma: no cover - loosening every table always removes the cycles
            break
    return loosened


def _cycles(drafts: list[_Draft]) -> int:
    """Cyclomatic number (E - V + C) of the graph of non-loose tables and their key fields."""
    active = [d for d in drafts if not d.loose]
    holders: dict[str, int] = {}
    for d in active:
        for f in d.field_names:
            holders[f] = holders.get(f, 0) + 1
    keys = {f for f, n in holders.items() if n > 1}
    nodes = [("t", d.name) for d in active] + [("f", k) for k in keys]
    parent = {node: node for node in nodes}

    def find(node: tuple[str, str]) -> tuple[str, str]:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    edges = 0
    for d in active:
        for f in d.field_names:
            if f in keys:
                edges += 1
                a, b = find(("t", d.name)), find(("f", f))
                if a != b:
                    parent[a] = b
    components = len({find(node) for node in nodes})
    return edges - len(nodes) + components


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

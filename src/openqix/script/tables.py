"""The tables of one reload while it runs: naming (label, else source name, `-1`, `-2` on a
clash), automatic concatenation of a LOAD whose field set equals an existing table's, and the
final `LoadedTable`s in creation order.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from openqix.engine.model import Column, LoadedTable

MAX_SOURCE_NAME = 32


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


@dataclass
class _Table:
    name: str
    field_names: tuple[str, ...]
    parts: dict[str, list[Column]] = field(default_factory=dict)

    def append(self, names: Sequence[str], columns: Sequence[Column]) -> None:
        for name, column in zip(names, columns, strict=True):
            self.parts.setdefault(name, []).append(column)

    def loaded(self) -> LoadedTable:
        columns = tuple(_concatenate(self.parts[name]) for name in self.field_names)
        return LoadedTable(self.name, self.field_names, columns)


class TableSet:
    """Tables by creation order; the first table with a given field set takes appends."""

    def __init__(self) -> None:
        self._tables: list[_Table] = []
        self._by_field_set: dict[frozenset[str], _Table] = {}

    def store(
        self, names: Sequence[str], columns: Sequence[Column], name: str, concatenate: bool
    ) -> str:
        """Append to an existing table or create one; returns the name of the table used."""
        field_set = frozenset(names)
        table = self._by_field_set.get(field_set) if concatenate else None
        if table is None:
            table = _Table(self.unique_name(name), tuple(names))
            self._tables.append(table)
            self._by_field_set.setdefault(field_set, table)
        table.append(names, columns)
        return table.name

    def unique_name(self, name: str) -> str:
        taken = {t.name for t in self._tables}
        if name not in taken:
            return name
        return next(f"{name}-{n}" for n in itertools.count(1) if f"{name}-{n}" not in taken)

    def loaded_tables(self) -> list[LoadedTable]:
        return [table.loaded() for table in self._tables]


def _concatenate(parts: list[Column]) -> Column:
    if len(parts) == 1:
        return parts[0]
    texts: list[str | None] = []
    for part in parts:
        texts.extend(part.texts)
    return Column(texts, np.concatenate([part.numbers for part in parts]))

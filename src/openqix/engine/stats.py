"""Per-table field statistics of a data model (GetTablesAndKeys, field descriptions)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from openqix.engine.model import DataModel


@dataclass(frozen=True)
class FieldInTable:
    name: str
    n_rows: int
    n_non_nulls: int
    n_present_distinct: int
    n_total_distinct: int
    has_duplicates: bool

    @property
    def has_null(self) -> bool:
        return self.n_non_nulls < self.n_rows

    def key_type(self, is_key: bool) -> str:
        """PERFECT_KEY: unique and every field value present; PRIMARY_KEY: unique;
        ANY_KEY: a key field with duplicates or NULLs; NOT_KEY otherwise."""
        if self.has_duplicates or self.has_null or self.n_rows == 0:
            return "ANY_KEY" if is_key else "NOT_KEY"
        if self.n_present_distinct == self.n_total_distinct:
            return "PERFECT_KEY"
        return "PRIMARY_KEY"


def field_in_table(model: DataModel, table: str, field: str) -> FieldInTable:
    return column_stats(field, model.tables[table].columns[field], model.fields[field].cardinal)


def column_stats(field: str, column: npt.NDArray[np.integer], total: int) -> FieldInTable:
    """Statistics of one column of symbol indices (-1 = NULL) of a field with `total` values."""
    present = column[column >= 0]
    distinct = int(np.count_nonzero(np.bincount(present, minlength=total))) if total else 0
    return FieldInTable(
        name=field,
        n_rows=len(column),
        n_non_nulls=len(present),
        n_present_distinct=distinct,
        n_total_distinct=total,
        has_duplicates=distinct < len(present),
    )

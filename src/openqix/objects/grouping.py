"""Chart rows from joined combinations: distinct tuples of dimension symbols.

Symbols (+1, so NULL is 0) are packed into one int64 key per combination with a mixed
radix; a presence bitmap groups them in O(n) when the key space is small, a sort otherwise.
Group ids follow the key order: dimensions lexicographic by load order, NULL first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
SymbolArray = npt.NDArray[np.int32]
_DENSE_LIMIT = 1 << 22
_KEY_LIMIT = 1 << 62


@dataclass(frozen=True)
class Groups:
    """`ids[i]`: chart row of combination i; `dim_symbols[d][g]`: symbol of dim d in row g."""

    ids: IntArray
    count: int
    dim_symbols: list[SymbolArray]


def no_groups(n_dims: int) -> Groups:
    return Groups(np.zeros(0, np.int64), 0, [np.zeros(0, np.int32) for _ in range(n_dims)])


def single_group(n_dims: int) -> Groups:
    """The one row of a cube without (valid) dimensions; its dimension cells are NULL."""
    return Groups(np.zeros(0, np.int64), 1, [np.full(1, -1, np.int32) for _ in range(n_dims)])


def group_rows(columns: Sequence[SymbolArray | None], size: int) -> Groups:
    """Group `size` combinations by their dimension symbols; None = an all-NULL column."""
    radices = [int(c.max()) + 2 if c is not None and size else 1 for c in columns]
    if math_prod(radices) >= _KEY_LIMIT:
        return _group_by_rows(columns, size)
    key = np.zeros(size, dtype=np.int64)
    for column, radix in zip(columns, radices, strict=True):
        key = key * radix + (column.astype(np.int64) + 1 if column is not None else 0)
    span = math_prod(radices)
    if span <= max(_DENSE_LIMIT, 4 * size):
        present = np.zeros(span, dtype=np.bool_)
        present[key] = True
        keys = np.flatnonzero(present).astype(np.int64)
        ids = (np.cumsum(present) - 1)[key].astype(np.int64)
    else:
        keys, inverse = np.unique(key, return_inverse=True)
        ids = inverse.astype(np.int64).reshape(-1)
    return Groups(ids, len(keys), _decode(keys, radices))


def _decode(keys: IntArray, radices: list[int]) -> list[SymbolArray]:
    symbols: list[SymbolArray] = []
    stride = 1
    for radix in reversed(radices):
        symbols.append(((keys // stride) % radix - 1).astype(np.int32))
        stride *= radix
    return symbols[::-1]


def _group_by_rows(columns: Sequence[SymbolArray | None], size: int) -> Groups:
    """Fallback for key spaces beyond int64: unique rows of the stacked symbol matrix."""
    stacked = np.stack(
        [c if c is not None else np.full(size, -1, np.int32) for c in columns], axis=1
    )
    unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
    symbols = [unique[:, d].astype(np.int32) for d in range(len(columns))]
    return Groups(inverse.astype(np.int64).reshape(-1), len(unique), symbols)


def math_prod(values: Sequence[int]) -> int:
    """Exact product of Python ints (no overflow)."""
    out = 1
    for value in values:
        out *= value
    return out

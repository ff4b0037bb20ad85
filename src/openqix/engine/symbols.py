"""Symbol tables: the distinct non-null values of one field, as duals, in load order.

A value is identified by its number when it has one (numeric equality decides identity, the
first text seen is kept) and by its text otherwise. The index of a value is its element number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

IndexArray = npt.NDArray[np.int32]


@dataclass(frozen=True)
class SymbolTable:
    """Distinct values of a field: `texts[i]` and `numbers[i]` (NaN for pure text)."""

    texts: tuple[str, ...]
    numbers: npt.NDArray[np.float64]
    _lookup: dict[str, dict[Any, int]] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.texts)

    def is_numeric(self, index: int) -> bool:
        return not math.isnan(float(self.numbers[index]))

    def find_number(self, number: float) -> int | None:
        return self._index("number").get(float(number))

    def find_text(self, text: str) -> int | None:
        """Exact text match; a text symbol wins over a numeric one with the same text."""
        found = self._index("text").get(text)
        return found if found is not None else self._index("numeric_text").get(text)

    def _index(self, kind: str) -> dict[Any, int]:
        """Lookups are built on first use: most symbol tables are never searched by value."""
        if not self._lookup:
            is_text = np.isnan(self.numbers)
            text_ids = np.flatnonzero(is_text).tolist()
            num_ids = np.flatnonzero(~is_text).tolist()
            numbers = self.numbers[~is_text].tolist()
            by_number = dict(zip(reversed(numbers), reversed(num_ids), strict=True))
            self._lookup["number"] = by_number
            self._lookup["text"] = {self.texts[i]: i for i in reversed(text_ids)}
            self._lookup["numeric_text"] = {self.texts[i]: i for i in reversed(num_ids)}
        return self._lookup[kind]

    @property
    def numeric_count(self) -> int:
        return int(np.count_nonzero(~np.isnan(self.numbers)))


def encode_column(
    texts: Sequence[str | None], numbers: npt.NDArray[np.float64]
) -> tuple[SymbolTable, IndexArray]:
    """Hash one column of duals into a symbol table (load order) and a row index array.

    `texts[i] is None` means NULL (index -1). Rows with a number are identified by it.
    """
    n = len(texts)
    if len(numbers) != n:
        raise ValueError("texts and numbers differ in length")
    text_arr = pa.array(texts, type=pa.string())
    is_null = np.asarray(text_arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    is_num = ~np.isnan(numbers) & ~is_null
    is_txt = ~is_num & ~is_null
    positions = np.arange(n, dtype=np.int64)

    num_pos = positions[is_num]
    txt_pos = positions[is_txt]
    num_dict, num_idx = _dictionary(pa.array(numbers[is_num], type=pa.float64()))
    txt_dict, txt_idx = _dictionary(text_arr.filter(pa.array(is_txt)))

    num_first = _first_positions(num_idx, num_pos, len(num_dict))
    txt_first = _first_positions(txt_idx, txt_pos, len(txt_dict))
    first = np.concatenate([num_first, txt_first])
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))

    sym_numbers = np.concatenate(
        [
            np.asarray(num_dict.to_numpy(zero_copy_only=False), dtype=np.float64),
            np.full(len(txt_dict), np.nan),
        ]
    )[order]
    all_texts: list[str] = [texts[int(p)] or "" for p in num_first.tolist()]
    all_texts += [str(t) for t in txt_dict.to_pylist()]
    sym_texts = tuple(all_texts[int(i)] for i in order.tolist())

    index = np.full(n, -1, dtype=np.int32)
    index[is_num] = rank[num_idx].astype(np.int32)
    index[is_txt] = rank[len(num_dict) + txt_idx].astype(np.int32)
    return SymbolTable(sym_texts, sym_numbers), index


def _dictionary(values: pa.Array) -> tuple[pa.Array, npt.NDArray[np.int64]]:
    encoded = pc.dictionary_encode(values)
    indices = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    return encoded.dictionary, indices


def _first_positions(
    idx: npt.NDArray[np.int64], pos: npt.NDArray[np.int64], size: int
) -> npt.NDArray[np.int64]:
    """Row position of each dictionary entry's first occurrence."""
    first = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
    if len(idx):
        np.minimum.at(first, idx, pos)
    return first

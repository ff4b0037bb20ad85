"""Vectors of duals: the one value type of expressions, scalar functions and aggregations.

A value in Qlik is a dual: an optional text and an optional number. `Duals` holds n of them
as two parallel arrays:

- `num`  float64, NaN where the value has no number;
- `text` object array of `str`, or None where the value has no text of its own.

A value with a number but no text shows its number formatted (the auto format of
calc/format.py, or a format applied later). A value with neither is NULL. The empty string is
a text, not NULL. Everything here is vectorised over the arrays; scalar helpers exist for
results of one row (Evaluate, a total) and for tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from openqix.calc.format import format_number

FloatArray = npt.NDArray[np.float64]
ObjectArray = npt.NDArray[np.object_]
BoolArray = npt.NDArray[np.bool_]

Scalar = str | int | float | None


class Dual(NamedTuple):
    """One value: `text` None = no own text, `num` NaN = no number; both absent = NULL."""

    text: str | None
    num: float

    @property
    def is_null(self) -> bool:
        return self.text is None and self.num != self.num

    @property
    def is_numeric(self) -> bool:
        return self.num == self.num

    def display(self, formatter: Callable[[float], str] = format_number) -> str | None:
        """The text a client sees: own text, else the formatted number, else None (NULL)."""
        if self.text is not None:
            return self.text
        if self.num == self.num:
            return formatter(self.num)
        return None


NULL = Dual(None, float("nan"))


_NONE = np.array(None, dtype=object)


def none_mask(values: ObjectArray) -> BoolArray:
    """True where an object array holds None."""
    return np.asarray(np.equal(values, _NONE), dtype=bool)


def object_array(values: Sequence[str | None] | ObjectArray) -> ObjectArray:
    """A 1-d object array holding exactly `values` (numpy never splits the strings)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


@dataclass(frozen=True, slots=True)
class Duals:
    num: FloatArray
    text: ObjectArray

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def null(cls, n: int) -> Duals:
        return cls(np.full(n, np.nan), np.full(n, None, dtype=object))

    @classmethod
    def of_numbers(cls, numbers: npt.ArrayLike) -> Duals:
        """Pure numbers (NaN stays NULL): their text is their formatted number."""
        num = np.asarray(numbers, dtype=np.float64)
        return cls(num, np.full(num.shape[0], None, dtype=object))

    @classmethod
    def of_texts(cls, texts: Sequence[str | None] | ObjectArray) -> Duals:
        """Pure texts (no number); None is NULL."""
        return cls(np.full(len(texts), np.nan), object_array(texts))

    @classmethod
    def of_value(cls, value: Scalar | Dual, n: int) -> Duals:
        """One value repeated n times: int/float → number, str → text, None → NULL."""
        if isinstance(value, Dual):
            return cls(np.full(n, value.num), np.full(n, value.text, dtype=object))
        if value is None:
            return cls.null(n)
        if isinstance(value, str):
            return cls(np.full(n, np.nan), np.full(n, value, dtype=object))
        return cls(np.full(n, float(value)), np.full(n, None, dtype=object))

    @classmethod
    def of_symbols(
        cls, texts: Sequence[str] | ObjectArray, numbers: FloatArray, index: npt.NDArray[np.int_]
    ) -> Duals:
        """The values of symbol indices (-1 = NULL) of a symbol table's texts and numbers."""
        index = np.asarray(index)
        valid = index >= 0
        safe = np.where(valid, index, 0)
        sym_texts = texts if isinstance(texts, np.ndarray) else object_array(list(texts))
        if len(sym_texts) == 0:
            return cls.null(index.shape[0])
        num = np.where(valid, np.asarray(numbers, dtype=np.float64)[safe], np.nan)
        text = sym_texts[safe]
        text = np.where(valid, text, _NONE).astype(object)
        return cls(num, text)

    @classmethod
    def concat(cls, parts: Sequence[Duals]) -> Duals:
        if not parts:
            return cls.null(0)
        return cls(
            np.concatenate([p.num for p in parts]),
            np.concatenate([p.text for p in parts]).astype(object),
        )

    # -- inspection --------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.num.shape[0])

    @property
    def has_number(self) -> BoolArray:
        return ~np.isnan(self.num)

    @property
    def has_text(self) -> BoolArray:
        return ~none_mask(self.text)

    @property
    def is_null(self) -> BoolArray:
        return np.isnan(self.num) & none_mask(self.text)

    def item(self, i: int) -> Dual:
        return Dual(self.text[i], float(self.num[i]))

    def items(self) -> list[Dual]:
        return [Dual(t, n) for t, n in zip(self.text.tolist(), self.num.tolist(), strict=True)]

    # -- transformation ------------------------------------------------------------------------
    def take(self, index: npt.ArrayLike) -> Duals:
        idx = np.asarray(index)
        return Duals(self.num[idx], self.text[idx])

    def numbers_only(self) -> Duals:
        """The same numbers without their texts (a result of arithmetic)."""
        return Duals.of_numbers(self.num)

    def display_texts(self, formatter: Callable[[float], str] = format_number) -> ObjectArray:
        """Per value the text a client sees; None for NULL. Loops only over the values that
        have a number and no text (a result column, usually small)."""
        out = self.text.copy()
        need = np.flatnonzero(none_mask(out) & ~np.isnan(self.num))
        if need.size:
            out[need] = [formatter(v) for v in self.num[need].tolist()]
        return out


def where(mask: BoolArray, a: Duals, b: Duals) -> Duals:
    """Per row `a` where mask else `b` (all three of one length)."""
    return Duals(np.where(mask, a.num, b.num), np.where(mask, a.text, b.text).astype(object))

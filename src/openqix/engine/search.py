"""Qlik search strings as used by Field.Select / ToggleSelect: which symbols of a field match.

Supported: whole-value case-insensitive match with `*`/`?` wildcards (optionally quoted) and
numeric searches (`>10`, `<=5`, `>=1<10`) over numeric symbols. Expression (`=...` with a
non-numeric operand), fuzzy (`~`) and compound searches fall back to a plain text match.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from openqix.engine.symbols import IndexArray, SymbolTable

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_BOUND = re.compile(rf"\s*(<=|>=|<|>|=)\s*({_NUMBER})")
_NUMERIC_SEARCH = re.compile(rf"(?:\s*(?:<=|>=|<|>|=)\s*{_NUMBER})+\s*")

_Comparison = Callable[[npt.NDArray[np.float64], float], npt.NDArray[np.bool_]]
_OPERATORS: dict[str, _Comparison] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
    "=": operator.eq,
}


def match_symbols(symbols: SymbolTable, pattern: str) -> IndexArray:
    """Indices (ascending) of the symbols matched by the search string `pattern`."""
    if _NUMERIC_SEARCH.fullmatch(pattern):
        return _numeric_matches(symbols, pattern)
    text = pattern
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        text = text[1:-1]
    regex = _wildcard_regex(text)
    hits = [i for i, value in enumerate(symbols.texts) if regex.fullmatch(value)]
    return np.asarray(hits, dtype=np.int32)


def _numeric_matches(symbols: SymbolTable, pattern: str) -> IndexArray:
    """All bounds must hold (`>=1<10` is a range); text-only symbols never match."""
    numbers = symbols.numbers
    matched = ~np.isnan(numbers)
    for op, value in _BOUND.findall(pattern):
        matched &= _OPERATORS[op](numbers, float(value))
    return np.flatnonzero(matched).astype(np.int32)


def _wildcard_regex(text: str) -> re.Pattern[str]:
    parts = ("." if c == "?" else ".*" if c == "*" else re.escape(c) for c in text)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)

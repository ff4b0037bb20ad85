"""Search strings for Field.Select: wildcards, quotes, numeric comparisons and ranges."""

from __future__ import annotations

import numpy as np
import pytest

from openqix.engine.model import Column
from openqix.engine.search import match_symbols
from openqix.engine.symbols import SymbolTable, encode_column


def symbols(*values: str | float | None) -> SymbolTable:
    column = Column.from_values(list(values))
    table, _ = encode_column(column.texts, column.numbers)
    return table


def texts(table: SymbolTable, pattern: str) -> list[str]:
    found = match_symbols(table, pattern)
    assert found.dtype == np.int32
    return [table.texts[i] for i in found.tolist()]


FRUIT = symbols("apple", "banana", "Blueberry", "b", "a.b*c", "Straße")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("b*", ["banana", "Blueberry", "b"]),
        ("B*Y", ["Blueberry"]),
        ("?", ["b"]),
        ("b?n*", ["banana"]),
        ("*an*", ["banana"]),
        ("APPLE", ["apple"]),
        ("app", []),  # whole-value match, not a prefix
        ('"b*"', ["banana", "Blueberry", "b"]),
        ('"apple"', ["apple"]),
        ("a.b*", ["a.b*c"]),  # regex metacharacters are literal
        ("a?b*", ["a.b*c"]),
        ("straße", ["Straße"]),
        ("*", ["apple", "banana", "Blueberry", "b", "a.b*c", "Straße"]),
        ("", []),
    ],
)
def test_text_search(pattern: str, expected: list[str]) -> None:
    assert texts(FRUIT, pattern) == expected


NUMBERS = symbols(5, 10, 1.5, "ten", -3, 100, 1e3)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (">10", ["100", "1000"]),
        (">=10", ["10", "100", "1000"]),
        ("<5", ["1.5", "-3"]),
        ("<=5", ["5", "1.5", "-3"]),
        ("=5", ["5"]),
        (">=1<10", ["5", "1.5"]),
        ("> 1.5 <= 100", ["5", "10", "100"]),
        ("<-1", ["-3"]),
        (">1e2", ["1000"]),
        ("<.5", ["-3"]),
        ("ten", ["ten"]),
        ("TEN", ["ten"]),
        ("10", ["10"]),
        ("1*", ["10", "1.5", "100", "1000"]),
        (">abc", []),  # not a number: plain text match, nothing is called ">abc"
        ("=Sum(x)", []),  # expression search is not supported: no match
    ],
)
def test_numeric_search(pattern: str, expected: list[str]) -> None:
    assert texts(NUMBERS, pattern) == expected


def test_numeric_search_ignores_text_symbols() -> None:
    assert texts(symbols("a", "b"), ">0") == []
    assert texts(symbols(), "*") == []

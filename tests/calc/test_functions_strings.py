"""String functions: documented examples and a per-value Python reference for the
vectorised implementations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.calc.functions.strings import subfield_rows
from openqix.calc.values import Duals

from .functions_helpers import callv, num, text


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("Left", ("abcdef", 3), "abc"),
        ("Left", ("abc", 0), ""),
        ("Right", ("abcdef", 3), "def"),
        ("Right", ("abc", 10), "abc"),
        ("Mid", ("abcdef", 3), "cdef"),
        ("Mid", ("abcdef", 3, 2), "cd"),
        ("Upper", ("abc é",), "ABC É"),
        ("Lower", ("AbC",), "abc"),
        ("Capitalize", ("hello wORLD",), "Hello World"),
        ("Trim", ("  abc  ",), "abc"),
        ("LTrim", ("  abc  ",), "abc  "),
        ("RTrim", ("  abc  ",), "  abc"),
        ("Replace", ("abccde", "cc", "xyz"), "abxyzde"),
        ("SubField", ("abc;cde;efg", ";", 2), "cde"),
        ("SubField", ("abc;cde;efg", ";", -1), "efg"),
        ("SubField", ("abc;cde", ";", 3), None),
        ("SubField", ("abc;cde", ";"), "abc"),
        ("TextBetween", ("<abc>", "<", ">"), "abc"),
        ("TextBetween", ("<abc><de>", "<", ">", 2), "de"),
        ("TextBetween", ("abc", "<", ">"), None),
        ("Repeat", ("*", 4), "****"),
        ("Chr", (65,), "A"),
        ("KeepChar", ("a1b2c3", "123"), "123"),
        ("PurgeChar", ("a1b2c3", "123"), "abc"),
        ("Text", (3.25,), "3.25"),
        ("Upper", (None,), None),
    ],
)
def test_string_examples(name: str, args: tuple[object, ...], expected: str | None) -> None:
    assert text(name, *args) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("Len", ("Peter",), 5.0),
        ("Len", (123.5,), 5.0),
        ("Len", ("",), 0.0),
        ("Index", ("abcdefg", "cd"), 3.0),
        ("Index", ("abcabcd", "b", 2), 5.0),
        ("Index", ("abcabcd", "b", -2), 2.0),
        ("Index", ("abcabcd", "x"), 0.0),
        ("SubStringCount", ("abcabcab", "ab"), 3.0),
        ("SubStringCount", ("abc", "x"), 0.0),
        ("Ord", ("A",), 65.0),
        ("Match", ("M", "J", "M", "m"), 2.0),
        ("Match", ("m", "J", "M"), 0.0),
        ("MixMatch", ("m", "J", "M"), 2.0),
        ("WildMatch", ("Mario", "J*", "m?r*"), 2.0),
        ("WildMatch", ("Mario", "x*"), 0.0),
    ],
)
def test_string_number_examples(name: str, args: tuple[object, ...], expected: float) -> None:
    assert num(name, *args) == expected  # type: ignore[arg-type]


def test_hashes_are_stable_and_sized() -> None:
    a, b = text("Hash128", "abc"), text("Hash128", "abc")
    assert a == b and a is not None and len(a) == 22
    assert text("Hash128", "abc") != text("Hash128", "abd")
    assert len(text("Hash160", "x") or "") == 27
    assert len(text("Hash256", "x") or "") == 43
    assert text("Hash128", "a", "bc") != text("Hash128", "ab", "c")


def test_subfield_rows_generates_one_row_per_part() -> None:
    rows, parts = subfield_rows(Duals.of_texts(["a,b,c", None, "d"]), Duals.of_value(",", 3))
    assert rows.tolist() == [0, 0, 0, 1, 2]
    assert parts.text.tolist() == ["a", "b", "c", None, "d"]


words = st.one_of(st.none(), st.text(alphabet="ab; c", max_size=8))
counts = st.integers(min_value=-3, max_value=6)


def _ref_left(s: str | None, k: int) -> str | None:
    return None if s is None else s[: max(k, 0)]


def _ref_mid(s: str | None, start: int, k: int) -> str | None:
    if s is None or start < 1:
        return None
    return s[start - 1 : start - 1 + max(k, 0)]


def _ref_subfield(s: str | None, k: int) -> str | None:
    if s is None:
        return None
    parts = s.split(";")
    if 0 < k <= len(parts):
        return parts[k - 1]
    if k < 0 and -k <= len(parts):
        return parts[k]
    return None


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(words, counts, counts), min_size=1, max_size=12))
def test_vectorised_strings_match_a_per_value_reference(
    rows: list[tuple[str | None, int, int]],
) -> None:
    s = [r[0] for r in rows]
    a = [r[1] for r in rows]
    b = [r[2] for r in rows]
    assert callv("Left", s, a).text.tolist() == [_ref_left(x, k) for x, k in zip(s, a, strict=True)]
    assert callv("Mid", s, a, b).text.tolist() == [
        _ref_mid(x, i, k) for x, i, k in zip(s, a, b, strict=True)
    ]
    assert callv("SubField", s, [";"] * len(s), a).text.tolist() == [
        _ref_subfield(x, k) for x, k in zip(s, a, strict=True)
    ]
    assert callv("Upper", s).text.tolist() == [None if x is None else x.upper() for x in s]
    lens = callv("Len", s).num
    expected = np.array([np.nan if x is None else len(x) for x in s])
    assert np.array_equal(lens, expected, equal_nan=True)
    counted = callv("SubStringCount", s, ["ab"] * len(s)).num
    expected = np.array([np.nan if x is None else x.count("ab") for x in s])
    assert np.array_equal(counted, expected, equal_nan=True)

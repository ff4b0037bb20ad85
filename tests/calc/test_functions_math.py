"""Numeric functions: documented examples and properties against Python's math."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .functions_helpers import callv, num


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("Round", (3.88,), 4.0),
        ("Round", (3.88, 0.1), 3.9),
        ("Round", (3.88, 5), 5.0),
        ("Round", (1.1, 1, 0.5), 1.5),
        ("Round", (2.5,), 3.0),
        ("Round", (-2.5,), -2.0),
        ("Floor", (2.5,), 2.0),
        ("Floor", (-2.5,), -3.0),
        ("Floor", (4.2, 0.25), 4.0),
        ("Floor", (3.88, 5), 0.0),
        ("Floor", (1.1, 1, 0.5), 0.5),
        ("Ceil", (2.5,), 3.0),
        ("Ceil", (-2.5,), -2.0),
        ("Ceil", (4.2, 0.25), 4.25),
        ("Ceil", (1.1, 1, 0.5), 1.5),
        ("Fabs", (-2.5,), 2.5),
        ("Mod", (7, 2), 1.0),
        ("Mod", (7.5, 2), None),
        ("Mod", (-4, 3), 2.0),
        ("Mod", (4, -3), None),
        ("Fmod", (7, 2), 1.0),
        ("Fmod", (7.5, 2), 1.5),
        ("Fmod", (-4, 3), -1.0),
        ("Div", (7, 2), 3.0),
        ("Div", (-4, 3), -1.0),
        ("Div", (1, 0), None),
        ("Frac", (11 / 4,), 0.75),
        ("Frac", (-11 / 4,), -0.75),
        ("Sqrt", (16,), 4.0),
        ("Sqrt", (-1,), None),
        ("Log", (0,), None),
        ("Log10", (1000,), 3.0),
        ("Pow", (3, 3), 27.0),
        ("Sign", (-2,), -1.0),
        ("Sign", (0,), 0.0),
        ("Even", (2,), -1.0),
        ("Even", (3,), 0.0),
        ("Even", (3.4,), None),
        ("Odd", (3,), -1.0),
        ("BitCount", (3,), 2.0),
        ("BitCount", (-1,), 64.0),
        ("Fact", (5,), 120.0),
        ("Combin", (5, 2), 10.0),
        ("Permut", (5, 2), 20.0),
        ("Round", ("3.88",), 4.0),
        ("Round", (None,), None),
        ("Round", ("abc",), None),
    ],
)
def test_math_examples(name: str, args: tuple[object, ...], expected: float | None) -> None:
    got = num(name, *args)  # type: ignore[arg-type]
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected)


def test_constants_and_rand() -> None:
    assert num("Pi") == pytest.approx(math.pi)
    r = callv("Rand", [None] * 50).num
    assert ((r >= 0) & (r < 1)).all() and len(set(r.tolist())) > 1


finite = st.integers(min_value=-(10**9), max_value=10**9).map(lambda i: i / 1000)
steps = st.sampled_from([1.0, 0.5, 0.25, 2.0, 5.0, 10.0])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(finite, steps), min_size=1, max_size=10))
def test_step_functions_match_a_reference(rows: list[tuple[float, float]]) -> None:
    xs = [r[0] for r in rows]
    ss = [r[1] for r in rows]
    floor = callv("Floor", xs, ss).num
    ceil = callv("Ceil", xs, ss).num
    rnd = callv("Round", xs, ss).num
    for i, (x, s) in enumerate(rows):
        exact = Fraction(round(x * 1000), 1000) / Fraction(s)
        assert floor[i] == pytest.approx(math.floor(exact) * s, abs=1e-6)
        assert ceil[i] == pytest.approx(math.ceil(exact) * s, abs=1e-6)
        assert abs(rnd[i] - x) <= s / 2 + 1e-6
        assert floor[i] <= rnd[i] <= ceil[i]


ints = st.integers(min_value=-1000, max_value=1000)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(ints, st.integers(min_value=1, max_value=50)), min_size=1, max_size=10))
def test_mod_div_match_python(rows: list[tuple[int, int]]) -> None:
    a = [r[0] for r in rows]
    b = [r[1] for r in rows]
    assert callv("Mod", a, b).num.tolist() == [float(x % y) for x, y in rows]
    assert callv("Div", a, b).num.tolist() == [float(int(x / y)) for x, y in rows]
    assert np.allclose(callv("Fmod", a, b).num, [math.fmod(x, y) for x, y in rows])

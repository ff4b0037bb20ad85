"""Conditional, NULL, range and colour functions."""

from __future__ import annotations

import statistics

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.calc.values import Dual

from .functions_helpers import call, callv, num, text


def test_if_pick_alt_coalesce() -> None:
    assert callv("If", [1, 0, None, "x"], ["a"] * 4, ["b"] * 4).text.tolist() == [
        "a",
        "b",
        "b",
        "b",
    ]
    assert call("If", 0, "a").is_null
    assert text("Pick", 2, "A", "B", "C") == "B"
    assert call("Pick", 4, "A", "B").is_null
    assert num("Alt", "x", None, 3, 4) == 3
    assert text("Alt", "x", "y") == "y"
    assert text("Coalesce", None, "", "z") == ""
    assert text("Coalesce", None, None, "z") == "z"


def test_null_predicates() -> None:
    assert call("Null").is_null
    assert num("IsNull", None) == -1 and num("IsNull", "") == 0
    assert num("IsNum", 3) == -1 and num("IsNum", "3") == -1 and num("IsNum", "a") == 0
    assert num("IsText", "a") == -1 and num("IsText", 3) == 0 and num("IsText", None) == 0
    assert call("EmptyIsNull", "").is_null and text("EmptyIsNull", "a") == "a"
    assert num("True") == -1 and num("False") == 0


def test_class_and_dual() -> None:
    assert call("Class", 23, 10) == Dual("20<=x<30", 20.0)
    assert text("Class", 23, 5, "value") == "20<= value <25"
    assert call("Class", 23, 10, "x", 5) == Dual("15<=x<25", 15.0)
    assert call("Dual", "Q1", 1) == Dual("Q1", 1.0)


def test_ranges() -> None:
    assert num("RangeSum", 1, 2, "x", None) == 3
    assert num("RangeSum", "x") == 0
    assert num("RangeAvg", 1, 2, "x") == 1.5
    assert num("RangeAvg", "x") is None
    assert num("RangeMin", 5, 1, None) == 1 and num("RangeMax", 5, 1, None) == 5
    assert num("RangeCount", 1, "a", None, "") == 3
    assert num("RangeNumericCount", 1, "a", None) == 1
    assert num("RangeTextCount", 1, "a", None) == 1
    assert num("RangeNullCount", 1, None, None) == 2
    assert num("RangeMissingCount", 1, "a", None) == 2
    assert num("RangeMode", 1, 2, 2, "a") == 2 and call("RangeMode", 1, 2).is_null
    assert text("RangeMode", "a", "a", 1) == "a"
    assert num("RangeOnly", 1, 1, None) == 1 and call("RangeOnly", 1, 2).is_null
    assert text("RangeConcat", "a", None, 1) == "a1"
    assert num("RangeStdev", 1, 2, 3) == 1
    assert num("RangeFractile", 0.5, 1, 2, 3, 4) == 2.5


values = st.one_of(st.none(), st.integers(-50, 50).map(float), st.sampled_from(["a", "b"]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(values, min_size=3, max_size=3), min_size=1, max_size=8))
def test_ranges_match_a_per_row_reference(rows: list[list[object]]) -> None:
    cols = [[r[i] for r in rows] for i in range(3)]
    sums = callv("RangeSum", *cols).num  # type: ignore[arg-type]
    avgs = callv("RangeAvg", *cols).num  # type: ignore[arg-type]
    counts = callv("RangeCount", *cols).num  # type: ignore[arg-type]
    stdevs = callv("RangeStdev", *cols).num  # type: ignore[arg-type]
    for i, r in enumerate(rows):
        nums = [float(v) for v in r if isinstance(v, float)]  # type: ignore[arg-type]
        assert sums[i] == sum(nums)
        assert (np.isnan(avgs[i]) and not nums) or avgs[i] == statistics.fmean(nums)
        assert counts[i] == sum(v is not None for v in r)
        if len(nums) > 1:
            assert np.isclose(stdevs[i], statistics.stdev(nums))
        else:
            assert np.isnan(stdevs[i])


def test_colors() -> None:
    assert call("RGB", 255, 0, 0) == Dual("RGB(255,0,0)", float(0xFFFF0000))
    assert call("ARGB", 128, 255, 0, 0) == Dual("ARGB(128,255,0,0)", float(0x80FF0000))
    assert call("HSL", 0, 1, 0.5) == Dual("RGB(255,0,0)", float(0xFFFF0000))
    assert call("Red") == Dual("RGB(128,0,0)", float(0xFF800000))
    assert call("White") == Dual("RGB(255,255,255)", float(0xFFFFFFFF))
    assert text("Black", 0) == "ARGB(0,0,0,0)"
    assert text("ColorMix1", 0.5, 0xFF000000, 0xFFFFFFFF) == "RGB(128,128,128)"
    assert text("ColorMix2", -1, 0xFFFF0000, 0xFF00FF00) == "RGB(255,0,0)"
    assert text("ColorMix2", 1, 0xFFFF0000, 0xFF00FF00) == "RGB(0,255,0)"
    assert call("RGB", None, 0, 0).is_null

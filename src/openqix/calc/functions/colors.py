"""Colour functions. A colour is a dual: number = the ARGB integer (alpha in the high byte),
text = `RGB(r,g,b)` or `ARGB(a,r,g,b)`. Components are clipped to 0..255; NULL components give
NULL.
"""

from __future__ import annotations

import colorsys
from collections.abc import Sequence

import numpy as np

from openqix.calc.functions._common import apply_distinct, numbers
from openqix.calc.functions.registry import FunctionContext, register
from openqix.calc.values import Duals, FloatArray


def _channel(x: FloatArray) -> FloatArray:
    return np.clip(np.round(x), 0, 255)


def color_duals(
    a: FloatArray, r: FloatArray, g: FloatArray, b: FloatArray, argb_text: bool
) -> Duals:
    n = r.shape[0]
    a, r, g, b = _channel(a), _channel(r), _channel(g), _channel(b)
    num = a * 16777216.0 + r * 65536.0 + g * 256.0 + b
    if argb_text:
        texts = apply_distinct(
            lambda *c: (
                None if any(v != v for v in c) else "ARGB({},{},{},{})".format(*(int(v) for v in c))
            ),
            [a, r, g, b],
            n,
        )
    else:
        texts = apply_distinct(
            lambda *c: (
                None if any(v != v for v in c) else "RGB({},{},{})".format(*(int(v) for v in c))
            ),
            [r, g, b],
            n,
        )
    return Duals(num, texts)


@register("RGB", 3, 3)
def rgb(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    r, g, b = (numbers(x) for x in args)
    return color_duals(np.full(n, 255.0), r, g, b, argb_text=False)


@register("ARGB", 4, 4)
def argb(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    a, r, g, b = (numbers(x) for x in args)
    return color_duals(a, r, g, b, argb_text=True)


def _hsl_one(h: float, s: float, lum: float) -> tuple[float, float, float]:
    r, g, b = colorsys.hls_to_rgb(h, lum, s)
    return r * 255, g * 255, b * 255


@register("HSL", 3, 3)
def hsl(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """HSL(hue, saturation, luminosity), each 0..1."""
    h, s, lum = (np.clip(numbers(x), 0, 1) for x in args)
    rgb_rows = apply_distinct(
        lambda a, b, c: None if a != a or b != b or c != c else _hsl_one(a, b, c), [h, s, lum], n
    )
    r = np.array([np.nan if x is None else x[0] for x in rgb_rows.tolist()], dtype=np.float64)
    g = np.array([np.nan if x is None else x[1] for x in rgb_rows.tolist()], dtype=np.float64)
    b = np.array([np.nan if x is None else x[2] for x in rgb_rows.tolist()], dtype=np.float64)
    return color_duals(np.full(n, 255.0), r, g, b, argb_text=False)


def _split(color: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    v = np.where(np.isfinite(color), color, 0).astype(np.int64) & 0xFFFFFFFF
    bad = ~np.isfinite(color)
    parts = [((v >> s) & 255).astype(np.float64) for s in (24, 16, 8, 0)]
    return tuple(np.where(bad, np.nan, p) for p in parts)  # type: ignore[return-value]


def _mix(t: FloatArray, c0: FloatArray, c1: FloatArray) -> Duals:
    t = np.clip(t, 0, 1)
    p0, p1 = _split(c0), _split(c1)
    mixed = [x + (y - x) * t for x, y in zip(p0, p1, strict=True)]
    return color_duals(mixed[0], mixed[1], mixed[2], mixed[3], argb_text=False)


@register("ColorMix1", 3, 3)
def color_mix1(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """ColorMix1(value, ColorZero, ColorOne): linear blend, value 0..1."""
    return _mix(numbers(args[0]), numbers(args[1]), numbers(args[2]))


@register("ColorMix2", 3, 4)
def color_mix2(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """ColorMix2(value, ColorMinusOne, ColorOne[, ColorZero]): value -1..1; without
    ColorZero the midpoint is the blend of the two ends."""
    v = np.clip(numbers(args[0]), -1, 1)
    c_neg, c_pos = numbers(args[1]), numbers(args[2])
    c_zero = numbers(args[3]) if len(args) > 3 else _mix(np.full(n, 0.5), c_neg, c_pos).num
    low = _mix(v + 1, c_neg, c_zero)
    high = _mix(v, c_zero, c_pos)
    pos = v >= 0
    return Duals(
        np.where(pos, high.num, low.num), np.where(pos, high.text, low.text).astype(object)
    )


NAMED_COLORS: dict[str, tuple[int, int, int]] = {
    "Black": (0, 0, 0),
    "Blue": (0, 0, 128),
    "Brown": (128, 128, 0),
    "Cyan": (0, 128, 128),
    "DarkGray": (128, 128, 128),
    "Green": (0, 128, 0),
    "LightBlue": (0, 0, 255),
    "LightCyan": (0, 255, 255),
    "LightGray": (192, 192, 192),
    "LightGreen": (0, 255, 0),
    "LightMagenta": (255, 0, 255),
    "LightRed": (255, 0, 0),
    "Magenta": (128, 0, 128),
    "Red": (128, 0, 0),
    "White": (255, 255, 255),
    "Yellow": (255, 255, 0),
}


def _named(rgb_value: tuple[int, int, int]) -> object:
    def impl(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
        r, g, b = (np.full(n, float(c)) for c in rgb_value)
        if args:
            return color_duals(numbers(args[0]), r, g, b, argb_text=True)
        return color_duals(np.full(n, 255.0), r, g, b, argb_text=False)

    return impl


for _name, _value in NAMED_COLORS.items():
    register(_name, 0, 1)(_named(_value))  # type: ignore[arg-type]

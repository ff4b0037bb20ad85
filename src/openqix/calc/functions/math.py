"""Numeric functions. Arguments use their numbers (a numeric text counts as its number); a
NULL or non-numeric argument, and any undefined result (Sqrt(-1), Log(0), x/0), give NULL.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from openqix.calc.functions._common import FALSE, TRUE, numbers
from openqix.calc.functions.registry import FunctionContext, register
from openqix.calc.values import BoolArray, Duals, FloatArray

# Tolerance for the step functions: 3.88/0.1 is 38.800000000000004 in binary.
_EPS = 1e-12


def clean(x: FloatArray) -> Duals:
    """A numeric result: infinities become NULL."""
    x = np.asarray(x, dtype=np.float64)
    if not np.isfinite(x).all():
        x = np.where(np.isfinite(x), x, np.nan)
    return Duals.of_numbers(x + 0.0)


def _unary(name: str, fn: Callable[[FloatArray], FloatArray]) -> None:
    def impl(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
        with np.errstate(all="ignore"):
            return clean(fn(numbers(args[0])))

    register(name, 1, 1)(impl)


def _binary(name: str, fn: Callable[[FloatArray, FloatArray], FloatArray]) -> None:
    def impl(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
        with np.errstate(all="ignore"):
            return clean(fn(numbers(args[0]), numbers(args[1])))

    register(name, 2, 2)(impl)


def _step_args(args: Sequence[Duals], n: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    x = numbers(args[0])
    step = numbers(args[1]) if len(args) > 1 else np.ones(n)
    offset = numbers(args[2]) if len(args) > 2 else np.zeros(n)
    step = np.where(step == 0, np.nan, np.abs(step))
    return x, step, offset


def _snap(q: FloatArray) -> FloatArray:
    """Quotients within a tiny tolerance of an integer are that integer."""
    r = np.round(q)
    return np.where(np.abs(q - r) <= _EPS * np.maximum(1.0, np.abs(q)), r, q)


def _tidy(result: FloatArray, step: FloatArray) -> FloatArray:
    """Round away binary noise of a multiple of `step` (3*0.1 → 0.3)."""
    with np.errstate(all="ignore"):
        decimals = np.clip(np.ceil(-np.log10(step)) + 2, 0, 15)
    decimals = np.where(np.isfinite(decimals), decimals, 0)
    out = result.copy()
    for d in np.unique(decimals).tolist():
        m = decimals == d
        out[m] = np.round(result[m], int(d) + 10 if d > 0 else 0)
    return out


@register("Round", 1, 3)
def round_(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """Round(x[, step[, offset]]): nearest multiple of step (+offset); halves round up."""
    x, step, offset = _step_args(args, n)
    with np.errstate(all="ignore"):
        q = _snap((x - offset) / step + 0.5)
        return clean(_tidy(np.floor(q) * step + offset, step))


@register("Floor", 1, 3)
def floor(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    x, step, offset = _step_args(args, n)
    with np.errstate(all="ignore"):
        q = _snap((x - offset) / step)
        return clean(_tidy(np.floor(q) * step + offset, step))


@register("Ceil", 1, 3)
def ceil(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    x, step, offset = _step_args(args, n)
    with np.errstate(all="ignore"):
        q = _snap((x - offset) / step)
        return clean(_tidy(np.ceil(q) * step + offset, step))


_unary("Fabs", np.abs)
_unary("Sqrt", lambda x: np.where(x >= 0, np.sqrt(np.maximum(x, 0)), np.nan))
_unary("Exp", np.exp)
_unary("Log", lambda x: np.where(x > 0, np.log(np.where(x > 0, x, 1)), np.nan))
_unary("Log10", lambda x: np.where(x > 0, np.log10(np.where(x > 0, x, 1)), np.nan))
_unary("Sign", np.sign)
_unary("Frac", lambda x: x - np.trunc(x))
_unary("Sin", np.sin)
_unary("Cos", np.cos)
_unary("Tan", np.tan)
_unary("ASin", lambda x: np.where(np.abs(x) <= 1, np.arcsin(np.clip(x, -1, 1)), np.nan))
_unary("ACos", lambda x: np.where(np.abs(x) <= 1, np.arccos(np.clip(x, -1, 1)), np.nan))
_unary("ATan", np.arctan)
_unary("Sinh", np.sinh)
_unary("Cosh", np.cosh)
_unary("Tanh", np.tanh)
_binary("ATan2", np.arctan2)
_binary("Pow", lambda a, b: np.power(a, b))
_binary("Fmod", lambda a, b: np.where(b != 0, np.fmod(a, np.where(b != 0, b, 1)), np.nan))
_binary("Div", lambda a, b: np.where(b != 0, np.trunc(a / np.where(b != 0, b, 1)), np.nan))


def _is_int(x: FloatArray) -> BoolArray:
    return np.asarray(np.isfinite(x) & (x == np.trunc(x)), dtype=bool)


_binary(
    "Mod",
    lambda a, b: np.where(
        _is_int(a) & _is_int(b) & (b > 0), np.mod(a, np.where(b > 0, b, 1)), np.nan
    ),
)
_unary("Even", lambda x: np.where(_is_int(x), np.where(np.mod(x, 2) == 0, TRUE, FALSE), np.nan))
_unary("Odd", lambda x: np.where(_is_int(x), np.where(np.mod(x, 2) == 1, TRUE, FALSE), np.nan))


def _fact(x: FloatArray) -> FloatArray:
    ok = _is_int(x) & (x >= 0) & (x <= 170)
    table = np.array([math.factorial(i) for i in range(171)], dtype=np.float64)
    return np.where(ok, table[np.where(ok, x, 0).astype(np.int64)], np.nan)


_unary("Fact", _fact)


def _combin(a: FloatArray, b: FloatArray) -> FloatArray:
    ok = _is_int(a) & _is_int(b) & (b >= 0) & (a >= b) & (a <= 170)
    fa = _fact(np.where(ok, a, 0))
    return np.where(
        ok, np.round(fa / (_fact(np.where(ok, b, 0)) * _fact(np.where(ok, a - b, 0)))), np.nan
    )


def _permut(a: FloatArray, b: FloatArray) -> FloatArray:
    ok = _is_int(a) & _is_int(b) & (b >= 0) & (a >= b) & (a <= 170)
    return np.where(ok, np.round(_fact(np.where(ok, a, 0)) / _fact(np.where(ok, a - b, 0))), np.nan)


_binary("Combin", _combin)
_binary("Permut", _permut)


def _bitcount(x: FloatArray) -> FloatArray:
    ok = np.isfinite(x)
    v = np.where(ok, np.trunc(x), 0).astype(np.int64).astype(np.uint64)
    out = np.zeros(x.shape[0], dtype=np.float64)
    for shift in range(64):
        out += ((v >> np.uint64(shift)) & np.uint64(1)).astype(np.float64)
    return np.where(ok, out, np.nan)


_unary("BitCount", _bitcount)


@register("Pi", 0, 0)
def pi(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return Duals.of_numbers(np.full(n, math.pi))


@register("e", 0, 0)
def e_(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return Duals.of_numbers(np.full(n, math.e))


_rng = np.random.default_rng()


@register("Rand", 0, 0)
def rand(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return Duals.of_numbers(_rng.random(n))

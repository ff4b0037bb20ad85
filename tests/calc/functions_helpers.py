"""Helpers for the scalar function tests: call a registered function on plain values."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from openqix.calc.format import FormatSettings
from openqix.calc.functions import FunctionContext, lookup
from openqix.calc.values import Dual, Duals

CTX = FunctionContext(now=46000.5)

Value = str | int | float | None | Dual


def column(values: Sequence[Value]) -> Duals:
    parts = [Duals.of_value(v, 1) for v in values]
    return Duals.concat(parts) if parts else Duals.null(0)


def call(name: str, *args: Value, formats: FormatSettings | None = None) -> Dual:
    """One row: the function applied to scalar arguments."""
    fn = lookup(name)
    assert fn is not None, name
    ctx = CTX if formats is None else FunctionContext(formats=formats, now=CTX.now)
    out = fn.impl(ctx, [Duals.of_value(a, 1) for a in args], 1)
    assert len(out) == 1
    return out.item(0)


def callv(name: str, *columns: Sequence[Value], formats: FormatSettings | None = None) -> Duals:
    """Vectorised: each argument a column of equal length."""
    fn = lookup(name)
    assert fn is not None, name
    n = len(columns[0]) if columns else 1
    ctx = CTX if formats is None else FunctionContext(formats=formats, now=CTX.now)
    out = fn.impl(ctx, [column(c) for c in columns], n)
    assert len(out) == n
    return out


def text(name: str, *args: Value, formats: FormatSettings | None = None) -> str | None:
    return call(name, *args, formats=formats).text


def num(name: str, *args: Value, formats: FormatSettings | None = None) -> float | None:
    value = call(name, *args, formats=formats).num
    return None if np.isnan(value) else value

"""The table of scalar functions shared by chart expressions and the load script.

Contract (docs in /work/shared contracts; keep stable):

- `FunctionContext(formats, now)`: `formats` is `openqix.calc.format.FormatSettings` (built with
  `FormatSettings.from_variables(vars)`, defaults = Qlik's en-US script header), `now` the Qlik
  serial date-time (days since 1899-12-30) fixed for one evaluation.
- `ScalarImpl = impl(ctx, args, n) -> Duals`: the arguments already evaluated, each of length n;
  returns n values. Vectorised over the arrays of `Duals`.
- `ScalarFunction(name, min_args, max_args, impl)`; `max_args` None = variadic.
- `lookup(name)` is case-insensitive and answers None for an unknown function (the evaluator
  reports it with its position).
- `register(name, min_args, max_args)` decorates an impl and adds it to the table.

The families live in sibling modules (strings, math, conditional, dates, formatting, ranges,
colors); importing `openqix.calc.functions` registers all of them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from openqix.calc.format import DEFAULT_FORMATS, FormatSettings
from openqix.calc.values import Duals

__all__ = [
    "FormatSettings",
    "FunctionContext",
    "ScalarFunction",
    "ScalarImpl",
    "all_functions",
    "lookup",
    "register",
]


def serial_now() -> float:
    """The current local date-time as a Qlik serial number."""
    delta = datetime.datetime.now() - datetime.datetime(1899, 12, 30)
    return delta.total_seconds() / 86400.0


@dataclass(frozen=True)
class FunctionContext:
    formats: FormatSettings = DEFAULT_FORMATS
    now: float = field(default_factory=serial_now)


ScalarImpl = Callable[[FunctionContext, Sequence[Duals], int], Duals]


@dataclass(frozen=True)
class ScalarFunction:
    name: str  # canonical spelling, e.g. "SubField"
    min_args: int
    max_args: int | None  # None = variadic
    impl: ScalarImpl


_TABLE: dict[str, ScalarFunction] = {}


def register(
    name: str, min_args: int, max_args: int | None, *aliases: str
) -> Callable[[ScalarImpl], ScalarImpl]:
    """Decorator: add `impl` to the table as `name` (and `aliases`), case-insensitively."""

    def deco(impl: ScalarImpl) -> ScalarImpl:
        fn = ScalarFunction(name, min_args, max_args, impl)
        for key in (name, *aliases):
            _TABLE[key.lower()] = fn
        return impl

    return deco


def lookup(name: str) -> ScalarFunction | None:
    """The function called `name` (any case), or None when there is none."""
    _ensure_loaded()
    return _TABLE.get(name.lower())


def all_functions() -> list[ScalarFunction]:
    """Every registered function once, by canonical name."""
    _ensure_loaded()
    seen: dict[str, ScalarFunction] = {}
    for fn in _TABLE.values():
        seen.setdefault(fn.name, fn)
    return sorted(seen.values(), key=lambda f: f.name.lower())


_loaded = False


def _ensure_loaded() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        import openqix.calc.functions  # noqa: F401  (registers every family)

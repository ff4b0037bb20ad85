"""Vectorised evaluation of expression nodes over n rows, with Qlik's operator semantics.

- `evaluate_rows(expr, env)`: a scalar expression per row of `env` (script LOAD fields, WHERE,
  conditions). An aggregation inside it is an error here.
- `evaluate_grouped(expr, env, group_index, n_groups)`: one value per group (script GROUP BY):
  aggregations run over the rows of each group, fields outside them take the group's value.

`Evaluator` holds the operator semantics; chart evaluation (calc/chart.py) subclasses it and
overrides how fields and aggregations are resolved. Semantics (resolved Q3): arithmetic on
numbers (numeric texts read as numbers), NULL when an operand has none, x/0 NULL; `&` joins
texts with NULL as empty; relational operators compare numbers when both sides have one,
else texts (case-sensitive); `A <> NULL` true, other comparisons with NULL false, NULL with
NULL NULL; logical operators return -1/0 with NULL false; bit operators on int32.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from openqix.calc.aggregate import AGGREGATION_NAMES, aggregate_values
from openqix.calc.errors import CalcError
from openqix.calc.functions._common import booleans, display_objects, numbers
from openqix.calc.functions.registry import FunctionContext, ScalarFunction, lookup
from openqix.calc.values import BoolArray, Duals, FloatArray, ObjectArray, none_mask
from openqix.lang.expression import (
    BinOp,
    Call,
    Expr,
    FieldRef,
    Number,
    Star,
    String,
    UnaryOp,
    parse_expression,
)

IntArray = npt.NDArray[np.int64]
TRUE, FALSE = -1.0, 0.0
_ARITHMETIC = frozenset({"+", "-", "*", "/"})
_RELATIONAL = frozenset({"=", "<>", "<", "<=", ">", ">="})
_BITS = frozenset({"bitand", "bitor", "bitxor", "<<", ">>"})


class ExpressionError(CalcError):
    """An expression that parses but cannot be evaluated (unknown function or field, nested
    aggregation, wrong argument count); `parameter` names the culprit."""

    def __init__(self, parameter: str, message: str, offset: int = -1) -> None:
        super().__init__(parameter, message)
        self.offset = offset


class RowEnv(Protocol):
    """What row evaluation needs from its caller (contracts.md)."""

    @property
    def n(self) -> int: ...

    @property
    def context(self) -> FunctionContext: ...

    def field(self, name: str) -> Duals: ...

    def variable(self, name: str) -> str | None: ...

    def function(self, name: str) -> ScalarFunction | None: ...


@dataclass
class TableEnv:
    """A simple RowEnv over named Duals columns (tests, inline data, the script)."""

    columns: Mapping[str, Duals]
    n: int
    variables: Mapping[str, str] = field(default_factory=dict)
    functions: Mapping[str, ScalarFunction] = field(default_factory=dict)
    context: FunctionContext = field(default_factory=FunctionContext)

    def field(self, name: str) -> Duals:
        if name not in self.columns:
            raise ExpressionError(name, f"Field not found: {name}")
        return self.columns[name]

    def variable(self, name: str) -> str | None:
        return self.variables.get(name)

    def function(self, name: str) -> ScalarFunction | None:
        return self.functions.get(name.lower())


class Evaluator:
    """Evaluates nodes to `Duals` of length `n`; subclasses resolve fields and aggregations."""

    def __init__(self, n: int, context: FunctionContext) -> None:
        self.n = n
        self.context = context

    # -- hooks -------------------------------------------------------------------------------
    def field(self, node: FieldRef) -> Duals:
        raise ExpressionError(node.name, f"Field not found: {node.name}", node.pos)

    def field_numbers(self, node: FieldRef) -> FloatArray:
        return numbers(self.field(node))

    def aggregation(self, node: Call) -> Duals:
        raise ExpressionError(node.name, f"Aggregation {node.name}() is not allowed here", node.pos)

    def extra_function(self, node: Call) -> ScalarFunction | None:
        return None

    def special(self, node: Call) -> Duals | None:
        """Calls the subclass evaluates itself (chart inter-record functions); None = no."""
        return None

    # -- dispatch ----------------------------------------------------------------------------
    def eval(self, expr: Expr) -> Duals:
        if isinstance(expr, Number):
            return Duals.of_numbers(np.full(self.n, expr.value))
        if isinstance(expr, String):
            return Duals.of_value(expr.value, self.n)
        if isinstance(expr, FieldRef):
            return self.field(expr)
        if isinstance(expr, BinOp):
            return self.binary(expr)
        if isinstance(expr, UnaryOp):
            return self.unary(expr)
        if isinstance(expr, Call):
            return self.call(expr)
        if isinstance(expr, Star):
            raise ExpressionError("*", "'*' is only allowed in Count(*)", expr.pos)
        raise ExpressionError(type(expr).__name__, "Unsupported expression node")

    def eval_numbers(self, expr: Expr) -> FloatArray:
        """Only the numbers of `expr` (no texts built): the fast path of arithmetic."""
        if isinstance(expr, Number):
            return np.full(self.n, expr.value)
        if isinstance(expr, FieldRef):
            return self.field_numbers(expr)
        if isinstance(expr, BinOp) and expr.op in _ARITHMETIC:
            return arithmetic(expr.op, self.eval_numbers(expr.left), self.eval_numbers(expr.right))
        if isinstance(expr, UnaryOp) and expr.op in ("-", "+"):
            value = self.eval_numbers(expr.operand)
            return -value if expr.op == "-" else value
        return numbers(self.eval(expr))

    def binary(self, node: BinOp) -> Duals:
        op = node.op
        if op in _ARITHMETIC:
            return Duals.of_numbers(self.eval_numbers(node))
        left, right = self.eval(node.left), self.eval(node.right)
        if op == "&":
            return concat_texts(left, right)
        if op in _RELATIONAL:
            return compare(op, left, right)
        if op in ("and", "or", "xor"):
            a, b = booleans(left), booleans(right)
            mask = a & b if op == "and" else (a | b if op == "or" else a ^ b)
            return bool_duals(mask)
        if op in _BITS:
            return bit_op(op, numbers(left), numbers(right))
        if op == "like":
            return like(left, right)
        if op in ("precedes", "follows"):
            first, second = _texts_or_empty(left), _texts_or_empty(right)
            return bool_duals(_relational("<" if op == "precedes" else ">", first, second))
        raise ExpressionError(op, f"Unknown operator: {op}", node.pos)

    def unary(self, node: UnaryOp) -> Duals:
        if node.op in ("-", "+"):
            return Duals.of_numbers(self.eval_numbers(node))
        value = self.eval(node.operand)
        if node.op == "not":
            return bool_duals(~booleans(value))
        num = numbers(value)
        out = np.full(self.n, np.nan)
        ok = ~np.isnan(num)
        out[ok] = ~_int32(num[ok])
        return Duals.of_numbers(out)

    def call(self, node: Call) -> Duals:
        special = self.special(node)
        if special is not None:
            return special
        function = self.extra_function(node)
        if function is None and node.upper in AGGREGATION_NAMES:
            return self.aggregation(node)
        if function is None:
            function = lookup(node.name)
        if function is None:
            raise ExpressionError(node.name, f"Unknown function: {node.name}", node.pos)
        if node.set_expr is not None or node.total or node.distinct is not None:
            raise ExpressionError(
                node.name, f"{node.name}() takes no set, DISTINCT or TOTAL", node.pos
            )
        check_arity(node, function.min_args, function.max_args)
        args = [self.eval(a) for a in node.args]
        result = function.impl(self.context, args, self.n)
        return result


_NO_TEXT = np.array(None, dtype=object)


def numbers_only(num: FloatArray) -> Duals:
    """Numbers as duals without building a text array: the texts are a read-only view of one
    None (aggregation inputs on long tables; never written to)."""
    return Duals(num, np.broadcast_to(_NO_TEXT, num.shape))


def check_arity(node: Call, low: int, high: int | None) -> None:
    count = len(node.args)
    if count < low or (high is not None and count > high):
        expected = f"{low}" if high == low else f"{low} to {high if high is not None else 'n'}"
        raise ExpressionError(
            node.name,
            f"Wrong number of arguments to {node.name}(): {count}, expected {expected}",
            node.pos,
        )


# -- operator kernels ---------------------------------------------------------------------------


def arithmetic(op: str, a: FloatArray, b: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        out = a / b
    out[~np.isfinite(out)] = np.nan
    return out


def bool_duals(mask: BoolArray) -> Duals:
    return Duals.of_numbers(np.where(mask, TRUE, FALSE))


def _texts_or_empty(d: Duals) -> ObjectArray:
    texts = display_objects(d)
    return np.where(none_mask(texts), "", texts).astype(object)


def concat_texts(left: Duals, right: Duals) -> Duals:
    """`&`: the texts joined, NULL read as empty text."""
    a, b = _texts_or_empty(left), _texts_or_empty(right)
    return Duals.of_texts(np.asarray(a + b, dtype=object))


def compare(op: str, left: Duals, right: Duals) -> Duals:
    """Numbers when both sides have one, else texts (case-sensitive, by code point)."""
    ln, rn = numbers(left), numbers(right)
    lnull, rnull = left.is_null, right.is_null
    numeric = ~np.isnan(ln) & ~np.isnan(rn)
    with np.errstate(invalid="ignore"):
        num_result = _relational(op, ln, rn)
    result = np.zeros(len(ln), dtype=bool)
    result[numeric] = num_result[numeric]
    textual = ~numeric & ~lnull & ~rnull
    if textual.any():
        a = _texts_or_empty(Duals(left.num[textual], left.text[textual]))
        b = _texts_or_empty(Duals(right.num[textual], right.text[textual]))
        result[textual] = np.asarray(_relational(op, a, b), dtype=bool)
    one_null = lnull ^ rnull
    result[one_null] = op == "<>"
    out = np.where(result, TRUE, FALSE)
    out[lnull & rnull] = np.nan
    return Duals.of_numbers(out)


def _relational(op: str, a: npt.NDArray[np.generic], b: npt.NDArray[np.generic]) -> BoolArray:
    table: dict[str, Callable[[npt.NDArray[np.generic], npt.NDArray[np.generic]], BoolArray]] = {
        "=": np.equal,
        "<>": np.not_equal,
        "<": np.less,
        "<=": np.less_equal,
        ">": np.greater,
        ">=": np.greater_equal,
    }
    return np.asarray(table[op](a, b), dtype=bool)


def _int32(values: FloatArray) -> npt.NDArray[np.int64]:
    """Truncate to a 32-bit signed integer (wrapping), kept in int64."""
    ints = np.trunc(values).astype(np.int64) & 0xFFFFFFFF
    return np.where(ints >= 1 << 31, ints - (1 << 32), ints)


def bit_op(op: str, a: FloatArray, b: FloatArray) -> Duals:
    ok = ~np.isnan(a) & ~np.isnan(b)
    out = np.full(len(a), np.nan)
    x, y = _int32(a[ok]), _int32(b[ok])
    if op == "bitand":
        r = x & y
    elif op == "bitor":
        r = x | y
    elif op == "bitxor":
        r = x ^ y
    elif op == "<<":
        r = _int32((x << np.clip(y, 0, 63)).astype(np.float64))
    else:
        r = x >> np.clip(y, 0, 63)
    out[ok] = r
    return Duals.of_numbers(out)


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    parts = ("." if c == "?" else ".*" if c == "*" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def like(left: Duals, right: Duals) -> Duals:
    """`like`: case-insensitive match with `*` and `?`, once per distinct pattern."""
    texts, patterns = display_objects(left), display_objects(right)
    out = np.zeros(len(texts), dtype=bool)
    valid = ~none_mask(texts) & ~none_mask(patterns)
    for pattern in set(patterns[valid].tolist()):
        regex = wildcard_regex(str(pattern))
        rows = np.flatnonzero(valid & (patterns == pattern))
        out[rows] = [regex.fullmatch(str(t)) is not None for t in texts[rows].tolist()]
    return bool_duals(out)


# -- row and grouped evaluation --------------------------------------------------------------


class RowEvaluator(Evaluator):
    """Evaluation over the rows of a RowEnv; a field unknown to it may be a variable."""

    def __init__(self, env: RowEnv) -> None:
        super().__init__(env.n, env.context)
        self.env = env

    def field(self, node: FieldRef) -> Duals:
        try:
            return self.env.field(node.name)
        except CalcError:
            text = self.env.variable(node.name)
            if text is None:
                raise
            return (
                self.eval(parse_expression(text)) if text.startswith("=") else _value(text, self.n)
            )

    def extra_function(self, node: Call) -> ScalarFunction | None:
        return self.env.function(node.name)


def _value(text: str, n: int) -> Duals:
    """A variable's text used as a value: a number when it reads as one."""
    try:
        return Duals(np.full(n, float(text)), np.full(n, text, dtype=object))
    except ValueError:
        return Duals.of_value(text, n)


def evaluate_rows(expr: Expr, env: RowEnv) -> Duals:
    """`expr` per row of `env` (see the module docstring)."""
    return RowEvaluator(env).eval(expr)


class GroupedEvaluator(Evaluator):
    """One value per group; aggregations run over the rows of `env` grouped by `groups`."""

    def __init__(self, env: RowEnv, groups: IntArray, n_groups: int) -> None:
        super().__init__(n_groups, env.context)
        self.rows = RowEvaluator(env)
        self.groups = groups
        self.first = np.full(n_groups, -1, dtype=np.int64)
        order = np.arange(len(groups), dtype=np.int64)[::-1]
        self.first[groups[::-1]] = order

    def field(self, node: FieldRef) -> Duals:
        values = self.rows.field(node)
        return values.take(np.maximum(self.first, 0)) if len(values) else Duals.null(self.n)

    def extra_function(self, node: Call) -> ScalarFunction | None:
        return self.rows.extra_function(node)

    def aggregation(self, node: Call) -> Duals:
        if node.set_expr is not None or node.total:
            raise ExpressionError(node.name, "Set expressions and TOTAL need a chart", node.pos)
        if node.upper == "AGGR":
            raise ExpressionError(node.name, "Aggr() needs a chart", node.pos)
        return aggregate_call(node, self.rows, self.groups, self.n)


def aggregate_call(
    node: Call, rows: Evaluator, groups: IntArray, n_groups: int, codes: IntArray | None = None
) -> Duals:
    """Evaluate an aggregation's arguments over `rows` and aggregate them by `groups`."""
    _no_nested(node)
    args = list(node.args)
    if node.upper == "COUNT" and args and isinstance(args[0], Star):
        values = numbers_only(np.zeros(rows.n))
    else:
        if not args:
            raise ExpressionError(node.name, f"{node.name}() needs an argument", node.pos)
        values = _first_argument(node, rows)
    extra = [rows.eval(a) for a in args[1:]]
    return aggregate_values(
        node.upper, values, extra, groups, n_groups, bool(node.distinct), codes, node.name
    )


def _first_argument(node: Call, rows: Evaluator) -> Duals:
    if node.upper in ("SUM", "AVG", "STDEV", "STERR", "SKEW", "KURTOSIS", "MEDIAN", "FRACTILE"):
        return numbers_only(rows.eval_numbers(node.args[0]))
    return rows.eval(node.args[0])


def _no_nested(node: Call) -> None:
    stack = list(node.args)
    while stack:
        inner = stack.pop()
        if isinstance(inner, Call):
            if inner.upper in AGGREGATION_NAMES and inner.upper != "AGGR":
                raise ExpressionError(
                    inner.name,
                    f"Nested aggregation not allowed: {inner.name}() inside {node.name}()",
                    inner.pos,
                )
            if inner.upper == "AGGR":
                continue
            stack.extend(inner.args)
        elif isinstance(inner, BinOp):
            stack.extend((inner.left, inner.right))
        elif isinstance(inner, UnaryOp):
            stack.append(inner.operand)


def evaluate_grouped(expr: Expr, env: RowEnv, group_index: IntArray, n_groups: int) -> Duals:
    """`expr` once per group of `env`'s rows (`group_index[i]` in 0..n_groups-1)."""
    groups = np.asarray(group_index, dtype=np.int64)
    return GroupedEvaluator(env, groups, n_groups).eval(expr)


def contains_aggregation(expr: Expr) -> bool:
    """Whether `expr` calls an aggregation function (or Aggr) anywhere."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Call):
            if node.upper in AGGREGATION_NAMES:
                return True
            stack.extend(node.args)
        elif isinstance(node, BinOp):
            stack.extend((node.left, node.right))
        elif isinstance(node, UnaryOp):
            stack.append(node.operand)
    return False

"""Conditional and NULL functions: If, Pick, Alt, Null, IsNull, IsNum, IsText, Coalesce,
EmptyIsNull, Class, True, False, Match, MixMatch, WildMatch.

The evaluator passes every argument already evaluated (no short-circuit), so If and Pick
choose per row between whole argument vectors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openqix.calc.format import format_number
from openqix.calc.functions._common import (
    FALSE,
    TRUE,
    bool_mask,
    bool_result,
    booleans,
    display_objects,
    int_arg,
    numbers,
    text_array,
)
from openqix.calc.functions.registry import FunctionContext, register
from openqix.calc.values import Duals, none_mask, where


@register("If", 2, 3)
def if_(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    otherwise = args[2] if len(args) > 2 else Duals.null(n)
    return where(booleans(args[0]), args[1], otherwise)


@register("Pick", 2, None)
def pick(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    k = int_arg(args[0])
    out = Duals.null(n)
    for i, choice in enumerate(args[1:], start=1):
        out = where(k == i, choice, out)
    return out


@register("Alt", 1, None)
def alt(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    out = args[-1]
    for choice in reversed(args[:-1]):
        out = where(choice.has_number, choice, out)
    return out


@register("Coalesce", 1, None)
def coalesce(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    out = args[-1]
    for choice in reversed(args[:-1]):
        out = where(~choice.is_null, choice, out)
    return out


@register("Null", 0, 0)
def null(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return Duals.null(n)


@register("True", 0, 0)
def true(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return Duals.of_numbers(np.full(n, TRUE))


@register("False", 0, 0)
def false(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return Duals.of_numbers(np.full(n, FALSE))


@register("IsNull", 1, 1)
def is_null(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return bool_result(args[0].is_null)


@register("IsNum", 1, 1)
def is_num(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return bool_result(~np.isnan(numbers(args[0])))


@register("IsText", 1, 1)
def is_text(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return bool_result(args[0].has_text & np.isnan(numbers(args[0])))


@register("EmptyIsNull", 1, 1)
def empty_is_null(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    d = args[0]
    empty = np.asarray(d.text == "", dtype=bool) & np.isnan(d.num)
    return where(empty, Duals.null(n), d)


@register("Class", 2, 4)
def class_(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    """`Class(x, width[, label[, offset]])`: dual text `20<=x<30`, number the lower bound."""
    x = numbers(args[0])
    width = numbers(args[1])
    label = display_objects(args[2]) if len(args) > 2 else np.full(n, "x", dtype=object)
    offset = numbers(args[3]) if len(args) > 3 else np.zeros(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.floor((x - offset) / width) * width + offset
    low[~np.isfinite(low)] = np.nan
    out_text = np.full(n, None, dtype=object)
    for i in np.flatnonzero(~np.isnan(low)).tolist():
        lab = label[i] if label[i] is not None else "x"
        lo, hi = format_number(low[i]), format_number(low[i] + width[i])
        out_text[i] = f"{lo}<={lab}<{hi}" if lab == "x" else f"{lo}<= {lab} <{hi}"
    return Duals(low, out_text)


# -- Match family ------------------------------------------------------------------------------


def _match(args: Sequence[Duals], n: int, mode: str) -> Duals:
    subject = text_array(args[0])
    if mode != "exact":
        subject = pc.utf8_lower(subject)
    result = np.zeros(n)
    undecided = np.ones(n, dtype=bool)
    for k, cand in enumerate(args[1:], start=1):
        cand_texts = text_array(cand)
        if mode == "wild":
            hit = _wild_hits(subject, cand_texts)
        else:
            if mode != "exact":
                cand_texts = pc.utf8_lower(cand_texts)
            hit = bool_mask(pc.equal(subject, cand_texts))
        take = hit & undecided
        result[take] = k
        undecided &= ~take
    # a NULL subject matches nothing
    return Duals.of_numbers(np.where(args[0].is_null, 0.0, result))


def wildcard_regex(pattern: str) -> str:
    """A Qlik wildcard (`*` any run, `?` one character) as an anchored regex."""
    parts = []
    for ch in pattern:
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(".")
        else:
            parts.append(re.escape(ch))
    return "^" + "".join(parts) + "$"


def _wild_hits(subject_lower: pa.Array, patterns: pa.Array) -> np.ndarray:
    """Rows where the (lower-cased) subject matches its row's wildcard pattern."""
    out = np.zeros(len(subject_lower), dtype=bool)
    pats = pc.utf8_lower(patterns)
    enc = pc.dictionary_encode(pats)
    idx = np.asarray(enc.indices.fill_null(-1).to_numpy(zero_copy_only=False))
    for j, pat in enumerate(enc.dictionary.to_pylist()):
        rows = np.flatnonzero(idx == j)
        if rows.size == 0:
            continue
        sub = subject_lower.take(pa.array(rows))
        hit = bool_mask(pc.match_substring_regex(sub, wildcard_regex(pat)))
        out[rows[hit]] = True
    return out


@register("Match", 2, None)
def match(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return _match(args, n, "exact")


@register("MixMatch", 2, None)
def mix_match(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return _match(args, n, "mixed")


@register("WildMatch", 2, None)
def wild_match(ctx: FunctionContext, args: Sequence[Duals], n: int) -> Duals:
    return _match(args, n, "wild")


_ = none_mask  # re-exported for families that import from here

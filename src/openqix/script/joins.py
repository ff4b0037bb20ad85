"""Natural joins and keeps of two frames on their common field names, vectorised: the key
columns of both sides are encoded together into integer codes, the right side is sorted by
code once, and every left row is matched to its range of right rows with `np.repeat`.
"""

from __future__ import annotations

import numpy as np

from openqix.calc.values import Duals
from openqix.script.tables import Frame, IntArray, concat_duals, row_codes, take_or_null


def _codes(left: Frame, right: Frame, keys: list[str]) -> tuple[IntArray, IntArray, int]:
    both = [concat_duals([left.columns[k], right.columns[k]]) for k in keys]
    codes, k = row_codes(both, left.n + right.n)
    return codes[: left.n], codes[left.n :], k


def match_pairs(lc: IntArray, rc: IntArray, k: int) -> tuple[IntArray, IntArray]:
    """All (left row, right row) pairs with equal codes, in left order then right order."""
    order = np.argsort(rc, kind="stable")
    counts = np.bincount(rc, minlength=k)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    per_left = counts[lc]
    left_idx = np.repeat(np.arange(len(lc), dtype=np.int64), per_left)
    total = int(per_left.sum())
    if total == 0:
        return left_idx, np.empty(0, dtype=np.int64)
    run_start = np.repeat(np.cumsum(per_left) - per_left, per_left)
    within = np.arange(total, dtype=np.int64) - run_start
    right_idx = order[np.repeat(starts[lc], per_left) + within]
    return left_idx, right_idx


def join(left: Frame, right: Frame, how: str) -> Frame:
    """`how` in outer / left / right / inner; no common field = a cartesian product."""
    keys = [name for name in left.names if name in right.columns]
    if keys:
        lc, rc, k = _codes(left, right, keys)
    else:
        lc = np.zeros(left.n, dtype=np.int64)
        rc = np.zeros(right.n, dtype=np.int64)
        k = 1
    li, ri = match_pairs(lc, rc, k)
    if how in ("left", "outer"):
        matched = np.zeros(left.n, dtype=bool)
        matched[li] = True
        alone = np.flatnonzero(~matched)
        li = np.concatenate([li, alone])
        ri = np.concatenate([ri, np.full(len(alone), -1, dtype=np.int64)])
        order = np.argsort(li, kind="stable")
        li, ri = li[order], ri[order]
    if how in ("right", "outer"):
        matched = np.zeros(right.n, dtype=bool)
        matched[ri[ri >= 0]] = True
        alone = np.flatnonzero(~matched)
        li = np.concatenate([li, np.full(len(alone), -1, dtype=np.int64)])
        ri = np.concatenate([ri, alone])
    names = list(left.names) + [n for n in right.names if n not in left.columns]
    columns: dict[str, Duals] = {}
    for name in names:
        if name in keys:
            from_left = take_or_null(left.columns[name], li)
            from_right = take_or_null(right.columns[name], ri)
            use_right = li < 0
            columns[name] = Duals(
                np.where(use_right, from_right.num, from_left.num),
                np.where(use_right, from_right.text, from_left.text).astype(object),
            )
        elif name in left.columns:
            columns[name] = take_or_null(left.columns[name], li)
        else:
            columns[name] = take_or_null(right.columns[name], ri)
    return Frame(names, columns, len(li))


def keep_masks(left: Frame, right: Frame) -> tuple[IntArray, IntArray]:
    """Per side, the rows whose key combination exists on the other side."""
    keys = [name for name in left.names if name in right.columns]
    if not keys:
        return np.arange(left.n, dtype=np.int64), np.arange(right.n, dtype=np.int64)
    lc, rc, k = _codes(left, right, keys)
    in_left = np.zeros(k, dtype=bool)
    in_left[lc] = True
    in_right = np.zeros(k, dtype=bool)
    in_right[rc] = True
    return np.flatnonzero(in_right[lc]), np.flatnonzero(in_left[rc])

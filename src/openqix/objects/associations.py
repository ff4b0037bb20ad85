"""Associated row combinations of the tables holding a set of fields, and chart rows.

The possible rows of the tables on a shortest-path tree over the key graph are full-outer-
joined: a row without a partner keeps -1 (NULL) for the other side, which gives Qlik's NULL
dimension rows for orphans. A dimension key field pulls in every table holding it.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from openqix.calc import parallel
from openqix.calc.errors import DisconnectedFields, UnknownField
from openqix.engine.inference import Inference
from openqix.engine.model import DataModel

RowArray = npt.NDArray[np.int64]
IntArray = npt.NDArray[np.int64]
SymbolArray = npt.NDArray[np.int32]
_DENSE_LIMIT = 1 << 22  # key spaces up to this size are grouped with a bitmap
_KEY_LIMIT = 1 << 62


@dataclass(frozen=True)
class JoinStep:
    """Add `table` to the join, matched to `parent` on the fields they share."""

    table: str
    parent: str | None
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Associations:
    """The joined combinations: per table a row index, per needed field a symbol index.

    `rows[t][i]` is the row of table t in combination i (-1: no partner). `values[f]` is the
    symbol of field f (-1: NULL), taken from the first tree table that has one.
    `field_tables[f]` is the tree table whose records an aggregation of f counts.
    """

    size: int
    rows: dict[str, RowArray]
    values: dict[str, SymbolArray]
    field_tables: dict[str, str]


def plan_join(
    model: DataModel, fields: Sequence[str], complete: Collection[str] = ()
) -> list[JoinStep]:
    """A tree of tables covering `fields`; every table of a `complete` field is included.

    Greedy Steiner tree: grow from the table holding most fields along shortest paths.
    Key-graph edges that would close a loop are not used for joining.
    """
    targets = _targets(model, fields, complete)
    if not targets:
        return []
    root = max(model.tables, key=lambda t: sum(t in target for target in targets))
    steps = [JoinStep(root, None, ())]
    in_tree = {root}
    while pending := [tg for tg in targets if not tg & in_tree]:
        path = _shortest_path(model, in_tree, set().union(*pending))
        if path is None:
            names = sorted({f for f in fields if _tables(model, f).isdisjoint(in_tree)})
            raise DisconnectedFields(", ".join(names), "fields in tables that are not linked")
        for parent, table in itertools.pairwise(path):
            steps.append(JoinStep(table, parent, _shared(model, parent, table)))
            in_tree.add(table)
    return steps


def associate(
    model: DataModel,
    inference: Inference,
    fields: Sequence[str],
    complete: Collection[str] = (),
) -> Associations:
    """Join the possible rows of the tables linking `fields` (see the module docstring)."""
    steps = plan_join(model, fields, complete)
    rows: dict[str, RowArray] = {}
    size = 0
    for step in steps:
        own = np.flatnonzero(inference.possible_rows[step.table]).astype(np.int64)
        if step.parent is None:
            rows[step.table] = own
            size = len(own)
        else:
            rows, size = _outer_join(model, rows, size, step, own)
    order = [s.table for s in steps]
    field_tables = {f: next(t for t in order if f in model.tables[t].columns) for f in fields}
    values = {f: _coalesce(model, rows, order, f, size) for f in fields}
    return Associations(size, rows, values, field_tables)


def component(model: DataModel, table: str) -> set[str]:
    """Tables reachable from `table` over key fields."""
    seen = {table}
    queue = deque([table])
    while queue:
        for other in _adjacent(model, queue.popleft()):
            if other not in seen:
                seen.add(other)
                queue.append(other)
    return seen


def _tables(model: DataModel, field: str) -> set[str]:
    if field not in model.fields:
        raise UnknownField(field, f"field not found: {field}")
    return set(model.fields[field].tables)


def _targets(model: DataModel, fields: Sequence[str], complete: Collection[str]) -> list[set[str]]:
    """Sets of tables of which the tree must contain at least one each."""
    targets: list[set[str]] = []
    for name in fields:
        tables = _tables(model, name)
        targets.extend([{t} for t in sorted(tables)] if name in complete else [tables])
    return targets


def _adjacent(model: DataModel, table: str) -> Iterator[str]:
    for edge in model.neighbours(table):
        yield edge.right


def _shared(model: DataModel, left: str, right: str) -> tuple[str, ...]:
    other = set(model.tables[right].field_names)
    return tuple(f for f in model.tables[left].field_names if f in other)


def _shortest_path(model: DataModel, tree: set[str], goals: set[str]) -> list[str] | None:
    """Breadth-first from the whole tree to the nearest goal table; path starts in the tree."""
    parent: dict[str, str | None] = {t: None for t in sorted(tree)}
    queue = deque(parent)
    while queue:
        table = queue.popleft()
        if table in goals:
            path = [table]
            while (prev := parent[path[-1]]) is not None:
                path.append(prev)
            return path[::-1]
        for other in _adjacent(model, table):
            if other not in parent:
                parent[other] = table
                queue.append(other)
    return None


def _join_key(model: DataModel, table: str, rows: RowArray, keys: tuple[str, ...]) -> RowArray:
    """Composite key of `rows` of `table` over `keys` (mixed radix); -1 when any part is NULL."""
    key = np.zeros(len(rows), dtype=np.int64)
    missing = rows < 0
    for name in keys:
        symbol = gather(model.tables[table].columns[name], rows).astype(np.int64)
        missing = missing | (symbol < 0)
        key = key * max(model.fields[name].cardinal, 1) + symbol
    key[missing] = -1
    return key


def _key_space(model: DataModel, keys: tuple[str, ...]) -> int:
    space = 1
    for name in keys:
        space *= max(model.fields[name].cardinal, 1)
    return space


def _outer_join(
    model: DataModel, rows: dict[str, RowArray], size: int, step: JoinStep, own: RowArray
) -> tuple[dict[str, RowArray], int]:
    """Full outer join of the combinations so far with the possible rows of `step.table`."""
    assert step.parent is not None
    left = _join_key(model, step.parent, rows[step.parent], step.keys)
    right = _join_key(model, step.table, own, step.keys)
    source, partner, unmatched = full_outer_match(left, right, _key_space(model, step.keys))
    orphans = own[unmatched]
    padding = np.full(len(orphans), -1, dtype=np.int64)
    joined = {t: np.concatenate([r[source], padding]) for t, r in rows.items()}
    partner_rows = np.where(partner >= 0, own[np.maximum(partner, 0)], -1) if len(own) else partner
    joined[step.table] = np.concatenate([partner_rows, orphans])
    return joined, len(source) + len(orphans)


def full_outer_match(
    left: RowArray, right: RowArray, key_space: int | None = None
) -> tuple[RowArray, RowArray, RowArray]:
    """Match keys (-1 never matches): sort the right side, find each left key's range of
    partners, repeat the left positions by the range sizes.

    Returns per output pair the left position and the right position (-1: no partner),
    then the right positions no left key matched, in ascending key order.
    """
    order = np.argsort(right, kind="stable").astype(np.int64)
    lo, hi = _partner_ranges(left, right[order], key_space)
    counts = hi - lo
    repeats = np.maximum(counts, 1)
    source = np.repeat(np.arange(len(left), dtype=np.int64), repeats)
    within = np.arange(len(source), dtype=np.int64) - np.repeat(
        np.cumsum(repeats) - repeats, repeats
    )
    picked = np.minimum(lo[source] + within, max(len(right) - 1, 0))
    partner = np.where(counts[source] > 0, order[picked] if len(right) else -1, -1)
    matched = counts > 0
    edges = np.bincount(lo[matched], minlength=len(right) + 1)
    edges = edges - np.bincount(hi[matched], minlength=len(right) + 1)
    covered = np.cumsum(edges)[:-1] > 0
    return source, partner.astype(np.int64), order[~covered]


def _partner_ranges(
    left: RowArray, sorted_keys: RowArray, key_space: int | None
) -> tuple[RowArray, RowArray]:
    """[lo, hi) in `sorted_keys` of each left key; empty for NULL keys.

    Keys are symbol indices, so a small key space is counted directly (one gather per left
    key) instead of binary-searched: random searches dominate joins of large tables.
    """
    valid = left >= 0
    if key_space is not None and key_space <= max(_DENSE_LIMIT, 2 * len(left)):
        nulls = int(np.count_nonzero(sorted_keys < 0))
        counts = np.bincount(sorted_keys[nulls:], minlength=key_space)
        ends = np.cumsum(counts) + nulls
        safe = np.where(valid, left, 0)
        hi = np.where(valid, ends[safe], 0)
        lo = hi - np.where(valid, counts[safe], 0)
        return lo.astype(np.int64), hi.astype(np.int64)
    lo = np.searchsorted(sorted_keys, left, side="left")
    hi = np.where(valid, np.searchsorted(sorted_keys, left, side="right"), lo)
    return lo.astype(np.int64), hi.astype(np.int64)


def _coalesce(
    model: DataModel, rows: dict[str, RowArray], order: list[str], name: str, size: int
) -> SymbolArray:
    """Symbol of `name` per combination from the first tree table with a non-NULL value."""
    out = np.full(size, -1, dtype=np.int32)
    for table in order:
        column = model.tables[table].columns.get(name)
        if column is None:
            continue
        out = np.where(out >= 0, out, gather(column, rows[table]))
    return out


def gather(column: npt.NDArray[np.integer], rows: RowArray) -> SymbolArray:
    """Symbols of `column` at `rows`; -1 where the row is -1 (no partner)."""
    if len(column) == 0:
        return np.full(len(rows), -1, dtype=np.int32)
    values = column[np.maximum(rows, 0)].astype(np.int32, copy=False)
    return np.where(rows >= 0, values, np.int32(-1))


# -- chart rows: distinct tuples of dimension symbols ----------------------------------------


@dataclass(frozen=True)
class Groups:
    """`ids[i]`: chart row of combination i; `dim_symbols[d][g]`: symbol of dim d in row g."""

    ids: IntArray
    count: int
    dim_symbols: list[SymbolArray]


def no_groups(n_dims: int) -> Groups:
    return Groups(np.zeros(0, np.int64), 0, [np.zeros(0, np.int32) for _ in range(n_dims)])


def single_group(n_dims: int) -> Groups:
    """The one row of a cube without (valid) dimensions; its dimension cells are NULL."""
    return Groups(np.zeros(0, np.int64), 1, [np.full(1, -1, np.int32) for _ in range(n_dims)])


def group_rows(columns: Sequence[SymbolArray | None], size: int) -> Groups:
    """Group `size` combinations by their dimension symbols; None = an all-NULL column.

    Symbols + 1 (NULL = 0) are packed into one int64 key with a mixed radix; group ids follow
    the key order: dimensions lexicographic by load order, NULL first.
    """
    radices = [int(c.max()) + 2 if c is not None and size else 1 for c in columns]
    if math_prod(radices) >= _KEY_LIMIT:
        return _group_by_rows(columns, size)
    span = math_prod(radices)
    key: npt.NDArray[np.integer] = np.empty(size, dtype=np.int32 if span < 1 << 31 else np.int64)
    if span <= max(_DENSE_LIMIT, 4 * size):
        present = np.zeros(span, dtype=np.bool_)

        def mark(lo: int, hi: int) -> None:  # chunks on the thread pool for long tables
            part = [c[lo:hi] if c is not None else None for c in columns]
            _packed_key(part, radices, key[lo:hi])
            present[key[lo:hi]] = True  # concurrent writes of True only

        parallel.map_chunks(mark, size)
        keys = np.flatnonzero(present).astype(np.int64)
        remap = np.cumsum(present, dtype=np.int64) - 1
        ids = np.empty(size, dtype=np.int64)

        def number(lo: int, hi: int) -> None:
            np.take(remap, key[lo:hi], out=ids[lo:hi])

        parallel.map_chunks(number, size)
    else:
        _packed_key(columns, radices, key)
        keys, inverse = np.unique(key, return_inverse=True)
        ids = inverse.astype(np.int64).reshape(-1)
    return Groups(ids, len(keys), _decode(keys, radices))


def _packed_key(
    columns: Sequence[SymbolArray | None], radices: list[int], key: npt.NDArray[np.integer]
) -> None:
    """Mixed-radix key of symbols + 1, built in place in `key` (the narrowest integer type
    that holds it: the key pass is memory-bound on long tables)."""
    key[:] = 0
    for column, radix in zip(columns, radices, strict=True):
        if radix != 1:
            key *= radix
        if column is not None:
            key += column
            key += 1


def _decode(keys: IntArray, radices: list[int]) -> list[SymbolArray]:
    symbols: list[SymbolArray] = []
    stride = 1
    for radix in reversed(radices):
        symbols.append(((keys // stride) % radix - 1).astype(np.int32))
        stride *= radix
    return symbols[::-1]


def _group_by_rows(columns: Sequence[SymbolArray | None], size: int) -> Groups:
    """Fallback for key spaces beyond int64: unique rows of the stacked symbol matrix."""
    stacked = np.stack(
        [c if c is not None else np.full(size, -1, np.int32) for c in columns], axis=1
    )
    unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
    symbols = [unique[:, d].astype(np.int32) for d in range(len(columns))]
    return Groups(inverse.astype(np.int64).reshape(-1), len(unique), symbols)


def math_prod(values: Sequence[int]) -> int:
    """Exact product of Python ints (no overflow)."""
    out = 1
    for value in values:
        out *= value
    return out

"""Where an aggregation's records are and which chart row each belongs to, without joins
when the schema allows: dimensions reached from the record table through single-key,
many-to-one links (star and snowflake schemas) are projected onto the table's key symbols.

`RowIndex` finds the chart row of a tuple of dimension codes; `star_rows` gives the
dimension tuples of the full outer join of a star without joining. Work shared by several
aggregations over the same record set is kept in `RecordSet.memo`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from openqix.calc import parallel
from openqix.calc.errors import CalcError
from openqix.calc.setanalysis import RecordSet
from openqix.engine.model import DataModel

IntArray = npt.NDArray[np.int64]
_DENSE_INDEX = 1 << 22  # tuple spaces up to this size are looked up in a dense table


def null_last(
    symbols: Sequence[npt.NDArray[np.int32]], ids: IntArray
) -> tuple[list[IntArray], IntArray]:
    """Rows in load order of the dimension values with NULL last (group_rows puts NULL
    first); `ids` renumbered to match."""
    codes = [s.astype(np.int64) for s in symbols]
    if not codes or not any(bool((c < 0).any()) for c in codes):
        return codes, ids
    keys = [np.where(c < 0, np.iinfo(np.int64).max, c) for c in codes]
    order = np.lexsort(keys[::-1])
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return [c[order] for c in codes], rank[ids]


def star_rows(
    model: DataModel, fields: list[str] | None, records: RecordSet, extra: list[str]
) -> tuple[str, list[npt.NDArray[np.integer]]] | None:
    """Dimension tuples of the outer join, computed without joining, when the tables form a
    star or snowflake around one center table holding the measure fields: every dimension is
    in the center or reached through single-key links, many-to-one. The tuples are the
    center's possible rows projected, plus, for every other table of the tree, its possible
    rows without a partner in its parent table (dimensions of its own subtree projected from
    it, NULL elsewhere). None when the shape does not fit (the caller joins)."""
    known = [f for f in extra if f in model.fields]
    if not known or fields is None:
        return None
    center = record_table(model, known)
    if center is None:
        return None
    order, parent = _bfs(model, center)
    targets: dict[str, str] = {}  # dimension field -> the table the center projects it from
    tree: set[str] = {center}
    for name in fields:
        for table in model.fields[name].tables:
            if table not in parent:
                return None
            tree.update(t for _, t in _path_to(parent, table))
        if name not in model.tables[center].columns:
            path = _path(model, center, name)
            if path is None:
                return None
            targets[name] = path[-1][1]
    codes = project(model, records, center, fields)
    if codes is None:
        return None
    parts = [codes]
    for table in order:
        if table == center or table not in tree:
            continue
        part = _orphan_part(model, records, parent, table, fields, targets)
        if part is None:
            return None
        parts.append(part)
    if len(parts) == 1:
        return center, codes
    return center, [np.concatenate([p[d] for p in parts]) for d in range(len(fields))]


def _orphan_part(
    model: DataModel,
    records: RecordSet,
    parent: dict[str, tuple[str, str] | None],
    table: str,
    fields: list[str],
    targets: dict[str, str],
) -> list[npt.NDArray[np.integer]] | None:
    """Dimension tuples of `table`'s possible rows that have no partner in its parent."""
    link = parent[table]
    assert link is not None
    key, up = link
    orphans = _orphans(model, records, up, table, key)
    columns = model.tables[table].columns
    out: list[npt.NDArray[np.integer]] = []
    for name in fields:
        if name in columns:
            out.append(columns[name][orphans])
            continue
        path = _path_to(parent, targets[name]) if name in targets else []
        below = [i for i, (_, t) in enumerate(path) if t == table]
        if not below:
            out.append(np.full(len(orphans), -1, np.int32))  # not in this table's subtree
            continue
        mapping = _compose(model, records, path[below[0] + 1 :], name)
        if mapping is None:
            return None
        first_key, lookup = mapping
        out.append(lookup[columns[first_key][orphans]])
    return out


def _orphans(model: DataModel, records: RecordSet, center: str, side: str, key: str) -> IntArray:
    """Possible rows of `side` whose key no possible row of `center` has."""
    present = np.zeros(model.fields[key].cardinal + 1, dtype=np.bool_)
    keys = records.column(model, center, key)

    def mark(lo: int, hi: int) -> None:
        present[keys[lo:hi]] = True  # concurrent writes of True only

    parallel.map_chunks(mark, len(keys))
    present[-1] = False
    side_rows = records.row_numbers(side)
    return np.asarray(side_rows[~present[records.column(model, side, key)]], dtype=np.int64)


def _gather(lookup: npt.NDArray[np.int32], index: npt.NDArray[np.integer]) -> npt.NDArray[np.int32]:
    """lookup[index] in chunks on the thread pool; a NULL (-1) index reads lookup's last
    entry, which is -1."""
    out = np.empty(len(index), dtype=np.int32)

    def part(lo: int, hi: int) -> None:
        np.take(lookup, index[lo:hi], out=out[lo:hi])

    parallel.map_chunks(part, len(index))
    return out


class RowIndex:
    """Finds the row of a tuple of dimension codes (mixed-radix keys, binary search)."""

    def __init__(self, codes: Sequence[IntArray], cardinals: Sequence[int]) -> None:
        self.radices = [
            max(int(c.max()) + 2 if len(c) else 1, k + 1, 1)
            for c, k in zip(codes, cardinals, strict=True)
        ]
        self.big = _product(self.radices) >= 1 << 62
        n = len(codes[0]) if codes else 1
        keys = self._keys(codes, n)
        span = _product(self.radices)
        self.dense: IntArray | None = None
        if span <= max(_DENSE_INDEX, 4 * n):
            self.dense = np.full(span, -1, dtype=np.int64)
            self.dense[keys] = np.arange(n, dtype=np.int64)
        self.order = np.argsort(keys, kind="stable")
        self.sorted = keys[self.order]

    def _keys(self, codes: Sequence[IntArray], n: int) -> IntArray:
        if self.big:
            raise CalcError("", "too many dimension combinations")
        key = np.zeros(n, dtype=np.int64)
        for column, radix in zip(codes, self.radices, strict=True):
            key = key * radix + (column + 1)
        return key

    def lookup(self, codes: Sequence[IntArray]) -> IntArray:
        """Row per tuple; -1 where the tuple is not a row."""
        n = len(codes[0]) if codes else 0
        if not codes:
            return np.zeros(n, dtype=np.int64)
        radices_ok = np.ones(n, dtype=bool)
        for column, radix in zip(codes, self.radices, strict=True):
            radices_ok &= column + 1 < radix
        key = self._keys([np.where(radices_ok, c, -1) for c in codes], n)
        if self.dense is not None:
            return np.where(radices_ok, self.dense[key], -1)
        pos = np.searchsorted(self.sorted, key)
        pos = np.minimum(pos, max(len(self.sorted) - 1, 0))
        if not len(self.sorted):
            return np.full(n, -1, dtype=np.int64)
        found = (self.sorted[pos] == key) & radices_ok
        return np.where(found, self.order[pos], -1).astype(np.int64)


def _product(values: Sequence[int]) -> int:
    out = 1
    for v in values:
        out *= v
    return out


def record_table(model: DataModel, needed: list[str]) -> str | None:
    """The largest table holding every needed field (Count(*): the largest table)."""
    if not needed:
        return max(model.tables, key=lambda t: model.tables[t].n_rows) if model.tables else None
    candidates = set(model.fields[needed[0]].tables)
    for name in needed[1:]:
        candidates &= set(model.fields[name].tables)
    if not candidates:
        return None
    return max(sorted(candidates), key=lambda t: model.tables[t].n_rows)


def project(
    model: DataModel, records: RecordSet, table: str, dim_fields: list[str]
) -> list[npt.NDArray[np.integer]] | None:
    """Each possible row's symbol of every dimension field (rows in `records.row_numbers`
    order), when every dimension is in the table or reached through many-to-one single-key
    links; else None."""
    codes: list[npt.NDArray[np.integer]] = []
    for name in dim_fields:
        if name in model.tables[table].columns:
            codes.append(records.column(model, table, name))
            continue
        mapping = _key_mapping(model, records, table, name)
        if mapping is None:
            return None
        key, lookup = mapping
        memo_key = ("projected", table, name)
        found = records.memo.get(memo_key)
        if found is None:
            found = _gather(lookup, records.column(model, table, key))
            records.memo[memo_key] = found
        codes.append(found)
    return codes


def _key_mapping(
    model: DataModel, records: RecordSet, table: str, name: str
) -> tuple[str, npt.NDArray[np.int32]] | None:
    """(key field of `table`, key symbol -> symbol of `name`) along a many-to-one path."""
    cache_key = ("mapping", table, name)
    if cache_key in records.memo:
        found: tuple[str, npt.NDArray[np.int32]] | None = records.memo[cache_key]
        return found
    path = _path(model, table, name)
    result: tuple[str, npt.NDArray[np.int32]] | None = None
    if path is not None:
        result = _compose(model, records, path, name)
    records.memo[cache_key] = result
    return result


_BFS: dict[tuple[int, str], tuple[list[str], dict[str, tuple[str, str] | None]]] = {}


def _bfs(model: DataModel, start: str) -> tuple[list[str], dict[str, tuple[str, str] | None]]:
    """Tables reachable from `start` over single-key links, breadth-first: their order and
    each one's (key field, parent table). Synthetic-key links are left to the join."""
    found = _BFS.get((model.version, start))
    if found is not None:
        return found
    parent: dict[str, tuple[str, str] | None] = {start: None}
    order: list[str] = []
    queue = deque([start])
    while queue:
        table = queue.popleft()
        order.append(table)
        for other_field in model.tables[table].field_names:
            for other in model.fields[other_field].tables:
                if other in parent:
                    continue
                shared = set(model.tables[table].field_names) & set(model.tables[other].field_names)
                if len(shared) != 1:
                    continue
                parent[other] = (other_field, table)
                queue.append(other)
    if len(_BFS) > 256:
        _BFS.clear()
    _BFS[(model.version, start)] = (order, parent)
    return order, parent


def _path_to(parent: dict[str, tuple[str, str] | None], table: str) -> list[tuple[str, str]]:
    """[(key field, next table), ...] from the BFS start down to `table`."""
    steps: list[tuple[str, str]] = []
    while (link := parent[table]) is not None:
        steps.append((link[0], table))
        table = link[1]
    return steps[::-1]


def _path(model: DataModel, start: str, name: str) -> list[tuple[str, str]] | None:
    """[(key field, next table), ...] from `start` to the nearest table holding `name`."""
    order, parent = _bfs(model, start)
    for table in order[1:]:
        if name in model.tables[table].columns:
            return _path_to(parent, table)
    return None


def _compose(
    model: DataModel, records: RecordSet, path: list[tuple[str, str]], name: str
) -> tuple[str, npt.NDArray[np.int32]] | None:
    """Walk the path backwards building key-symbol -> dimension-symbol maps."""
    last_key, last_table = path[-1]
    lookup = _many_to_one(
        model, records, last_table, last_key, model.tables[last_table].columns[name]
    )
    if lookup is None:
        return None
    for (key, table), (next_key, _) in zip(reversed(path[:-1]), reversed(path[1:]), strict=True):
        through = lookup[model.tables[table].columns[next_key].astype(np.int64)]
        lookup = _many_to_one(model, records, table, key, through)
        if lookup is None:
            return None
    return path[0][0], lookup


def _many_to_one(
    model: DataModel,
    records: RecordSet,
    table: str,
    key: str,
    values: npt.NDArray[np.integer],
) -> npt.NDArray[np.int32] | None:
    """key symbol -> value over the table's possible rows (size cardinal + 1, last = -1);
    None when one key symbol has several values."""
    rows = records.rows[table]
    key_column = model.tables[table].columns[key].astype(np.int64)
    keys, vals = key_column[rows], np.asarray(values)[rows].astype(np.int32)
    size = model.fields[key].cardinal
    lookup = np.full(size + 1, -1, dtype=np.int32)
    valid = keys >= 0
    keys, vals = keys[valid], vals[valid]
    lookup[keys] = vals
    if not np.array_equal(lookup[keys], vals):
        return None
    lookup[-1] = -1
    return lookup

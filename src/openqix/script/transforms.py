"""Table-shaping prefixes applied to a LOAD's output: Crosstable, Generic, IntervalMatch,
Hierarchy and HierarchyBelongsTo. Vectorised over rows; loops run over columns, attribute
values, intervals' distinct keys or hierarchy levels only.
"""

from __future__ import annotations

import numpy as np

from openqix.calc.functions._common import display_objects
from openqix.calc.values import Duals, object_array
from openqix.script.errors import FieldNotFoundError, ScriptError
from openqix.script.tables import (
    Frame,
    IntArray,
    concat_duals,
    row_codes,
    take_or_null,
    value_codes,
)


def crosstable(
    frame: Frame, attribute: str, data: str, qualifiers: int, interpret: object
) -> Frame:
    """Every column after the first `qualifiers` becomes rows (attribute = column name)."""
    if qualifiers >= len(frame.names):
        raise ScriptError("Crosstable needs at least one column after the qualifier fields")
    keep = frame.names[:qualifiers]
    melt = frame.names[qualifiers:]
    m = len(melt)
    rows = np.repeat(np.arange(frame.n, dtype=np.int64), m)
    out = {name: frame.columns[name].take(rows) for name in keep}
    names = object_array(list(melt))
    attr_texts = np.tile(names, frame.n)
    attr = Duals.of_texts(object_array(attr_texts))
    if callable(interpret):
        attr = interpret(attr)
    out[attribute] = attr
    stacked = [frame.columns[name] for name in melt]
    num = np.stack([c.num for c in stacked], axis=1).reshape(-1) if stacked else np.empty(0)
    text = np.stack([c.text for c in stacked], axis=1).reshape(-1) if stacked else np.empty(0)
    out[data] = Duals(num, text.astype(object))
    return Frame([*keep, attribute, data], out, frame.n * m)


def generic(frame: Frame) -> list[tuple[str, Frame]]:
    """(attribute, table) per distinct attribute: key fields plus a field named after it."""
    if len(frame.names) < 3:
        raise ScriptError("Generic LOAD needs at least three fields (key, attribute, value)")
    keys = frame.names[:-2]
    attribute, value = frame.names[-2], frame.names[-1]
    texts = display_objects(frame.columns[attribute])
    codes, k = value_codes(frame.columns[attribute])
    out: list[tuple[str, Frame]] = []
    seen: set[int] = set()
    for row in range(frame.n):
        code = int(codes[row])
        if code in seen or texts[row] is None:
            continue
        seen.add(code)
        rows = np.flatnonzero(codes == code)
        name = str(texts[row])
        columns = {key: frame.columns[key].take(rows) for key in keys}
        columns[name] = frame.columns[value].take(rows)
        out.append((name, Frame([*keys, name], columns, len(rows))))
        if len(seen) == k:
            break
    return out


def interval_match(
    intervals: Frame, match_name: str, match_values: Frame, keys: list[str]
) -> Frame:
    """Rows (start, end, keys..., match) for every match value inside [start, end].

    `intervals` has the fields start, end, keys...; `match_values` the distinct
    (keys..., match) combinations already loaded."""
    if len(intervals.names) < 2 + len(keys):
        raise ScriptError("IntervalMatch needs a start and an end field")
    start_name, end_name = intervals.names[0], intervals.names[1]
    starts = intervals.columns[start_name].num
    ends = intervals.columns[end_name].num
    values = match_values.columns[match_name].num
    if keys:
        both = [concat_duals([intervals.columns[k], match_values.columns[k]]) for k in keys]
        codes, _ = row_codes(both, intervals.n + match_values.n)
        icodes, vcodes = codes[: intervals.n], codes[intervals.n :]
    else:
        icodes = np.zeros(intervals.n, dtype=np.int64)
        vcodes = np.zeros(match_values.n, dtype=np.int64)
    order = np.lexsort((values, vcodes))
    sorted_codes, sorted_values = vcodes[order], values[order]
    lo_pos = np.searchsorted(sorted_codes, icodes, side="left")
    hi_pos = np.searchsorted(sorted_codes, icodes, side="right")
    lo = np.empty(intervals.n, dtype=np.int64)
    hi = np.empty(intervals.n, dtype=np.int64)
    for code in np.unique(icodes).tolist():
        rows = np.flatnonzero(icodes == code)
        a, b = int(lo_pos[rows[0]]), int(hi_pos[rows[0]])
        segment = sorted_values[a:b]
        low, high = np.minimum(starts[rows], ends[rows]), np.maximum(starts[rows], ends[rows])
        lo[rows] = a + np.searchsorted(segment, low, side="left")
        hi[rows] = a + np.searchsorted(segment, high, side="right")
    valid = ~np.isnan(starts) & ~np.isnan(ends)
    counts = np.where(valid, np.maximum(hi - lo, 0), 0)
    interval_rows = np.repeat(np.arange(intervals.n, dtype=np.int64), counts)
    run_start = np.repeat(np.cumsum(counts) - counts, counts)
    within = np.arange(int(counts.sum()), dtype=np.int64) - run_start
    value_rows = order[np.repeat(lo, counts) + within]
    columns = {name: intervals.columns[name].take(interval_rows) for name in intervals.names}
    columns[match_name] = match_values.columns[match_name].take(value_rows)
    names = [*intervals.names, match_name] if match_name not in intervals.names else intervals.names
    return Frame(list(names), columns, len(interval_rows))


def _parents(frame: Frame, node_id: str, parent_id: str) -> IntArray:
    """Per row the row of its parent node (-1 for a root or an unknown parent)."""
    nodes, parents = frame.columns[node_id], frame.columns[parent_id]
    codes, k = value_codes(concat_duals([nodes, parents]))
    node_codes, parent_codes = codes[: frame.n], codes[frame.n :]
    row_of = np.full(k, -1, dtype=np.int64)
    row_of[node_codes[::-1]] = np.arange(frame.n - 1, -1, -1, dtype=np.int64)
    result = row_of[parent_codes]
    result[parents.is_null] = -1
    return result


def _ancestry(parent: IntArray) -> list[IntArray]:
    """Level by level: ancestors[d][i] = the d-th ancestor of row i (0 = itself), -1 above."""
    levels = [np.arange(len(parent), dtype=np.int64)]
    current = levels[0]
    for _ in range(len(parent) + 1):
        nxt = np.where(current >= 0, parent[np.maximum(current, 0)], -1)
        if not (nxt >= 0).any():
            return levels
        levels.append(nxt)
        current = nxt
    raise ScriptError("Hierarchy: the parent links contain a cycle")


def hierarchy(frame: Frame, args: tuple[str, ...]) -> Frame:
    node_id, parent_id, node_name = args[0], args[1], args[2]
    parent_name = args[3] if len(args) > 3 and args[3] else None
    path_source = args[4] if len(args) > 4 and args[4] else node_name
    path_name = args[5] if len(args) > 5 and args[5] else None
    delimiter = args[6] if len(args) > 6 else "/"
    depth_name = args[7] if len(args) > 7 and args[7] else None
    for name in (node_id, parent_id, node_name):
        if name not in frame.columns:
            raise FieldNotFoundError(f"Field '{name}' not found")
    parent = _parents(frame, node_id, parent_id)
    levels = _ancestry(parent)
    depth = np.zeros(frame.n, dtype=np.int64)
    for level in levels:
        depth += level >= 0
    names = list(frame.names)
    columns = dict(frame.columns)
    if parent_name:
        columns[parent_name] = take_or_null(frame.columns[node_name], parent)
        names.append(parent_name)
    top = len(levels)
    # the level-k name of row i is the name of its ancestor at distance depth-k
    for k in range(1, top + 1):
        distance = depth - k
        rows = np.full(frame.n, -1, dtype=np.int64)
        for d, level in enumerate(levels):
            pick = distance == d
            rows[pick] = level[pick]
        field_name = f"{node_name}{k}"
        columns[field_name] = take_or_null(frame.columns[node_name], rows)
        names.append(field_name)
    if path_name:
        source = display_objects(frame.columns[path_source])
        paths = []
        for i in range(frame.n):
            chain = [levels[d][i] for d in range(len(levels)) if levels[d][i] >= 0]
            paths.append(delimiter.join(str(source[r]) for r in reversed(chain)))
        columns[path_name] = Duals.of_texts(object_array(paths))
        names.append(path_name)
    if depth_name:
        columns[depth_name] = Duals.of_numbers(depth.astype(np.float64))
        names.append(depth_name)
    return Frame(names, columns, frame.n)


def hierarchy_belongs_to(frame: Frame, args: tuple[str, ...]) -> Frame:
    node_id, parent_id, node_name, ancestor_id, ancestor_name = args[:5]
    depth_diff = args[5] if len(args) > 5 else None
    for name in (node_id, parent_id, node_name):
        if name not in frame.columns:
            raise FieldNotFoundError(f"Field '{name}' not found")
    parent = _parents(frame, node_id, parent_id)
    levels = _ancestry(parent)
    rows: list[IntArray] = []
    ancestors: list[IntArray] = []
    diffs: list[IntArray] = []
    for d, level in enumerate(levels):
        ok = np.flatnonzero(level >= 0)
        rows.append(ok)
        ancestors.append(level[ok])
        diffs.append(np.full(len(ok), d, dtype=np.int64))
    row = np.concatenate(rows)
    ancestor = np.concatenate(ancestors)
    diff = np.concatenate(diffs)
    order = np.lexsort((diff, row))
    row, ancestor, diff = row[order], ancestor[order], diff[order]
    names = [node_id, node_name, ancestor_id, ancestor_name]
    columns = {
        node_id: frame.columns[node_id].take(row),
        node_name: frame.columns[node_name].take(row),
        ancestor_id: frame.columns[node_id].take(ancestor),
        ancestor_name: frame.columns[node_name].take(ancestor),
    }
    if depth_diff:
        names.append(depth_diff)
        columns[depth_diff] = Duals.of_numbers(diff.astype(np.float64))
    return Frame(names, columns, len(row))

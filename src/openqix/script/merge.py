"""The `Merge` prefix: apply a change log (first field = the operation) to a table by key.

`merge_frames(target, changes, keys, sequence)` is vectorised: the key columns of both
frames are encoded together into integer codes; per key the change that wins is the last
one in sequence order (load order without a sequence field; a change older than the
target's own sequence value for that key is ignored). Then, per key:

- `Delete` (`d`): the target rows with that key go;
- `Update` (`u`): the target rows with that key keep their place, the fields the change log
  has take its values, the others keep theirs; a key the target lacks is added as a new row;
- `Insert` (`i`): the target rows with that key go and the change is added as a new row
  (fields the change log lacks are NULL).

New rows come after the target's, in change-log order. The operation field is not part of
the result.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from openqix.calc.functions._common import display_objects
from openqix.calc.values import Duals
from openqix.script.errors import FieldNotFoundError, ScriptError
from openqix.script.tables import ColumnData, Frame, IntArray, concat_duals, row_codes

INSERT, UPDATE, DELETE = 0, 1, 2
_OPERATIONS = {"insert": INSERT, "i": INSERT, "update": UPDATE, "u": UPDATE}
_OPERATIONS.update({"delete": DELETE, "d": DELETE})


class MergeError(ScriptError):
    """A Merge LOAD whose operations or keys cannot be applied."""


def operation_codes(values: Duals) -> IntArray:
    """INSERT / UPDATE / DELETE per row from the texts (`Insert`, `u`, ... any case)."""
    texts = display_objects(values)
    distinct, inverse = np.unique(texts.astype(str), return_inverse=True)
    codes = np.empty(len(distinct), dtype=np.int64)
    for i, text in enumerate(distinct.tolist()):  # per distinct operation text
        code = _OPERATIONS.get(str(text).strip().lower())
        if code is None:
            shown = "NULL" if text == "None" else text
            raise MergeError(
                f"Merge: unknown operation '{shown}' (expected Insert, Update or Delete)"
            )
        codes[i] = code
    return codes[inverse.reshape(-1)] if len(texts) else np.empty(0, dtype=np.int64)


def merge_frames(
    target: Frame | None, changes: Frame, keys: Sequence[str], sequence: str | None
) -> Frame:
    """`target` with the change log `changes` applied (None: an empty target)."""
    if len(changes.names) < 2:
        raise MergeError("Merge needs the operation field and at least one more field")
    fields = changes.names[1:]
    if target is None:
        target = Frame(fields, {f: Duals.null(0) for f in fields}, 0)
    for key in keys:
        if key not in fields:
            raise FieldNotFoundError(f"Merge key field '{key}' not found in the loaded data")
        if key not in target.columns:
            raise FieldNotFoundError(f"Merge key field '{key}' not found in the target table")
    if sequence is not None and sequence not in fields:
        raise FieldNotFoundError(f"Merge sequence field '{sequence}' not found")
    ops = operation_codes(changes.columns[changes.names[0]])
    n, m = target.n, changes.n
    both = [concat_duals([target.columns[k], changes.columns[k]]) for k in keys]
    codes, k = row_codes(both, n + m)
    target_codes, change_codes = codes[:n], codes[n:]

    # the winning change per key: the last one in sequence order
    order = np.arange(m, dtype=np.int64)
    seq = None
    if sequence is not None:
        seq = changes.columns[sequence].num
        order = np.argsort(seq, kind="stable")  # NaN (no number) last
    rank = np.full(k, -1, dtype=np.int64)
    np.maximum.at(rank, change_codes[order], np.arange(m, dtype=np.int64))
    winner = np.full(k, -1, dtype=np.int64)  # the change row per key
    winner[rank >= 0] = order[rank[rank >= 0]]
    if seq is not None and sequence is not None and sequence in target.columns and n:
        newest = np.full(k, -np.inf)
        np.fmax.at(newest, target_codes, target.columns[sequence].num)
        has = winner >= 0
        older = np.zeros(k, dtype=bool)
        older[has] = seq[winner[has]] < newest[has]
        winner[older] = -1
    key_op = np.full(k, -1, dtype=np.int64)
    key_op[winner >= 0] = ops[winner[winner >= 0]]

    # target rows: kept, updated in place, or gone
    op_of_row = key_op[target_codes]
    kept = np.flatnonzero((op_of_row == -1) | (op_of_row == UPDATE))
    updated = op_of_row[kept] == UPDATE
    update_from = np.where(updated, winner[target_codes[kept]], -1)
    # new rows: inserts, and updates of keys the target lacks
    in_target = np.zeros(k, dtype=bool)
    in_target[target_codes] = True
    new_keys = np.flatnonzero((key_op == INSERT) | ((key_op == UPDATE) & ~in_target))
    new_rows = np.sort(winner[new_keys])

    names = list(target.names) + [f for f in fields if f not in target.columns]
    columns: dict[str, ColumnData] = {}
    for name in names:
        old = target.columns[name] if name in target.columns else Duals.null(n)
        new = changes.columns[name] if name in fields else Duals.null(m)
        index = np.where(update_from >= 0, n + update_from, kept) if name in fields else kept
        index = np.concatenate([index, n + new_rows]).astype(np.int64)
        columns[name] = concat_duals([old, new]).take(index)
    return Frame(names, columns, len(kept) + len(new_rows))


def max_sequence(changes: Frame, sequence: str) -> float | None:
    """The largest number of the sequence field in the change log (None: none)."""
    numbers = changes.columns[sequence].num
    numbers = numbers[~np.isnan(numbers)]
    return float(numbers.max()) if len(numbers) else None

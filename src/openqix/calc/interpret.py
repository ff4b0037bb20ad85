"""Automatic number interpretation of loaded text: a text that reads as a plain number becomes a
dual (its original text, its number); everything else stays text (number NaN).

Accepted: optional sign, digits with an optional `.` decimal part (or `.5`), optional exponent.
No thousands separators, no blanks, no `inf`/`nan`; `007` is the number 7 with text `007`.
Vectorised: a regular-expression filter and a cast in pyarrow, never a Python loop per value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openqix.engine.model import Column

NUMBER_PATTERN = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"


def interpret_texts(texts: Sequence[str]) -> Column:
    """Each text with the number it reads as (NaN when it is not a number); texts are kept."""
    numbers = np.full(len(texts), np.nan)
    if len(texts) == 0:
        return Column(texts, numbers)
    array = pa.array(texts, type=pa.string())
    is_number = pc.fill_null(pc.match_substring_regex(array, NUMBER_PATTERN), False)
    mask = np.asarray(is_number.to_numpy(zero_copy_only=False), dtype=bool)
    if mask.any():
        values = pc.cast(array.filter(is_number), pa.float64()).to_numpy(zero_copy_only=False)
        values = values + 0.0  # -0 reads as 0
        values[~np.isfinite(values)] = np.nan  # 1e999 overflows: it stays text
        numbers[mask] = values
    return Column(texts, numbers)

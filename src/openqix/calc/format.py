"""Number to text the way the Qlik engine auto-formats measure values, and the automatic
number formats (FieldAttributes) reported in dimension and measure infos.

Auto format: 10 significant digits, trailing zeros stripped, integers (and the integer part
of reals from 1e10 to 1e15) in full without a thousands separator, NULL/NaN as "-".
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

NULL_TEXT = "-"
SIGNIFICANT_DIGITS = 10
_FULL_INTEGER_LIMIT = 1e15  # below this an integral double prints exactly

INTEGER_FORMAT: dict[str, Any] = {
    "qType": "I",
    "qnDec": 0,
    "qUseThou": 1,
    "qFmt": "###0",
    "qDec": ".",
}
REAL_FORMAT: dict[str, Any] = {
    "qType": "R",
    "qnDec": 0,
    "qUseThou": 0,
    "qFmt": "##############",
    "qDec": ".",
    "qThou": ",",
}
UNKNOWN_FORMAT: dict[str, Any] = {"qType": "U", "qnDec": 0, "qUseThou": 0}
DIMENSION_FORMAT = UNKNOWN_FORMAT


def format_number(value: float) -> str:
    """Auto-formatted text of one number: 545.7844299999997 -> "545.78443"."""
    value = float(value)
    if math.isnan(value):
        return NULL_TEXT
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < _FULL_INTEGER_LIMIT:
        return str(int(value))
    if abs(value) >= 10.0**SIGNIFICANT_DIGITS and abs(value) < _FULL_INTEGER_LIMIT:
        return str(round(value))  # the integer part in full rather than an exponent
    return f"{value:.{SIGNIFICANT_DIGITS}g}"


def auto_number_format(values: npt.NDArray[np.float64]) -> dict[str, Any]:
    """Effective format of a measure column: integer when every finite value is integral."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return dict(UNKNOWN_FORMAT)
    if bool(np.all(finite == np.floor(finite))):
        return dict(INTEGER_FORMAT)
    return dict(REAL_FORMAT)


def dimension_number_format() -> dict[str, Any]:
    """Effective format reported for field-based dimensions and list objects."""
    return dict(DIMENSION_FORMAT)


def frequency_text(count: int, total: int, mode: str) -> str | None:
    """`qFrequency` of a list-object value (resolved Q5); None = omit the key.

    V: the record count; P: percent of all counts with one decimal; R: ratio with up to
    three decimals. A zero count has no frequency.
    """
    if count <= 0 or mode not in ("V", "P", "R"):
        return None
    if mode == "V":
        return str(count)
    ratio = count / total if total else 0.0
    if mode == "P":
        return f"{ratio * 100:.1f}%"
    return f"{ratio:.3f}".rstrip("0").rstrip(".") or "0"

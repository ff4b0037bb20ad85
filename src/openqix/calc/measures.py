"""Interim measure parser: `[=] Func( [DISTINCT] FieldRef )` with Func one of Sum, Count,
Avg, Min, Max. Anything else raises `UnsupportedExpression`; the full expression language
(lang/ + calc/interpret.py) replaces this.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from openqix.calc.errors import UnsupportedExpression

AGGREGATIONS: tuple[str, ...] = ("sum", "count", "avg", "min", "max")

_FIELD_REF = (
    r"\[(?P<bracket>[^\]]+)\]"
    r'|"(?P<dquote>[^"]+)"'
    r"|`(?P<btick>[^`]+)`"
    r"|(?P<plain>[^\W\d][\w.$#%@]*)"
)
_MEASURE = re.compile(
    rf"""^\s*=?\s*(?P<func>[A-Za-z]+)\s*\(\s*
         (?:(?P<distinct>distinct)\s+)?
         (?:{_FIELD_REF})\s*\)\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True)
class MeasureDef:
    """One parsed measure: `func` lower-case, `field` unquoted."""

    func: str
    field: str
    distinct: bool
    text: str


@lru_cache(maxsize=1024)
def parse_measure(text: str) -> MeasureDef:
    """Parse `Sum(Sales)`, `=count(distinct [Customer ID])` ...; raise UnsupportedExpression."""
    match = _MEASURE.match(text)
    if match is None:
        raise UnsupportedExpression(text, f"unsupported expression: {text.strip()!r}")
    func = match["func"].lower()
    if func not in AGGREGATIONS:
        raise UnsupportedExpression(text, f"unsupported function: {match['func']}")
    field = match["bracket"] or match["dquote"] or match["btick"] or match["plain"]
    if field.lower() == "distinct":
        raise UnsupportedExpression(text, "DISTINCT without a field")
    return MeasureDef(func, field, bool(match["distinct"]), text)

"""Data pages and cells shared by list objects and hypercubes.

A requested NxPage is clipped to the object's size (`qArea` says what came back); a clipped
page of more than 10 000 cells is refused with `PagesTooLarge` (7009). Cells follow shapes
§3.1: flags only when true (R1), NaN stays a float for the protocol encoder to spell.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openqix.calc.errors import PagesTooLarge
from openqix.calc.format import NULL_TEXT, format_number
from openqix.errors import InvalidParameters

MAX_PAGE_CELLS = 10_000
NULL_ELEM = -2
TOTAL_ELEM = -1

Cell = dict[str, Any]


@dataclass(frozen=True)
class Area:
    """A clipped page: the rectangle actually returned."""

    left: int
    top: int
    width: int
    height: int

    def rect(self) -> dict[str, int]:
        return {"qLeft": self.left, "qTop": self.top, "qWidth": self.width, "qHeight": self.height}

    @property
    def rows(self) -> range:
        return range(self.top, self.top + self.height)

    @property
    def columns(self) -> range:
        return range(self.left, self.left + self.width)


def _int(page: Mapping[str, Any], key: str) -> int:
    value = page.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0
    return max(int(value), 0)


def clip_page(page: Mapping[str, Any], width: int, height: int) -> Area:
    """Clip one NxPage to a `width` x `height` object; refuse more than 10 000 cells."""
    left, top = _int(page, "qLeft"), _int(page, "qTop")
    clipped = Area(
        left,
        top,
        max(0, min(_int(page, "qWidth"), width - left)),
        max(0, min(_int(page, "qHeight"), height - top)),
    )
    if clipped.width * clipped.height > MAX_PAGE_CELLS:
        raise PagesTooLarge(
            "qPages", f"{clipped.width * clipped.height} cells requested, at most {MAX_PAGE_CELLS}"
        )
    return clipped


def clip_pages(pages: Sequence[Mapping[str, Any]], width: int, height: int) -> list[Area]:
    """Clip every page first, so one oversized page fails the whole call."""
    if not all(isinstance(page, Mapping) for page in pages):
        raise InvalidParameters(
            "qPages: every page must be an object {qLeft, qTop, qWidth, qHeight}"
        )
    return [clip_page(page, width, height) for page in pages]


def value_cell(text: str, number: float, elem: int, state: str) -> Cell:
    """A field value: dimension cell or list-object cell."""
    return {"qText": text, "qNum": number, "qElemNumber": elem, "qState": state}


def null_cell() -> Cell:
    """The NULL dimension cell (shapes §3.1)."""
    return {
        "qText": NULL_TEXT,
        "qNum": math.nan,
        "qElemNumber": NULL_ELEM,
        "qState": "L",
        "qIsNull": True,
    }


def measure_cell(value: float) -> Cell:
    """A measure value; NULL measures read "-" and carry qIsNull."""
    cell: Cell = {"qText": format_number(value), "qNum": value, "qElemNumber": 0, "qState": "L"}
    if math.isnan(value):
        cell["qIsNull"] = True
    return cell


def total_cell(value: float) -> Cell:
    """A qGrandTotalRow cell."""
    cell: Cell = {
        "qText": format_number(value),
        "qNum": value,
        "qElemNumber": TOTAL_ELEM,
        "qState": "X",
        "qIsTotalCell": True,
    }
    if math.isnan(value):
        cell["qIsNull"] = True
    return cell

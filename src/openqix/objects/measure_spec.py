"""A hypercube measure (NxMeasure) resolved for calculation: its parsed definition or the
error that keeps it from being calculated (its cells are then NULL)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openqix.calc.errors import CalcError, UnknownLibraryItem, UnsupportedExpression
from openqix.calc.measures import MeasureDef, parse_measure


@dataclass(frozen=True)
class MeasureSpec:
    measure: Mapping[str, Any]
    definition: MeasureDef | None
    error: CalcError | None
    qdef: Mapping[str, Any]

    @property
    def field(self) -> str:
        return self.definition.field if self.definition is not None else ""

    @property
    def title(self) -> str:
        """qFallbackTitle: the label, else the expression text."""
        return str(self.qdef.get("qLabel") or self.qdef.get("qDef") or "")

    @property
    def sort_by(self) -> Mapping[str, Any]:
        sort_by = self.measure.get("qSortBy")
        return sort_by if isinstance(sort_by, Mapping) else {}


def parse_measure_spec(measure: Mapping[str, Any]) -> MeasureSpec:
    qdef = measure.get("qDef")
    qdef = qdef if isinstance(qdef, Mapping) else {}
    text = str(qdef.get("qDef") or "")
    try:
        if not text.strip():
            if measure.get("qLibraryId"):
                raise UnknownLibraryItem(str(measure["qLibraryId"]), "library item not resolved")
            raise UnsupportedExpression("", "empty measure expression")
        return MeasureSpec(measure, parse_measure(text), None, qdef)
    except CalcError as error:
        return MeasureSpec(measure, None, error, qdef)

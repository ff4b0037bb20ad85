"""Dimensions of list objects and hypercubes: resolving `qDef` to a field, and the
NxDimensionInfo layout part (shapes §2.5) with state counts, tags, format and range.

A field name gives a field dimension; `=expr` a calculated dimension (`expr` set, `field`
None), evaluated by calc/chart.py. An unknown field, an expression that does not parse or an
unresolved `qLibraryId` carries `qError` and behaves as an all-NULL column.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from openqix.calc.chart import ChartContext, parse_chart_expression
from openqix.calc.errors import CalcError, UnknownField, UnknownLibraryItem, UnsupportedExpression
from openqix.calc.format import dimension_number_format
from openqix.engine.inference import Inference, state_counts
from openqix.engine.model import DataModel, Field
from openqix.engine.selection import SelectionState
from openqix.lang.errors import ScriptError
from openqix.lang.expression import Expr
from openqix.objects.sorting import sort_indicator

_EMPTY_COUNTS = np.zeros(0, dtype=np.int8)


@dataclass(frozen=True)
class DimensionSpec:
    """One dimension resolved against the model; `field` is None when `error` is set."""

    qdef: Mapping[str, Any]
    field_defs: list[str]
    labels: list[str]
    position: int
    field: str | None
    criteria: Mapping[str, Any]
    error: CalcError | None = None
    expr: Expr | None = None

    @property
    def title(self) -> str:
        return self.titles[self.position] if self.titles else ""

    @property
    def titles(self) -> list[str]:
        return [
            (self.labels[i] if i < len(self.labels) and self.labels[i] else d)
            for i, d in enumerate(self.field_defs)
        ]

    @property
    def reverse(self) -> bool:
        return bool(self.qdef.get("qReverseSort"))


def parse_dimension(
    model: DataModel, dimension: Mapping[str, Any], ctx: ChartContext | None = None
) -> DimensionSpec:
    """Resolve an NxDimension (or a ListObjectDef, which has the same qDef/qLibraryId);
    with a chart context, `=expr` is a calculated dimension."""
    qdef: Mapping[str, Any] = dimension.get("qDef") or {}
    field_defs = [str(d) for d in qdef.get("qFieldDefs") or []]
    labels = [str(x) for x in qdef.get("qFieldLabels") or []]
    position = int(qdef.get("qActiveField") or 0) if qdef.get("qGrouping") == "C" else 0
    position = position if 0 <= position < len(field_defs) else 0
    sorts = qdef.get("qSortCriterias") or []
    criteria = (
        sorts[position] if position < len(sorts) and isinstance(sorts[position], dict) else {}
    )
    name: str | None = None
    error: CalcError | None = None
    expr: Expr | None = None
    try:
        if ctx is not None and position < len(field_defs):
            expr = _calculated(field_defs[position], ctx)
        if expr is None:
            name = _resolve_field(model, field_defs, position, dimension.get("qLibraryId"))
    except CalcError as exc:
        error = exc
    return DimensionSpec(qdef, field_defs, labels, position, name, criteria, error, expr)


def _calculated(text: str, ctx: ChartContext) -> Expr | None:
    """The expression of `=expr`; None for a field name."""
    text = text.strip()
    if not text.startswith("="):
        return None
    try:
        expr = parse_chart_expression(text, ctx)
    except ScriptError as error:
        raise UnsupportedExpression(text, str(error)) from error
    return expr


def _resolve_field(model: DataModel, field_defs: list[str], position: int, library_id: Any) -> str:
    if not field_defs:
        if library_id:
            raise UnknownLibraryItem(str(library_id), "library item not resolved")
        raise UnknownField("", "dimension without a field")
    text = field_defs[position].strip()
    if text.startswith("="):
        raise UnsupportedExpression(text, "calculated dimensions are not supported yet")
    if text in model.fields:
        return text
    if text.startswith("[") and text.endswith("]") and text[1:-1] in model.fields:
        return text[1:-1]
    raise UnknownField(text, f"field not found: {text}")


def dimension_info(
    model: DataModel,
    inference: Inference,
    state: SelectionState,
    spec: DimensionSpec,
    hypercube_cardinal: int = 0,
) -> dict[str, Any]:
    """NxDimensionInfo in schema key order, dynamic qDef keys last (R8)."""
    field = model.fields[spec.field] if spec.field is not None else None
    cardinal = field.cardinal if field is not None else 0
    info: dict[str, Any] = {
        "qFallbackTitle": spec.title,
        "qApprMaxGlyphCount": field.symbols.max_text_length() if field else 0,
        "qCardinal": cardinal,
    }
    if spec.field is not None and state.is_locked(spec.field):
        info["qLocked"] = True
    info["qSortIndicator"] = sort_indicator(spec.criteria)
    info["qGroupFallbackTitles"] = spec.titles
    info["qGroupPos"] = spec.position
    info["qStateCounts"] = state_counts(
        inference.states[spec.field] if spec.field is not None else _EMPTY_COUNTS
    )
    info["qTags"] = list(field.tags) if field else []
    if spec.error is not None:
        info["qError"] = spec.error.validation_error()
    info.update(_format_part(spec, field))
    info["qCardinalities"] = {
        "qCardinal": cardinal,
        "qHypercubeCardinal": hypercube_cardinal,
        "qAllValuesCardinal": -1,
    }
    info.update(dynamic_keys(spec.qdef))
    return info


def _format_part(spec: DimensionSpec, field: Field | None) -> dict[str, Any]:
    """qDimensionType ... qAttrDimInfo: type, grouping, format and numeric range."""
    numbers = field.symbols.numbers if field is not None else None
    numeric = (
        field is not None and field.cardinal > 0 and field.symbols.numeric_count == field.cardinal
    )
    part: dict[str, Any] = {"qDimensionType": "N" if numeric else "D"}
    if spec.reverse:
        part["qReverseSort"] = True
    part["qGrouping"] = str(spec.qdef.get("qGrouping") or "N")
    part["qNumFormat"] = dimension_number_format()
    part["qIsAutoFormat"] = True
    part["qGroupFieldDefs"] = list(spec.field_defs)
    part["qMin"], part["qMax"] = _range(numbers)
    part["qAttrExprInfo"] = []
    part["qAttrDimInfo"] = []
    return part


def _range(numbers: np.ndarray[Any, np.dtype[np.float64]] | None) -> tuple[float, float]:
    if numbers is None or not np.any(~np.isnan(numbers)):
        return math.nan, math.nan
    return float(np.nanmin(numbers)), float(np.nanmax(numbers))


def dynamic_keys(definition: Mapping[str, Any]) -> dict[str, Any]:
    """Keys not starting with q are client properties, echoed unchanged (R8)."""
    return {k: v for k, v in definition.items() if not k.startswith("q")}

"""Rows of a straight hypercube (sem §2.6): distinct dimension-value combinations among the
associated possible records, one value per measure, suppression (Q4b), inter-column sort.

(Record, row) pairs are de-duplicated before aggregating, so fan-out never multiplies a
record; a measure on an island table shows its total on every row, as in Qlik.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from openqix.calc.aggregate import aggregate, unique_pairs
from openqix.calc.errors import (
    CalcError,
    DisconnectedFields,
    UnknownLibraryItem,
    UnsupportedExpression,
)
from openqix.calc.measures import MeasureDef, parse_measure
from openqix.engine.inference import Inference
from openqix.engine.model import DataModel
from openqix.objects.associations import (
    Associations,
    Groups,
    associate,
    component,
    gather,
    group_rows,
    no_groups,
    single_group,
)
from openqix.objects.dimension_info import DimensionSpec, parse_dimension
from openqix.objects.sorting import (
    frequencies,
    lexsort,
    measure_keys,
    needs_frequency,
    row_rank_of_symbols,
    symbol_ranks,
)

FloatArray = npt.NDArray[np.float64]
SymbolArray = npt.NDArray[np.int32]


@dataclass(frozen=True)
class MeasureSpec:
    """One NxMeasure: its parsed definition, or the error that leaves its cells NULL."""

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
    """Parse qDef.qDef; an unresolved qLibraryId is 7001, anything unparseable 7000."""
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


@dataclass(frozen=True)
class Cube:
    """A computed straight cube; row arrays are already suppressed and sorted."""

    dimensions: list[DimensionSpec]
    measures: list[MeasureSpec]
    dim_symbols: list[SymbolArray]
    measure_values: list[FloatArray]
    totals: list[float]
    sort_order: list[int]
    error: CalcError | None = None

    @property
    def n_rows(self) -> int:
        if self.dim_symbols:
            return len(self.dim_symbols[0])
        return len(self.measure_values[0]) if self.measure_values else 0

    @property
    def width(self) -> int:
        return len(self.dimensions) + len(self.measures)

    def hypercube_cardinal(self, index: int) -> int:
        """Distinct values of dimension `index` in the cube, the NULL row included."""
        return int(np.unique(self.dim_symbols[index]).size)


def compute_cube(model: DataModel, inference: Inference, definition: Mapping[str, Any]) -> Cube:
    """Rows, measure values and grand totals of an S-mode HyperCubeDef."""
    dims = [parse_dimension(model, d) for d in _entries(definition, "qDimensions")]
    measures = [parse_measure_spec(m) for m in _entries(definition, "qMeasures")]
    order = effective_sort_order(definition, len(dims) + len(measures))
    try:
        groups, assoc, linked = _groups(model, inference, dims, measures)
    except CalcError as error:
        empty = [np.zeros(0, dtype=np.int32) for _ in dims]
        return Cube(
            dims,
            measures,
            empty,
            [np.zeros(0) for _ in measures],
            [math.nan] * len(measures),
            order,
            error,
        )
    values = [_measure_rows(model, inference, m, groups, assoc, linked) for m in measures]
    totals = [_measure_total(model, inference, m, assoc) for m in measures]
    keep = _suppressed(definition, groups, values)
    symbols = [g[keep] for g in groups.dim_symbols]
    values = [v[keep] for v in values]
    rows = _row_order(model, inference, dims, measures, symbols, values, order)
    return Cube(
        dims, measures, [s[rows] for s in symbols], [v[rows] for v in values], totals, order
    )


def _entries(definition: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """qDimensions / qMeasures entries; anything that is not an object counts as empty."""
    return [e if isinstance(e, Mapping) else {} for e in definition.get(key) or []]


def effective_sort_order(definition: Mapping[str, Any], width: int) -> list[int]:
    """qInterColumnSortOrder without invalid or repeated columns, the others appended."""
    order: list[int] = []
    for column in definition.get("qInterColumnSortOrder") or []:
        if isinstance(column, int) and 0 <= column < width and column not in order:
            order.append(column)
    return order + [c for c in range(width) if c not in order]


def _groups(
    model: DataModel, inference: Inference, dims: list[DimensionSpec], measures: list[MeasureSpec]
) -> tuple[Groups, Associations | None, set[str]]:
    """Chart rows; the join behind them; the measure fields linked to the dimensions."""
    dim_fields = list(dict.fromkeys(d.field for d in dims if d.field is not None))
    if not dim_fields:
        groups = single_group(len(dims)) if measures else no_groups(len(dims))
        return groups, None, set()
    tables = component(model, model.fields[dim_fields[0]].tables[0])
    apart = [f for f in dim_fields if not tables & set(model.fields[f].tables)]
    if apart:
        raise DisconnectedFields(", ".join(apart), "dimensions in tables that are not linked")
    linked = {
        m.field
        for m in measures
        if m.field in model.fields and tables & set(model.fields[m.field].tables)
    }
    keys = {f for f in dim_fields if model.fields[f].is_key}
    assoc = associate(model, inference, dim_fields + sorted(linked - set(dim_fields)), keys)
    columns = [assoc.values[d.field] if d.field else None for d in dims]
    return group_rows(columns, assoc.size), assoc, linked


def _measure_rows(
    model: DataModel,
    inference: Inference,
    measure: MeasureSpec,
    groups: Groups,
    assoc: Associations | None,
    linked: set[str],
) -> FloatArray:
    if measure.definition is None:
        return np.full(groups.count, np.nan)
    if assoc is None or measure.field not in linked:
        return np.full(groups.count, _measure_total(model, inference, measure, assoc))
    table = assoc.field_tables[measure.field]
    rows = assoc.rows[table]
    ids = groups.ids
    if _repeats(rows):
        ids, rows = unique_pairs(ids, groups.count, rows, model.tables[table].n_rows)
    symbols = gather(model.tables[table].columns[measure.field], rows)
    return _aggregate(model, measure, ids, groups.count, symbols)


def _measure_total(
    model: DataModel, inference: Inference, measure: MeasureSpec, assoc: Associations | None
) -> float:
    """The measure over all possible records of its table (qGrandTotalRow)."""
    if measure.definition is None:
        return math.nan
    name = measure.field
    if name not in model.fields:
        return float(_aggregate(model, measure, np.zeros(0, np.int64), 1, np.zeros(0, np.int32))[0])
    table = (assoc.field_tables.get(name) if assoc else None) or _largest_table(model, name)
    column = model.tables[table].columns[name]
    symbols = column[inference.possible_rows[table]]
    return float(_aggregate(model, measure, np.zeros(len(symbols), np.int64), 1, symbols)[0])


def _aggregate(
    model: DataModel,
    measure: MeasureSpec,
    ids: npt.NDArray[np.integer],
    count: int,
    symbols: npt.NDArray[np.integer],
) -> FloatArray:
    assert measure.definition is not None
    field = model.fields.get(measure.field)
    numbers = field.symbols.numbers if field is not None else np.zeros(0)
    if field is None:  # an unknown field aggregates nothing: Sum 0, Avg NULL (as Qlik does)
        ids, symbols = ids[:0], symbols[:0]
    d = measure.definition
    return aggregate(d.func, ids, count, symbols, numbers, distinct=d.distinct)


def _largest_table(model: DataModel, name: str) -> str:
    return max(model.fields[name].tables, key=lambda t: model.tables[t].n_rows)


def _repeats(rows: npt.NDArray[np.int64]) -> bool:
    """Whether some record appears in more than one combination (fan-out)."""
    present = rows[rows >= 0]
    return bool(present.size) and int(np.bincount(present).max()) > 1


def _suppressed(
    definition: Mapping[str, Any], groups: Groups, values: list[FloatArray]
) -> npt.NDArray[np.bool_]:
    """Rows kept after qNullSuppression, qSuppressZero and qSuppressMissing (Q4b)."""
    keep = np.ones(groups.count, dtype=np.bool_)
    dimensions = _entries(definition, "qDimensions")
    for dimension, symbols in zip(dimensions, groups.dim_symbols, strict=True):
        if dimension.get("qNullSuppression"):
            keep &= symbols >= 0
    if values:
        stacked = np.vstack(values)
        if definition.get("qSuppressMissing"):
            keep &= ~np.all(np.isnan(stacked), axis=0)
        if definition.get("qSuppressZero"):
            keep &= ~np.all(np.isnan(stacked) | (stacked == 0), axis=0)
    return keep


def _row_order(
    model: DataModel,
    inference: Inference,
    dims: Sequence[DimensionSpec],
    measures: Sequence[MeasureSpec],
    symbols: list[SymbolArray],
    values: list[FloatArray],
    order: list[int],
) -> npt.NDArray[np.int64]:
    keys: list[npt.NDArray[Any]] = []
    for column in order:
        if column < len(dims):
            keys.extend(_dimension_keys(model, inference, dims[column], symbols[column]))
        else:
            m = column - len(dims)
            keys.extend(measure_keys(values[m], measures[m].sort_by))
    n_rows = len(symbols[0]) if symbols else (len(values[0]) if values else 0)
    keys.append(np.arange(n_rows, dtype=np.int64))
    return lexsort(keys)


def _dimension_keys(
    model: DataModel, inference: Inference, dim: DimensionSpec, symbols: SymbolArray
) -> list[npt.NDArray[Any]]:
    if dim.field is None:
        return []
    field = model.fields[dim.field]
    states = np.asarray(inference.states[dim.field], dtype=np.int8)
    frequency = frequencies(model, inference, dim.field) if needs_frequency(dim.criteria) else None
    ranks = symbol_ranks(field, states, dim.criteria, frequency, dim.reverse)
    return [row_rank_of_symbols(ranks, symbols)]

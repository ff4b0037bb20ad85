"""Rows of a straight hypercube (sem §2.6): distinct dimension-value combinations among the
associated possible records (plus those of measures with a set, resolved Q4a), one value per
measure from calc/chart.py, suppression (Q4b), inter-column sort.

Measures and dimensions are any expression (`=expr` in qFieldDefs is a calculated
dimension); each record counts once per chart row, and a measure on an island table shows
its total on every row, as in Qlik.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from openqix.calc.chart import (
    ChartContext,
    ChartDimension,
    ChartEvaluator,
    ChartRows,
    chart_rows,
    evaluate_value,
    parse_chart_expression,
)
from openqix.calc.errors import CalcError, UnknownLibraryItem, UnsupportedExpression
from openqix.calc.functions._common import numbers
from openqix.calc.interrecord import uses_inter_record
from openqix.calc.setanalysis import RecordSet
from openqix.calc.values import NULL, Dual, Duals, ObjectArray
from openqix.engine.inference import Inference, infer, selection_masks
from openqix.engine.model import DataModel
from openqix.engine.selection import SelectionState
from openqix.lang.errors import ScriptError
from openqix.lang.expression import (
    Call,
    Expr,
    field_names,
    parse_expression,
    parse_set_expression,
)
from openqix.objects.associations import component
from openqix.objects.dimension_info import DimensionSpec, parse_dimension
from openqix.objects.sorting import (
    flag,
    frequencies,
    lexsort,
    measure_keys,
    needs_frequency,
    row_rank_of_symbols,
    symbol_ranks,
)

FloatArray = npt.NDArray[np.float64]
SymbolArray = npt.NDArray[np.int32]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class MeasureSpec:
    """One NxMeasure: its parsed expression, or the error that leaves its cells NULL."""

    measure: Mapping[str, Any]
    definition: Expr | None
    error: CalcError | None
    qdef: Mapping[str, Any]

    @property
    def title(self) -> str:
        """qFallbackTitle: the label, else the expression text."""
        return str(self.qdef.get("qLabel") or self.qdef.get("qDef") or "")

    @property
    def sort_by(self) -> Mapping[str, Any]:
        sort_by = self.measure.get("qSortBy")
        return sort_by if isinstance(sort_by, Mapping) else {}

    def failed(self, error: CalcError) -> MeasureSpec:
        return replace(self, definition=None, error=error)


def parse_measure_spec(measure: Mapping[str, Any], ctx: ChartContext | None = None) -> MeasureSpec:
    """Parse qDef.qDef; an unresolved qLibraryId is 7001, anything unparseable 7000."""
    qdef = measure.get("qDef")
    qdef = qdef if isinstance(qdef, Mapping) else {}
    text = str(qdef.get("qDef") or "")
    try:
        if not text.strip():
            if measure.get("qLibraryId"):
                raise UnknownLibraryItem(str(measure["qLibraryId"]), "library item not resolved")
            raise UnsupportedExpression("", "empty measure expression")
        return MeasureSpec(measure, parse_definition(text, ctx), None, qdef)
    except CalcError as error:
        return MeasureSpec(measure, None, error, qdef)


def parse_definition(text: str, ctx: ChartContext | None) -> Expr:
    """An expression after `$(...)` expansion; syntax errors become UnsupportedExpression."""
    try:
        return parse_chart_expression(text, ctx) if ctx is not None else parse_expression(text)
    except ScriptError as error:
        raise UnsupportedExpression(text, str(error)) from error


@dataclass(frozen=True)
class Cube:
    """A computed straight cube; row arrays are already suppressed and sorted.

    `dim_symbols[d]` holds symbol indices for field dimensions and value codes for
    calculated ones (`dim_values[d]` then lists the values); -1 is NULL.
    """

    dimensions: list[DimensionSpec]
    measures: list[MeasureSpec]
    dim_symbols: list[SymbolArray]
    measure_values: list[FloatArray]
    totals: list[float]
    sort_order: list[int]
    error: CalcError | None = None
    measure_texts: list[ObjectArray] = field(default_factory=list)
    total_texts: list[str | None] = field(default_factory=list)
    dim_values: list[Duals | None] = field(default_factory=list)

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


def compute_cube(
    model: DataModel,
    inference: Inference,
    definition: Mapping[str, Any],
    state: SelectionState | None = None,
    context: ChartContext | None = None,
) -> Cube:
    """Rows, measure values and grand totals of an S-mode HyperCubeDef."""
    ctx = _context(model, inference, state, context)
    dims = [parse_dimension(model, d, ctx) for d in _entries(definition, "qDimensions")]
    measures = [parse_measure_spec(m, ctx) for m in _entries(definition, "qMeasures")]
    order = effective_sort_order(definition, len(dims) + len(measures))
    try:
        _apply_context_set(ctx, definition.get("qContextSetExpression"))
        rows = _chart_rows(ctx, dims, measures)
    except CalcError as error:
        empty = [np.zeros(0, dtype=np.int32) for _ in dims]
        nan = [math.nan] * len(measures)
        return Cube(dims, measures, empty, [np.zeros(0) for _ in measures], nan, order, error)
    evaluator = ChartEvaluator(ctx, rows)
    evaluator.columns = [spec.definition for spec in measures]  # for Column(n)
    dim_codes = _dimension_codes(dims, rows)
    dim_values = _dimension_values(dims, rows)
    sort_exprs = [_sort_expression(ctx, d) for d in dims]
    recomputed = [
        i for i, s in enumerate(measures) if s.definition and uses_inter_record(s.definition)
    ]
    by_expression: list[FloatArray | None] = [None] * len(dims)
    late = [i for i, e in enumerate(sort_exprs) if e is not None and uses_inter_record(e)]
    for i, expr in enumerate(sort_exprs):
        if expr is not None and i not in late:
            by_expression[i] = _expression_sort_values(evaluator, expr)
    if recomputed or late:
        # first pass in the dimensions' own sort order (measure sort keys left out)
        evaluator.segment_dims = _segment_dims(dims, order)
        dims_only = [c for c in order if c < len(dims)]
        evaluator.display = (
            _row_order(
                model,
                inference,
                dims,
                dim_values,
                measures,
                dim_codes,
                [],
                dims_only,
                by_expression,
            )
            if dims
            else np.arange(rows.count, dtype=np.int64)
        )
        for i in late:
            late_expr = sort_exprs[i]
            assert late_expr is not None
            by_expression[i] = _expression_sort_values(evaluator, late_expr)
    results: list[Duals] = []
    for i, spec in enumerate(measures):
        value, measures[i] = _evaluate(evaluator, spec, rows.count)
        results.append(value)
    totals = [_total(ctx, spec) for spec in measures]
    keep = _suppressed(definition, dims, dim_codes, [r.num for r in results], rows.count)
    symbols = [c[keep] for c in dim_codes]
    # Qlik's help on inter-record functions: with one in any expression of the chart, sorting
    # by measure values is disabled and the rows keep the dimensions' sort.
    final_order = [c for c in order if c < len(dims)] if recomputed else order
    order_rows = _row_order(
        model,
        inference,
        dims,
        dim_values,
        measures,
        symbols,
        [r.num[keep] for r in results],
        final_order,
        [None if v is None else v[keep] for v in by_expression],
    )
    if recomputed:
        # the inter-record measures again, over the rows as displayed
        evaluator.display = np.flatnonzero(keep)[order_rows]
        for i in recomputed:
            results[i], measures[i] = _evaluate(evaluator, measures[i], rows.count)
    values = [r.num[keep] for r in results]
    texts = [r.text[keep] for r in results]
    return Cube(
        dims,
        measures,
        [s[order_rows].astype(np.int32) for s in symbols],
        [v[order_rows] for v in values],
        [t.num for t in totals],
        order,
        None,
        [t[order_rows] for t in texts],
        [t.text for t in totals],
        dim_values,
    )


def _context(
    model: DataModel,
    inference: Inference,
    state: SelectionState | None,
    context: ChartContext | None,
) -> ChartContext:
    """The chart context; its base records are the inference's possible rows (with the
    state's selection when the inference is that of the state)."""
    masks = None
    if state is not None and infer(model, state) is inference:
        masks = selection_masks(model, state.fields)
    base = RecordSet(inference.possible_rows, masks)
    if context is not None:
        return ChartContext(
            model,
            context.state,
            context.identifiers,
            context.variables,
            context.functions,
            base,
            state_name=context.state_name,
        )
    return ChartContext(model, state or SelectionState.empty(), _base=base)


def _apply_context_set(ctx: ChartContext, text: Any) -> None:
    """qContextSetExpression: a set (`{<Year={2020}>}`) that replaces the cube's records."""
    if not isinstance(text, str) or not text.strip():
        return
    try:
        expr = parse_set_expression(text.strip())
    except ScriptError as error:
        raise UnsupportedExpression(text, str(error)) from error
    ctx._base = ctx.set_records(expr)
    ctx._sets.clear()


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


def _chart_dimension(dim: DimensionSpec) -> ChartDimension:
    if dim.field is not None:
        return ChartDimension(dim.field, label=dim.title)
    return ChartDimension(expr=dim.expr, label=dim.title)


def _valid(dims: list[DimensionSpec]) -> list[int]:
    return [i for i, d in enumerate(dims) if d.error is None and (d.field or d.expr)]


def _chart_rows(
    ctx: ChartContext, dims: list[DimensionSpec], measures: list[MeasureSpec]
) -> ChartRows:
    """Chart rows of the valid dimensions; without any, one row when there are measures."""
    valid = _valid(dims)
    if not valid:
        return ChartRows([], [], [], 1 if measures else 0)
    chart_dims = [_chart_dimension(dims[i]) for i in valid]
    extra = _measure_fields(ctx, chart_dims, measures)
    sets = _row_sets(ctx, measures)
    return chart_rows(ctx, chart_dims, None, extra, sets)


def _measure_fields(
    ctx: ChartContext, dims: list[ChartDimension], measures: list[MeasureSpec]
) -> list[str]:
    """Fields of the measures linked to the dimensions: their orphans make NULL rows."""
    model = ctx.model
    dim_fields = [f for d in dims for f in d.fields if f in model.fields]
    if not dim_fields:
        return []
    tables = component(model, model.fields[dim_fields[0]].tables[0])
    found: list[str] = []
    for spec in measures:
        if spec.definition is None:
            continue
        for name in field_names(spec.definition):
            info = model.fields.get(name)
            if info is not None and tables & set(info.tables) and name not in found:
                found.append(name)
    return found


def _row_sets(ctx: ChartContext, measures: list[MeasureSpec]) -> list[RecordSet]:
    """Record sets of measures whose outer aggregation has a set and no TOTAL (resolved Q4a)."""
    sets: list[RecordSet] = []
    for spec in measures:
        expr = spec.definition
        if isinstance(expr, Call) and expr.set_expr is not None and not expr.total:
            try:
                sets.append(ctx.set_records(expr.set_expr))
            except CalcError:
                continue
    return sets


def _evaluate(evaluator: ChartEvaluator, spec: MeasureSpec, n: int) -> tuple[Duals, MeasureSpec]:
    if spec.definition is None:
        return Duals.null(n), spec
    try:
        return evaluator.eval(spec.definition), spec
    except CalcError as error:
        return Duals.null(n), spec.failed(error)


def _total(ctx: ChartContext, spec: MeasureSpec) -> Dual:
    """qGrandTotalRow: the measure over all records of the set (qAggrFunc "Expr")."""
    if spec.definition is None or spec.qdef.get("qAggrFunc") == "None":
        return NULL
    try:
        return evaluate_value(spec.definition, ctx)
    except CalcError:
        return NULL


def _dimension_codes(dims: list[DimensionSpec], rows: ChartRows) -> list[IntArray]:
    valid = _valid(dims)
    codes: list[IntArray] = []
    for i in range(len(dims)):
        if i in valid:
            codes.append(rows.codes[valid.index(i)])
        else:
            codes.append(np.full(rows.count, -1, dtype=np.int64))
    return codes


def _dimension_values(dims: list[DimensionSpec], rows: ChartRows) -> list[Duals | None]:
    valid = _valid(dims)
    return [
        rows.values[valid.index(i)] if i in valid and dims[i].field is None else None
        for i in range(len(dims))
    ]


def _suppressed(
    definition: Mapping[str, Any],
    dims: list[DimensionSpec],
    codes: list[IntArray],
    values: list[FloatArray],
    count: int,
) -> npt.NDArray[np.bool_]:
    """Rows kept after qNullSuppression, qSuppressZero and qSuppressMissing (Q4b)."""
    keep = np.ones(count, dtype=np.bool_)
    dimensions = _entries(definition, "qDimensions")
    for dimension, symbols in zip(dimensions, codes, strict=True):
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
    dim_values: Sequence[Duals | None],
    measures: Sequence[MeasureSpec],
    symbols: list[IntArray],
    values: list[FloatArray],
    order: list[int],
    by_expression: Sequence[FloatArray | None] = (),
) -> npt.NDArray[np.int64]:
    keys: list[npt.NDArray[Any]] = []
    for column in order:
        if column < len(dims):
            expression_values = by_expression[column] if column < len(by_expression) else None
            if expression_values is not None:  # qSortByExpression first, NULL last
                direction = flag(dims[column].criteria, "qSortByExpression")
                keys.extend([np.isnan(expression_values), expression_values * direction])
            calculated = dim_values[column]
            if calculated is not None:
                keys.extend(_calculated_keys(calculated, symbols[column], dims[column]))
                continue
            keys.extend(_dimension_keys(model, inference, dims[column], symbols[column]))
        else:
            m = column - len(dims)
            keys.extend(measure_keys(values[m], measures[m].sort_by))
    n_rows = len(symbols[0]) if symbols else (len(values[0]) if values else 0)
    keys.append(np.arange(n_rows, dtype=np.int64))
    return lexsort(keys)


def _sort_expression(ctx: ChartContext, dim: DimensionSpec) -> Expr | None:
    """The dimension's qSortByExpression expression (qExpression.qv); None when it does not
    sort by expression or the expression does not parse."""
    if not flag(dim.criteria, "qSortByExpression"):
        return None
    expression = dim.criteria.get("qExpression")
    text = expression.get("qv") if isinstance(expression, Mapping) else None
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return parse_chart_expression(text, ctx)
    except (CalcError, ScriptError):
        return None


def _expression_sort_values(evaluator: ChartEvaluator, expr: Expr) -> FloatArray | None:
    """Per chart row the number of a sort expression; None when it fails."""
    try:
        result = evaluator.eval(expr)
    except (CalcError, ScriptError):
        return None
    return np.asarray(numbers(result), dtype=np.float64)


def _segment_dims(dims: Sequence[DimensionSpec], order: Sequence[int]) -> list[int]:
    """Chart-row dimensions bounding a column segment: all valid dimensions but the last one
    in the inter-column sort order (Qlik's help on column segments)."""
    valid = _valid(list(dims))
    by_sort = [c for c in order if c in valid]
    last = by_sort[-1] if by_sort else None
    return [k for k, d in enumerate(valid) if d != last]


def _calculated_keys(values: Duals, codes: IntArray, dim: DimensionSpec) -> list[npt.NDArray[Any]]:
    """Calculated dimensions sort numbers first (ascending), then texts; NULL last."""
    numbers = values.num
    texts = [t if t is not None else "" for t in values.text.tolist()]
    by_text = sorted(range(len(texts)), key=texts.__getitem__)
    text_rank = np.empty(len(texts), dtype=np.int64)
    text_rank[np.asarray(by_text, dtype=np.int64)] = np.arange(len(texts))
    order = np.lexsort((text_rank, np.nan_to_num(numbers), np.isnan(numbers)))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    if dim.reverse:
        rank = len(order) - 1 - rank
    return [row_rank_of_symbols(rank, codes)]


def _dimension_keys(
    model: DataModel, inference: Inference, dim: DimensionSpec, symbols: IntArray
) -> list[npt.NDArray[Any]]:
    if dim.field is None:
        return []
    field = model.fields[dim.field]
    states = np.asarray(inference.states[dim.field], dtype=np.int8)
    frequency = frequencies(model, inference, dim.field) if needs_frequency(dim.criteria) else None
    ranks = symbol_ranks(field, states, dim.criteria, frequency, dim.reverse)
    return [row_rank_of_symbols(ranks, symbols)]

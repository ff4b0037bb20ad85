"""Expressions evaluated in a chart: per chart row (dimension-value combination), with
aggregations over the records of a set, TOTAL, Aggr and the inter-record functions.

- `ChartContext`: the data model, the object's selection state, how other set identifiers
  resolve (alternate states, history, bookmarks), variables and function settings.
- `chart_rows(ctx, dims, base)`: the rows of a chart: distinct combinations of dimension
  values among the associated records (calculated dimensions included).
- `ChartEvaluator(ctx, rows).eval(expr)`: one value per row.
- `evaluate_value(text_or_expr, ctx)`: one value without dimensions (Doc.Evaluate, labels,
  qStringExpression, `$(=...)`).

Aggregations (sem §3.4, ARCHITECTURE §2): the argument is evaluated per record of the table
holding its fields (or of the join of several such tables), each record counted once per
chart row it is associated with. Dimensions in other tables are projected onto the record
table's key symbols when the link is many-to-one (star and snowflake schemas), else the
tables are joined (objects/associations.py).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from openqix.calc.aggregate import AGGREGATIONS, aggregate_values, unique_pairs, value_codes
from openqix.calc.errors import CalcError
from openqix.calc.evaluate import Evaluator, ExpressionError, _no_nested, check_arity
from openqix.calc.format import format_number
from openqix.calc.functions._common import numbers
from openqix.calc.functions.registry import FunctionContext
from openqix.calc.setanalysis import RecordSet, evaluate_set, record_set
from openqix.calc.values import NULL, Dual, Duals
from openqix.engine.inference import _LRU, Inference
from openqix.engine.model import DataModel
from openqix.engine.selection import SelectionState
from openqix.lang.errors import ScriptError
from openqix.lang.expansion import expand_dollars
from openqix.lang.expression import (
    Call,
    ElementComplement,
    ElementField,
    ElementFunction,
    ElementOp,
    ElementSet,
    Expr,
    FieldRef,
    SetComplement,
    SetExpr,
    SetIdentifier,
    SetOp,
    Star,
    children,
    field_names,
    parse_expression,
    print_expression,
    print_set,
)
from openqix.lang.tokens import LineIndex
from openqix.objects.associations import associate, component, group_rows

IntArray = npt.NDArray[np.int64]
_DENSE_INDEX = 1 << 22  # tuple spaces up to this size are looked up in a dense table
BoolMask = npt.NDArray[np.bool_]
_INTER_RECORD = frozenset(
    {"RANK", "ABOVE", "BELOW", "ROWNO", "COLUMNNO", "DIMENSIONALITY", "SECONDARYDIMENSIONALITY"}
)
_NUMERIC_ARG = frozenset(
    {"SUM", "AVG", "STDEV", "STERR", "SKEW", "KURTOSIS", "MEDIAN", "FRACTILE", "MIN", "MAX"}
)


class ChartError(CalcError):
    """An expression that cannot be evaluated in a chart."""


@dataclass
class ChartContext:
    """Everything chart evaluation needs besides the expression.

    `identifiers` resolves set identifiers other than `$` and `1` (state names, `$1`,
    bookmark ids) to a selection state; `variables` are the app's variables by name (a value
    starting with `=` is evaluated when expanded).
    """

    model: DataModel
    state: SelectionState = field(default_factory=SelectionState.empty)
    identifiers: Callable[[str], SelectionState | None] | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    functions: FunctionContext = field(default_factory=FunctionContext)
    _base: RecordSet | None = field(default=None, repr=False)
    _sets: dict[str, RecordSet] = field(default_factory=dict, repr=False)

    def identifier(self, name: str) -> SelectionState | None:
        if name == "$":
            return self.state
        return self.identifiers(name) if self.identifiers is not None else None

    @property
    def base(self) -> RecordSet:
        """The possible records of the object's state."""
        if self._base is None:
            self._base = record_set(self.model, self.state)
        return self._base

    def set_records(self, expr: SetExpr | None) -> RecordSet:
        """The records of a set expression (None: the object's state), cached."""
        if expr is None:
            return self.base
        text = print_set(expr)
        found = self._sets.get(text)
        if found is not None:
            return found
        shared = _only_own_state(expr)
        key = (self.model.version, self.state.version, text)
        found = _SET_CACHE.get(key) if shared else None
        if found is None:
            found = evaluate_set(expr, self, self._per_value)
            if shared:
                _SET_CACHE.put(key, found)
        self._sets[text] = found
        return found

    def _per_value(self, text: str, field_name: str, base: RecordSet) -> BoolMask:
        """Expression search: the values of `field_name` for which `text` is true."""
        expr = parse_chart_expression(text, self)
        rows = chart_rows(self, [ChartDimension(field_name)], base)
        values = ChartEvaluator(self, rows, base).eval(expr)
        truth = numbers(values)
        mask = np.zeros(self.model.fields[field_name].cardinal, dtype=np.bool_)
        codes = rows.codes[0]
        hit = (codes >= 0) & ~np.isnan(truth) & (truth != 0)
        mask[codes[hit]] = True
        return mask


_SET_CACHE: _LRU[tuple[int, int, str], RecordSet] = _LRU(32)


def _only_own_state(expr: SetExpr) -> bool:
    """Whether a set depends on nothing but the object's state (so results can be shared)."""
    if isinstance(expr, SetIdentifier):
        return expr.name in ("$", "1", "0") and all(
            m.value is None or _elements_own_state(m.value) for m in expr.modifiers
        )
    if isinstance(expr, SetOp):
        return _only_own_state(expr.left) and _only_own_state(expr.right)
    if isinstance(expr, SetComplement):
        return _only_own_state(expr.operand)
    return False


def _elements_own_state(expr: ElementSet) -> bool:
    if isinstance(expr, ElementField):
        return expr.state in (None, "$")
    if isinstance(expr, ElementFunction):
        return expr.set_expr is None or _only_own_state(expr.set_expr)
    if isinstance(expr, ElementOp):
        return _elements_own_state(expr.left) and _elements_own_state(expr.right)
    if isinstance(expr, ElementComplement):
        return _elements_own_state(expr.operand)
    return True


def uses_other_states(text: str) -> bool:
    """Whether an expression's sets name anything but `$`/`1`/`0` (other states, history,
    bookmarks): its result then depends on more than the object's own selection."""
    if "{" not in text:
        return False
    try:
        expr = parse_expression(text)
    except ScriptError:
        return True  # e.g. text with `$(...)`: assume the worst
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Call):
            if node.set_expr is not None and not _only_own_state(node.set_expr):
                return True
            stack.extend(node.args)
        else:
            stack.extend(children(node))
    return False


# -- dollar expansion and parsing ------------------------------------------------------------


class _ExpandedVariables(Mapping[str, str]):
    """Variables for `$(name)`: a definition starting with `=` expands to its value."""

    def __init__(self, ctx: ChartContext) -> None:
        self.ctx = ctx

    def __getitem__(self, key: str) -> str:
        text = self.ctx.variables[key]
        if text.lstrip().startswith("="):
            return _value_text(evaluate_value(text, self.ctx))
        return text

    def __iter__(self) -> Iterator[str]:
        return iter(self.ctx.variables)

    def __len__(self) -> int:
        return len(self.ctx.variables)


def expand(text: str, ctx: ChartContext) -> str:
    """`text` after `$(...)` expansion (variables, `$(=expr)`, `$(v(a,b))`)."""
    if "$(" not in text:
        return text
    try:
        expansion = expand_dollars(
            text,
            0,
            len(text),
            _ExpandedVariables(ctx),
            LineIndex(text),
            lambda inner: _value_text(evaluate_value(inner, ctx)),
        )
    except ScriptError as error:
        raise ChartError(text, error.message) from error
    return expansion.text


def parse_chart_expression(text: str, ctx: ChartContext) -> Expr:
    return parse_expression(expand(text, ctx))


def _value_text(value: Dual) -> str:
    shown = value.display(format_number)
    return "" if shown is None else shown


# -- dimensions and chart rows ----------------------------------------------------------------


@dataclass(frozen=True)
class ChartDimension:
    """A field dimension (`field`) or a calculated one (`expr`, with its `label` text)."""

    field: str | None = None
    expr: Expr | None = None
    label: str = ""

    @property
    def fields(self) -> list[str]:
        if self.field is not None:
            return [self.field]
        assert self.expr is not None
        return _dimension_fields(self.expr)


def _dimension_fields(expr: Expr) -> list[str]:
    """The fields a calculated dimension varies over (for Aggr: its dimensions)."""
    if isinstance(expr, Call) and expr.upper == "AGGR":
        return [_aggr_dimension(a) for a in expr.args[1:]]
    return field_names(expr)


def _aggr_dimension(arg: Expr) -> str:
    if not isinstance(arg, FieldRef):
        raise ChartError(print_expression(arg), "Aggr() dimensions must be field names")
    return arg.name


@dataclass
class ChartRows:
    """Rows of a chart: per dimension a value code per row (-1 = NULL).

    For a field dimension the code is the symbol index; for a calculated dimension an index
    into `values[d]` (the distinct values it took).
    """

    dims: list[ChartDimension]
    codes: list[IntArray]
    values: list[Duals | None]
    count: int
    # star rows: per record set, the center table and the row of each of its possible records
    centers: list[tuple[str, RecordSet, IntArray]] = field(default_factory=list)

    def center_rows(self, table: str, records: RecordSet) -> IntArray | None:
        for center, known, ids in self.centers:
            if center == table and known is records:
                return ids
        return None

    def dim_values(self, d: int) -> Duals:
        return _code_values(self, d, self.codes[d])


def _code_values(rows: ChartRows, d: int, codes: IntArray) -> Duals:
    values = rows.values[d]
    if values is None:
        raise ChartError(str(d), "field dimension values need the model")
    safe = np.maximum(codes, 0)
    out = values.take(safe) if len(values) else Duals.null(len(codes))
    text = out.text.copy()
    text[codes < 0] = None
    return Duals(np.where(codes >= 0, out.num, np.nan), text)


def field_dimension_values(model: DataModel, name: str) -> Duals:
    symbols = model.fields[name].symbols
    return Duals.of_symbols(list(symbols.texts), symbols.numbers, np.arange(len(symbols)))


def chart_rows(
    ctx: ChartContext,
    dims: Sequence[ChartDimension],
    base: RecordSet | None = None,
    extra_fields: Sequence[str] = (),
    extra_sets: Sequence[RecordSet] = (),
) -> ChartRows:
    """Distinct dimension-value combinations among the associated records of `base`.

    `extra_fields` (the measures' fields) join their tables in, so records without a partner
    give NULL dimension rows; `extra_sets` add the combinations of other record sets.
    """
    base = base if base is not None else ctx.base
    dims = list(dims)
    if not dims:
        return ChartRows([], [], [], 1)
    model = ctx.model
    dim_fields = list(dict.fromkeys(f for d in dims for f in d.fields))
    for name in dim_fields:
        if name not in model.fields:
            raise ChartError(name, f"Field not found: {name}")
    all_fields = list(dict.fromkeys([*dim_fields, *(f for f in extra_fields if f in model.fields)]))
    keys = {d.field for d in dims if d.field is not None and model.fields[d.field].is_key}
    parts: list[list[npt.NDArray[np.integer]]] = []
    values: list[Duals | None] = []
    spans: list[tuple[str, RecordSet, int, int]] = []  # star parts: table, set, start, size
    offset = 0
    for records in [base, *extra_sets]:
        star = _star_rows(ctx, dims, records, list(extra_fields))
        if star is not None:
            table, columns_ = star
            spans.append((table, records, offset, len(records.row_numbers(table))))
            parts.append(columns_)
            offset += len(columns_[0])
            values = [None] * len(dims)
            continue
        assoc = associate(model, Inference(records.rows, {}), all_fields, keys)
        columns: list[npt.NDArray[np.integer]] = []
        values = []
        for dim in dims:
            if dim.field is not None:
                columns.append(assoc.values[dim.field].astype(np.int64))
                values.append(None)
            else:
                symbols = [assoc.values[f] for f in dim.fields]
                code, distinct = _calculated_codes(ctx, dim, records, symbols)
                columns.append(code)
                values.append(distinct)
        parts.append(columns)
        offset += assoc.size
    if len(parts) > 1 and any(v is not None for v in values):
        parts = parts[:1]  # calculated values are coded per set: keep the base rows only
    merged = [
        np.concatenate([p[d] for p in parts]) if len(parts) > 1 else parts[0][d]
        for d in range(len(dims))
    ]
    groups = group_rows([c.astype(np.int32, copy=False) for c in merged], len(merged[0]))
    codes, ids = _null_last(groups.dim_symbols, groups.ids)
    values = [
        v if v is not None else field_dimension_values(model, d.field or "")
        for v, d in zip(values, dims, strict=True)
    ]
    centers = [(t, r, ids[start : start + size]) for t, r, start, size in spans]
    return ChartRows(dims, codes, values, groups.count, centers)


def _null_last(
    symbols: Sequence[npt.NDArray[np.int32]], ids: IntArray
) -> tuple[list[IntArray], IntArray]:
    """Rows in load order of the dimension values with NULL last (group_rows puts NULL
    first); `ids` renumbered to match."""
    codes = [s.astype(np.int64) for s in symbols]
    if not codes or not any(bool((c < 0).any()) for c in codes):
        return codes, ids
    keys = [np.where(c < 0, np.iinfo(np.int64).max, c) for c in codes]
    order = np.lexsort(keys[::-1])
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return [c[order] for c in codes], rank[ids]


def _star_rows(
    ctx: ChartContext, dims: list[ChartDimension], records: RecordSet, extra: list[str]
) -> tuple[str, list[npt.NDArray[np.integer]]] | None:
    """Dimension tuples of the outer join, computed without joining, when the tables form a
    star: one center table holds the measure fields, each dimension is in it or in a table
    linked to it by one key, many-to-one. The tuples are the center's possible rows
    projected, plus the dimension tables' possible rows without a partner (NULL elsewhere).
    None when the shape does not fit (the caller joins)."""
    model = ctx.model
    known = [f for f in extra if f in model.fields]
    if not known or any(d.field is None for d in dims):
        return None
    center = _record_table(model, known)
    if center is None:
        return None
    fields = [d.field or "" for d in dims]
    sides: dict[str, str] = {}  # dimension table -> key shared with the center
    for name in fields:
        tables = set(model.fields[name].tables)
        if tables == {center}:
            continue
        others = tables - {center}
        if len(others) != 1:
            return None
        side = next(iter(others))
        shared = set(model.tables[center].field_names) & set(model.tables[side].field_names)
        if len(shared) != 1:
            return None
        sides[side] = next(iter(shared))
    codes = _project(ctx, records, center, fields)
    if codes is None:
        return None
    parts = [codes]
    for side, key in sides.items():
        orphans = _orphans(model, records, center, side, key)
        columns = model.tables[side].columns
        parts.append(
            [
                columns[f][orphans] if f in columns else np.full(len(orphans), -1, np.int32)
                for f in fields
            ]
        )
    if len(parts) == 1:
        return center, codes
    return center, [np.concatenate([p[d] for p in parts]) for d in range(len(fields))]


def _orphans(model: DataModel, records: RecordSet, center: str, side: str, key: str) -> IntArray:
    """Possible rows of `side` whose key no possible row of `center` has."""
    present = np.zeros(model.fields[key].cardinal + 1, dtype=np.bool_)
    present[records.column(model, center, key)] = True
    present[-1] = False
    side_rows = records.row_numbers(side)
    return np.asarray(side_rows[~present[records.column(model, side, key)]], dtype=np.int64)


def _calculated_codes(
    ctx: ChartContext, dim: ChartDimension, base: RecordSet, symbols: list[npt.NDArray[np.int32]]
) -> tuple[IntArray, Duals]:
    """Per association row the code of the calculated dimension's value; the distinct values.

    The expression is evaluated once per distinct combination of the fields it uses, in a
    sub-chart whose dimensions are those fields (so Aggr(...) and plain scalar expressions
    both work).
    """
    assert dim.expr is not None
    field_dims = [ChartDimension(f) for f in dim.fields]
    if not field_dims:
        raise ChartError(print_expression(dim.expr), "A calculated dimension must use a field")
    sub = chart_rows(ctx, field_dims, base)
    per_row = ChartEvaluator(ctx, sub, base).eval(dim.expr)
    codes, _ = value_codes(per_row)
    distinct_rows = _first_of_each(codes)
    distinct = per_row.take(distinct_rows)
    remap = np.full(int(codes.max()) + 2 if len(codes) else 1, -1, dtype=np.int64)
    remap[codes[distinct_rows]] = np.arange(len(distinct_rows))
    row_code = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
    index = RowIndex(sub.codes, [ctx.model.fields[f].cardinal for f in dim.fields])
    sub_row = index.lookup([s.astype(np.int64) for s in symbols])
    return np.where(sub_row >= 0, row_code[np.maximum(sub_row, 0)], -1), distinct


def _first_of_each(codes: IntArray) -> IntArray:
    """Row of the first occurrence of each code >= 0, ordered by code."""
    valid = np.flatnonzero(codes >= 0)
    _, first = np.unique(codes[valid], return_index=True)
    return np.asarray(valid[first], dtype=np.int64)


class RowIndex:
    """Finds the row of a tuple of dimension codes (mixed-radix keys, binary search)."""

    def __init__(self, codes: Sequence[IntArray], cardinals: Sequence[int]) -> None:
        self.radices = [
            max(int(c.max()) + 2 if len(c) else 1, k + 1, 1)
            for c, k in zip(codes, cardinals, strict=True)
        ]
        self.big = _product(self.radices) >= 1 << 62
        n = len(codes[0]) if codes else 1
        keys = self._keys(codes, n)
        span = _product(self.radices)
        self.dense: IntArray | None = None
        if span <= max(_DENSE_INDEX, 4 * n):
            self.dense = np.full(span, -1, dtype=np.int64)
            self.dense[keys] = np.arange(n, dtype=np.int64)
        self.order = np.argsort(keys, kind="stable")
        self.sorted = keys[self.order]

    def _keys(self, codes: Sequence[IntArray], n: int) -> IntArray:
        if self.big:
            raise ChartError("", "too many dimension combinations")
        key = np.zeros(n, dtype=np.int64)
        for column, radix in zip(codes, self.radices, strict=True):
            key = key * radix + (column + 1)
        return key

    def lookup(self, codes: Sequence[IntArray]) -> IntArray:
        """Row per tuple; -1 where the tuple is not a row."""
        n = len(codes[0]) if codes else 0
        if not codes:
            return np.zeros(n, dtype=np.int64)
        radices_ok = np.ones(n, dtype=bool)
        for column, radix in zip(codes, self.radices, strict=True):
            radices_ok &= column + 1 < radix
        key = self._keys([np.where(radices_ok, c, -1) for c in codes], n)
        if self.dense is not None:
            return np.where(radices_ok, self.dense[key], -1)
        pos = np.searchsorted(self.sorted, key)
        pos = np.minimum(pos, max(len(self.sorted) - 1, 0))
        if not len(self.sorted):
            return np.full(n, -1, dtype=np.int64)
        found = (self.sorted[pos] == key) & radices_ok
        return np.where(found, self.order[pos], -1).astype(np.int64)


def _product(values: Sequence[int]) -> int:
    out = 1
    for v in values:
        out *= v
    return out


# -- records: where an aggregation's argument is evaluated ----------------------------------


class RecordEvaluator(Evaluator):
    """Evaluates an aggregation's argument per record: field symbols given per field."""

    def __init__(
        self, ctx: ChartContext, symbols: Mapping[str, npt.NDArray[np.integer]], n: int
    ) -> None:
        super().__init__(n, ctx.functions)
        self.ctx = ctx
        self.symbols = symbols

    def _symbols(self, node: FieldRef) -> npt.NDArray[np.integer]:
        found = self.symbols.get(node.name)
        if found is None:
            raise ExpressionError(node.name, f"Field not found: {node.name}", node.pos)
        return found

    def field(self, node: FieldRef) -> Duals:
        index = np.asarray(self._symbols(node), dtype=np.int64)
        info = self.ctx.model.fields.get(node.name)
        if info is None:
            return Duals.null(len(index))
        table = info.symbols
        return Duals.of_symbols(_texts(table), table.numbers, index)

    def field_numbers(self, node: FieldRef) -> npt.NDArray[np.float64]:
        index = self._symbols(node)
        info = self.ctx.model.fields.get(node.name)
        numbers_ = info.symbols.numbers if info is not None else np.zeros(0)
        if not len(numbers_):
            return np.full(len(index), np.nan)
        padded = np.append(numbers_, np.nan)
        return np.asarray(padded[index], dtype=np.float64)  # -1 (NULL) reads the final NaN


_TEXT_CACHE: dict[int, npt.NDArray[np.object_]] = {}


def _texts(table: object) -> npt.NDArray[np.object_]:
    """Symbol texts as an object array, kept per symbol table."""
    key = id(table)
    cached = _TEXT_CACHE.get(key)
    texts = getattr(table, "texts")  # noqa: B009
    if cached is None or len(cached) != len(texts):
        cached = np.empty(len(texts), dtype=object)
        cached[:] = list(texts)
        if len(_TEXT_CACHE) > 256:
            _TEXT_CACHE.clear()
        _TEXT_CACHE[key] = cached
    return cached


@dataclass
class Records:
    """Records to aggregate: per needed field its symbols, the chart row (group) of each."""

    symbols: Mapping[str, npt.NDArray[np.integer]]
    groups: IntArray
    n: int


# -- chart evaluation ------------------------------------------------------------------------


class ChartEvaluator(Evaluator):
    """One value per chart row; aggregations run over the records of their set."""

    def __init__(self, ctx: ChartContext, rows: ChartRows, base: RecordSet | None = None) -> None:
        super().__init__(rows.count, ctx.functions)
        self.ctx = ctx
        self.rows = rows
        self.base = base if base is not None else ctx.base
        self._index: dict[tuple[int, ...], tuple[RowIndex, IntArray, int]] = {}

    # fields outside aggregations: the row's dimension value, else Only(field)
    def field(self, node: FieldRef) -> Duals:
        for d, dim in enumerate(self.rows.dims):
            if dim.field == node.name:
                return self.rows.dim_values(d)
        if node.name not in self.ctx.model.fields:
            text = self.ctx.variables.get(node.name)
            if text is not None:
                return _variable_value(text, self.ctx, self.n)
            raise ExpressionError(node.name, f"Field not found: {node.name}", node.pos)
        return self.aggregation(Call("Only", (node,), pos=node.pos))

    def special(self, node: Call) -> Duals | None:
        if node.upper not in _INTER_RECORD:
            return None
        return inter_record(self, node)

    def aggregation(self, node: Call) -> Duals:
        if node.upper == "AGGR":
            return self.aggr(node, Call("Only", (node,), pos=node.pos), nodistinct=True)
        low, high = AGGREGATIONS[node.upper]
        check_arity(node, low, high)
        _no_nested(node)
        records = self._records(node.set_expr)
        first = node.args[0]
        if isinstance(first, Call) and first.upper == "AGGR":
            return self.aggr(first, node, nodistinct=first.distinct is False)
        needed = [f for a in node.args for f in field_names(a)]
        model = self.ctx.model
        retained = self._linked(self._retained(node), needed)
        index, partial_of_row, n_partial = self._partial(retained)
        if any(name not in model.fields for name in needed):
            # an unknown field aggregates nothing (Sum 0, Avg NULL), as in Qlik
            rec = Records({f: np.zeros(0, np.int64) for f in needed}, np.zeros(0, np.int64), 0)
        elif not needed and not isinstance(first, Star):
            rec = Records({}, np.arange(n_partial, dtype=np.int64), n_partial)
        else:
            rec = gather_records(self.ctx, records, self.rows, retained, index, needed)
        evaluator = RecordEvaluator(self.ctx, rec.symbols, len(rec.groups))
        result = _aggregate(node, evaluator, rec.groups, n_partial)
        return result.take(partial_of_row)

    def _records(self, expr: SetExpr | None) -> RecordSet:
        """The records of a set; without one, this evaluator's own base."""
        return self.base if expr is None else self.ctx.set_records(expr)

    def _linked(self, retained: list[int], needed: list[str]) -> list[int]:
        """Dimensions linked to the argument's tables; others do not split it (islands)."""
        model = self.ctx.model
        known = [f for f in needed if f in model.fields]
        if not known or not retained:
            return retained
        tables = _component(model, model.fields[known[0]].tables[0])
        return [
            d
            for d in retained
            if all(tables & set(model.fields[f].tables) for f in self.rows.dims[d].fields)
        ]

    def _retained(self, node: Call) -> list[int]:
        if node.total_fields is None:
            return list(range(len(self.rows.dims)))
        names = set(node.total_fields)
        return [
            d for d, dim in enumerate(self.rows.dims) if dim.field in names or dim.label in names
        ]

    def _partial(self, retained: list[int]) -> tuple[RowIndex, IntArray, int]:
        """Rows grouped by the retained dimensions only (TOTAL): index, row -> group, count."""
        key = tuple(retained)
        cached = self._index.get(key)
        if cached is not None:
            return cached
        codes = [self.rows.codes[d] for d in retained]
        if not retained:
            result = (RowIndex([], []), np.zeros(self.n, dtype=np.int64), 1)
        elif len(retained) == len(self.rows.dims):
            cardinals = [self._cardinal(d) for d in retained]
            result = (RowIndex(codes, cardinals), np.arange(self.n, dtype=np.int64), self.n)
        else:
            grouped = group_rows([c.astype(np.int32) for c in codes], self.n)
            partial = [s.astype(np.int64) for s in grouped.dim_symbols]
            cardinals = [self._cardinal(d) for d in retained]
            result = (RowIndex(partial, cardinals), grouped.ids, grouped.count)
        self._index[key] = result
        return result

    def _cardinal(self, d: int) -> int:
        values = self.rows.values[d]
        return len(values) if values is not None else 0

    # -- Aggr ------------------------------------------------------------------------------
    def aggr(self, aggr: Call, outer: Call, nodistinct: bool) -> Duals:
        """`outer` (an aggregation) over the values of `aggr` on its own dimensions."""
        if len(aggr.args) < 2:
            raise ExpressionError(aggr.name, "Aggr() needs an expression and a dimension", aggr.pos)
        records = self._records(outer.set_expr if outer is not aggr else None)
        dims = [ChartDimension(_aggr_dimension(a)) for a in aggr.args[1:]]
        inner_fields = [f for f in field_names(aggr.args[0]) if f in self.ctx.model.fields]
        inner_rows = chart_rows(self.ctx, dims, records, inner_fields)
        inner = ChartEvaluator(self.ctx, inner_rows, records)
        values = inner.eval(aggr.args[0])
        retained = self._retained(outer)
        index, partial_of_row, n_partial = self._partial(retained)
        inner_of, group_of = self._aggr_pairs(inner_rows, retained, index, records, nodistinct)
        picked = values.take(inner_of)
        groups = group_of
        extra = [inner.eval(a) for a in outer.args[1:]] if outer.upper != "ONLY" else []
        extra = [e.take(inner_of) for e in extra]
        result = aggregate_values(
            outer.upper, picked, extra, groups, n_partial, bool(outer.distinct), None, outer.name
        )
        return result.take(partial_of_row)

    def _aggr_pairs(
        self,
        inner: ChartRows,
        retained: list[int],
        index: RowIndex,
        records: RecordSet,
        nodistinct: bool,
    ) -> tuple[IntArray, IntArray]:
        """(inner row, outer group) pairs: the chart rows each Aggr row is associated with."""
        outer_dims = [self.rows.dims[d] for d in retained]
        if not outer_dims:
            return np.arange(inner.count, dtype=np.int64), np.zeros(inner.count, dtype=np.int64)
        inner_fields = [d.field for d in inner.dims if d.field is not None]
        if all(d.field in inner_fields for d in outer_dims):
            codes = [inner.codes[inner_fields.index(d.field)] for d in outer_dims if d.field]
            group = index.lookup(codes)
            keep = np.flatnonzero(group >= 0)
            return keep.astype(np.int64), group[keep]
        both = ChartRows(
            outer_dims + inner.dims,
            [],
            [self.rows.values[d] for d in retained] + inner.values,
            0,
        )
        joined = chart_rows(self.ctx, both.dims, records)
        k = len(outer_dims)
        group = index.lookup(joined.codes[:k])
        inner_index = RowIndex(inner.codes, [len(v) if v is not None else 0 for v in inner.values])
        inner_row = inner_index.lookup(joined.codes[k:])
        ok = (group >= 0) & (inner_row >= 0)
        group, inner_row = group[ok], inner_row[ok]
        if not nodistinct:
            # DISTINCT (the default): each Aggr row belongs to one chart row only
            _, first = np.unique(inner_row, return_index=True)
            group, inner_row = group[first], inner_row[first]
        return inner_row.astype(np.int64), group.astype(np.int64)


_COMPONENTS: dict[tuple[int, str], frozenset[str]] = {}


def _component(model: DataModel, table: str) -> frozenset[str]:
    key = (model.version, table)
    found = _COMPONENTS.get(key)
    if found is None:
        found = frozenset(component(model, table))
        if len(_COMPONENTS) > 1024:
            _COMPONENTS.clear()
        _COMPONENTS[key] = found
    return found


def _aggregate(node: Call, rows: RecordEvaluator, groups: IntArray, n_groups: int) -> Duals:
    first = node.args[0]
    if node.upper == "COUNT" and isinstance(first, FieldRef) and first.name in rows.symbols:
        # Count(field) needs only which records have a value: no texts are built
        symbols = np.asarray(rows.symbols[first.name], dtype=np.int64)
        if node.distinct:
            width = (
                rows.ctx.model.fields[first.name].cardinal
                if first.name in rows.ctx.model.fields
                else 0
            )
            ids, _ = unique_pairs(groups, n_groups, symbols, width)
        else:
            ids = groups[symbols >= 0]
        return Duals.of_numbers(np.bincount(ids, minlength=n_groups).astype(np.float64))
    if isinstance(first, Star):
        values = Duals.of_numbers(np.zeros(rows.n))
        codes = None
    elif node.upper in _NUMERIC_ARG:
        values = Duals.of_numbers(rows.eval_numbers(first))
        codes = rows.symbols.get(first.name) if isinstance(first, FieldRef) else None
    else:
        values = rows.eval(first)
        codes = rows.symbols.get(first.name) if isinstance(first, FieldRef) else None
    extra = [rows.eval(a) for a in node.args[1:]]
    code_array = None if codes is None else np.asarray(codes, dtype=np.int64)
    return aggregate_values(
        node.upper, values, extra, groups, n_groups, bool(node.distinct), code_array, node.name
    )


def _variable_value(text: str, ctx: ChartContext, n: int) -> Duals:
    if text.lstrip().startswith("="):
        value = evaluate_value(text, ctx)
        return Duals.of_value(value, n)
    try:
        return Duals(np.full(n, float(text)), np.full(n, text, dtype=object))
    except ValueError:
        return Duals.of_value(text, n)


# -- gathering records ------------------------------------------------------------------------


def gather_records(
    ctx: ChartContext,
    records: RecordSet,
    rows: ChartRows,
    retained: list[int],
    index: RowIndex,
    needed: list[str],
) -> Records:
    """The records behind an aggregation with the chart row (partial group) of each."""
    model = ctx.model
    table = _record_table(model, needed)
    dims = [rows.dims[d] for d in retained]
    if table is None or not all(d.field is not None for d in dims):
        return _joined_records(ctx, records, rows, retained, index, needed)
    fields = list(dict.fromkeys(needed))
    known = rows.center_rows(table, records) if len(retained) == len(rows.dims) else None
    if known is not None:
        # the chart rows were made from these very records: their row ids are known
        symbols = {f: records.column(model, table, f) for f in fields}
        return Records(symbols, known, len(known))
    codes = _project(ctx, records, table, [d.field for d in dims if d.field])
    if codes is None:
        return _joined_records(ctx, records, rows, retained, index, needed)
    n = len(records.row_numbers(table))
    if not dims:
        symbols = {f: records.column(model, table, f) for f in fields}
        return Records(symbols, np.zeros(n, np.int64), n)
    group = index.lookup([c.astype(np.int64, copy=False) for c in codes])
    keep = np.flatnonzero(group >= 0)
    if len(keep) == n:
        symbols = {f: records.column(model, table, f) for f in fields}
        return Records(symbols, group, n)
    symbols = {f: records.column(model, table, f)[keep] for f in fields}
    return Records(symbols, group[keep], len(keep))


def _record_table(model: DataModel, needed: list[str]) -> str | None:
    """The largest table holding every needed field (Count(*): the largest table)."""
    if not needed:
        return max(model.tables, key=lambda t: model.tables[t].n_rows) if model.tables else None
    candidates = set(model.fields[needed[0]].tables)
    for name in needed[1:]:
        candidates &= set(model.fields[name].tables)
    if not candidates:
        return None
    return max(sorted(candidates), key=lambda t: model.tables[t].n_rows)


def _project(
    ctx: ChartContext, records: RecordSet, table: str, dim_fields: list[str]
) -> list[npt.NDArray[np.integer]] | None:
    """Each possible row's symbol of every dimension field (rows in `records.row_numbers`
    order), when every dimension is in the table or reached through many-to-one single-key
    links; else None."""
    model = ctx.model
    codes: list[npt.NDArray[np.integer]] = []
    for name in dim_fields:
        if name in model.tables[table].columns:
            codes.append(records.column(model, table, name))
            continue
        mapping = _key_mapping(model, records, table, name)
        if mapping is None:
            return None
        key, lookup = mapping
        memo_key = ("projected", table, name)
        found = records.memo.get(memo_key)
        if found is None:
            found = lookup[records.column(model, table, key)]  # NULL key: the -1 at the end
            records.memo[memo_key] = found
        codes.append(found)
    return codes


_MAPPING_CACHE: dict[tuple[int, int, str, str], tuple[str, npt.NDArray[np.int32]] | None] = {}


def _key_mapping(
    model: DataModel, records: RecordSet, table: str, name: str
) -> tuple[str, npt.NDArray[np.int32]] | None:
    """(key field of `table`, key symbol -> symbol of `name`) along a many-to-one path."""
    cache_key = (model.version, id(records.rows), table, name)
    if cache_key in _MAPPING_CACHE:
        return _MAPPING_CACHE[cache_key]
    path = _path(model, table, name)
    result: tuple[str, npt.NDArray[np.int32]] | None = None
    if path is not None:
        result = _compose(model, records, path, name)
    if len(_MAPPING_CACHE) > 256:
        _MAPPING_CACHE.clear()
    _MAPPING_CACHE[cache_key] = result
    return result


def _path(model: DataModel, start: str, name: str) -> list[tuple[str, str]] | None:
    """[(key field, next table), ...] from `start` to the nearest table holding `name`."""
    parent: dict[str, tuple[str, str] | None] = {start: None}
    queue = deque([start])
    while queue:
        table = queue.popleft()
        if table != start and name in model.tables[table].columns:
            steps: list[tuple[str, str]] = []
            while (link := parent[table]) is not None:
                steps.append((link[0], table))
                table = link[1]
            return steps[::-1]
        for other_field in model.tables[table].field_names:
            for other in model.fields[other_field].tables:
                if other in parent:
                    continue
                shared = set(model.tables[table].field_names) & set(model.tables[other].field_names)
                if len(shared) != 1:
                    continue  # synthetic-key links are left to the join
                parent[other] = (other_field, table)
                queue.append(other)
    return None


def _compose(
    model: DataModel, records: RecordSet, path: list[tuple[str, str]], name: str
) -> tuple[str, npt.NDArray[np.int32]] | None:
    """Walk the path backwards building key-symbol -> dimension-symbol maps."""
    last_key, last_table = path[-1]
    lookup = _many_to_one(
        model, records, last_table, last_key, model.tables[last_table].columns[name]
    )
    if lookup is None:
        return None
    for (key, table), (next_key, _) in zip(reversed(path[:-1]), reversed(path[1:]), strict=True):
        through = lookup[model.tables[table].columns[next_key].astype(np.int64)]
        lookup = _many_to_one(model, records, table, key, through)
        if lookup is None:
            return None
    return path[0][0], lookup


def _many_to_one(
    model: DataModel,
    records: RecordSet,
    table: str,
    key: str,
    values: npt.NDArray[np.integer],
) -> npt.NDArray[np.int32] | None:
    """key symbol -> value over the table's possible rows (size cardinal + 1, last = -1);
    None when one key symbol has several values."""
    rows = records.rows[table]
    key_column = model.tables[table].columns[key].astype(np.int64)
    keys, vals = key_column[rows], np.asarray(values)[rows].astype(np.int32)
    size = model.fields[key].cardinal
    lookup = np.full(size + 1, -1, dtype=np.int32)
    valid = keys >= 0
    keys, vals = keys[valid], vals[valid]
    lookup[keys] = vals
    if not np.array_equal(lookup[keys], vals):
        return None
    lookup[-1] = -1
    return lookup


def _joined_records(
    ctx: ChartContext,
    records: RecordSet,
    rows: ChartRows,
    retained: list[int],
    index: RowIndex,
    needed: list[str],
) -> Records:
    """General case: join the tables of the dimensions and the argument's fields."""
    model = ctx.model
    dims = [rows.dims[d] for d in retained]
    dim_fields = list(dict.fromkeys(f for d in dims for f in d.fields))
    fields = list(dict.fromkeys(dim_fields + needed))
    keys = {d.field for d in dims if d.field is not None and model.fields[d.field].is_key}
    assoc = associate(model, Inference(records.rows, {}), fields, keys)
    codes: list[IntArray] = []
    for d, dim in zip(retained, dims, strict=True):
        if dim.field is not None:
            codes.append(assoc.values[dim.field].astype(np.int64))
        else:
            codes.append(_recode_calculated(ctx, rows, d, assoc.values, records))
    group = index.lookup(codes) if dims else np.zeros(assoc.size, dtype=np.int64)
    tables = list(dict.fromkeys(assoc.field_tables[f] for f in needed)) or list(assoc.rows)[:1]
    present = np.ones(assoc.size, dtype=bool)
    for t in tables:
        present &= assoc.rows[t] >= 0
    keep = np.flatnonzero((group >= 0) & present)
    keep = _once_per_row(keep, group, [assoc.rows[t] for t in tables], model, tables)
    symbols = {f: assoc.values[f][keep] for f in dict.fromkeys(needed)}
    return Records(symbols, group[keep], len(keep))


def _once_per_row(
    keep: IntArray,
    group: IntArray,
    table_rows: list[IntArray],
    model: DataModel,
    tables: list[str],
) -> IntArray:
    """Combinations kept so that each record (tuple of table rows) counts once per row."""
    if not len(keep):
        return keep
    key = np.zeros(len(keep), dtype=np.int64)
    for rows_, t in zip(table_rows, tables, strict=True):
        key = key * (model.tables[t].n_rows + 1) + rows_[keep] + 1
    if len(tables) == 1:
        ids, recs = unique_pairs(group[keep], int(group.max()) + 1, key, int(key.max()) + 1)
        # back to positions: first combination of each (group, record)
        pair_key = group[keep] * (int(key.max()) + 1) + key
        wanted = ids * (int(key.max()) + 1) + recs
        order = np.argsort(pair_key, kind="stable")
        pos = np.searchsorted(pair_key[order], wanted)
        return np.asarray(keep[order[pos]], dtype=np.int64)
    combined = np.stack([group[keep], key], axis=1)
    _, first = np.unique(combined, axis=0, return_index=True)
    return np.asarray(keep[np.sort(first)], dtype=np.int64)


def _recode_calculated(
    ctx: ChartContext,
    rows: ChartRows,
    d: int,
    values: Mapping[str, npt.NDArray[np.int32]],
    records: RecordSet,
) -> IntArray:
    """Codes of calculated dimension d (as in `rows`) for joined combinations."""
    dim = rows.dims[d]
    codes, distinct = _calculated_codes(ctx, dim, records, [values[f] for f in dim.fields])
    known = rows.values[d]
    if known is None:
        return codes
    # map this evaluation's distinct values onto the chart's codes by value
    ours, _ = value_codes(Duals.concat([known, distinct]))
    theirs = ours[: len(known)]
    lookup = np.full(int(ours.max()) + 2 if len(ours) else 1, -1, dtype=np.int64)
    lookup[theirs[theirs >= 0]] = np.flatnonzero(theirs >= 0)
    mine = ours[len(known) :]
    mapped = np.where(mine >= 0, lookup[np.maximum(mine, 0)], -1)
    return np.where(codes >= 0, mapped[np.maximum(codes, 0)], -1)


# -- inter-record functions -----------------------------------------------------------------


def _segments(ev: ChartEvaluator, total: bool) -> IntArray:
    """Column segment of each row: rows with equal values in all dimensions but the last."""
    dims = ev.rows.codes
    if total or len(dims) <= 1:
        return np.zeros(ev.n, dtype=np.int64)
    grouped = group_rows([c.astype(np.int32) for c in dims[:-1]], ev.n)
    return grouped.ids


def inter_record(ev: ChartEvaluator, node: Call) -> Duals:
    name = node.upper
    total = node.total
    n = ev.n
    if name == "ROWNO":
        seg = _segments(ev, total)
        return Duals.of_numbers(_position_in_segment(seg) + 1.0)
    if name == "COLUMNNO":
        return Duals.of_numbers(np.zeros(n))
    if name == "DIMENSIONALITY":
        return Duals.of_numbers(np.full(n, float(len(ev.rows.dims))))
    if name == "SECONDARYDIMENSIONALITY":
        return Duals.of_numbers(np.zeros(n))
    if not node.args:
        raise ExpressionError(node.name, f"{node.name}() needs an argument", node.pos)
    values = ev.eval(node.args[0])
    seg = _segments(ev, total)
    if name == "RANK":
        return _rank(values, seg)
    offset = 1
    if len(node.args) > 1:
        arg = numbers(ev.eval(node.args[1]))
        offset = int(arg[0]) if len(arg) and arg[0] == arg[0] else 1
    shift = -offset if name == "ABOVE" else offset
    order = np.lexsort((np.arange(n), seg))
    sorted_seg = seg[order]
    target = np.arange(n) + shift
    ok = (target >= 0) & (target < n)
    ok[ok] &= sorted_seg[np.clip(target[ok], 0, n - 1)] == sorted_seg[ok]
    out = Duals.null(n)
    rows_sorted = order[ok]
    src = order[target[ok]]
    out.num[rows_sorted] = values.num[src]
    out.text[rows_sorted] = values.text[src]
    return out


def _position_in_segment(seg: IntArray) -> npt.NDArray[np.float64]:
    order = np.lexsort((np.arange(len(seg)), seg))
    sorted_seg = seg[order]
    starts = (
        np.flatnonzero(np.insert(sorted_seg[1:] != sorted_seg[:-1], 0, True)) if len(seg) else seg
    )
    start_of = np.zeros(len(seg), dtype=np.int64)
    if len(seg):
        start_of[starts] = starts
        start_of = np.maximum.accumulate(start_of)
    pos = np.empty(len(seg), dtype=np.float64)
    pos[order] = np.arange(len(seg)) - start_of
    return pos


def _rank(values: Duals, seg: IntArray) -> Duals:
    """Highest value ranks 1; equal values share the lowest rank number of their group."""
    num = values.num
    out = np.full(len(num), np.nan)
    ok = np.flatnonzero(~np.isnan(num))
    for s in np.unique(seg[ok]).tolist():
        members = ok[seg[ok] == s]
        vals = num[members]
        ordered = np.sort(vals)[::-1]
        out[members] = np.searchsorted(-ordered, -vals, side="left") + 1.0
    return Duals.of_numbers(out)


# -- single values -----------------------------------------------------------------------------


def evaluate_value(expression: str | Expr, ctx: ChartContext) -> Dual:
    """One value of an expression without dimensions (`$(...)` expanded first)."""
    expr = parse_chart_expression(expression, ctx) if isinstance(expression, str) else expression
    result = ChartEvaluator(ctx, ChartRows([], [], [], 1)).eval(expr)
    return result.item(0) if len(result) else NULL


def evaluate_text(expression: str | Expr, ctx: ChartContext) -> str:
    """The text of `evaluate_value` ('-' for NULL, numbers auto-formatted)."""
    shown = evaluate_value(expression, ctx).display(format_number)
    return "-" if shown is None else shown

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
table's key symbols when the link is many-to-one (star and snowflake schemas: projection.py),
else the tables are joined (objects/associations.py). Inter-record functions: interrecord.py.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from openqix.calc import parallel
from openqix.calc.aggregate import AGGREGATIONS, aggregate_values, unique_pairs, value_codes
from openqix.calc.errors import CalcError
from openqix.calc.evaluate import (
    Evaluator,
    ExpressionError,
    _no_nested,
    check_arity,
    numbers_only,
)
from openqix.calc.format import format_number
from openqix.calc.functions._common import numbers
from openqix.calc.functions.registry import FunctionContext
from openqix.calc.interrecord import INTER_RECORD, inter_record, is_window, range_call
from openqix.calc.projection import RowIndex, null_last, project, record_table, star_rows
from openqix.calc.setanalysis import RecordSet, evaluate_set, record_set
from openqix.calc.values import NULL, Dual, Duals
from openqix.engine.inference import Inference
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
    Number,
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
BoolMask = npt.NDArray[np.bool_]
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
    _numbers: dict[tuple[str, int, str], tuple[RecordSet, npt.NDArray[np.float64]]] = field(
        default_factory=dict, repr=False
    )
    state_name: str = "$"  # the object's state; `state` is its selections

    def identifier(self, name: str) -> SelectionState | None:
        """A set identifier's selections. `$` is the default state (Qlik's "Set
        identifiers"), which is the object's own state unless it is an alternate one."""
        if name == "$" and (self.state_name == "$" or self.identifiers is None):
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
        shared = self.state_name == "$" and _only_own_state(expr)
        key = (self.model.version, self.state.version, text)
        found = _SET_CACHE.get(key) if shared else None
        if found is None:
            found = evaluate_set(expr, self, self._per_value)
            if shared:
                _SET_CACHE.put(key, found)
        if _same_selection(found, self.base):
            found = self.base  # e.g. {<F=>} while F has no selection: share the base's work
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


class _SetCache:
    """Records of recent sets, shared by sessions (a set depends only on model + state)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[int, int, str], RecordSet] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, int, str]) -> RecordSet | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[int, int, str], value: RecordSet) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_SET_CACHE = _SetCache(8)


def _same_selection(a: RecordSet, b: RecordSet) -> bool:
    """Whether two record sets come from the same field selections."""
    if a.masks is None or b.masks is None or a.masks.keys() != b.masks.keys():
        return False
    return all(np.array_equal(a.masks[k], b.masks[k]) for k in a.masks)


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
    base_values: list[Duals | None] = [None] * len(dims)
    offset = 0
    sets = [base]
    for extra in extra_sets:
        if all(extra is not known for known in sets):
            sets.append(extra)  # each set once: a set may be the base itself
    for records in sets:
        fields = [d.field for d in dims if d.field is not None]
        star = star_rows(
            model, fields if len(fields) == len(dims) else None, records, list(extra_fields)
        )
        if star is not None:
            table, columns_ = star
            spans.append((table, records, offset, records.count(table)))
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
        if records is base:
            base_values = list(values)
    if len(parts) > 1 and any(d.field is None for d in dims):
        parts, values = parts[:1], base_values  # calculated values are coded per set
    merged = [
        np.concatenate([p[d] for p in parts]) if len(parts) > 1 else parts[0][d]
        for d in range(len(dims))
    ]
    groups = group_rows([c.astype(np.int32, copy=False) for c in merged], len(merged[0]))
    codes, ids = null_last(groups.dim_symbols, groups.ids)
    values = [
        v if v is not None else field_dimension_values(model, d.field or "")
        for v, d in zip(values, dims, strict=True)
    ]
    centers = [(t, r, ids[start : start + size]) for t, r, start, size in spans]
    return ChartRows(dims, codes, values, groups.count, centers)


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


# -- records: where an aggregation's argument is evaluated ----------------------------------


class RecordEvaluator(Evaluator):
    """Evaluates an aggregation's argument per record: field symbols given per field."""

    def __init__(
        self,
        ctx: ChartContext,
        symbols: Mapping[str, npt.NDArray[np.integer]],
        n: int,
        whole: tuple[str, RecordSet] | None = None,
    ) -> None:
        super().__init__(n, ctx.functions)
        self.ctx = ctx
        self.symbols = symbols
        self.whole = whole

    def eval_numbers(self, expr: Expr) -> npt.NDArray[np.float64]:
        """Numbers of an argument; over all records of a table they are computed once per
        context (a measure and its grand total share them)."""
        if self.whole is None or isinstance(expr, Number | FieldRef):
            return super().eval_numbers(expr)
        table, records = self.whole
        key = (table, id(records), print_expression(expr))
        entry = self.ctx._numbers.get(key)
        if entry is not None and entry[0] is records:  # the set itself is kept: ids stay valid
            return entry[1]
        found = self._chunked_numbers(expr)
        self.ctx._numbers[key] = (records, found)
        return found

    def _chunked_numbers(self, expr: Expr) -> npt.NDArray[np.float64]:
        """eval_numbers over chunks of the records on the thread pool (long tables)."""
        if len(parallel.chunks(self.n)) == 1:
            return super().eval_numbers(expr)
        out = np.empty(self.n, dtype=np.float64)

        def part(lo: int, hi: int) -> None:
            symbols = {f: s[lo:hi] for f, s in self.symbols.items()}
            out[lo:hi] = RecordEvaluator(self.ctx, symbols, hi - lo).eval_numbers(expr)

        parallel.map_chunks(part, self.n)
        return out

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
        return Duals.of_symbols(_texts(self.ctx.model, node.name), table.numbers, index)

    def field_numbers(self, node: FieldRef) -> npt.NDArray[np.float64]:
        index = self._symbols(node)
        info = self.ctx.model.fields.get(node.name)
        numbers_ = info.symbols.numbers if info is not None else np.zeros(0)
        if not len(numbers_):
            return np.full(len(index), np.nan)
        padded = np.append(numbers_, np.nan)
        return np.asarray(padded[index], dtype=np.float64)  # -1 (NULL) reads the final NaN


_TEXT_CACHE: dict[tuple[int, str], npt.NDArray[np.object_]] = {}


def _texts(model: DataModel, name: str) -> npt.NDArray[np.object_]:
    """Symbol texts of a field as an object array, kept per (model version, field)."""
    key = (model.version, name)
    cached = _TEXT_CACHE.get(key)
    if cached is None:
        texts = model.fields[name].symbols.texts
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
    # all possible records of one table, in row order: argument values can be shared
    whole: tuple[str, RecordSet] | None = None


# -- chart evaluation ------------------------------------------------------------------------


class ChartEvaluator(Evaluator):
    """One value per chart row; aggregations run over the records of their set."""

    def __init__(self, ctx: ChartContext, rows: ChartRows, base: RecordSet | None = None) -> None:
        super().__init__(rows.count, ctx.functions)
        self.ctx = ctx
        self.rows = rows
        self.base = base if base is not None else ctx.base
        self._index: dict[tuple[int, ...], tuple[RowIndex, IntArray, int]] = {}
        # the chart's measures, for Column(n) (a hypercube sets them)
        self.columns: Sequence[Expr | None] = ()
        self.evaluating_columns: set[int] = set()
        # the chart's rows as displayed (sorted, suppressed rows left out) and the dimensions
        # (indices into rows.codes) whose values bound a column segment; a hypercube sets them
        # for the inter-record functions, None keeps the dimension order (calc/interrecord.py)
        self.display: IntArray | None = None
        self.segment_dims: Sequence[int] | None = None

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
        if node.upper.startswith("RANGE") and any(is_window(a) for a in node.args):
            return range_call(self, node)
        if node.upper not in INTER_RECORD:
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
        evaluator = RecordEvaluator(self.ctx, rec.symbols, len(rec.groups), rec.whole)
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
        own = aggr.set_expr if aggr.set_expr is not None else None
        records = self._records(own if own is not None or outer is aggr else outer.set_expr)
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
        values = numbers_only(np.zeros(rows.n))
        codes = None
    elif node.upper in _NUMERIC_ARG:
        values = numbers_only(rows.eval_numbers(first))
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
    table = record_table(model, needed)
    dims = [rows.dims[d] for d in retained]
    if table is None or not all(d.field is not None for d in dims):
        return _joined_records(ctx, records, rows, retained, index, needed)
    fields = list(dict.fromkeys(needed))
    known = rows.center_rows(table, records) if len(retained) == len(rows.dims) else None
    if known is not None:
        # the chart rows were made from these very records: their row ids are known
        symbols = {f: records.column(model, table, f) for f in fields}
        return Records(symbols, known, len(known), (table, records))
    codes = project(ctx.model, records, table, [d.field for d in dims if d.field])
    if codes is None:
        return _joined_records(ctx, records, rows, retained, index, needed)
    n = records.count(table)
    if not dims:
        symbols = {f: records.column(model, table, f) for f in fields}
        return Records(symbols, np.zeros(n, np.int64), n, (table, records))
    group = index.lookup([c.astype(np.int64, copy=False) for c in codes])
    keep = np.flatnonzero(group >= 0)
    if len(keep) == n:
        symbols = {f: records.column(model, table, f) for f in fields}
        return Records(symbols, group, n, (table, records))
    symbols = {f: records.column(model, table, f)[keep] for f in fields}
    return Records(symbols, group[keep], len(keep))


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

"""Script-only functions and the evaluators of LOAD expressions.

`ScriptEvaluator` is the shared row evaluator (calc/evaluate.py) plus the functions that only
exist in a load script and need the reload's state or their unevaluated arguments: ApplyMap,
MapSubString, Peek, Previous, RowNo, RecNo, IterNo, Exists, Lookup, FieldValue,
FieldValueCount, NoOfRows, NoOfFields, NoOfTables, TableName, TableNumber, FieldName,
FieldNumber, FileName, FileBaseName, FileExtension, FilePath, FileSize, FileTime, FileDir,
AutoNumber, AutoNumberHash128, AutoNumberHash256. All are vectorised: constant arguments are
resolved once, per-value work loops over distinct values only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from openqix.calc.aggregate import AGGREGATION_NAMES, aggregate_values
from openqix.calc.evaluate import (
    ExpressionError,
    GroupedEvaluator,
    RowEvaluator,
    contains_aggregation,
)
from openqix.calc.functions._common import display_objects
from openqix.calc.functions.registry import FunctionContext, ScalarFunction
from openqix.calc.values import NULL, Dual, Duals, FloatArray, object_array
from openqix.engine.model import Column
from openqix.lang.expression import Call, FieldRef, Star, String
from openqix.script.tables import (
    Frame,
    IntArray,
    STable,
    TableSet,
    concat_duals,
    first_occurrence,
    take_or_null,
    value_codes,
)


@dataclass
class MapTable:
    """A mapping table: keys and values (first two fields of a Mapping LOAD)."""

    keys: Duals
    values: Duals
    _by_number: dict[float, int] | None = None
    _by_text: dict[str, int] | None = None

    def find(self, number: float, text: str | None) -> int:
        if self._by_number is None or self._by_text is None:
            self._by_number = {}
            self._by_text = {}
            texts = display_objects(self.keys).tolist()
            for i, (num, key) in enumerate(zip(self.keys.num.tolist(), texts, strict=True)):
                if num == num:
                    self._by_number.setdefault(num, i)
                if key is not None:
                    self._by_text.setdefault(key, i)
        if number == number and number in self._by_number:
            return self._by_number[number]
        if text is not None:
            return self._by_text.get(text, -1)
        return -1


@dataclass
class GrowingTable:
    """The rows a LOAD has produced so far, for `Peek` on the table being built when a field
    refers to earlier output rows (evaluated row by row)."""

    names: list[str]
    rows: dict[str, list[Dual]] = field(default_factory=dict)
    n: int = 0

    def add(self, values: dict[str, Dual]) -> None:
        for name in self.names:
            self.rows.setdefault(name, []).append(values.get(name, NULL))
        self.n += 1


@dataclass
class ScriptState:
    """What script functions read from the running reload."""

    tables: TableSet
    mappings: dict[str, MapTable] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    context: FunctionContext = field(default_factory=FunctionContext)
    autonumbers: dict[str, dict[object, int]] = field(default_factory=dict)
    current_file: Path | None = None
    current_table: str | None = None  # the table the running LOAD appends to
    building: GrowingTable | None = None  # set while a LOAD runs row by row
    reload_time: float = field(default_factory=lambda: _serial(dt.datetime.now().timestamp()))
    _field_values: dict[str, tuple[int, Duals]] = field(default_factory=dict)

    def field_values(self, name: str) -> Duals:
        """Distinct values of a field over every table so far, in load order."""
        cached = self._field_values.get(name)
        if cached is not None and cached[0] == self.tables.version:
            return cached[1]
        parts = [t.column(name) for t in self.tables.field_tables(name)]
        if not parts:
            values = Duals.null(0)
        else:
            values = concat_duals(parts)
            codes, k = value_codes(values)
            keep = first_occurrence(codes, k)
            values = values.take(keep)
            values = values.take(np.flatnonzero(~values.is_null))
        self._field_values[name] = (self.tables.version, values)
        return values


@dataclass
class LoadEnv:
    """The RowEnv of one LOAD step: source columns, record numbers, iteration numbers."""

    frame: Frame
    state: ScriptState
    recno: IntArray | None = None
    iterno: IntArray | None = None
    rowno_base: int | None = 0  # None: RowNo() is 0 (a lower preceding load)
    output_fields: frozenset[str] = frozenset()

    @property
    def n(self) -> int:
        return self.frame.n

    @property
    def context(self) -> FunctionContext:
        return self.state.context

    def field(self, name: str) -> Duals:
        column = self.frame.columns.get(name)
        if column is None:
            raise ExpressionError(name, f"Field '{name}' not found")
        return column

    def variable(self, name: str) -> str | None:
        return self.state.variables.get(name)

    def function(self, name: str) -> ScalarFunction | None:
        return None


Special = Callable[["ScriptEvaluator", Call], Duals]
_SPECIALS: dict[str, Special] = {}


def _special(*names: str) -> Callable[[Special], Special]:
    def deco(fn: Special) -> Special:
        for name in names:
            _SPECIALS[name.upper()] = fn
        return fn

    return deco


def refers_to_output(expr: object, outputs: frozenset[str]) -> bool:
    """Whether `expr` peeks at a field of the LOAD being built (`Peek('Total')`)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Call):
            if node.upper == "PEEK" and node.args and len(node.args) < 3:
                first = node.args[0]
                name = first.value if isinstance(first, String) else None
                if isinstance(first, FieldRef):
                    name = first.name
                if name in outputs:
                    return True
            stack.extend(node.args)
        else:
            stack.extend(
                getattr(node, attr) for attr in ("left", "right", "operand") if hasattr(node, attr)
            )
    return False


def script_function_names() -> list[str]:
    return sorted(_SPECIALS)


class ScriptEvaluator(RowEvaluator):
    def __init__(self, env: LoadEnv) -> None:
        super().__init__(env)
        self.load = env

    def special(self, node: Call) -> Duals | None:
        handler = _SPECIALS.get(node.upper)
        if handler is None:
            return None
        return handler(self, node)

    def field_numbers(self, node: FieldRef) -> FloatArray:
        """Numbers straight from a column as read (no texts built): Sum(V), V * 2 ..."""
        frame = self.load.frame
        if node.name in frame.columns:
            raw = frame.raw(node.name)
            if isinstance(raw, Column):
                return np.asarray(raw.numbers, dtype=np.float64)
        return super().field_numbers(node)

    def field(self, node: FieldRef) -> Duals:
        try:
            return super().field(node)
        except ExpressionError as error:
            if error.offset >= 0:
                raise
            raise ExpressionError(node.name, f"Field '{node.name}' not found", node.pos) from None

    # -- argument helpers -----------------------------------------------------------------------
    def arity(self, node: Call, low: int, high: int) -> None:
        count = len(node.args)
        if not low <= count <= high:
            raise ExpressionError(
                node.name,
                f"Wrong number of arguments to {node.name}(): {count}, expected {low} to {high}",
                node.pos,
            )

    def const_text(self, node: Call, index: int, default: str | None = None) -> str | None:
        """An argument that must be the same on every row (a name, a row number...)."""
        if index >= len(node.args):
            return default
        arg = node.args[index]
        if isinstance(arg, String):
            return arg.value
        value = Evaluator1(self).eval(arg)
        texts = display_objects(value)
        return None if texts[0] is None else str(texts[0])

    def const_number(self, node: Call, index: int, default: float) -> float:
        text = self.const_text(node, index)
        if text is None:
            return default
        try:
            return float(text)
        except ValueError:
            return float("nan")

    def name_arg(self, node: Call, index: int) -> str:
        """A field name given as `'F'` or as a bare field reference `F`."""
        arg = node.args[index]
        if isinstance(arg, FieldRef):
            return arg.name
        text = self.const_text(node, index)
        if text is None:
            raise ExpressionError(node.name, f"{node.name}() needs a field name", node.pos)
        return text

    def table(self, node: Call, name: str | None) -> STable | None:
        if name is None:
            name = self.load.state.current_table
        return None if name is None else self.load.state.tables.get(name)

    def constant(self, value: Duals | float | str | None) -> Duals:
        if isinstance(value, Duals):
            return Duals(np.full(self.n, value.num[0]), np.full(self.n, value.text[0], object))
        return Duals.of_value(value, self.n)


class Evaluator1(RowEvaluator):
    """One-row evaluation of constant arguments (no fields)."""

    def __init__(self, outer: ScriptEvaluator) -> None:
        super().__init__(LoadEnv(Frame([], {}, 1), outer.load.state))
        self.outer = outer

    def special(self, node: Call) -> Duals | None:
        handler = _SPECIALS.get(node.upper)
        if handler is None:
            return None
        return handler(ScriptEvaluator(LoadEnv(Frame([], {}, 1), self.outer.load.state)), node)


class ScriptGrouped(GroupedEvaluator):
    """GROUP BY evaluation whose rows know the script functions."""

    def __init__(self, env: LoadEnv, groups: IntArray, n_groups: int) -> None:
        super().__init__(env, groups, n_groups)
        self.rows = ScriptEvaluator(env)
        self.load = env

    def aggregation(self, node: Call) -> Duals:
        """DISTINCT aggregations of one argument get their value codes here (bounded integers
        are range-encoded, the rest hashed by pyarrow) instead of by sorting."""
        arg = node.args[0] if len(node.args) == 1 else None
        if (
            node.distinct
            and arg is not None
            and not isinstance(arg, Star)
            and node.set_expr is None
            and not node.total
            and not contains_aggregation(arg)
            and node.upper in AGGREGATION_NAMES
            and node.upper != "AGGR"
        ):
            values = self._distinct_values(arg)
            codes, _ = value_codes(values)
            codes = np.where(values.is_null, -1, codes)
            return aggregate_values(
                node.upper, values, [], self.groups, self.n, True, codes, node.name
            )
        return super().aggregation(node)

    def _distinct_values(self, arg: object) -> Duals:
        if isinstance(arg, FieldRef) and arg.name in self.load.frame.columns:
            raw = self.load.frame.raw(arg.name)
            if isinstance(raw, Column) and not np.isnan(raw.numbers).any():
                return Duals.of_numbers(raw.numbers)  # all numbers: identity by number
        return self.rows.eval(arg)  # type: ignore[arg-type]


# -- mapping ---------------------------------------------------------------------------------
def _mapping(ev: ScriptEvaluator, node: Call) -> MapTable:
    name = ev.const_text(node, 0) or ""
    table = ev.load.state.mappings.get(name)
    if table is None:
        raise ExpressionError(name, f"Mapping table not found: {name}", node.pos)
    return table


@_special("ApplyMap")
def _apply_map(ev: ScriptEvaluator, node: Call) -> Duals:
    ev.arity(node, 2, 3)
    table = _mapping(ev, node)
    values = ev.eval(node.args[1])
    if ev.n == 0:
        return values
    codes, k = value_codes(values)
    firsts = first_occurrence(codes, k)
    texts = display_objects(values)
    lookup = np.full(k, -1, dtype=np.int64)
    nums = values.num
    for row in firsts.tolist():
        lookup[codes[row]] = table.find(float(nums[row]), texts[row])
    index = lookup[codes]
    mapped = take_or_null(table.values, index)
    missing = index < 0
    if not missing.any():
        return mapped
    fallback = ev.eval(node.args[2]) if len(node.args) > 2 else values
    return Duals(
        np.where(missing, fallback.num, mapped.num),
        np.where(missing, fallback.text, mapped.text).astype(object),
    )


@_special("MapSubString")
def _map_substring(ev: ScriptEvaluator, node: Call) -> Duals:
    ev.arity(node, 2, 2)
    table = _mapping(ev, node)
    values = display_objects(ev.eval(node.args[1]))
    keys = [str(k) for k in display_objects(table.keys).tolist() if k]
    replacement = {}
    for key, value in zip(
        display_objects(table.keys).tolist(), display_objects(table.values).tolist(), strict=True
    ):
        if key and key not in replacement:
            replacement[key] = "" if value is None else str(value)
    if not keys:
        return Duals.of_texts(values)
    pattern = re.compile("|".join(re.escape(k) for k in sorted(set(keys), key=len, reverse=True)))
    out = np.empty(len(values), dtype=object)
    cache: dict[str, str] = {}
    for i, text in enumerate(values.tolist()):
        if text is None:
            out[i] = None
            continue
        done = cache.get(text)
        if done is None:
            done = pattern.sub(lambda m: replacement[m.group()], text)
            cache[text] = done
        out[i] = done
    return Duals.of_texts(out)


# -- inter-record functions -------------------------------------------------------------------
@_special("Previous")
def _previous(ev: ScriptEvaluator, node: Call) -> Duals:
    ev.arity(node, 1, 1)
    values = ev.eval(node.args[0])
    index = np.arange(-1, ev.n - 1, dtype=np.int64)
    return take_or_null(values, index)


@_special("RowNo")
def _rowno(ev: ScriptEvaluator, node: Call) -> Duals:
    base = ev.load.rowno_base
    if base is None:
        return Duals.of_numbers(np.zeros(ev.n))
    return Duals.of_numbers(np.arange(base + 1, base + ev.n + 1, dtype=np.float64))


@_special("RecNo")
def _recno(ev: ScriptEvaluator, node: Call) -> Duals:
    recno = ev.load.recno
    if recno is None:
        return Duals.of_numbers(np.arange(1, ev.n + 1, dtype=np.float64))
    return Duals.of_numbers(recno.astype(np.float64))


@_special("IterNo")
def _iterno(ev: ScriptEvaluator, node: Call) -> Duals:
    iterno = ev.load.iterno
    if iterno is None:
        return Duals.of_numbers(np.ones(ev.n))
    return Duals.of_numbers(iterno.astype(np.float64))


@_special("Peek")
def _peek(ev: ScriptEvaluator, node: Call) -> Duals:
    ev.arity(node, 1, 3)
    name = ev.name_arg(node, 0)
    row = ev.const_number(node, 1, -1.0)
    table_name = ev.const_text(node, 2)
    building = ev.load.state.building
    if building is not None and table_name is None and name in building.names:
        at = int(row) if row >= 0 else building.n + int(row)
        if row != row or not 0 <= at < building.n:
            return Duals.null(ev.n)
        value = building.rows[name][at]
        return Duals(np.full(ev.n, value.num), np.full(ev.n, value.text, dtype=object))
    table = ev.table(node, table_name)
    if table is None or name not in table.parts or row != row:
        return Duals.null(ev.n)
    index = int(row) if row >= 0 else table.n + int(row)
    if not 0 <= index < table.n:
        return Duals.null(ev.n)
    return ev.constant(table.column(name).take(np.array([index])))


@_special("Exists")
def _exists(ev: ScriptEvaluator, node: Call) -> Duals:
    ev.arity(node, 1, 2)
    name = ev.name_arg(node, 0)
    values = ev.eval(node.args[1]) if len(node.args) > 1 else ev.load.field(name)
    prior = ev.load.state.field_values(name)
    both = concat_duals([prior, values]) if len(prior) else values
    codes, k = value_codes(both)
    seen = np.zeros(k, dtype=bool)
    seen[codes[: len(prior)]] = True
    mine = codes[len(prior) :]
    result = seen[mine] & ~values.is_null
    if name in ev.load.output_fields and len(mine):
        first = np.full(k, len(mine), dtype=np.int64)
        np.minimum.at(first, mine, np.arange(len(mine), dtype=np.int64))
        result |= first[mine] < np.arange(len(mine))
    return Duals.of_numbers(np.where(result, -1.0, 0.0))


@_special("Lookup")
def _lookup(ev: ScriptEvaluator, node: Call) -> Duals:
    ev.arity(node, 3, 4)
    wanted = ev.const_text(node, 0) or ""
    match = ev.const_text(node, 1) or ""
    table = ev.table(node, ev.const_text(node, 3))
    values = ev.eval(node.args[2])
    if table is None or wanted not in table.parts or match not in table.parts:
        return Duals.null(ev.n)
    keys = table.column(match)
    both = concat_duals([keys, values])
    codes, k = value_codes(both)
    first = np.full(k, -1, dtype=np.int64)
    key_codes = codes[: len(keys)]
    first[key_codes[::-1]] = np.arange(len(keys) - 1, -1, -1, dtype=np.int64)
    return take_or_null(table.column(wanted), first[codes[len(keys) :]])


# -- model introspection ----------------------------------------------------------------------
@_special("FieldValue")
def _field_value(ev: ScriptEvaluator, node: Call) -> Duals:
    ev.arity(node, 2, 2)
    values = ev.load.state.field_values(ev.name_arg(node, 0))
    numbers = ev.eval(node.args[1]).num
    index = np.where(np.isnan(numbers), -1, numbers - 1).astype(np.int64)
    index[(index < 0) | (index >= len(values))] = -1
    return take_or_null(values, index)


@_special("FieldValueCount")
def _field_value_count(ev: ScriptEvaluator, node: Call) -> Duals:
    ev.arity(node, 1, 1)
    return ev.constant(float(len(ev.load.state.field_values(ev.name_arg(node, 0)))))


@_special("NoOfRows")
def _no_of_rows(ev: ScriptEvaluator, node: Call) -> Duals:
    ev.arity(node, 1, 1)
    table = ev.load.state.tables.get(ev.const_text(node, 0) or "")
    return ev.constant(None if table is None else float(table.n))


@_special("NoOfFields")
def _no_of_fields(ev: ScriptEvaluator, node: Call) -> Duals:
    ev.arity(node, 1, 1)
    table = ev.load.state.tables.get(ev.const_text(node, 0) or "")
    return ev.constant(None if table is None else float(len(table.names)))


@_special("NoOfTables")
def _no_of_tables(ev: ScriptEvaluator, node: Call) -> Duals:
    ev.arity(node, 0, 0)
    return ev.constant(float(len(ev.load.state.tables.tables)))


@_special("TableName")
def _table_name(ev: ScriptEvaluator, node: Call) -> Duals:
    ev.arity(node, 1, 1)
    number = ev.const_number(node, 0, float("nan"))
    names = list(ev.load.state.tables.tables)
    if number != number or not 0 <= int(number) < len(names):
        return Duals.null(ev.n)
    return ev.constant(names[int(number)])


@_special("TableNumber")
def _table_number(ev: ScriptEvaluator, node: Call) -> Duals:
    ev.arity(node, 1, 1)
    names = list(ev.load.state.tables.tables)
    name = ev.const_text(node, 0)
    return ev.constant(float(names.index(name)) if name in names else None)


@_special("FieldName")
def _field_name(ev: ScriptEvaluator, node: Call) -> Duals:
    ev.arity(node, 2, 2)
    number = ev.const_number(node, 0, float("nan"))
    table = ev.load.state.tables.get(ev.const_text(node, 1) or "")
    if table is None or number != number or not 1 <= int(number) <= len(table.names):
        return Duals.null(ev.n)
    return ev.constant(table.names[int(number) - 1])


@_special("FieldNumber")
def _field_number(ev: ScriptEvaluator, node: Call) -> Duals:
    ev.arity(node, 2, 2)
    name = ev.const_text(node, 0)
    table = ev.load.state.tables.get(ev.const_text(node, 1) or "")
    if table is None or name not in table.names:
        return ev.constant(0.0)
    return ev.constant(float(table.names.index(name or "") + 1))


# -- files -------------------------------------------------------------------------------------
def _file_text(ev: ScriptEvaluator, node: Call, part: Callable[[Path], str | float]) -> Duals:
    ev.arity(node, 0, 0)
    path = ev.load.state.current_file
    if path is None:
        return Duals.null(ev.n)
    return ev.constant(part(path))


def _serial(timestamp: float) -> float:
    moment = dt.datetime.fromtimestamp(timestamp)
    return (moment - dt.datetime(1899, 12, 30)).total_seconds() / 86400.0


_FILE_PARTS: dict[str, Callable[[Path], str | float]] = {
    "FileName": lambda p: p.name,
    "FileBaseName": lambda p: p.stem,
    "FileExtension": lambda p: p.suffix.lstrip("."),
    "FilePath": lambda p: str(p),
    "FileDir": lambda p: str(p.parent),
    "FileSize": lambda p: float(p.stat().st_size),
    "FileTime": lambda p: _serial(p.stat().st_mtime),
}


def _file_special(part: Callable[[Path], str | float]) -> Special:
    return lambda ev, node: _file_text(ev, node, part)


for _name, _part in _FILE_PARTS.items():
    _SPECIALS[_name.upper()] = _file_special(_part)


@_special("ReloadTime")
def _reload_time(ev: ScriptEvaluator, node: Call) -> Duals:
    ev.arity(node, 0, 0)
    return ev.constant(ev.load.state.reload_time)


# -- AutoNumber ----------------------------------------------------------------------------------
def _autonumber_values(ev: ScriptEvaluator, counter: str, values: Duals) -> Duals:
    table = ev.load.state.autonumbers.setdefault(counter, {})
    if ev.n == 0:
        return Duals.null(0)
    codes, k = value_codes(values)
    texts = display_objects(values)
    lookup = np.full(k, np.nan)
    for row in first_occurrence(codes, k).tolist():
        num = float(values.num[row])
        key: object = num if num == num else texts[row]
        if key is None:
            continue
        number = table.get(key)
        if number is None:
            number = table[key] = len(table) + 1
        lookup[codes[row]] = number
    return Duals.of_numbers(lookup[codes])


@_special("AutoNumber")
def _autonumber(ev: ScriptEvaluator, node: Call) -> Duals:
    ev.arity(node, 1, 2)
    counter = ev.const_text(node, 1, "") or ""
    return _autonumber_values(ev, f"AutoNumber:{counter}", ev.eval(node.args[0]))


def _combined(ev: ScriptEvaluator, node: Call) -> Duals:
    if not node.args:
        raise ExpressionError(node.name, f"{node.name}() needs an argument", node.pos)
    texts = [display_objects(ev.eval(a)) for a in node.args]
    joined = np.empty(ev.n, dtype=object)
    joined[:] = [
        "\x1f".join("" if t is None else str(t) for t in row) for row in zip(*texts, strict=False)
    ]
    return Duals.of_texts(object_array(joined))


@_special("AutoNumberHash128")
def _autonumber_hash128(ev: ScriptEvaluator, node: Call) -> Duals:
    return _autonumber_values(ev, "AutoNumberHash128", _combined(ev, node))


@_special("AutoNumberHash256")
def _autonumber_hash256(ev: ScriptEvaluator, node: Call) -> Duals:
    return _autonumber_values(ev, "AutoNumberHash256", _combined(ev, node))


def evaluate_constant(expr: object, state: ScriptState) -> Duals:
    """An expression outside any LOAD (LET, IF, FOR ...): one row, no fields."""
    env = LoadEnv(Frame([], {}, 1), state)
    return ScriptEvaluator(env).eval(expr)  # type: ignore[arg-type]


__all__ = [
    "LoadEnv",
    "MapTable",
    "ScriptEvaluator",
    "ScriptGrouped",
    "ScriptState",
    "evaluate_constant",
    "script_function_names",
]

"""Set analysis: a set expression (`{$<Year={2020}>}`) to the records it covers.

A set identifier names a selection state (`$`, an alternate state, `$1` from the history, a
bookmark: the caller's `SetScope.identifier` resolves them; `1` is every record). Modifiers
replace or combine the selection of fields, then logical inference (engine/) gives the
possible rows of every table. Set operators combine those row masks table by table:
`+` union, `-` difference (unary: complement), `*` intersection, `/` symmetric difference.

Element values: numbers and unquoted words match values case-insensitively, `'x'` exactly,
`"x"`/`[x]` are searches (wildcards, `>10<20`, or `=expr` evaluated per value through the
caller's `per_value` callback).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from openqix.calc.errors import CalcError
from openqix.engine.inference import infer, possible_rows, possible_symbols, selection_masks
from openqix.engine.model import DataModel
from openqix.engine.search import match_symbols
from openqix.engine.selection import SelectionState
from openqix.engine.symbols import SymbolTable
from openqix.lang.expression import (
    Element,
    ElementComplement,
    ElementField,
    ElementFunction,
    ElementList,
    ElementOp,
    ElementSet,
    FieldModifier,
    SetComplement,
    SetExpr,
    SetIdentifier,
    SetOp,
)

BoolMask = npt.NDArray[np.bool_]


class SetAnalysisError(CalcError):
    """A set expression naming an unknown identifier or field."""


@dataclass(frozen=True)
class RecordSet:
    """The possible rows of every table; `masks` is the selection behind it when it is one."""

    rows: Mapping[str, BoolMask]
    masks: Mapping[str, BoolMask] | None = None
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def possible_symbols(self, model: DataModel, name: str) -> BoolMask:
        return possible_symbols(model, self.rows, name)

    def row_numbers(self, table: str) -> npt.NDArray[np.int64]:
        """Numbers of the table's possible rows (computed once per set)."""
        key = ("rows", table)
        found = self.memo.get(key)
        if found is None:
            found = np.flatnonzero(self.rows[table])
            self.memo[key] = found
        return found

    def count(self, table: str) -> int:
        """Number of possible rows of the table."""
        key = ("count", table)
        found = self.memo.get(key)
        if found is None:
            found = int(np.count_nonzero(self.rows[table]))
            self.memo[key] = found
        return int(found)

    def column(self, model: DataModel, table: str, name: str) -> npt.NDArray[np.integer[Any]]:
        """Symbols of field `name` in the table's possible rows (computed once per set)."""
        key = ("column", table, name)
        found = self.memo.get(key)
        if found is None:
            column = model.tables[table].columns[name]
            mask = self.rows[table]
            found = column if bool(mask.all()) else column[self.row_numbers(table)]
            self.memo[key] = found
        return found


class SetScope(Protocol):
    """What set analysis needs from the caller."""

    @property
    def model(self) -> DataModel: ...

    @property
    def state(self) -> SelectionState:
        """The object's own state (P() and E() without a set read it)."""
        ...

    def identifier(self, name: str) -> SelectionState | None:
        """`$` (the default state), `$1`/`$_1`, a state name or a bookmark id; None if unknown."""
        ...


PerValue = Callable[[str, str, RecordSet], BoolMask]  # (expression, field, base) -> mask


def record_set(model: DataModel, state: SelectionState) -> RecordSet:
    """The possible records of a selection state (inference is cached by the engine)."""
    masks = selection_masks(model, state.fields)
    return RecordSet(infer(model, state).possible_rows, masks)


def all_records(model: DataModel) -> RecordSet:
    return RecordSet({t: np.ones(model.tables[t].n_rows, dtype=np.bool_) for t in model.tables}, {})


def evaluate_set(expr: SetExpr, scope: SetScope, per_value: PerValue) -> RecordSet:
    """The records of a set expression."""
    model = scope.model
    if isinstance(expr, SetIdentifier):
        return _identifier(expr, scope, per_value)
    if isinstance(expr, SetComplement):
        inner = evaluate_set(expr.operand, scope, per_value)
        return RecordSet({t: ~m for t, m in inner.rows.items()})
    if isinstance(expr, SetOp):
        left = evaluate_set(expr.left, scope, per_value)
        right = evaluate_set(expr.right, scope, per_value)
        combine = _COMBINE[expr.op]
        return RecordSet({t: combine(left.rows[t], right.rows[t]) for t in model.tables})
    raise SetAnalysisError(type(expr).__name__, "Unsupported set expression")


_COMBINE: dict[str, Callable[[BoolMask, BoolMask], BoolMask]] = {
    "+": lambda a, b: a | b,
    "-": lambda a, b: a & ~b,
    "*": lambda a, b: a & b,
    "/": lambda a, b: a ^ b,
}


def _base(name: str, scope: SetScope) -> tuple[RecordSet, dict[str, BoolMask]]:
    model = scope.model
    if name == "1":
        return all_records(model), {}
    if name == "0":
        empty = {t: np.zeros(model.tables[t].n_rows, dtype=np.bool_) for t in model.tables}
        return RecordSet(empty), {}
    state = scope.identifier(name)
    if state is None:
        raise SetAnalysisError(name, f"Unknown set identifier: {name}")
    base = record_set(model, state)
    return base, dict(base.masks or {})


def _identifier(expr: SetIdentifier, scope: SetScope, per_value: PerValue) -> RecordSet:
    base, masks = _base(expr.name, scope)
    if not expr.modifiers:
        return base
    if expr.name == "0":
        return base
    for modifier in expr.modifiers:
        _modify(masks, modifier, base, scope, per_value)
    return RecordSet(possible_rows(scope.model, masks), masks)


def _field(model: DataModel, name: str) -> SymbolTable:
    info = model.fields.get(name)
    if info is None:
        raise SetAnalysisError(name, f"Field not found: {name}")
    return info.symbols


def _modify(
    masks: dict[str, BoolMask],
    modifier: FieldModifier,
    base: RecordSet,
    scope: SetScope,
    per_value: PerValue,
) -> None:
    model = scope.model
    symbols = _field(model, modifier.name)
    if modifier.value is None:
        masks.pop(modifier.name, None)
        return
    value = element_mask(modifier.value, modifier.name, base, masks, scope, per_value)
    current = masks.get(modifier.name)
    if current is None:
        current = np.ones(len(symbols), dtype=np.bool_)
    op = modifier.op
    if op == "=":
        masks[modifier.name] = value
    elif op == "+=":
        masks[modifier.name] = current | value
    elif op == "-=":
        masks[modifier.name] = current & ~value
    elif op == "*=":
        masks[modifier.name] = current & value
    else:
        masks[modifier.name] = current ^ value


def element_mask(
    expr: ElementSet,
    field: str,
    base: RecordSet,
    masks: Mapping[str, BoolMask],
    scope: SetScope,
    per_value: PerValue,
) -> BoolMask:
    """The values of `field` an element set stands for."""
    model = scope.model
    symbols = _field(model, field)
    if isinstance(expr, ElementList):
        out = np.zeros(len(symbols), dtype=np.bool_)
        for item in expr.items:
            out |= _element(item, field, symbols, base, per_value)
        return out
    if isinstance(expr, ElementComplement):
        return ~element_mask(expr.operand, field, base, masks, scope, per_value)
    if isinstance(expr, ElementOp):
        left = element_mask(expr.left, field, base, masks, scope, per_value)
        right = element_mask(expr.right, field, base, masks, scope, per_value)
        return _COMBINE[expr.op](left, right)
    if isinstance(expr, ElementField):
        return _other_field(expr, field, base, masks, scope)
    if isinstance(expr, ElementFunction):
        source = expr.field or field
        _field(model, source)
        inner = evaluate_set(expr.set_expr, scope, per_value) if expr.set_expr else None
        if inner is None:
            inner = record_set(model, scope.state)
        possible = inner.possible_symbols(model, source)
        chosen = possible if expr.func == "P" else ~possible
        return map_values(model, source, chosen, field)
    raise SetAnalysisError(field, "Unsupported element set")


def _other_field(
    expr: ElementField,
    field: str,
    base: RecordSet,
    masks: Mapping[str, BoolMask],
    scope: SetScope,
) -> BoolMask:
    """`<F = G>`: the selected (else possible) values of G; `State::G` in another state."""
    model = scope.model
    _field(model, expr.name)
    if expr.state is None:
        selected = masks.get(expr.name)
        mask = selected if selected is not None else base.possible_symbols(model, expr.name)
    else:
        state = scope.identifier(expr.state)
        if state is None:
            raise SetAnalysisError(expr.state, f"Unknown set identifier: {expr.state}")
        other = record_set(model, state)
        own = (other.masks or {}).get(expr.name)
        mask = own if own is not None else other.possible_symbols(model, expr.name)
    return map_values(model, expr.name, mask, field)


def map_values(model: DataModel, source: str, mask: BoolMask, target: str) -> BoolMask:
    """The symbols of `target` equal (by number, else text) to the chosen ones of `source`."""
    if source == target:
        return mask.copy()
    src, dst = model.fields[source].symbols, model.fields[target].symbols
    out = np.zeros(len(dst), dtype=np.bool_)
    for index in np.flatnonzero(mask).tolist():
        number = float(src.numbers[index])
        found = dst.find_text(src.texts[index]) if number != number else dst.find_number(number)
        if found is not None:
            out[found] = True
    return out


def _element(
    item: Element, field: str, symbols: SymbolTable, base: RecordSet, per_value: PerValue
) -> BoolMask:
    out = np.zeros(len(symbols), dtype=np.bool_)
    if item.kind == "literal":
        found = symbols.find_text(item.text)
        if found is not None:
            out[found] = True
        return out
    if item.kind == "search":
        text = item.text.strip()
        if text.startswith("="):
            return per_value(text[1:], field, base)
        out[match_symbols(symbols, item.text)] = True
        return out
    if item.kind == "number":
        found = symbols.find_number(float(item.text))
        if found is not None:
            out[found] = True
            return out
    wanted = item.text.lower()
    hits = [i for i, t in enumerate(symbols.texts) if t.lower() == wanted]
    out[hits] = True
    return out

"""Expressions outside hypercubes: checking them (CheckExpression), the fields they read, and
the `qStringExpression` / `qValueExpression` wrappers anywhere in an object's properties,
which its layout shows evaluated (sem §2.1), plus the `qVariableListDef` list.

Evaluation itself is a callable handed in (`Evaluate`: expression text and state name to a
Dual); this module only decides what is evaluated where and how results are shaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openqix.calc.chart import ChartContext, evaluate_value
from openqix.calc.errors import CalcError
from openqix.calc.format import FormatSettings
from openqix.calc.functions.registry import FunctionContext
from openqix.calc.values import Dual
from openqix.engine.model import DataModel
from openqix.engine.selection import SelectionState
from openqix.errors import NotFound, QixError
from openqix.lang.errors import ScriptError
from openqix.lang.expansion import Expansion, expand_dollars
from openqix.lang.expression import Call, Expr, FieldRef, children, parse_expression
from openqix.lang.tokenizer import tokenize_expression
from openqix.lang.tokens import LineIndex
from openqix.objects.generic import DEFAULT_STATE, effective_state
from openqix.objects.variables import VariableScope, is_expression, read_definition

Evaluate = Callable[[str, str], Dual]  # (expression text, state name) -> value

STRING_EXPRESSION = "qStringExpression"
VALUE_EXPRESSION = "qValueExpression"
TOO_DEEP = "Expression nested too deeply, or variables that refer to each other"


class ExpressionTooDeep(CalcError):
    """An expression nested too deeply, or `=` variables that expand each other without end."""


# -- $-expansion and checking -------------------------------------------------------------------


EvaluateText = Callable[[str], str]  # expression text -> the text of its value


class _ExpandedVariables(Mapping[str, str]):
    """Variables as `$(name)` sees them: a definition starting with `=` is evaluated."""

    def __init__(self, definitions: Mapping[str, str], evaluate_text: EvaluateText) -> None:
        self.definitions = definitions
        self.evaluate_text = evaluate_text

    def __getitem__(self, key: str) -> str:
        text = self.definitions[key]
        return self.evaluate_text(text) if is_expression(text) else text

    def __iter__(self) -> Iterator[str]:
        return iter(self.definitions)

    def __len__(self) -> int:
        return len(self.definitions)


def expand(
    text: str, variables: Mapping[str, str], evaluate_text: EvaluateText | None = None
) -> Expansion:
    """`text` with every `$(...)` replaced (raises a positioned ScriptError when malformed).
    With `evaluate_text`, `$(=expr)` and variables defined as `=expr` expand to their value;
    without it `$(=expr)` is an error and `=` definitions expand as written."""
    if "$(" not in text:
        return Expansion(text, [0], [0], [True], len(text))
    mapping = variables if evaluate_text is None else _ExpandedVariables(variables, evaluate_text)
    return expand_dollars(text, 0, len(text), mapping, LineIndex(text), evaluate_text)


@dataclass
class ExpressionCheck:
    """The result of CheckExpression: an error message and (offset, length) ranges of field
    names that do not exist (bad) or are read outside any aggregation (dangerous)."""

    error: str = ""
    bad: list[tuple[int, int]] = field(default_factory=list)
    dangerous: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class _Reference:
    name: str
    offset: int  # in the expanded text
    aggregated: bool


def _references(expr: Expr, aggregations: Container[str]) -> list[_Reference]:
    found: list[_Reference] = []
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, inside = stack.pop()
        if isinstance(node, FieldRef):
            found.append(_Reference(node.name, node.pos, inside))
        inner = inside or (isinstance(node, Call) and node.upper in aggregations)
        stack.extend((child, inner) for child in reversed(children(node)))
    return found


def check_expression(
    text: str,
    fields: Container[str],
    variables: Mapping[str, str],
    labels: Sequence[str] = (),
    aggregations: Container[str] = (),
    evaluate_text: EvaluateText | None = None,
) -> ExpressionCheck:
    """Check `text` as a chart expression over a model with `fields`; names that are
    variables or `labels` are not bad. Ranges are offsets in `text` as written."""
    try:
        expansion = expand(text, variables, evaluate_text)
        expr = parse_expression(expansion.text)
    except ScriptError as exc:
        return ExpressionCheck(error=exc.message)
    except QixError as exc:  # `$(=...)` that failed to evaluate
        return ExpressionCheck(error=exc.message or exc.parameter)
    except RecursionError:
        return ExpressionCheck(error=TOO_DEEP)
    lengths = {t.offset: t.length for t in tokenize_expression(expansion.text)}
    check = ExpressionCheck()
    for ref in _references(expr, aggregations):
        where = (expansion.original_offset(ref.offset), lengths.get(ref.offset, len(ref.name)))
        if ref.name in fields:
            if not ref.aggregated:
                check.dangerous.append(where)
        elif ref.name not in variables and ref.name not in labels:
            check.bad.append(where)
    if check.bad:
        names = sorted({text[a : a + n] for a, n in check.bad})
        check.error = "Bad field name(s): " + ", ".join(names)
    return check


def check_number_or_expression(
    text: str,
    fields: Container[str],
    variables: Mapping[str, str],
    evaluate_text: EvaluateText | None = None,
) -> ExpressionCheck:
    """A number is fine as it is; anything else is checked as an expression."""
    if read_definition(text).is_numeric:
        return ExpressionCheck()
    return check_expression(text, fields, variables, evaluate_text=evaluate_text)


def expression_fields(
    text: str, variables: Mapping[str, str], evaluate_text: EvaluateText | None = None
) -> list[str]:
    """The field names an expression reads (after $-expansion), in order of appearance;
    bare names that are variables are left out."""
    try:
        expr = parse_expression(expand(text, variables, evaluate_text).text)
    except RecursionError:
        raise ExpressionTooDeep(text, TOO_DEEP) from None
    found: dict[str, None] = {}
    for ref in _references(expr, ()):
        if ref.name not in variables:
            found.setdefault(ref.name)
    return list(found)


# -- layouts ---------------------------------------------------------------------------------


def has_expression_wrappers(properties: Any) -> bool:
    """Whether any qStringExpression / qValueExpression occurs (a cheap textual test)."""
    text = repr(properties)
    return "'qStringExpression'" in text or "'qValueExpression'" in text


def complete_layout(
    properties: Mapping[str, Any],
    layout: dict[str, Any],
    variables: VariableScope,
    evaluate: Evaluate,
    bookmark_list: Callable[[Mapping[str, Any]], list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """Add what `objects.generic.layout_of` leaves to the session: the variable and bookmark
    lists and the evaluated expression wrappers (in the object's own state)."""
    list_def = properties.get("qVariableListDef")
    if isinstance(list_def, Mapping):
        layout["qVariableList"] = {"qItems": variables.variable_list(list_def)}
    bookmark_def = properties.get("qBookmarkListDef")
    if isinstance(bookmark_def, Mapping) and bookmark_list is not None:
        layout["qBookmarkList"] = {"qItems": bookmark_list(bookmark_def)}
    if not has_expression_wrappers(properties):
        return layout
    state = effective_state(properties, {})
    result = evaluate_wrappers(layout, lambda text: evaluate(text, state))
    assert isinstance(result, dict)
    return result


def evaluate_wrappers(node: Any, evaluate: Callable[[str], Dual]) -> Any:
    """`node` with every `{"qStringExpression": ...}` / `{"qValueExpression": ...}` object
    replaced by its value: a string, or a number ("NaN" when there is none)."""
    if isinstance(node, list):
        return [evaluate_wrappers(item, evaluate) for item in node]
    if not isinstance(node, Mapping):
        return node
    for key, as_text in ((STRING_EXPRESSION, True), (VALUE_EXPRESSION, False)):
        if key in node:
            return _wrapper_value(node[key], as_text, evaluate)
    return {k: evaluate_wrappers(v, evaluate) for k, v in node.items()}


def wrapper_text(wrapper: Any) -> str:
    """The expression of a wrapper: `{"qExpr": "=..."}` or the short form `"=..."`."""
    if isinstance(wrapper, Mapping):
        wrapper = wrapper.get("qExpr", "")
    return wrapper if isinstance(wrapper, str) else ""


def _wrapper_value(wrapper: Any, as_text: bool, evaluate: Callable[[str], Dual]) -> Any:
    text = wrapper_text(wrapper)
    try:
        value = evaluate(text) if text.strip() else Dual(None, math.nan)
    except QixError as exc:
        return (exc.message or exc.parameter) if as_text else "NaN"
    if as_text:
        shown = value.display()
        return shown if shown is not None else ""
    return value.num if value.is_numeric else "NaN"


# -- evaluation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpressionEnv:
    """What a single-value evaluation needs from a session: the model, its selection states
    by name (`state_of` raises NotFound for an unknown one) and the variables in scope."""

    model: DataModel
    state_of: Callable[[str], SelectionState]
    variables: VariableScope
    # (bookmark id or title, state name) -> its selections of that state (docs/bookmarks.md)
    bookmark_of: Callable[[str, str], SelectionState | None] | None = None

    def chart_context(self, state_name: str = DEFAULT_STATE) -> ChartContext:
        """A chart context in `state_name`: other states resolve as set identifiers, the
        variables feed `$(...)` and the system variables the number formats."""
        definitions = self.variables.definitions()
        functions = FunctionContext(formats=FormatSettings.from_variables(definitions))
        return ChartContext(
            self.model,
            self.state_of(state_name),
            self._identifier,
            definitions,
            functions,
            state_name=state_name,
        )

    def evaluate(self, text: str, state_name: str = DEFAULT_STATE) -> Dual:
        """One value of `text` (a leading `=` optional) without dimensions, in a state."""
        try:
            return evaluate_value(text, self.chart_context(state_name))
        except RecursionError:
            raise ExpressionTooDeep(text, TOO_DEEP) from None

    def text(self, text: str, state_name: str = DEFAULT_STATE) -> str:
        """The text of a value as `$(=...)` substitutes it ("" for NULL)."""
        shown = self.evaluate(text, state_name).display()
        return "" if shown is None else shown

    def _identifier(self, name: str) -> SelectionState | None:
        """A state name or history step, else a bookmark by id or title: `BM01` is its
        default state's selections, `AltState::BM01` those of AltState."""
        try:
            return self.state_of(name)
        except NotFound:
            pass
        if self.bookmark_of is None:
            return None
        state, qualified, bookmark = name.rpartition("::")
        return self.bookmark_of(bookmark, state if qualified else DEFAULT_STATE)

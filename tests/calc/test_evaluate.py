"""Row evaluation: Qlik operator semantics (resolved Q3), NULL propagation, duals, errors,
and the grouped entry point of the script's GROUP BY."""

from __future__ import annotations

import math

import numpy as np
import pytest

from openqix.calc.evaluate import (
    ExpressionError,
    TableEnv,
    contains_aggregation,
    evaluate_grouped,
    evaluate_rows,
)
from openqix.calc.functions.registry import FunctionContext, ScalarFunction
from openqix.calc.values import Dual, Duals
from openqix.lang.expression import parse_expression

NAN = math.nan
ENV = TableEnv(
    {
        "n": Duals.of_numbers([1.0, 2.0, NAN, 4.0]),
        "t": Duals.of_texts(["x", "Y", None, "10"]),
        "d": Duals(
            np.array([1.0, 2.0, 3.0, NAN]), np.array(["Q1", "Q2", "Q3", None], dtype=object)
        ),
        "g": Duals.of_numbers([0.0, 0.0, 1.0, 1.0]),
    },
    4,
    variables={"vRate": "2", "vName": "abc"},
)


def one(text: str, env: TableEnv | None = None) -> Dual:
    """The value of a constant expression."""
    return evaluate_rows(parse_expression(text), env or TableEnv({}, 1)).item(0)


def same(a: Dual, b: Dual) -> bool:
    return a.text == b.text and (a.num == b.num or (math.isnan(a.num) and math.isnan(b.num)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", Dual(None, 7.0)),
        ("'a' & 1 + 2", Dual("a3", NAN)),
        ("1 + 2 = 3", Dual(None, -1.0)),
        ("not 1 = 2", Dual(None, -1.0)),
        ("2 and 3", Dual(None, -1.0)),
        ("(1 = 1) + 1", Dual(None, 0.0)),
        ("-1 xor -1", Dual(None, 0.0)),
        ("17 bitand 7", Dual(None, 1.0)),
        ("8 >> 2", Dual(None, 2.0)),
        ("1 << 31", Dual(None, -2147483648.0)),
        ("bitnot 0", Dual(None, -1.0)),
        ("'x' bitand 1", Dual(None, NAN)),
        ("'2' = 2.0", Dual(None, -1.0)),
        ("'01' = 1", Dual(None, -1.0)),
        ("'abc' = 'ABC'", Dual(None, 0.0)),
        ("' 11' precedes ' 2'", Dual(None, -1.0)),
        ("' 11' < ' 2'", Dual(None, 0.0)),
        ("'b' follows 'a'", Dual(None, -1.0)),
        ("'Apple' like 'a*'", Dual(None, -1.0)),
        ("'Apple' like '?pple'", Dual(None, -1.0)),
        ("'Apple' like 'b*'", Dual(None, 0.0)),
        ("'5' + 1", Dual(None, 6.0)),
        ("'x' + 1", Dual(None, NAN)),
        ("1 / 0", Dual(None, NAN)),
        ("Null() + 1", Dual(None, NAN)),
        ("0 * Null()", Dual(None, NAN)),
        ("'a' & Null()", Dual("a", NAN)),
        ("Null() = Null()", Dual(None, NAN)),
        ("1 <> Null()", Dual(None, -1.0)),
        ("1 = Null()", Dual(None, 0.0)),
        ("1 < Null()", Dual(None, 0.0)),
        ("Null() or 1", Dual(None, -1.0)),
        ("Null() and 1", Dual(None, 0.0)),
        ("not Null()", Dual(None, -1.0)),
        ("If(Null(), 'a', 'b')", Dual("b", NAN)),
    ],
)
def test_operator_semantics(text: str, expected: Dual) -> None:
    got = one(text)
    assert same(got, expected), (text, got)


def test_fields_duals_and_nulls_per_row() -> None:
    result = evaluate_rows(parse_expression("d & '/' & (d + 1)"), ENV)
    assert result.text.tolist() == ["Q1/2", "Q2/3", "Q3/4", "/"]
    compared = evaluate_rows(parse_expression("t = 'x'"), ENV)
    assert compared.num.tolist() == [-1.0, 0.0, 0.0, 0.0]
    numeric = evaluate_rows(parse_expression("n * 2"), ENV)
    assert np.array_equal(numeric.num, [2.0, 4.0, NAN, 8.0], equal_nan=True)
    assert numeric.text.tolist() == [None] * 4


def test_variables_read_as_fields() -> None:
    assert evaluate_rows(parse_expression("n * vRate"), ENV).num.tolist()[:2] == [2.0, 4.0]
    assert evaluate_rows(parse_expression("vName & 1"), ENV).text.tolist()[0] == "abc1"


def test_extra_functions_come_first() -> None:
    def rowno(ctx: FunctionContext, args: object, n: int) -> Duals:
        return Duals.of_numbers(np.arange(1, n + 1, dtype=np.float64))

    env = TableEnv({}, 3, functions={"rowno": ScalarFunction("RowNo", 0, 0, rowno)})
    assert evaluate_rows(parse_expression("RowNo() * 10"), env).num.tolist() == [10, 20, 30]


@pytest.mark.parametrize(
    ("text", "parameter"),
    [
        ("Foo(1)", "Foo"),
        ("Nope + 1", "Nope"),
        ("Sum(n)", "Sum"),
        ("If(1)", "If"),
    ],
)
def test_errors_name_the_culprit(text: str, parameter: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        evaluate_rows(parse_expression(text), ENV)
    assert caught.value.parameter == parameter
    assert caught.value.code == 7000


def test_grouped_evaluation() -> None:
    groups = np.array([0, 0, 1, 1])

    def grouped(text: str) -> Duals:
        return evaluate_grouped(parse_expression(text), ENV, groups, 2)

    assert grouped("Sum(n)").num.tolist() == [3.0, 4.0]
    assert grouped("g * 10 + Count(t)").num.tolist() == [2.0, 11.0]
    assert grouped("Concat(t, '-')").text.tolist() == ["Y-x", "10"]
    assert grouped("Only(g)").num.tolist() == [0.0, 1.0]
    assert grouped("Count(DISTINCT g) & '!'").text.tolist() == ["1!", "1!"]
    with pytest.raises(ExpressionError, match="Nested aggregation"):
        grouped("Sum(Count(n))")
    with pytest.raises(ExpressionError, match="chart"):
        grouped("Sum(TOTAL n)")


def test_contains_aggregation() -> None:
    assert contains_aggregation(parse_expression("1 + If(a, Sum(b))"))
    assert not contains_aggregation(parse_expression("If(a, b) & Upper(c)"))

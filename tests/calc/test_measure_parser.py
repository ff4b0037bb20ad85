"""The interim measure parser: Func([DISTINCT] field) or a typed UnsupportedExpression."""

from __future__ import annotations

import pytest

from openqix.calc.errors import CalcError, UnsupportedExpression
from openqix.calc.measures import MeasureDef, parse_measure


@pytest.mark.parametrize(
    ("text", "func", "field", "distinct"),
    [
        ("Sum(Sales)", "sum", "Sales", False),
        ("=sum( Sales )", "sum", "Sales", False),
        ("  = COUNT(DISTINCT CustomerID) ", "count", "CustomerID", True),
        ("Avg([Sales Amount])", "avg", "Sales Amount", False),
        ('Min("Unit Price")', "min", "Unit Price", False),
        ("max(`Order Date`)", "max", "Order Date", False),
        ("Count(distinct [Customer ID])", "count", "Customer ID", True),
        ("Sum(Ort_År)", "sum", "Ort_År", False),
        ("Sum(a.b)", "sum", "a.b", False),
    ],
)
def test_parses_simple_aggregations(text: str, func: str, field: str, distinct: bool) -> None:
    assert parse_measure(text) == MeasureDef(func, field, distinct, text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Sales",
        "Count(*)",
        "Sum(Sales) + 1",
        "Sum(Sales, 2)",
        "Median(Sales)",
        "Sum()",
        "Sum(DISTINCT)",
        "Sum({<Year={2020}>} Sales)",
        "Sum(Aggr(Sum(Sales), Country))",
        "Sum(TOTAL Sales)",
    ],
)
def test_anything_else_is_unsupported(text: str) -> None:
    with pytest.raises(UnsupportedExpression) as caught:
        parse_measure(text)
    assert caught.value.code == 7000
    assert caught.value.parameter == text


def test_validation_error_shape() -> None:
    with pytest.raises(CalcError) as caught:
        parse_measure("Median(Sales)")
    error = caught.value.validation_error()
    assert error["qErrorCode"] == 7000
    assert error["qContext"] == "Median(Sales)"
    assert "Median" in error["qExtendedMessage"]

"""Chart evaluation: aggregations per chart row, TOTAL, set analysis, Aggr, inter-record
functions, the cross-table rule, single values; and a differential test against Python."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "objects"))

from objects_testkit import model, table

from openqix.calc.chart import (
    ChartContext,
    ChartDimension,
    ChartEvaluator,
    chart_rows,
    evaluate_text,
    evaluate_value,
)
from openqix.calc.errors import CalcError
from openqix.engine.model import DataModel
from openqix.engine.selection import SelectionState, select_symbols
from openqix.lang.errors import ScriptSyntaxError
from openqix.lang.expression import field_names, parse_expression

SHOP = model(
    table(
        "Orders",
        OrderID=[1, 2, 3, 4, 5, 6],
        CustomerID=[1, 1, 2, 3, 9, 3],
        Product=["p", "q", "p", "r", "q", None],
        Qty=[1, 2, 3, 4, 5, 6],
        Price=[10, 20, 30, 40, 50, "n/a"],
        Year=[2020, 2021, 2020, 2021, 2020, 2021],
    ),
    table("Customers", CustomerID=[1, 2, 3, 4], Country=["SE", "DK", "SE", "NO"]),
    table("Contacts", CustomerID=[1, 1, 1, 2], Phone=["a", "b", "c", "d"]),
)


def selected(m: DataModel, **fields: list[Any]) -> SelectionState:
    state = SelectionState.empty()
    for name, values in fields.items():
        symbols = m.fields[name].symbols
        wanted = [symbols.texts.index(str(v)) for v in values]
        state, ok = select_symbols(m, state, name, wanted, False, False)
        assert ok
    return state


def column(ctx: ChartContext, dims: list[str], text: str) -> dict[tuple[Any, ...], Any]:
    """The values of `text` per chart row, keyed by the rows' dimension texts."""
    expr = parse_expression(text)
    rows = chart_rows(ctx, [ChartDimension(d) for d in dims], None, field_names(expr))
    values = ChartEvaluator(ctx, rows).eval(parse_expression(text))
    keys = list(zip(*(rows.dim_values(d).text.tolist() for d in range(len(dims))), strict=True))
    out: dict[tuple[Any, ...], Any] = {}
    for key, (t, n) in zip(
        keys, zip(values.text.tolist(), values.num.tolist(), strict=True), strict=True
    ):
        out[key] = t if t is not None else (None if math.isnan(n) else n)
    return out


def value(text: str, ctx: ChartContext | None = None) -> Any:
    v = evaluate_value(text, ctx or ChartContext(SHOP))
    return v.text if v.text is not None else (None if math.isnan(v.num) else v.num)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sum(Qty)", 21.0),
        ("Sum(Qty * Price)", 550.0),
        ("Count(Price)", 6.0),
        ("Count(DISTINCT Product)", 3.0),
        ("Count(*)", 6.0),
        ("Avg(Price)", 30.0),
        ("Only(Year)", None),
        ("Concat(DISTINCT Country, '|')", "DK|NO|SE"),
        ("Sum({<Country={SE}>} Qty)", 13.0),
        ("Sum({<Country={'se'}>} Qty)", 0.0),
        ("Sum({<Country={se}>} Qty)", 13.0),
        ('Sum({<Year={">2020"}>} Qty)', 12.0),
        ('Sum({<Product={"?"}>} Qty)', 15.0),
        ("Sum({<Country-={SE}>} Qty)", 3.0),
        ("Sum({<Country={SE,DK}, Year={2020}>} Qty)", 4.0),
        ('Sum({<Country={"=Sum(Qty)>5"}>} Qty)', 13.0),
        ("Sum({<Product=P({<Year={2021}>})>} Qty)", 11.0),
        ("Sum({<Product=E({<Year={2021}>})>} Qty)", 4.0),
        ("Sum({1 - <Year={2020}>} Qty)", 12.0),
        ("Sum({<Year={2020}> + <Year={2021}>} Qty)", 21.0),
        ("Sum({<Year={2020}> * <Country={SE}>} Qty)", 1.0),
        ("Sum({<Year={2020}> / <Country={SE}>} Qty)", 20.0),
        ("Sum({<Country={SE}>-<Year={2021}>} Qty)", 1.0),
        ("Sum({<Year={2020,2021}-{2021}>} Qty)", 9.0),
        ("Max(Aggr(Sum(Qty), Country))", 13.0),
        ("Sum(Aggr(Count(OrderID), Year))", 6.0),
        ("Avg(Aggr(Sum(Qty), CustomerID))", 4.2),
        ("Sum(Qty) / Count(OrderID)", 3.5),
        ("1 + 2", 3.0),
    ],
)
def test_single_values(text: str, expected: Any) -> None:
    assert value(text) == expected


def test_selections_restrict_and_identifiers_widen() -> None:
    ctx = ChartContext(SHOP, selected(SHOP, Country=["DK"]))
    assert value("Sum(Qty)", ctx) == 3.0
    assert value("Sum({1} Qty)", ctx) == 21.0
    assert value("Sum({<Country=>} Qty)", ctx) == 21.0
    assert value("Sum({<Country+={NO}>} Qty)", ctx) == 3.0
    assert value("Sum({<Country+={SE}>} Qty)", ctx) == 16.0
    assert value("Sum({$<Year={2021}>} Qty)", ctx) == 0.0
    other = selected(SHOP, Year=[2021])

    def identifiers(name: str) -> SelectionState | None:
        return {"B": other, "$1": SelectionState.empty()}.get(name)

    both = ChartContext(SHOP, selected(SHOP, Country=["SE"]), identifiers)
    assert value("Sum({B} Qty)", both) == 12.0
    assert value("Sum({$1} Qty)", both) == 21.0
    assert value("Sum({$ * B} Qty)", both) == 12.0  # SE orders of 2021: 2 + 4 + 6
    assert value("Sum({$<Year = B::Year>} Qty)", both) == 12.0
    assert value("Sum({$<Product = P({B} Product)>} Qty)", both) == 6.0  # q and r: 2 + 4
    with pytest.raises(CalcError, match="Unknown set identifier"):
        value("Sum({Nope} Qty)", both)


def test_dollar_expansion_in_sets_and_expressions() -> None:
    ctx = ChartContext(SHOP, variables={"vYear": "2021", "vMax": "=Max(Year)", "vF": "Sum($1)"})
    assert value("Sum({<Year={$(vYear)}>} Qty)", ctx) == 12.0
    assert value("Sum({<Year={$(=Max(Year) - 1)}>} Qty)", ctx) == 9.0
    assert value("Sum({<Year={$(vMax)}>} Qty)", ctx) == 12.0
    assert value("$(vF(Qty))", ctx) == 21.0
    assert value("vYear + 1", ctx) == 2022.0


def test_per_row_aggregations_and_total() -> None:
    ctx = ChartContext(SHOP)
    assert column(ctx, ["Country"], "Sum(Qty)") == {
        ("SE",): 13.0,
        ("DK",): 3.0,
        ("NO",): 0.0,
        (None,): 5.0,
    }
    assert set(column(ctx, ["Country"], "Sum(TOTAL Qty)").values()) == {21.0}
    share = column(ctx, ["Country"], "Sum(Qty) / Sum(TOTAL Qty)")
    assert share[("DK",)] == pytest.approx(3 / 21)
    two = column(ctx, ["Country", "Year"], "Sum(TOTAL <Country> Qty)")
    assert two[("SE", "2020")] == 13.0 and two[("DK", "2020")] == 3.0
    by_year = column(ctx, ["Country", "Year"], "Sum(TOTAL <Year> Qty)")
    assert by_year[("SE", "2021")] == 12.0 and by_year[("SE", "2020")] == 9.0


def test_fields_outside_aggregations() -> None:
    ctx = ChartContext(SHOP)
    labels = column(ctx, ["Country"], "Country & ': ' & Sum(Qty)")
    assert labels[("SE",)] == "SE: 13"
    only = column(ctx, ["CustomerID"], "Country")
    assert only[("1",)] == "SE" and only[("9",)] is None


def test_each_record_counts_once_per_row() -> None:
    """Fan-out through Contacts never multiplies Orders' records (ARCHITECTURE §2)."""
    ctx = ChartContext(SHOP)
    by_phone = column(ctx, ["Phone"], "Sum(Qty)")
    assert by_phone[("a",)] == 3.0 and by_phone[("b",)] == 3.0 and by_phone[("d",)] == 3.0
    assert value("Sum(Qty)", ctx) == 21.0
    by_both = column(ctx, ["Country", "Phone"], "Count(OrderID)")
    assert by_both[("SE", "a")] == 2.0


def test_aggr_per_row_and_as_a_calculated_dimension() -> None:
    ctx = ChartContext(SHOP)
    assert column(ctx, ["Country"], "Max(Aggr(Sum(Qty), CustomerID))")[("SE",)] == 10.0
    assert column(ctx, ["Country"], "Count(Aggr(Sum(Qty), CustomerID))")[("SE",)] == 2.0
    calc = ChartDimension(expr=parse_expression("Aggr(Sum(Qty), Country)"))
    rows = chart_rows(ctx, [calc])
    counts = ChartEvaluator(ctx, rows).eval(parse_expression("Count(DISTINCT Country)"))
    got = dict(zip(rows.dim_values(0).num.tolist(), counts.num.tolist(), strict=True))
    assert got == {0.0: 1.0, 3.0: 1.0, 13.0: 1.0}
    bands = ChartDimension(expr=parse_expression("If(Qty > 2, 'big', 'small')"))
    rows = chart_rows(ctx, [bands])
    sums = ChartEvaluator(ctx, rows).eval(parse_expression("Sum(Qty)"))
    assert dict(zip(rows.dim_values(0).text.tolist(), sums.num.tolist(), strict=True)) == {
        "small": 3.0,
        "big": 18.0,
    }


def test_inter_record_functions() -> None:
    ctx = ChartContext(SHOP)
    rows = chart_rows(ctx, [ChartDimension("Country")])
    ev = ChartEvaluator(ctx, rows)
    order = rows.dim_values(0).text.tolist()

    def col(text: str) -> list[Any]:
        return ev.eval(parse_expression(text)).num.tolist()

    sums = dict(zip(order, col("Sum(Qty)"), strict=True))
    ranks = dict(zip(order, col("Rank(Sum(Qty))"), strict=True))
    assert ranks == {k: 1.0 + sum(v > sums[k] for v in sums.values()) for k in sums}
    above = col("Above(Sum(Qty))")
    assert math.isnan(above[0]) and above[1:] == col("Sum(Qty)")[:-1]
    below = col("Below(Sum(Qty), 2)")
    assert below[: len(order) - 2] == col("Sum(Qty)")[2:]
    assert col("RowNo()") == [float(i + 1) for i in range(len(order))]
    assert set(col("Dimensionality()")) == {1.0}


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("Sum(Sum(Qty))", "Nested aggregation"),
        ("Sum(Qty, 2)", "Wrong number of arguments"),
        ("Nope(Qty)", "Unknown function"),
        ("Aggr(Sum(Qty))", "Aggr"),
    ],
)
def test_errors(text: str, match: str) -> None:
    with pytest.raises(CalcError, match=match):
        value(text)


def test_unknown_fields_aggregate_nothing_and_texts_format() -> None:
    assert value("Sum(Nope)") == 0.0 and value("Avg(Nope)") is None
    assert evaluate_text("Sum(Qty) / 7", ChartContext(SHOP)) == "3"
    assert evaluate_text("1 / 3", ChartContext(SHOP)) == "0.3333333333"
    assert evaluate_text("Only(Year)", ChartContext(SHOP)) == "-"


# -- differential test against plain Python ----------------------------------------------------

orders_strategy = st.lists(
    st.tuples(
        st.integers(0, 5),  # customer id (5: no such customer)
        st.sampled_from(["p", "q", "r"]),
        st.one_of(st.none(), st.integers(-3, 9)),
    ),
    min_size=1,
    max_size=12,
)
countries_strategy = st.lists(st.sampled_from(["SE", "DK", "NO"]), min_size=5, max_size=5)


@settings(max_examples=40, deadline=None)
@given(orders_strategy, countries_strategy, st.sets(st.sampled_from(["SE", "DK", "NO"])))
def test_chart_matches_python(
    orders: list[tuple[int, str, int | None]], countries: list[str], chosen: set[str]
) -> None:
    m = model(
        table(
            "Orders",
            CustomerID=[o[0] for o in orders],
            Product=[o[1] for o in orders],
            Amount=[o[2] for o in orders],
        ),
        table("Customers", CustomerID=list(range(5)), Country=countries),
    )
    present = sorted(chosen & set(countries))
    state = selected(m, Country=present) if present else SelectionState.empty()
    ctx = ChartContext(m, state)
    country_of = dict(enumerate(countries))

    def records(allowed: set[str] | None, product: str | None = None) -> list[tuple[Any, ...]]:
        out = []
        for cid, prod, amount in orders:
            country = country_of.get(cid)
            if allowed is not None and country not in allowed:
                continue
            if product is not None and prod != product:
                continue
            out.append((country, prod, amount))
        return out

    base = set(present) if present else None
    got = column(ctx, ["Country"], "Sum(Amount)")
    want: dict[Any, float] = {}
    for country, _, amount in records(base):
        want[country] = want.get(country, 0.0) + (amount or 0)
    assert {k[0]: v for k, v in got.items() if v} == {k: v for k, v in want.items() if v}

    distinct = column(ctx, ["Country"], "Count(DISTINCT Product)")
    for (country,), n in distinct.items():
        assert n == len({p for c, p, _ in records(base) if c == country})
    total = value("Sum(TOTAL Amount)", ctx)
    assert total == float(sum(a or 0 for _, _, a in records(base)))
    widened = value("Sum({1<Product={'p'}>} Amount)", ctx)
    assert widened == float(sum(a or 0 for _, _, a in records(None, "p")))
    excluded = value("Count({$<Country-={'SE'}>} Amount)", ctx)
    allowed = (set(present) if present else {"SE", "DK", "NO"}) - {"SE"}
    assert excluded == float(sum(a is not None for _, _, a in records(allowed)))
    average = value("Avg(Aggr(Sum(Amount), Product))", ctx)
    np.testing.assert_allclose(
        math.nan if average is None else average,
        _avg_of_sums(records(base)),
        equal_nan=True,
    )


def _avg_of_sums(rows: list[tuple[Any, ...]]) -> float:
    sums: dict[str, float] = {}
    for _, product, amount in rows:
        sums[product] = sums.get(product, 0.0) + (amount or 0)
    return sum(sums.values()) / len(sums) if sums else math.nan


_atoms = st.sampled_from(
    ["Qty", "Price", "Product", "Country", "Year", "1", "'x'", "Null()", "Nope", "OrderID"]
)
_aggregations = st.sampled_from(
    ["Sum", "Count", "Avg", "Min", "Only", "Concat", "Mode", "MaxString", "Median", "Stdev"]
)
_sets = st.sampled_from(["", "{1} ", "{$<Year={2021}>} ", "{<Country={SE}>+<Year={2020}>} "])


@st.composite
def chart_expressions(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(_atoms)
    kind = draw(st.sampled_from(["agg", "bin", "aggr", "total", "if", "rank"]))
    inner = draw(chart_expressions(depth - 1))
    if kind == "agg":
        distinct = draw(st.sampled_from(["", "DISTINCT "]))
        return f"{draw(_aggregations)}({draw(_sets)}{distinct}{inner})"
    if kind == "total":
        return f"Sum(TOTAL <Country> {inner})"
    if kind == "aggr":
        return f"Max(Aggr(Sum({inner}), {draw(st.sampled_from(['Country', 'Product']))}))"
    if kind == "if":
        return f"If({inner} > 1, {draw(chart_expressions(depth - 1))})"
    if kind == "rank":
        return f"Rank(Sum({inner}))"
    op = draw(st.sampled_from(["+", "*", "&", "=", "and", "/"]))
    return f"{inner} {op} {draw(chart_expressions(depth - 1))}"


@settings(max_examples=80, deadline=None)
@given(chart_expressions(), st.sampled_from([[], ["Country"], ["Year", "Product"]]))
def test_any_expression_gives_values_or_a_typed_error(text: str, dims: list[str]) -> None:
    """Fuzzing: every expression ends in one value per row or a CalcError, never a crash."""
    ctx = ChartContext(SHOP, selected(SHOP, Year=[2020]))
    try:
        expr = parse_expression(text)
        rows = chart_rows(ctx, [ChartDimension(d) for d in dims], None, field_names(expr))
        result = ChartEvaluator(ctx, rows).eval(expr)
    except (CalcError, ScriptSyntaxError):
        return
    assert len(result) == rows.count


@settings(max_examples=40, deadline=None)
@given(
    orders_strategy,
    st.lists(st.sampled_from(["SE", "DK", None]), min_size=6, max_size=6),
    st.lists(st.booleans(), min_size=6, max_size=6),
    st.lists(st.booleans(), min_size=12, max_size=12),
)
def test_star_shortcut_equals_the_join(
    orders: list[tuple[int, str, int | None]],
    countries: list[str | None],
    customer_possible: list[bool],
    order_possible: list[bool],
) -> None:
    """Rows and per-row sums from the star projection equal those from the outer join."""
    from openqix.calc import chart as chart_module
    from openqix.calc.setanalysis import RecordSet

    m = model(
        table(
            "Orders",
            CustomerID=[o[0] for o in orders],
            Product=[o[1] for o in orders],
            Amount=[o[2] for o in orders],
        ),
        table("Customers", CustomerID=[0, 1, 2, 3, 4, 6], Country=countries),
    )
    rows_mask = {
        "Orders": np.array(order_possible[: len(orders)], dtype=bool),
        "Customers": np.array(customer_possible, dtype=bool),
    }
    dims = [ChartDimension("Country"), ChartDimension("Product")]

    def run(shortcut: bool) -> dict[tuple[Any, ...], float]:
        ctx = ChartContext(m, _base=RecordSet(rows_mask))
        original = chart_module.star_rows
        if not shortcut:
            chart_module.star_rows = lambda *args: None  # type: ignore[assignment]
        try:
            rows = chart_rows(ctx, dims, None, ["Amount"])
            sums = ChartEvaluator(ctx, rows).eval(parse_expression("Sum(Amount)")).num
        finally:
            chart_module.star_rows = original
        keys = zip(*(rows.dim_values(d).text.tolist() for d in range(2)), strict=True)
        return dict(zip(keys, sums.tolist(), strict=True))

    assert run(True) == run(False)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.one_of(st.none(), st.integers(0, 9))), max_size=10),
    st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=5, max_size=5),
    st.lists(st.sampled_from(["x", "y", None]), min_size=3, max_size=3),
    st.lists(st.booleans(), min_size=18, max_size=18),
    st.sampled_from([["Category"], ["Category", "ProductID"], ["CatID", "Tag"]]),
)
def test_snowflake_shortcut_equals_the_join(
    orders: list[tuple[int, int | None]],
    category_of: list[int | None],
    names: list[str | None],
    possible: list[bool],
    dims: list[str],
) -> None:
    """Orders -> Products -> Categories (+ Tags on products): the projection through two
    links, with orphans at every level, gives the rows and sums of the outer join."""
    from openqix.calc import chart as chart_module
    from openqix.calc.setanalysis import RecordSet

    m = model(
        table(
            "Orders",
            ProductID=[o[0] for o in orders] or [0],
            Amount=[o[1] for o in orders] or [None],
        ),
        table("Products", ProductID=[0, 1, 2, 3, 4], CatID=category_of),
        table("Categories", CatID=[0, 1, 2], Category=names),
        table("Tags", CatID=[1, 2, 2], Tag=["a", "b", "c"]),
    )
    sizes = {t: m.tables[t].n_rows for t in m.tables}
    masks, start = {}, 0
    for name, size in sizes.items():
        masks[name] = np.array((possible * 2)[start : start + size], dtype=bool)
        start += size

    def run(shortcut: bool) -> dict[tuple[Any, ...], float]:
        ctx = ChartContext(m, _base=RecordSet(masks))
        original = chart_module.star_rows
        if not shortcut:
            chart_module.star_rows = lambda *args: None  # type: ignore[assignment]
        try:
            rows = chart_rows(ctx, [ChartDimension(d) for d in dims], None, ["Amount"])
            sums = ChartEvaluator(ctx, rows).eval(parse_expression("Sum(Amount)")).num
        finally:
            chart_module.star_rows = original
        keys = zip(*(rows.dim_values(d).text.tolist() for d in range(len(dims))), strict=True)
        return dict(zip(keys, sums.tolist(), strict=True))

    assert run(True) == run(False)


def test_history_identifiers_through_the_session_selections() -> None:
    """`$1` is the default state's previous selection, `$_1` the next one (after Back)."""
    from openqix.app import App
    from openqix.errors import NotFound

    app = App.from_script("T:\nLOAD * INLINE [\nYear, Amount\n2020, 1\n2021, 2\n2022, 4\n];\n")
    selections = app.selections
    assert selections.select_values("Year", [2020])
    assert selections.select_values("Year", [2021])

    def identifiers(name: str) -> SelectionState | None:
        try:
            return selections.state(name)
        except NotFound:
            return None

    def total(text: str) -> Any:
        return value(text, ChartContext(app.model, selections.state(), identifiers))

    assert total("Sum(Amount)") == 2.0
    assert total("Sum({$1} Amount)") == 1.0
    assert total("Sum({$2} Amount)") == 7.0
    with pytest.raises(CalcError, match="Unknown set identifier"):
        total("Sum({$3} Amount)")
    selections.back()
    assert total("Sum(Amount)") == 1.0 and total("Sum({$_1} Amount)") == 2.0


def test_rank_modes_and_formats() -> None:
    m = model(table("T", D=["a", "b", "c", "d", "e"], V=[5, 3, 3, 1, 1]))
    ctx = ChartContext(m)
    rows = chart_rows(ctx, [ChartDimension("D")], None, ["V"])
    ev = ChartEvaluator(ctx, rows)

    def rank(args: str) -> tuple[list[float], list[str | None]]:
        result = ev.eval(parse_expression(f"Rank(Sum(V){args})"))
        return result.num.tolist(), result.text.tolist()

    assert rank("") == ([1, 2, 2, 5, 5], [None, "2 - 3", "2 - 3", "4 - 5", "4 - 5"])
    assert rank(", 1")[0] == [1, 2, 2, 4, 4]
    assert rank(", 2")[0] == [1, 2.5, 2.5, 4.5, 4.5]
    assert rank(", 3")[0] == [1, 3, 3, 5, 5]
    assert rank(", 4") == ([1, 2, 3, 4, 5], [None] * 5)
    assert rank(", 0, 1")[1] == [None] * 5
    assert rank(", 0, 2")[1] == [None, None, "", None, ""]

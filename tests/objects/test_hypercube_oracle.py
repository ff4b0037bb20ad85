"""Differential test: straight-cube aggregations against a plain-Python brute-force join.

Orders(CustomerID, Product, Amount) and Customers(CustomerID, Country) with NULLs, text
amounts, orphans on both sides and random possible-row masks. The oracle full-outer-joins
the possible rows of the tables holding the chart's fields, groups by the dimension values
and aggregates the measure table's records once per chart row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from objects_testkit import cube_def, hand_inference, model, table

from openqix.engine.selection import SelectionState
from openqix.objects.hypercube import hypercube

Row = dict[str, Any]
MEASURES = ("Sum", "Count", "Avg", "Min", "Max")

ids = st.one_of(st.none(), st.integers(0, 6))
amounts = st.one_of(st.none(), st.integers(-5, 9), st.sampled_from([0.5, 2.25, "x", "y"]))
orders = st.lists(
    st.fixed_dictionaries(
        {
            "CustomerID": ids,
            "Product": st.sampled_from(["p", "q", None]),
            "Amount": amounts,
            "possible": st.booleans(),
        }
    ),
    max_size=12,
)
customers = st.lists(
    st.fixed_dictionaries(
        {
            "CustomerID": ids,
            "Country": st.sampled_from(["SE", "DK", "NO", None]),
            "possible": st.booleans(),
        }
    ),
    max_size=8,
)


def oracle_join(order_rows: list[Row], customer_rows: list[Row]) -> list[tuple[int | None, ...]]:
    """Full outer join of possible rows on CustomerID: (order index, customer index) pairs."""
    live_orders = [i for i, o in enumerate(order_rows) if o["possible"]]
    live_customers = [j for j, c in enumerate(customer_rows) if c["possible"]]
    pairs: list[tuple[int | None, ...]] = []
    matched: set[int] = set()
    for i in live_orders:
        key = order_rows[i]["CustomerID"]
        partners = [
            j for j in live_customers if key is not None and customer_rows[j]["CustomerID"] == key
        ]
        matched.update(partners)
        pairs.extend((i, j) for j in partners) if partners else pairs.append((i, None))
    pairs.extend((None, j) for j in live_customers if j not in matched)
    return pairs


def oracle_pairs(
    order_rows: list[Row], customer_rows: list[Row], fields: Sequence[str]
) -> list[tuple[int | None, ...]]:
    """Only the tables holding the chart's fields take part."""
    if "Product" in fields or "Amount" in fields:
        if "Country" in fields:
            return oracle_join(order_rows, customer_rows)
        return [(i, None) for i, o in enumerate(order_rows) if o["possible"]]
    return [(None, j) for j, c in enumerate(customer_rows) if c["possible"]]


def oracle_aggregate(func: str, values: Sequence[Any], distinct: bool) -> float:
    present = [v for v in values if v is not None]
    if distinct:
        present = list(dict.fromkeys(present))
    numbers = [float(v) for v in present if not isinstance(v, str)]
    if func == "Count":
        return float(len(present))
    if func == "Sum":
        return math.fsum(numbers)
    if not numbers:
        return math.nan
    return {"Avg": math.fsum(numbers) / len(numbers), "Min": min(numbers), "Max": max(numbers)}[
        func
    ]


def oracle_cube(
    order_rows: list[Row],
    customer_rows: list[Row],
    dims: Sequence[str],
    measure: tuple[str, str, bool],
) -> dict[tuple[str, ...], float]:
    func, name, distinct = measure
    source, side = (order_rows, 0) if name == "Amount" else (customer_rows, 1)
    records: dict[tuple[str, ...], set[int]] = {}
    for pair in oracle_pairs(order_rows, customer_rows, [*dims, name]):
        key = tuple(_dim_text(order_rows, customer_rows, pair, d) for d in dims)
        bucket = records.setdefault(key, set())
        if pair[side] is not None:
            bucket.add(pair[side])
    return {
        key: oracle_aggregate(func, [source[r][name] for r in sorted(rows)], distinct)
        for key, rows in records.items()
    }


def _dim_text(
    order_rows: list[Row], customer_rows: list[Row], pair: tuple[int | None, ...], dim: str
) -> str:
    index, rows = (pair[0], order_rows) if dim == "Product" else (pair[1], customer_rows)
    value = rows[index][dim] if index is not None else None
    return "-" if value is None else str(value)


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=150, deadline=None)
@given(
    order_rows=orders,
    customer_rows=customers,
    dims=st.sampled_from([("Country",), ("Product",), ("Country", "Product")]),
    func=st.sampled_from(MEASURES),
    name=st.sampled_from(["Amount", "Country"]),
    distinct=st.booleans(),
)
def test_cube_matches_brute_force(
    order_rows: list[Row],
    customer_rows: list[Row],
    dims: tuple[str, ...],
    func: str,
    name: str,
    distinct: bool,
) -> None:
    m = model(
        table(
            "Orders", **{k: [r[k] for r in order_rows] for k in ("CustomerID", "Product", "Amount")}
        ),
        table("Customers", **{k: [r[k] for r in customer_rows] for k in ("CustomerID", "Country")}),
    )
    inference = hand_inference(
        m,
        rows={
            "Orders": [r["possible"] for r in order_rows],
            "Customers": [r["possible"] for r in customer_rows],
        },
    )
    text = f"{func}({'DISTINCT ' if distinct else ''}{name})"
    layout = hypercube(m, inference, SelectionState.empty(), cube_def(dims, [text]))
    matrix = layout["qDataPages"][0]["qMatrix"]
    got = {tuple(c["qText"] for c in row[:-1]): row[-1]["qNum"] for row in matrix}
    expected = oracle_cube(order_rows, customer_rows, dims, (func, name, distinct))
    assert len(got) == len(matrix) == layout["qSize"]["qcy"]
    assert got.keys() == expected.keys()
    assert all(same(got[k], expected[k]) for k in expected), (got, expected)
    source = order_rows if name == "Amount" else customer_rows
    total = oracle_aggregate(func, [r[name] for r in source if r["possible"]], distinct)
    assert same(layout["qGrandTotalRow"][0]["qNum"], total)

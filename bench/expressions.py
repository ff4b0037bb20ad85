"""Chart expressions on the star schema: openqix hypercubes against DuckDB GROUP BY.

Under a selection (Country in 3 values, ~1.5% of orders; Category in 3 values, ~15%; none):
- Sum(Qty*Price) by Category x Country (dimensions from two different tables);
- Count(DISTINCT CustomerID) by Category;
- a set-analysis measure Sum({<Country=>} Qty*Price) by Category (ignores the selection).
openqix computes the straight cube (rows, measure, sort; the selection's inference is warm,
as after the click that made it); DuckDB runs the same SQL on the same Arrow data with its
default threads. Both answers are checked to be equal. Median of R runs, ratios printed.

    .venv/bin/python bench/expressions.py [--orders N] [--repeat R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from star import build_star_app

from openqix.engine.inference import infer
from openqix.lang.expression import parse_expression
from openqix.objects.cube import compute_cube
from openqix.selections import Selections

SELECTIONS: dict[str, list[str]] = {
    "Country": ["Country 001", "Country 002", "Country 003"],
    "Category": ["Category 01", "Category 02", "Category 03"],
    "no": [],  # no selection at all: the first view of an app
}
JOINED = (
    "orders o JOIN products p ON o.ProductID = p.ProductID "
    "JOIN customers c ON o.CustomerID = c.CustomerID"
)
CASES: list[tuple[str, list[str], str, str]] = [
    (
        "Sum(Qty*Price) by Category x Country",
        ["Category", "Country"],
        "Sum(Qty*Price)",
        "SELECT Category, Country, SUM(Qty*Price) FROM {joined} WHERE {where} GROUP BY 1, 2",
    ),
    (
        "Count(DISTINCT CustomerID) by Category",
        ["Category"],
        "Count(DISTINCT CustomerID)",
        "SELECT Category, COUNT(DISTINCT o.CustomerID) FROM {joined} WHERE {where} GROUP BY 1",
    ),
    (
        "Sum({<Country=>} Qty*Price) by Category",
        ["Category"],
        "Sum({<Country=>} Qty*Price)",
        "SELECT Category, SUM(Qty*Price) FROM {joined} WHERE {where_set} GROUP BY 1",
    ),
]


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    fn()  # warm-up
    times: list[float] = []
    result: Any = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def cube_def(dims: list[str], measure: str) -> dict[str, Any]:
    return {
        "qDimensions": [{"qDef": {"qFieldDefs": [d]}} for d in dims],
        "qMeasures": [{"qDef": {"qDef": measure}}],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    app, tables = build_star_app(args.orders)
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(name.lower(), table)
    print(f"orders: {args.orders:,}")
    for field, values in SELECTIONS.items():
        selections = Selections(app)
        if values:
            assert selections.select_values(field, values)
        state, inference = selections.resolve(None)
        infer(app.model, state)
        where = f"{field} IN ({', '.join(repr(v) for v in values)})" if values else "TRUE"
        where_set = where if field != "Country" else "TRUE"
        for title, dims, measure, sql in CASES:
            parse_expression(measure)
            definition = cube_def(dims, measure)
            ours, cube = timed(
                lambda d=definition, i=inference, s=state: compute_cube(app.model, i, d, s),
                args.repeat,
            )
            query = sql.format(joined=JOINED, where=where, where_set=where_set)
            theirs, rows = timed(lambda q=query: con.execute(q).fetchall(), args.repeat)
            check(cube, rows, len(dims), app.model)
            print(
                f"{field} sel | {title:42s} | openqix {ours * 1e3:7.1f} ms | "
                f"duckdb {theirs * 1e3:7.1f} ms | ratio {ours / theirs:5.2f}x"
            )


def check(cube: Any, rows: list[tuple[Any, ...]], n_dims: int, model: Any) -> None:
    """The cube's non-zero rows equal DuckDB's groups (values to 1e-6 relative)."""
    expected = {tuple(r[:n_dims]): float(r[n_dims]) for r in rows}
    got: dict[tuple[Any, ...], float] = {}
    for i in range(cube.n_rows):
        key = []
        for d in range(n_dims):
            symbol = int(cube.dim_symbols[d][i])
            name = cube.dimensions[d].field
            key.append(model.fields[name].symbols.texts[symbol] if symbol >= 0 else None)
        value = float(cube.measure_values[0][i])
        if value:
            got[tuple(key)] = value
    assert got.keys() == expected.keys(), (len(got), len(expected))
    for key, value in expected.items():
        assert abs(got[key] - value) <= 1e-6 * max(1.0, abs(value)), (key, got[key], value)


if __name__ == "__main__":
    main()

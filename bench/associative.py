"""Associative selection on the star schema: openqix against DuckDB on the same data.

For each selection (Country in 3 values: ~1.5% of orders; Category in 3 values: ~15%):
- openqix: Field.SelectValues (`Selections.select_values`, as the API does) plus the
  layouts of three list objects (Customer, Product, OrderDate: state counts, sorted first
  page), cold (inference cache cleared);
- the same again from another session (answered from the shared inference cache);
- DuckDB: the possible values of the same three fields (SELECT DISTINCT over the joins), in
  the same process on the same Arrow data, with its default threads.
Both answers are checked to be the same sets. Also prints engine memory per Orders row.

    .venv/bin/python bench/associative.py [--orders N] [--repeat R]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from star import build_star_app

from openqix.app import App
from openqix.engine.inference import clear_cache, infer
from openqix.objects.listobject import list_object
from openqix.selections import Selections

LIST_FIELDS = ("Customer", "Product", "OrderDate")
SELECTIONS = {
    "Country": ["Country 001", "Country 002", "Country 003"],
    "Category": ["Category 01", "Category 02", "Category 03"],
}


def list_def(field: str) -> dict[str, Any]:
    return {
        "qDef": {
            "qFieldDefs": [field],
            "qSortCriterias": [{"qSortByState": 1, "qSortByAscii": 1, "qSortByNumeric": 1}],
        },
        "qInitialDataFetch": [{"qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 20}],
    }


DEFS = [list_def(f) for f in LIST_FIELDS]


def engine_run(app: App, field: str, values: list[str]) -> list[dict[str, Any]]:
    selections = Selections(app)
    assert selections.select_values(field, values)
    state, inference = selections.resolve(None)
    return [list_object(app.model, inference, state, d) for d in DEFS]


def duck_run(con: duckdb.DuckDBPyConnection, field: str, values: list[str]) -> dict[str, set[Any]]:
    where = f"{field} IN ({', '.join(repr(v) for v in values)})"
    joined = (
        "orders o JOIN products p ON o.ProductID = p.ProductID "
        "JOIN customers c ON o.CustomerID = c.CustomerID"
    )
    # The side of the selection keeps its own table's rows; the others go through orders.
    queries = {
        "Customer": (
            f"SELECT DISTINCT Customer FROM customers WHERE {where}"
            if field == "Country"
            else f"SELECT DISTINCT c.Customer FROM {joined} WHERE {where}"
        ),
        "Product": (
            f"SELECT DISTINCT Product FROM products WHERE {where}"
            if field == "Category"
            else f"SELECT DISTINCT p.Product FROM {joined} WHERE {where}"
        ),
        "OrderDate": f"SELECT DISTINCT o.OrderDate FROM {joined} WHERE {where}",
    }
    return {name: set(con.sql(q).fetchnumpy()[name].tolist()) for name, q in queries.items()}


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def check(app: App, field: str, values: list[str], duck: dict[str, set[Any]]) -> None:
    selections = Selections(app)
    selections.select_values(field, list(values))
    inference = infer(app.model, selections.state())
    for name in LIST_FIELDS:
        symbols = app.model.fields[name].symbols
        possible = np.flatnonzero(inference.possible(name))
        if name == "OrderDate":
            got = {int(symbols.number(int(i))) - 25569 for i in possible}
            epoch = dt.datetime(1970, 1, 1)
            want = {(dt.datetime(d.year, d.month, d.day) - epoch).days for d in duck[name]}
        else:
            got = {symbols.text(int(i)) for i in possible}
            want = duck[name]
        assert got == want, f"{name}: engine {len(got)} values, DuckDB {len(want)}"


def memory_per_row(app: App) -> tuple[float, float]:
    model = app.model
    orders = model.tables["Orders"]
    indices = sum(c.nbytes for c in orders.columns.values())
    symbols = sum(model.fields[f].symbols.nbytes for f in orders.field_names)
    return indices / orders.n_rows, (indices + symbols) / orders.n_rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    app, tables = build_star_app(args.orders)
    print(f"star app: {args.orders:,} orders built in {time.perf_counter() - start:.2f} s")
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(name.lower(), table)
    threads = con.execute("SELECT current_setting('threads')").fetchall()[0]
    index_bytes, total_bytes = memory_per_row(app)

    for field, values in SELECTIONS.items():

        def cold(field: str = field, values: list[str] = values) -> Any:
            clear_cache()
            return engine_run(app, field, values)

        def warm(field: str = field, values: list[str] = values) -> Any:
            return engine_run(app, field, values)

        def select_only(field: str = field, values: list[str] = values) -> Any:
            selections = Selections(app)
            selections.select_values(field, values)
            return selections.resolve(None)

        # Engine and DuckDB runs alternate so that both see the same machine load.
        engine_times: list[float] = []
        duck_times: list[float] = []
        layouts: Any = None
        duck: dict[str, set[Any]] = {}
        for _ in range(args.repeat):
            start = time.perf_counter()
            layouts = cold()
            engine_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            duck = duck_run(con, field, values)
            duck_times.append(time.perf_counter() - start)
        engine_ms = statistics.median(engine_times) * 1000
        duck_ms = statistics.median(duck_times) * 1000
        warm_ms, _ = timed(warm, args.repeat)
        select_ms, _ = timed(select_only, args.repeat)
        check(app, field, values, duck)
        counts = [
            layout["qDimensionInfo"]["qStateCounts"]["qOption"]
            + layout["qDimensionInfo"]["qStateCounts"]["qSelected"]
            for layout in layouts
        ]
        print(
            f"{field} in 3 values (possible {'/'.join(map(str, counts))}): "
            f"openqix select + 3 list layouts {engine_ms:.1f} ms | "
            f"DuckDB ({threads[0] if threads else '?'} threads) {duck_ms:.1f} ms | "
            f"ratio {engine_ms / duck_ms:.2f}x"
        )
        print(
            f"  repeat from cache (another session): select {select_ms:.2f} ms, "
            f"select + 3 layouts {warm_ms:.1f} ms"
        )
    print(
        f"Orders memory: {index_bytes:.1f} B/row index arrays, "
        f"{total_bytes:.1f} B/row with the symbol tables of its fields"
    )


if __name__ == "__main__":
    main()

"""The star-schema app shared by benchmarks (a library module: bench/run.py does not run it).

    from star import build_star_app
    app, columns = build_star_app(10_000_000)

`app` is an `openqix.App` whose model is built through the public engine API
(`Column.from_arrow` + `DataModel.build`, no script); `columns` maps table name to a
`pyarrow.Table` with the same data (register them in DuckDB: `con.register(name, table)`).

Tables (uniform random data, reproducible from `seed`):
- Orders (n_orders rows): OrderID (1..n in load order), CustomerID, ProductID, OrderDate
  (dates 2015-01-01..2025-12-31 as duals of the serial day number and `YYYY-MM-DD`), Qty
  (1..20), Price (2-decimal list price of the product, 1..999.99)
- Customers (min(100k, n) rows): CustomerID, Customer, Country (200 values), City (2,000)
- Products (1k rows): ProductID, Product, Category (20 values), Brand (100 values)
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openqix.app import App
from openqix.engine.model import Column, DataModel, LoadedTable

N_CUSTOMERS = 100_000
N_PRODUCTS = 1_000
FIRST_DAY = dt.date(2015, 1, 1)
N_DAYS = (dt.date(2025, 12, 31) - FIRST_DAY).days + 1


def star_tables(n_orders: int, seed: int = 0) -> dict[str, pa.Table]:
    """The three tables as Arrow tables (what DuckDB queries and the engine loads)."""
    rng = np.random.default_rng(seed)
    n_customers = max(1, min(N_CUSTOMERS, n_orders))
    customer_ids = np.arange(1, n_customers + 1, dtype=np.int64)
    countries = pa.array([f"Country {i:03d}" for i in range(200)])
    cities = pa.array([f"City {i:04d}" for i in range(2000)])
    city_of = rng.integers(0, 2000, n_customers)
    customers = pa.table(
        {
            "CustomerID": customer_ids,
            "Customer": pc.binary_join_element_wise(
                "Customer ", pc.cast(pa.array(customer_ids), pa.string()), ""
            ),
            "Country": countries.take(pa.array(city_of % 200)),
            "City": cities.take(pa.array(city_of)),
        }
    )
    product_ids = np.arange(1, N_PRODUCTS + 1, dtype=np.int64)
    list_price = np.round(rng.uniform(1, 1000, N_PRODUCTS), 2)
    products = pa.table(
        {
            "ProductID": product_ids,
            "Product": pa.array([f"Product {i:04d}" for i in product_ids]),
            "Category": pa.array([f"Category {i % 20:02d}" for i in range(N_PRODUCTS)]),
            "Brand": pa.array([f"Brand {int(b):03d}" for b in rng.integers(0, 100, N_PRODUCTS)]),
        }
    )
    product = rng.integers(1, N_PRODUCTS + 1, n_orders)
    days = rng.integers(0, N_DAYS, n_orders).astype(np.int32)
    epoch = (FIRST_DAY - dt.date(1970, 1, 1)).days
    orders = pa.table(
        {
            "OrderID": np.arange(1, n_orders + 1, dtype=np.int64),
            "CustomerID": rng.integers(1, n_customers + 1, n_orders),
            "ProductID": product,
            "OrderDate": pa.array(days + epoch, type=pa.int32()).cast(pa.date32()),
            "Qty": rng.integers(1, 21, n_orders),
            "Price": list_price[product - 1],
        }
    )
    return {"Orders": orders, "Customers": customers, "Products": products}


def build_model(tables: dict[str, pa.Table]) -> DataModel:
    loaded = [
        LoadedTable(
            name,
            tuple(table.column_names),
            tuple(Column.from_arrow(table.column(c)) for c in table.column_names),
        )
        for name, table in tables.items()
    ]
    return DataModel.build(loaded)


def build_star_app(n_orders: int, seed: int = 0) -> tuple[App, dict[str, pa.Table]]:
    """An embedded openqix App holding the star model, and the same data as Arrow tables."""
    tables = star_tables(n_orders, seed)
    app = App(id=f"star_{n_orders}_{seed}", title="star", is_session_app=True)
    app.model = build_model(tables)
    return app, tables

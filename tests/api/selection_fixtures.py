"""A small data model installed straight into a session app (no script), for selection tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openqix.engine.model import Column, DataModel, LoadedTable
from openqix.testing import InMemoryClient

Value = str | float | int | None


def table(name: str, **columns: Sequence[Value]) -> LoadedTable:
    return LoadedTable(name, tuple(columns), tuple(Column.from_values(v) for v in columns.values()))


def sales_model() -> DataModel:
    """Customers -< Orders; Skills(Person, Skill) is distinct and stands alone (AND mode)."""
    return DataModel.build(
        [
            table(
                "Customers",
                CustomerID=[1, 2, 3, 4],
                Name=["Acme", "Bolt", "Cogs", "Dyno"],
                Country=["Sweden", "Germany", "Sweden", "New Zealand"],
            ),
            table(
                "Orders",
                OrderID=[10, 11, 12, 13, 14],
                CustomerID=[1, 1, 2, 3, 3],
                Amount=[100, 50, 70, 30, 5],
                Year=[2019, 2020, 2020, 2019, 2021],
            ),
            table("Skills", Person=["ann", "ann", "bob"], Skill=["sql", "python", "sql"]),
        ]
    )


def install(client: InMemoryClient, model: DataModel | None = None) -> int:
    """Open the client's session app, put the model in it; returns the Doc handle."""
    doc = client.handle(-1, "GetActiveDoc")
    app_id = client.call(doc, "GetAppLayout")["qLayout"]["qFileName"]
    client.core.apps.get(app_id).model = model or sales_model()
    return doc


def listbox(field: str, state: str | None = None, **extra: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "qDef": {"qFieldDefs": [field]},
        "qShowAlternatives": True,
        "qInitialDataFetch": [{"qLeft": 0, "qTop": 0, "qWidth": 1, "qHeight": 50}],
        **extra,
    }
    if state is not None:
        definition["qStateName"] = state
    return {"qInfo": {"qType": "listbox"}, "qListObjectDef": definition}


def states(client: InMemoryClient, handle: int) -> dict[str, str]:
    """Value text -> qState of a list object's first page."""
    layout = client.call(handle, "GetLayout")["qLayout"]
    pages = layout["qListObject"]["qDataPages"]
    return {row[0]["qText"]: row[0]["qState"] for row in pages[0]["qMatrix"]} if pages else {}

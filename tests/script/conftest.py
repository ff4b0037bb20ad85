"""Shared helpers of the load-script tests: a connection to the shipped fixture data and
a table-to-rows view for assertions."""

from __future__ import annotations

from pathlib import Path

import pytest

from openqix.engine.model import LoadedTable
from openqix.script.sources.connections import ConnectionResolver, FolderConnection

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def fixture_connections() -> ConnectionResolver:
    return ConnectionResolver([FolderConnection("data", FIXTURES / "data")])


def table_rows(table: LoadedTable) -> list[list[str | None]]:
    return [list(row) for row in zip(*(c.texts for c in table.columns), strict=True)]

from collections.abc import Callable
from pathlib import Path

import pytest

from openqix.api.core import EngineCore
from openqix.config import Settings
from openqix.testing import InMemoryClient

TWO_TABLES = """\
Customers:
LOAD * INLINE [
CustomerID, Name, Country
1, Acme, Sweden
2, Bolt, Germany
3, Cogs, Sweden
];
Orders:
LOAD * INLINE [
OrderID, CustomerID, Amount
10, 1, 100
11, 1, 50
12, 2, 70
13, 3, 30
];
"""


@pytest.fixture
def core(tmp_path: Path) -> EngineCore:
    return EngineCore(Settings(data_dir=tmp_path / "data"))


@pytest.fixture
def connect(core: EngineCore) -> Callable[..., InMemoryClient]:
    clients: list[InMemoryClient] = []

    def make(path: str = "/app/SessionApp_test", **kw: str) -> InMemoryClient:
        client = InMemoryClient(core, path, **kw)
        clients.append(client)
        return client

    yield make  # type: ignore[misc]
    for client in clients:
        client.close()


@pytest.fixture
def loaded(connect: Callable[..., InMemoryClient]) -> tuple[InMemoryClient, int]:
    """A session app with TWO_TABLES reloaded: (client, doc handle)."""
    client = connect()
    doc = client.handle(-1, "GetActiveDoc")
    client.call(doc, "SetScript", [TWO_TABLES])
    assert client.call(doc, "DoReload") == {"qReturn": True}
    return client, doc

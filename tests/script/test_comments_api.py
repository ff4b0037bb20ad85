"""COMMENT TABLE / COMMENT FIELD show as qComment in GetTablesAndKeys and
GetFieldDescription; an empty or missing comment leaves the key out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openqix.api.core import EngineCore
from openqix.config import Settings
from openqix.testing import InMemoryClient

SCRIPT = """\
Orders:
LOAD * INLINE [
OrderID, Amount, Note
1, 10, a
];
Notes:
Mapping LOAD * INLINE [
F, C
Amount, Order value in EUR
Ghost, Not loaded
];
COMMENT TABLE Orders WITH 'One row per order';
COMMENT FIELD OrderID WITH 'The order number';
COMMENT FIELDS USING Notes;
COMMENT FIELD Note WITH '';
"""


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemoryClient]:
    core = EngineCore(Settings(data_dir=tmp_path / "data"))
    client = InMemoryClient(core, "/app/SessionApp_comments")
    yield client
    client.close()


def test_comments_show_in_tables_and_keys_and_field_description(client: InMemoryClient) -> None:
    doc = client.handle(-1, "GetActiveDoc")
    client.call(doc, "SetScript", [SCRIPT])
    assert client.call(doc, "DoReload") == {"qReturn": True}
    (table,) = client.call(doc, "GetTablesAndKeys", [{}, {}, 0, False, False])["qtr"]
    assert table["qComment"] == "One row per order"
    assert list(table) == ["qName", "qNoOfRows", "qFields", "qPos", "qComment"]
    fields = {f["qName"]: f for f in table["qFields"]}
    assert fields["OrderID"]["qComment"] == "The order number"
    assert fields["Amount"]["qComment"] == "Order value in EUR"
    assert "qComment" not in fields["Note"]  # empty strings are left out
    keys = list(fields["OrderID"])
    assert keys.index("qComment") == keys.index("qTags") - 1

    description = client.call(doc, "GetFieldDescription", ["Amount"])["qReturn"]
    assert description["qComment"] == "Order value in EUR"
    keys = list(description)
    assert keys.index("qComment") == keys.index("qTags") - 1
    assert "qComment" not in client.call(doc, "GetFieldDescription", ["Note"])["qReturn"]


def test_comments_follow_the_last_successful_reload(client: InMemoryClient) -> None:
    doc = client.handle(-1, "GetActiveDoc")
    client.call(doc, "SetScript", [SCRIPT])
    assert client.call(doc, "DoReload") == {"qReturn": True}
    client.call(doc, "SetScript", [SCRIPT + "Bogus;"])
    assert client.call(doc, "DoReload") == {"qReturn": False}  # failed: comments stay
    (table,) = client.call(doc, "GetTablesAndKeys", [{}, {}, 0, False, False])["qtr"]
    assert table["qComment"] == "One row per order"
    client.call(doc, "SetScript", ["T: LOAD * INLINE [\nA\n1\n];"])
    assert client.call(doc, "DoReload") == {"qReturn": True}
    (table,) = client.call(doc, "GetTablesAndKeys", [{}, {}, 0, False, False])["qtr"]
    assert "qComment" not in table
    assert "qComment" not in table["qFields"][0]

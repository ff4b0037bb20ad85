"""A generic object with qFieldListDef lists the model's fields (shapes §6.6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openqix.testing import InMemoryClient

SCRIPT = """\
A: LOAD * INLINE [
X, Y, Va
1, a, 10
2, b, 20
];
B: LOAD * INLINE [
X, Y, Vb
1, a, 5
];
C: LOAD * INLINE [
Secret
s
];
TAG FIELD Secret WITH '$hidden';
"""


def _items(client: InMemoryClient, doc: int, **flags: bool) -> dict[str, dict[str, Any]]:
    props = {"qInfo": {"qType": "FieldList"}, "qFieldListDef": dict(flags)}
    handle = client.handle(doc, "CreateSessionObject", props)
    layout = client.call(handle, "GetLayout")["qLayout"]
    assert "qFieldListDef" not in layout
    return {item["qName"]: item for item in layout["qFieldList"]["qItems"]}


def test_field_list_plain_system_hidden_and_source_tables(
    connect: Callable[..., InMemoryClient],
) -> None:
    client = connect()
    doc = client.handle(-1, "GetActiveDoc")
    client.call(doc, "SetScript", [SCRIPT])
    assert client.call(doc, "DoReload") == {"qReturn": True}

    plain = _items(client, doc)
    assert list(plain) == ["X", "Y", "Va", "Vb"]
    assert plain["X"]["qCardinal"] == 2 and "$keypart" in plain["X"]["qTags"]
    assert "qSrcTables" not in plain["X"] and "qIsSystem" not in plain["X"]

    everything = _items(client, doc, qShowSystem=True, qShowHidden=True, qShowSrcTables=True)
    assert {"$Syn 1", "$Field", "$Table", "$Rows", "$Fields", "Secret"} <= set(everything)
    assert everything["$Table"]["qIsSystem"] is True
    assert everything["$Table"]["qCardinal"] == 4  # A, B, C and the synthetic key table
    assert everything["Secret"]["qIsHidden"] is True
    assert everything["Va"]["qSrcTables"] == ["A"]
    assert "$system" in everything["$Field"]["qTags"]

"""`Binary app;` starts a reload from another app's data model (an app open in the engine and
reloaded there: data models are not saved yet)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from openqix.testing import InMemoryClient

from .conftest import TWO_TABLES


def _tables(client: InMemoryClient, doc: int) -> dict[str, int]:
    qtr = client.call(doc, "GetTablesAndKeys", [{}, {}, 0, False, False])["qtr"]
    return {t["qName"]: t["qNoOfRows"] for t in qtr}


def _source_app(connect: Callable[..., InMemoryClient]) -> tuple[InMemoryClient, str]:
    client = connect("/app/")
    app_id = client.call(-1, "CreateApp", ["Sales source"])["qAppId"]
    doc = client.handle(-1, "OpenDoc", app_id)
    client.call(doc, "SetScript", [TWO_TABLES])
    assert client.call(doc, "DoReload") == {"qReturn": True}
    return client, app_id


@pytest.mark.parametrize("ref", ["id", "lib://apps/{title}.qvf"])
def test_binary_loads_the_other_apps_tables_then_the_script_goes_on(
    connect: Callable[..., InMemoryClient], ref: str
) -> None:
    _, app_id = _source_app(connect)
    target = connect("/app/SessionApp_binary")
    doc = target.handle(-1, "GetActiveDoc")
    path = app_id if ref == "id" else ref.format(title="Sales source")
    script = f"Binary [{path}];\nExtra: LOAD * INLINE [\nCustomerID, Segment\n1, Big\n];"
    target.call(doc, "SetScript", [script])
    assert target.call(doc, "DoReload") == {"qReturn": True}
    assert _tables(target, doc) == {"Customers": 3, "Orders": 4, "Extra": 1}
    assert target.call(doc, "Evaluate", ["Sum({<Segment={Big}>} Amount)"]) == {"qReturn": "150"}
    progress = target.call(-1, "GetProgress", [0])["qProgressData"]["qPersistentProgress"]
    assert "(binary)" in progress


def test_binary_of_an_app_without_data_fails_and_keeps_the_model(
    loaded: tuple[InMemoryClient, int],
) -> None:
    client, doc = loaded
    client.call(doc, "SetScript", ["Binary [nowhere];"])
    assert client.call(doc, "DoReload") == {"qReturn": False}
    assert _tables(client, doc) == {"Customers": 3, "Orders": 4}
    progress = client.call(-1, "GetProgress", [0])["qProgressData"]
    assert "no data model of app 'nowhere'" in progress["qErrorData"][0]["qErrorString"]


def test_a_session_app_is_no_binary_source(connect: Callable[..., InMemoryClient]) -> None:
    first = connect("/app/SessionApp_first")
    doc = first.handle(-1, "GetActiveDoc")
    first.call(doc, "SetScript", [TWO_TABLES])
    assert first.call(doc, "DoReload") == {"qReturn": True}
    second = connect("/app/SessionApp_second")
    other = second.handle(-1, "GetActiveDoc")
    second.call(other, "SetScript", ["Binary [SessionApp_first];"])
    assert second.call(other, "DoReload") == {"qReturn": False}
    assert _tables(second, other) == {}

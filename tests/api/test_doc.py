from pathlib import Path

import pytest

from openqix.testing import RpcError

LIST_PROPS = {
    "qInfo": {"qType": "listbox"},
    "qListObjectDef": {
        "qDef": {"qFieldDefs": ["Name"]},
        "qShowAlternatives": True,
        "qInitialDataFetch": [{"qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 10}],
    },
}
CUBE_PROPS = {
    "qInfo": {"qType": "table"},
    "qHyperCubeDef": {
        "qDimensions": [{"qDef": {"qFieldDefs": ["Country"]}}],
        "qMeasures": [{"qDef": {"qDef": "Sum(Amount)"}}],
        "qInitialDataFetch": [{"qTop": 0, "qLeft": 0, "qWidth": 2, "qHeight": 10}],
    },
}


def _states(layout):
    matrix = layout["qListObject"]["qDataPages"][0]["qMatrix"]
    return {row[0]["qText"]: row[0]["qState"] for row in matrix}


def _cube_rows(layout):
    matrix = layout["qHyperCube"]["qDataPages"][0]["qMatrix"]
    return sorted((row[0]["qText"], row[1]["qNum"]) for row in matrix)


def test_script_round_trip_and_empty_script(loaded):
    client, doc = loaded
    assert "Customers:" in client.call(doc, "GetScript")["qScript"]
    assert client.call(doc, "GetEmptyScript")["qReturn"].startswith("///$tab Main\r\nSET ")


def test_reload_reports_change_and_builds_the_model(loaded):
    client, doc = loaded
    reply = client.request(doc, "DoReload", [0, False, False])
    assert reply["result"] == {"qReturn": True} and doc in reply["change"]
    result = client.call(doc, "GetTablesAndKeys", [{}, {}, 0, False, False])
    assert [t["qName"] for t in result["qtr"]] == ["Customers", "Orders"]
    assert result["qk"] == [{"qKeyFields": ["CustomerID"], "qTables": ["Customers", "Orders"]}]
    orders = result["qtr"][1]
    assert orders["qNoOfRows"] == 4
    key = next(f for f in orders["qFields"] if f["qName"] == "CustomerID")
    assert key["qHasDuplicates"] is True and key["qKeyType"] == "ANY_KEY"
    assert key["qTags"] == ["$key", "$numeric", "$integer"]
    layout = client.call(doc, "GetAppLayout")["qLayout"]
    assert layout["qHasData"] is True and layout["qLastReloadTime"].endswith("Z")


def test_list_object_and_hypercube_follow_a_selection(loaded):
    client, doc = loaded
    listbox = client.handle(doc, "CreateSessionObject", LIST_PROPS)
    cube = client.handle(doc, "CreateSessionObject", CUBE_PROPS)
    assert set(_states(client.call(listbox, "GetLayout")["qLayout"]).values()) == {"O"}
    assert _cube_rows(client.call(cube, "GetLayout")["qLayout"]) == [
        ("Germany", 70),
        ("Sweden", 180),
    ]
    field = client.handle(doc, "GetField", "Country")
    reply = client.request(field, "SelectValues", [[{"qText": "Sweden"}]])
    assert reply["result"] == {"qReturn": True}
    assert {listbox, cube} <= set(reply["change"])
    assert _states(client.call(listbox, "GetLayout")["qLayout"]) == {
        "Acme": "O",
        "Bolt": "X",
        "Cogs": "O",
    }
    assert _cube_rows(client.call(cube, "GetLayout")["qLayout"]) == [("Sweden", 180)]
    pages = client.call(
        cube,
        "GetHyperCubeData",
        ["/qHyperCubeDef", [{"qTop": 0, "qLeft": 0, "qWidth": 2, "qHeight": 5}]],
    )
    assert pages["qDataPages"][0]["qMatrix"][0][1]["qText"] == "180"
    client.call(doc, "ClearAll", [False])
    assert set(_states(client.call(listbox, "GetLayout")["qLayout"]).values()) == {"O"}


def test_select_through_the_list_object(loaded):
    client, doc = loaded
    listbox = client.handle(doc, "CreateSessionObject", LIST_PROPS)
    matrix = client.call(
        listbox,
        "GetListObjectData",
        ["/qListObjectDef", [{"qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 10}]],
    )["qDataPages"][0]["qMatrix"]
    bolt = next(r[0]["qElemNumber"] for r in matrix if r[0]["qText"] == "Bolt")
    result = client.call(listbox, "SelectListObjectValues", ["/qListObjectDef", [bolt], False])
    assert result == {"qSuccess": True}
    assert _states(client.call(listbox, "GetLayout")["qLayout"])["Bolt"] == "S"
    field = client.handle(doc, "GetField", "Name")
    assert client.call(field, "Clear") == {"qReturn": True}
    assert _states(client.call(listbox, "GetLayout")["qLayout"])["Bolt"] == "O"


def test_field_select_by_search_string(loaded):
    client, doc = loaded
    listbox = client.handle(doc, "CreateSessionObject", LIST_PROPS)
    field = client.handle(doc, "GetField", "Name")
    assert client.call(field, "Select", ["*o*"]) == {"qReturn": True}  # Bolt, Cogs
    states = _states(client.call(listbox, "GetLayout")["qLayout"])
    assert states == {"Acme": "A", "Bolt": "S", "Cogs": "S"}
    assert client.call(field, "ToggleSelect", ["Bolt"]) == {"qReturn": True}
    assert _states(client.call(listbox, "GetLayout")["qLayout"])["Bolt"] == "A"
    assert client.call(field, "GetCardinal") == {"qReturn": 3}


def test_second_socket_shares_the_session_and_gets_pushed_changes(connect, loaded):
    client, doc = loaded
    other = connect()  # the same URL: the same session
    assert other.greeting["params"]["qSessionState"] == "SESSION_ATTACHED"
    assert other.handle(-1, "GetActiveDoc") == doc
    listbox = other.handle(doc, "CreateSessionObject", LIST_PROPS)
    field = client.handle(doc, "GetField", "Name")
    client.call(field, "SelectValues", [[{"qText": "Acme"}]])
    assert {"jsonrpc": "2.0", "change": [listbox]} in other.pushed
    assert _states(other.call(listbox, "GetLayout")["qLayout"])["Acme"] == "S"


def test_objects_get_destroy_and_close(loaded):
    client, doc = loaded
    reply = client.request(doc, "CreateSessionObject", [LIST_PROPS])
    handle = reply["result"]["qReturn"]["qHandle"]
    assert reply["change"] == [handle]
    object_id = reply["result"]["qReturn"]["qGenericId"]
    assert client.handle(doc, "GetObject", object_id) == handle
    assert client.call(doc, "GetObject", ["nope"]) == {"qReturn": {"qType": None, "qHandle": None}}
    props = client.call(handle, "GetProperties")["qProp"]
    assert props["qInfo"] == {"qType": "listbox", "qId": object_id}
    reply = client.request(doc, "DestroySessionObject", [object_id])
    assert reply["result"] == {"qSuccess": True} and reply["close"] == [handle]
    with pytest.raises(RpcError):
        client.call(handle, "GetLayout")


def test_failed_reload_keeps_the_previous_data(loaded):
    client, doc = loaded
    client.call(doc, "SetScript", ["This is not a statement;"])
    assert client.call(doc, "DoReloadEx")["qResult"]["qSuccess"] is False
    tables = client.call(doc, "GetTablesAndKeys", [{}, {}, 0, False, False])["qtr"]
    assert [t["qName"] for t in tables] == ["Customers", "Orders"]


def test_folder_connection_and_csv(connect, tmp_path: Path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "sales.csv").write_text("Region,Sales\nEast,10\nWest,20\nEast,5\n")
    client = connect()
    doc = client.handle(-1, "GetActiveDoc")
    conn_id = client.call(
        doc,
        "CreateConnection",
        [{"qName": "data", "qConnectionString": str(folder), "qType": "folder"}],
    )["qConnectionId"]
    names = [c["qName"] for c in client.call(doc, "GetConnections")["qConnections"]]
    assert names == ["data"]
    assert client.call(doc, "GetConnection", [conn_id])["qConnection"]["qType"] == "folder"
    client.call(
        doc,
        "SetScript",
        ["LOAD * FROM [lib://data/sales.csv] (txt, utf8, embedded labels, delimiter is ',');"],
    )
    assert client.call(doc, "DoReload") == {"qReturn": True}
    cube = client.handle(
        doc,
        "CreateSessionObject",
        {
            **CUBE_PROPS,
            "qHyperCubeDef": {
                "qDimensions": [{"qDef": {"qFieldDefs": ["Region"]}}],
                "qMeasures": [{"qDef": {"qDef": "Sum(Sales)"}}],
                "qInitialDataFetch": [{"qTop": 0, "qLeft": 0, "qWidth": 2, "qHeight": 10}],
            },
        },
    )
    assert _cube_rows(client.call(cube, "GetLayout")["qLayout"]) == [("East", 15), ("West", 20)]
    with pytest.raises(RpcError) as info:
        client.call(
            doc,
            "CreateConnection",
            [{"qName": "data", "qConnectionString": "/", "qType": "folder"}],
        )
    assert info.value.code == 2000
    client.call(doc, "SetScript", ["LOAD * FROM [lib://data/../secret.csv] (txt);"])
    assert client.call(doc, "DoReload") == {"qReturn": False}

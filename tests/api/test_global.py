import re

import pytest

from openqix.testing import RpcError


def test_greeting_and_engine_info(connect):
    client = connect("/app/")
    assert client.greeting == {
        "jsonrpc": "2.0",
        "method": "OnConnected",
        "params": {"qSessionState": "SESSION_CREATED"},
    }
    assert client.call(-1, "EngineVersion") == {"qVersion": {"qComponentVersion": "12.2027.0"}}
    assert client.call(-1, "IsDesktopMode") == {"qReturn": False}
    assert client.call(-1, "AllowCreateApp") == {"qReturn": True}
    assert re.fullmatch(r"[0-9a-f-]{36}", client.call(-1, "GetUniqueID")["qUniqueID"])
    assert isinstance(client.call(-1, "OSName")["qReturn"], str)
    assert client.call(-1, "GetCustomConnectors", [False]) == {"qConnectors": []}
    pages = client.call(-1, "GetSupportedCodePages")["qCodePages"]
    assert {"qName": "UTF-8", "qDescription": "Unicode (UTF-8)", "qCodePageId": 65001} in pages
    assert "UserId=anonymous" in client.call(-1, "GetAuthenticatedUser")["qReturn"]
    for method in ("AbortAll", "ConfigureReload"):
        assert client.call(-1, method) == {}


def test_get_active_doc_without_a_doc_is_1007(connect):
    client = connect("/app/")
    with pytest.raises(RpcError) as info:
        client.call(-1, "GetActiveDoc")
    assert (info.value.code, info.value.parameter, info.value.message) == (
        1007,
        "No active document",
        "App invalid",
    )


def test_session_app_route_creates_an_active_doc(connect):
    client = connect("/app/SessionApp_abc")
    reply = client.request(-1, "GetActiveDoc")
    assert reply["result"]["qReturn"] == {
        "qType": "Doc",
        "qHandle": 1,
        "qGenericType": "Doc",
        "qGenericId": "SessionApp_abc",
    }


def test_create_session_app(connect):
    client = connect("/app/")
    reply = client.request(-1, "CreateSessionApp")
    result = reply["result"]
    assert result["qSessionAppId"].startswith("SessionApp_")
    assert result["qReturn"]["qGenericId"] == result["qSessionAppId"]
    assert reply["change"] == [result["qReturn"]["qHandle"]]
    doc = result["qReturn"]["qHandle"]
    assert client.call(doc, "GetAppLayout")["qLayout"]["qIsSessionApp"] is True
    with pytest.raises(RpcError) as info:  # one doc per session
        client.call(-1, "CreateSessionApp")
    assert info.value.code == 1002


def test_create_open_list_delete_app(connect):
    client = connect("/app/")
    created = client.call(-1, "CreateApp", ["Sales"])
    assert created["qSuccess"] is True
    app_id = created["qAppId"]
    docs = client.call(-1, "GetDocList")["qDocList"]
    assert [(d["qDocId"], d["qTitle"]) for d in docs] == [(app_id, "Sales")]
    doc = client.handle(-1, "OpenDoc", app_id)
    assert client.call(doc, "GetAppLayout")["qLayout"]["qTitle"] == "Sales"
    assert client.handle(-1, "OpenDoc", app_id) == doc  # the same doc again
    with pytest.raises(RpcError) as info:
        client.call(-1, "OpenDoc", ["another"])
    assert info.value.code == 1002
    other = connect("/app/")
    assert other.call(-1, "DeleteApp", [app_id]) == {"qSuccess": True}
    assert other.call(-1, "GetDocList") == {"qDocList": []}
    with pytest.raises(RpcError) as info:
        other.call(-1, "DeleteApp", [app_id])
    assert info.value.code == 1003


def test_open_unknown_doc_is_1003(connect):
    client = connect("/app/")
    with pytest.raises(RpcError) as info:
        client.call(-1, "OpenDoc", {"qDocName": "nope"})
    assert (info.value.code, info.value.parameter) == (1003, "nope")


def test_create_app_rejects_a_bad_name(connect):
    client = connect("/app/")
    with pytest.raises(RpcError) as info:
        client.call(-1, "CreateApp", ["a/b"])
    assert info.value.code == 1001

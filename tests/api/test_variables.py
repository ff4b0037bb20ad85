"""Variables through the QIX API: Doc variable methods, GenericVariable, the legacy Variable."""

from collections.abc import Callable
from typing import Any

import pytest

from openqix.testing import InMemoryClient, RpcError

Connect = Callable[..., InMemoryClient]


def open_doc(connect: Connect, path: str = "/app/SessionApp_vars") -> tuple[InMemoryClient, int]:
    client = connect(path)
    return client, client.handle(-1, "GetActiveDoc")


def create(client: InMemoryClient, doc: int, name: str, definition: str, **extra: Any) -> int:
    prop = {"qInfo": {"qType": "variable"}, "qName": name, "qDefinition": definition, **extra}
    return int(client.call(doc, "CreateVariableEx", [prop])["qReturn"]["qHandle"])


def test_create_variable_ex_returns_info_and_a_generic_variable(connect: Connect):
    client, doc = open_doc(connect)
    prop = {"qInfo": {"qId": "variable-abc", "qType": "variable"}, "qName": "variable-abc"}
    prop |= {"qComment": "First three letters", "qDefinition": "1", "tags": []}
    result = client.call(doc, "CreateVariableEx", [prop])
    assert result["qInfo"] == {"qId": "variable-abc", "qType": "variable"}
    handle = result["qReturn"]["qHandle"]
    assert result["qReturn"] == {
        "qType": "GenericVariable",
        "qHandle": handle,
        "qGenericType": "variable",
        "qGenericId": "variable-abc",
    }
    assert client.call(handle, "GetProperties")["qProp"] == {
        "qInfo": {"qId": "variable-abc", "qType": "variable"},
        "qMetaDef": {},
        "qName": "variable-abc",
        "qComment": "First three letters",
        "qNumberPresentation": {"qType": "U", "qnDec": 10, "qUseThou": 0},
        "qDefinition": "1",
        "tags": [],
    }
    assert client.call(handle, "GetLayout")["qLayout"] == {
        "qInfo": {"qId": "variable-abc", "qType": "variable"},
        "qMeta": {"privileges": ["read", "update", "delete", "exportdata"]},
        "qText": "1",
        "qNum": 1,
        "tags": [],
    }
    assert client.call(handle, "GetInfo") == {"qInfo": {"qId": "variable-abc", "qType": "variable"}}
    assert client.call(handle, "GetRawContent") == {"qReturn": "1"}


def test_names_must_be_given_and_unique(connect: Connect):
    client, doc = open_doc(connect)
    create(client, doc, "vA", "1")
    with pytest.raises(RpcError) as taken:
        create(client, doc, "vA", "2")
    assert taken.value.code == 3
    with pytest.raises(RpcError) as empty:
        create(client, doc, "", "2")
    assert empty.value.code == 8
    with pytest.raises(RpcError):
        client.call(doc, "CreateSessionVariable", [{"qName": "vA", "qDefinition": "3"}])


def test_get_by_id_and_name_share_the_handle_and_unknown_is_no_error(connect: Connect):
    client, doc = open_doc(connect)
    handle = create(client, doc, "vA", "x")
    var_id = client.call(handle, "GetInfo")["qInfo"]["qId"]
    assert client.handle(doc, "GetVariableByName", "vA") == handle
    assert client.handle(doc, "GetVariableById", var_id) == handle
    nothing = {"qReturn": {"qType": None, "qHandle": None}}
    assert client.call(doc, "GetVariableByName", ["nope"]) == nothing
    assert client.call(doc, "GetVariableById", ["nope"]) == nothing
    assert client.call(doc, "GetVariable", ["nope"]) == nothing


def test_value_setters_report_change_and_set_the_layout(connect: Connect):
    client, doc = open_doc(connect)
    handle = create(client, doc, "vA", "1")
    client.call(handle, "SetStringValue", ["abc"])
    assert client.last["change"] == [handle]
    layout = client.call(handle, "GetLayout")["qLayout"]
    assert layout["qText"] == "abc" and "qNum" not in layout
    client.call(handle, "SetNumValue", [2.5])
    layout = client.call(handle, "GetLayout")["qLayout"]
    assert (layout["qText"], layout["qNum"]) == ("2.5", 2.5)
    assert client.call(handle, "GetRawContent") == {"qReturn": "2.5"}
    client.call(handle, "SetDualValue", ["Feb", 2])
    layout = client.call(handle, "GetLayout")["qLayout"]
    assert (layout["qText"], layout["qNum"]) == ("Feb", 2)
    assert client.call(handle, "GetProperties")["qProp"]["qDefinition"] == "Feb"


def test_set_properties_and_patches(connect: Connect):
    client, doc = open_doc(connect)
    handle = create(client, doc, "vA", "1")
    prop = client.call(handle, "GetProperties")["qProp"]
    client.call(handle, "SetProperties", [{**prop, "qName": "vRenamed", "qDefinition": "7"}])
    assert client.last["change"] == [handle]
    assert client.handle(doc, "GetVariableByName", "vRenamed") == handle
    assert client.call(doc, "GetVariableByName", ["vA"])["qReturn"]["qHandle"] is None
    patch = {"qOp": "replace", "qPath": "/qDefinition", "qValue": '"8"'}
    client.call(handle, "ApplyPatches", [[patch]])
    assert client.call(handle, "GetLayout")["qLayout"]["qNum"] == 8
    create(client, doc, "vB", "1")
    with pytest.raises(RpcError):
        client.call(handle, "SetProperties", [{**prop, "qName": "vB"}])


def test_destroy_closes_handles_in_every_session_of_the_app(connect: Connect, core: Any):
    client, doc = open_doc(connect)
    handle = create(client, doc, "vA", "1")
    other = InMemoryClient(core, "/app/SessionApp_vars", session_id="other-session")
    try:
        # a second session of a session app is its own app: variables are not shared there
        other_doc = other.handle(-1, "GetActiveDoc")
        assert other.call(other_doc, "GetVariableByName", ["vA"])["qReturn"]["qHandle"] is None
    finally:
        other.close()
    assert client.call(doc, "DestroyVariableByName", ["vA"]) == {"qSuccess": True}
    assert client.last["close"] == [handle]
    assert "change" not in client.last
    assert client.call(doc, "DestroyVariableByName", ["vA"]) == {"qSuccess": False}
    with pytest.raises(RpcError):
        client.call(handle, "GetLayout")
    second = create(client, doc, "vB", "1")
    var_id = client.call(second, "GetInfo")["qInfo"]["qId"]
    assert client.call(doc, "DestroySessionVariableById", [var_id]) == {"qSuccess": False}
    assert client.call(doc, "DestroyVariableById", [var_id]) == {"qSuccess": True}


def test_app_variables_are_shared_by_the_sessions_of_an_app(connect: Connect):
    first = connect("/app/", user="u1")
    app_id = first.call(-1, "CreateApp", ["shared vars"])["qAppId"]
    first = connect(f"/app/{app_id}", user="u1")
    second = connect(f"/app/{app_id}", user="u2")
    doc1 = first.handle(-1, "OpenDoc", app_id)
    doc2 = second.handle(-1, "OpenDoc", app_id)
    handle1 = create(first, doc1, "vShared", "1")
    handle2 = second.handle(doc2, "GetVariableByName", "vShared")
    second.call(handle2, "SetNumValue", [5])
    assert second.last["change"] == [handle2]
    assert first.pushed and handle1 in first.pushed[-1]["change"]
    assert first.call(handle1, "GetLayout")["qLayout"]["qNum"] == 5
    assert first.call(doc1, "DestroyVariableByName", ["vShared"]) == {"qSuccess": True}
    assert handle2 in second.pushed[-1]["close"]


def test_session_variables(connect: Connect):
    client, doc = open_doc(connect)
    result = client.call(doc, "CreateSessionVariable", [{"qName": "vS", "qDefinition": "s"}])
    assert set(result) == {"qReturn"}
    handle = result["qReturn"]["qHandle"]
    listed = client.call(doc, "GetVariables", [{"qType": "variable"}])["qList"]
    assert listed == []
    listed = client.call(doc, "GetVariables", [{"qType": "variable", "qShowSession": True}])
    assert [item["qName"] for item in listed["qList"]] == ["vS"]
    assert client.call(doc, "DestroyVariableByName", ["vS"]) == {"qSuccess": False}
    assert client.call(doc, "DestroySessionVariableByName", ["vS"]) == {"qSuccess": True}
    assert client.last["close"] == [handle]


def test_get_variables_lists_items_with_data(connect: Connect):
    client, doc = open_doc(connect)
    create(client, doc, "vA", "=1+1", qComment="two", qMetaDef={"title": "A"})
    list_def = {"qType": "variable", "qData": {"title": "/qMetaDef/title", "tags": "/tags"}}
    (item,) = client.call(doc, "GetVariables", [list_def])["qList"]
    assert item["qName"] == "vA" and item["qDefinition"] == "=1+1"
    assert item["qDescription"] == "two"
    assert item["qData"] == {"title": "A", "tags": None}
    assert item["qInfo"]["qType"] == "variable"
    assert item["qMeta"]["title"] == "A"


def test_variable_list_objects_follow_the_variables(connect: Connect):
    client, doc = open_doc(connect)
    prop = {"qInfo": {"qType": "VariableList"}, "qVariableListDef": {"qType": "variable"}}
    obj = client.handle(doc, "CreateSessionObject", prop)
    assert client.call(obj, "GetLayout")["qLayout"]["qVariableList"] == {"qItems": []}
    handle = create(client, doc, "vA", "1")
    assert obj in client.last["change"]
    items = client.call(obj, "GetLayout")["qLayout"]["qVariableList"]["qItems"]
    assert [i["qName"] for i in items] == ["vA"]
    client.call(handle, "SetStringValue", ["2"])
    assert obj in client.last["change"]
    assert client.call(doc, "DestroyVariableByName", ["vA"]) == {"qSuccess": True}
    assert client.last["change"] == [obj]


def test_legacy_variable_api(connect: Connect):
    client, doc = open_doc(connect)
    assert client.call(doc, "CreateVariable", ["vL"]) == {"qReturn": True}
    assert client.call(doc, "CreateVariable", ["vL"]) == {"qReturn": False}
    handle = client.handle(doc, "GetVariable", "vL")
    assert client.last["result"]["qReturn"]["qType"] == "Variable"
    assert client.call(handle, "GetContent") == {"qContent": {"qString": ""}}
    assert client.call(handle, "SetContent", ["42", True]) == {"qReturn": True}
    assert client.last["change"] == [handle]
    assert client.call(handle, "GetContent") == {"qContent": {"qString": "42", "qIsNum": True}}
    assert client.call(handle, "GetRawContent") == {"qReturn": "42"}
    client.call(handle, "ForceContent", ["Mar", 3])
    assert client.call(handle, "GetContent") == {"qContent": {"qString": "Mar", "qIsNum": True}}
    props = client.call(handle, "GetNxProperties")["qProperties"]
    assert props == {
        "qName": "vL",
        "qNumberPresentation": {"qType": "U", "qnDec": 10, "qUseThou": 0},
    }
    props |= {"qIncludeInBookmark": True, "qPreDefinedList": ["a", "b"]}
    client.call(handle, "SetNxProperties", [props])
    assert client.call(handle, "GetNxProperties")["qProperties"] == props
    generic = client.handle(doc, "GetVariableByName", "vL")
    assert generic != handle
    assert client.call(generic, "GetProperties")["qProp"]["qIncludeInBookmark"] is True
    assert client.call(doc, "RemoveVariable", ["vL"]) == {"qReturn": True}
    assert sorted(client.last["close"]) == sorted([handle, generic])
    assert client.call(doc, "RemoveVariable", ["vL"]) == {"qReturn": False}


def test_objects_mentioning_a_variable_get_change(connect: Connect):
    client, doc = open_doc(connect)
    handle = create(client, doc, "vTitle", "x")
    create(client, doc, "vDerived", "=$(vTitle)&'!'")
    derived = client.handle(doc, "GetVariableByName", "vDerived")
    uses = {"qInfo": {"qType": "t"}, "title": {"qStringExpression": {"qExpr": "=vDerived"}}}
    other = {"qInfo": {"qType": "t"}, "title": "static"}
    using = client.handle(doc, "CreateSessionObject", uses)
    unrelated = client.handle(doc, "CreateSessionObject", other)
    client.call(handle, "SetStringValue", ["y"])
    assert sorted(client.last["change"]) == sorted([handle, derived, using])
    assert unrelated not in client.last["change"]


def test_script_variables_are_visible_after_a_reload(connect: Connect):
    client, doc = open_doc(connect)
    script = "SET vA = 1;\nSET vText = 'a b';\nSET ThousandSep = ',';\n"
    script += "T:\nLOAD * INLINE [\nx\n1\n];\n"
    client.call(doc, "SetScript", [script])
    assert client.call(doc, "DoReload") == {"qReturn": True}
    listed = client.call(doc, "GetVariables", [{"qType": "variable"}])["qList"]
    assert [(i["qName"], i.get("qIsScriptCreated")) for i in listed] == [
        ("vA", True),
        ("vText", True),
    ]
    handle = client.handle(doc, "GetVariableByName", "vA")
    layout = client.call(handle, "GetLayout")["qLayout"]
    assert (layout["qText"], layout["qNum"], layout["qIsScriptCreated"]) == ("1", 1, True)
    reserved = client.call(doc, "GetVariables", [{"qType": "variable", "qShowReserved": True}])
    assert "ThousandSep" in [i["qName"] for i in reserved["qList"]]
    client.call(doc, "SetScript", ["SET vA = 2;\nT:\nLOAD * INLINE [\nx\n1\n];\n"])
    assert client.call(doc, "DoReload") == {"qReturn": True}
    assert handle in client.last["change"]
    assert client.call(handle, "GetLayout")["qLayout"]["qNum"] == 2
    names = [i["qName"] for i in client.call(doc, "GetVariables", [{}])["qList"]]
    assert names == ["vA", "vText"]  # a variable the script no longer sets stays


def test_the_script_reads_the_variables_of_the_app(connect: Connect):
    client, doc = open_doc(connect)
    create(client, doc, "vCount", "1")
    create(client, doc, "vUser", "kept")
    client.call(doc, "SetScript", ["LET vCount = $(vCount) + 1;\nSET vCopy = $(vUser);\n"])
    assert client.call(doc, "DoReload") == {"qReturn": True}
    items = {i["qName"]: i for i in client.call(doc, "GetVariables", [{}])["qList"]}
    assert items["vCount"]["qDefinition"] == "2" and items["vCount"]["qIsScriptCreated"]
    assert items["vCopy"]["qDefinition"] == "kept"
    assert "qIsScriptCreated" not in items["vUser"]  # only read by the script
    assert client.call(doc, "DoReload") == {"qReturn": True}
    assert client.call(doc, "Evaluate", ["vCount"]) == {"qReturn": "3"}

import orjson
import pytest

from openqix.protocol.schema import method_table
from openqix.testing import RpcError


def test_unknown_method(connect):
    client = connect("/app/")
    with pytest.raises(RpcError) as info:
        client.call(-1, "NoSuchMethod")
    assert (info.value.code, info.value.parameter, info.value.message) == (
        -32601,
        "NoSuchMethod",
        "Method does not exist",
    )


def test_unknown_handle(connect):
    client = connect("/app/")
    for handle in (0, 42):
        with pytest.raises(RpcError) as info:
            client.call(handle, "GetLayout")
        assert (info.value.code, info.value.parameter) == (-32602, f"Invalid handle: {handle}")
        assert info.value.message == "Invalid Params"


def test_invalid_json_and_invalid_request(connect):
    client = connect("/app/")
    assert client.send_raw(b"{oops")["error"]["code"] == -32700
    reply = client.send_raw(orjson.dumps({"jsonrpc": "2.0", "id": 5, "method": "X"}))
    assert reply["id"] == 5 and reply["error"]["code"] == -32600


def test_wrong_parameter_types(connect):
    client = connect("/app/")
    with pytest.raises(RpcError) as info:
        client.call(-1, "OpenDoc", [123])
    assert info.value.code == -32602
    with pytest.raises(RpcError) as info:
        client.call(-1, "OpenDoc", ["a", "", "", "", False, "extra"])
    assert info.value.code == -32602


def test_params_as_object_and_short_array(connect):
    client = connect("/app/")
    app_id = client.call(-1, "CreateApp", {"qAppName": "X"})["qAppId"]
    assert client.handle(-1, "OpenDoc", app_id) >= 1


def test_schema_methods_not_implemented_answer_20_naming_the_method(connect):
    client = connect("/app/")
    with pytest.raises(RpcError) as info:
        client.call(-1, "GetInteract", [0])
    assert (info.value.code, info.value.parameter) == (20, "Global.GetInteract")


def test_every_schema_method_answers_a_typed_reply(loaded):
    """No schema method crashes the dispatcher: each gives a result or a QIX error."""
    client, doc = loaded
    obj = client.handle(doc, "CreateSessionObject", {"qInfo": {"qType": "x"}})
    field = client.handle(doc, "GetField", "Country")
    handles = {"Global": -1, "Doc": doc, "GenericObject": obj, "Field": field}
    for qix_type, handle in handles.items():
        for method in method_table()[qix_type]:
            if method in ("DestroySessionObject", "DeleteApp", "DoReload", "DoReloadEx"):
                continue
            reply = client.request(handle, method)
            assert ("result" in reply) != ("error" in reply), (qix_type, method)
            if "error" in reply:
                assert reply["error"]["code"] != -32603, (qix_type, method, reply)


def test_delta_requests_get_plain_replies(connect):
    client = connect("/app/")
    frame = {
        "jsonrpc": "2.0",
        "id": 1,
        "handle": -1,
        "method": "EngineVersion",
        "params": [],
        "delta": True,
    }
    assert client.send_raw(orjson.dumps(frame))["result"]["qVersion"]

import math

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.errors import QixError
from openqix.protocol.jsonrpc import (
    RequestError,
    encode_error,
    encode_notification,
    encode_push,
    encode_result,
    parse_request,
)


def test_parses_a_request_with_array_params():
    req = parse_request(b'{"jsonrpc":"2.0","id":3,"handle":-1,"method":"OpenDoc","params":["x"]}')
    assert (req.id, req.handle, req.method, req.params, req.delta) == (
        3,
        -1,
        "OpenDoc",
        ["x"],
        False,
    )


def test_delta_flag_is_read():
    req = parse_request('{"jsonrpc":"2.0","id":1,"handle":-1,"method":"A","delta":true}')
    assert req.delta and req.params == []


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", -32700),
        ("[1,2]", -32600),
        ('{"jsonrpc":"2.0","id":1,"handle":-1}', -32600),
        ('{"jsonrpc":"2.0","id":1,"method":"X"}', -32600),
        ('{"id":1,"method":"X","handle":-1}', -32600),
        ('{"jsonrpc":"1.0","id":1,"method":"X","handle":-1}', -32600),
        ('{"jsonrpc":"2.0","id":1,"method":"X","handle":"1"}', -32600),
        ('{"jsonrpc":"2.0","id":1,"method":"X","handle":-1,"params":5}', -32600),
    ],
)
def test_bad_frames_are_typed_errors(frame, code):
    with pytest.raises(RequestError) as info:
        parse_request(frame)
    assert info.value.error.code == code


def test_error_keeps_the_request_id_when_readable():
    with pytest.raises(RequestError) as info:
        parse_request('{"jsonrpc":"2.0","id":7,"handle":-1}')
    assert info.value.request_id == 7


def test_result_with_change_and_close_lists():
    msg = orjson.loads(encode_result(1, {"qReturn": True}, change=[3, 2, 3], close=[5]))
    assert msg == {
        "jsonrpc": "2.0",
        "id": 1,
        "result": {"qReturn": True},
        "change": [2, 3],
        "close": [5],
    }


def test_nan_and_infinity_become_strings():
    msg = orjson.loads(encode_result(1, {"a": math.nan, "b": [math.inf, -math.inf, 1.5]}))
    assert msg["result"] == {"a": "NaN", "b": ["Infinity", "-Infinity", 1.5]}


def test_error_shape_uses_the_code_table_message():
    msg = orjson.loads(encode_error(4, QixError("No active document", code=1007)))
    assert msg["error"] == {
        "code": 1007,
        "parameter": "No active document",
        "message": "App invalid",
    }


def test_notification_and_push():
    note = orjson.loads(encode_notification("OnConnected", {"qSessionState": "SESSION_CREATED"}))
    assert note == {
        "jsonrpc": "2.0",
        "method": "OnConnected",
        "params": {"qSessionState": "SESSION_CREATED"},
    }
    assert orjson.loads(encode_push([4], [])) == {"jsonrpc": "2.0", "change": [4]}


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.binary()))
def test_any_frame_parses_or_fails_typed(frame):
    try:
        parse_request(frame)
    except RequestError as exc:
        assert exc.error.code in (-32700, -32600)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-10, 10) | st.text(max_size=5),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
    )
)
def test_any_json_value_parses_or_fails_typed(value):
    try:
        parse_request(orjson.dumps(value))
    except RequestError as exc:
        assert exc.error.code == -32600


def test_oversized_frame_is_refused_without_parsing():
    from openqix.protocol.jsonrpc import MAX_FRAME_BYTES

    with pytest.raises(RequestError) as info:
        parse_request(b" " * (MAX_FRAME_BYTES + 1))
    assert info.value.error.code == -32600

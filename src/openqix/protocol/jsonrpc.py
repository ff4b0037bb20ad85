"""JSON-RPC 2.0 frames with Qlik's handle extension: parse requests, encode replies.

`parse_request` turns a text frame into a `Request` or raises a `QixError` (with the request
id when one could be read). The encoders return bytes ready to send as a text frame; NaN and
infinities become the strings Qlik sends ("NaN", "Infinity", "-Infinity").
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from openqix.errors import InvalidRequest, ParseError, QixError
from openqix.protocol.codes import error_message

RequestId = int | str | None

# The largest frame accepted; bigger ones are answered with -32600 without being parsed.
MAX_FRAME_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Request:
    id: RequestId
    handle: int
    method: str
    params: Any
    delta: bool = False


class RequestError(Exception):
    """A frame that could not become a Request; `request_id` is echoed in the error reply."""

    def __init__(self, request_id: RequestId, error: QixError):
        super().__init__(error.parameter)
        self.request_id = request_id
        self.error = error


def parse_request(frame: str | bytes) -> Request:
    if len(frame) > MAX_FRAME_BYTES:
        raise RequestError(None, InvalidRequest(f"frame larger than {MAX_FRAME_BYTES} bytes"))
    try:
        data = orjson.loads(frame)
    except orjson.JSONDecodeError as exc:
        raise RequestError(None, ParseError(f"invalid JSON: {exc.msg}")) from None
    if not isinstance(data, dict):
        raise RequestError(None, InvalidRequest("a request must be a JSON object"))
    request_id = data.get("id")
    if not isinstance(request_id, int | str) or isinstance(request_id, bool):
        request_id = None
    missing = [k for k in ("jsonrpc", "method", "handle") if k not in data]
    if missing:
        raise RequestError(request_id, InvalidRequest(f"missing member: {missing[0]}"))
    method, handle = data["method"], data["handle"]
    if data["jsonrpc"] != "2.0":
        raise RequestError(request_id, InvalidRequest('jsonrpc must be "2.0"'))
    if not isinstance(method, str) or not method:
        raise RequestError(request_id, InvalidRequest("method must be a non-empty string"))
    if not isinstance(handle, int) or isinstance(handle, bool):
        raise RequestError(request_id, InvalidRequest("handle must be an integer"))
    params = data.get("params", [])
    if params is not None and not isinstance(params, list | dict):
        raise RequestError(request_id, InvalidRequest("params must be an array or an object"))
    return Request(request_id, handle, method, params, bool(data.get("delta", False)))


def encode_result(
    request_id: RequestId,
    result: Any,
    change: Iterable[int] = (),
    close: Iterable[int] = (),
) -> bytes:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "result": result}
    _add_lists(message, change, close)
    return dumps(message)


def encode_error(
    request_id: RequestId,
    error: QixError,
    change: Iterable[int] = (),
    close: Iterable[int] = (),
) -> bytes:
    body = {
        "code": error.code,
        "parameter": error.parameter,
        "message": error.message or error_message(error.code),
    }
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "error": body}
    _add_lists(message, change, close)
    return dumps(message)


def encode_notification(method: str, params: dict[str, Any]) -> bytes:
    return dumps({"jsonrpc": "2.0", "method": method, "params": params})


def encode_push(change: Iterable[int] = (), close: Iterable[int] = ()) -> bytes:
    """An unsolicited frame that only carries `change`/`close` lists."""
    message: dict[str, Any] = {"jsonrpc": "2.0"}
    _add_lists(message, change, close)
    return dumps(message)


def _add_lists(message: dict[str, Any], change: Iterable[int], close: Iterable[int]) -> None:
    change_list, close_list = sorted(set(change)), sorted(set(close))
    if change_list:
        message["change"] = change_list
    if close_list:
        message["close"] = close_list


def dumps(message: Any) -> bytes:
    return orjson.dumps(wire_value(message), option=orjson.OPT_SERIALIZE_NUMPY)


def wire_value(value: Any) -> Any:
    """Replace non-finite floats by Qlik's strings, recursively (JSON has no NaN)."""
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        if math.isnan(value):
            return "NaN"
        return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, dict):
        return {k: wire_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [wire_value(v) for v in value]
    return value

"""A QIX client over the sans-I/O core, for tests and for users embedding the engine.

    core = EngineCore(Settings(data_dir=tmp))
    client = InMemoryClient(core, "/app/SessionApp_1")
    doc = client.call(-1, "GetActiveDoc")["qReturn"]["qHandle"]

`call` returns the result (or raises `RpcError`); `last` is the whole last reply, and
`pushed` collects unsolicited frames (change/close pushed by other sockets of the session).
"""

from __future__ import annotations

import itertools
from typing import Any

import orjson

from openqix.api.core import Attachment, EngineCore


class RpcError(Exception):
    def __init__(self, error: dict[str, Any]):
        super().__init__(f"{error.get('code')}: {error.get('parameter')} ({error.get('message')})")
        self.code: int = error["code"]
        self.parameter: str = error.get("parameter", "")
        self.message: str = error.get("message", "")


class InMemoryClient:
    def __init__(
        self,
        core: EngineCore,
        path: str = "/app/",
        user: str = "anonymous",
        session_id: str | None = None,
    ):
        self.core = core
        self.attachment: Attachment = core.connect(path, user, session_id)
        self.greeting: dict[str, Any] = orjson.loads(self.attachment.greeting())
        self.pushed: list[dict[str, Any]] = []
        self.attachment.set_push(lambda frame: self.pushed.append(orjson.loads(frame)))
        self.last: dict[str, Any] = {}
        self._ids = itertools.count(1)

    def send_raw(self, frame: str | bytes) -> dict[str, Any]:
        """Send one frame and return its reply. Progress and cancel calls are answered at once
        even while another thread waits for a call of the same session (a reload)."""
        if self.attachment.is_out_of_band(frame):
            out_of_band: dict[str, Any] = orjson.loads(self.attachment.receive_out_of_band(frame))
            return out_of_band
        self.attachment.begin()
        reply: dict[str, Any] = orjson.loads(self.attachment.receive(frame))
        pushed = self.attachment.idle()
        if pushed is not None:
            self.pushed.append(orjson.loads(pushed))
        self.last = reply
        return reply

    def request(
        self, handle: int, method: str, params: list[Any] | dict[str, Any] | None = None
    ) -> dict[str, Any]:
        message = {
            "jsonrpc": "2.0",
            "id": next(self._ids),
            "handle": handle,
            "method": method,
            "params": [] if params is None else params,
        }
        return self.send_raw(orjson.dumps(message))

    def call(
        self, handle: int, method: str, params: list[Any] | dict[str, Any] | None = None
    ) -> Any:
        reply = self.request(handle, method, params)
        if "error" in reply:
            raise RpcError(reply["error"])
        return reply["result"]

    def handle(self, handle: int, method: str, *params: Any) -> int:
        """Call a handle-returning method and return the new handle."""
        result = self.call(handle, method, list(params))
        return int(result["qReturn"]["qHandle"])

    def close(self) -> None:
        self.attachment.detach()

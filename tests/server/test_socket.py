"""The WebSocket server over a real loopback socket: greeting, replies, close codes, shutdown.

Each test runs its own event loop with `asyncio.run`; every wait is bounded by `TIMEOUT`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from websockets.asyncio.client import ClientConnection, connect

from openqix.api.core import EngineCore
from openqix.config import Settings
from openqix.server.app import EngineServer

pytestmark = pytest.mark.network

TIMEOUT = 15.0
TRACE_ID = re.compile(r"[0-9a-f]{32}")
READY = re.compile(r"openqix is listening on (ws://\S+/app/)")

T = TypeVar("T")


def run(test: Callable[[], Awaitable[T]]) -> T:
    """Run one async test body on a fresh loop, bounded as a whole."""

    async def bounded() -> T:
        return await asyncio.wait_for(test(), 4 * TIMEOUT)

    return asyncio.run(bounded())


@contextlib.asynccontextmanager
async def engine(data_dir: Path) -> AsyncIterator[EngineServer]:
    server = EngineServer(EngineCore(Settings(port=0, data_dir=data_dir)))
    await server.start()
    try:
        yield server
    finally:
        await asyncio.wait_for(server.close(), TIMEOUT)


def socket(url: str) -> Any:
    return connect(url, open_timeout=TIMEOUT, close_timeout=TIMEOUT, compression=None)


async def receive(ws: ClientConnection) -> dict[str, Any]:
    frame = await asyncio.wait_for(ws.recv(), TIMEOUT)
    message: dict[str, Any] = json.loads(frame)
    return message


async def request(
    ws: ClientConnection, request_id: int, handle: int, method: str, params: Any = ()
) -> dict[str, Any]:
    frame = {
        "delta": True,
        "handle": handle,
        "method": method,
        "params": list(params) if isinstance(params, tuple) else params,
        "id": request_id,
        "jsonrpc": "2.0",
    }
    await ws.send(json.dumps(frame))
    return await receive(ws)


async def closed_with(ws: ClientConnection) -> tuple[int | None, str | None]:
    await asyncio.wait_for(ws.wait_closed(), TIMEOUT)
    return ws.close_code, ws.close_reason


def assert_qep_reason(reason: str | None, qep: str) -> None:
    assert reason is not None
    detail = json.loads(reason)
    assert detail["code"] == qep
    assert TRACE_ID.fullmatch(detail["traceId"]), detail


def on_connected(state: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": "OnConnected", "params": {"qSessionState": state}}


# -- in-process server -----------------------------------------------------------------------


def test_first_frame_is_on_connected_session_created(tmp_path: Path) -> None:
    async def body() -> None:
        async with engine(tmp_path) as server, socket(server.url + "SessionApp_a") as ws:
            assert await receive(ws) == on_connected("SESSION_CREATED")

    run(body)


def test_second_socket_on_the_same_path_is_attached(tmp_path: Path) -> None:
    async def body() -> None:
        async with engine(tmp_path) as server:
            url = server.url + "SessionApp_b"
            async with socket(url) as first, socket(url) as second:
                assert await receive(first) == on_connected("SESSION_CREATED")
                assert await receive(second) == on_connected("SESSION_ATTACHED")
                # Both sockets see the same session app.
                one = await request(first, 1, -1, "GetActiveDoc")
                two = await request(second, 1, -1, "GetActiveDoc")
                assert one["result"]["qReturn"] == two["result"]["qReturn"]
                assert one["result"]["qReturn"]["qGenericId"] == "SessionApp_b"
            # Another path is another session.
            async with socket(server.url + "SessionApp_c") as third:
                assert await receive(third) == on_connected("SESSION_CREATED")

    run(body)


def test_a_change_made_on_one_socket_is_pushed_to_an_idle_one(tmp_path: Path) -> None:
    async def body() -> None:
        async with engine(tmp_path) as server:
            url = server.url + "SessionApp_d"
            async with socket(url) as first, socket(url) as second:
                await receive(first)
                await receive(second)
                doc = (await request(first, 1, -1, "GetActiveDoc"))["result"]["qReturn"]
                reply = await request(first, 2, doc["qHandle"], "SetAppProperties", [{"x": 1}])
                assert reply["result"] == {}
                assert doc["qHandle"] in reply["change"]
                pushed = await receive(second)
                assert "id" not in pushed, pushed
                assert doc["qHandle"] in pushed["change"]

    run(body)


def test_no_frame_is_pushed_between_a_request_and_its_reply(tmp_path: Path) -> None:
    """Lock-step clients read the next frame as the reply: a change made by another socket
    while this socket's request waits for the session must come with or after the reply."""

    async def body() -> None:
        core = EngineCore(Settings(port=0, data_dir=tmp_path))
        server = EngineServer(core)
        await server.start()
        try:
            url = server.url + "SessionApp_g"
            async with socket(url) as first, socket(url) as second:
                await receive(first)
                await receive(second)
                doc = (await request(first, 1, -1, "GetActiveDoc"))["result"]["qReturn"]
                # Keep the engine busy (as a long reload would) while both requests arrive:
                # first's change is queued ahead of second's request.
                held, release = threading.Event(), threading.Event()
                (session,) = list(core.sessions)

                def busy_engine() -> None:
                    with session.lock:
                        held.set()
                        release.wait(TIMEOUT)

                holder = threading.Thread(target=busy_engine)
                holder.start()
                try:
                    assert await asyncio.to_thread(held.wait, TIMEOUT)
                    change = {"jsonrpc": "2.0", "id": 2, "handle": doc["qHandle"]}
                    change |= {"method": "SetAppProperties", "params": [{"x": 1}]}
                    await first.send(json.dumps(change))
                    await asyncio.sleep(0.2)
                    ask = {"jsonrpc": "2.0", "id": 1, "handle": -1, "method": "EngineVersion"}
                    await second.send(json.dumps(ask))
                    await asyncio.sleep(0.2)
                finally:
                    release.set()
                    await asyncio.to_thread(holder.join, TIMEOUT)
                assert (await receive(first))["id"] == 2
                reply = await receive(second)
                assert reply.get("id") == 1, f"an unsolicited frame came first: {reply}"
        finally:
            await asyncio.wait_for(server.close(), TIMEOUT)

    run(body)


def test_engine_version_reply(tmp_path: Path) -> None:
    async def body() -> None:
        async with engine(tmp_path) as server, socket(server.url) as ws:
            await receive(ws)
            reply = await request(ws, 7, -1, "EngineVersion")
            assert reply["jsonrpc"] == "2.0"
            assert reply["id"] == 7
            version = reply["result"]["qVersion"]["qComponentVersion"]
            assert isinstance(version, str)
            assert version

    run(body)


def test_invalid_json_is_a_parse_error_and_the_socket_stays_open(tmp_path: Path) -> None:
    async def body() -> None:
        async with engine(tmp_path) as server, socket(server.url) as ws:
            await receive(ws)
            await ws.send('{"jsonrpc": "2.0", "id": 1, "method": ')
            reply = await receive(ws)
            assert reply["error"]["code"] == -32700
            assert reply["id"] is None
            assert "result" not in reply
            reply = await request(ws, 2, -1, "EngineVersion")
            assert reply["id"] == 2
            assert "result" in reply

    run(body)


def test_unknown_method_is_method_not_found(tmp_path: Path) -> None:
    async def body() -> None:
        async with engine(tmp_path) as server, socket(server.url) as ws:
            await receive(ws)
            reply = await request(ws, 3, -1, "NoSuchMethod")
            assert reply["id"] == 3
            assert reply["error"]["code"] == -32601

    run(body)


def test_unknown_route_is_closed_with_4202(tmp_path: Path) -> None:
    async def body() -> None:
        async with engine(tmp_path) as server:
            origin = server.url.removesuffix("/app/")
            async with socket(origin + "/not-an-engine-route") as ws:
                code, reason = await closed_with(ws)
            assert code == 4202
            assert_qep_reason(reason, "QEP-102")

    run(body)


def test_unknown_app_is_closed_with_4204_and_a_qep_104_reason(tmp_path: Path) -> None:
    async def body() -> None:
        async with engine(tmp_path) as server, socket(server.url + "no-such-app") as ws:
            code, reason = await closed_with(ws)
            assert code == 4204
            assert_qep_reason(reason, "QEP-104")

    run(body)


def test_health_endpoint(tmp_path: Path) -> None:
    async def body() -> None:
        async with engine(tmp_path) as server:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", server.port), TIMEOUT
            )
            try:
                writer.write(
                    b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                )
                await writer.drain()
                response = await asyncio.wait_for(reader.read(), TIMEOUT)
            finally:
                writer.close()
                with contextlib.suppress(ConnectionError):
                    await asyncio.wait_for(writer.wait_closed(), TIMEOUT)
            head, _, content = response.partition(b"\r\n\r\n")
            assert head.split(b"\r\n")[0].startswith(b"HTTP/1.1 200"), head
            assert content.strip() == b"ok"

    run(body)


def test_closing_the_server_closes_sockets_with_1001(tmp_path: Path) -> None:
    async def body() -> None:
        server = EngineServer(EngineCore(Settings(port=0, data_dir=tmp_path)))
        await server.start()
        try:
            async with socket(server.url + "SessionApp_e") as ws:
                await receive(ws)
                await asyncio.wait_for(server.close(), TIMEOUT)
                code, reason = await closed_with(ws)
                assert code == 1001
                assert reason is not None
                assert json.loads(reason)["code"].startswith("QEP-")
        finally:
            await asyncio.wait_for(server.close(), TIMEOUT)

    run(body)


# -- the command line, as a process ----------------------------------------------------------


def test_serve_prints_the_url_and_exits_0_on_sigterm(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENQIX_")}
    argv = ["-m", "openqix", "serve", "--host", "127.0.0.1", "--port", "0"]

    async def body() -> None:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *argv,
            "--data-dir",
            str(tmp_path / "data"),
            cwd=tmp_path,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            assert proc.stdout is not None
            line = await asyncio.wait_for(proc.stdout.readline(), TIMEOUT)
            match = READY.search(line.decode())
            assert match, f"no ready line: {line!r}"
            url = match.group(1)
            async with socket(url + "SessionApp_f") as ws:
                assert await receive(ws) == on_connected("SESSION_CREATED")
                proc.send_signal(signal.SIGTERM)
                code, _ = await closed_with(ws)
                assert code == 1001
            _, stderr = await asyncio.wait_for(proc.communicate(), TIMEOUT)
            assert proc.returncode == 0, stderr.decode()
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.communicate()

    run(body)


def test_get_progress_is_answered_while_a_reload_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openqix.app

    started, release = threading.Event(), threading.Event()
    real = openqix.app.run_script

    def slow(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        started.set()
        assert release.wait(TIMEOUT)
        return result

    monkeypatch.setattr(openqix.app, "run_script", slow)

    async def body() -> None:
        async with engine(tmp_path) as server, socket(server.url + "SessionApp_p") as ws:
            await receive(ws)
            doc = (await request(ws, 1, -1, "GetActiveDoc"))["result"]["qReturn"]["qHandle"]
            await request(ws, 2, doc, "SetScript", ("T: LOAD * INLINE [A\n1];",))
            await ws.send(
                json.dumps(
                    {"jsonrpc": "2.0", "id": 3, "handle": doc, "method": "DoReload", "params": []}
                )
            )
            assert await asyncio.to_thread(started.wait, TIMEOUT)
            progress = await request(ws, 4, -1, "GetProgress", (3,))
            assert progress["id"] == 4
            assert progress["result"]["qProgressData"]["qFinished"] is False
            release.set()
            reply = await receive(ws)
            assert reply["id"] == 3 and reply["result"] == {"qReturn": True}

    run(body)

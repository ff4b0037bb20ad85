"""The WebSocket server (websockets asyncio): routes sockets to the engine core.

Each socket answers its requests one at a time, in order; the core runs in a worker thread so
the event loop keeps serving other sockets. Pushed change/close frames for an idle socket are
scheduled on the loop from the worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
from collections.abc import Callable

import orjson
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from openqix.api.core import Attachment, CloseSocket, EngineCore
from openqix.config import Settings
from openqix.demo import install_demo
from openqix.protocol.codes import QEP_CODES, CloseCode
from openqix.protocol.jsonrpc import MAX_FRAME_BYTES

log = logging.getLogger("openqix.server")

# A little above the protocol limit, so a too-large request still gets a -32600 reply;
# beyond this the WebSocket layer closes the socket with 1009 (message too big).
MAX_MESSAGE_BYTES = MAX_FRAME_BYTES + 1024 * 1024
SWEEP_SECONDS = 1.0


def close_reason(code: CloseCode) -> str:
    return orjson.dumps(
        {"code": QEP_CODES.get(code, "QEP-100"), "traceId": secrets.token_hex(16)}
    ).decode()


class EngineServer:
    def __init__(self, core: EngineCore):
        self.core = core
        self.settings = core.settings
        self._server: Server | None = None
        self._sockets: set[ServerConnection] = set()
        self._sweep_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._server = await serve(
            self._handle,
            self.settings.host,
            self.settings.port,
            compression=None,
            max_size=MAX_MESSAGE_BYTES,
            process_request=self._process_request,
        )
        self._sweep_task = asyncio.get_running_loop().create_task(self._sweeper())

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"ws://{self.settings.host}:{self.port}/app/"

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.path.split("?")[0] == "/health":
            return connection.respond(200, "ok\n")
        return None

    async def _handle(self, websocket: ServerConnection) -> None:
        path = websocket.request.path if websocket.request else "/"
        headers = websocket.request.headers if websocket.request else {}
        try:
            attachment = await asyncio.to_thread(
                self.core.connect, path, "anonymous", headers.get("X-Qlik-Session")
            )
        except CloseSocket as exc:
            log.info("closing %s: %s (%s)", path, exc.code, exc.detail)
            await websocket.close(int(exc.code), close_reason(exc.code))
            return
        self._sockets.add(websocket)
        try:
            await self._serve(websocket, attachment)
        finally:
            self._sockets.discard(websocket)
            await asyncio.to_thread(attachment.detach)

    async def _serve(self, websocket: ServerConnection, attachment: Attachment) -> None:
        """Read frames while earlier ones are answered: calls of the socket are answered in
        order by one worker, except progress/cancel calls, which are answered at once."""
        loop = asyncio.get_running_loop()
        attachment.set_push(_pusher(loop, websocket))
        await websocket.send(attachment.greeting().decode())
        queue: asyncio.Queue[str | bytes | None] = asyncio.Queue()
        worker = loop.create_task(_answer_in_order(websocket, attachment, queue))
        try:
            async for frame in websocket:
                if attachment.is_out_of_band(frame):
                    reply = await asyncio.to_thread(attachment.receive_out_of_band, frame)
                    await websocket.send(reply.decode())
                    continue
                attachment.queue(frame)
                queue.put_nowait(frame)
        except ConnectionClosed:
            pass
        finally:
            queue.put_nowait(None)
            await worker

    async def _sweeper(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            self.core.sweep()

    async def close(self, code: CloseCode = CloseCode.GOING_AWAY) -> None:
        for websocket in list(self._sockets):
            with contextlib.suppress(Exception):
                await websocket.close(int(code), close_reason(code))
        if self._sweep_task is not None:
            self._sweep_task.cancel()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        self.core.shutdown()


async def _answer_in_order(
    websocket: ServerConnection, attachment: Attachment, queue: asyncio.Queue[str | bytes | None]
) -> None:
    while (frame := await queue.get()) is not None:
        reply = await asyncio.to_thread(attachment.receive, frame)
        try:
            await websocket.send(reply.decode())
        except ConnectionClosed:
            return
        if queue.empty():
            pushed = await asyncio.to_thread(attachment.idle)
            if pushed is not None:
                await _send_quietly(websocket, pushed.decode())


def _pusher(
    loop: asyncio.AbstractEventLoop, websocket: ServerConnection
) -> Callable[[bytes], None]:
    tasks: set[asyncio.Task[None]] = set()  # keep a reference until each send is done

    def push(frame: bytes) -> None:
        def send() -> None:
            task = loop.create_task(_send_quietly(websocket, frame.decode()))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        loop.call_soon_threadsafe(send)

    return push


async def _send_quietly(websocket: ServerConnection, text: str) -> None:
    with contextlib.suppress(ConnectionClosed):
        await websocket.send(text)


async def serve_forever(settings: Settings, on_ready: Callable[[EngineServer], None]) -> None:
    """Run until SIGINT/SIGTERM, then close every socket with 1001 and return."""
    core = EngineCore(settings)
    if settings.demo:
        install_demo(core)
    server = EngineServer(core)
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    on_ready(server)
    await stop.wait()
    await server.close()


def run(settings: Settings, on_ready: Callable[[EngineServer], None]) -> None:
    """Blocking entry point for the CLI."""
    asyncio.run(serve_forever(settings, on_ready))

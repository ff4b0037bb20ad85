"""The engine core: apps, sessions, and the dispatch of one text frame to a QIX method.

`EngineCore.connect` attaches a socket to a session (or says which close code to use);
`Attachment.receive` takes a frame and returns the reply bytes. Both are synchronous and
socket-free: server/ and `openqix.testing.InMemoryClient` drive them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openqix.api.apps import AppRegistry
from openqix.api.global_ import open_session_app
from openqix.api.registry import api_class
from openqix.config import Settings
from openqix.errors import (
    InternalError,
    InvalidParameters,
    MethodNotFound,
    NotImplementedMethod,
    QixError,
)
from openqix.progress import ReloadProgress
from openqix.protocol.codes import CloseCode
from openqix.protocol.jsonrpc import (
    Request,
    RequestError,
    encode_error,
    encode_notification,
    encode_push,
    encode_result,
    parse_request,
)
from openqix.protocol.schema import bind_params, find_method
from openqix.session.registry import SessionRegistry
from openqix.session.routes import Route, RouteError, parse_route
from openqix.session.session import GLOBAL_HANDLE, Connection, HandleEntry, Session

log = logging.getLogger("openqix")

DEFAULT_USER = "anonymous"

# Global methods answered at once, beside a running call of the same session (a reload):
# they only read or flag the session's reload progress.
OUT_OF_BAND = frozenset(
    {"GetProgress", "CancelReload", "AbortAll", "AbortRequest", "CancelRequest"}
)
_OUT_OF_BAND_MAX_BYTES = 2048


class CloseSocket(Exception):
    """The socket must be closed with `code`; `reason` is the QEP detail."""

    def __init__(self, code: CloseCode, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass
class Call:
    """One method call in progress: where it runs and which handles it changed or closed."""

    core: EngineCore
    session: Session
    connection: Connection | None
    entry: HandleEntry | None
    request_id: Any = None
    change: set[int] = field(default_factory=set)
    close: set[int] = field(default_factory=set)

    def changed(self, *handles: int) -> None:
        self.change.update(handles)

    def closed(self, *handles: int) -> None:
        self.close.update(handles)


class EngineCore:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.apps = AppRegistry(self.settings.data_dir)
        self.sessions = SessionRegistry(self.settings.session_ttl, self.settings.max_session_ttl)
        # Lock order: `lock` (the registry) or a session's lock first, then `notify_lock`
        # (who is busy, what is pending): never the other way round.
        self.lock = threading.RLock()
        self.notify_lock = threading.Lock()

    def connect(
        self, path: str, user: str = DEFAULT_USER, session_id: str | None = None
    ) -> Attachment:
        try:
            route = parse_route(path)
        except RouteError as exc:
            code = CloseCode.BAD_REQUEST if exc.malformed else CloseCode.ROUTE_NOT_FOUND
            raise CloseSocket(code, str(exc)) from None
        with self.lock:
            self._check_route(route)
            key = (f"session:{session_id}" if session_id else route.session_path, user)
            with self.notify_lock:
                session, connection, created = self.sessions.attach(key, route.ttl)
            if created:
                session.state["user"] = user
                try:
                    self._open_route_app(session, route)
                except CloseSocket:
                    with self.notify_lock:
                        self.sessions.detach(session, connection, time.monotonic())
                    raise
            return Attachment(self, session, connection, created)

    def _check_route(self, route: Route) -> None:
        if route.app_id is None or route.is_session_app:
            if route.template_app_id and not self.apps.exists(route.template_app_id):
                raise CloseSocket(CloseCode.APP_NOT_FOUND, route.template_app_id)
            return
        if not self.apps.exists(route.app_id):
            raise CloseSocket(CloseCode.APP_NOT_FOUND, route.app_id)

    def _open_route_app(self, session: Session, route: Route) -> None:
        if route.is_session_app and route.app_id is not None:
            open_session_app(self, session, route.app_id, route.template_app_id)

    def sweep(self) -> None:
        with self.lock, self.notify_lock:
            self.sessions.sweep(time.monotonic())

    def shutdown(self) -> None:
        with self.lock, self.notify_lock:
            self.sessions.end_all()


class Attachment:
    """One socket attached to a session."""

    def __init__(self, core: EngineCore, session: Session, connection: Connection, created: bool):
        self.core = core
        self.session = session
        self.connection = connection
        self.created = created
        self._queued_reloads: dict[Any, ReloadProgress] = {}

    def greeting(self) -> bytes:
        state = "SESSION_CREATED" if self.created else "SESSION_ATTACHED"
        return encode_notification("OnConnected", {"qSessionState": state})

    def set_push(self, push: Callable[[bytes], None]) -> None:
        """`push` sends an unsolicited frame; it is only called while the socket is idle."""
        self.connection.on_push = lambda change, close: push(encode_push(change, close))

    def begin(self) -> None:
        """A frame arrived: from now until `idle`, nothing is pushed to this socket."""
        with self.core.notify_lock:
            self.connection.busy = True

    def receive(self, frame: str | bytes) -> bytes:
        """Answer one frame. The socket stays busy until the caller has sent the reply.

        Calls of one session run one at a time; calls of different sessions run in parallel.
        """
        with self.session.lock:
            with self.core.notify_lock:
                self.connection.busy = True
            try:
                return self._answer(frame)
            finally:
                if self._queued_reloads:
                    queued = self._queued_reloads.pop(_small_request_id(frame), None)
                    if queued is not None:
                        queued.finish()  # it never started (bad handle ...) or it is done

    def queue(self, frame: str | bytes) -> None:
        """A frame waits behind earlier ones of the socket. A queued DoReload shows in
        GetProgress as not started yet (not as the previous, finished reload)."""
        self.begin()
        request = _small_request(frame)
        if request is not None and request.method in ("DoReload", "DoReloadEx"):
            progress = ReloadProgress(request_id=request.id, queued=True)
            self._queued_reloads[request.id] = progress
            self.session.state["progress"] = progress

    def is_out_of_band(self, frame: str | bytes) -> bool:
        """A small Global call that must not wait for the session's running call."""
        request = _small_request(frame)
        return (
            request is not None
            and request.handle == GLOBAL_HANDLE
            and request.method in OUT_OF_BAND
        )

    def receive_out_of_band(self, frame: str | bytes) -> bytes:
        """Answer an `is_out_of_band` frame without the session lock (no state changes)."""
        return self._answer(frame)

    def idle(self) -> bytes | None:
        """The reply was sent: the socket may get pushes again; returns one if some queued."""
        with self.core.notify_lock:
            self.connection.busy = False
            change, close = self.connection.take_pending()
            if not change and not close:
                return None
            return encode_push(change, close)

    def detach(self) -> None:
        with self.core.lock, self.core.notify_lock:
            self.connection.on_push = None
            self.core.sessions.detach(self.session, self.connection, time.monotonic())

    def _answer(self, frame: str | bytes) -> bytes:
        try:
            request = parse_request(frame)
        except RequestError as exc:
            return encode_error(exc.request_id, exc.error)
        call = Call(self.core, self.session, self.connection, None, request.id)
        try:
            result = dispatch(call, request)
        except QixError as exc:
            return self._reply(call, error=exc)
        except Exception:
            log.exception("internal error in %s", request.method)
            return self._reply(call, error=InternalError(request.method))
        return self._reply(call, result=result)

    def _reply(self, call: Call, result: Any = None, error: QixError | None = None) -> bytes:
        with self.core.notify_lock:
            self.session.broadcast(self.connection.id, call.change, call.close)
            pending_change, pending_close = self.connection.take_pending()
        change = (call.change | pending_change) - call.close - pending_close
        close = call.close | pending_close
        if error is not None:
            return encode_error(call.request_id, error, change, close)
        return encode_result(call.request_id, result, change, close)


def _small_request(frame: str | bytes) -> Request | None:
    """The request of a small well-formed frame; None for anything else."""
    if len(frame) > _OUT_OF_BAND_MAX_BYTES:
        return None
    try:
        return parse_request(frame)
    except RequestError:
        return None


def _small_request_id(frame: str | bytes) -> Any:
    request = _small_request(frame)
    return None if request is None else request.id


def dispatch(call: Call, request: Request) -> Any:
    if request.handle == GLOBAL_HANDLE:
        qix_type, target = "Global", None
    else:
        call.entry = call.session.entry(request.handle)
        if call.entry is None:
            raise InvalidParameters(f"Invalid handle: {request.handle}", message="Invalid Params")
        qix_type, target = call.entry.qix_type, call.entry.target
    spec = find_method(qix_type, request.method)
    if spec is None:
        raise MethodNotFound(request.method, message="Method does not exist")
    params = bind_params(spec, request.params)
    cls = api_class(qix_type)
    method = getattr(cls, request.method, None) if cls is not None else None
    if method is None:
        raise NotImplementedMethod(f"{qix_type}.{request.method}")
    return method(cls(call, target), **params)  # type: ignore[misc]

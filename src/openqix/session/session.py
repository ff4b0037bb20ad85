"""A session: the handle table and the sockets attached to it, with change/close bookkeeping.

Handles start at 1 (-1 is Global, 0 is never handed out). A change made through one socket is
reported to that socket in its reply and queued for every other attached socket: pushed at
once when that socket is idle, otherwise merged into its next reply (lock-step clients must
never see an unsolicited frame between their request and its reply).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

GLOBAL_HANDLE = -1


@dataclass
class HandleEntry:
    handle: int
    qix_type: str
    target: Any
    generic_id: str
    generic_type: str

    def interface(self) -> dict[str, Any]:
        """The ObjectInterface returned in `qReturn`."""
        return {
            "qType": self.qix_type,
            "qHandle": self.handle,
            "qGenericType": self.generic_type,
            "qGenericId": self.generic_id,
        }


@dataclass
class Connection:
    """One socket attached to a session."""

    id: int
    busy: bool = False
    pending_change: set[int] = field(default_factory=set)
    pending_close: set[int] = field(default_factory=set)
    on_push: Callable[[set[int], set[int]], None] | None = None

    def take_pending(self) -> tuple[set[int], set[int]]:
        change, close = self.pending_change, self.pending_close
        self.pending_change, self.pending_close = set(), set()
        return change - close, close


class Session:
    def __init__(self, key: tuple[str, str], ttl: int = 0):
        self.key = key
        self.ttl = ttl
        self.handles: dict[int, HandleEntry] = {}
        self.connections: dict[int, Connection] = {}
        self.detached_at: float | None = None
        self.state: dict[str, Any] = {}
        self.lock = threading.RLock()  # held while one of the session's calls runs
        self._next_handle = itertools.count(1)
        self._closers: list[Callable[[], None]] = []

    # -- handles -------------------------------------------------------------------------
    def add_handle(self, qix_type: str, target: Any, generic_id: str, generic_type: str) -> int:
        """The handle of `target`, created on first use (one handle per live object)."""
        for entry in self.handles.values():
            if entry.target is target and entry.qix_type == qix_type:
                return entry.handle
        handle = next(self._next_handle)
        self.handles[handle] = HandleEntry(handle, qix_type, target, generic_id, generic_type)
        return handle

    def entry(self, handle: int) -> HandleEntry | None:
        return self.handles.get(handle)

    def remove_handles(self, handles: Iterable[int]) -> list[int]:
        removed = [h for h in handles if self.handles.pop(h, None) is not None]
        return removed

    def handles_where(self, predicate: Callable[[HandleEntry], bool]) -> list[int]:
        return [h for h, e in list(self.handles.items()) if predicate(e)]

    def reset_handles(self) -> None:
        """Drop every handle: a fresh socket attaching after a TTL wait gets new ones."""
        self.handles.clear()

    # -- connections ---------------------------------------------------------------------
    def attach(self, connection: Connection) -> None:
        self.connections[connection.id] = connection
        self.detached_at = None

    def detach(self, connection_id: int, now: float) -> None:
        self.connections.pop(connection_id, None)
        if not self.connections:
            self.detached_at = now

    def broadcast(self, origin: int | None, change: Iterable[int], close: Iterable[int]) -> None:
        """Queue change/close for every connection but `origin`, pushing to idle ones."""
        change_set, close_set = set(change), set(close)
        if not change_set and not close_set:
            return
        for conn in self.connections.values():
            if conn.id == origin:
                continue
            conn.pending_change |= change_set
            conn.pending_close |= close_set
            if not conn.busy and conn.on_push is not None:
                conn.on_push(*conn.take_pending())

    def on_close(self, closer: Callable[[], None]) -> None:
        """Run `closer` when the session ends (session apps are released this way)."""
        self._closers.append(closer)

    def end(self) -> None:
        for closer in self._closers:
            closer()
        self._closers.clear()
        self.handles.clear()

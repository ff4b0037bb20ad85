"""Who shares what: sessions keyed by (engine path incl. app id, user) or an explicit id.

A session whose last socket closed lives on for its TTL so that a client can reconnect and
find its selections; `sweep` ends the expired ones.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from openqix.session.session import Connection, Session


class SessionRegistry:
    def __init__(self, default_ttl: int = 0, max_ttl: int = 1800):
        self.default_ttl = default_ttl
        self.max_ttl = max_ttl
        self._sessions: dict[tuple[str, str], Session] = {}
        self._connection_ids = itertools.count(1)

    def __iter__(self) -> Iterator[Session]:
        return iter(list(self._sessions.values()))

    def __len__(self) -> int:
        return len(self._sessions)

    def attach(self, key: tuple[str, str], ttl: int | None) -> tuple[Session, Connection, bool]:
        """Attach a new connection; returns (session, connection, created)."""
        session = self._sessions.get(key)
        created = session is None
        if session is None:
            session = Session(key)
            self._sessions[key] = session
        wanted = self.default_ttl if ttl is None else ttl
        session.ttl = min(max(wanted, 0), self.max_ttl)
        if not session.connections and not created:
            # A reconnect after the last socket closed: clients restore objects by id and
            # expect new handles.
            session.reset_handles()
        connection = Connection(next(self._connection_ids))
        session.attach(connection)
        return session, connection, created

    def detach(self, session: Session, connection: Connection, now: float) -> None:
        session.detach(connection.id, now)
        if not session.connections and session.ttl <= 0:
            self._end(session)

    def sweep(self, now: float) -> list[Session]:
        """End sessions whose TTL ran out since their last socket closed."""
        expired = [
            s
            for s in self._sessions.values()
            if not s.connections and s.detached_at is not None and now - s.detached_at >= s.ttl
        ]
        for session in expired:
            self._end(session)
        return expired

    def end_all(self) -> None:
        for session in list(self._sessions.values()):
            self._end(session)

    def _end(self, session: Session) -> None:
        if self._sessions.get(session.key) is session:
            del self._sessions[session.key]
        session.end()

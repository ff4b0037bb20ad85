"""Engine URL routes: `/app/<appId>[/identity/<id>][/ttl/<seconds>]` and their meaning."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

SESSION_APP_PREFIX = "SessionApp_"
ENGINE_DATA = "engineData"


class RouteError(Exception):
    """The path is not an engine route (close 4202) or is malformed (close 4203)."""

    def __init__(self, message: str, malformed: bool = False):
        super().__init__(message)
        self.malformed = malformed


@dataclass(frozen=True)
class Route:
    """What a WebSocket path asks for. `app_id` is None for `/app/` and `/app/engineData`."""

    app_id: str | None
    identity: str | None
    ttl: int | None
    template_app_id: str | None
    session_path: str

    @property
    def is_session_app(self) -> bool:
        return self.app_id is not None and self.app_id.startswith(SESSION_APP_PREFIX)


def parse_route(target: str) -> Route:
    parts = urlsplit(target)
    segments = [unquote(s) for s in parts.path.split("/")]
    if len(segments) < 2 or segments[0] != "" or segments[1] != "app":
        raise RouteError(f"not an engine route: {parts.path}")
    rest = [s for s in segments[2:]]
    if rest and rest[-1] == "":
        rest = rest[:-1]
    app_id: str | None = None
    if rest and rest[0] not in ("identity", "ttl"):
        app_id = rest.pop(0) or None
    if app_id == ENGINE_DATA:
        app_id = None
    identity, ttl = _options(rest)
    query = parse_qs(parts.query)
    template = query.get("from", [None])[0]
    session_path = "/app/" + (app_id or "") + (f"/identity/{identity}" if identity else "")
    return Route(app_id, identity, ttl, template, session_path)


def _options(rest: list[str]) -> tuple[str | None, int | None]:
    identity: str | None = None
    ttl: int | None = None
    while rest:
        key = rest.pop(0)
        if not rest:
            raise RouteError(f"missing value after /{key}", malformed=True)
        value = rest.pop(0)
        if key == "identity":
            identity = value
        elif key == "ttl":
            if not value.isdigit():
                raise RouteError(f"ttl must be a whole number of seconds: {value}", True)
            ttl = int(value)
        else:
            raise RouteError(f"unknown path segment: {key}", malformed=True)
    return identity, ttl

"""Error-code messages from the schema table, and the WebSocket close codes (one owner)."""

from __future__ import annotations

import json
from enum import IntEnum
from functools import cache
from importlib import resources


@cache
def _error_table() -> dict[int, tuple[str, str]]:
    raw = json.loads(resources.files(__package__).joinpath("qix_error_codes.json").read_text())
    return {int(e["code"]): (str(e["name"]), str(e["message"])) for e in raw["errors"]}


def error_message(code: int) -> str:
    entry = _error_table().get(code)
    return entry[1] if entry else "Unknown error"


def error_name(code: int) -> str | None:
    entry = _error_table().get(code)
    return entry[0] if entry else None


class CloseCode(IntEnum):
    """WebSocket close codes the server uses. Never 1000 for a session we end ourselves."""

    GOING_AWAY = 1001
    INTERNAL_ERROR = 1011
    ROUTE_NOT_FOUND = 4202  # the path is not an engine route
    BAD_REQUEST = 4203  # malformed URL or parameters
    APP_NOT_FOUND = 4204  # the app id does not exist
    SESSION_ENDED = 4205  # the session was terminated (TTL, shutdown of the session)
    TOO_MANY_SESSIONS = 4230
    UNAUTHORIZED = 4240


# QEP codes that go into the close reason, per close code.
QEP_CODES: dict[CloseCode, str] = {
    CloseCode.ROUTE_NOT_FOUND: "QEP-102",
    CloseCode.BAD_REQUEST: "QEP-103",
    CloseCode.APP_NOT_FOUND: "QEP-104",
    CloseCode.SESSION_ENDED: "QEP-105",
    CloseCode.TOO_MANY_SESSIONS: "QEP-130",
    CloseCode.UNAUTHORIZED: "QEP-140",
}

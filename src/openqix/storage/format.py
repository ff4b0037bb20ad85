"""The on-disk app document (version 1): a JSON file holding title, script, connections,
app properties, variables and bookmarks. Pure: converts between dicts and bytes, no file access. See
docs/storage.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

FORMAT_VERSION = 1


class CorruptAppFile(ValueError):
    pass


@dataclass
class AppDocument:
    id: str
    title: str
    script: str = ""
    connections: list[dict[str, str]] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    variables: list[dict[str, Any]] = field(default_factory=list)  # VariableStore records
    bookmarks: list[dict[str, Any]] = field(default_factory=list)  # BookmarkStore records
    last_reload_time: str | None = None
    created: str = ""
    modified: str = ""


def encode(doc: AppDocument) -> bytes:
    body = {
        "formatVersion": FORMAT_VERSION,
        "id": doc.id,
        "title": doc.title,
        "script": doc.script,
        "connections": doc.connections,
        "properties": doc.properties,
        "variables": doc.variables,
        "bookmarks": doc.bookmarks,
        "lastReloadTime": doc.last_reload_time,
        "created": doc.created,
        "modified": doc.modified,
    }
    return orjson.dumps(body, option=orjson.OPT_INDENT_2)


def decode(raw: bytes) -> AppDocument:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise CorruptAppFile(f"not JSON: {exc.msg}") from None
    if not isinstance(body, dict) or body.get("formatVersion") != FORMAT_VERSION:
        raise CorruptAppFile("unsupported or missing formatVersion")
    try:
        return AppDocument(
            id=str(body["id"]),
            title=str(body.get("title", "")),
            script=str(body.get("script", "")),
            connections=[dict(c) for c in body.get("connections", [])],
            properties=dict(body.get("properties", {})),
            variables=[dict(v) for v in body.get("variables", [])],
            bookmarks=[dict(b) for b in body.get("bookmarks", [])],
            last_reload_time=body.get("lastReloadTime"),
            created=str(body.get("created", "")),
            modified=str(body.get("modified", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CorruptAppFile(f"malformed app document: {exc}") from None

"""The apps the engine knows: persisted apps (loaded from the store on first use), the demo
app, and session apps that live only as long as their session."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

from openqix.app import App, DataConnection
from openqix.errors import AppNotFound, QixError
from openqix.storage.format import AppDocument, CorruptAppFile
from openqix.storage.store import AppStore

_APP_NAME = re.compile(r"^[^\x00-\x1f/\\]{1,200}$")


class AppRegistry:
    def __init__(self, data_dir: Path):
        self.store = AppStore(data_dir)
        self._open: dict[str, App] = {}

    def exists(self, app_id: str) -> bool:
        return app_id in self._open or self.store.exists(app_id)

    def get(self, app_id: str) -> App:
        app = self._open.get(app_id)
        if app is not None:
            return app
        try:
            doc = self.store.load(app_id)
        except (CorruptAppFile, OSError) as exc:
            raise QixError(f"{app_id}: {exc}", code=9001) from None
        if doc is None:
            raise AppNotFound(app_id)
        app = _app_from_document(doc)
        self._open[app_id] = app
        return app

    def add(self, app: App) -> App:
        self._open[app.id] = app
        return app

    def release(self, app_id: str) -> None:
        self._open.pop(app_id, None)

    def create(self, name: str) -> str:
        if not _APP_NAME.match(name):
            raise QixError(name, code=1001)  # LOCERR_APP_INVALID_NAME
        app_id = str(uuid.uuid4())
        now = _now()
        self.store.save(AppDocument(app_id, name, created=now, modified=now))
        return app_id

    def delete(self, app_id: str) -> bool:
        app = self._open.pop(app_id, None)
        if app is not None and app.is_session_app:
            return False
        return self.store.delete(app_id)

    def documents(self) -> list[AppDocument]:
        return self.store.list()


def _app_from_document(doc: AppDocument) -> App:
    app = App(id=doc.id, title=doc.title, script=doc.script, properties=dict(doc.properties))
    app.last_reload_time = doc.last_reload_time
    for c in doc.connections:
        conn = DataConnection(c["id"], c["name"], c["connectionString"], c["type"])
        app.connections[conn.id] = conn
    return app


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")

"""The apps the engine knows: persisted apps (loaded from the store on first use), the demo
app, and session apps that live only as long as their session."""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from openqix.app import App, DataConnection
from openqix.engine.model import DataModel
from openqix.errors import AppNotFound, QixError
from openqix.objects.bookmarks import BookmarkStore
from openqix.objects.variables import VariableStore
from openqix.storage.format import AppDocument, CorruptAppFile
from openqix.storage.store import AppStore, ScriptLogs

T = TypeVar("T")
_APP_NAME = re.compile(r"^[^\x00-\x1f/\\]{1,200}$")


def _locked(method: Callable[..., T]) -> Callable[..., T]:
    def wrapper(self: AppRegistry, *args: Any) -> T:
        with self._lock:
            return method(self, *args)

    return wrapper


class AppRegistry:
    def __init__(self, data_dir: Path):
        self.store = AppStore(data_dir)
        self.script_logs = ScriptLogs(data_dir)
        self._open: dict[str, App] = {}
        self._lock = threading.RLock()  # sessions of different apps call in parallel

    @_locked
    def exists(self, app_id: str) -> bool:
        return app_id in self._open or self.store.exists(app_id)

    @_locked
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
        self._attach(app)
        self._open[app_id] = app
        return app

    @_locked
    def add(self, app: App) -> App:
        self._attach(app)
        self._open[app.id] = app
        return app

    def _attach(self, app: App) -> None:
        app.script_logs = self.script_logs
        app.binary_source = self.loaded_model

    @_locked
    def loaded_model(self, ref: str) -> DataModel | None:
        """The data model of an open, non-session app by id, else by title (for `Binary`);
        data models are not saved yet, so a closed app has none."""
        candidates = [a for a in self._open.values() if not a.is_session_app]
        for app in [*(a for a in candidates if a.id == ref), *candidates]:
            if ref in (app.id, app.title) and app.model.tables:
                return app.model
        return None

    @_locked
    def release(self, app_id: str) -> None:
        self._open.pop(app_id, None)

    @_locked
    def create(self, name: str) -> str:
        if not _APP_NAME.match(name):
            raise QixError(name, code=1001)  # LOCERR_APP_INVALID_NAME
        app_id = str(uuid.uuid4())
        now = _now()
        self.store.save(AppDocument(app_id, name, created=now, modified=now))
        return app_id

    @_locked
    def delete(self, app_id: str) -> bool:
        app = self._open.pop(app_id, None)
        if app is not None and app.is_session_app:
            return False
        return self.store.delete(app_id)

    @_locked
    def documents(self) -> list[AppDocument]:
        return self.store.list()


def _app_from_document(doc: AppDocument) -> App:
    app = App(id=doc.id, title=doc.title, script=doc.script, properties=dict(doc.properties))
    app.last_reload_time = doc.last_reload_time
    app.variables = VariableStore.from_records(doc.variables)
    app.bookmarks = BookmarkStore.from_records(doc.bookmarks)
    for c in doc.connections:
        conn = DataConnection(c["id"], c["name"], c["connectionString"], c["type"])
        app.connections[conn.id] = conn
    return app


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")

"""Global (handle -1): engine information, apps, session apps."""

from __future__ import annotations

import datetime as dt
import platform
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from openqix.api.base import VERSION, QixApi
from openqix.app import App, DataConnection
from openqix.docsession import DocSession
from openqix.errors import AppInvalid, AppNotFound, QixError
from openqix.progress import ReloadProgress, idle_progress
from openqix.session.routes import SESSION_APP_PREFIX
from openqix.session.session import Session

if TYPE_CHECKING:
    from openqix.api.core import EngineCore

# Code pages a reload understands (`codepage is N` / utf8 / ansi in a format spec).
CODE_PAGES = [
    {"qName": "UTF-8", "qDescription": "Unicode (UTF-8)", "qCodePageId": 65001},
    {"qName": "UTF-16", "qDescription": "Unicode (UTF-16 LE)", "qCodePageId": 1200},
    {"qName": "Windows-1252", "qDescription": "Western European (Windows)", "qCodePageId": 1252},
    {"qName": "ISO-8859-1", "qDescription": "Western European (ISO)", "qCodePageId": 28591},
]


def open_session_app(
    core: EngineCore, session: Session, app_id: str, template_id: str | None = None
) -> int:
    """Create a session app bound to `session`, optionally seeded from a template app."""
    app = App(id=app_id, is_session_app=True)
    if template_id:
        template = core.apps.get(template_id)
        app.script = template.script
        app.title = template.title
        for conn in template.connections.values():
            copy = DataConnection(conn.id, conn.name, conn.connection_string, conn.type)
            app.connections[copy.id] = copy
    core.apps.add(app)
    session.on_close(lambda: core.apps.release(app_id))
    return _activate(session, app)


def _activate(session: Session, app: App) -> int:
    doc = DocSession.open(app)
    session.state["doc"] = doc
    return session.add_handle("Doc", doc, app.id, "Doc")


class GlobalApi(QixApi):
    qix_type = "Global"

    def EngineVersion(self) -> dict[str, Any]:
        return {"qVersion": {"qComponentVersion": VERSION}}

    def ProductVersion(self) -> dict[str, Any]:
        return {"qReturn": VERSION}

    def QvVersion(self) -> dict[str, Any]:
        return {"qReturn": VERSION}

    def OSName(self) -> dict[str, Any]:
        return {"qReturn": platform.system().lower()}

    def OSVersion(self) -> dict[str, Any]:
        return {"qReturn": platform.release()}

    def QTProduct(self) -> dict[str, Any]:
        return {"qReturn": "openqix"}

    def IsDesktopMode(self) -> dict[str, Any]:
        return {"qReturn": False}

    def IsPersonalMode(self) -> dict[str, Any]:
        return {"qReturn": False}

    def AllowCreateApp(self) -> dict[str, Any]:
        return {"qReturn": True}

    def GetUniqueID(self) -> dict[str, Any]:
        return {"qUniqueID": str(uuid.uuid4())}

    def GetAuthenticatedUser(self) -> dict[str, Any]:
        user = self.call.session.state.get("user", "anonymous")
        return {"qReturn": f"UserDirectory=; UserId={user}"}

    def GetSupportedCodePages(self) -> dict[str, Any]:
        return {"qCodePages": CODE_PAGES}

    def GetCustomConnectors(self, qReloadList: bool) -> dict[str, Any]:
        return {"qConnectors": []}

    # GetProgress, CancelReload and the abort calls are answered out of band, while another
    # call of the session (a reload) is still running (api/core.py OUT_OF_BAND). Only a reload
    # can be stopped part-way; other calls are short and are left to finish.
    def AbortAll(self) -> dict[str, Any]:
        self._cancel_reload(lambda progress: True, "aborted")
        return {}

    def AbortRequest(self, qRequestId: int) -> dict[str, Any]:
        self._cancel_reload(lambda progress: progress.request_id == qRequestId, "aborted")
        return {}

    def CancelRequest(self, qRequestId: int) -> dict[str, Any]:
        self._cancel_reload(lambda progress: progress.request_id == qRequestId, "cancelled")
        return {}

    def _cancel_reload(self, which: Callable[[ReloadProgress], bool], reason: str) -> None:
        progress = self.call.session.state.get("progress")
        if isinstance(progress, ReloadProgress) and not progress.finished and which(progress):
            progress.cancel(reason)

    def CancelReload(self, qReason: str) -> dict[str, Any]:
        self._cancel_reload(lambda progress: True, qReason)
        return {}

    def ConfigureReload(
        self, qCancelOnScriptError: bool, qUseErrorData: bool, qInteractOnError: bool
    ) -> dict[str, Any]:
        self.call.session.state["reload_config"] = {
            "cancel_on_error": qCancelOnScriptError,
            "use_error_data": qUseErrorData,
            "interact_on_error": qInteractOnError,
        }
        return {}

    def GetProgress(self, qRequestId: int) -> dict[str, Any]:
        """Progress of the session's running or last reload; each persistent line once."""
        progress = self.call.session.state.get("progress")
        if not isinstance(progress, ReloadProgress):
            return {"qProgressData": idle_progress()}
        if qRequestId and progress.request_id != qRequestId:
            # asked for a reload that has not started yet (its frame is still queued behind
            # others): not started, rather than the previous reload's finished state
            return {"qProgressData": idle_progress()}
        return {"qProgressData": progress.snapshot()}

    # -- apps ----------------------------------------------------------------------------
    def GetActiveDoc(self) -> dict[str, Any]:
        doc = self.call.session.state.get("doc")
        if not isinstance(doc, DocSession):
            raise AppInvalid("No active document", message="App invalid")
        return {"qReturn": self.interface(self.handle_of("Doc", doc, doc.app.id, "Doc"))}

    def OpenDoc(
        self, qDocName: str, qUserName: str, qPassword: str, qSerial: str, qNoData: bool
    ) -> dict[str, Any]:
        session = self.call.session
        doc = session.state.get("doc")
        if isinstance(doc, DocSession):
            if doc.app.id != qDocName:
                raise QixError(doc.app.id, code=1002)  # LOCERR_APP_ALREADY_OPEN
            handle = self.handle_of("Doc", doc, doc.app.id, "Doc")
        else:
            if not self.call.core.apps.exists(qDocName):
                raise AppNotFound(qDocName)
            handle = _activate(session, self.call.core.apps.get(qDocName))
        self.call.changed(handle)
        return {"qReturn": self.interface(handle)}

    def CreateSessionApp(self) -> dict[str, Any]:
        return self._new_session_app(None)

    def CreateSessionAppFromApp(self, qSrcAppId: str) -> dict[str, Any]:
        if not self.call.core.apps.exists(qSrcAppId):
            raise AppNotFound(qSrcAppId)
        return self._new_session_app(qSrcAppId)

    def _new_session_app(self, template: str | None) -> dict[str, Any]:
        if isinstance(self.call.session.state.get("doc"), DocSession):
            raise QixError(self.call.session.state["doc"].app.id, code=1002)
        app_id = f"{SESSION_APP_PREFIX}{uuid.uuid4()}"
        handle = open_session_app(self.call.core, self.call.session, app_id, template)
        self.call.changed(handle)
        return {"qSessionAppId": app_id, "qReturn": self.interface(handle)}

    def CreateApp(
        self, qAppName: str, qLocalizedScriptMainSection: str, qLocale: str
    ) -> dict[str, Any]:
        app_id = self.call.core.apps.create(qAppName)
        return {"qSuccess": True, "qAppId": app_id}

    def DeleteApp(self, qAppId: str) -> dict[str, Any]:
        if not self.call.core.apps.exists(qAppId):
            raise AppNotFound(qAppId)
        return {"qSuccess": self.call.core.apps.delete(qAppId)}

    def GetDocList(self) -> dict[str, Any]:
        entries = []
        for doc in self.call.core.apps.documents():
            entry: dict[str, Any] = {
                "qDocName": doc.title,
                "qConnectedUsers": 0,
                "qFileTime": _serial_date(doc.modified),
                "qFileSize": 0,
                "qDocId": doc.id,
                "qMeta": {"createdDate": doc.created, "modifiedDate": doc.modified},
                "qLastReloadTime": doc.last_reload_time or "",
                "qTitle": doc.title,
                "qThumbnail": {},
            }
            entries.append(entry)
        return {"qDocList": entries}


def _serial_date(iso: str) -> float:
    """ISO-8601 text → Qlik serial date (days since 1899-12-30); 0 when unknown."""
    try:
        moment = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    epoch = dt.datetime(1899, 12, 30, tzinfo=dt.UTC)
    return (moment - epoch).total_seconds() / 86400.0

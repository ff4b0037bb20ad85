"""Doc: script and reload, connections, fields, session objects, app layout."""

from __future__ import annotations

from typing import Any

from openqix.api.base import QixApi
from openqix.api.doc_bookmarks import DocBookmarksMixin
from openqix.api.doc_expressions import DocExpressionsApi
from openqix.api.doc_selections import DocSelectionsMixin
from openqix.app import EMPTY_SCRIPT, ReloadOutcome, locale_info
from openqix.docsession import DocSession
from openqix.errors import InvalidParameterValue
from openqix.objects.tables_and_keys import tables_and_keys
from openqix.progress import ReloadProgress
from openqix.script.syntax import check_syntax


class DocApi(DocSelectionsMixin, DocBookmarksMixin, DocExpressionsApi, QixApi):
    qix_type = "Doc"

    @property
    def target_doc(self) -> DocSession:
        assert isinstance(self.target, DocSession)
        return self.target

    # -- script and reload -------------------------------------------------------------------
    def GetScript(self) -> dict[str, Any]:
        return {"qScript": self.target_doc.app.script}

    def SetScript(self, qScript: str) -> dict[str, Any]:
        self.target_doc.app.script = qScript
        return {}

    def GetEmptyScript(self, qLocalizedMainSection: str) -> dict[str, Any]:
        script = EMPTY_SCRIPT
        if qLocalizedMainSection:  # the name of the first tab
            script = script.replace("///$tab Main", f"///$tab {qLocalizedMainSection}", 1)
        return {"qReturn": script}

    def DoReload(self, qMode: int, qPartial: bool, qDebug: bool) -> dict[str, Any]:
        return {"qReturn": self._reload(bool(qPartial), qMode if qMode == 2 else 0).success}

    def DoReloadEx(self, qParams: dict[str, Any]) -> dict[str, Any]:
        params = qParams if isinstance(qParams, dict) else {}
        mode = params.get("qMode")
        outcome = self._reload(bool(params.get("qPartial", False)), mode if mode == 2 else 0)
        return {"qResult": {"qSuccess": outcome.success, "qScriptLogFile": outcome.log_file}}

    def CheckScriptSyntax(self) -> dict[str, Any]:
        problems = check_syntax(self.target_doc.app.script)
        return {"qErrors": [p.as_qix() for p in problems]}

    def _reload(self, partial: bool = False, mode: int = 0) -> ReloadOutcome:
        progress = ReloadProgress(request_id=self.call.request_id)
        self.call.session.state["progress"] = progress
        outcome = self.target_doc.app.reload(progress, partial=partial, mode=mode)
        if outcome.success:
            self.data_changed()
        return outcome

    # -- connections -----------------------------------------------------------------------
    def CreateConnection(self, qConnection: dict[str, Any]) -> dict[str, Any]:
        conn_id = self.target_doc.app.create_connection(
            str(qConnection.get("qName", "")),
            str(qConnection.get("qConnectionString", "")),
            str(qConnection.get("qType", "")),
        )
        return {"qConnectionId": conn_id}

    def GetConnections(self) -> dict[str, Any]:
        return {"qConnections": [c.as_qix() for c in self.target_doc.app.connections.values()]}

    def GetConnection(self, qConnectionId: str) -> dict[str, Any]:
        return {"qConnection": self.target_doc.app.connection(qConnectionId).as_qix()}

    def DeleteConnection(self, qConnectionId: str) -> dict[str, Any]:
        self.target_doc.app.delete_connection(qConnectionId)
        return {}

    def ModifyConnection(
        self, qConnectionId: str, qConnection: dict[str, Any], qOverrideCredentials: bool
    ) -> dict[str, Any]:
        self.target_doc.app.modify_connection(
            qConnectionId,
            str(qConnection.get("qName", "")),
            str(qConnection.get("qConnectionString", "")),
        )
        return {}

    # -- fields and selections ---------------------------------------------------------------
    def GetField(self, qFieldName: str, qStateName: str) -> dict[str, Any]:
        doc = self.target_doc
        doc.selections.state(qStateName)  # an unknown state is an error here, not later
        ref = doc.field_ref(qFieldName, qStateName)
        return {"qReturn": self.interface(self.handle_of("Field", ref, qFieldName, "Field"))}

    def ClearAll(self, qLockedAlso: bool, qStateName: str) -> dict[str, Any]:
        self.target_doc.selections.clear_all(qLockedAlso, qStateName)
        self.selection_changed(qStateName)
        return {}

    # -- objects -------------------------------------------------------------------------------
    def CreateSessionObject(self, qProp: dict[str, Any]) -> dict[str, Any]:
        obj = self.target_doc.create_object(qProp)
        handle = self.handle_of("GenericObject", obj, obj.id, obj.type)
        self.call.changed(handle)
        return {"qReturn": self.interface(handle)}

    def GetObject(self, qId: str) -> dict[str, Any]:
        obj = self.target_doc.objects.get(qId)
        if obj is None:
            return {"qReturn": {"qType": None, "qHandle": None}}
        return {"qReturn": self.interface(self.handle_of("GenericObject", obj, obj.id, obj.type))}

    def DestroySessionObject(self, qId: str) -> dict[str, Any]:
        obj = self.target_doc.objects.pop(qId, None)
        if obj is None:
            return {"qSuccess": False}
        self.target_doc.object_sessions.pop(qId, None)
        self.target_doc.object_snapshots.pop(qId, None)
        handles = self.call.session.handles_where(lambda e: e.target is obj)
        self.call.closed(*self.call.session.remove_handles(handles))
        return {"qSuccess": True}

    # -- app -------------------------------------------------------------------------------------
    def GetAppLayout(self) -> dict[str, Any]:
        app = self.target_doc.app
        layout: dict[str, Any] = {"qTitle": app.title or app.id, "qFileName": app.id}
        if app.last_reload_time:
            layout["qLastReloadTime"] = app.last_reload_time
        if app.script:
            layout["qHasScript"] = True
        layout["qStateNames"] = self.target_doc.selections.state_names()
        layout["qMeta"] = {"privileges": ["read", "update", "delete", "reload", "exportdata"]}
        layout["qLocaleInfo"] = locale_info(app)
        if app.model.tables:
            layout["qHasData"] = True
        if app.is_session_app:
            layout["qIsSessionApp"] = True
        layout["qThumbnail"] = {}
        layout["qUnsupportedFeatures"] = []
        layout["qUsage"] = "ANALYTICS"
        layout.update({k: v for k, v in app.properties.items() if not k.startswith("q")})
        return {"qLayout": layout}

    def GetAppProperties(self) -> dict[str, Any]:
        app = self.target_doc.app
        prop: dict[str, Any] = {"qTitle": app.title or app.id, "qThumbnail": {}}
        if app.last_reload_time:
            prop["qLastReloadTime"] = app.last_reload_time
        prop.update({k: v for k, v in app.properties.items() if not k.startswith("q")})
        return {"qProp": prop}

    def SetAppProperties(self, qProp: dict[str, Any]) -> dict[str, Any]:
        app = self.target_doc.app
        if "qTitle" in qProp:
            if not isinstance(qProp["qTitle"], str):
                raise InvalidParameterValue("qTitle must be a string")
            app.title = qProp["qTitle"]
        app.properties.update({k: v for k, v in qProp.items() if not k.startswith("q")})
        self.call.changed(self.call.entry.handle if self.call.entry else -1)
        return {}

    def GetLocaleInfo(self) -> dict[str, Any]:
        return {"qReturn": locale_info(self.target_doc.app)}

    def GetTablesAndKeys(
        self,
        qWindowSize: dict[str, Any],
        qNullSize: dict[str, Any],
        qCellHeight: int,
        qSyntheticMode: bool,
        qIncludeSysVars: bool,
        qIncludeProfiling: bool,
    ) -> dict[str, Any]:
        app = self.target_doc.app
        return tables_and_keys(
            self.target_doc.selections.model,
            qSyntheticMode,
            app.table_comments,
            app.field_comments,
        )

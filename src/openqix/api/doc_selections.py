"""Doc methods about selections, states, history, field data and search (a mixin of DocApi).

Selection history is kept per state; `Back`/`Forward`/`BackCount`/`ForwardCount` (which take
no state name) work on the default state `$`. Alternate states added with AddAlternateState
belong to the app (every session sees them); AddSessionAlternateState ones to this session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from openqix.api.base import QixApi
from openqix.docsession import DocSession, GenericObject
from openqix.engine.model import DataModel
from openqix.errors import InvalidParameterValue, NotFound
from openqix.objects import search as doc_search
from openqix.objects.table_data import field_description, samples, table_rows
from openqix.selections import check_state_name
from openqix.session.session import HandleEntry


class DocSelectionsMixin(QixApi):
    @property
    def _doc(self) -> DocSession:
        assert isinstance(self.target, DocSession)
        return self.target

    # -- whole-state selection calls --------------------------------------------------------
    def LockAll(self, qStateName: str) -> dict[str, Any]:
        self._doc.selections.lock_all(qStateName)
        self.selection_changed(qStateName)
        return {}

    def UnlockAll(self, qStateName: str) -> dict[str, Any]:
        self._doc.selections.unlock_all(qStateName)
        self.selection_changed(qStateName)
        return {}

    def AbortModal(self, qAccept: bool) -> dict[str, Any]:
        """End selection mode of every object of this session (rolling back unless accepted)."""
        doc = self._doc
        ended = [oid for oid, s in doc.object_sessions.items() if s.in_selections]
        for object_id in ended:
            session = doc.object_sessions[object_id]
            session.in_selections = session.made_selections = False
            session.sort_states.clear()
            for name, snapshot in doc.object_snapshots.pop(object_id, {}).items():
                if not qAccept:
                    doc.selections.restore(snapshot, name)
        if ended:
            self.selection_changed()
            self.call.changed(
                *self.call.session.handles_where(
                    lambda e: isinstance(e.target, GenericObject) and e.target.id in ended
                )
            )
        return {}

    # -- history (default state) -------------------------------------------------------------
    def Back(self) -> dict[str, Any]:
        self._doc.selections.back()
        self.selection_changed()
        return {}

    def Forward(self) -> dict[str, Any]:
        self._doc.selections.forward()
        self.selection_changed()
        return {}

    def BackCount(self) -> dict[str, Any]:
        return {"qReturn": self._doc.selections.back_count()}

    def ForwardCount(self) -> dict[str, Any]:
        return {"qReturn": self._doc.selections.forward_count()}

    # -- alternate states --------------------------------------------------------------------
    def AddAlternateState(self, qStateName: str) -> dict[str, Any]:
        app = self._doc.app
        check_state_name(qStateName)
        if qStateName not in self._doc.selections.known_states():
            app.alternate_states.append(qStateName)
            self._app_states_changed(qStateName)
        return {}

    def RemoveAlternateState(self, qStateName: str) -> dict[str, Any]:
        app = self._doc.app
        if qStateName not in app.alternate_states:
            raise NotFound(f"unknown alternate state: {qStateName}")
        app.alternate_states.remove(qStateName)
        self._app_states_changed(qStateName)
        return {}

    def AddSessionAlternateState(self, qStateName: str, qSourceStateName: str) -> dict[str, Any]:
        selections = self._doc.selections
        if qStateName in selections.known_states():
            raise InvalidParameterValue(f"qStateName: the state {qStateName!r} exists already")
        selections.add_session_state(qStateName, qSourceStateName or None)
        self.selection_changed()
        if self.call.entry is not None:
            self.call.changed(self.call.entry.handle)
        return {}

    def RemoveSessionAlternateState(self, qStateName: str) -> dict[str, Any]:
        ok = self._doc.selections.remove_session_state(qStateName)
        if ok:
            self.selection_changed()
            if self.call.entry is not None:
                self.call.changed(self.call.entry.handle)
        return {"qSuccess": ok}

    def _app_states_changed(self, state_name: str) -> None:
        """An app state was added or removed: in every session that has the app open, its
        Doc handle (qStateNames) and the objects using that state change. Other sessions'
        selections are not touched here (they drop a removed state's selections themselves)."""
        app = self._doc.app
        for session in self.call.core.sessions:
            doc = session.state.get("doc")
            if not isinstance(doc, DocSession) or doc.app is not app:
                continue
            known = [*doc.selections.known_states(), state_name]

            def affected(entry: HandleEntry, known: list[str] = known) -> bool:
                names = getattr(entry.target, "state_names", None)
                return entry.qix_type == "Doc" or (callable(names) and state_name in names(known))

            handles = session.handles_where(affected)
            if session is self.call.session:
                self.call.changed(*handles)
            else:
                with self.call.core.notify_lock:
                    session.broadcast(None, handles, ())

    # -- field and table data ----------------------------------------------------------------
    def GetFieldDescription(self, qFieldName: str) -> dict[str, Any]:
        selections = self._doc.selections
        model = selections.model
        if qFieldName not in model.fields:
            raise NotFound(f"field not found: {qFieldName}")
        locked = selections.state().is_locked(qFieldName)
        description = field_description(
            model, qFieldName, locked, qFieldName in selections.and_mode
        )
        comment = self._doc.app.field_comments.get(qFieldName)
        if comment:  # COMMENT FIELD of the script, before qTags as in the schema
            items = list(description.items())
            at = next(i for i, (k, _) in enumerate(items) if k == "qTags")
            description = dict([*items[:at], ("qComment", comment), *items[at:]])
        return {"qReturn": description}

    def GetTableData(
        self, qOffset: int, qRows: int, qSyntheticMode: bool, qTableName: str
    ) -> dict[str, Any]:
        model = self._doc.selections.model
        if qTableName not in model.tables:
            raise NotFound(f"table not found: {qTableName}")
        rows = table_rows(model, qTableName, int(qOffset), int(qRows), bool(qSyntheticMode))
        return {"qData": rows}

    def GetFieldAndColumnSamples(
        self, qFieldsOrColumnsWithWildcards: list[Any], qMaxNumberOfValues: int, qRandSeed: int
    ) -> dict[str, Any]:
        requests = [r for r in qFieldsOrColumnsWithWildcards if isinstance(r, dict)]
        model = self._doc.selections.model
        return {"qResult": samples(model, requests, int(qMaxNumberOfValues), int(qRandSeed))}

    # -- search across fields ------------------------------------------------------------------
    def SearchSuggest(self, qOptions: dict[str, Any], qTerms: list[Any]) -> dict[str, Any]:
        model, terms, fields, _, allowed = self._search_setup(qOptions, qTerms)
        return {"qResult": doc_search.suggestions(model, terms, fields, allowed)}

    def SearchResults(
        self, qOptions: dict[str, Any], qTerms: list[Any], qPage: dict[str, Any]
    ) -> dict[str, Any]:
        model, terms, groups = self._search_groups(qOptions, qTerms)
        attributes = qOptions.get("qAttributes") or []
        result = doc_search.search_result(
            model, terms, groups, qPage, "qNum" in attributes, "qElemNum" in attributes
        )
        return {"qResult": result}

    def SearchAssociations(
        self, qOptions: dict[str, Any], qTerms: list[Any], qPage: dict[str, Any]
    ) -> dict[str, Any]:
        model, terms, groups = self._search_groups(qOptions, qTerms)
        return {"qResults": doc_search.association_result(model, terms, groups, qPage)}

    def SelectAssociations(
        self, qOptions: dict[str, Any], qTerms: list[Any], qMatchIx: int, qSoftLock: Any
    ) -> dict[str, Any]:
        """Select the values of search group `qMatchIx` (a qId of SearchResults), each field's
        matches replacing its selection; the Cleared context clears the state first."""
        _, _, groups = self._search_groups(qOptions, qTerms)
        if not 0 <= int(qMatchIx) < len(groups):
            raise InvalidParameterValue(f"qMatchIx: no search result {qMatchIx}")
        selections = self._doc.selections
        with selections.one_step():
            if _context(qOptions) == "Cleared":
                selections.clear_all()
            group = groups[int(qMatchIx)]
            for name in group.fields:
                symbols = np.flatnonzero(group.values[name]).tolist()
                selections.select_symbols(name, symbols, False, bool(qSoftLock))
        self.selection_changed()
        return {}

    def _search_groups(
        self, options: dict[str, Any], raw_terms: list[Any]
    ) -> tuple[DataModel, list[str], list[doc_search.SearchGroup]]:
        model, terms, fields, base, allowed = self._search_setup(options, raw_terms)
        return model, terms, doc_search.find_groups(model, terms, fields, base, allowed)

    def _search_setup(
        self, options: dict[str, Any], raw_terms: list[Any]
    ) -> tuple[DataModel, list[str], list[str], dict[str, Any], Callable[[str], Any]]:
        """Model, terms, searched fields, the selections the search builds on (by qContext)
        and which values a term may match in a field."""
        if not isinstance(options, dict):
            raise InvalidParameterValue("qOptions must be an object")
        selections = self._doc.selections
        model = selections.model
        terms = [
            t for raw in raw_terms if isinstance(raw, str) for t in doc_search.split_terms(raw)
        ]
        fields = doc_search.search_fields(model, options.get("qSearchFields") or [])
        base, allowed = doc_search.search_scope(model, selections.state(), _context(options))
        return model, terms, fields, base, allowed


def _context(options: dict[str, Any]) -> str:
    return doc_search.search_context(options.get("qContext", "LockedFieldsOnly"))

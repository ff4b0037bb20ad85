"""GenericBookmark: a bookmark's layout, properties and Apply; plus the change bookkeeping the
bookmark methods share. Publish/UnPublish/Approve/UnApprove/ApplyAndVerify are not
implemented (error 20). Docs: docs/bookmarks.md.
"""

from __future__ import annotations

import copy
from typing import Any

import orjson

from openqix.api.base import QixApi
from openqix.docsession import DocSession, GenericObject
from openqix.objects.bookmarks import Bookmark
from openqix.objects.variables import patched
from openqix.session.session import HandleEntry


class GenericBookmarkApi(QixApi):
    qix_type = "GenericBookmark"

    @property
    def bookmark(self) -> Bookmark:
        assert isinstance(self.target, Bookmark)
        return self.target

    def GetLayout(self) -> dict[str, Any]:
        return {"qLayout": self.bookmark.layout()}

    def GetProperties(self) -> dict[str, Any]:
        return {"qProp": copy.deepcopy(self.bookmark.properties)}

    def GetInfo(self) -> dict[str, Any]:
        return {"qInfo": copy.deepcopy(self.bookmark.properties["qInfo"])}

    def SetProperties(self, qProp: dict[str, Any]) -> dict[str, Any]:
        self.doc.app.bookmarks.set_properties(self.bookmark, qProp)
        bookmarks_changed(self, self.bookmark)
        return {}

    def ApplyPatches(self, qPatches: list[Any]) -> dict[str, Any]:
        patches = [p for p in qPatches if isinstance(p, dict)] if isinstance(qPatches, list) else []
        return self.SetProperties(patched(self.bookmark.properties, patches))

    def Apply(self) -> dict[str, Any]:
        return {"qSuccess": bookmark_applied(self, self.bookmark)}

    def GetFieldValues(
        self, qField: str, qGetExcludedValues: bool, qDataPage: dict[str, Any]
    ) -> dict[str, Any]:
        page = qDataPage if isinstance(qDataPage, dict) else {}
        start, end = page.get("qStartIndex", 0), page.get("qEndIndex", 0)
        if not isinstance(start, int) or not isinstance(end, int):
            start, end = 0, 0
        values = self.bookmark.field_values(str(qField), bool(qGetExcludedValues), start, end)
        return {"qFieldValues": values}


def bookmark_applied(api: QixApi, bookmark: Bookmark) -> bool:
    """Restore the bookmark's selections by value in every state of this session (a state it
    has no data for is cleared; states the session does not know are skipped), then report
    the change like any selection change. False when a stored field is no longer loaded."""
    selections = api.doc.selections
    model = selections.model
    complete = True
    for name in selections.known_states():
        items = bookmark.items(name)
        restored = bookmark.selection(model, name)
        complete = complete and len(restored.fields) == len(items)
        if restored.content_key != selections.state(name).content_key:
            selections.restore(restored, name)
    api.selection_changed()
    return complete


def _lists_bookmarks(entry: HandleEntry, bookmark: Bookmark | None) -> bool:
    target = entry.target
    if bookmark is not None and target is bookmark:
        return True
    if not isinstance(target, GenericObject):
        return False
    text = orjson.dumps(target.properties).decode()
    return '"qBookmarkListDef"' in text or (bookmark is not None and bookmark.id in text)


def bookmarks_changed(
    api: QixApi, bookmark: Bookmark | None = None, closed: Bookmark | None = None
) -> None:
    """In every session with the app open: report the handles of `bookmark` (or `closed`),
    objects listing bookmarks and objects whose text names it; close `closed`'s handles."""
    app = api.doc.app
    subject = closed or bookmark
    for session in list(api.call.core.sessions):
        doc = session.state.get("doc")
        if not isinstance(doc, DocSession) or doc.app is not app:
            continue
        change = session.handles_where(lambda e: _lists_bookmarks(e, subject))
        close: list[int] = []
        if closed is not None:
            gone = session.handles_where(lambda e: e.target is closed)
            close = session.remove_handles(gone)
            change = [h for h in change if h not in close]
        if session is api.call.session:
            api.call.changed(*change)
            api.call.closed(*close)
        else:
            with api.call.core.notify_lock:
                session.broadcast(None, change, close)

"""Doc bookmark methods: CreateBookmark(Ex), ApplyBookmark, DestroyBookmark, GetBookmark(s).

Bookmarks belong to the app (every session sees them); their selections are captured from and
restored into this session's states by value. Docs: docs/bookmarks.md.
"""

from __future__ import annotations

from typing import Any

from openqix.api.base import QixApi
from openqix.api.generic_bookmark import bookmark_applied, bookmarks_changed
from openqix.docsession import DocSession
from openqix.errors import InvalidParameterValue
from openqix.objects.bookmarks import capture_state


class DocBookmarksMixin(QixApi):
    @property
    def _bm_doc(self) -> DocSession:
        assert isinstance(self.target, DocSession)
        return self.target

    def CreateBookmark(self, qProp: dict[str, Any]) -> dict[str, Any]:
        doc = self._bm_doc
        selections = doc.selections
        model = selections.model
        state_data = []
        for name in selections.known_states():
            items = capture_state(model, selections.state(name), selections.text_searches(name))
            if items:
                state_data.append({"qStateName": name, "qFieldItems": items})
        bookmark = doc.app.bookmarks.create(qProp, state_data)
        handle = self.handle_of("GenericBookmark", bookmark, bookmark.id, bookmark.type)
        bookmarks_changed(self)
        return {"qInfo": dict(bookmark.properties["qInfo"]), "qReturn": self.interface(handle)}

    def CreateBookmarkEx(
        self, qProp: dict[str, Any], qObjectIdsToPatch: list[str] | None = None
    ) -> dict[str, Any]:
        return self.CreateBookmark(qProp)  # no soft patches here: qObjectIdsToPatch is ignored

    def ApplyBookmark(self, qId: str) -> dict[str, Any]:
        bookmark = self._bm_doc.app.bookmarks.get(str(qId))
        if bookmark is None:
            return {"qSuccess": False}
        return {"qSuccess": bookmark_applied(self, bookmark)}

    def DestroyBookmark(self, qId: str) -> dict[str, Any]:
        bookmark = self._bm_doc.app.bookmarks.remove(str(qId))
        if bookmark is None:
            return {"qSuccess": False}
        bookmarks_changed(self, closed=bookmark)
        return {"qSuccess": True}

    def GetBookmark(self, qId: str) -> dict[str, Any]:
        bookmark = self._bm_doc.app.bookmarks.get(str(qId))
        if bookmark is None:
            return {"qReturn": {"qType": None, "qHandle": None}}
        handle = self.handle_of("GenericBookmark", bookmark, bookmark.id, bookmark.type)
        return {"qReturn": self.interface(handle)}

    def GetBookmarks(self, qOptions: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(qOptions, dict):
            raise InvalidParameterValue("qOptions must be an object")
        types = qOptions.get("qTypes")
        if not isinstance(types, list):
            raise InvalidParameterValue("qOptions.qTypes must be a list of strings")
        return {"qList": self._bm_doc.bookmark_list({"qTypes": types, **_data(qOptions)})}


def _data(options: dict[str, Any]) -> dict[str, Any]:
    data = options.get("qData")
    return {"qData": data} if isinstance(data, dict) else {}

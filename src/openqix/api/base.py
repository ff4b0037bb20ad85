"""Shared pieces of the QIX classes: the base class and the change bookkeeping helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from openqix.docsession import DocSession, GenericObject
from openqix.errors import AppInvalid
from openqix.objects.generic import DEFAULT_STATE
from openqix.objects.variables import Variable, is_expression
from openqix.session.session import HandleEntry

if TYPE_CHECKING:
    from openqix.api.core import Call

VERSION = "12.2027.0"
# Handle types whose layout may change with a reload (variables: script-created values).
_DATA_HANDLE_TYPES = ("Doc", "GenericObject", "GenericVariable", "Variable")


def _reads_selections(entry: HandleEntry) -> bool:
    target = entry.target
    return isinstance(target, Variable) and target.dual is None and is_expression(target.definition)


def element_numbers(values: list[Any]) -> list[int]:
    """The integers of a client's qValues list; anything else there is ignored."""
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


class QixApi:
    qix_type: ClassVar[str]

    def __init__(self, call: Call, target: Any):
        self.call = call
        self.target = target

    @property
    def doc(self) -> DocSession:
        doc = self.call.session.state.get("doc")
        if not isinstance(doc, DocSession):
            raise AppInvalid("No active document", message="App invalid")
        return doc

    def handle_of(self, qix_type: str, target: Any, generic_id: str, generic_type: str) -> int:
        return self.call.session.add_handle(qix_type, target, generic_id, generic_type)

    def interface(self, handle: int) -> dict[str, Any]:
        entry = self.call.session.entry(handle)
        assert entry is not None
        return entry.interface()

    def selection_changed(self, state_name: str | None = None) -> None:
        """Report every handle of this session whose layout reads a state whose selections
        changed during this call (`state_name` is kept for callers; the session's Selections
        records what really changed, so a call that changes nothing reports nothing)."""
        changed = self.doc.selections.take_changes()
        if not changed:
            return
        known = self.doc.selections.known_states()

        def reads_changed_state(entry: HandleEntry) -> bool:
            target = entry.target
            return isinstance(target, GenericObject) and not changed.isdisjoint(
                target.state_names(known)
            )

        self.call.changed(*self.call.session.handles_where(reads_changed_state))
        if DEFAULT_STATE in changed:  # `=` variables are evaluated in the default state
            self.call.changed(*self.call.session.handles_where(_reads_selections))

    def data_changed(self) -> None:
        """After a reload: every handle of the doc in every session that has the app open."""
        app = self.doc.app
        for session in self.call.core.sessions:
            doc = session.state.get("doc")
            if not isinstance(doc, DocSession) or doc.app is not app:
                continue
            handles = session.handles_where(lambda e: e.qix_type in _DATA_HANDLE_TYPES)
            if session is self.call.session:
                self.call.changed(*handles)
            else:
                with self.call.core.notify_lock:
                    session.broadcast(None, handles, ())

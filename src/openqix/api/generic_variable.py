"""GenericVariable: a variable's layout (its value), properties and value setters.

Also the change bookkeeping every variable method shares: a changed variable reports its own
handles and those of every variable and object whose text mentions it, in every session that
has the app open (session variables: this session only); a destroyed one closes its handles.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from openqix.api.base import QixApi
from openqix.calc.values import Dual
from openqix.docsession import DocSession, GenericObject
from openqix.errors import QixError
from openqix.objects.variables import (
    Variable,
    VariableStore,
    affected_names,
    mentions,
    number_text,
    patched,
)
from openqix.session.session import HandleEntry, Session

VARIABLE_HANDLE_TYPES = ("GenericVariable", "Variable")


class VariableApiBase(QixApi):
    """What the GenericVariable and the legacy Variable classes share."""

    @property
    def variable(self) -> Variable:
        assert isinstance(self.target, Variable)
        return self.target

    def evaluated(self, text: str) -> Dual:
        """The value of an `=` definition; an error shows as the value's text."""
        try:
            return self.doc.evaluate(text)
        except QixError as exc:
            return Dual(exc.message or exc.parameter, float("nan"))

    def value(self) -> Dual:
        return self.variable.value(self.evaluated)

    def store_of(self, variable: Variable) -> VariableStore:
        doc = self.doc
        return doc.session_variables if variable.session else doc.app.variables

    def set_definition(self, definition: str, dual: Dual | None = None) -> None:
        self.variable.set_definition(definition, dual)
        variables_changed(self, [self.variable])

    def replace_properties(self, prop: dict[str, Any]) -> None:
        variable = self.variable
        old_name = variable.name
        scope = self.doc.variables
        others = [s for s in scope.stores() if s is not self.store_of(variable)]
        self.store_of(variable).set_properties(
            variable, prop, lambda key: any(s.by_name(key) for s in others)
        )
        variables_changed(self, [variable], extra_names=[old_name])


class GenericVariableApi(VariableApiBase):
    qix_type = "GenericVariable"

    def GetLayout(self) -> dict[str, Any]:
        return {"qLayout": self.variable.layout(self.evaluated)}

    def GetProperties(self) -> dict[str, Any]:
        return {"qProp": copy.deepcopy(self.variable.properties)}

    def GetInfo(self) -> dict[str, Any]:
        return {"qInfo": copy.deepcopy(self.variable.properties["qInfo"])}

    def SetProperties(self, qProp: dict[str, Any]) -> dict[str, Any]:
        self.replace_properties(qProp)
        return {}

    def ApplyPatches(self, qPatches: list[Any]) -> dict[str, Any]:
        patches = [p for p in qPatches if isinstance(p, dict)]
        self.replace_properties(patched(self.variable.properties, patches))
        return {}

    def SetStringValue(self, qVal: str) -> dict[str, Any]:
        self.set_definition(str(qVal))
        return {}

    def SetNumValue(self, qVal: float) -> dict[str, Any]:
        number = float(qVal)
        self.set_definition(number_text(number), Dual(None, number))
        return {}

    def SetDualValue(self, qText: str, qNum: float) -> dict[str, Any]:
        self.set_definition(str(qText), Dual(str(qText), float(qNum)))
        return {}

    def GetRawContent(self) -> dict[str, Any]:
        return {"qReturn": self.variable.definition}


# -- change bookkeeping -------------------------------------------------------------------------


def _doc_sessions(api: QixApi, variable_sessions: bool) -> list[Session]:
    """The sessions a change of variables reaches: this one only for session variables, else
    every session that has the same app open."""
    if variable_sessions:
        return [api.call.session]
    app = api.doc.app
    found: list[Session] = []
    for session in list(api.call.core.sessions):
        doc = session.state.get("doc")
        if isinstance(doc, DocSession) and doc.app is app:
            found.append(session)
    return found


def _depends(entry: HandleEntry, names: set[str], variables: set[int]) -> bool:
    target = entry.target
    if isinstance(target, Variable):
        return id(target) in variables
    if isinstance(target, GenericObject):
        text = orjson.dumps(target.properties).decode()
        return '"qVariableListDef"' in text or mentions(text, names)
    return False


def variables_changed(
    api: QixApi, changed: Iterable[Variable], extra_names: Iterable[str] = ()
) -> None:
    """Report the handles whose layout may differ now that `changed` have new values."""
    changed = list(changed)
    if not changed:
        return
    scope = api.doc.variables
    names = affected_names(scope, [v.name for v in changed] + list(extra_names))
    affected = {id(v) for v in changed}
    affected.update(id(v) for n in names if (v := scope.by_name(n)) is not None)
    for session in _doc_sessions(api, all(v.session for v in changed)):
        handles = session.handles_where(lambda e: _depends(e, names, affected))
        _notify(api, session, change=handles)


def variable_destroyed(api: QixApi, variable: Variable) -> None:
    """Close every handle on `variable` and report what read it."""
    variables_changed(api, [variable])
    for session in _doc_sessions(api, variable.session):
        handles = session.handles_where(lambda e: e.target is variable)
        _notify(api, session, close=session.remove_handles(handles))


def _notify(
    api: QixApi, session: Session, change: Sequence[int] = (), close: Sequence[int] = ()
) -> None:
    if session is api.call.session:
        api.call.changed(*change)
        api.call.closed(*close)
        return
    with api.call.core.notify_lock:
        session.broadcast(None, change, close)

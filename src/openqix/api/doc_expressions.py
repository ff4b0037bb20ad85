"""Doc methods on expressions and variables: Evaluate, CheckExpression and friends, the
GenericVariable methods of the Doc (CreateVariableEx, GetVariableByName, GetVariables ...) and
the legacy ones (CreateVariable, GetVariable, RemoveVariable). Mixed into DocApi.
"""

from __future__ import annotations

import math
from typing import Any

from openqix.api.base import QixApi
from openqix.api.generic_variable import variable_destroyed, variables_changed
from openqix.calc.aggregate import AGGREGATION_NAMES
from openqix.calc.values import Dual
from openqix.docsession import DocSession
from openqix.errors import QixError
from openqix.objects.expressions import (
    ExpressionCheck,
    check_expression,
    check_number_or_expression,
    expand,
    expression_fields,
)
from openqix.objects.variables import Variable, VariableStore

_NO_OBJECT = {"qType": None, "qHandle": None}
NULL_TEXT = "-"  # how Evaluate shows a NULL result


class DocExpressionsApi(QixApi):
    """The expression and variable methods of Doc (DocApi lists this class among its bases)."""

    @property
    def _doc(self) -> DocSession:
        assert isinstance(self.target, DocSession)
        return self.target

    # -- evaluation ------------------------------------------------------------------------------
    def Evaluate(self, qExpression: str) -> dict[str, Any]:
        text = self._doc.evaluate(qExpression).display()
        return {"qReturn": NULL_TEXT if text is None else text}

    def EvaluateEx(self, qExpression: str) -> dict[str, Any]:
        return {"qValue": field_value(self._doc.evaluate(qExpression))}

    def CheckExpression(self, qExpr: str, qLabels: list[Any]) -> dict[str, Any]:
        labels = [label for label in qLabels if isinstance(label, str) and label]
        doc = self._doc
        fields, definitions = doc.selections.model.fields, doc.variables.definitions()
        check = check_expression(
            qExpr, fields, definitions, labels, AGGREGATION_NAMES, doc.expressions().text
        )
        return _check_result(check, dangerous=True)

    def CheckNumberOrExpression(self, qExpr: str) -> dict[str, Any]:
        doc = self._doc
        fields, definitions = doc.selections.model.fields, doc.variables.definitions()
        check = check_number_or_expression(qExpr, fields, definitions, doc.expressions().text)
        return _check_result(check, dangerous=False)

    def ExpandExpression(self, qExpression: str) -> dict[str, Any]:
        doc = self._doc
        expansion = expand(qExpression, doc.variables.definitions(), doc.expressions().text)
        return {"qExpandedExpression": expansion.text}

    def GetFieldsFromExpression(self, qExpr: str) -> dict[str, Any]:
        doc = self._doc
        names = expression_fields(qExpr, doc.variables.definitions(), doc.expressions().text)
        return {"qFieldNames": names}

    # -- variables ---------------------------------------------------------------------------
    def CreateVariableEx(self, qProp: dict[str, Any]) -> dict[str, Any]:
        variable = self._create(self._doc.app.variables, qProp)
        return {"qInfo": dict(variable.properties["qInfo"]), "qReturn": self._interface(variable)}

    def CreateSessionVariable(self, qProp: dict[str, Any]) -> dict[str, Any]:
        variable = self._create(self._doc.session_variables, qProp)
        return {"qReturn": self._interface(variable)}

    def GetVariableById(self, qId: str) -> dict[str, Any]:
        return {"qReturn": self._interface(self._doc.variables.by_id(qId))}

    def GetVariableByName(self, qName: str) -> dict[str, Any]:
        return {"qReturn": self._interface(self._doc.variables.by_name(qName))}

    def DestroyVariableById(self, qId: str) -> dict[str, Any]:
        store = self._doc.app.variables
        return {"qSuccess": self._destroy(store, store.by_id(qId))}

    def DestroyVariableByName(self, qName: str) -> dict[str, Any]:
        store = self._doc.app.variables
        return {"qSuccess": self._destroy(store, store.by_name(qName))}

    def DestroySessionVariableById(self, qId: str) -> dict[str, Any]:
        store = self._doc.session_variables
        return {"qSuccess": self._destroy(store, store.by_id(qId))}

    def DestroySessionVariableByName(self, qName: str) -> dict[str, Any]:
        store = self._doc.session_variables
        return {"qSuccess": self._destroy(store, store.by_name(qName))}

    def GetVariables(self, qListDef: dict[str, Any]) -> dict[str, Any]:
        return {"qList": self._doc.variables.variable_list(qListDef)}

    # -- legacy variable API -------------------------------------------------------------------
    def CreateVariable(self, qName: str) -> dict[str, Any]:
        try:
            self._create(self._doc.app.variables, {"qName": qName, "qDefinition": ""})
        except QixError:
            return {"qReturn": False}
        return {"qReturn": True}

    def RemoveVariable(self, qName: str) -> dict[str, Any]:
        store = self._doc.app.variables
        return {"qReturn": self._destroy(store, store.by_name(qName))}

    def GetVariable(self, qName: str) -> dict[str, Any]:
        variable = self._doc.variables.by_name(qName)
        if variable is None:
            return {"qReturn": dict(_NO_OBJECT)}
        handle = self.handle_of("Variable", variable, variable.id, "variable")
        return {"qReturn": self.interface(handle)}

    # -- internals -----------------------------------------------------------------------------
    def _create(self, store: VariableStore, prop: dict[str, Any]) -> Variable:
        variable = store.create(prop, taken=self._doc.variables.taken)
        variables_changed(self, [variable])  # objects that read the name before it existed
        return variable

    def _destroy(self, store: VariableStore, variable: Variable | None) -> bool:
        if variable is None or not store.remove(variable):
            return False
        variable_destroyed(self, variable)
        return True

    def _interface(self, variable: Variable | None) -> dict[str, Any]:
        if variable is None:
            return dict(_NO_OBJECT)
        handle = self.handle_of("GenericVariable", variable, variable.id, "variable")
        return self.interface(handle)


def field_value(value: Dual) -> dict[str, Any]:
    """A FieldValue: qText when there is a text to show, qIsNumeric/qNumber for a number."""
    out: dict[str, Any] = {}
    text = value.display()
    if text is not None:
        out["qText"] = text
    if value.is_numeric and math.isfinite(value.num):
        out["qIsNumeric"] = True
        out["qNumber"] = value.num
    return out


def _check_result(check: ExpressionCheck, dangerous: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if check.error:
        out["qErrorMsg"] = check.error
    out["qBadFieldNames"] = [{"qFrom": a, "qCount": n} for a, n in check.bad]
    if dangerous:
        out["qDangerousFieldNames"] = [{"qFrom": a, "qCount": n} for a, n in check.dangerous]
    return out

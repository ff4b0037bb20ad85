"""Which selection states a generic object's layout reads (for change notifications)."""

from __future__ import annotations

from typing import Any

import pytest

from openqix.docsession import GenericObject


def _obj(**props: Any) -> GenericObject:
    return GenericObject("x", {"qInfo": {"qType": "t"}, **props})


def _cube(measure: str, **extra: Any) -> dict[str, Any]:
    return {"qMeasures": [{"qDef": {"qDef": measure}}], **extra}


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({}, set()),
        ({"title": "plain"}, set()),
        ({"qListObjectDef": {"qStateName": "A"}}, {"A"}),
        ({"qStateName": "A", "qListObjectDef": {}}, {"A"}),
        ({"qStateName": "A", "qSelectionObjectDef": {"qStateName": "$"}}, {"$"}),
        ({"v": {"qValueExpression": {"qExpr": "=1"}}}, {"$"}),
        ({"qStateName": "B", "t": {"qStringExpression": "=Count(x)"}}, {"B"}),
        ({"qHyperCubeDef": _cube("Sum({A} x)")}, {"$", "A"}),
        ({"qHyperCubeDef": _cube("Sum({A<y={1}>} x)")}, {"$", "A"}),
        ({"qHyperCubeDef": _cube("Sum({<y=A::y>} x)")}, {"$", "A"}),
        ({"qHyperCubeDef": _cube("Sum({AB} x)")}, {"$"}),
        ({"qHyperCubeDef": _cube("Sum({$} x)", qStateName="A")}, {"A", "$"}),
    ],
)
def test_state_names(props: dict[str, Any], expected: set[str]) -> None:
    assert _obj(**props).state_names(["$", "A"]) == expected

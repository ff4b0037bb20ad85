"""Generic-object layouts: key order, meta, state resolution, defs replaced, keys copied."""

from __future__ import annotations

from typing import Any

from objects_testkit import all_possible, model, table

from openqix.engine.inference import Inference
from openqix.engine.model import DataModel
from openqix.engine.selection import SelectionState
from openqix.objects.generic import LayoutContext, StaticContext, layout_of

MODEL = model(table("T", k=["a", "b"], v=[1, 2]))


class RecordingContext:
    """Answers every state with no selections and remembers which states were asked for."""

    def __init__(self, m: DataModel) -> None:
        self._model = m
        self.asked: list[str] = []

    @property
    def model(self) -> DataModel:
        return self._model

    def selections(self, state_name: str) -> tuple[SelectionState, Inference]:
        self.asked.append(state_name)
        return SelectionState.empty(), all_possible(self._model)


def chart(**extra: Any) -> dict[str, Any]:
    return {
        "qInfo": {"qId": "c1", "qType": "table"},
        "title": "My chart",
        "qHyperCubeDef": {
            "qDimensions": [{"qDef": {"qFieldDefs": ["k"]}}],
            "qMeasures": [{"qDef": {"qDef": "Sum(v)"}}],
        },
        "qLayoutExclude": {"hidden": True},
        "qListObjectDef": {"qDef": {"qFieldDefs": ["k"]}},
        "footer": {"text": "x"},
        **extra,
    }


def test_key_order_and_contents() -> None:
    ctx = RecordingContext(MODEL)
    layout = layout_of(chart(qMetaDef={"title": "t"}), ctx)
    assert list(layout) == [
        "qInfo",
        "qMeta",
        "qSelectionInfo",
        "title",
        "qHyperCube",
        "qListObject",
        "footer",
    ]
    assert layout["qInfo"] == {"qId": "c1", "qType": "table"}
    assert layout["qMeta"] == {
        "title": "t",
        "privileges": ["read", "update", "delete", "exportdata"],
    }
    assert layout["qSelectionInfo"] == {}
    assert layout["qHyperCube"]["qSize"] == {"qcx": 2, "qcy": 2}
    assert layout["qListObject"]["qSize"] == {"qcx": 1, "qcy": 2}
    assert layout["footer"] == {"text": "x"}
    assert ctx.asked == ["$", "$"]


def test_state_names_resolve_def_then_object_then_default() -> None:
    ctx = RecordingContext(MODEL)
    properties = chart(qStateName="Obj")
    properties["qHyperCubeDef"]["qStateName"] = "Cube"
    layout = layout_of(properties, ctx)
    assert layout["qStateName"] == "Obj" and list(layout)[3] == "qStateName"
    assert ctx.asked == ["Cube", "Obj"]
    assert layout["qHyperCube"]["qStateName"] == "Cube"
    assert "qStateName" not in layout["qListObject"]


def test_unknown_defs_are_left_out_and_extends_id_echoed() -> None:
    properties = chart(qSelectionObjectDef={}, qExtendsId="base", qChildListDef={"qData": {}})
    layout = layout_of(properties, RecordingContext(MODEL))
    assert "qSelectionObjectDef" not in layout and "qChildListDef" not in layout
    assert layout["qSelectionObject"]["qSelections"] == []  # computed, in state "$"
    assert layout["qExtendsId"] == "base"
    assert "qExtendsId" not in layout_of(chart(qExtendsId=""), RecordingContext(MODEL))


def test_static_context() -> None:
    ctx: LayoutContext = StaticContext(MODEL, {"$": (SelectionState.empty(), all_possible(MODEL))})
    layout = layout_of(
        {"qInfo": {"qType": "x"}, "qListObjectDef": {"qDef": {"qFieldDefs": ["v"]}}}, ctx
    )
    assert layout["qListObject"]["qDimensionInfo"]["qFallbackTitle"] == "v"

"""`{$}` names the default state, also inside an object of an alternate state (Qlik's help,
"Set identifiers"); no set identifier means the object's own state."""

from __future__ import annotations

from typing import Any

from openqix.testing import InMemoryClient


def _cube(state: str, measure: str) -> dict[str, Any]:
    return {
        "qInfo": {"qType": "cube"},
        "qHyperCubeDef": {
            "qStateName": state,
            "qDimensions": [],
            "qMeasures": [{"qDef": {"qDef": measure}}],
            "qInitialDataFetch": [{"qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 1}],
        },
    }


def _value(client: InMemoryClient, handle: int) -> float:
    layout = client.call(handle, "GetLayout")["qLayout"]
    return float(layout["qHyperCube"]["qDataPages"][0]["qMatrix"][0][0]["qNum"])


def test_dollar_in_an_alternate_state_object_reads_the_default_state(
    loaded: tuple[InMemoryClient, int],
) -> None:
    client, doc = loaded
    client.call(doc, "AddAlternateState", ["Other"])
    default = client.handle(doc, "CreateSessionObject", _cube("Other", "Sum({$} Amount)"))
    own = client.handle(doc, "CreateSessionObject", _cube("Other", "Sum(Amount)"))
    p_own = client.handle(
        doc, "CreateSessionObject", _cube("Other", "Sum({<Country=P(Country)>} Amount)")
    )
    assert _value(client, default) == _value(client, own) == 250
    country = client.handle(doc, "GetField", "Country")
    assert client.call(country, "SelectValues", [[{"qText": "Germany"}]]) == {"qReturn": True}
    assert default in client.last.get("change", [])
    assert _value(client, default) == 70  # the default state's selection
    assert _value(client, own) == 250  # Other has no selection
    assert _value(client, p_own) == 250  # P() without a set reads the object's own state

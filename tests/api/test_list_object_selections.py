"""List objects through the API: selection calls, search, locks, selection mode, the
current-selections object, and which handles a change reports to which socket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from openqix.testing import InMemoryClient, RpcError

from .selection_fixtures import install, listbox, states

PATH = "/qListObjectDef"
SELECTIONS = {"qInfo": {"qType": "current-selections"}, "qSelectionObjectDef": {}}


@pytest.fixture
def app(connect: Callable[..., InMemoryClient]) -> tuple[InMemoryClient, int]:
    client = connect()
    return client, install(client)


def _layout(client: InMemoryClient, handle: int) -> dict[str, Any]:
    result: dict[str, Any] = client.call(handle, "GetLayout")["qLayout"]
    return result


def test_whole_field_selections_through_the_list_object(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    names = client.handle(doc, "CreateSessionObject", listbox("Name"))
    country = client.handle(doc, "GetField", "Country")
    client.call(country, "Select", ["Sweden"])
    assert client.call(names, "SelectListObjectPossible", [PATH]) == {"qSuccess": True}
    assert states(client, names) == {"Acme": "S", "Bolt": "X", "Cogs": "S", "Dyno": "X"}
    assert client.call(names, "SelectListObjectExcluded", [PATH]) == {"qSuccess": True}
    # Bolt and Dyno were excluded by Country: selecting them clears Country.
    assert states(client, names) == {"Acme": "A", "Bolt": "S", "Cogs": "A", "Dyno": "S"}
    client.call(doc, "ClearAll")
    client.call(names, "SelectListObjectValues", [PATH, [0], False])
    assert client.call(names, "SelectListObjectAlternative", [PATH]) == {"qSuccess": True}
    assert states(client, names) == {"Acme": "A", "Bolt": "S", "Cogs": "S", "Dyno": "S"}
    assert client.call(names, "SelectListObjectAll", [PATH]) == {"qSuccess": True}
    assert set(states(client, names).values()) == {"S"}
    with pytest.raises(RpcError) as info:
        client.call(names, "SelectListObjectAll", ["/qHyperCubeDef"])
    assert info.value.code == 2


def test_continuous_range(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    amounts = client.handle(doc, "CreateSessionObject", listbox("Amount"))
    ranges = [{"qMin": 30, "qMax": 70, "qMinInclEq": True, "qMaxInclEq": False}]
    result = client.call(amounts, "SelectListObjectContinuousRange", [PATH, ranges])
    assert result == {"qSuccess": True}
    assert [k for k, v in states(client, amounts).items() if v == "S"] == ["50", "30"]
    empty = [{"qMin": 1000, "qMax": 2000, "qMinInclEq": True, "qMaxInclEq": True}]
    result = client.call(amounts, "SelectListObjectContinuousRange", [PATH, empty])
    assert result == {"qSuccess": False}


def test_search_accept_and_abort(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    countries = client.handle(doc, "CreateSessionObject", listbox("Country"))
    reply = client.request(countries, "SearchListObjectFor", [PATH, "zea"])
    assert reply["result"] == {"qSuccess": True} and reply["change"] == [countries]
    listed = _layout(client, countries)["qListObject"]
    assert listed["qSize"]["qcy"] == 1
    cell = listed["qDataPages"][0]["qMatrix"][0][0]
    assert cell["qText"] == "New Zealand"
    assert cell["qHighlightRanges"] == {"qRanges": [{"qCharPos": 4, "qCharCount": 3}]}
    page = [{"qLeft": 0, "qTop": 0, "qWidth": 1, "qHeight": 10}]
    data = client.call(countries, "GetListObjectData", [PATH, page])["qDataPages"][0]
    assert [r[0]["qText"] for r in data["qMatrix"]] == ["New Zealand"]
    client.call(countries, "AbortListObjectSearch", [PATH])
    assert _layout(client, countries)["qListObject"]["qSize"]["qcy"] == 3
    client.call(countries, "SearchListObjectFor", [PATH, "s*"])
    reply = client.request(countries, "AcceptListObjectSearch", [PATH, False])
    assert countries in reply["change"]
    assert states(client, countries) == {"Sweden": "S", "Germany": "A", "New Zealand": "A"}
    assert _layout(client, countries)["qListObject"]["qSize"]["qcy"] == 3
    sel = client.handle(doc, "CreateSessionObject", SELECTIONS)
    (item,) = _layout(client, sel)["qSelectionObject"]["qSelections"]
    assert item["qTextSearch"] == "s*"
    field = client.handle(doc, "GetField", "Country")
    client.call(field, "Select", ["Germany"])
    (item,) = _layout(client, sel)["qSelectionObject"]["qSelections"]
    assert item["qTextSearch"] == "Germany"
    client.call(field, "LowLevelSelect", [[0], False])
    (item,) = _layout(client, sel)["qSelectionObject"]["qSelections"]
    assert "qTextSearch" not in item


def test_lock_and_unlock_through_the_object(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    names = client.handle(doc, "CreateSessionObject", listbox("Name"))
    client.call(names, "SelectListObjectValues", [PATH, [1], False])
    client.call(names, "Lock", [PATH])
    info = _layout(client, names)["qListObject"]["qDimensionInfo"]
    assert info["qLocked"] is True and states(client, names)["Bolt"] == "L"
    result = client.call(names, "SelectListObjectValues", [PATH, [2], False])
    assert result == {"qSuccess": False}
    result = client.call(names, "SelectListObjectValues", [PATH, [2], False, True])
    assert result == {"qSuccess": True}
    client.call(names, "Unlock", [PATH])
    assert states(client, names)["Cogs"] == "S"


def test_selection_mode_rolls_back(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    names = client.handle(doc, "CreateSessionObject", listbox("Name"))
    client.call(names, "SelectListObjectValues", [PATH, [0], False])
    client.call(names, "BeginSelections", [[PATH]])
    assert _layout(client, names)["qSelectionInfo"] == {"qInSelections": True}
    client.call(names, "SelectListObjectValues", [PATH, [1], True])
    info = _layout(client, names)["qSelectionInfo"]
    assert info == {"qInSelections": True, "qMadeSelections": True}
    client.call(names, "EndSelections", [False])
    assert _layout(client, names)["qSelectionInfo"] == {}
    assert [k for k, v in states(client, names).items() if v == "S"] == ["Acme"]
    client.call(names, "BeginSelections", [[PATH]])
    client.call(names, "SelectListObjectValues", [PATH, [2], False])
    client.call(names, "EndSelections", [True])
    assert [k for k, v in states(client, names).items() if v == "S"] == ["Cogs"]


def test_current_selections_object(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    sel = client.handle(doc, "CreateSessionObject", SELECTIONS)
    empty = _layout(client, sel)["qSelectionObject"]
    assert empty == {"qBackCount": 0, "qForwardCount": 0, "qStateName": "$", "qSelections": []}
    year = client.handle(doc, "GetField", "Year")
    name = client.handle(doc, "GetField", "Name")
    reply = client.request(year, "Select", ["2020"])
    assert sel in reply["change"]
    client.call(name, "SelectAll")
    client.call(year, "Lock")
    layout = _layout(client, sel)["qSelectionObject"]
    assert layout["qBackCount"] == 3
    first, second = layout["qSelections"]
    assert first == {
        "qTotal": 3,
        "qIsNum": True,
        "qField": "Year",
        "qLocked": True,
        "qSelectedCount": 1,
        "qSelected": "2020",
        "qRangeInfo": [],
        "qSortIndex": 0,
        "qStateCounts": {
            "qLocked": 1,
            "qSelected": 0,
            "qOption": 0,
            "qDeselected": 0,
            "qAlternative": 2,
            "qExcluded": 0,
            "qSelectedExcluded": 0,
            "qLockedExcluded": 0,
        },
        "qSelectedFieldSelectionInfo": [{"qName": "2020", "qFieldSelectionMode": "NORMAL"}],
        "qNotSelectedFieldSelectionInfo": [],
        "qSelectionThreshold": 6,
    }
    assert second["qField"] == "Name" and second["qSelected"] == "Acme, Bolt, Cogs, Dyno"
    assert second["qSortIndex"] == 1 and second["qSelectedCount"] == 4
    client.call(doc, "Back")
    assert _layout(client, sel)["qSelectionObject"]["qForwardCount"] == 1


def test_changes_reach_every_socket_and_only_objects_of_the_state(
    connect: Callable[..., InMemoryClient],
) -> None:
    client = connect()
    doc = install(client)
    client.call(doc, "AddAlternateState", ["A"])
    other = connect()  # same URL: the same session, a second socket
    default = other.handle(doc, "CreateSessionObject", listbox("Name"))
    in_a = other.handle(doc, "CreateSessionObject", listbox("Name", state="A"))
    sel_a = other.handle(
        doc, "CreateSessionObject", {**SELECTIONS, "qSelectionObjectDef": {"qStateName": "A"}}
    )
    plain = other.handle(doc, "CreateSessionObject", {"qInfo": {"qType": "text"}, "text": "hi"})
    expression = other.handle(
        doc,
        "CreateSessionObject",
        {"qInfo": {"qType": "kpi"}, "v": {"qValueExpression": {"qExpr": "=Count(Name)"}}},
    )
    other.pushed.clear()
    field = client.handle(doc, "GetField", "Name")
    reply = client.request(field, "Select", ["Acme"])
    assert sorted(reply["change"]) == sorted([default, expression])
    assert len(other.pushed) == 1 and set(other.pushed[0]["change"]) == {default, expression}
    assert in_a not in reply["change"] and sel_a not in reply["change"]
    assert plain not in reply["change"]
    other.pushed.clear()
    field_a = client.handle(doc, "GetField", "Name", "A")
    reply = client.request(field_a, "Select", ["Bolt"])
    assert set(reply["change"]) == {in_a, sel_a}
    assert len(other.pushed) == 1 and set(other.pushed[0]["change"]) == {in_a, sel_a}
    other.pushed.clear()
    assert "change" not in client.request(field_a, "Select", ["Bolt"])
    assert other.pushed == []


def test_selection_mode_keeps_the_sort_order(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    props = listbox("Name")
    props["qListObjectDef"]["qDef"]["qSortCriterias"] = [{"qSortByState": 1, "qSortByAscii": 1}]
    names = client.handle(doc, "CreateSessionObject", props)
    assert list(states(client, names)) == ["Acme", "Bolt", "Cogs", "Dyno"]
    client.call(names, "BeginSelections", [[PATH]])
    client.call(names, "SelectListObjectValues", [PATH, [3], True])
    assert list(states(client, names)) == ["Acme", "Bolt", "Cogs", "Dyno"]
    assert states(client, names)["Dyno"] == "S"
    client.call(names, "EndSelections", [True])
    assert list(states(client, names)) == ["Dyno", "Acme", "Bolt", "Cogs"]


def test_abort_modal_ends_selection_mode(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    names = client.handle(doc, "CreateSessionObject", listbox("Name"))
    client.call(names, "BeginSelections", [[PATH]])
    client.call(names, "SelectListObjectValues", [PATH, [2], True])
    reply = client.request(doc, "AbortModal", [False])
    assert names in reply["change"]
    assert _layout(client, names)["qSelectionInfo"] == {}
    assert set(states(client, names).values()) == {"O"}
    client.call(names, "BeginSelections", [[PATH]])
    client.call(names, "SelectListObjectValues", [PATH, [2], True])
    client.call(doc, "AbortModal", [True])
    assert states(client, names)["Cogs"] == "S"

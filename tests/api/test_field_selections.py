"""Field API: the 17 methods, their qReturn values and edge cases (locks, soft lock, OAO)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from openqix.testing import InMemoryClient, RpcError

from .selection_fixtures import install, listbox, states


@pytest.fixture
def app(connect: Callable[..., InMemoryClient]) -> tuple[InMemoryClient, int]:
    client = connect()
    return client, install(client)


def test_select_search_strings(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    names = client.handle(doc, "CreateSessionObject", listbox("Name"))
    amount = client.handle(doc, "CreateSessionObject", listbox("Amount"))
    field = client.handle(doc, "GetField", "Name")
    assert client.call(field, "Select", ["?o*"]) == {"qReturn": True}  # Bolt, Cogs
    assert states(client, names) == {"Acme": "A", "Bolt": "S", "Cogs": "S", "Dyno": "A"}
    assert client.call(field, "Select", ['"acme"']) == {"qReturn": True}
    assert states(client, names)["Acme"] == "S" and states(client, names)["Bolt"] == "A"
    amounts = client.handle(doc, "GetField", "Amount")
    client.call(doc, "ClearAll")
    assert client.call(amounts, "Select", [">=30<100"]) == {"qReturn": True}
    assert states(client, amount) == {"100": "A", "50": "S", "70": "S", "30": "S", "5": "A"}
    assert client.call(amounts, "Select", ["<=5"]) == {"qReturn": True}
    assert [k for k, v in states(client, amount).items() if v == "S"] == ["5"]


def test_select_without_match_changes_nothing(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    names = client.handle(doc, "CreateSessionObject", listbox("Name"))
    field = client.handle(doc, "GetField", "Name")
    client.call(field, "Select", ["Acme"])
    reply = client.request(field, "Select", ["nothing*"])
    assert reply["result"] == {"qReturn": False} and "change" not in reply
    assert states(client, names)["Acme"] == "S"
    # Re-selecting the same value changes nothing either: no handle is reported.
    reply = client.request(field, "Select", ["Acme"])
    assert reply["result"] == {"qReturn": True} and "change" not in reply


def test_excluded_values_mode(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    names = client.handle(doc, "CreateSessionObject", listbox("Name"))
    country = client.handle(doc, "GetField", "Country")
    name = client.handle(doc, "GetField", "Name")
    client.call(country, "Select", ["Germany"])
    # Mode 0 ignores excluded values (Acme is X); mode 1 selects them, clearing Country.
    assert client.call(name, "Select", ["Acme", False, 0]) == {"qReturn": False}
    assert client.call(name, "Select", ["Acme", False, 1]) == {"qReturn": True}
    assert states(client, names)["Acme"] == "S"
    sel = client.handle(
        doc, "CreateSessionObject", {"qInfo": {"qType": "cs"}, "qSelectionObjectDef": {}}
    )
    fields = [
        s["qField"]
        for s in client.call(sel, "GetLayout")["qLayout"]["qSelectionObject"]["qSelections"]
    ]
    assert fields == ["Name"]


def test_select_values_by_text_and_number_with_toggle(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    years = client.handle(doc, "CreateSessionObject", listbox("Year"))
    year = client.handle(doc, "GetField", "Year")
    values = [{"qText": "", "qIsNumeric": True, "qNumber": 2019}, {"qText": "2021"}]
    assert client.call(year, "SelectValues", [values]) == {"qReturn": True}
    assert states(client, years) == {"2019": "S", "2020": "A", "2021": "S"}
    toggle = [{"qIsNumeric": True, "qNumber": 2019}, {"qIsNumeric": True, "qNumber": 2020}]
    assert client.call(year, "SelectValues", [toggle, True]) == {"qReturn": True}
    assert states(client, years) == {"2019": "A", "2020": "S", "2021": "S"}


def test_low_level_select_and_whole_field_calls(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    names = client.handle(doc, "CreateSessionObject", listbox("Name"))
    name = client.handle(doc, "GetField", "Name")
    country = client.handle(doc, "GetField", "Country")
    assert client.call(name, "LowLevelSelect", [[0, 2], False]) == {"qReturn": True}
    assert client.call(name, "LowLevelSelect", [[2, 3], True]) == {"qReturn": True}
    assert states(client, names) == {"Acme": "S", "Bolt": "A", "Cogs": "A", "Dyno": "S"}
    client.call(doc, "ClearAll")
    client.call(country, "Select", ["Sweden"])
    assert client.call(name, "SelectPossible") == {"qReturn": True}
    assert states(client, names) == {"Acme": "S", "Bolt": "X", "Cogs": "S", "Dyno": "X"}
    assert client.call(name, "SelectAll") == {"qReturn": True}
    assert states(client, names) == {"Acme": "S", "Bolt": "XS", "Cogs": "S", "Dyno": "XS"}
    client.call(doc, "ClearAll")
    client.call(name, "Select", ["Acme"])
    assert client.call(name, "SelectAlternative") == {"qReturn": True}
    assert states(client, names) == {"Acme": "A", "Bolt": "S", "Cogs": "S", "Dyno": "S"}
    assert client.call(name, "SelectExcluded") == {"qReturn": True}
    assert states(client, names) == {"Acme": "S", "Bolt": "A", "Cogs": "A", "Dyno": "A"}


def test_locks_and_soft_lock(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    names = client.handle(doc, "CreateSessionObject", listbox("Name"))
    name = client.handle(doc, "GetField", "Name")
    country = client.handle(doc, "GetField", "Country")
    assert client.call(name, "Lock") == {"qReturn": False}  # nothing selected to lock
    client.call(name, "Select", ["Acme"])
    assert client.call(name, "Lock") == {"qReturn": True}
    assert states(client, names)["Acme"] == "L"
    assert client.call(name, "Select", ["Bolt"]) == {"qReturn": False}
    assert client.call(name, "Clear") == {"qReturn": False}
    assert client.call(name, "SelectAll") == {"qReturn": False}
    assert client.call(name, "Select", ["Bolt", True]) == {"qReturn": True}  # soft lock
    assert states(client, names)["Bolt"] == "L"
    # Sweden conflicts with the locked Bolt (Germany): refused, nothing changes.
    assert client.call(country, "Select", ["Sweden"]) == {"qReturn": False}
    assert client.call(country, "Select", ["Germany"]) == {"qReturn": True}
    assert client.call(country, "ClearAllButThis") == {"qReturn": True}
    assert states(client, names)["Bolt"] == "L"  # the locked field stays
    assert client.call(country, "ClearAllButThis", [True]) == {"qReturn": True}
    assert set(states(client, names).values()) == {"X", "O"}
    assert client.call(name, "Select", ["Acme"]) == {"qReturn": False}  # excluded by Germany
    client.call(name, "Select", ["Acme", False, 1])
    client.call(name, "Lock")
    client.call(doc, "ClearAll")
    assert states(client, names)["Acme"] == "L"
    client.call(doc, "ClearAll", [True])
    assert set(states(client, names).values()) == {"O"}
    assert client.call(name, "Unlock") == {"qReturn": True}


def test_cardinal_and_and_mode(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    name = client.handle(doc, "GetField", "Name")
    skill = client.handle(doc, "GetField", "Skill")
    assert client.call(name, "GetCardinal") == {"qReturn": 4}
    assert client.call(name, "GetAndMode") == {"qReturn": False}
    with pytest.raises(RpcError) as info:
        client.call(name, "SetAndMode", [True])
    assert info.value.code == 8 and "second of exactly two fields" in info.value.parameter
    client.call(skill, "SetAndMode", [True])
    assert client.call(skill, "GetAndMode") == {"qReturn": True}
    description = client.call(doc, "GetFieldDescription", ["Skill"])["qReturn"]
    assert description["qAndMode"] is True
    client.call(skill, "SetAndMode", [False])
    assert client.call(skill, "GetAndMode") == {"qReturn": False}


def test_one_and_only_one(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    years = client.handle(doc, "CreateSessionObject", listbox("Year"))
    year = client.handle(doc, "GetField", "Year")
    assert client.call(year, "GetNxProperties") == {"qProperties": {}}
    reply = client.request(year, "SetNxProperties", [{"qOneAndOnlyOne": True}])
    assert years in reply["change"]
    assert client.call(year, "GetNxProperties") == {"qProperties": {"qOneAndOnlyOne": True}}
    assert states(client, years) == {"2019": "S", "2020": "A", "2021": "A"}
    assert client.call(year, "Clear") == {"qReturn": False}
    assert client.call(year, "SelectAll") == {"qReturn": False}
    assert client.call(year, "LowLevelSelect", [[1, 2], True]) == {"qReturn": True}
    assert states(client, years) == {"2019": "A", "2020": "S", "2021": "A"}
    client.call(doc, "ClearAll")
    assert states(client, years)["2020"] == "S"


def test_unknown_field_answers_false(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    ghost = client.handle(doc, "GetField", "Ghost")
    for method, params in [("Select", ["x"]), ("Clear", []), ("Lock", []), ("SelectAll", [])]:
        assert client.call(ghost, method, params) == {"qReturn": False}
    assert client.call(ghost, "GetCardinal") == {"qReturn": 0}


def test_and_mode_selects_partners_of_every_value(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    people = client.handle(doc, "CreateSessionObject", listbox("Person"))
    skill = client.handle(doc, "GetField", "Skill")
    client.call(skill, "SelectValues", [[{"qText": "sql"}, {"qText": "python"}]])
    assert states(client, people) == {"ann": "O", "bob": "O"}  # OR: either skill
    reply = client.request(skill, "SetAndMode", [True])
    assert people in reply["change"]
    assert states(client, people) == {"ann": "O", "bob": "X"}  # AND: both skills
    sel = client.handle(
        doc, "CreateSessionObject", {"qInfo": {"qType": "cs"}, "qSelectionObjectDef": {}}
    )
    item = client.call(sel, "GetLayout")["qLayout"]["qSelectionObject"]["qSelections"][0]
    assert {i["qFieldSelectionMode"] for i in item["qSelectedFieldSelectionInfo"]} == {"AND"}

"""Doc: locks, history, alternate states, field/table data and search across fields."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from openqix.testing import InMemoryClient, RpcError

from .selection_fixtures import install, listbox, sales_model, states

SELECTIONS = {"qInfo": {"qType": "current-selections"}, "qSelectionObjectDef": {}}


@pytest.fixture
def app(connect: Callable[..., InMemoryClient]) -> tuple[InMemoryClient, int]:
    client = connect()
    return client, install(client)


def _selected(client: InMemoryClient, handle: int) -> list[str]:
    return [k for k, v in states(client, handle).items() if v in ("S", "L")]


def test_lock_all_and_unlock_all(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    names = client.handle(doc, "CreateSessionObject", listbox("Name"))
    name = client.handle(doc, "GetField", "Name")
    client.call(name, "Select", ["Acme"])
    assert client.request(doc, "LockAll")["change"] == [names]
    assert states(client, names)["Acme"] == "L"
    assert client.call(name, "Select", ["Bolt"]) == {"qReturn": False}
    client.call(doc, "UnlockAll")
    assert client.call(name, "Select", ["Bolt"]) == {"qReturn": True}


def test_back_and_forward(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    names = client.handle(doc, "CreateSessionObject", listbox("Name"))
    name = client.handle(doc, "GetField", "Name")
    assert client.call(doc, "BackCount") == {"qReturn": 0}
    client.call(name, "Select", ["Acme"])
    client.call(name, "Select", ["Bolt"])
    client.call(name, "Lock")
    assert client.call(doc, "BackCount") == {"qReturn": 3}
    reply = client.request(doc, "Back")
    assert reply["result"] == {} and reply["change"] == [names]
    assert states(client, names)["Bolt"] == "S"  # unlocked again
    client.call(doc, "Back")
    assert _selected(client, names) == ["Acme"]
    assert client.call(doc, "ForwardCount") == {"qReturn": 2}
    client.call(doc, "Forward")
    assert _selected(client, names) == ["Bolt"]
    client.call(name, "Select", ["Cogs"])  # a new step clears the forward stack
    assert client.call(doc, "ForwardCount") == {"qReturn": 0}
    for _ in range(5):
        client.call(doc, "Back")
    assert _selected(client, names) == [] and client.call(doc, "BackCount") == {"qReturn": 0}
    assert "change" not in client.request(doc, "Back")  # nothing left: no change


def test_alternate_states(connect: Callable[..., InMemoryClient]) -> None:
    client = connect()
    doc = install(client)
    reply = client.request(doc, "AddAlternateState", ["A"])
    assert reply["change"] == [doc]
    assert client.call(doc, "GetAppLayout")["qLayout"]["qStateNames"] == ["A"]
    default = client.handle(doc, "CreateSessionObject", listbox("Name"))
    in_a = client.handle(doc, "CreateSessionObject", listbox("Name", state="A"))
    name_a = client.handle(doc, "GetField", "Name", "A")
    reply = client.request(name_a, "Select", ["Acme"])
    assert reply["change"] == [in_a]  # objects of "$" are not reported
    assert states(client, in_a)["Acme"] == "S" and states(client, default)["Acme"] == "O"
    with pytest.raises(RpcError) as info:
        client.call(doc, "GetField", ["Name", "Nope"])
    assert info.value.code == 2
    with pytest.raises(RpcError):
        client.call(doc, "AddAlternateState", ["$"])
    client.call(doc, "AddSessionAlternateState", ["B", "A"])
    names = client.call(doc, "GetAppLayout")["qLayout"]["qStateNames"]
    assert names == ["A", "B"]
    name_b = client.handle(doc, "GetField", "Name", "B")
    sel_b = client.handle(
        doc, "CreateSessionObject", {**SELECTIONS, "qSelectionObjectDef": {"qStateName": "B"}}
    )
    layout = client.call(sel_b, "GetLayout")["qLayout"]["qSelectionObject"]
    assert layout["qStateName"] == "B" and layout["qSelections"][0]["qSelected"] == "Acme"
    client.call(name_b, "Clear")
    assert client.call(doc, "RemoveSessionAlternateState", ["B"]) == {"qSuccess": True}
    assert client.call(doc, "RemoveSessionAlternateState", ["B"]) == {"qSuccess": False}
    reply = client.request(doc, "RemoveAlternateState", ["A"])
    assert in_a in reply["change"] and default not in reply["change"]
    layout = client.call(in_a, "GetLayout")["qLayout"]
    assert layout["qListObject"]["qError"]["qErrorCode"] == 2
    assert client.call(doc, "GetAppLayout")["qLayout"]["qStateNames"] == []


def test_field_description_table_data_and_samples(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    description = client.call(doc, "GetFieldDescription", ["CustomerID"])["qReturn"]
    assert description["qName"] == "CustomerID"
    assert description["qSrcTables"] == ["Customers", "Orders"]
    assert description["qCardinal"] == 4 and description["qTotalCount"] == 9
    assert description["qIsNumeric"] is True and "$key" in description["qTags"]
    assert description["qByteSize"] > 0
    with pytest.raises(RpcError):
        client.call(doc, "GetFieldDescription", ["Ghost"])
    rows = client.call(doc, "GetTableData", [1, 2, False, "Customers"])["qData"]
    assert rows == [
        {
            "qValue": [
                {"qText": "2", "qIsNumeric": True, "qNumber": 2},
                {"qText": "Bolt"},
                {"qText": "Germany"},
            ]
        },
        {
            "qValue": [
                {"qText": "3", "qIsNumeric": True, "qNumber": 3},
                {"qText": "Cogs"},
                {"qText": "Sweden"},
            ]
        },
    ]
    result = client.call(
        doc,
        "GetFieldAndColumnSamples",
        [
            [{"qFieldName": "Coun*", "qTableName": ""}, {"qFieldName": "*", "qTableName": "Sk*"}],
            2,
            7,
        ],
    )["qResult"]
    columns = [
        (r["qFieldOrColumn"]["qFieldName"], r["qFieldOrColumn"]["qTableName"]) for r in result
    ]
    assert columns == [("Country", ""), ("Person", "Skills"), ("Skill", "Skills")]
    assert all(len(r["qValues"]) == 2 for r in result)
    assert {v["qText"] for v in result[0]["qValues"]} <= {"Sweden", "Germany", "New Zealand"}


def test_search_results_and_select_associations(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    names = client.handle(doc, "CreateSessionObject", listbox("Name"))
    options = {"qSearchFields": [], "qContext": "Cleared"}
    page = {"qOffset": 0, "qCount": 10, "qGroupOptions": [], "qGroupItemOptions": []}
    result = client.call(doc, "SearchResults", [options, ["swe acm"], page])["qResult"]
    assert result["qSearchTerms"] == ["swe", "acm"]
    first = result["qSearchGroupArray"][0]
    assert first["qSearchTermsMatched"] == [0, 1] and first["qGroupType"] == "DatasetType"
    items = {i["qIdentifier"]: i for i in first["qItems"]}
    assert set(items) == {"Country", "Name"}
    assert items["Name"]["qItemMatches"][0]["qText"] == "Acme"
    assert items["Name"]["qItemMatches"][0]["qRanges"] == [
        {"qCharPos": 0, "qCharCount": 3, "qTerm": 1}
    ]
    # "new" matches a word inside "New Zealand" only; "zeal" too, at position 4.
    result = client.call(doc, "SearchResults", [options, ["zeal"], page])["qResult"]
    match = result["qSearchGroupArray"][0]["qItems"][0]["qItemMatches"][0]
    assert match["qText"] == "New Zealand" and match["qRanges"][0]["qCharPos"] == 4
    assoc = client.call(doc, "SearchAssociations", [options, ["swe", "acm"], {"qCount": 5}])
    assoc = assoc["qResults"]
    assert assoc["qFieldNames"] == ["Country", "Name"] and assoc["qTotalSearchResults"] >= 1
    combination = assoc["qSearchTermsMatched"][0]["qSearchMatchCombinations"][0]
    assert combination["qId"] == 0 and len(combination["qFieldMatches"]) == 2
    suggest = client.call(doc, "SearchSuggest", [options, ["swe"]])["qResult"]
    assert suggest == {
        "qSuggestions": [{"qValue": "Sweden", "qTerm": 0}],
        "qFieldNames": ["Country"],
    }
    reply = client.request(doc, "SelectAssociations", [options, ["swe acm"], 0])
    assert reply["change"] == [names]
    assert _selected(client, names) == ["Acme"]
    assert client.call(doc, "BackCount") == {"qReturn": 1}  # two fields, one step
    with pytest.raises(RpcError):
        client.call(doc, "SelectAssociations", [options, ["swe acm"], 99])


def test_search_respects_the_context(app: tuple[InMemoryClient, int]) -> None:
    client, doc = app
    country = client.handle(doc, "GetField", "Country")
    client.call(country, "Select", ["Germany"])
    page = {"qOffset": 0, "qCount": 10}
    current = {"qContext": "CurrentSelections"}
    result = client.call(doc, "SearchResults", [current, ["cogs"], page])["qResult"]
    assert result["qTotalNumberOfGroups"] == 0  # Cogs is excluded by Germany
    cleared = {"qContext": "Cleared"}
    result = client.call(doc, "SearchResults", [cleared, ["cogs"], page])["qResult"]
    assert result["qTotalNumberOfGroups"] == 1
    client.call(country, "Lock")
    locked = {"qContext": "LockedFieldsOnly"}
    result = client.call(doc, "SearchResults", [locked, ["cogs"], page])["qResult"]
    assert result["qTotalNumberOfGroups"] == 0


def test_app_states_are_shared_by_the_sessions_of_an_app(
    connect: Callable[..., InMemoryClient],
) -> None:
    first = connect("/app/")
    app_id = first.call(-1, "CreateApp", ["shared"])["qAppId"]
    doc = first.handle(-1, "OpenDoc", app_id)
    first.core.apps.get(app_id).model = sales_model()
    second = connect(f"/app/{app_id}", user="other")
    other_doc = second.handle(-1, "OpenDoc", app_id)
    in_b = second.handle(other_doc, "CreateSessionObject", listbox("Name", state="B"))
    assert "qError" in second.call(in_b, "GetLayout")["qLayout"]["qListObject"]
    first.call(doc, "AddAlternateState", ["B"])
    # The other session's Doc (qStateNames) and its object in the new state change.
    assert len(second.pushed) == 1 and set(second.pushed[0]["change"]) == {other_doc, in_b}
    assert second.call(other_doc, "GetAppLayout")["qLayout"]["qStateNames"] == ["B"]
    assert set(states(second, in_b).values()) == {"O"}
    second.pushed.clear()
    first.call(doc, "RemoveAlternateState", ["B"])
    assert len(second.pushed) == 1 and set(second.pushed[0]["change"]) == {other_doc, in_b}
    layout = second.call(in_b, "GetLayout")["qLayout"]["qListObject"]
    assert layout["qError"]["qErrorCode"] == 2

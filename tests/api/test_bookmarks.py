"""Bookmarks over the API: create, layout, apply, list, destroy, and bookmark set identifiers."""

from __future__ import annotations

import random
from typing import Any

from openqix.api.core import EngineCore
from openqix.storage.format import AppDocument
from openqix.testing import InMemoryClient

from .conftest import TWO_TABLES


def _select(
    client: InMemoryClient, doc: int, field: str, texts: list[str], state: str = ""
) -> None:
    handle = client.handle(doc, "GetField", field, state)
    values = [{"qText": t} for t in texts]
    assert client.call(handle, "SelectValues", [values]) == {"qReturn": True}


def _bookmark(client: InMemoryClient, doc: int, bookmark_id: str, title: str = "") -> int:
    prop = {"qInfo": {"qId": bookmark_id, "qType": "bookmark"}, "qMetaDef": {"title": title}}
    reply = client.call(doc, "CreateBookmark", [prop])
    assert reply["qInfo"] == {"qId": bookmark_id, "qType": "bookmark"}
    assert reply["qReturn"]["qType"] == "GenericBookmark"
    return int(reply["qReturn"]["qHandle"])


def _evaluate(client: InMemoryClient, doc: int, text: str) -> str:
    return str(client.call(doc, "Evaluate", [text])["qReturn"])


def _cube(measure: str) -> dict[str, Any]:
    return {
        "qInfo": {"qType": "cube"},
        "qHyperCubeDef": {
            "qDimensions": [{"qDef": {"qFieldDefs": ["Country"]}}],
            "qMeasures": [{"qDef": {"qDef": measure}}],
            "qInitialDataFetch": [{"qTop": 0, "qLeft": 0, "qWidth": 2, "qHeight": 10}],
        },
    }


def _rows(client: InMemoryClient, handle: int) -> list[tuple[str, float]]:
    layout = client.call(handle, "GetLayout")["qLayout"]
    matrix = layout["qHyperCube"]["qDataPages"][0]["qMatrix"]
    return [(row[0]["qText"], row[1]["qNum"]) for row in matrix]


def test_create_bookmark_captures_the_selections(loaded: tuple[InMemoryClient, int]) -> None:
    client, doc = loaded
    _select(client, doc, "Country", ["Sweden"])
    _select(client, doc, "OrderID", ["10", "13"])
    handle = _bookmark(client, doc, "BM01", "Swedish orders")
    layout = client.call(handle, "GetLayout")["qLayout"]
    assert layout["qInfo"] == {"qId": "BM01", "qType": "bookmark"}
    assert layout["qMeta"]["title"] == "Swedish orders"
    assert "read" in layout["qMeta"]["privileges"]
    (state,) = layout["qBookmark"]["qStateData"]
    assert state["qStateName"] == "$"
    items = {i["qDef"]["qName"]: i for i in state["qFieldItems"]}
    assert items["Country"]["qValues"] == [{"qText": "Sweden"}]
    assert items["Country"]["qDef"]["qType"] == "PRESENT"
    assert items["Country"]["qSelectInfo"]["qNumberFormat"] == {
        "qType": "U",
        "qnDec": 10,
        "qUseThou": 0,
    }
    orders = items["OrderID"]["qValues"]
    assert [v["qNumber"] for v in orders] == [10, 13] and orders[0]["qIsNumeric"] is True
    assert isinstance(layout["qBookmark"]["qUtcModifyTime"], float)
    assert layout["qBookmark"]["qVariableItems"] == [] == layout["qBookmark"]["qPatches"]
    assert {"qFieldName": "Country", "qValuesCount": 1, "qExcludedValuesCount": 0} in layout[
        "qFieldInfos"
    ]
    prop = client.call(handle, "GetProperties")["qProp"]
    assert prop["qInfo"]["qId"] == "BM01" and prop["qMetaDef"] == {"title": "Swedish orders"}
    assert client.call(handle, "GetInfo") == {"qInfo": {"qId": "BM01", "qType": "bookmark"}}
    values = client.call(handle, "GetFieldValues", ["OrderID", False, {"qEndIndex": 5}])
    assert [v["qText"] for v in values["qFieldValues"]] == ["10", "13"]


def test_apply_bookmark_restores_and_reports_change(loaded: tuple[InMemoryClient, int]) -> None:
    client, doc = loaded
    cube = client.handle(doc, "CreateSessionObject", _cube("Sum(Amount)"))
    _select(client, doc, "Country", ["Germany"])
    _bookmark(client, doc, "BM01")
    country = client.handle(doc, "GetField", "Country")
    client.call(country, "Clear")
    assert _evaluate(client, doc, "Sum(Amount)") == "250"
    assert client.call(doc, "ApplyBookmark", ["BM01"]) == {"qSuccess": True}
    assert cube in client.last.get("change", [])
    assert _evaluate(client, doc, "Sum(Amount)") == "70"
    assert _rows(client, cube) == [("Germany", 70)]
    # one Back step undoes it
    assert client.call(doc, "Back") == {}
    assert _evaluate(client, doc, "Sum(Amount)") == "250"
    assert client.call(doc, "ApplyBookmark", ["nope"]) == {"qSuccess": False}


def test_apply_restores_alternate_states_and_clears_others(
    loaded: tuple[InMemoryClient, int],
) -> None:
    client, doc = loaded
    client.call(doc, "AddAlternateState", ["Other"])
    _select(client, doc, "Country", ["Germany"], "Other")
    handle = _bookmark(client, doc, "BM02")
    names = [
        s["qStateName"]
        for s in client.call(handle, "GetLayout")["qLayout"]["qBookmark"]["qStateData"]
    ]
    assert names == ["Other"]  # only states with selections
    _select(client, doc, "Country", ["Sweden"])
    client.call(doc, "ClearAll", [False, "Other"])
    assert client.call(handle, "Apply") == {"qSuccess": True}
    assert _evaluate(client, doc, "Sum(Amount)") == "250"  # $ had nothing: cleared
    assert _evaluate(client, doc, "Sum({Other} Amount)") == "70"
    # as a set identifier a bookmark is its default state's selections (none here), also in
    # an object of an alternate state; `Other::BM02` names its selections of state Other
    client.call(doc, "ClearAll", [False, "Other"])
    other = _cube("Sum({BM02} Amount) + Sum({Other::BM02} Amount)")
    other["qHyperCubeDef"]["qStateName"] = "Other"
    cube = client.handle(doc, "CreateSessionObject", other)
    assert dict(_rows(client, cube)) == {"Germany": 140, "Sweden": 180}
    assert _evaluate(client, doc, "Sum({BM02} Amount)") == "250"
    assert _evaluate(client, doc, "Sum({Other::BM02} Amount)") == "70"
    assert _evaluate(client, doc, "Sum({[Other]::BM02<Country={Sweden}>} Amount)") == "180"


def test_bookmark_set_identifier_in_evaluate_and_hypercube(
    loaded: tuple[InMemoryClient, int],
) -> None:
    client, doc = loaded
    _select(client, doc, "Country", ["Sweden"])
    _bookmark(client, doc, "BM01", "Sweden only")
    cube = client.handle(doc, "CreateSessionObject", _cube("Sum({BM01} Amount)"))
    modified = client.handle(
        doc, "CreateSessionObject", _cube("Sum({BM01<Country={Germany}>} Amount)")
    )
    assert _rows(client, cube) == [("Sweden", 180)]
    _select(client, doc, "Country", ["Germany"])  # the live selection changes
    assert _evaluate(client, doc, "Sum(Amount)") == "70"
    assert _evaluate(client, doc, "Sum({BM01} Amount)") == "180"
    assert _evaluate(client, doc, "Sum({[Sweden only]} Amount)") == "180"  # by title
    assert _evaluate(client, doc, "Sum({BM01<Country={Germany}>} Amount)") == "70"
    assert _evaluate(client, doc, "Sum({BM01 + $} Amount)") == "250"
    # after the live selection changed, the measure still reads the bookmark's selection
    # (the excluded dimension value with a non-zero measure is shown, as with `{1}`)
    assert dict(_rows(client, cube)) == {"Sweden": 180, "Germany": 0}
    assert dict(_rows(client, modified))["Germany"] == 70
    client.call(client.handle(doc, "GetField", "Country"), "Clear")
    assert dict(_rows(client, cube)) == {"Sweden": 180, "Germany": 0}


def test_get_bookmark_and_destroy(loaded: tuple[InMemoryClient, int]) -> None:
    client, doc = loaded
    handle = _bookmark(client, doc, "BM01")
    assert client.call(doc, "GetBookmark", ["BM01"])["qReturn"]["qHandle"] == handle
    assert client.call(doc, "GetBookmark", ["none"]) == {
        "qReturn": {"qType": None, "qHandle": None}
    }
    assert client.call(doc, "DestroyBookmark", ["BM01"]) == {"qSuccess": True}
    assert handle in client.last.get("close", [])
    assert client.call(doc, "DestroyBookmark", ["BM01"]) == {"qSuccess": False}
    assert client.call(doc, "GetBookmark", ["BM01"])["qReturn"]["qHandle"] is None


def test_generated_ids_are_unique_and_usable_as_identifiers(
    loaded: tuple[InMemoryClient, int],
) -> None:
    client, doc = loaded
    _select(client, doc, "Country", ["Germany"])
    first = client.call(doc, "CreateBookmark", [{"qInfo": {"qType": "bookmark"}}])["qInfo"]["qId"]
    second = client.call(doc, "CreateBookmarkEx", [{"qInfo": {"qId": first}}, []])["qInfo"]["qId"]
    assert first and second and first != second
    assert _evaluate(client, doc, f"Sum({{{second}}} Amount)") == "70"


def test_set_properties_and_lists(loaded: tuple[InMemoryClient, int]) -> None:
    client, doc = loaded
    lister = client.handle(
        doc,
        "CreateSessionObject",
        {
            "qInfo": {"qType": "BookmarkList"},
            "qBookmarkListDef": {"qType": "bookmark", "qData": {"title": "/qMetaDef/title"}},
        },
    )
    assert client.call(lister, "GetLayout")["qLayout"]["qBookmarkList"] == {"qItems": []}
    _select(client, doc, "Country", ["Germany"])
    handle = _bookmark(client, doc, "BM01", "One")
    assert lister in client.last.get("change", [])
    client.call(
        handle,
        "SetProperties",
        [{"qInfo": {"qId": "x"}, "qMetaDef": {"title": "Two"}, "sheetId": "s1"}],
    )
    assert client.call(handle, "GetInfo")["qInfo"]["qId"] == "BM01"
    (item,) = client.call(lister, "GetLayout")["qLayout"]["qBookmarkList"]["qItems"]
    assert item["qInfo"] == {"qId": "BM01", "qType": "bookmark"}
    assert item["qMeta"]["title"] == "Two"
    assert item["qData"]["title"] == "Two"
    assert item["qData"]["qBookmark"]["qStateData"][0]["qFieldItems"][0]["qValues"] == [
        {"qText": "Germany"}
    ]
    assert client.call(handle, "GetLayout")["qLayout"]["sheetId"] == "s1"
    listed = client.call(
        doc, "GetBookmarks", [{"qTypes": ["bookmark"], "qData": {"s": "/sheetId"}}]
    )
    assert [i["qData"]["s"] for i in listed["qList"]] == ["s1"]
    assert client.call(doc, "GetBookmarks", [{"qTypes": ["other"]}]) == {"qList": []}
    assert len(client.call(doc, "GetBookmarks", [{"qTypes": []}])["qList"]) == 1


def test_unimplemented_bookmark_methods_answer_error_20(
    loaded: tuple[InMemoryClient, int],
) -> None:
    client, doc = loaded
    handle = _bookmark(client, doc, "BM01")
    for method in ("Publish", "UnPublish", "Approve", "UnApprove"):
        reply = client.request(handle, method)
        assert reply["error"]["code"] == 20, method


def test_bookmarks_are_shared_by_the_sessions_of_an_app(core: EngineCore, tmp_path: Any) -> None:
    app_id = core.apps.create("Shared")
    first = InMemoryClient(core, f"/app/{app_id}")
    second = InMemoryClient(core, f"/app/{app_id}")
    try:
        doc1 = first.handle(-1, "OpenDoc", app_id)
        doc2 = second.handle(-1, "OpenDoc", app_id)
        first.call(doc1, "SetScript", [TWO_TABLES])
        assert first.call(doc1, "DoReload") == {"qReturn": True}
        _select(first, doc1, "Country", ["Germany"])
        _bookmark(first, doc1, "BM01")
        assert second.call(doc2, "ApplyBookmark", ["BM01"]) == {"qSuccess": True}
        assert _evaluate(second, doc2, "Sum(Amount)") == "70"
    finally:
        first.close()
        second.close()


def test_bookmarks_load_from_the_app_document(core: EngineCore) -> None:
    record = {
        "properties": {"qInfo": {"qId": "Saved", "qType": "bookmark"}, "qMetaDef": {"title": "S"}},
        "qStateData": [
            {
                "qStateName": "$",
                "qFieldItems": [{"qDef": {"qName": "Country"}, "qValues": [{"qText": "Germany"}]}],
            }
        ],
        "qUtcModifyTime": 44261.5,
    }
    core.apps.store.save(AppDocument("saved-app", "Saved", script=TWO_TABLES, bookmarks=[record]))
    client = InMemoryClient(core, "/app/saved-app")
    try:
        doc = client.handle(-1, "OpenDoc", "saved-app")
        assert client.call(doc, "DoReload") == {"qReturn": True}
        handle = client.handle(doc, "GetBookmark", "Saved")
        layout = client.call(handle, "GetLayout")["qLayout"]
        assert layout["qBookmark"]["qUtcModifyTime"] == 44261.5
        assert _evaluate(client, doc, "Sum({Saved} Amount)") == "70"
        assert client.call(doc, "ApplyBookmark", ["Saved"]) == {"qSuccess": True}
        assert _evaluate(client, doc, "Sum(Amount)") == "70"
    finally:
        client.close()


def test_apply_after_a_reload_matches_by_value(loaded: tuple[InMemoryClient, int]) -> None:
    client, doc = loaded
    _select(client, doc, "OrderID", ["13", "11"])
    _bookmark(client, doc, "BM01")
    reordered = TWO_TABLES.replace("10, 1, 100\n11, 1, 50\n", "14, 2, 5\n11, 1, 50\n10, 1, 100\n")
    client.call(doc, "SetScript", [reordered])
    assert client.call(doc, "DoReload") == {"qReturn": True}
    client.call(doc, "ClearAll", [False, ""])
    assert client.call(doc, "ApplyBookmark", ["BM01"]) == {"qSuccess": True}
    assert _evaluate(client, doc, "Concat(OrderID, ',')") == "11,13"
    assert _evaluate(client, doc, "Sum({BM01} Amount)") == "80"


def test_bookmark_identifier_gives_the_bookmarked_selection(
    loaded: tuple[InMemoryClient, int],
) -> None:
    """Random selections of orders and countries: after the live selection moved on,
    Sum({bm} Amount) equals what Sum(Amount) was when the bookmark was made, and the
    brute-force sum over the orders the bookmark stored."""
    client, doc = loaded
    amounts = {"10": 100, "11": 50, "12": 70, "13": 30}
    rng = random.Random(7)
    for case in range(12):
        client.call(doc, "ClearAll", [False, ""])
        _select(client, doc, "OrderID", rng.sample(sorted(amounts), rng.randint(1, 4)))
        countries = rng.sample(["Sweden", "Germany"], rng.randint(0, 2))
        if countries:
            country = client.handle(doc, "GetField", "Country")
            client.call(country, "SelectValues", [[{"qText": c} for c in countries]])
        before = _evaluate(client, doc, "Sum(Amount)")
        possible = _evaluate(client, doc, "Concat(OrderID, ',')").split(",")
        handle = _bookmark(client, doc, f"B{case}")
        client.call(doc, "ClearAll", [False, ""])
        _select(client, doc, "OrderID", ["12"])
        assert _evaluate(client, doc, f"Sum({{B{case}}} Amount)") == before
        assert float(before) == sum(amounts[o] for o in possible)
        assert _evaluate(client, doc, f"Concat({{B{case}}} OrderID, ',')") == ",".join(possible)
        assert client.call(handle, "Apply") == {"qSuccess": True}
        assert _evaluate(client, doc, "Sum(Amount)") == before

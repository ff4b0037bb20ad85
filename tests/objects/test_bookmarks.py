"""Bookmarks as pure objects: capture/restore by value, layouts, lists and records."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from objects_testkit import model, table

from openqix.engine import selection as sel
from openqix.engine.model import DataModel
from openqix.engine.selection import SelectionState
from openqix.errors import InvalidParameterValue
from openqix.lang.errors import ScriptError
from openqix.lang.expression import Call, SetIdentifier, parse_expression
from openqix.objects.bookmarks import BookmarkStore, capture_state, state_from_items
from openqix.storage.format import AppDocument, decode, encode

values = st.lists(
    st.one_of(st.integers(-5, 5), st.sampled_from(["a", "b", "B", "x y", "1.5"])),
    min_size=1,
    max_size=12,
)


def _selected(m: DataModel, state: SelectionState, name: str) -> set[tuple[str, float | None]]:
    """Brute force: the (text, number) of every selected value of a field."""
    selection = state.selection(name)
    if selection is None:
        return set()
    symbols = m.fields[name].symbols
    found = set()
    for i in np.flatnonzero(selection.selected).tolist():
        number = symbols.number(i)
        found.add((symbols.text(i), None if number != number else number))
    return found


@settings(max_examples=40, deadline=None)
@given(values, st.data())
def test_capture_then_restore_in_a_reordered_model_keeps_the_values(
    column: list[object], data: st.DataObject
) -> None:
    before = model(table("T", F=column, G=list(range(len(column)))))
    chosen = data.draw(st.lists(st.integers(0, before.fields["F"].cardinal - 1), max_size=4))
    locked = data.draw(st.booleans())
    state, _ = sel.select_symbols(before, SelectionState.empty(), "F", chosen, False, False)
    if locked:
        state = sel.lock_field(state, "F")
    items = capture_state(before, state)
    after = model(table("T", F=list(reversed(column)), G=list(range(len(column)))))
    restored = state_from_items(after, items)
    assert _selected(after, restored, "F") == _selected(before, state, "F")
    flag = state.selection("F")
    assert restored.is_locked("F") == bool(flag is not None and flag.locked)


def test_items_shape_and_missing_fields() -> None:
    m = model(table("T", F=["a", 2, "c"]))
    state, _ = sel.select_symbols(m, SelectionState.empty(), "F", [0, 1], False, False)
    (item,) = capture_state(m, state, {"F": "a*"})
    assert item["qDef"] == {"qName": "F", "qType": "PRESENT"}
    assert item["qValues"] == [{"qText": "a"}, {"qText": "2", "qIsNumeric": True, "qNumber": 2.0}]
    assert item["qSelectInfo"]["qTextSearch"] == "a*"
    assert item["qSelectInfo"]["qRangeLo"] == "NaN"
    other = model(table("U", H=[1]))
    assert state_from_items(other, [item]).fields == {}
    assert state_from_items(m, [None, {"qDef": 3}, {"qDef": {"qName": "F"}}]).fields == {}


def test_store_create_find_list_and_records() -> None:
    store = BookmarkStore()
    data = [{"qStateName": "$", "qFieldItems": []}]
    first = store.create({"qInfo": {"qId": "BM01"}, "qMetaDef": {"title": "T1"}}, data)
    assert first.type == "bookmark" and first.id == "BM01"
    second = store.create({"qInfo": {"qId": "BM01"}, "sheetId": "s"}, [])
    assert second.id != "BM01" and second.id[0].isalpha()
    assert store.find("BM01") is first and store.find("T1") is first and store.find("z") is None
    listed = store.listed([""], {"sheet": "/sheetId"})
    assert [i["qData"]["sheet"] for i in listed] == [None, "s"]
    assert "qBookmark" in listed[0]["qData"]
    assert store.listed(["sheet"], {}) == []
    store.set_properties(first, {"qInfo": {"qId": "other"}, "qMetaDef": {"title": "T2"}})
    assert first.id == "BM01" and first.properties["qInfo"]["qId"] == "BM01"
    assert first.title == "T2"
    doc = AppDocument("app", "t", bookmarks=store.to_records())
    again = BookmarkStore.from_records(decode(encode(doc)).bookmarks)
    assert [b.to_record() for b in again] == store.to_records()
    assert store.remove("BM01") is first and store.get("BM01") is None
    with pytest.raises(InvalidParameterValue):
        store.create({"qInfo": {"qId": 3}}, [])
    with pytest.raises(InvalidParameterValue):
        store.create([], [])


def test_layout_and_field_values() -> None:
    m = model(table("T", F=["a", "b", "c"]))
    state, _ = sel.select_symbols(m, SelectionState.empty(), "F", [0, 2], False, False)
    store = BookmarkStore()
    bookmark = store.create(
        {"qInfo": {"qId": "B"}, "qMetaDef": {"title": "x"}, "creationDate": "d"},
        [{"qStateName": "$", "qFieldItems": capture_state(m, state)}],
    )
    layout = bookmark.layout()
    assert list(layout) == ["qInfo", "qMeta", "qBookmark", "qFieldInfos", "creationDate"]
    assert layout["qFieldInfos"] == [
        {"qFieldName": "F", "qValuesCount": 2, "qExcludedValuesCount": 0}
    ]
    assert bookmark.field_values("F", False, 1, 1) == [{"qText": "c"}]
    assert bookmark.field_values("F", True, 0, 9) == []
    assert bookmark.field_values("G", False, 0, 9) == []
    assert bookmark.selection(m, "Other").fields == {}


def test_app_document_without_bookmarks_decodes() -> None:
    raw = b'{"formatVersion": 1, "id": "a"}'
    assert decode(raw).bookmarks == []


def test_state_qualified_bookmark_identifiers_parse() -> None:
    names = []
    for text in ("Sum({Alt::BM01<F={1}>} x)", "Sum({[A b]::[My bm]} x)"):
        call = parse_expression(text)
        assert isinstance(call, Call) and isinstance(call.set_expr, SetIdentifier)
        names.append(call.set_expr.name)
    assert names == ["Alt::BM01", "A b::My bm"]
    with pytest.raises(ScriptError):
        parse_expression("Sum({Alt: :BM01} x)")

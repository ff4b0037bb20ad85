"""Interactive search: word-prefix matching (against a regex oracle), list-object search,
cross-field association groups and their result shapes."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from objects_testkit import column, model, table

from openqix.engine.inference import infer
from openqix.engine.selection import FieldSelection, SelectionState
from openqix.objects import search
from openqix.objects.listobject import list_object, list_search_symbols

MODEL = model(
    table(
        "Customers", Cid=[1, 2, 3], Name=["Acme Corp", "Bolt", "Cogs acme"], Land=["SE", "DE", "SE"]
    ),
    table("Orders", Cid=[1, 1, 2, 3], Product=["Anvil", "Rope", "Anvil", "Rocket"]),
)
PAGE = [{"qLeft": 0, "qTop": 0, "qWidth": 1, "qHeight": 20}]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.text(alphabet="ab c-é", min_size=1, max_size=8), min_size=1, max_size=12, unique=True
    ),
    st.text(alphabet="abé", min_size=1, max_size=3),
)
def test_word_prefix_matches_the_regex_oracle(values: list[str], term: str) -> None:
    m = model(table("T", f=values))
    mask = search.term_matches(m.fields["f"].symbols, term)
    texts = m.fields["f"].symbols.text_list()
    expected = [
        any(w.casefold().startswith(term.casefold()) for w in re.split(r"[^\w]+", t)) for t in texts
    ]
    assert mask.tolist() == expected


def test_terms_and_highlights() -> None:
    assert search.split_terms('acme "new york"  x') == ["acme", "new york", "x"]
    assert search.highlight("Cogs acme", ["acm", "co"]) == [
        {"qCharPos": 0, "qCharCount": 2, "qTerm": 1},
        {"qCharPos": 5, "qCharCount": 3, "qTerm": 0},
    ]


def test_list_object_search_filters_and_highlights() -> None:
    state = SelectionState.empty()
    inference = infer(MODEL, state)
    definition = {"qDef": {"qFieldDefs": ["Name"]}, "qInitialDataFetch": PAGE}
    layout = list_object(MODEL, inference, state, definition, search="acm")
    assert layout["qSize"] == {"qcx": 1, "qcy": 2}
    page = layout["qDataPages"][0]
    assert column(page, 0) == ["Acme Corp", "Cogs acme"]
    assert column(page, 0, "qHighlightRanges") == [
        {"qRanges": [{"qCharPos": 0, "qCharCount": 3}]},
        {"qRanges": [{"qCharPos": 5, "qCharCount": 3}]},
    ]
    assert list_search_symbols(MODEL, definition, "b*").tolist() == [1]
    assert list_search_symbols(MODEL, {"qDef": {"qFieldDefs": ["Cid"]}}, ">1").tolist() == [1, 2]
    assert list_search_symbols(MODEL, definition, "acme corp").tolist() == [0]


def test_groups_associate_terms_across_fields() -> None:
    everything = lambda name: np.ones(MODEL.fields[name].cardinal, dtype=bool)  # noqa: E731
    fields = search.search_fields(MODEL, [])
    groups = search.find_groups(MODEL, ["acme", "rocket"], fields, {}, everything)
    # "acme" in Name (Acme Corp, Cogs acme) + "rocket" in Product: only Cogs acme bought one.
    first = groups[0]
    assert first.terms == [0, 1] and first.fields == ["Name", "Product"]
    assert MODEL.fields["Name"].symbols.text_list()[
        int(np.flatnonzero(first.values["Name"])[0])
    ] == ("Cogs acme")
    assert [g.terms for g in groups[1:]] == [[0], [1]]
    result = search.search_result(MODEL, ["acme", "rocket"], groups, {"qCount": 2}, True, True)
    assert result["qTotalNumberOfGroups"] == 3 and len(result["qSearchGroupArray"]) == 2
    item = result["qSearchGroupArray"][0]["qItems"][1]
    assert item["qIdentifier"] == "Product" and item["qTotalNumberOfMatches"] == 1
    assert item["qItemMatches"][0]["qAttributes"] == [{"qKey": "qElemNum", "qValue": "2"}]


def test_no_group_when_terms_are_not_associated() -> None:
    everything = lambda name: np.ones(MODEL.fields[name].cardinal, dtype=bool)  # noqa: E731
    groups = search.find_groups(MODEL, ["bolt", "rope"], ["Name", "Product"], {}, everything)
    assert [g.terms for g in groups] == [[0], [1]]


def test_scope_by_context() -> None:
    mask = np.zeros(MODEL.fields["Land"].cardinal, dtype=bool)
    mask[1] = True  # DE
    state = SelectionState({"Land": FieldSelection(mask, locked=True)})
    base, allowed = search.search_scope(MODEL, state, "LockedFieldsOnly")
    assert list(base) == ["Land"] and allowed("Name").tolist() == [False, True, False]
    base, allowed = search.search_scope(MODEL, state, "Cleared")
    assert base == {} and allowed("Name").all()
    assert search.search_context(2) == "CurrentSelections"
    assert search.search_context("nonsense") == "LockedFieldsOnly"

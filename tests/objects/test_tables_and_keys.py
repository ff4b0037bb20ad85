"""GetTablesAndKeys: the internal view (synthetic keys) and the source view (as loaded)."""

from __future__ import annotations

import openqix
from openqix.objects.tables_and_keys import tables_and_keys

SCRIPT = """\
A: LOAD * INLINE [
X, Y, Va
1, a, 10
2, b, 20
2, b, 30
];
B: LOAD * INLINE [
X, Y, Vb
1, a, 5
];
"""


def _fields(view: dict, table: str) -> dict[str, dict]:
    (record,) = [t for t in view["qtr"] if t["qName"] == table]
    return {f["qName"]: f for f in record["qFields"]}


def test_internal_view_shows_the_synthetic_key() -> None:
    model = openqix.App.from_script(SCRIPT).model
    view = tables_and_keys(model, synthetic_mode=True)
    assert [t["qName"] for t in view["qtr"]] == ["A", "B", "$Syn 1 Table"]
    assert view["qtr"][2]["qIsSynthetic"] is True
    assert set(_fields(view, "A")) == {"$Syn 1", "Va"}
    assert _fields(view, "A")["$Syn 1"]["qIsSynthetic"] is True
    assert {tuple(k["qTables"]) for k in view["qk"]} == {("A", "B", "$Syn 1 Table")}


def test_source_view_shows_the_tables_as_loaded() -> None:
    model = openqix.App.from_script(SCRIPT).model
    view = tables_and_keys(model, synthetic_mode=False)
    assert [t["qName"] for t in view["qtr"]] == ["A", "B"]
    a = _fields(view, "A")
    assert list(a) == ["X", "Y", "Va"]
    assert a["X"]["qnRows"] == 3 and a["X"]["qnPresentDistinctValues"] == 2
    assert a["X"]["qHasDuplicates"] is True and a["X"]["qKeyType"] == "ANY_KEY"
    assert "$key" in a["X"]["qTags"] and "qIsSynthetic" not in a["X"]
    assert _fields(view, "B")["X"]["qKeyType"] == "PRIMARY_KEY"  # unique, not every value
    assert sorted((k["qKeyFields"][0], tuple(k["qTables"])) for k in view["qk"]) == [
        ("X", ("A", "B")),
        ("Y", ("A", "B")),
    ]

"""Field descriptions, table rows and samples."""

from __future__ import annotations

from objects_testkit import model, table

from openqix.objects.table_data import field_description, samples, table_rows

MODEL = model(
    table("A", k=[1, 2, 2, None], t=["x", "y", "z", "w"]),
    table("B", k=[2, 3], u=[1.5, None]),
)


def test_field_description() -> None:
    d = field_description(MODEL, "k", locked=True)
    assert d["qInternalNumber"] == 0 and d["qSrcTables"] == ["A", "B"]
    assert d["qCardinal"] == 3 and d["qTotalCount"] == 6
    assert d["qIsLocked"] is True and d["qIsNumeric"] is True and "qAndMode" not in d
    assert "qIsNumeric" not in field_description(MODEL, "t")


def test_table_rows_page_and_nulls() -> None:
    assert table_rows(MODEL, "A", 2, 5) == [
        {"qValue": [{"qText": "2", "qIsNumeric": True, "qNumber": 2.0}, {"qText": "z"}]},
        {"qValue": [{"qText": ""}, {"qText": "w"}]},
    ]
    assert table_rows(MODEL, "A", 10, 5) == [] and table_rows(MODEL, "A", 0, 0) == []


def test_samples_are_distinct_present_values_and_repeatable() -> None:
    result = samples(MODEL, [{"qFieldName": "k", "qTableName": "B"}], 10, 3)
    assert [v["qText"] for v in result[0]["qValues"]] == ["2", "3"]
    first = samples(MODEL, [{"qFieldName": "?"}], 2, 5)
    assert first == samples(MODEL, [{"qFieldName": "?"}], 2, 5)
    assert [r["qFieldOrColumn"]["qFieldName"] for r in first] == ["k", "t", "u"]
    assert all(
        len(r["qValues"]) == min(2, MODEL.fields[r["qFieldOrColumn"]["qFieldName"]].cardinal)
        for r in first
    )


def test_synthetic_keys_resolved_unless_synthetic_mode() -> None:
    m = model(
        table("Sales", Year=[2020, 2021], Region=["N", "S"], Amount=[1, 2]),
        table("Budget", Year=[2021, 2020], Region=["S", "N"], Target=[5, 6]),
    )
    syn = [f for f in m.tables["Sales"].field_names if f.startswith("$Syn")]
    assert syn, "the model builds a synthetic key for Year+Region"
    plain = table_rows(m, "Sales", 0, 5, synthetic_mode=False)
    assert [[v["qText"] for v in row["qValue"]] for row in plain] == [
        ["2020", "N", "1"],
        ["2021", "S", "2"],
    ]
    raw = table_rows(m, "Sales", 0, 1, synthetic_mode=True)
    assert len(raw[0]["qValue"]) == len(m.tables["Sales"].field_names)

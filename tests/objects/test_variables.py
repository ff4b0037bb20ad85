"""The variable store, variable values and layouts, variable lists, patches, persistence."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openqix.calc.values import Dual
from openqix.errors import InvalidParameterValue
from openqix.objects.expressions import check_expression, evaluate_wrappers, expression_fields
from openqix.objects.variables import (
    VariableNameTaken,
    VariableScope,
    VariableStore,
    affected_names,
    json_pointer,
    number_text,
    patched,
    read_definition,
)
from openqix.storage.format import AppDocument, decode, encode


def no_eval(text: str) -> Dual:
    raise AssertionError(f"unexpected evaluation of {text}")


def test_create_normalizes_properties_like_the_engine():
    store = VariableStore()
    v = store.create(
        {"qInfo": {"qId": "variable-abc"}, "qName": "abc", "qDefinition": "1", "tags": []}
    )
    assert v.properties == {
        "qInfo": {"qId": "variable-abc", "qType": "variable"},
        "qMetaDef": {},
        "qName": "abc",
        "qNumberPresentation": {"qType": "U", "qnDec": 10, "qUseThou": 0},
        "qDefinition": "1",
        "tags": [],
    }
    assert v.layout(no_eval) == {
        "qInfo": {"qId": "variable-abc", "qType": "variable"},
        "qMeta": {"privileges": ["read", "update", "delete", "exportdata"]},
        "qText": "1",
        "qNum": 1,
        "tags": [],
    }


def test_ids_are_generated_when_missing_or_taken_and_names_are_unique():
    store = VariableStore()
    a = store.create({"qInfo": {"qId": "x"}, "qName": "a"})
    b = store.create({"qInfo": {"qId": "x"}, "qName": "b"})
    assert a.id == "x" and b.id != "x" and b.id
    with pytest.raises(VariableNameTaken):
        store.create({"qName": "a"})
    assert store.create({"qName": "A"}).name == "A"  # names are case sensitive
    with pytest.raises(InvalidParameterValue):
        store.create({"qName": ""})
    with pytest.raises(InvalidParameterValue):
        store.create({"qName": "c", "qDefinition": 3})


def test_text_definitions_and_expression_definitions():
    store = VariableStore()
    text = store.create({"qName": "t", "qDefinition": "abc"})
    assert text.layout(no_eval)["qText"] == "abc" and "qNum" not in text.layout(no_eval)
    expr = store.create({"qName": "e", "qDefinition": "=1+1"})
    seen: list[str] = []

    def evaluate(definition: str) -> Dual:
        seen.append(definition)
        return Dual(None, 2.0)

    assert expr.layout(evaluate)["qText"] == "2" and expr.layout(evaluate)["qNum"] == 2
    assert seen == ["=1+1", "=1+1"]
    null = store.create({"qName": "n", "qDefinition": "=Null()"})
    layout = null.layout(lambda _t: Dual(None, math.nan))
    assert "qText" not in layout and "qNum" not in layout


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_texts_read_back_as_their_number(value: float):
    text = number_text(value)
    read = read_definition(text)
    assert read.text == text
    assert read.num == pytest.approx(value, rel=1e-13, abs=1e-300)


@pytest.mark.parametrize(
    ("text", "num"),
    [
        ("1", 1.0),
        (" 2.5 ", 2.5),
        ("-3e2", -300.0),
        ("007", 7.0),
        ("1,5", None),
        ("", None),
        ("abc", None),
        ("1e999", None),
        ("inf", None),
    ],
)
def test_read_definition(text: str, num: float | None):
    value = read_definition(text)
    assert value.text == text
    assert (value.num if value.is_numeric else None) == num


def test_a_dual_value_holds_until_the_definition_changes():
    store = VariableStore()
    v = store.create({"qName": "v", "qDefinition": "1"})
    v.set_definition("Jan", Dual("Jan", 1.0))
    assert v.layout(no_eval)["qText"] == "Jan" and v.layout(no_eval)["qNum"] == 1
    store.set_properties(v, {**v.properties, "qComment": "kept"})
    assert v.dual == Dual("Jan", 1.0)
    store.set_properties(v, {**v.properties, "qDefinition": "2"})
    assert v.dual is None and v.layout(no_eval)["qNum"] == 2


def test_rename_keeps_the_id_and_checks_the_new_name():
    store = VariableStore()
    v = store.create({"qInfo": {"qId": "id1"}, "qName": "old"})
    store.create({"qName": "other"})
    with pytest.raises(VariableNameTaken):
        store.set_properties(v, {**v.properties, "qName": "other"})
    store.set_properties(v, {**v.properties, "qName": "new", "qInfo": {"qId": "zzz"}})
    assert v.id == "id1" and store.by_name("new") is v and store.by_name("old") is None


def test_script_variables_are_created_updated_and_kept():
    store = VariableStore()
    user = store.create({"qName": "vUser", "qDefinition": "u"})
    changed = store.apply_script({"vA": "1", "vUser": "s", "DayNames": "Mon;Tue"})
    assert {v.name for v in changed} == {"vA", "vUser", "DayNames"}
    assert user.definition == "s" and user.script_created
    assert store.by_name("vA").layout(no_eval)["qIsScriptCreated"] is True  # type: ignore[union-attr]
    assert store.apply_script({"vA": "1"}) == []  # unchanged: nothing to report
    assert store.by_name("DayNames") is not None  # no longer set by the script: kept
    user2 = store.create({"qName": "vRead", "qDefinition": "r"})
    before = store.definitions()
    changed = store.apply_script({**before, "vNew": "n"}, before)
    assert [v.name for v in changed] == ["vNew"] and not user2.script_created


def test_variable_list_filters_reserved_and_session_variables():
    app = VariableStore()
    session = VariableStore(session=True)
    app.create(
        {"qName": "vA", "qDefinition": "1", "qComment": "about a", "qMetaDef": {"title": "A"}}
    )
    app.apply_script({"ThousandSep": ",", "vS": "x"})
    session.create({"qName": "vSession", "qDefinition": "2"})
    scope = VariableScope(app, session)
    plain = scope.variable_list({"qType": "variable", "qData": {"title": "/qMetaDef/title"}})
    assert [i["qName"] for i in plain] == ["vA", "vS"]
    assert plain[0]["qDescription"] == "about a" and plain[0]["qData"] == {"title": "A"}
    assert plain[1]["qIsScriptCreated"] is True and "qIsReserved" not in plain[1]
    everything = scope.variable_list({"qShowReserved": True, "qShowSession": True})
    assert [i["qName"] for i in everything] == ["vA", "ThousandSep", "vS", "vSession"]
    assert everything[1]["qIsReserved"] is True
    assert scope.variable_list({"qType": "measure"}) == []


def test_scope_session_variables_win_and_names_are_shared():
    app, session = VariableStore(), VariableStore(session=True)
    app.create({"qName": "v", "qDefinition": "app"})
    scope = VariableScope(app, session)
    with pytest.raises(VariableNameTaken):
        session.create({"qName": "v"}, taken=scope.taken)
    session.create({"qName": "w", "qDefinition": "s"}, taken=scope.taken)
    assert scope.definitions() == {"v": "app", "w": "s"}


def test_affected_names_follow_definitions_transitively():
    app = VariableStore()
    app.create({"qName": "vBase", "qDefinition": "1"})
    app.create({"qName": "vTwice", "qDefinition": "=$(vBase)*2"})
    app.create({"qName": "vFour", "qDefinition": "=vTwice*2"})
    app.create({"qName": "vOther", "qDefinition": "7"})
    assert affected_names(VariableScope(app), ["vBase"]) == {"vBase", "vTwice", "vFour"}


def test_patches_and_pointers():
    doc = {"qName": "v", "qMetaDef": {"title": "t"}, "a/b": 1}
    out = patched(
        doc,
        [
            {"qOp": "replace", "qPath": "/qMetaDef/title", "qValue": '"new"'},
            {"qOp": "add", "qPath": "/qDefinition", "qValue": '"=1"'},
            {"qOp": "remove", "qPath": "/a~1b"},
        ],
    )
    assert out == {"qName": "v", "qMetaDef": {"title": "new"}, "qDefinition": "=1"}
    assert doc["qMetaDef"] == {"title": "t"}  # the input is not modified
    assert json_pointer(out, "/qMetaDef/title") == "new" and json_pointer(out, "/x/y") is None
    for bad in ({"qOp": "move", "qPath": "/x"}, {"qOp": "add", "qPath": "/x", "qValue": "{"}):
        with pytest.raises(InvalidParameterValue):
            patched(doc, [bad])


def test_records_round_trip_through_the_app_document():
    store = VariableStore()
    store.create({"qInfo": {"qId": "v1"}, "qName": "vA", "qDefinition": "=Sum(x)", "qComment": "c"})
    store.apply_script({"vS": "1"})
    store.create({"qName": "vD"}).set_definition("Jan", Dual("Jan", 1.0))
    store.create({"qName": "vN"}).set_definition("3", Dual(None, 3.0))
    raw = encode(AppDocument("app", "t", variables=store.to_records()))
    again = VariableStore.from_records(decode(raw).variables)
    assert [(v.id, v.properties, v.script_created, v.dual) for v in again] == [
        (v.id, v.properties, v.script_created, v.dual) for v in store
    ]
    assert decode(encode(AppDocument("app", "t"))).variables == []
    with pytest.raises(InvalidParameterValue):
        VariableStore.from_records([{"nope": 1}])


def test_check_expression_ranges_point_into_the_written_text():
    fields = {"Sales", "Unit Price", "Region"}
    check = check_expression("Sum([Unit Price]) + Nope + Region", fields, {}, (), {"SUM"})
    assert check.error == "Bad field name(s): Nope"
    assert check.bad == [(20, 4)]
    assert check.dangerous == [(27, 6)]  # a field read outside any aggregation
    assert check_expression("Sum(Sales) + vRate", fields, {"vRate": "2"}, (), {"SUM"}).bad == []
    assert check_expression("[My Label] * 2", fields, {}, ["My Label"]).bad == []
    expanded = check_expression("Sum($(vField)) + Bad", fields, {"vField": "Sales"}, (), {"SUM"})
    assert expanded.bad == [(17, 3)]
    assert check_expression("Sum(Sales", fields, {}).error


def test_expression_fields_leave_out_variables():
    assert expression_fields("Sum(a*b) + v + $(w)", {"v": "1", "w": "c"}) == ["a", "b", "c"]


def test_wrappers_are_replaced_by_their_values_anywhere():
    values = {"='a'&'b'": Dual("ab", math.nan), "1+1": Dual(None, 2.0), "'x'": Dual("x", math.nan)}
    layout = {
        "title": {"qStringExpression": {"qExpr": "='a'&'b'"}},
        "deep": [
            {"n": {"qValueExpression": {"qExpr": "1+1"}}},
            {"s": {"qStringExpression": "'x'"}},
        ],
        "notNumeric": {"qValueExpression": {"qExpr": "'x'"}},
        "empty": {"qStringExpression": {"qExpr": ""}},
        "kept": {"qExpr": "1+1"},
    }
    out = evaluate_wrappers(layout, lambda text: values[text])
    assert out == {
        "title": "ab",
        "deep": [{"n": 2.0}, {"s": "x"}],
        "notNumeric": "NaN",
        "empty": "",
        "kept": {"qExpr": "1+1"},
    }

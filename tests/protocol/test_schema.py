import pytest

from openqix.errors import InvalidParameters
from openqix.protocol.codes import error_message, error_name
from openqix.protocol.schema import bind_params, find_method, method_table


def test_table_has_every_core_type():
    table = method_table()
    assert len(table["Global"]) == 55
    assert len(table["Doc"]) == 157
    assert len(table["GenericObject"]) == 61
    assert len(table["Field"]) == 17


def test_short_array_is_padded_with_defaults():
    spec = find_method("Global", "OpenDoc")
    assert spec is not None
    assert bind_params(spec, ["a.qvf"]) == {
        "qDocName": "a.qvf",
        "qUserName": "",
        "qPassword": "",
        "qSerial": "",
        "qNoData": False,
    }


def test_nulls_take_the_default_and_objects_bind_by_name():
    spec = find_method("Doc", "GetField")
    assert spec is not None
    assert bind_params(spec, [None]) == {"qFieldName": "", "qStateName": ""}
    assert bind_params(spec, {"qStateName": "A", "qFieldName": "F"}) == {
        "qFieldName": "F",
        "qStateName": "A",
    }


@pytest.mark.parametrize(
    "params",
    [
        [1],  # a number where a string is expected
        ["F", "$", "extra"],  # too many
        {"qNope": 1},  # unknown name
        "F",  # neither array nor object
    ],
)
def test_wrong_params_are_invalid(params):
    spec = find_method("Doc", "GetField")
    assert spec is not None
    with pytest.raises(InvalidParameters):
        bind_params(spec, params)


def test_booleans_accept_zero_and_one():
    spec = find_method("Doc", "ClearAll")
    assert spec is not None
    assert bind_params(spec, [1])["qLockedAlso"] is True
    with pytest.raises(InvalidParameters):
        bind_params(spec, ["yes"])


def test_error_codes_come_from_the_table():
    assert error_message(20) == "Not implemented"
    assert error_name(-32601) == "LOCERR_JSON_RPC_METHOD_NOT_FOUND"
    assert error_message(1003) == "App not found"

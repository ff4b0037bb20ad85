"""Random input to the expression and variable methods ends in a result or a typed error."""

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openqix.testing import InMemoryClient

from .conftest import TWO_TABLES

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(-1e9, 1e9)
    | st.text(max_size=6)
)
junk = st.recursive(
    scalars,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=3),
    max_leaves=6,
)
expressions = st.sampled_from(
    [
        "Sum(Amount)",
        "=1+1",
        "$(v1)",
        "$(=Count(Name))",
        "Sum(",
        "((((",
        "[x",
        "Only(Country)",
        "vSelf",
        "$(vSelf)",
        "'a'&Name",
        "Nope(1)",
        "$(v(1,2))",
        "=",
        "",
        "1e999",
        "-",
    ]
) | st.text(max_size=12)
names = st.sampled_from(["v1", "v2", "vSelf", "", "nope"]) | st.text(max_size=4)
prop = st.fixed_dictionaries(
    {},
    optional={
        "qInfo": st.fixed_dictionaries({}, optional={"qId": names | junk, "qType": junk}) | junk,
        "qName": names | junk,
        "qDefinition": expressions | junk,
        "qComment": st.text(max_size=3) | junk,
        "qMetaDef": junk,
        "qNumberPresentation": junk,
        "qIncludeInBookmark": junk,
        "tags": junk,
    },
)
patch = st.fixed_dictionaries(
    {
        "qOp": st.sampled_from(["add", "remove", "replace", 0, 1, 2, 7, "x"]),
        "qPath": st.sampled_from(["/qDefinition", "/qName", "/qMetaDef/title", "/", "", "x"]),
        "qValue": st.sampled_from(['"=1"', '"v2"', "{", "3", "[]"]) | junk,
    }
)
DOC_CALLS = {
    "Evaluate": [expressions],
    "EvaluateEx": [expressions],
    "CheckExpression": [expressions, st.lists(st.text(max_size=4) | junk, max_size=2)],
    "CheckNumberOrExpression": [expressions],
    "ExpandExpression": [expressions],
    "GetFieldsFromExpression": [expressions],
    "CreateVariableEx": [prop],
    "CreateSessionVariable": [prop],
    "GetVariableById": [names],
    "GetVariableByName": [names],
    "DestroyVariableById": [names],
    "DestroyVariableByName": [names],
    "DestroySessionVariableById": [names],
    "DestroySessionVariableByName": [names],
    "GetVariables": [st.dictionaries(st.sampled_from(["qType", "qShowReserved", "qData"]), junk)],
    "CreateVariable": [names],
    "RemoveVariable": [names],
    "GetVariable": [names],
}
VARIABLE_CALLS = {
    "GetLayout": [],
    "GetProperties": [],
    "SetProperties": [prop],
    "ApplyPatches": [st.lists(patch | junk, max_size=3)],
    "SetStringValue": [expressions],
    "SetNumValue": [st.floats(-1e300, 1e300) | st.integers(-(2**40), 2**40)],
    "SetDualValue": [st.text(max_size=4), st.floats(-1e9, 1e9)],
    "GetRawContent": [],
}
LEGACY_CALLS = {
    "GetContent": [],
    "SetContent": [expressions, st.booleans()],
    "ForceContent": [st.text(max_size=4), st.floats(-1e9, 1e9)],
    "GetNxProperties": [],
    "SetNxProperties": [st.dictionaries(st.sampled_from(["qName", "qPreDefinedList"]), junk)],
}


@st.composite
def calls(draw: st.DrawFn) -> tuple[str, str, list[Any]]:
    kind, table = draw(
        st.sampled_from(
            [("Doc", DOC_CALLS), ("GenericVariable", VARIABLE_CALLS), ("Variable", LEGACY_CALLS)]
        )
    )
    name = draw(st.sampled_from(sorted(table)))
    return kind, name, [draw(s) for s in table[name]]


_clients: dict[int, tuple[InMemoryClient, int]] = {}


def _client(core: Any) -> tuple[InMemoryClient, int]:
    if id(core) not in _clients:
        client = InMemoryClient(core, "/app/SessionApp_varfuzz")
        doc = client.handle(-1, "GetActiveDoc")
        client.call(doc, "SetScript", [TWO_TABLES])
        client.call(doc, "DoReload")
        for name, definition in (("v1", "1"), ("v2", "=Sum(Amount)"), ("vSelf", "=$(vSelf)+1")):
            client.call(doc, "CreateVariableEx", [{"qName": name, "qDefinition": definition}])
        wrapped = {"qInfo": {"qType": "w"}, "t": {"qStringExpression": "=$(v2)&$(vSelf)"}}
        client.call(doc, "CreateSessionObject", [wrapped])
        _clients[id(core)] = (client, doc)
    return _clients[id(core)]


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(calls())
def test_random_input_never_crashes(core: Any, call: tuple[str, str, list[Any]]):
    client, doc = _client(core)
    kind, name, params = call
    if kind == "Doc":
        handle = doc
    else:
        method = "GetVariableByName" if kind == "GenericVariable" else "GetVariable"
        found = client.call(doc, method, ["v1"])["qReturn"]["qHandle"]
        if found is None:
            client.call(doc, "CreateVariableEx", [{"qName": "v1", "qDefinition": "1"}])
            found = client.call(doc, method, ["v1"])["qReturn"]["qHandle"]
        handle = found
    reply = client.request(handle, name, params)
    assert ("result" in reply) != ("error" in reply)
    if "error" in reply:
        assert reply["error"]["code"] != -32603, (kind, name, params, reply)
    session = client.attachment.session
    for entry in session.handles_where(
        lambda e: e.qix_type in ("GenericObject", "GenericVariable")
    ):
        layout = client.request(entry, "GetLayout")
        assert layout.get("error", {}).get("code") != -32603, (name, params, layout)

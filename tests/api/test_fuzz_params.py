"""Any parameters to any method end in a result or a typed QIX error, never -32603.

Parameters are drawn per schema name: mostly plausible values of the right shape with
garbage mixed in (wrong types, out-of-range numbers, non-objects inside arrays).
"""

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openqix.api.registry import api_class
from openqix.protocol.schema import method_table
from openqix.testing import InMemoryClient

from .conftest import TWO_TABLES

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
junk = st.recursive(
    scalars,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=3),
    max_leaves=8,
)
small_int = st.integers(-3, 12)
page = st.fixed_dictionaries(
    {},
    optional={k: small_int | junk for k in ("qLeft", "qTop", "qWidth", "qHeight")},
)
field_value = st.fixed_dictionaries(
    {},
    optional={
        "qText": st.sampled_from(["Sweden", "Acme", "x", ""]) | junk,
        "qIsNumeric": st.booleans() | junk,
        "qNumber": small_int | junk,
    },
)
dimension = st.fixed_dictionaries(
    {
        "qDef": st.fixed_dictionaries(
            {
                "qFieldDefs": st.lists(
                    st.sampled_from(["Country", "Name", "Amount", "Nope", "=1+1", "[Name]"]) | junk,
                    max_size=2,
                )
            }
        )
    }
)
measure = st.fixed_dictionaries(
    {
        "qDef": st.fixed_dictionaries(
            {
                "qDef": st.sampled_from(
                    [
                        "Sum(Amount)",
                        "Count(DISTINCT Name)",
                        "Avg([Amount])",
                        "Max(",
                        "Sum(Nope)",
                        "1+",
                    ]
                )
                | junk
            }
        )
    }
)
properties = st.fixed_dictionaries(
    {"qInfo": st.fixed_dictionaries({"qType": st.sampled_from(["t", ""]) | junk})},
    optional={
        "qHyperCubeDef": st.fixed_dictionaries(
            {},
            optional={
                "qDimensions": st.lists(dimension, max_size=2) | junk,
                "qMeasures": st.lists(measure, max_size=2) | junk,
                "qInitialDataFetch": st.lists(page, max_size=2) | junk,
                "qInterColumnSortOrder": st.lists(small_int, max_size=3) | junk,
                "qSuppressZero": st.booleans() | junk,
            },
        )
        | junk,
        "qListObjectDef": st.fixed_dictionaries(
            {},
            optional={
                "qDef": dimension.map(lambda d: d["qDef"]) | junk,
                "qFrequencyMode": st.sampled_from(["N", "V", "P", "R", "Q"]) | junk,
                "qInitialDataFetch": st.lists(page, max_size=2) | junk,
                "qShowAlternatives": st.booleans() | junk,
            },
        )
        | junk,
        "qStateName": st.sampled_from(["", "$", "nope"]) | junk,
    },
)
BY_NAME: dict[str, Any] = {
    "qPath": st.sampled_from(["/qListObjectDef", "/qHyperCubeDef", "/nope", ""]),
    "qPages": st.lists(page | junk, max_size=3),
    "qValues": st.lists(small_int | junk, max_size=4),
    "qFieldValues": st.lists(field_value | junk, max_size=3),
    "qMatch": st.sampled_from(["Sweden", "*e*", ">1", ">=1<3", "=", '"', "(", ""]) | junk,
    "qProp": properties,
    "qFieldName": st.sampled_from(["Country", "Name", "Nope", ""]),
    "qStateName": st.sampled_from(["", "$", "nope"]),
    "qId": st.text(max_size=4),
    "qDimNo": small_int,
}
IMPLEMENTED = ("Global", "Doc", "GenericObject", "Field")
SKIP = {
    "DeleteApp",
    "CreateSessionApp",
    "CreateSessionAppFromApp",
    "OpenDoc",
    "SetScript",
    "DoReload",
    "DoReloadEx",
    "CreateApp",
}
LIVE = [  # implemented methods are drawn more often than the error-20 ones
    (t, m)
    for t in IMPLEMENTED
    for m in method_table()[t]
    if m not in SKIP and hasattr(api_class(t), m)
]
METHODS = [(t, m) for t in IMPLEMENTED for m in method_table()[t] if m not in SKIP]


def typed(default: Any) -> st.SearchStrategy[Any]:
    """Values of the JSON type of a schema default."""
    if isinstance(default, bool):
        return st.booleans()
    if isinstance(default, int | float):
        return small_int
    if isinstance(default, str):
        return st.text(max_size=6)
    if isinstance(default, list):
        return st.lists(junk, max_size=3)
    return st.dictionaries(st.text(max_size=4), junk, max_size=3)


@st.composite
def calls(draw: st.DrawFn) -> tuple[str, str, list[Any]]:
    qix_type, name = draw(st.sampled_from(LIVE) | st.sampled_from(METHODS))
    spec = method_table()[qix_type][name]
    params = []
    for p in spec.params:
        plausible = BY_NAME.get(p, typed(spec.defaults.get(p)))
        params.append(draw(junk) if draw(st.integers(0, 9)) == 0 else draw(plausible))
    return qix_type, name, params


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(calls())
def test_random_params_never_crash(core, call):
    qix_type, name, params = call
    client = _client(core)
    reply = client.request(client.handles[qix_type], name, params)
    assert ("result" in reply) != ("error" in reply)
    if "error" in reply:
        assert reply["error"]["code"] != -32603, (qix_type, name, params, reply)
    else:  # whatever was accepted must still lay out
        for handle in client.object_handles():
            layout = client.request(handle, "GetLayout")
            assert layout.get("error", {}).get("code") != -32603, (name, params, layout)


class FuzzClient(InMemoryClient):
    handles: dict[str, int]

    def object_handles(self) -> list[int]:
        session = self.attachment.session
        return session.handles_where(lambda e: e.qix_type == "GenericObject")


_clients: dict[int, FuzzClient] = {}


def _client(core) -> FuzzClient:
    """One loaded session per core (hypothesis reuses the function-scoped fixture)."""
    client = _clients.get(id(core))
    if client is None:
        client = FuzzClient(core, "/app/SessionApp_fuzz")
        doc = client.handle(-1, "GetActiveDoc")
        client.call(doc, "SetScript", [TWO_TABLES])
        client.call(doc, "DoReload")
        obj = client.handle(
            doc,
            "CreateSessionObject",
            {
                "qInfo": {"qType": "x"},
                "qListObjectDef": {"qDef": {"qFieldDefs": ["Name"]}},
                "qHyperCubeDef": {
                    "qDimensions": [{"qDef": {"qFieldDefs": ["Country"]}}],
                    "qMeasures": [{"qDef": {"qDef": "Sum(Amount)"}}],
                },
            },
        )
        field = client.handle(doc, "GetField", "Country")
        client.handles = {"Global": -1, "Doc": doc, "GenericObject": obj, "Field": field}
        _clients.clear()
        _clients[id(core)] = client
    return client

"""Single-value expressions through the QIX API: Evaluate, EvaluateEx, the expression checks,
`=` variables, and qStringExpression / qValueExpression in object layouts."""

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openqix.testing import InMemoryClient, RpcError

Connect = Callable[..., InMemoryClient]

CUSTOMERS = [
    (1, "Acme", "Sweden"),
    (2, "Bolt", "Germany"),
    (3, "Cogs", "Sweden"),
    (4, "Dyne", "France"),
]
ORDERS = [(10, 1, 100), (11, 1, 50), (12, 2, 70), (13, 3, 30), (14, 4, 5), (15, 2, 12.5)]
SCRIPT = (
    "SET vRate = 2;\nSET vField = Amount;\nSET vTotal = =Sum(Amount);\n"
    "Customers:\nLOAD * INLINE [\nCustomerID, Name, Country\n"
    + "\n".join(f"{i}, {n}, {c}" for i, n, c in CUSTOMERS)
    + "\n];\nOrders:\nLOAD * INLINE [\nOrderID, CustomerID, Amount\n"
    + "\n".join(f"{o}, {c}, {a}" for o, c, a in ORDERS)
    + "\n];\n"
)


@pytest.fixture
def app(connect: Connect) -> tuple[InMemoryClient, int]:
    client = connect("/app/SessionApp_evaluate")
    doc = client.handle(-1, "GetActiveDoc")
    client.call(doc, "SetScript", [SCRIPT])
    assert client.call(doc, "DoReload") == {"qReturn": True}
    return client, doc


def select(client: InMemoryClient, doc: int, field: str, texts: list[str], state: str = "") -> None:
    handle = client.handle(doc, "GetField", field, state)
    client.call(handle, "SelectValues", [[{"qText": t} for t in texts], False, False])


def evaluate(client: InMemoryClient, doc: int, text: str) -> str:
    return str(client.call(doc, "Evaluate", [text])["qReturn"])


def test_evaluate_and_evaluate_ex_shapes(app: tuple[InMemoryClient, int]):
    client, doc = app
    assert evaluate(client, doc, "1+1") == "2"
    assert evaluate(client, doc, "=1+1") == "2"
    assert client.call(doc, "EvaluateEx", ["1+1"]) == {
        "qValue": {"qText": "2", "qIsNumeric": True, "qNumber": 2}
    }
    assert client.call(doc, "EvaluateEx", ["'abc'"]) == {"qValue": {"qText": "abc"}}
    assert client.call(doc, "EvaluateEx", ["Null()"]) == {"qValue": {}}
    assert evaluate(client, doc, "Null()") == "-"
    assert evaluate(client, doc, "Sum(Amount)") == "267.5"


def test_bad_expressions_are_typed_errors(app: tuple[InMemoryClient, int]):
    client, doc = app
    with pytest.raises(RpcError) as syntax:
        client.call(doc, "Evaluate", ["Sum(Amount"])
    assert syntax.value.code == 11003
    with pytest.raises(RpcError) as unknown:
        client.call(doc, "EvaluateEx", ["NoSuchFunction(1)"])
    assert "NoSuchFunction" in unknown.value.parameter + unknown.value.message


def test_evaluation_follows_the_selections(app: tuple[InMemoryClient, int]):
    client, doc = app
    select(client, doc, "Country", ["Sweden"])
    assert evaluate(client, doc, "Sum(Amount)") == "180"
    assert evaluate(client, doc, "Count(DISTINCT CustomerID)") == "2"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sets(st.sampled_from(["Sweden", "Germany", "France"]), min_size=1))
def test_sum_and_count_match_a_brute_force_oracle(
    app: tuple[InMemoryClient, int], countries: set[str]
):
    client, doc = app
    select(client, doc, "Country", sorted(countries))
    customers = {i for i, _n, c in CUSTOMERS if c in countries}
    amounts = [a for _o, c, a in ORDERS if c in customers]
    assert float(client.call(doc, "EvaluateEx", ["Sum(Amount)"])["qValue"]["qNumber"]) == sum(
        amounts
    )
    count = client.call(doc, "EvaluateEx", ["Count(OrderID)"])["qValue"]["qNumber"]
    assert count == len(amounts)


def test_variables_in_expressions(app: tuple[InMemoryClient, int]):
    client, doc = app
    assert evaluate(client, doc, "Sum($(vField)) * $(vRate)") == "535"
    assert evaluate(client, doc, "$(vTotal) / 2") == "133.75"
    assert evaluate(client, doc, "vRate * 3") == "6"  # a bare name reads the variable
    session = {"qName": "vSession", "qDefinition": "10"}
    client.call(doc, "CreateSessionVariable", [session])
    assert evaluate(client, doc, "$(vSession) + 1") == "11"
    assert client.call(doc, "ExpandExpression", ["Sum($(vField))*$(vRate)"]) == {
        "qExpandedExpression": "Sum(Amount)*2"
    }
    assert client.call(
        doc, "GetFieldsFromExpression", ["Sum($(vField)*Amount)+Count(OrderID)"]
    ) == {"qFieldNames": ["Amount", "OrderID"]}
    expanded = client.call(doc, "ExpandExpression", ["$(vTotal) / $(=Count(OrderID))"])
    assert expanded == {"qExpandedExpression": "267.5 / 6"}
    assert evaluate(client, doc, "Sum(Amount) / $(=Count(OrderID))") == "44.58333333"
    failing = client.call(doc, "CheckExpression", ["Sum(Amount) * $(=NoSuch(1))"])
    assert "NoSuch" in failing["qErrorMsg"]


def test_expression_variables_follow_the_selections(app: tuple[InMemoryClient, int]):
    client, doc = app
    total = client.handle(doc, "GetVariableByName", "vTotal")
    rate = client.handle(doc, "GetVariableByName", "vRate")
    layout = client.call(total, "GetLayout")["qLayout"]
    assert (layout["qText"], layout["qNum"], layout["qIsScriptCreated"]) == ("267.5", 267.5, True)
    select(client, doc, "Country", ["Germany"])
    assert total in client.last["change"] and rate not in client.last["change"]
    assert client.call(total, "GetLayout")["qLayout"]["qNum"] == 82.5


def test_check_expression(app: tuple[InMemoryClient, int]):
    client, doc = app
    ok = client.call(doc, "CheckExpression", ["Sum(Amount) * vRate"])
    assert ok == {"qBadFieldNames": [], "qDangerousFieldNames": []}
    bad = client.call(doc, "CheckExpression", ["Sum([No Such]) + Amount + Cost", []])
    assert bad["qErrorMsg"] == "Bad field name(s): Cost, [No Such]"
    assert bad["qBadFieldNames"] == [{"qFrom": 4, "qCount": 9}, {"qFrom": 26, "qCount": 4}]
    assert bad["qDangerousFieldNames"] == [{"qFrom": 17, "qCount": 6}]
    labelled = client.call(doc, "CheckExpression", ["[Total] / 2", ["Total"]])
    assert labelled["qBadFieldNames"] == []
    syntax = client.call(doc, "CheckExpression", ["Sum(Amount"])
    assert syntax["qErrorMsg"] and syntax["qBadFieldNames"] == []
    assert client.call(doc, "CheckNumberOrExpression", ["12.5"]) == {"qBadFieldNames": []}
    assert client.call(doc, "CheckNumberOrExpression", ["Sum(Nope)"]) == {
        "qErrorMsg": "Bad field name(s): Nope",
        "qBadFieldNames": [{"qFrom": 4, "qCount": 4}],
    }


def test_expression_wrappers_in_layouts_use_the_object_state(app: tuple[InMemoryClient, int]):
    client, doc = app
    client.call(doc, "AddAlternateState", ["B"])
    select(client, doc, "Country", ["France"], state="B")
    prop = {
        "qInfo": {"qType": "kpi"},
        "title": {"qStringExpression": {"qExpr": "='Total: ' & Sum(Amount)"}},
        "value": {"qValueExpression": {"qExpr": "Sum(Amount)"}},
        "items": [{"label": {"qStringExpression": "=Count(OrderID)"}}],
        "text": {"qValueExpression": {"qExpr": "'abc'"}},
    }
    default = client.handle(doc, "CreateSessionObject", prop)
    in_b = client.handle(doc, "CreateSessionObject", {**prop, "qStateName": "B"})
    layout = client.call(default, "GetLayout")["qLayout"]
    assert layout["title"] == "Total: 267.5" and layout["value"] == 267.5
    assert layout["items"] == [{"label": "6"}] and layout["text"] == "NaN"
    layout_b = client.call(in_b, "GetLayout")["qLayout"]
    assert (layout_b["title"], layout_b["value"]) == ("Total: 5", 5)
    assert client.call(default, "GetProperties")["qProp"]["title"] == prop["title"]
    select(client, doc, "Country", ["Sweden"])
    assert default in client.last["change"] and in_b not in client.last["change"]
    assert client.call(default, "GetLayout")["qLayout"]["value"] == 180


def test_wrapper_errors_show_as_text(app: tuple[InMemoryClient, int]):
    client, doc = app
    prop = {
        "qInfo": {"qType": "kpi"},
        "title": {"qStringExpression": {"qExpr": "=Sum(Amount"}},
        "value": {"qValueExpression": {"qExpr": "=Sum(Amount"}},
    }
    layout = client.call(client.handle(doc, "CreateSessionObject", prop), "GetLayout")["qLayout"]
    assert isinstance(layout["title"], str) and layout["title"]
    assert layout["value"] == "NaN"


def test_hypercube_expressions_read_variables(app: tuple[InMemoryClient, int]):
    client, doc = app
    prop = {
        "qInfo": {"qType": "table"},
        "qHyperCubeDef": {
            "qDimensions": [{"qDef": {"qFieldDefs": ["Country"]}}],
            "qMeasures": [{"qDef": {"qDef": "Sum($(vField)) * vRate"}}],
            "qInitialDataFetch": [{"qWidth": 2, "qHeight": 10}],
        },
    }
    cube = client.handle(doc, "CreateSessionObject", prop)

    def rows() -> list[tuple[str, float]]:
        layout = client.call(cube, "GetLayout")["qLayout"]["qHyperCube"]
        page = {"qLeft": 0, "qTop": 0, "qWidth": 2, "qHeight": 10}
        data = client.call(cube, "GetHyperCubeData", ["/qHyperCubeDef", [page]])["qDataPages"]
        assert data[0]["qMatrix"] == layout["qDataPages"][0]["qMatrix"]
        return sorted((r[0]["qText"], r[1]["qNum"]) for r in data[0]["qMatrix"])

    assert rows() == [("France", 10), ("Germany", 165), ("Sweden", 360)]
    rate = client.handle(doc, "GetVariableByName", "vRate")
    client.call(rate, "SetNumValue", [1])
    assert cube in client.last["change"]
    assert rows() == [("France", 5), ("Germany", 82.5), ("Sweden", 180)]

from pathlib import Path

import pytest

import openqix
from openqix.demo import DEMO_SCRIPT
from openqix.errors import QixError

SCRIPT = """
Customers: LOAD * INLINE [
CustomerID, Country
1, Sweden
2, Germany
3, Sweden
];
Orders: LOAD * INLINE [
OrderID, CustomerID, Amount
10, 1, 100
11, 2, 70
12, 3, 5.5
];
"""


def test_from_script_select_and_hypercube():
    app = openqix.App.from_script(SCRIPT)
    assert sorted(app.hypercube(["Country"], ["Sum(Amount)"])) == [
        ("Germany", 70.0),
        ("Sweden", 105.5),
    ]
    assert app.select("Country", ["Germany"]) is True
    assert app.hypercube(["Country"], ["Sum(Amount)", "Count(OrderID)"]) == [("Germany", 70, 1)]
    assert app.select("CustomerID", [3]) is True  # numbers select by value
    assert app.hypercube(["CustomerID"], ["Sum(Amount)"]) == [("3", 5.5)]
    app.clear()
    assert len(app.hypercube(["OrderID"], [])) == 3


def test_a_broken_script_raises_a_typed_error():
    with pytest.raises(QixError):
        openqix.App.from_script("LOAD * INLINE [A\n1];\nGARBAGE here;")


def test_folder_connections(tmp_path: Path):
    (tmp_path / "t.csv").write_text("K,V\n1,a\n2,b\n")
    app = openqix.App.from_script(
        "LOAD * FROM [lib://files/t.csv] (txt, utf8, embedded labels, delimiter is ',');",
        connections={"files": tmp_path},
    )
    assert app.hypercube(["V"], []) == [("a",), ("b",)]


def test_selections_follow_a_reload_by_value():
    app = openqix.App.from_script(SCRIPT)
    app.select("Country", ["Sweden"])
    app.script = SCRIPT.replace("2, Germany", "2, Sweden")
    assert app.reload().success
    assert sorted(app.hypercube(["CustomerID"], [])) == [("1",), ("2",), ("3",)]


def test_the_demo_script_loads():
    app = openqix.App.from_script(DEMO_SCRIPT)
    assert set(app.model.tables) == {"Customers", "Orders"}
    app.select("Country", ["Sweden"])
    assert sorted(app.hypercube(["Customer"], ["Sum(Amount)"])) == [("Acme", 200), ("Cogs", 100)]

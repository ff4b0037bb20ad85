"""The model's synthetic keys and circular references as the API reports them."""

from __future__ import annotations

from pathlib import Path

from openqix.api.core import EngineCore
from openqix.app import App
from openqix.config import Settings
from openqix.testing import InMemoryClient

LOOP = """\
A: LOAD * INLINE [
a, b
1, 1
];
B: LOAD * INLINE [
b, c
1, 1
];
C: LOAD * INLINE [
c, a, g
1, 1, x
2, 1, y
];
S: LOAD * INLINE [
x, y, s
1, 2, 3
];
T: LOAD * INLINE [
x, y, t
1, 2, 4
];
"""


def test_loose_tables_synthetic_keys_and_the_reload_warning(tmp_path: Path) -> None:
    client = InMemoryClient(
        EngineCore(Settings(data_dir=tmp_path / "data")), "/app/SessionApp_keys"
    )
    try:
        doc = client.handle(-1, "GetActiveDoc")
        client.call(doc, "SetScript", [LOOP])
        result = client.call(doc, "DoReloadEx")["qResult"]
        assert result["qSuccess"] is True
        tables = {
            t["qName"]: t
            for t in client.call(doc, "GetTablesAndKeys", [{}, {}, 0, True, False])["qtr"]
        }
        assert tables["C"].get("qLoose") is True
        assert "qLoose" not in tables["A"] and "qLoose" not in tables["B"]
        assert tables["$Syn 1 Table"].get("qIsSynthetic") is True
        syn = next(f for f in tables["S"]["qFields"] if f["qName"] == "$Syn 1")
        assert syn.get("qIsSynthetic") is True and "$syn" in syn["qTags"]
    finally:
        client.close()


def test_the_reload_log_warns_of_the_circular_reference() -> None:
    app = App.from_script(LOOP)
    outcome = app.reload()
    assert outcome.success
    assert any("Circular reference" in line and "'C'" in line for line in outcome.log)
    assert app.model.loose_tables == ("C",)

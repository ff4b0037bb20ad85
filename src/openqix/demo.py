"""The demo app `make run` loads: two small associated tables, reloaded at start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openqix.app import App

if TYPE_CHECKING:
    from openqix.api.core import EngineCore

DEMO_APP_ID = "demo"

DEMO_SCRIPT = """\
Customers:
LOAD * INLINE [
CustomerID, Customer, Country
1, Acme, Sweden
2, Bolt, Germany
3, Cogs, Sweden
4, Dyno, France
];

Orders:
LOAD * INLINE [
OrderID, CustomerID, Product, Amount
100, 1, Gizmo, 120
101, 1, Widget, 80
102, 2, Gizmo, 200
103, 3, Sprocket, 40
104, 3, Widget, 60
105, 4, Gizmo, 150
];
"""


def install_demo(core: EngineCore) -> App:
    app = App(id=DEMO_APP_ID, title="openqix demo", script=DEMO_SCRIPT)
    outcome = app.reload()
    if not outcome.success:
        raise RuntimeError(f"the demo script failed: {outcome.error}")
    return core.apps.add(app)

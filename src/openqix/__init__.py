"""openqix: an open-source associative analytics engine that speaks the QIX API.

The embedded API needs no socket:

    import openqix
    app = openqix.App.from_script(script)
    app.select("Country", ["Sweden"])
    rows = app.hypercube(["Customer"], ["Sum(Amount)"])
"""

from openqix.api.core import EngineCore as Engine
from openqix.app import App
from openqix.config import Settings

__version__ = "0.1.0"
__all__ = ["App", "Engine", "Settings", "__version__"]

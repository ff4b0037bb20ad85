"""Scalar functions shared by chart expressions and the load script.

`lookup(name)` finds one case-insensitively (None when unknown); importing this package
registers every family. See registry.py for the contract and docs/functions.md for the list.
"""

from __future__ import annotations

from openqix.calc.format import FormatSettings
from openqix.calc.functions import colors as colors
from openqix.calc.functions import conditional as conditional
from openqix.calc.functions import dates as dates
from openqix.calc.functions import formatting as formatting
from openqix.calc.functions import math as math
from openqix.calc.functions import ranges as ranges
from openqix.calc.functions import strings as strings
from openqix.calc.functions.registry import (
    FunctionContext,
    ScalarFunction,
    ScalarImpl,
    all_functions,
    lookup,
    register,
)

__all__ = [
    "FormatSettings",
    "FunctionContext",
    "ScalarFunction",
    "ScalarImpl",
    "all_functions",
    "lookup",
    "register",
]

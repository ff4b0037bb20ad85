"""Shape checks for the engine definitions inside generic-object properties.

Properties are free JSON, but the members the engine reads (qListObjectDef, qHyperCubeDef and
what they contain) must have the right JSON types. They are checked once, when properties are
set, so layouts can trust them; a wrong type is a typed error naming the member's path.
Unknown members are dynamic properties and pass unchecked; null counts as absent.
"""

from __future__ import annotations

from typing import Any

from openqix.errors import InvalidParameterValue

Spec = Any  # a type, a tuple of types, a dict of member specs, or a one-item list of a spec

NUMBER = (int, float)
SORT: Spec = {
    "qSortByState": NUMBER,
    "qSortByFrequency": NUMBER,
    "qSortByNumeric": NUMBER,
    "qSortByAscii": NUMBER,
    "qSortByLoadOrder": NUMBER,
    "qSortByExpression": NUMBER,
    "qExpression": dict,
}
PAGE: Spec = {"qLeft": NUMBER, "qTop": NUMBER, "qWidth": NUMBER, "qHeight": NUMBER}
INLINE_DIMENSION: Spec = {
    "qFieldDefs": [str],
    "qFieldLabels": [str],
    "qSortCriterias": [SORT],
    "qGrouping": str,
    "qActiveField": NUMBER,
}
DIMENSION: Spec = {
    "qDef": INLINE_DIMENSION,
    "qLibraryId": str,
    "qNullSuppression": bool,
    "qShowAll": bool,
}
MEASURE: Spec = {
    "qDef": {"qDef": str, "qLabel": str, "qNumFormat": dict, "qAggrFunc": str},
    "qLibraryId": str,
    "qSortBy": SORT,
}
DEFINITIONS: dict[str, Spec] = {
    "qListObjectDef": {
        "qStateName": str,
        "qLibraryId": str,
        "qDef": INLINE_DIMENSION,
        "qShowAlternatives": bool,
        "qFrequencyMode": str,
        "qInitialDataFetch": [PAGE],
        "qAutoSortByState": dict,
        "qExpressions": list,
    },
    "qHyperCubeDef": {
        "qStateName": str,
        "qDimensions": [DIMENSION],
        "qMeasures": [MEASURE],
        "qInterColumnSortOrder": [NUMBER],
        "qSuppressZero": bool,
        "qSuppressMissing": bool,
        "qInitialDataFetch": [PAGE],
        "qMode": str,
        "qColumnOrder": [NUMBER],
        "qNoOfLeftDims": NUMBER,
    },
    "qSelectionObjectDef": {"qStateName": str},
}


def check_definitions(properties: dict[str, Any]) -> None:
    """Raise InvalidParameterValue for the first engine member of the wrong JSON type."""
    for key, spec in DEFINITIONS.items():
        if properties.get(key) is not None:
            _check(properties[key], spec, key)


def _check(value: Any, spec: Spec, path: str) -> None:
    if value is None:
        return
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise InvalidParameterValue(f"{path} must be an object")
        for member, member_spec in spec.items():
            _check(value.get(member), member_spec, f"{path}.{member}")
    elif isinstance(spec, list):
        if not isinstance(value, list):
            raise InvalidParameterValue(f"{path} must be an array")
        for i, item in enumerate(value):
            _check(item, spec[0], f"{path}[{i}]")
    elif not _is(value, spec):
        raise InvalidParameterValue(f"{path} has the wrong type: {type(value).__name__}")


def _is(value: Any, expected: type | tuple[type, ...]) -> bool:
    if expected is bool:  # clients also send 0/1 for booleans
        return isinstance(value, bool) or (type(value) is int and value in (0, 1))
    if isinstance(value, bool):
        return expected is bool
    return isinstance(value, expected)

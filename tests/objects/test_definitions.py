import pytest

from openqix.errors import InvalidParameterValue
from openqix.objects.definitions import check_definitions


@pytest.mark.parametrize(
    "props",
    [
        {"qListObjectDef": {"qDef": {"qFieldDefs": ["A"]}, "qShowAlternatives": 1}},
        {"qListObjectDef": {"qDef": None, "custom": [1, {"x": "y"}]}},
        {"qHyperCubeDef": {"qDimensions": [], "qMeasures": [{"qDef": {"qDef": "Sum(A)"}}]}},
        {"qHyperCubeDef": {"qInitialDataFetch": [{"qWidth": 2.0, "qHeight": 10}]}},
        {"somethingElse": 5},
    ],
)
def test_valid_definitions_pass(props):
    check_definitions(props)


@pytest.mark.parametrize(
    ("props", "path"),
    [
        ({"qListObjectDef": 5}, "qListObjectDef must be an object"),
        ({"qListObjectDef": {"qDef": {"qFieldDefs": "A"}}}, "qListObjectDef.qDef.qFieldDefs"),
        ({"qListObjectDef": {"qDef": {"qFieldDefs": [1]}}}, "qListObjectDef.qDef.qFieldDefs[0]"),
        ({"qListObjectDef": {"qShowAlternatives": "yes"}}, "qListObjectDef.qShowAlternatives"),
        ({"qHyperCubeDef": {"qMeasures": [{"qDef": 5}]}}, "qHyperCubeDef.qMeasures[0].qDef"),
        ({"qHyperCubeDef": {"qInitialDataFetch": [{"qTop": True}]}}, "qInitialDataFetch[0].qTop"),
        ({"qHyperCubeDef": {"qInterColumnSortOrder": ["0"]}}, "qInterColumnSortOrder[0]"),
    ],
)
def test_wrong_types_name_the_member(props, path):
    with pytest.raises(InvalidParameterValue) as info:
        check_definitions(props)
    assert path in info.value.parameter

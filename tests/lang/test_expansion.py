"""Dollar-sign expansion: substitution rules and the map back to the original offsets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openqix.lang.errors import ScriptError, ScriptSyntaxError
from openqix.lang.expansion import expand_dollars
from openqix.lang.tokens import LineIndex

VARIABLES = {"v": "X", "long": "LONGER", "inner": "v", "p": "$1-$2-$10", "empty": ""}


def expand(text: str) -> str:
    return expand_dollars(text, 0, len(text), VARIABLES, LineIndex(text)).text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a $(v) b", "a X b"),
        ("$(v)$(v)", "XX"),
        ("'$(long)'", "'LONGER'"),
        ("$(undefined)|", "|"),
        ("$(empty)", ""),
        ("$( v )", "X"),
        ("$(#v)", "X"),
        ("$($(inner))", "X"),
        ("$(p(a, b))", "a-b-$10"),
        ("f(x) (y)", "f(x) (y)"),
        ("no dollars", "no dollars"),
        ("$v $", "$v $"),
    ],
)
def test_substitution(text: str, expected: str) -> None:
    assert expand(text) == expected


def test_offsets_map_back_to_the_original_text() -> None:
    text = "ab $(long) cd"
    expansion = expand_dollars(text, 0, len(text), VARIABLES, LineIndex(text))
    assert expansion.text == "ab LONGER cd"
    assert expansion.original_offset(0) == 0
    assert expansion.original_offset(4) == 3  # inside the value: the `$`
    assert expansion.original_offset(10) == text.index("cd")
    assert expansion.original_offset(len(expansion.text)) == len(text)


def test_a_span_of_a_larger_text_keeps_absolute_offsets() -> None:
    text = "SET x=1;\nLOAD $(v) y;"
    start = text.index("LOAD")
    expansion = expand_dollars(text, start, len(text), VARIABLES, LineIndex(text))
    assert expansion.text == "LOAD X y;"
    assert expansion.original_offset(7) == text.index("y;")


def test_missing_parenthesis_is_located() -> None:
    text = "a\n  $(v"
    with pytest.raises(ScriptSyntaxError) as caught:
        expand(text)
    assert (caught.value.line, caught.value.column, caught.value.offset) == (2, 3, 4)


def test_expression_expansion_is_not_supported_yet() -> None:
    with pytest.raises(ScriptError, match="not supported yet"):
        expand("x $(=1+1)")


@given(st.text(alphabet=st.sampled_from(list("$()v #=ab\n")), max_size=80))
def test_any_text_expands_or_fails_typed(text: str) -> None:
    try:
        expansion = expand_dollars(text, 0, len(text), VARIABLES, LineIndex(text))
    except ScriptError:
        return
    for i in range(len(expansion.text) + 1):
        assert 0 <= expansion.original_offset(i) <= len(text)

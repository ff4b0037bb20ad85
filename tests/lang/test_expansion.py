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


def test_expression_expansion_needs_an_evaluator() -> None:
    with pytest.raises(ScriptError, match="not available here") as caught:
        expand("x $(=1+1)")
    assert (caught.value.line, caught.value.column) == (1, 3)


def test_expression_expansion_calls_the_evaluator() -> None:
    text = "a $(=1+$(n)) b"
    seen: list[str] = []

    def evaluate(expr: str) -> str:
        seen.append(expr)
        return "RESULT"

    expansion = expand_dollars(text, 0, len(text), {"n": "2"}, LineIndex(text), evaluate)
    assert expansion.text == "a RESULT b"
    assert seen == ["1+2"]
    assert expansion.original_offset(expansion.text.index("b")) == text.index("b")


def test_expression_expansion_errors_point_at_the_dollar() -> None:
    text = "x\n  $(=bad)"

    def evaluate(expr: str) -> str:
        raise ScriptError("boom", 1, 1, 0, 1)

    with pytest.raises(ScriptError) as caught:
        expand_dollars(text, 0, len(text), {}, LineIndex(text), evaluate)
    assert (caught.value.line, caught.value.column) == (2, 3)


@given(st.text(alphabet=st.sampled_from(list("$()v #=ab\n")), max_size=80))
def test_any_text_expands_or_fails_typed(text: str) -> None:
    try:
        expansion = expand_dollars(text, 0, len(text), VARIABLES, LineIndex(text))
    except ScriptError:
        return
    for i in range(len(expansion.text) + 1):
        assert 0 <= expansion.original_offset(i) <= len(text)


def test_include_calls_the_includer_and_keeps_positions() -> None:
    text = "A $(Include=lib://x/a.qvs) B"
    calls: list[tuple[str, bool]] = []

    def include(path: str, must: bool) -> str:
        calls.append((path, must))
        return "SET x = 1;"

    expansion = expand_dollars(text, 0, len(text), {}, LineIndex(text), None, include)
    assert expansion.text == "A SET x = 1; B"
    assert calls == [("lib://x/a.qvs", False)]
    assert expansion.original_offset(expansion.text.index("B")) == text.index("B")
    expand_dollars(
        "$(must_include = f)", 0, 19, {}, LineIndex("$(must_include = f)"), None, include
    )
    assert calls[-1] == ("f", True)


def test_include_without_an_includer_is_a_located_error() -> None:
    with pytest.raises(ScriptError, match="Include files are not available") as caught:
        expand("x\n $(Include=a)")
    assert (caught.value.line, caught.value.column) == (2, 2)

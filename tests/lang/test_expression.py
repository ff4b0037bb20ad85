"""The expression parser and printer: precedence, calls with set/DISTINCT/TOTAL, set
expressions, positions of errors, the embedding entry point, and round trips."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.lang.errors import ScriptSyntaxError
from openqix.lang.expression import (
    BinOp,
    Call,
    ElementField,
    ElementFunction,
    ElementList,
    ExpressionSyntaxError,
    FieldRef,
    Number,
    SetIdentifier,
    SetOp,
    Star,
    String,
    UnaryOp,
    field_names,
    parse_expression,
    parse_expression_at,
    print_expression,
)
from openqix.lang.tokenizer import tokenize_script
from openqix.lang.tokens import LineIndex


def shape(text: str) -> str:
    """Fully parenthesised form, to check grouping."""

    def walk(node: object) -> str:
        if isinstance(node, BinOp):
            return f"({walk(node.left)} {node.op} {walk(node.right)})"
        if isinstance(node, UnaryOp):
            return f"({node.op} {walk(node.operand)})"
        if isinstance(node, Number):
            return node.text
        if isinstance(node, FieldRef):
            return node.name
        if isinstance(node, String):
            return repr(node.value)
        return print_expression(node)  # type: ignore[arg-type]

    return walk(parse_expression(text))


@pytest.mark.parametrize(
    ("text", "grouped"),
    [
        ("'a' & 1 + 2", "('a' & (1 + 2))"),
        ("1 + 2 = 3", "((1 + 2) = 3)"),
        ("not 1 = 2", "(not (1 = 2))"),
        ("A or B and C", "(A or (B and C))"),
        ("17 bitand 7 = 1", "((17 bitand 7) = 1)"),
        ("a bitor b bitxor c bitand d", "(a bitor (b bitxor (c bitand d)))"),
        ("1 - 2 - 3", "((1 - 2) - 3)"),
        ("2 * 3 + 4 * 5", "((2 * 3) + (4 * 5))"),
        ("-2 * 3", "((- 2) * 3)"),
        ("a & b < c", "((a & b) < c)"),
        ("8 >> 1 + 1", "(8 >> (1 + 1))"),
        ("x LIKE 'a*' AND y", "((x like 'a*') and y)"),
        ("a precedes b or c follows d", "((a precedes b) or (c follows d))"),
        ("a xor b or c", "((a xor b) or c)"),
        ("bitnot 1 + 2", "((bitnot 1) + 2)"),
        ("=Sales", "Sales"),
    ],
)
def test_precedence(text: str, grouped: str) -> None:
    assert shape(text) == grouped


def test_comparisons_do_not_chain() -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse_expression("1 < 2 < 3")
    assert caught.value.column == 7


def test_field_reference_forms() -> None:
    expr = parse_expression('[Unit Price] * "Qty" + `a b` + Sales')
    assert field_names(expr) == ["Unit Price", "Qty", "a b", "Sales"]


def test_aggregation_call_parts() -> None:
    expr = parse_expression("Sum({$<Year={2020}>} DISTINCT TOTAL <Country, [Sales Rep]> Amount)")
    assert isinstance(expr, Call)
    assert expr.distinct is True and expr.total_fields == ("Country", "Sales Rep")
    assert expr.set_expr == SetIdentifier(
        "$", (FieldModifierLike("Year", "=", ElementList((ElementLike("number", "2020"),))),)
    )
    assert expr.args == (FieldRef("Amount"),)


def FieldModifierLike(name: str, op: str, value: object) -> object:
    from openqix.lang.expression import FieldModifier

    return FieldModifier(name, op, value)  # type: ignore[arg-type]


def ElementLike(kind: str, text: str) -> object:
    from openqix.lang.expression import Element

    return Element(kind, text)


def test_words_that_are_also_field_names() -> None:
    assert parse_expression("Sum(Total)") == Call("Sum", (FieldRef("Total"),))
    assert parse_expression("Count(Distinct)") == Call("Count", (FieldRef("Distinct"),))
    assert parse_expression("Count(*)") == Call("Count", (Star(),))
    aggr = parse_expression("Aggr(NODISTINCT Sum(x), A, B)")
    assert isinstance(aggr, Call) and aggr.distinct is False and len(aggr.args) == 3


def test_set_identifiers_and_operators() -> None:
    expr = parse_expression("Sum({$1 + BM01 * -1} x)")
    assert isinstance(expr, Call)
    assert expr.set_expr == SetOp(
        "+", SetIdentifier("$1"), SetOp("*", SetIdentifier("BM01"), _complement_of_one())
    )
    state_field = parse_expression("Sum({$<A = St::B, C = $::D, E = P({1} F), G = E()>} x)")
    assert isinstance(state_field, Call) and isinstance(state_field.set_expr, SetIdentifier)
    values = [m.value for m in state_field.set_expr.modifiers]
    assert values == [
        ElementField("B", "St"),
        ElementField("D", "$"),
        ElementFunction("P", SetIdentifier("1"), "F"),
        ElementFunction("E", None, None),
    ]


def _complement_of_one() -> object:
    from openqix.lang.expression import SetComplement

    return SetComplement(SetIdentifier("1"))


def test_modifier_operators_and_empty_values() -> None:
    expr = parse_expression("Sum({<A+={1}, B-={'x'}, C*={\"y*\"}, D/={2}, E=>} x)")
    assert isinstance(expr, Call) and isinstance(expr.set_expr, SetIdentifier)
    mods = expr.set_expr.modifiers
    assert [m.op for m in mods] == ["+=", "-=", "*=", "/=", "="]
    assert mods[-1].value is None


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("Sum(x", 6, "expected ')'"),
        ("1 +", 4, "an operand"),
        ("Sum(x) )", 8, "Unexpected token: ')'"),
        ("a\n + * b", 4, "Unexpected token: '*'"),
        ("Sum({<A={1}} x)", 12, "expected '>'"),
        ("", 1, "Empty expression"),
        ("'open", 1, "Unterminated"),
    ],
)
def test_errors_carry_positions(text: str, column: int, message: str) -> None:
    with pytest.raises(ScriptSyntaxError) as caught:
        parse_expression(text)
    assert caught.value.column == column
    assert message in caught.value.message


def test_error_line_numbers() -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse_expression("Sum(x)\n+\n)")
    assert (caught.value.line, caught.value.column, caught.value.offset) == (3, 1, 9)


def test_parse_at_stops_before_what_it_cannot_use() -> None:
    text = "LOAD a + b * 2 as c, If(x > 1, 'y') as d FROM t;"
    tokens = tokenize_script(text)
    expr, stop = parse_expression_at(tokens, 1, LineIndex(text))
    assert print_expression(expr) == "a + b * 2"
    assert tokens[stop].text == "as"
    expr, stop = parse_expression_at(tokens, stop + 3, LineIndex(text))
    assert print_expression(expr) == "If(x > 1, 'y')" and tokens[stop].text == "as"


@pytest.mark.parametrize(
    "text",
    [
        "Sum(Qty * Price) / Count(DISTINCT OrderID)",
        "-(-3)",
        "- -3",
        "a - (b - c)",
        "(a or b) and c",
        "not (a and b)",
        "Sum({$<Year={\">2015\"}, Name={'it''s'}>} TOTAL <A> x)",
        "Sum({1 - ($ + St)} x)",
        "[a]]b] & 'x'",
        "Concat(DISTINCT [Field Name], ', ', -x)",
        "Sum({<A=(P({1}) + E(B)) * -{1}>} x)",
        "Sum({<A={`odd value`, 3.5, -2}>} x)",
        "x bitand bitnot y",
        "Rank(TOTAL Sum(x))",
    ],
)
def test_round_trip(text: str) -> None:
    expr = parse_expression(text)
    printed = print_expression(expr)
    assert parse_expression(printed) == expr
    assert print_expression(parse_expression(printed)) == printed


_leaf = st.one_of(
    st.integers(0, 99).map(str),
    st.sampled_from(["a", "[b c]", "'t''x'", "Sum(a)", "Count(DISTINCT b)", "Sum(TOTAL a)"]),
)
_ops = st.sampled_from(
    ["+", "-", "*", "/", "&", "=", "<", "<>", "and", "or", "xor", "like", "bitand", "<<"]
)


@st.composite
def expressions(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(_leaf)
    kind = draw(st.sampled_from(["bin", "neg", "not", "paren", "call"]))
    if kind == "bin":
        return f"{draw(expressions(depth - 1))} {draw(_ops)} {draw(expressions(depth - 1))}"
    if kind == "neg":
        return f"-{draw(expressions(depth - 1))}"
    if kind == "not":
        return f"not {draw(expressions(depth - 1))}"
    if kind == "call":
        return f"If({draw(expressions(depth - 1))}, {draw(expressions(depth - 1))})"
    return f"({draw(expressions(depth - 1))})"


@settings(max_examples=150, deadline=None)
@given(expressions())
def test_printed_text_parses_back_to_the_same_tree(text: str) -> None:
    try:
        expr = parse_expression(text)
    except ExpressionSyntaxError:
        return  # e.g. chained comparisons: fine, as long as it is a typed error
    assert parse_expression(print_expression(expr)) == expr


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab1 +-*/()[]{}<>='\"$,:;&!`.", max_size=30))
def test_any_text_is_a_tree_or_a_syntax_error(text: str) -> None:
    try:
        parse_expression(text)
    except ScriptSyntaxError as error:
        assert error.line >= 1 and error.column >= 1

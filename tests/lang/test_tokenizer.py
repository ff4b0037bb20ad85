"""The table-driven tokenizer: kinds, values, positions, comments, and that any text ends in
tokens or a ScriptSyntaxError."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openqix.lang.errors import ScriptSyntaxError
from openqix.lang.tokenizer import tokenize_expression, tokenize_script
from openqix.lang.tokens import LineIndex, Token, TokenKind

K = TokenKind


def kinds_and_texts(tokens: list[Token]) -> list[tuple[TokenKind, str]]:
    return [(t.kind, t.text) for t in tokens]


def test_names_strings_numbers_and_operators() -> None:
    tokens = tokenize_expression("Sum([Unit Price] * \"Qty\") + `a b` & 'it''s' <> 3.5e2")
    assert kinds_and_texts(tokens) == [
        (K.IDENTIFIER, "Sum"),
        (K.OPERATOR, "("),
        (K.BRACKET_NAME, "Unit Price"),
        (K.OPERATOR, "*"),
        (K.QUOTED_NAME, "Qty"),
        (K.OPERATOR, ")"),
        (K.OPERATOR, "+"),
        (K.BACKTICK_NAME, "a b"),
        (K.OPERATOR, "&"),
        (K.STRING, "it's"),
        (K.OPERATOR, "<>"),
        (K.NUMBER, "3.5e2"),
    ]


def test_positions_are_one_based_lines_and_columns_with_offsets() -> None:
    text = "SET a = 1;\r\n  LOAD [x y]\n/* c\n */ FROM"
    tokens = tokenize_script(text)
    where = {t.text: (t.line, t.column, t.offset, t.length) for t in tokens}
    assert where["SET"] == (1, 1, 0, 3)
    assert where["LOAD"] == (2, 3, 14, 4)
    assert where["x y"] == (2, 8, 19, 5)
    assert where["FROM"] == (4, 5, 34, 4)
    assert text[19:24] == "[x y]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", [(K.NUMBER, "12")]),
        (".5", [(K.NUMBER, ".5")]),
        ("1.", [(K.NUMBER, "1.")]),
        ("1E+05", [(K.NUMBER, "1E+05")]),
        ("2e", [(K.NUMBER, "2"), (K.IDENTIFIER, "e")]),
        ("007x", [(K.NUMBER, "007"), (K.IDENTIFIER, "x")]),
        ("Date#(", [(K.IDENTIFIER, "Date#"), (K.OPERATOR, "(")]),
        ("%Key @1 _x Orders.ID", [(K.IDENTIFIER, n) for n in ("%Key", "@1", "_x", "Orders.ID")]),
        ("Ærø", [(K.IDENTIFIER, "Ærø")]),
        (
            "a<=b>=c",
            [
                (K.IDENTIFIER, "a"),
                (K.OPERATOR, "<="),
                (K.IDENTIFIER, "b"),
                (K.OPERATOR, ">="),
                (K.IDENTIFIER, "c"),
            ],
        ),
        ("8 >> 2", [(K.NUMBER, "8"), (K.OPERATOR, ">>"), (K.NUMBER, "2")]),
        ("€", [(K.OTHER, "€")]),
    ],
)
def test_lexemes(text: str, expected: list[tuple[TokenKind, str]]) -> None:
    assert kinds_and_texts(tokenize_expression(text)) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [("[a]]b]", "a]b"), ('"say ""hi"""', 'say "hi"'), ("`x``y`", "x`y"), ("''", "")],
)
def test_doubled_closing_quote_escapes_it(text: str, value: str) -> None:
    (token,) = tokenize_expression(text)
    assert token.text == value
    assert token.length == len(text)


def test_quoted_values_may_span_lines() -> None:
    (token,) = tokenize_script("[a\nb\n]")
    assert token.text == "a\nb\n"


def test_comments_are_skipped() -> None:
    text = "a // line comment ;\nb /* block\n; */ c"
    assert [t.text for t in tokenize_script(text)] == ["a", "b", "c"]


def test_rem_comments_a_whole_statement_only_at_its_start() -> None:
    text = "REM it's a remark; rem\nanother; x = REM; Rem;y"
    assert [t.text for t in tokenize_script(text)] == ["x", "=", "REM", ";", "y"]
    assert [t.text for t in tokenize_expression("REM x")] == ["REM", "x"]
    assert [t.text for t in tokenize_script("REMARK;")] == ["REMARK", ";"]


def test_lib_paths_are_not_line_comments_in_scripts() -> None:
    tokens = tokenize_script("FROM lib://data/x.csv;")
    assert "".join(t.text for t in tokens[1:-1]) == "lib://data/x.csv"
    assert [t.text for t in tokenize_expression("a://b")] == ["a", ":"]


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("x = 'abc", (1, 5, 4), "Unterminated string: missing '"),
        ("LOAD * INLINE [\nA\n1\n;", (1, 15, 14), "Unterminated bracket name: missing ]"),
        ('\n  "name', (2, 3, 3), 'Unterminated quoted name: missing "'),
        ("a /* no end", (1, 3, 2), "Unterminated comment"),
        ("`x", (1, 1, 0), "Unterminated backtick name: missing `"),
    ],
)
def test_unterminated_quotes_and_comments(
    text: str, where: tuple[int, int, int], message: str
) -> None:
    with pytest.raises(ScriptSyntaxError) as caught:
        tokenize_script(text)
    error = caught.value
    assert (error.message, (error.line, error.column, error.offset)) == (message, where)
    assert error.length >= 1


def test_byte_order_mark_and_unicode_blanks_are_whitespace() -> None:
    assert [t.text for t in tokenize_script("\ufeffSET\u00a0a=1;")] == ["SET", "a", "=", "1", ";"]


SCRIPTISH = st.text(
    alphabet=st.sampled_from(list("abLOADREM $()[]\"'`;:,./*\\-+<>=#@%\n\t\r01.eE€")),
    max_size=200,
)


@given(st.one_of(st.text(max_size=300), SCRIPTISH))
def test_any_text_gives_tokens_or_a_syntax_error(text: str) -> None:
    for tokenize in (tokenize_script, tokenize_expression):
        try:
            tokens = tokenize(text)
        except ScriptSyntaxError as error:
            assert 0 <= error.offset <= len(text)
            assert error.line >= 1 and error.column >= 1
            continue
        lines = LineIndex(text)
        previous_end = 0
        for token in tokens:
            assert previous_end <= token.offset < token.end <= len(text)
            where = lines.locate(token.offset)
            assert (token.line, token.column) == (where.line, where.column)
            previous_end = token.end

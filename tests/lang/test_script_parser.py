"""Statement splitting and parsing into script_ast nodes, with located errors."""

from __future__ import annotations

import pytest

from openqix.lang.errors import ScriptError, ScriptSyntaxError, UnknownStatementError
from openqix.lang.script_ast import (
    SPACES,
    AllFields,
    FieldItem,
    FileSource,
    FormatSpec,
    InlineSource,
    LetVariable,
    LoadStatement,
    SetVariable,
    Statement,
)
from openqix.lang.script_parser import expand_statement, parse_statement, split_script


def parse(text: str, variables: dict[str, str] | None = None) -> list[Statement]:
    nodes: list[Statement] = []
    for raw in split_script(text):
        for statement in expand_statement(raw, variables or {}):
            node = parse_statement(statement)
            if node is not None:
                nodes.append(node)
    return nodes


def parse_one(text: str) -> Statement:
    (node,) = parse(text)
    return node


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("SET DateFormat='M/D/YYYY';", "M/D/YYYY"),
        ("SET x = a 'b' c;", "a 'b' c"),
        ("SET x = 'a' & 'b';", "'a' & 'b'"),
        ("SET x=;", ""),
        ('set x = "q";', "q"),
        ("SET x = lib://data/;", "lib://data/"),
        ("SET MoneyFormat='$ ###0.00;-$ ###0.00';", "$ ###0.00;-$ ###0.00"),
        ("SET x = 1 /* note */ + 2 // end\n;", "1 /* note */ + 2"),
    ],
)
def test_set_keeps_the_text(text: str, value: str) -> None:
    node = parse_one(text)
    assert isinstance(node, SetVariable)
    assert node.value == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("LET x = 42;", 42.0), ("LET x = -1.5;", -1.5), ("LET x = 'it''s';", "it's")],
)
def test_let_literals(text: str, value: float | str) -> None:
    node = parse_one(text)
    assert isinstance(node, LetVariable) and node.value is not None
    assert node.name == "x"
    assert node.value.text == text[len("LET x = ") : -1]


@pytest.mark.parametrize(
    ("text", "expr_text"),
    [
        ("LET x = 1 + 1;", "1 + 1"),
        ("LET x = Now();", "Now()"),
        ("LET x = -'a';", "-'a'"),
        ("let x = Date(MakeDate(2024,1,2)) & 'x' ;", "Date(MakeDate(2024,1,2)) & 'x'"),
    ],
)
def test_let_keeps_the_expression_and_its_text(text: str, expr_text: str) -> None:
    node = parse_one(text)
    assert isinstance(node, LetVariable) and node.value is not None
    assert node.value.text == expr_text


def test_let_without_a_value_empties_the_variable() -> None:
    node = parse_one("LET x = ;")
    assert isinstance(node, LetVariable) and node.value is None


def test_load_inline_with_label_prefix_fields_and_format() -> None:
    node = parse_one(
        "T: NoConcatenate LOAD *, [A b] as B, \"C\" AS [D e], `E` INLINE 'x' "
        "(txt, delimiter is '\\t', no labels, msq, utf8);"
    )
    assert isinstance(node, LoadStatement)
    assert (node.label, node.no_concatenate) == ("T", True)
    assert isinstance(node.fields[0], AllFields)
    assert [(f.name, f.alias) for f in node.fields[1:] if isinstance(f, FieldItem)] == [
        ("A b", "B"),
        ("C", "D e"),
        ("E", None),
    ]
    assert node.source == InlineSource("x", node.source.position)
    assert node.text_format == FormatSpec("txt", "\t", "none", "msq", "utf-8")


@pytest.mark.parametrize(
    ("source", "path"),
    [
        ("[lib://data/a b.csv]", "lib://data/a b.csv"),
        ("'lib://data/x.csv'", "lib://data/x.csv"),
        ("lib://data/2024-01.sales.csv", "lib://data/2024-01.sales.csv"),
        ("lib://data/x.csv(txt)", "lib://data/x.csv"),
    ],
)
def test_load_from_paths(source: str, path: str) -> None:
    node = parse_one(f"LOAD A FROM {source};")
    assert isinstance(node, LoadStatement) and isinstance(node.source, FileSource)
    assert node.source.path == path


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("delimiter is tab", FormatSpec(delimiter="\t")),
        ("DELIMITER IS spaces", FormatSpec(delimiter=SPACES)),
        ("delimiter is ';', explicit labels", FormatSpec(delimiter=";", labels="explicit")),
        (
            "embedded labels, no quotes, ansi",
            FormatSpec(labels="embedded", quoting="none", encoding="cp1252"),
        ),
        ("codepage is 1252", FormatSpec(encoding="cp1252")),
    ],
)
def test_format_spec_items(spec: str, expected: FormatSpec) -> None:
    node = parse_one(f"LOAD * INLINE [a] ({spec});")
    assert isinstance(node, LoadStatement)
    assert node.text_format == expected


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("LOAD * INLINE [a] (header is x lines);", "Unsupported format specification", 20),
        ("LOAD * INLINE [a] (filters(x));", "Unsupported format specification", 20),
        ("LOAD * INLINE [a] (delimiter is 'ab');", "The delimiter must be one character", 33),
        ("LOAD * INLINE [a] (txt;", "Unexpected token: ';', expected: ')'", 23),
        ("LOAD * INLINE [a] ();", "expected: a format specification item", 20),
        ("LOAD A+, B INLINE [a];", "Unexpected token: ','", 8),
        ("LOAD A B INLINE [a];", "Unexpected token: 'B'", 8),
        ("LOAD A as INLINE [a];", "Unexpected token: 'a'", 18),
        ("LOAD FROM x;", "Unexpected token: 'FROM', expected: a field", 6),
        ("LOAD * RESIDENT;", "expected: a table name", 16),
        ("LOAD * INLINE [a] WHERE;", "expected: an expression", 24),
        ("LOAD * INLINE [a] ORDER BY A;", "ORDER BY is only allowed with RESIDENT", 1),
        ("LOAD * INLINE [a] GROUP A;", "Unexpected token: 'A', expected: 'BY'", 25),
        ("Keep LOAD * INLINE [a];", "Keep needs Left, Right or Inner", 1),
        ("Crosstable(a) LOAD * INLINE [a];", "Crosstable takes 2 or 3 arguments", 1),
        ("DROP TABLE;", "expected: a table name", 11),
        ("RENAME FIELD a b;", "expected: 'TO'", 16),
        ("STORE T INTO;", "expected: a file path", 13),
        ("LOAD * INLINE x;", "expected: inline data", 15),
        ("LOAD * FROM;", "expected: a file path", 12),
        ("T: SET x = 1;", "Unexpected token: 'SET', expected: 'LOAD' or 'SELECT'", 4),
        ("SET = 1;", "expected: a variable name", 5),
        ("SET x 1;", "Unexpected token: '1', expected: '='", 7),
        ("42;", "expected: a statement", 1),
    ],
)
def test_syntax_errors_are_located(text: str, message: str, column: int) -> None:
    with pytest.raises(ScriptSyntaxError) as caught:
        parse(text)
    assert message in caught.value.message
    assert (caught.value.line, caught.value.column) == (1, column)


def test_unknown_statement() -> None:
    with pytest.raises(UnknownStatementError) as caught:
        parse("SET a=1;\n\n   Frob Table T;")
    assert caught.value.message == "Unknown statement: Frob"
    assert (caught.value.line, caught.value.column, caught.value.offset) == (3, 4, 13)
    assert caught.value.length == 4


def test_empty_statements_and_comments_only_are_nothing() -> None:
    assert parse(";;\n// nothing\n/* at all */ ;REM x;") == []


def test_final_statement_must_end_with_semicolon() -> None:
    with pytest.raises(ScriptSyntaxError) as caught:
        parse("SET a = 1;\nSET b = 2")
    assert caught.value.message == "Missing ';' at the end of the statement"
    assert (caught.value.line, caught.value.column) == (2, 10)


def test_expansion_can_make_several_statements_and_errors_point_at_the_dollar() -> None:
    nodes = parse("$(two) SET c = 3;", {"two": "SET a = 1; SET b = 2;"})
    assert [n.name for n in nodes if isinstance(n, SetVariable)] == ["a", "b", "c"]
    with pytest.raises(ScriptError) as caught:
        parse("SET a = 1;\n  $(bad) x;", {"bad": "Oops"})
    assert (caught.value.line, caught.value.column) == (2, 3)


def test_positions_after_expansion_are_in_the_original_text() -> None:
    with pytest.raises(ScriptSyntaxError) as caught:
        parse("LOAD $(f), B C INLINE [a];", {"f": "LongFieldName"})
    assert (caught.value.line, caught.value.column) == (1, 14)

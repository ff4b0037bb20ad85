"""Load-script parsing: split a script into `;`-terminated statements, expand `$(...)` in one
statement, and parse it into a node of `script_ast`. Statement keywords and prefixes are tables
of parse methods, so a later issue adds statements without touching the loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from openqix.lang.errors import ScriptSyntaxError, UnknownStatementError
from openqix.lang.expansion import ExpansionLocator, expand_dollars
from openqix.lang.load_parser import LOAD_PREFIXES, parse_load
from openqix.lang.script_ast import LetVariable, SetVariable, Statement
from openqix.lang.stream import StatementText, TokenStream
from openqix.lang.tokenizer import tokenize_script
from openqix.lang.tokens import NAME_KINDS, LineIndex, Locator, Token, TokenKind


def split_script(script: str) -> list[StatementText]:
    """Tokenize a whole script and cut it at `;`; a missing final `;` is an error."""
    index = LineIndex(script)
    return split_statements(script, tokenize_script(script, index), index)


def split_statements(text: str, tokens: list[Token], locator: Locator) -> list[StatementText]:
    statements: list[StatementText] = []
    begin = 0
    for i, token in enumerate(tokens):
        if token.is_operator(";"):
            statements.append(StatementText(text, tuple(tokens[begin : i + 1]), locator))
            begin = i + 1
    if begin < len(tokens):
        where = locator.locate(tokens[-1].end)
        raise ScriptSyntaxError(
            "Missing ';' at the end of the statement", where.line, where.column, where.offset, 0
        )
    return statements


def expand_statement(statement: StatementText, variables: Mapping[str, str]) -> list[StatementText]:
    """The statement after `$(...)` expansion (which may yield no, one or several statements)."""
    start, end = statement.tokens[0].offset, statement.tokens[-1].end
    if statement.text.find("$(", start, end) < 0:
        return [statement]
    expansion = expand_dollars(statement.text, start, end, variables, statement.locator)
    locator = ExpansionLocator(expansion, statement.locator)
    return split_statements(expansion.text, tokenize_script(expansion.text, locator), locator)


def parse_statement(statement: StatementText) -> Statement | None:
    """The node for one statement; None for an empty one (a lone `;`)."""
    stream = TokenStream(statement)
    if stream.at_end():
        return None
    label: str | None = None
    if stream.peek().kind in NAME_KINDS and stream.peek(1).is_operator(":"):
        label = stream.next().text
        stream.next()
    head = stream.peek()
    if head.is_keyword(*LOAD_PREFIXES, "LOAD"):
        return parse_load(stream, label)
    if label is not None:
        raise stream.unexpected(head, "'LOAD'")
    if head.kind is not TokenKind.IDENTIFIER:
        raise stream.unexpected(head, "a statement")
    parse = VARIABLE_STATEMENTS.get(head.upper)
    if parse is None:
        raise stream.error(f"Unknown statement: {head.text}", head, UnknownStatementError)
    return parse(stream)


def _parse_set(stream: TokenStream) -> SetVariable:
    """`SET name = text;` keeps the text as written; one enclosing pair of quotes is removed."""
    keyword = stream.next()
    name = stream.expect_name("a variable name")
    stream.expect_operator("=")
    first = stream.peek()
    last = first
    while not stream.at_end():
        last = stream.next()
    if first is last and first.is_operator(";"):
        value = ""
    elif first is last and first.kind in (TokenKind.STRING, TokenKind.QUOTED_NAME):
        value = first.text
    else:
        value = stream.raw_text(first, last)
    return SetVariable(name.text, value, stream.position(keyword))


def _parse_let(stream: TokenStream) -> LetVariable:
    """`LET name = literal;` — a number (with an optional sign) or a quoted string for now."""
    keyword = stream.next()
    name = stream.expect_name("a variable name")
    stream.expect_operator("=")
    token = stream.next()
    sign = 1.0
    if token.is_operator("-", "+"):
        sign = -1.0 if token.text == "-" else 1.0
        token = stream.next()
        if token.kind is not TokenKind.NUMBER:
            raise stream.error(_LET_LITERALS_ONLY, token)
    value: float | str
    if token.kind is TokenKind.NUMBER:
        value = sign * float(token.text)
    elif token.kind is TokenKind.STRING:
        value = token.text
    else:
        raise stream.error(_LET_LITERALS_ONLY, token)
    if not stream.at_end():
        raise stream.error(_LET_LITERALS_ONLY, stream.peek())
    return LetVariable(name.text, value, stream.position(keyword))


_LET_LITERALS_ONLY = "Only a number or a quoted string is supported in LET for now"
VARIABLE_STATEMENTS: dict[str, Callable[[TokenStream], Statement]] = {
    "SET": _parse_set,
    "LET": _parse_let,
}

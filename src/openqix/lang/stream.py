"""A statement's tokens with a cursor for the statement parsers; errors come out located in
the user's text (before `$(...)` expansion).
"""

from __future__ import annotations

from dataclasses import dataclass

from openqix.lang.errors import ScriptSyntaxError
from openqix.lang.script_ast import ExprText
from openqix.lang.tokens import NAME_KINDS, Locator, Position, Token


@dataclass(frozen=True)
class StatementText:
    """One statement: `tokens` index into `text`, the last token is its `;`."""

    text: str
    tokens: tuple[Token, ...]
    locator: Locator


class TokenStream:
    """A cursor over one statement's tokens; it never moves past the final `;`."""

    def __init__(self, statement: StatementText) -> None:
        self.statement = statement
        self.tokens = statement.tokens
        self.index = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def next(self) -> Token:
        token = self.peek()
        if self.index < len(self.tokens) - 1:
            self.index += 1
        return token

    def at_end(self) -> bool:
        """At the statement's final `;`."""
        return self.index == len(self.tokens) - 1

    def position(self, token: Token) -> Position:
        return self.statement.locator.locate(token.offset, token.length)

    def error(
        self, message: str, token: Token, kind: type[ScriptSyntaxError] = ScriptSyntaxError
    ) -> ScriptSyntaxError:
        where = self.position(token)
        return kind(message, where.line, where.column, where.offset, where.length)

    def unexpected(self, token: Token, expected: str) -> ScriptSyntaxError:
        return self.error(f"Unexpected token: '{token.text}', expected: {expected}", token)

    def expect_name(self, what: str) -> Token:
        token = self.next()
        if token.kind not in NAME_KINDS:
            raise self.unexpected(token, what)
        return token

    def expect_operator(self, op: str) -> Token:
        token = self.next()
        if not token.is_operator(op):
            raise self.unexpected(token, f"'{op}'")
        return token

    def raw_text(self, first: Token, last: Token) -> str:
        """The statement text from `first` to `last`, comments and spacing included."""
        return self.statement.text[first.offset : last.end]

    # -- expressions and lists (the script's embedded expressions) -----------------------------
    def expression(self) -> ExprText:
        """One expression from the cursor (stops at `,`, `;`, `)`, AS, FROM, ...)."""
        from openqix.lang.expression import parse_expression_at

        first = self.peek()
        if self.at_end():
            raise self.unexpected(first, "an expression")
        expr, index = parse_expression_at(self.tokens, self.index, self.statement.locator)
        index = min(index, len(self.tokens) - 1)
        if index <= self.index:
            raise self.unexpected(first, "an expression")
        last = self.tokens[index - 1]
        self.index = index
        text = self.raw_text(first, last)
        where = self.statement.locator.locate(first.offset, last.end - first.offset)
        return ExprText(expr, text, where)

    def accept_keyword(self, *words: str) -> Token | None:
        if self.peek().is_keyword(*words):
            return self.next()
        return None

    def accept_operator(self, op: str) -> Token | None:
        if self.peek().is_operator(op):
            return self.next()
        return None

    def expect_keyword(self, *words: str) -> Token:
        token = self.next()
        if not token.is_keyword(*words):
            raise self.unexpected(token, " or ".join(f"'{w}'" for w in words))
        return token

    def expect_end(self) -> None:
        if not self.at_end():
            raise self.unexpected(self.peek(), "';'")

    def name_list(self, what: str) -> list[Token]:
        """`a, b, [c d]` — names separated by commas."""
        names = [self.expect_name(what)]
        while self.accept_operator(","):
            names.append(self.expect_name(what))
        return names

    def rest_text(self) -> str:
        """The raw text from the cursor to (not including) the final `;`."""
        if self.at_end():
            return ""
        first = self.peek()
        last = self.tokens[-2]
        self.index = len(self.tokens) - 1
        return self.raw_text(first, last)

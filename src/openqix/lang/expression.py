"""Chart and script expressions: AST nodes, a precedence-climbing parser and a printer.

Entry points:
- `parse_expression(text) -> Expr`: a whole expression (one leading `=` allowed), cached by
  text. `$(...)` expansion happens before (lang/expansion.py); a stray `$(` is a syntax error.
- `parse_expression_at(tokens, index, locator) -> (Expr, next_index)`: for the script parser,
  parses from `tokens[index]` and stops at the first token that cannot continue the expression
  (`,`, `;`, `)`, `AS`, `FROM`, ...), returning the index of that token.
- `print_expression(expr) -> str`: text that parses back to an equal node.

Every error is an `ExpressionSyntaxError` (a ScriptSyntaxError) at a line/column/offset.
Precedence (resolved Q3a, highest first): unary - + bitnot; * /; + -; &; << >>; bitand;
bitxor; bitor; relational (= <> < <= > >= like precedes follows, non-chaining); not; and;
or xor. Set expressions (`{$<F={a}>}`) are nodes too (SetExpr and ElementSet below).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from openqix.lang.errors import ScriptSyntaxError
from openqix.lang.tokenizer import tokenize_expression
from openqix.lang.tokens import NAME_KINDS, LineIndex, Locator, Token, TokenKind


class ExpressionSyntaxError(ScriptSyntaxError):
    """An expression that does not parse; positions are in the text given to the parser."""


# -- nodes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expr:
    """Base of expression nodes; `pos` is the 0-based offset of the node's first token."""


@dataclass(frozen=True)
class Number(Expr):
    value: float
    text: str = field(default="", compare=False)
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class String(Expr):
    value: str
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class FieldRef(Expr):
    """A field (or a variable used as a field); `quoted` is how the user wrote it."""

    name: str
    quoted: bool = field(default=False, compare=False)
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Star(Expr):
    """`*` as the argument of Count(*)."""

    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class UnaryOp(Expr):
    op: str  # "-", "+", "not", "bitnot"
    operand: Expr
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class BinOp(Expr):
    op: str  # lower-case for word operators
    left: Expr
    right: Expr
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call(Expr):
    """A function call. `distinct` is True (DISTINCT), False (NODISTINCT) or None.
    `total_fields` is None without TOTAL, () for plain TOTAL, else the `<...>` fields."""

    name: str
    args: tuple[Expr, ...]
    distinct: bool | None = None
    total_fields: tuple[str, ...] | None = None
    set_expr: SetExpr | None = None
    pos: int = field(default=0, compare=False)

    @property
    def upper(self) -> str:
        return self.name.upper()

    @property
    def total(self) -> bool:
        return self.total_fields is not None


# -- set expressions -------------------------------------------------------------------------


@dataclass(frozen=True)
class SetExpr:
    """Base of set-expression nodes (record sets)."""


@dataclass(frozen=True)
class SetIdentifier(SetExpr):
    """`$`, `1`, `$1`, `$_1`, a state name or a bookmark id; `modifier` may be empty."""

    name: str
    modifiers: tuple[FieldModifier, ...] = ()
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class SetOp(SetExpr):
    op: str  # + - * /
    left: SetExpr
    right: SetExpr


@dataclass(frozen=True)
class SetComplement(SetExpr):
    operand: SetExpr


@dataclass(frozen=True)
class FieldModifier:
    """`Field op value`; op is "=", "+=", "-=", "*=", "/="; value None for `Field=`."""

    name: str
    op: str
    value: ElementSet | None
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ElementSet:
    """Base of element-set nodes (sets of field values)."""


@dataclass(frozen=True)
class Element:
    """One entry of `{...}`: kind "number", "bare" (unquoted), "literal" ('x') or
    "search" ("x" / [x])."""

    kind: str
    text: str


@dataclass(frozen=True)
class ElementList(ElementSet):
    items: tuple[Element, ...]


@dataclass(frozen=True)
class ElementField(ElementSet):
    """Values of another field: its selection (`<A = B>`), or `State::B` / `$::B`."""

    name: str
    state: str | None = None


@dataclass(frozen=True)
class ElementFunction(ElementSet):
    """`P({set} field)` / `E({set} field)`; field None = the modified field."""

    func: str  # "P" or "E"
    set_expr: SetExpr | None
    field: str | None


@dataclass(frozen=True)
class ElementOp(ElementSet):
    op: str
    left: ElementSet
    right: ElementSet


@dataclass(frozen=True)
class ElementComplement(ElementSet):
    operand: ElementSet


# -- parser ------------------------------------------------------------------------------------

# binary levels, lowest first: (operators, chaining allowed)
_LEVELS: tuple[tuple[frozenset[str], bool], ...] = (
    (frozenset({"or", "xor"}), True),
    (frozenset({"and"}), True),
    (frozenset(), True),  # `not` prefix level
    (frozenset({"=", "<>", "<", "<=", ">", ">=", "like", "precedes", "follows"}), False),
    (frozenset({"bitor"}), True),
    (frozenset({"bitxor"}), True),
    (frozenset({"bitand"}), True),
    (frozenset({"<<", ">>"}), True),
    (frozenset({"&"}), True),
    (frozenset({"+", "-"}), True),
    (frozenset({"*", "/"}), True),
)
_NOT_LEVEL = 2
WORD_OPERATORS = frozenset(
    {"and", "or", "xor", "not", "like", "precedes", "follows", "bitand", "bitor", "bitxor"}
    | {"bitnot"}
)
PRECEDENCE: dict[str, int] = {op: i for i, (ops, _) in enumerate(_LEVELS) for op in ops}
_UNARY_LEVEL = len(_LEVELS)
_SET_OPS = ("+", "-", "*", "/")
_MODIFIER_OPS = ("+", "-", "*", "/")


def _word(token: Token) -> str | None:
    """The operator a token stands for, if any (word operators case-insensitively)."""
    if token.kind is TokenKind.OPERATOR:
        return token.text
    if token.kind is TokenKind.IDENTIFIER and token.text.lower() in WORD_OPERATORS:
        return token.text.lower()
    return None


class _Parser:
    def __init__(self, tokens: Sequence[Token], index: int, locator: Locator, end: int) -> None:
        self.tokens = tokens
        self.index = index
        self.locator = locator
        self.end_offset = end

    # -- cursor ------------------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token | None:
        i = self.index + ahead
        return self.tokens[i] if i < len(self.tokens) else None

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise self.error("Unexpected end of expression", None)
        self.index += 1
        return token

    def at_op(self, *ops: str) -> bool:
        token = self.peek()
        return token is not None and token.is_operator(*ops)

    def at_keyword(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.is_keyword(*words)

    def expect(self, op: str) -> Token:
        token = self.peek()
        if token is None or not token.is_operator(op):
            raise self.unexpected(token, f"'{op}'")
        return self.next()

    def error(self, message: str, token: Token | None) -> ExpressionSyntaxError:
        offset, length = (token.offset, token.length) if token else (self.end_offset, 0)
        where = self.locator.locate(offset, length)
        return ExpressionSyntaxError(message, where.line, where.column, where.offset, length)

    def unexpected(self, token: Token | None, expected: str) -> ExpressionSyntaxError:
        if token is None:
            return self.error(f"Unexpected end of expression, expected {expected}", None)
        return self.error(f"Unexpected token: '{token.text}', expected {expected}", token)

    # -- expressions -------------------------------------------------------------------------
    def expression(self, level: int = 0) -> Expr:
        if level == _NOT_LEVEL:
            if self.at_keyword("NOT"):
                token = self.next()
                return UnaryOp("not", self.expression(_NOT_LEVEL), token.offset)
            return self.expression(level + 1)
        if level >= _UNARY_LEVEL:
            return self.unary()
        ops, chaining = _LEVELS[level]
        left = self.expression(level + 1)
        while True:
            current = self.peek()
            op = _word(current) if current is not None else None
            if op is None or op not in ops:
                return left
            self.next()
            right = self.expression(level + 1)
            left = BinOp(op, left, right, _start(left))
            if not chaining:
                after = self.peek()
                if after is not None and _word(after) in ops:
                    raise self.error(f"Comparison operators do not chain: '{after.text}'", after)
                return left

    def unary(self) -> Expr:
        token = self.peek()
        if token is not None and (token.is_operator("-", "+") or token.is_keyword("BITNOT")):
            self.next()
            op = token.text if token.kind is TokenKind.OPERATOR else "bitnot"
            return UnaryOp(op, self.unary(), token.offset)
        return self.primary()

    def primary(self) -> Expr:
        token = self.peek()
        if token is None:
            raise self.unexpected(None, "an operand")
        if token.kind is TokenKind.NUMBER:
            self.next()
            return Number(float(token.text), token.text, token.offset)
        if token.kind is TokenKind.STRING:
            self.next()
            return String(token.text, token.offset)
        if token.is_operator("("):
            self.next()
            inner = self.expression()
            self.expect(")")
            return inner
        if token.kind is TokenKind.IDENTIFIER and self._is_call():
            return self.call()
        if token.kind in NAME_KINDS and _word(token) is None:
            self.next()
            return FieldRef(token.text, token.kind is not TokenKind.IDENTIFIER, token.offset)
        if token.is_operator("$") and self._touching(1, "("):
            raise self.error("Dollar-sign expansion was not expanded", token)
        raise self.unexpected(token, "an operand")

    def _is_call(self) -> bool:
        nxt = self.peek(1)
        return nxt is not None and nxt.is_operator("(")

    def _touching(self, ahead: int, op: str) -> bool:
        first, second = self.peek(ahead - 1), self.peek(ahead)
        return (
            first is not None
            and second is not None
            and second.is_operator(op)
            and second.offset == first.end
        )

    def call(self) -> Expr:
        name = self.next()
        self.expect("(")
        set_expr = self.set_expression() if self.at_op("{") else None
        distinct: bool | None = None
        total: tuple[str, ...] | None = None
        if self.at_keyword("DISTINCT", "NODISTINCT") and self._starts_operand(1):
            distinct = self.next().upper == "DISTINCT"
        if self.at_keyword("TOTAL") and (self._starts_operand(1) or self._at(1, "<")):
            self.next()
            total = self.total_fields() if self.at_op("<") else ()
        if (
            distinct is None
            and self.at_keyword("DISTINCT", "NODISTINCT")
            and self._starts_operand(1)
        ):
            distinct = self.next().upper == "DISTINCT"
        args: list[Expr] = []
        if self.at_op("*") and self._at(1, ")"):
            args.append(Star(self.next().offset))
        elif not self.at_op(")"):
            args.append(self.expression())
            while self.at_op(","):
                self.next()
                args.append(self.expression())
        self.expect(")")
        return Call(name.text, tuple(args), distinct, total, set_expr, name.offset)

    def _at(self, ahead: int, op: str) -> bool:
        token = self.peek(ahead)
        return token is not None and token.is_operator(op)

    def _starts_operand(self, ahead: int) -> bool:
        token = self.peek(ahead)
        if token is None:
            return False
        if token.kind is TokenKind.OPERATOR:
            return token.text in ("(", "-", "+")
        return _word(token) in (None, "not", "bitnot")

    def total_fields(self) -> tuple[str, ...]:
        self.expect("<")
        names = [self.name("a field name")]
        while self.at_op(","):
            self.next()
            names.append(self.name("a field name"))
        self.expect(">")
        return tuple(names)

    def name(self, what: str) -> str:
        token = self.peek()
        if token is None or token.kind not in NAME_KINDS:
            raise self.unexpected(token, what)
        self.next()
        return token.text

    # -- set expressions ---------------------------------------------------------------------
    def set_expression(self) -> SetExpr:
        self.expect("{")
        expr = self.set_sum()
        self.expect("}")
        return expr

    def set_sum(self) -> SetExpr:
        left = self.set_product()
        while self.at_op("+", "-"):
            op = self.next().text
            left = SetOp(op, left, self.set_product())
        return left

    def set_product(self) -> SetExpr:
        left = self.set_term()
        while self.at_op("*", "/"):
            op = self.next().text
            left = SetOp(op, left, self.set_term())
        return left

    def set_term(self) -> SetExpr:
        token = self.peek()
        if token is None:
            raise self.unexpected(None, "a set identifier or modifier")
        if token.is_operator("-"):
            self.next()
            return SetComplement(self.set_term())
        if token.is_operator("("):
            self.next()
            inner = self.set_sum()
            self.expect(")")
            return inner
        if token.is_operator("<"):
            return SetIdentifier("$", self.modifiers(), token.offset)
        name = self.set_identifier()
        modifiers = self.modifiers() if self.at_op("<") else ()
        return SetIdentifier(name, modifiers, token.offset)

    def set_identifier(self) -> str:
        token = self.next()
        if token.is_operator("$"):
            nxt = self.peek()
            if nxt is not None and nxt.offset == token.end:
                if nxt.kind is TokenKind.NUMBER and nxt.text.isdigit():
                    self.next()
                    return "$" + nxt.text
                if nxt.kind is TokenKind.IDENTIFIER and re.fullmatch(r"_\d+", nxt.text):
                    self.next()
                    return "$" + nxt.text
            return "$"
        if token.kind is TokenKind.NUMBER and token.text in ("1", "0"):
            return token.text
        if token.kind in NAME_KINDS:
            first, second, name = self.peek(), self.peek(1), self.peek(2)
            if (  # `AltState::BM01`: a bookmark's selections of one state
                first is not None
                and second is not None
                and name is not None
                and first.is_operator(":")
                and second.is_operator(":")
                and second.offset == first.end
                and name.kind in NAME_KINDS
            ):
                self.index += 3
                return f"{token.text}::{name.text}"
            return token.text
        raise self.unexpected(token, "a set identifier")

    def modifiers(self) -> tuple[FieldModifier, ...]:
        self.expect("<")
        mods: list[FieldModifier] = []
        if self.at_op(">"):
            self.next()
            return ()
        while True:
            mods.append(self.modifier())
            if self.at_op(","):
                self.next()
                continue
            self.expect(">")
            return tuple(mods)

    def modifier(self) -> FieldModifier:
        token = self.peek()
        name = self.name("a field name")
        op = "="
        if self.at_op(*_MODIFIER_OPS) and self._touching(1, "="):
            op = self.next().text + "="
        self.expect("=")
        if self.at_op(",", ">"):
            return FieldModifier(name, op, None, token.offset if token else 0)
        return FieldModifier(name, op, self.element_sum(), token.offset if token else 0)

    def element_sum(self) -> ElementSet:
        left = self.element_product()
        while self.at_op("+", "-"):
            op = self.next().text
            left = ElementOp(op, left, self.element_product())
        return left

    def element_product(self) -> ElementSet:
        left = self.element_term()
        while self.at_op("*", "/"):
            op = self.next().text
            left = ElementOp(op, left, self.element_term())
        return left

    def element_term(self) -> ElementSet:
        token = self.peek()
        if token is None:
            raise self.unexpected(None, "an element set")
        if token.is_operator("-"):
            self.next()
            return ElementComplement(self.element_term())
        if token.is_operator("("):
            self.next()
            inner = self.element_sum()
            self.expect(")")
            return inner
        if token.is_operator("{"):
            return self.element_list()
        if token.is_operator("$") and self._at(1, ":") and self._at(2, ":"):
            self.index += 3
            return ElementField(self.name("a field name"), "$")
        if token.kind is TokenKind.IDENTIFIER and token.upper in ("P", "E") and self._at(1, "("):
            return self.element_function()
        if token.kind in NAME_KINDS:
            self.next()
            if self.at_op(":") and self._at(1, ":"):
                self.index += 2
                return ElementField(self.name("a field name"), token.text)
            return ElementField(token.text)
        raise self.unexpected(token, "an element set")

    def element_function(self) -> ElementSet:
        func = self.next().upper
        self.expect("(")
        set_expr = self.set_expression() if self.at_op("{") else None
        name = None if self.at_op(")") else self.name("a field name")
        self.expect(")")
        return ElementFunction(func, set_expr, name)

    def element_list(self) -> ElementSet:
        self.expect("{")
        items: list[Element] = []
        while not self.at_op("}"):
            items.append(self.element())
            if not self.at_op("}"):
                self.expect(",")
        self.expect("}")
        return ElementList(tuple(items))

    def element(self) -> Element:
        token = self.next()
        if token.is_operator("-", "+") and (nxt := self.peek()) and nxt.kind is TokenKind.NUMBER:
            self.next()
            return Element("number", token.text.replace("+", "") + nxt.text)
        if token.kind is TokenKind.NUMBER:
            return Element("number", token.text)
        if token.kind is TokenKind.STRING:
            return Element("literal", token.text)
        if token.kind in (TokenKind.QUOTED_NAME, TokenKind.BRACKET_NAME):
            return Element("search", token.text)
        if token.kind in (TokenKind.IDENTIFIER, TokenKind.BACKTICK_NAME):
            return Element("bare", token.text)
        raise self.unexpected(token, "a value")


def _start(expr: Expr) -> int:
    return int(getattr(expr, "pos", 0))


# -- entry points ----------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def parse_expression(text: str) -> Expr:
    """Parse a whole expression (one leading `=` allowed); cached by text."""
    index = LineIndex(text)
    tokens = tokenize_expression(text, index)
    start = 1 if tokens and tokens[0].is_operator("=") else 0
    parser = _Parser(tokens, start, index, len(text))
    if parser.peek() is None:
        raise parser.error("Empty expression", None)
    expr = parser.expression()
    leftover = parser.peek()
    if leftover is not None:
        raise parser.unexpected(leftover, "an operator or the end of the expression")
    return expr


def parse_expression_at(tokens: Sequence[Token], index: int, locator: Locator) -> tuple[Expr, int]:
    """Parse one expression starting at `tokens[index]`; return it and the index of the first
    token after it (which the caller checks: `,`, `;`, `AS`, ...)."""
    end = tokens[-1].end if tokens else 0
    parser = _Parser(tokens, index, locator, end)
    expr = parser.expression()
    return expr, parser.index


def parse_set_expression(text: str) -> SetExpr:
    """A set expression alone, braces included (`{$<Year={2020}>}`)."""
    index = LineIndex(text)
    parser = _Parser(tokenize_expression(text, index), 0, index, len(text))
    expr = parser.set_expression()
    if parser.peek() is not None:
        raise parser.unexpected(parser.peek(), "the end of the set expression")
    return expr


# -- printer -----------------------------------------------------------------------------------

_PLAIN_NAME = re.compile(r"(?:[^\W\d]|[%@])[\w.#%]*")


def print_expression(expr: Expr) -> str:
    """Text of `expr`, parenthesised only where precedence requires it."""
    return _print(expr, 0)


def _name(name: str) -> str:
    if _PLAIN_NAME.fullmatch(name) and name.lower() not in WORD_OPERATORS | {"total"}:
        return name
    return "[" + name.replace("]", "]]") + "]"


def _string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _number(node: Number) -> str:
    if node.text:
        return node.text
    value = node.value
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _print(expr: Expr, level: int) -> str:
    if isinstance(expr, Number):
        text = _number(expr)
        return f"({text})" if level > _UNARY_LEVEL and text.startswith("-") else text
    if isinstance(expr, String):
        return _string(expr.value)
    if isinstance(expr, FieldRef):
        return _name(expr.name)
    if isinstance(expr, Star):
        return "*"
    if isinstance(expr, UnaryOp):
        if expr.op == "not":
            text = "not " + _print(expr.operand, _NOT_LEVEL)
            return f"({text})" if level > _NOT_LEVEL else text
        operand = _print(expr.operand, _UNARY_LEVEL)
        sep = " " if expr.op == "bitnot" or operand[:1] in "+-" else ""
        return expr.op + sep + operand
    if isinstance(expr, BinOp):
        mine = PRECEDENCE[expr.op]
        chaining = _LEVELS[mine][1]
        left = _print(expr.left, mine if chaining else mine + 1)
        right = _print(expr.right, mine + 1)
        text = f"{left} {expr.op} {right}"
        return f"({text})" if level > mine else text
    if isinstance(expr, Call):
        return _print_call(expr)
    raise TypeError(f"not an expression node: {expr!r}")


def _print_call(call: Call) -> str:
    head: list[str] = []
    if call.set_expr is not None:
        head.append(print_set(call.set_expr))
    if call.distinct is not None:
        head.append("DISTINCT" if call.distinct else "NODISTINCT")
    if call.total_fields is not None:
        fields = ",".join(_name(f) for f in call.total_fields)
        head.append(f"TOTAL <{fields}>" if call.total_fields else "TOTAL")
    args = ", ".join(_print(a, 0) for a in call.args)
    prefix = " ".join(head)
    inner = f"{prefix} {args}" if prefix and args else prefix or args
    return f"{call.name}({inner})"


def print_set(expr: SetExpr) -> str:
    return "{" + _print_set(expr, 0) + "}"


def _print_set(expr: SetExpr, level: int) -> str:
    if isinstance(expr, SetIdentifier):
        mods = ""
        if expr.modifiers:
            mods = "<" + ", ".join(_print_modifier(m) for m in expr.modifiers) + ">"
        name = expr.name if _SET_NAME.fullmatch(expr.name) else _name(expr.name)
        return name + mods
    if isinstance(expr, SetComplement):
        return "-" + _print_set(expr.operand, 2)
    if isinstance(expr, SetOp):
        mine = 1 if expr.op in ("*", "/") else 0
        text = f"{_print_set(expr.left, mine)} {expr.op} {_print_set(expr.right, mine + 1)}"
        return f"({text})" if level > mine else text
    raise TypeError(f"not a set node: {expr!r}")


_SET_NAME = re.compile(r"\$|\$_?\d+|[01]")


def _print_modifier(mod: FieldModifier) -> str:
    value = "" if mod.value is None else _print_elements(mod.value, 0)
    return f"{_name(mod.name)}{mod.op}{value}"


def _print_elements(expr: ElementSet, level: int) -> str:
    if isinstance(expr, ElementList):
        return "{" + ", ".join(_print_element(e) for e in expr.items) + "}"
    if isinstance(expr, ElementField):
        prefix = f"{expr.state if expr.state == '$' else _name(expr.state)}::" if expr.state else ""
        return prefix + _name(expr.name)
    if isinstance(expr, ElementFunction):
        parts = [] if expr.set_expr is None else [print_set(expr.set_expr)]
        parts += [] if expr.field is None else [_name(expr.field)]
        inner = " ".join(parts)
        return f"{expr.func}({inner})"
    if isinstance(expr, ElementComplement):
        return "-" + _print_elements(expr.operand, 2)
    if isinstance(expr, ElementOp):
        mine = 1 if expr.op in ("*", "/") else 0
        left = _print_elements(expr.left, mine)
        text = f"{left} {expr.op} {_print_elements(expr.right, mine + 1)}"
        return f"({text})" if level > mine else text
    raise TypeError(f"not an element-set node: {expr!r}")


def _print_element(item: Element) -> str:
    if item.kind == "number":
        return item.text
    if item.kind == "literal":
        return _string(item.text)
    if item.kind == "search":
        return '"' + item.text.replace('"', '""') + '"'
    if _PLAIN_NAME.fullmatch(item.text):
        return item.text
    return "`" + item.text.replace("`", "``") + "`"


# -- walking -----------------------------------------------------------------------------------


def children(expr: Expr) -> tuple[Expr, ...]:
    """Direct sub-expressions (set expressions excluded)."""
    if isinstance(expr, UnaryOp):
        return (expr.operand,)
    if isinstance(expr, BinOp):
        return (expr.left, expr.right)
    if isinstance(expr, Call):
        return expr.args
    return ()


def field_names(expr: Expr) -> list[str]:
    """Field references in `expr`, in order of first appearance, without duplicates."""
    seen: dict[str, None] = {}
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, FieldRef):
            seen.setdefault(node.name)
        stack.extend(reversed(children(node)))
    return list(seen)

"""Load-script parsing: split a script into statements, build the control-flow tree, expand
`$(...)` in one statement and parse it into a node of `script_ast`.

Regular statements end with `;`. Control statements (IF/ELSEIF/ELSE/END IF, FOR/NEXT,
DO/LOOP, SUB/END SUB, CALL, EXIT, SWITCH/CASE/DEFAULT/END SWITCH) end with `;` or at the end
of their line (`IF x THEN` ends after THEN), as in Qlik. The tree (`build_program`) is made
from the statements' first words only; every statement, control headers included, is
expanded and parsed when the executor reaches it, because `$(...)` may change its text.
Statement keywords are a table of parse functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from openqix.lang.errors import ScriptSyntaxError, UnknownStatementError
from openqix.lang.expansion import Evaluator, ExpansionLocator, Includer, expand_dollars
from openqix.lang.load_parser import LOAD_STARTS, parse_format_spec, parse_load, parse_path
from openqix.lang.script_ast import (
    Alias,
    Binary,
    Call,
    CaseHeader,
    Comment,
    Condition,
    Connect,
    DirList,
    DropFields,
    DropTables,
    Exit,
    ExprText,
    FieldValueList,
    FileList,
    ForEachHeader,
    ForHeader,
    FormatSpec,
    LetVariable,
    Loosen,
    MapUsing,
    Noop,
    NullAsValue,
    Qualify,
    Rename,
    SetVariable,
    Sleep,
    Statement,
    Store,
    SubHeader,
    SwitchHeader,
    Tag,
    Trace,
)
from openqix.lang.stream import StatementText, TokenStream
from openqix.lang.tokenizer import tokenize_script
from openqix.lang.tokens import NAME_KINDS, LineIndex, Locator, Token, TokenKind

CONTROL_WORDS = frozenset(
    {
        "IF",
        "ELSEIF",
        "ELSE",
        "END",
        "ENDIF",
        "FOR",
        "NEXT",
        "DO",
        "LOOP",
        "SUB",
        "ENDSUB",
        "CALL",
        "EXIT",
        "SWITCH",
        "CASE",
        "DEFAULT",
        "ENDSWITCH",
    }
)


# -- splitting ---------------------------------------------------------------------------------
def split_script(script: str) -> list[StatementText]:
    """Tokenize a whole script and cut it into statements; a missing final `;` is an error."""
    index = LineIndex(script)
    return split_statements(script, tokenize_script(script, index), index)


def _is_control_start(tokens: list[Token], i: int) -> bool:
    token = tokens[i]
    if token.kind is not TokenKind.IDENTIFIER or token.upper not in CONTROL_WORDS:
        return False
    return not (i + 1 < len(tokens) and tokens[i + 1].is_operator(":"))


def _control_end(tokens: list[Token], i: int) -> int:
    """Index one past the last token of the control statement starting at `i` (no `;`)."""
    word = tokens[i].upper
    line = tokens[i].line
    n = len(tokens)
    if word in ("ELSE", "DEFAULT", "ENDIF", "ENDSUB", "ENDSWITCH"):
        return i + 1
    if word == "END":
        if (
            i + 1 < n
            and tokens[i + 1].line == line
            and tokens[i + 1].is_keyword("IF", "SUB", "SWITCH")
        ):
            return i + 2
        return i + 1
    k = i + 1
    while k < n and tokens[k].line == line and not tokens[k].is_operator(";"):
        if word in ("IF", "ELSEIF") and tokens[k].is_keyword("THEN"):
            return k + 1
        k += 1
    return k


def split_statements(text: str, tokens: list[Token], locator: Locator) -> list[StatementText]:
    statements: list[StatementText] = []
    i, n = 0, len(tokens)
    while i < n:
        if _is_control_start(tokens, i):
            end = _control_end(tokens, i)
            if end < n and tokens[end].is_operator(";"):
                statements.append(StatementText(text, tuple(tokens[i : end + 1]), locator))
                i = end + 1
            else:
                last = tokens[end - 1]
                semicolon = Token(TokenKind.OPERATOR, ";", last.line, last.column, last.end, 0)
                statements.append(StatementText(text, (*tokens[i:end], semicolon), locator))
                i = end
            continue
        j = i
        while j < n and not tokens[j].is_operator(";"):
            j += 1
        if j == n:
            where = locator.locate(tokens[-1].end)
            raise ScriptSyntaxError(
                "Missing ';' at the end of the statement", where.line, where.column, where.offset, 0
            )
        statements.append(StatementText(text, tuple(tokens[i : j + 1]), locator))
        i = j + 1
    return statements


def expand_statement(
    statement: StatementText,
    variables: Mapping[str, str],
    evaluate: Evaluator | None = None,
    include: Includer | None = None,
) -> list[StatementText]:
    """The statement after `$(...)` expansion (which may yield no, one or several statements)."""
    start, end = statement.tokens[0].offset, statement.tokens[-1].end
    if statement.text.find("$(", start, end) < 0:
        return [statement]
    expansion = expand_dollars(
        statement.text, start, end, variables, statement.locator, evaluate, include
    )
    locator = ExpansionLocator(expansion, statement.locator)
    tokens = tokenize_script(expansion.text, locator)
    if not tokens:
        return []
    if statement.tokens[-1].length == 0 and not tokens[-1].is_operator(";"):
        last = tokens[-1]
        tokens.append(Token(TokenKind.OPERATOR, ";", last.line, last.column, last.end, 0))
    if _is_control_start(list(statement.tokens), 0):  # a control header stays one statement
        return [StatementText(expansion.text, tuple(tokens), locator)]
    return split_statements(expansion.text, tokens, locator)


def statement_word(statement: StatementText) -> str:
    """The control word of a statement (`IF`, `END IF`, `NEXT` ...) or '' for others."""
    tokens = statement.tokens
    if not tokens or not _is_control_start(list(tokens[:2]), 0):
        return ""
    word = tokens[0].upper
    if word == "END":
        follow = tokens[1] if len(tokens) > 1 else None
        if follow is not None and follow.is_keyword("IF", "SUB", "SWITCH"):
            return f"END {follow.upper}"
        return "END"
    return {"ENDIF": "END IF", "ENDSUB": "END SUB", "ENDSWITCH": "END SWITCH"}.get(word, word)


# -- the control-flow tree ---------------------------------------------------------------------
@dataclass
class Leaf:
    statement: StatementText


@dataclass
class IfBlock:
    branches: list[tuple[StatementText, list[Node]]]  # IF and ELSEIF headers with bodies
    otherwise: list[Node] | None
    end: StatementText


@dataclass
class LoopBlock:
    """FOR / FOR EACH ... NEXT and DO ... LOOP."""

    header: StatementText
    body: list[Node]
    end: StatementText
    kind: str  # "for" | "do"


@dataclass
class SubBlock:
    header: StatementText
    body: list[Node]


@dataclass
class SwitchBlock:
    header: StatementText
    cases: list[tuple[StatementText, list[Node]]]  # CASE and DEFAULT headers with bodies


Node = Leaf | IfBlock | LoopBlock | SubBlock | SwitchBlock


@dataclass
class _Builder:
    statements: list[StatementText]
    pos: int = 0
    errors: list[ScriptSyntaxError] = field(default_factory=list)

    def error(self, statement: StatementText, message: str) -> ScriptSyntaxError:
        return TokenStream(statement).error(message, statement.tokens[0])

    def block(self, stops: tuple[str, ...]) -> list[Node]:
        body: list[Node] = []
        while self.pos < len(self.statements):
            statement = self.statements[self.pos]
            word = statement_word(statement)
            if word in stops:
                return body
            self.pos += 1
            if word == "IF":
                body.append(self.if_block(statement))
            elif word == "FOR":
                body.append(self.loop(statement, "NEXT", "for"))
            elif word == "DO":
                body.append(self.loop(statement, "LOOP", "do"))
            elif word == "SUB":
                inner = self.block(("END SUB",))
                self.close(statement, "END SUB")
                body.append(SubBlock(statement, inner))
            elif word == "SWITCH":
                body.append(self.switch(statement))
            elif word in (
                "ELSEIF",
                "ELSE",
                "END IF",
                "NEXT",
                "LOOP",
                "END SUB",
                "END SWITCH",
                "CASE",
                "DEFAULT",
                "END",
            ):
                raise self.error(statement, f"Unexpected '{statement.tokens[0].text}' here")
            else:
                body.append(Leaf(statement))
        return body

    def close(self, opener: StatementText, word: str) -> StatementText:
        if self.pos >= len(self.statements):
            name = opener.tokens[0].text
            raise self.error(opener, f"'{name}' without a matching '{word}'")
        end = self.statements[self.pos]
        self.pos += 1
        return end

    def if_block(self, header: StatementText) -> IfBlock:
        branches: list[tuple[StatementText, list[Node]]] = []
        current = header
        while True:
            body = self.block(("ELSEIF", "ELSE", "END IF"))
            branches.append((current, body))
            end = self.close(header, "END IF")
            word = statement_word(end)
            if word == "ELSEIF":
                current = end
                continue
            if word == "ELSE":
                otherwise = self.block(("END IF",))
                return IfBlock(branches, otherwise, self.close(header, "END IF"))
            return IfBlock(branches, None, end)

    def loop(self, header: StatementText, word: str, kind: str) -> LoopBlock:
        body = self.block((word,))
        return LoopBlock(header, body, self.close(header, word), kind)

    def switch(self, header: StatementText) -> SwitchBlock:
        cases: list[tuple[StatementText, list[Node]]] = []
        self.block(("CASE", "DEFAULT", "END SWITCH"))  # statements before the first CASE
        while True:
            end = self.close(header, "END SWITCH")
            if statement_word(end) == "END SWITCH":
                return SwitchBlock(header, cases)
            cases.append((end, self.block(("CASE", "DEFAULT", "END SWITCH"))))


def build_program(statements: list[StatementText]) -> list[Node]:
    """The control-flow tree of a split script; unbalanced blocks are syntax errors."""
    builder = _Builder(statements)
    program = builder.block(())
    return program


# -- statements --------------------------------------------------------------------------------
def parse_statement(statement: StatementText) -> Statement | None:
    """The node for one (expanded) regular statement; None for an empty one (a lone `;`)."""
    stream = TokenStream(statement)
    if stream.at_end():
        return None
    label: str | None = None
    if stream.peek().kind in NAME_KINDS and stream.peek(1).is_operator(":"):
        label = stream.next().text
        stream.next()
    head = stream.peek()
    if head.kind is TokenKind.IDENTIFIER and head.upper in LOAD_STARTS:
        return parse_load(stream, label)
    if label is not None:
        raise stream.unexpected(head, "'LOAD' or 'SELECT'")
    if head.kind is not TokenKind.IDENTIFIER:
        raise stream.unexpected(head, "a statement")
    parse = STATEMENTS.get(head.upper)
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
    """`LET name = expression;` (an empty right side empties the variable)."""
    keyword = stream.next()
    name = stream.expect_name("a variable name")
    stream.expect_operator("=")
    if stream.at_end():
        return LetVariable(name.text, None, stream.position(keyword))
    value = stream.expression()
    stream.expect_end()
    return LetVariable(name.text, value, stream.position(keyword))


def _names_until(stream: TokenStream, what: str, *stops: str) -> list[str]:
    names = [stream.expect_name(what).text]
    while stream.accept_operator(","):
        names.append(stream.expect_name(what).text)
    if not stream.at_end() and not stream.peek().is_keyword(*stops):
        raise stream.unexpected(stream.peek(), "',' or ';'")
    return names


def _parse_drop(stream: TokenStream) -> DropTables | DropFields:
    keyword = stream.next()
    kind = stream.expect_keyword("TABLE", "TABLES", "FIELD", "FIELDS")
    if kind.upper.startswith("TABLE"):
        names = _names_until(stream, "a table name")
        stream.expect_end()
        return DropTables(tuple(names), stream.position(keyword))
    names = _names_until(stream, "a field name", "FROM")
    tables: list[str] = []
    if stream.accept_keyword("FROM"):
        tables = _names_until(stream, "a table name")
    stream.expect_end()
    return DropFields(tuple(names), tuple(tables), stream.position(keyword))


def _parse_rename(stream: TokenStream) -> Rename:
    keyword = stream.next()
    kind = stream.expect_keyword("TABLE", "TABLES", "FIELD", "FIELDS")
    what = "table" if kind.upper.startswith("TABLE") else "field"
    if stream.accept_keyword("USING"):
        mapname = stream.expect_name("a mapping table name").text
        stream.expect_end()
        return Rename(what, (), mapname, stream.position(keyword))
    pairs: list[tuple[str, str]] = []
    while True:
        old = stream.expect_name(f"a {what} name").text
        stream.expect_keyword("TO")
        new = stream.expect_name(f"a new {what} name").text
        pairs.append((old, new))
        if not stream.accept_operator(","):
            break
    stream.expect_end()
    return Rename(what, tuple(pairs), None, stream.position(keyword))


def _parse_store(stream: TokenStream) -> Store:
    """`STORE [fields FROM] table INTO path [(format)];`"""
    stream.next()
    names: list[str] = []
    first = stream.peek()
    if first.is_operator("*"):
        stream.next()
        stream.expect_keyword("FROM")
        table = stream.expect_name("a table name").text
    else:
        names = _names_until(stream, "a table or field name", "FROM", "INTO")
        if stream.accept_keyword("FROM"):
            table = stream.expect_name("a table name").text
        else:
            if len(names) != 1:
                raise stream.unexpected(stream.peek(), "'FROM'")
            table, names = names[0], []
    stream.expect_keyword("INTO")
    path = parse_path(stream)
    spec = parse_format_spec(stream) if stream.peek().is_operator("(") else FormatSpec()
    stream.expect_end()
    return Store(table, tuple(names), path.path, spec, path.position)


def _parse_lib(stream: TokenStream) -> Connect:
    keyword = stream.next()
    stream.expect_keyword("CONNECT")
    stream.expect_keyword("TO")
    name = stream.next()
    if name.kind not in NAME_KINDS and name.kind is not TokenKind.STRING:
        raise stream.unexpected(name, "a connection name")
    stream.rest_text()
    return Connect(name.text, stream.position(keyword))


def _parse_connect(stream: TokenStream) -> Connect:
    keyword = stream.next()
    if keyword.upper in ("ODBC", "OLEDB", "CUSTOM"):
        stream.expect_keyword("CONNECT")
    if keyword.upper == "DISCONNECT":
        stream.expect_end()
        return Connect(None, stream.position(keyword))
    stream.accept_keyword("TO")
    name = stream.next()
    if name.kind not in NAME_KINDS and name.kind is not TokenKind.STRING:
        raise stream.unexpected(name, "a connection string")
    stream.rest_text()
    return Connect(name.text, stream.position(keyword))


def _parse_trace(stream: TokenStream) -> Trace:
    keyword = stream.next()
    return Trace(stream.rest_text(), stream.position(keyword))


def _parse_sleep(stream: TokenStream) -> Sleep:
    keyword = stream.next()
    value = stream.expression()
    stream.expect_end()
    return Sleep(value, stream.position(keyword))


def _quoted_text(stream: TokenStream) -> str:
    token = stream.next()
    if token.kind not in (TokenKind.STRING, *NAME_KINDS):
        raise stream.unexpected(token, "a quoted text")
    return token.text


def _parse_comment(stream: TokenStream) -> Comment:
    keyword = stream.next()
    kind = stream.expect_keyword("FIELD", "FIELDS", "TABLE", "TABLES")
    what = "table" if kind.upper.startswith("TABLE") else "field"
    if stream.accept_keyword("USING"):
        mapname = stream.expect_name("a mapping table name").text
        stream.expect_end()
        return Comment(what, (), None, mapname, stream.position(keyword))
    names = _names_until(stream, f"a {what} name", "WITH")
    stream.expect_keyword("WITH")
    text = _quoted_text(stream)
    stream.expect_end()
    return Comment(what, tuple(names), text, None, stream.position(keyword))


def _parse_tag(stream: TokenStream) -> Tag:
    keyword = stream.next()
    stream.expect_keyword("FIELD", "FIELDS")
    untag = keyword.upper == "UNTAG"
    if stream.accept_keyword("USING"):
        mapname = stream.expect_name("a mapping table name").text
        stream.expect_end()
        return Tag(untag, (), (), mapname, stream.position(keyword))
    names = _names_until(stream, "a field name", "WITH")
    stream.expect_keyword("WITH")
    tags = [_quoted_text(stream)]
    while stream.accept_operator(","):
        tags.append(_quoted_text(stream))
    stream.expect_end()
    return Tag(untag, tuple(names), tuple(tags), None, stream.position(keyword))


def _parse_qualify(stream: TokenStream) -> Qualify:
    keyword = stream.next()
    names = _parse_qualify_names(stream)
    return Qualify(keyword.upper == "UNQUALIFY", names, stream.position(keyword))


def _parse_qualify_names(stream: TokenStream) -> tuple[str, ...]:
    """`*`, names and quoted patterns separated by commas, up to the `;`."""
    names: list[str] = []
    while True:
        token = stream.next()
        if token.is_operator("*"):
            names.append("*")
        elif token.kind in NAME_KINDS or token.kind is TokenKind.STRING:
            names.append(token.text)
        else:
            raise stream.unexpected(token, "a field name or '*'")
        if not stream.accept_operator(","):
            break
    stream.expect_end()
    return tuple(names)


def _parse_map(stream: TokenStream) -> MapUsing:
    keyword = stream.next()
    names = _names_until(stream, "a field name", "USING")
    mapname: str | None = None
    if keyword.upper == "MAP":
        stream.expect_keyword("USING")
        mapname = stream.expect_name("a mapping table name").text
    stream.expect_end()
    return MapUsing(tuple(names), mapname, stream.position(keyword))


def _parse_alias(stream: TokenStream) -> Alias:
    keyword = stream.next()
    pairs: list[tuple[str, str]] = []
    while True:
        old = stream.expect_name("a field name").text
        stream.expect_keyword("AS")
        new = stream.expect_name("an alias").text
        pairs.append((old, new))
        if not stream.accept_operator(","):
            break
    stream.expect_end()
    return Alias(tuple(pairs), stream.position(keyword))


def _parse_binary(stream: TokenStream) -> Binary:
    keyword = stream.next()
    path = parse_path(stream)
    stream.expect_end()
    return Binary(path.path, stream.position(keyword))


def _parse_null_as(stream: TokenStream) -> NullAsValue:
    keyword = stream.next()
    qualify = _parse_qualify_names(stream)
    return NullAsValue(keyword.upper == "NULLASVALUE", qualify, stream.position(keyword))


def _parse_loosen(stream: TokenStream) -> Loosen:
    keyword = stream.next()
    stream.expect_keyword("TABLE", "TABLES")
    names = _names_until(stream, "a table name")
    stream.expect_end()
    return Loosen(tuple(names), stream.position(keyword))


def _parse_noop(stream: TokenStream) -> Noop:
    keyword = stream.next()
    stream.rest_text()
    return Noop(keyword.upper, stream.position(keyword))


def _parse_section(stream: TokenStream) -> Noop:
    keyword = stream.next()
    which = stream.expect_keyword("ACCESS", "APPLICATION")
    stream.expect_end()
    if which.upper == "ACCESS":
        raise stream.error("Section Access is not supported", which)
    return Noop("SECTION", stream.position(keyword))


def _arguments(stream: TokenStream) -> list[ExprText]:
    arguments: list[ExprText] = []
    if stream.accept_operator("(") and not stream.accept_operator(")"):
        arguments.append(stream.expression())
        while stream.accept_operator(","):
            arguments.append(stream.expression())
        stream.expect_operator(")")
    return arguments


def _parse_call(stream: TokenStream) -> Call:
    keyword = stream.next()
    name = stream.expect_name("a subroutine name")
    arguments = _arguments(stream)
    stream.expect_end()
    return Call(name.text, tuple(arguments), stream.position(keyword))


def _parse_exit(stream: TokenStream) -> Exit:
    keyword = stream.next()
    kind = stream.expect_keyword("SCRIPT", "FOR", "DO", "SUB")
    condition: ExprText | None = None
    unless = False
    word = stream.accept_keyword("WHEN", "UNLESS")
    if word is not None:
        unless = word.upper == "UNLESS"
        condition = stream.expression()
    stream.expect_end()
    return Exit(kind.upper.lower(), condition, unless, stream.position(keyword))


STATEMENTS: dict[str, Callable[[TokenStream], Statement]] = {
    "SET": _parse_set,
    "LET": _parse_let,
    "DROP": _parse_drop,
    "RENAME": _parse_rename,
    "STORE": _parse_store,
    "LIB": _parse_lib,
    "CONNECT": _parse_connect,
    "ODBC": _parse_connect,
    "OLEDB": _parse_connect,
    "CUSTOM": _parse_connect,
    "DISCONNECT": _parse_connect,
    "TRACE": _parse_trace,
    "SLEEP": _parse_sleep,
    "COMMENT": _parse_comment,
    "TAG": _parse_tag,
    "UNTAG": _parse_tag,
    "QUALIFY": _parse_qualify,
    "UNQUALIFY": _parse_qualify,
    "MAP": _parse_map,
    "UNMAP": _parse_map,
    "ALIAS": _parse_alias,
    "BINARY": _parse_binary,
    "CALL": _parse_call,
    "EXIT": _parse_exit,
    "SECTION": _parse_section,
    "LOOSEN": _parse_loosen,
    "NULLASVALUE": _parse_null_as,
    "NULLASNULL": _parse_null_as,
    "SEARCH": _parse_noop,
    "DIRECTORY": _parse_noop,
    "FORCE": _parse_noop,
    "FLUSHLOG": _parse_noop,
}


# -- control headers ---------------------------------------------------------------------------
def parse_condition(statement: StatementText) -> Condition:
    """IF / ELSEIF cond THEN, DO [WHILE|UNTIL cond], LOOP [WHILE|UNTIL cond]."""
    stream = TokenStream(statement)
    keyword = stream.next()
    position = stream.position(keyword)
    if keyword.upper in ("IF", "ELSEIF"):
        value = stream.expression()
        stream.expect_keyword("THEN")
        stream.expect_end()
        return Condition(value, False, position)
    word = stream.accept_keyword("WHILE", "UNTIL")
    if word is None:
        stream.expect_end()
        return Condition(None, False, position)
    value = stream.expression()
    stream.expect_end()
    return Condition(value, word.upper == "UNTIL", position)


def parse_for(statement: StatementText) -> ForHeader | ForEachHeader:
    stream = TokenStream(statement)
    keyword = stream.next()
    position = stream.position(keyword)
    if stream.accept_keyword("EACH"):
        variable = stream.expect_name("a variable name").text
        stream.expect_keyword("IN")
        items: list[ExprText | FileList | FieldValueList | DirList] = []
        while True:
            items.append(_for_each_item(stream))
            if not stream.accept_operator(","):
                break
        stream.expect_end()
        return ForEachHeader(variable, tuple(items), position)
    variable = stream.expect_name("a variable name").text
    stream.expect_operator("=")
    start = stream.expression()
    stream.expect_keyword("TO")
    stop = stream.expression()
    step = stream.expression() if stream.accept_keyword("STEP") else None
    stream.expect_end()
    return ForHeader(variable, start, stop, step, position)


def _for_each_item(stream: TokenStream) -> ExprText | FileList | FieldValueList | DirList:
    token = stream.peek()
    if token.is_keyword("FILELIST", "FIELDVALUELIST", "DIRLIST") and stream.peek(1).is_operator(
        "("
    ):
        stream.next()
        stream.next()
        value = stream.expression()
        stream.expect_operator(")")
        if token.upper == "FILELIST":
            return FileList(value)
        if token.upper == "DIRLIST":
            return DirList(value)
        return FieldValueList(value)
    return stream.expression()


def parse_next(statement: StatementText) -> str | None:
    stream = TokenStream(statement)
    stream.next()
    if stream.at_end():
        return None
    name = stream.expect_name("a variable name")
    stream.expect_end()
    return name.text


def parse_sub(statement: StatementText) -> SubHeader:
    stream = TokenStream(statement)
    keyword = stream.next()
    name = stream.expect_name("a subroutine name").text
    parameters: list[str] = []
    if stream.accept_operator("(") and not stream.accept_operator(")"):
        parameters = [t.text for t in stream.name_list("a parameter name")]
        stream.expect_operator(")")
    stream.expect_end()
    return SubHeader(name, tuple(parameters), stream.position(keyword))


def parse_switch(statement: StatementText) -> SwitchHeader:
    stream = TokenStream(statement)
    keyword = stream.next()
    value = stream.expression()
    stream.expect_end()
    return SwitchHeader(value, stream.position(keyword))


def parse_case(statement: StatementText) -> CaseHeader:
    stream = TokenStream(statement)
    keyword = stream.next()
    values: list[ExprText] = []
    if keyword.upper == "CASE":
        values.append(stream.expression())
        while stream.accept_operator(","):
            values.append(stream.expression())
    stream.expect_end()
    return CaseHeader(tuple(values), stream.position(keyword))


def check_end(statement: StatementText) -> None:
    """END IF / END SUB / END SWITCH / ELSE / DEFAULT take nothing more."""
    stream = TokenStream(statement)
    stream.next()
    if stream.peek().is_keyword("IF", "SUB", "SWITCH") and statement.tokens[0].upper == "END":
        stream.next()
    stream.expect_end()

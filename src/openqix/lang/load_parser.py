"""LOAD / SELECT statement parsing: prefixes, the field list (expressions with `as`
aliases), the source (FROM, INLINE, RESIDENT, AUTOGENERATE, FROM_FIELD, SQL, or none for a
preceding load), the `(format-spec)` and the WHERE / WHILE / GROUP BY / ORDER BY clauses.
Format items are tables from their words to `FormatSpec` settings.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import replace

from openqix.lang.expression import FieldRef
from openqix.lang.script_ast import (
    SPACES,
    AllFields,
    AutogenerateSource,
    ExprText,
    FieldItem,
    FieldValueSource,
    FileSource,
    FormatSpec,
    InlineSource,
    LoadStatement,
    OrderItem,
    Prefixes,
    ResidentSource,
    Source,
    SqlSource,
)
from openqix.lang.stream import TokenStream
from openqix.lang.tokens import NAME_KINDS, QUOTED_KINDS, Position, Token, TokenKind

# words that may start a LOAD / SELECT statement (prefixes included)
LOAD_STARTS = frozenset(
    {
        "LOAD",
        "SQL",
        "SELECT",
        "MAPPING",
        "CONCATENATE",
        "NOCONCATENATE",
        "JOIN",
        "KEEP",
        "LEFT",
        "RIGHT",
        "INNER",
        "OUTER",
        "CROSSTABLE",
        "GENERIC",
        "INTERVALMATCH",
        "HIERARCHY",
        "HIERARCHYBELONGSTO",
        "FIRST",
        "SAMPLE",
        "ADD",
        "REPLACE",
        "MERGE",
        "BUFFER",
        "BUNDLE",
        "INFO",
        "SEMANTIC",
    }
)
LOAD_PREFIXES = tuple(sorted(LOAD_STARTS - {"LOAD", "SQL", "SELECT"}))
_SOURCE_WORDS = ("FROM", "INLINE", "RESIDENT", "AUTOGENERATE", "FROM_FIELD", "EXTENSION")
_CLAUSES = ("WHERE", "WHILE", "GROUP", "ORDER")

# format item words -> (FormatSpec attribute, value)
_FORMAT_FLAGS: dict[str, tuple[str, str]] = {
    "EMBEDDED LABELS": ("labels", "embedded"),
    "EXPLICIT LABELS": ("labels", "explicit"),
    "NO LABELS": ("labels", "none"),
    "MSQ": ("quoting", "msq"),
    "NO QUOTES": ("quoting", "none"),
    "UTF8": ("encoding", "utf-8"),
    "UTF-8": ("encoding", "utf-8"),
    "ANSI": ("encoding", "cp1252"),
    "OEM": ("encoding", "cp437"),
    "MAC": ("encoding", "mac_roman"),
    "UNICODE": ("encoding", "utf-16"),
}
FILE_TYPES = frozenset(
    {
        "TXT",
        "CSV",
        "QVD",
        "QVX",
        "FIX",
        "DIF",
        "BIFF",
        "OOXML",
        "XLSX",
        "HTML",
        "XML",
        "JSON",
        "KML",
        "PARQUET",
    }
)
_DELIMITER_WORDS = {"TAB": "\t", "SPACES": SPACES}


def parse_load(stream: TokenStream, label: str | None) -> LoadStatement:
    """`[label:] prefixes (LOAD ... | SQL ... | SELECT ...);`"""
    prefixes = _prefixes(stream)
    keyword = stream.next()
    if keyword.is_keyword("SQL", "SELECT"):
        return _sql(stream, keyword, label, prefixes)
    if not keyword.is_keyword("LOAD"):
        raise stream.unexpected(keyword, "'LOAD' or 'SELECT'")
    distinct = stream.accept_keyword("DISTINCT") is not None
    fields = _field_list(stream)
    source = _source(stream)
    source_position = _source_pos(source)
    text_format = FormatSpec()
    if source is not None and stream.peek().is_operator("("):
        text_format = parse_format_spec(stream)
    where: ExprText | None = None
    while_: ExprText | None = None
    group_by: list[ExprText] = []
    order_by: list[OrderItem] = []
    while not stream.at_end():
        token = stream.next()
        if token.is_keyword("WHERE") and where is None:
            where = stream.expression()
        elif token.is_keyword("WHILE") and while_ is None:
            while_ = stream.expression()
        elif token.is_keyword("GROUP") and not group_by:
            stream.expect_keyword("BY")
            group_by = [stream.expression()]
            while stream.accept_operator(","):
                group_by.append(stream.expression())
        elif token.is_keyword("ORDER") and not order_by:
            stream.expect_keyword("BY")
            order_by = [_order_item(stream)]
            while stream.accept_operator(","):
                order_by.append(_order_item(stream))
        else:
            expected = "';'" if source is not None else "a source (FROM, INLINE, RESIDENT...)"
            raise stream.unexpected(token, expected)
    if order_by and not isinstance(source, ResidentSource):
        raise stream.error("ORDER BY is only allowed with RESIDENT", keyword)
    positions = _positions(fields)
    if positions and isinstance(source, FileSource):
        text_format = replace(text_format, positions=positions)
    return LoadStatement(
        label,
        prefixes.no_concatenate,
        tuple(fields),
        source,
        text_format,
        stream.position(keyword),
        prefixes,
        distinct,
        where,
        while_,
        tuple(group_by),
        tuple(order_by),
        source_position,
    )


def _source_pos(source: Source | None) -> Position | None:
    return None if source is None else source.position


def _sql(
    stream: TokenStream, keyword: Token, label: str | None, prefixes: Prefixes
) -> LoadStatement:
    first = keyword if keyword.is_keyword("SELECT") else stream.peek()
    if stream.at_end() and first is not keyword:
        raise stream.unexpected(first, "an SQL statement")
    last = stream.tokens[-2]
    stream.index = len(stream.tokens) - 1
    text = stream.raw_text(first, last)
    position = stream.statement.locator.locate(first.offset, last.end - first.offset)
    source = SqlSource(text, position)
    return LoadStatement(
        label,
        prefixes.no_concatenate,
        (AllFields(position),),
        source,
        FormatSpec(),
        stream.position(keyword),
        prefixes,
        source_position=position,
    )


def _order_item(stream: TokenStream) -> OrderItem:
    value = stream.expression()
    word = stream.accept_keyword("ASC", "DESC")
    return OrderItem(value, word is not None and word.upper == "DESC")


# -- prefixes ----------------------------------------------------------------------------------
def _target(stream: TokenStream) -> str | None:
    """An optional `(TableName)` after Concatenate / Join / Keep."""
    if not stream.accept_operator("("):
        return None
    name = stream.expect_name("a table name").text
    stream.expect_operator(")")
    return name


def _argument_words(stream: TokenStream) -> list[str]:
    """`(a, b, 'c', 3)` — names, strings or numbers, as texts."""
    stream.expect_operator("(")
    words: list[str] = []
    while True:
        token = stream.next()
        if token.kind not in (*NAME_KINDS, TokenKind.STRING, TokenKind.NUMBER):
            raise stream.unexpected(token, "a field name")
        words.append(token.text)
        if stream.accept_operator(")"):
            return words
        if not stream.peek().is_operator(","):
            raise stream.unexpected(stream.peek(), "',' or ')'")
        stream.next()


def _prefixes(stream: TokenStream) -> Prefixes:
    p = Prefixes()
    while True:
        token = stream.peek()
        word = token.upper if token.kind is TokenKind.IDENTIFIER else ""
        if word in ("LOAD", "SQL", "SELECT") or word not in LOAD_STARTS:
            return p
        stream.next()
        if word == "MAPPING":
            p = replace(p, mapping=True)
        elif word == "CONCATENATE":
            p = replace(p, concatenate=True, concatenate_to=_target(stream))
        elif word == "NOCONCATENATE":
            p = replace(p, no_concatenate=True)
        elif word in ("LEFT", "RIGHT", "INNER", "OUTER"):
            kind = stream.expect_keyword("JOIN", "KEEP")
            if kind.upper == "KEEP" and word == "OUTER":
                raise stream.error("Outer Keep is not allowed", kind)
            if kind.upper == "JOIN":
                p = replace(p, join=word.lower(), target=_target(stream))
            else:
                p = replace(p, keep=word.lower(), target=_target(stream))
        elif word == "JOIN":
            p = replace(p, join="outer", target=_target(stream))
        elif word == "KEEP":
            raise stream.error("Keep needs Left, Right or Inner", token)
        elif word == "CROSSTABLE":
            args = _argument_words(stream)
            if len(args) not in (2, 3):
                raise stream.error("Crosstable takes 2 or 3 arguments", token)
            qualifiers = 1
            if len(args) == 3:
                if not args[2].isdigit():
                    raise stream.error("The number of qualifier fields must be a number", token)
                qualifiers = int(args[2])
            p = replace(p, crosstable=(args[0], args[1], qualifiers))
        elif word == "GENERIC":
            p = replace(p, generic=True)
        elif word == "INTERVALMATCH":
            args = _argument_words(stream)
            p = replace(p, interval_match=(tuple(args[:1]), tuple(args[1:])))
        elif word == "HIERARCHY":
            args = _argument_words(stream)
            if not 3 <= len(args) <= 8:
                raise stream.error("Hierarchy takes 3 to 8 arguments", token)
            p = replace(p, hierarchy=tuple(args))
        elif word == "HIERARCHYBELONGSTO":
            args = _argument_words(stream)
            if not 5 <= len(args) <= 6:
                raise stream.error("HierarchyBelongsTo takes 5 or 6 arguments", token)
            p = replace(p, hierarchy_belongs_to=tuple(args))
        elif word == "FIRST":
            p = replace(p, first=stream.expression())
        elif word == "SAMPLE":
            p = replace(p, sample=stream.expression())
        elif word in ("ADD", "REPLACE"):
            only = stream.accept_keyword("ONLY") is not None
            p = replace(p, partial=word.lower(), only=only)
        elif word == "MERGE":
            p = _merge(stream, p)
        elif word == "BUFFER":
            if stream.peek().is_operator("("):
                _argument_words(stream)
            p = replace(p, buffer=True)
        else:  # BUNDLE, INFO, SEMANTIC
            raise stream.error(f"The {token.text} prefix is not supported", token)


def _merge(stream: TokenStream, p: Prefixes) -> Prefixes:
    """`Merge [Only] [(SequenceNoField [, SequenceNoVar])] On key, ... [Concatenate [(T)]]`"""
    only = stream.accept_keyword("ONLY") is not None
    sequence: str | None = None
    variable: str | None = None
    if stream.peek().is_operator("("):
        args = _argument_words(stream)
        if len(args) > 2:
            raise stream.error("Merge takes (SequenceNoField [, SequenceNoVar])", stream.peek())
        sequence = args[0]
        variable = args[1] if len(args) == 2 else None
    stream.expect_keyword("ON")
    keys = [stream.expect_name("a key field name").text]
    while stream.accept_operator(","):
        keys.append(stream.expect_name("a key field name").text)
    return replace(
        p,
        partial="merge",
        only=only,
        merge_keys=tuple(keys),
        merge_sequence=sequence,
        merge_variable=variable,
    )


# -- field list --------------------------------------------------------------------------------
def _field_list(stream: TokenStream) -> list[FieldItem | AllFields]:
    items = [_field_item(stream)]
    while stream.accept_operator(","):
        items.append(_field_item(stream))
    token = stream.peek()
    if not (stream.at_end() or token.is_keyword(*_SOURCE_WORDS, *_CLAUSES)):
        raise stream.unexpected(token, "',', 'AS', 'FROM', 'RESIDENT', 'INLINE' or ';'")
    return items


def _field_item(stream: TokenStream) -> FieldItem | AllFields:
    token = stream.peek()
    if _POSITION_START.fullmatch(token.text) and token.kind is TokenKind.IDENTIFIER:
        colon = stream.peek(1)
        if colon.is_operator(":") and colon.offset == token.end:
            return _position_item(stream)
    if token.is_operator("*") and (
        stream.peek(1).is_operator(",", ";") or stream.peek(1).is_keyword(*_SOURCE_WORDS, *_CLAUSES)
    ):
        stream.next()
        return AllFields(stream.position(token))
    if token.is_keyword(*_SOURCE_WORDS) or token.is_operator(";", ","):
        raise stream.unexpected(token, "a field")
    value = stream.expression()
    alias: str | None = None
    if stream.accept_keyword("AS"):
        alias_token = stream.next()
        if alias_token.kind not in (*NAME_KINDS, TokenKind.STRING):
            raise stream.unexpected(alias_token, "a field name")
        alias = alias_token.text
    name = value.expr.name if isinstance(value.expr, FieldRef) else None
    return FieldItem(name, alias, value.position, value)


_POSITION_START = re.compile(r"@\d+")
_POSITION = re.compile(r"@(\d+):(\d+|n)", re.IGNORECASE)


def _position_item(stream: TokenStream) -> FieldItem:
    """`@start:end [as alias]` of a fixed-record file: characters start..end (1-based,
    inclusive); `@start:n` runs to the end of the record. The field is named `@start:end`."""
    first = stream.next()
    stream.next()  # ":"
    last = stream.next()
    if last.offset != first.end + 1 or not (
        (last.kind is TokenKind.NUMBER and last.text.isdigit())
        or (last.kind is TokenKind.IDENTIFIER and last.upper in ("N", "NT"))
    ):
        raise stream.unexpected(last, "an end position (a number or n)")
    suffix = stream.peek()
    if suffix.kind is TokenKind.IDENTIFIER and suffix.offset == last.end:
        if suffix.upper != "T":
            raise stream.error(
                f"Binary field type '{suffix.text}' is not supported (only text fields)", suffix
            )
        stream.next()
    end_text = "n" if last.upper.startswith("N") else last.text
    name = f"{first.text}:{end_text}"
    start = int(first.text[1:])
    if start < 1 or (end_text != "n" and int(end_text) < start):
        raise stream.error(f"Invalid field position: {name}", first)
    position = stream.statement.locator.locate(first.offset, last.end - first.offset)
    value = ExprText(FieldRef(name, True), name, position)
    alias: str | None = None
    if stream.accept_keyword("AS"):
        alias_token = stream.next()
        if alias_token.kind not in (*NAME_KINDS, TokenKind.STRING):
            raise stream.unexpected(alias_token, "a field name")
        alias = alias_token.text
    return FieldItem(name, alias, position, value)


def _positions(
    fields: list[FieldItem | AllFields],
) -> tuple[tuple[str, int, int | None], ...]:
    """The distinct `@start:end` fields of a field list as (name, 0-based start, end)."""
    seen: dict[str, tuple[str, int, int | None]] = {}
    for item in fields:
        if isinstance(item, FieldItem) and item.name and item.name not in seen:
            match = _POSITION.fullmatch(item.name)
            if (
                match is not None
                and isinstance(item.value, ExprText)
                and item.value.text == item.name
            ):
                start, end = match.groups()
                seen[item.name] = (item.name, int(start) - 1, None if end == "n" else int(end))
    return tuple(seen.values())


# -- sources -----------------------------------------------------------------------------------
def _source(stream: TokenStream) -> Source | None:
    token = stream.peek()
    if stream.at_end() or token.is_keyword(*_CLAUSES):
        return None  # a preceding load
    keyword = stream.next()
    if keyword.is_keyword("INLINE"):
        data = stream.next()
        if data.kind not in QUOTED_KINDS:
            raise stream.unexpected(data, "inline data in [ ], quotes or backticks")
        return InlineSource(data.text, stream.position(data))
    if keyword.is_keyword("FROM"):
        return parse_path(stream)
    if keyword.is_keyword("RESIDENT"):
        table = stream.expect_name("a table name")
        return ResidentSource(table.text, stream.position(table))
    if keyword.is_keyword("AUTOGENERATE"):
        count = stream.expression()
        return AutogenerateSource(count, count.position)
    if keyword.is_keyword("FROM_FIELD"):
        stream.expect_operator("(")
        table = stream.expect_name("a table name")
        stream.expect_operator(",")
        name = stream.expect_name("a field name")
        stream.expect_operator(")")
        return FieldValueSource(table.text, name.text, stream.position(table))
    raise stream.error(f"{keyword.text} loads are not supported", keyword)


def parse_path(stream: TokenStream) -> FileSource:
    """A quoted path (`[...]`, `'...'`, `"..."`) or the unquoted tokens that touch each other."""
    first = stream.peek()
    if first.kind in QUOTED_KINDS:
        stream.next()
        return FileSource(first.text, stream.position(first))
    if first.is_operator("(", ";"):
        raise stream.unexpected(first, "a file path")
    last = stream.next()
    while stream.peek().offset == last.end and not stream.peek().is_operator("(", ";"):
        last = stream.next()
    position = stream.statement.locator.locate(first.offset, last.end - first.offset)
    return FileSource(stream.raw_text(first, last), position)


def parse_format_spec(stream: TokenStream) -> FormatSpec:
    stream.next()  # "("
    settings: dict[str, object] = {}
    while True:
        item = _format_item_tokens(stream)
        attribute, value = _format_item(stream, item)
        settings[attribute] = value
        if stream.next().is_operator(")"):
            return FormatSpec(**settings)  # type: ignore[arg-type]


def _format_item_tokens(stream: TokenStream) -> list[Token]:
    item: list[Token] = []
    while not stream.peek().is_operator(",", ")"):
        if stream.at_end():
            raise stream.unexpected(stream.peek(), "')'")
        item.append(stream.next())
    if not item:
        raise stream.unexpected(stream.peek(), "a format specification item")
    return item


def _format_item(stream: TokenStream, item: list[Token]) -> tuple[str, object]:
    words: list[str] = []
    for token in item:
        if token.kind is not TokenKind.IDENTIFIER:
            break
        words.append(token.upper)
    key = " ".join(words)
    if key in _FORMAT_FLAGS and len(words) == len(item):
        return _FORMAT_FLAGS[key]
    if len(item) == 1 and key in FILE_TYPES:
        return "file_type", key.lower()
    if key == "NO EOF":
        return "no_eof", True
    if words[:2] == ["DELIMITER", "IS"] and len(item) == 3:
        return "delimiter", _delimiter(stream, item[2])
    if words[:2] == ["CODEPAGE", "IS"] and len(item) == 3:
        return "encoding", _codepage(stream, item[2])
    if words[:2] == ["TABLE", "IS"] and len(item) >= 3:
        return "table", item[2].text if len(item) == 3 else stream.raw_text(item[2], item[-1])
    if words[:2] == ["COMMENT", "IS"] and len(item) == 3:
        return "comment", item[2].text
    if words[:2] == ["RECORD", "IS"] and len(item) == 3 and item[2].kind is TokenKind.NUMBER:
        return "record_length", int(float(item[2].text))  # `record is N`: characters
    if words[:2] in (["HEADER", "IS"], ["RECORD", "IS"]) and len(item) in (3, 4):
        attribute = "header_lines" if words[0] == "HEADER" else "record_lines"
        if item[2].is_keyword("LINE") and len(item) == 3:
            return attribute, 1
        if item[2].kind is TokenKind.NUMBER and (
            len(item) == 3 or item[3].is_keyword("LINES", "LINE")
        ):
            return attribute, int(float(item[2].text))
    text = stream.raw_text(item[0], item[-1])
    raise stream.error(f"Unsupported format specification item: '{text}'", item[0])


def _delimiter(stream: TokenStream, token: Token) -> str:
    if token.kind is TokenKind.IDENTIFIER and token.upper in _DELIMITER_WORDS:
        return _DELIMITER_WORDS[token.upper]
    if token.kind not in (TokenKind.STRING, TokenKind.QUOTED_NAME):
        raise stream.unexpected(token, "a quoted delimiter, 'tab' or 'spaces'")
    value = token.text.replace("\\t", "\t")
    if value.lower() == "tab":
        value = "\t"
    if len(value) != 1:
        raise stream.error("The delimiter must be one character", token)
    return value


def _codepage(stream: TokenStream, token: Token) -> str:
    name = f"cp{token.text}"
    if token.text in ("65001",):
        return "utf-8"
    if token.text in ("1200",):
        return "utf-16"
    try:
        codecs.lookup(name)
    except LookupError:
        raise stream.error(f"Unknown codepage: {token.text}", token) from None
    return name

"""LOAD statement parsing: prefixes, the field list, the source (INLINE or FROM) and the
`(format-spec)`. Format items are tables from their words to `FormatSpec` settings; clauses
and sources this engine does not run yet fail with a "not supported yet" error at their token.
"""

from __future__ import annotations

import codecs

from openqix.lang.script_ast import (
    SPACES,
    AllFields,
    FieldItem,
    FileSource,
    FormatSpec,
    InlineSource,
    LoadStatement,
)
from openqix.lang.stream import TokenStream
from openqix.lang.tokens import NAME_KINDS, QUOTED_KINDS, Token, TokenKind

LOAD_PREFIXES = ("NOCONCATENATE",)
_SOURCES = ("FROM", "INLINE")
_SOURCES_LATER = ("RESIDENT", "AUTOGENERATE", "FROM_FIELD", "EXTENSION")
_CLAUSES_LATER = ("WHERE", "WHILE", "GROUP", "ORDER")
_NO_EXPRESSIONS = "Expressions in LOAD field lists are not supported yet"

# format item words -> (FormatSpec attribute, value)
_FORMAT_FLAGS: dict[str, tuple[str, str]] = {
    "TXT": ("file_type", "txt"),
    "EMBEDDED LABELS": ("labels", "embedded"),
    "EXPLICIT LABELS": ("labels", "explicit"),
    "NO LABELS": ("labels", "none"),
    "MSQ": ("quoting", "msq"),
    "NO QUOTES": ("quoting", "none"),
    "UTF8": ("encoding", "utf-8"),
    "ANSI": ("encoding", "cp1252"),
    "UNICODE": ("encoding", "utf-16"),
}
_FILE_TYPES_LATER = frozenset(
    {"QVD", "QVX", "FIX", "DIF", "BIFF", "OOXML", "HTML", "XML", "JSON", "KML", "PARQUET"}
)
_DELIMITER_WORDS = {"TAB": "\t", "SPACES": SPACES}


def parse_load(stream: TokenStream, label: str | None) -> LoadStatement:
    """`[label:] [NoConcatenate] LOAD fields (INLINE data | FROM path) [(format)];`"""
    no_concatenate = False
    while stream.peek().is_keyword(*LOAD_PREFIXES):
        stream.next()
        no_concatenate = True
    keyword = stream.next()
    if not keyword.is_keyword("LOAD"):
        raise stream.unexpected(keyword, "'LOAD'")
    if stream.peek().is_keyword("DISTINCT"):
        raise stream.error("LOAD DISTINCT is not supported yet", stream.peek())
    fields = _field_list(stream)
    source = _source(stream)
    text_format = _format_spec(stream) if stream.peek().is_operator("(") else FormatSpec()
    if not stream.at_end():
        token = stream.peek()
        if token.is_keyword(*_CLAUSES_LATER):
            raise stream.error(f"{token.upper} clauses are not supported yet", token)
        raise stream.unexpected(token, "';'")
    return LoadStatement(
        label, no_concatenate, tuple(fields), source, text_format, stream.position(keyword)
    )


def _field_list(stream: TokenStream) -> list[FieldItem | AllFields]:
    items = [_field_item(stream)]
    while True:
        token = stream.peek()
        if token.is_operator(","):
            stream.next()
            items.append(_field_item(stream))
        elif token.is_keyword(*_SOURCES):
            return items
        elif token.is_keyword(*_SOURCES_LATER):
            raise stream.error(f"{token.upper} loads are not supported yet", token)
        elif token.kind in (TokenKind.OPERATOR, TokenKind.OTHER) and not token.is_operator(";"):
            raise stream.error(_NO_EXPRESSIONS, token)
        else:
            raise stream.unexpected(token, "',', 'FROM' or 'INLINE'")


def _field_item(stream: TokenStream) -> FieldItem | AllFields:
    token = stream.next()
    if token.is_operator("*"):
        return AllFields(stream.position(token))
    if token.is_keyword(*_SOURCES) or token.is_operator(";", ","):
        raise stream.unexpected(token, "a field")
    if token.kind not in NAME_KINDS:
        raise stream.error(_NO_EXPRESSIONS, token)
    alias: str | None = None
    if stream.peek().is_keyword("AS"):
        stream.next()
        alias = stream.expect_name("a field name").text
    return FieldItem(token.text, alias, stream.position(token))


def _source(stream: TokenStream) -> InlineSource | FileSource:
    keyword = stream.next()
    if keyword.is_keyword("INLINE"):
        data = stream.next()
        if data.kind not in QUOTED_KINDS:
            raise stream.unexpected(data, "inline data in [ ], quotes or backticks")
        return InlineSource(data.text, stream.position(data))
    first = stream.peek()
    if first.kind in QUOTED_KINDS:
        stream.next()
        return FileSource(first.text, stream.position(first))
    return _bare_path(stream)


def _bare_path(stream: TokenStream) -> FileSource:
    """An unquoted path: the tokens that touch each other, up to `(` or `;`."""
    first = stream.peek()
    if first.is_operator("(", ";"):
        raise stream.unexpected(first, "a file path")
    last = stream.next()
    while stream.peek().offset == last.end and not stream.peek().is_operator("(", ";"):
        last = stream.next()
    position = stream.statement.locator.locate(first.offset, last.end - first.offset)
    return FileSource(stream.raw_text(first, last), position)


def _format_spec(stream: TokenStream) -> FormatSpec:
    stream.next()  # "("
    settings: dict[str, str] = {}
    while True:
        item = _format_item_tokens(stream)
        attribute, value = _format_item(stream, item)
        settings[attribute] = value
        if stream.next().is_operator(")"):
            return FormatSpec(**settings)


def _format_item_tokens(stream: TokenStream) -> list[Token]:
    item: list[Token] = []
    while not stream.peek().is_operator(",", ")"):
        if stream.at_end():
            raise stream.unexpected(stream.peek(), "')'")
        item.append(stream.next())
    if not item:
        raise stream.unexpected(stream.peek(), "a format specification item")
    return item


def _format_item(stream: TokenStream, item: list[Token]) -> tuple[str, str]:
    words: list[str] = []
    for token in item:
        if token.kind is not TokenKind.IDENTIFIER:
            break
        words.append(token.upper)
    key = " ".join(words)
    if key in _FORMAT_FLAGS and len(words) == len(item):
        return _FORMAT_FLAGS[key]
    if words[:2] == ["DELIMITER", "IS"] and len(item) == 3:
        return "delimiter", _delimiter(stream, item[2])
    if words[:2] == ["CODEPAGE", "IS"] and len(item) == 3:
        return "encoding", _codepage(stream, item[2])
    if words and words[0] in _FILE_TYPES_LATER:
        raise stream.error(f"File format '{item[0].text}' is not supported yet", item[0])
    text = stream.raw_text(item[0], item[-1])
    raise stream.error(f"Unsupported format specification item: '{text}'", item[0])


def _delimiter(stream: TokenStream, token: Token) -> str:
    if token.kind is TokenKind.IDENTIFIER and token.upper in _DELIMITER_WORDS:
        return _DELIMITER_WORDS[token.upper]
    if token.kind not in (TokenKind.STRING, TokenKind.QUOTED_NAME):
        raise stream.unexpected(token, "a quoted delimiter, 'tab' or 'spaces'")
    value = token.text.replace("\\t", "\t")
    if len(value) != 1:
        raise stream.error("The delimiter must be one character", token)
    return value


def _codepage(stream: TokenStream, token: Token) -> str:
    name = f"cp{token.text}"
    try:
        codecs.lookup(name)
    except LookupError:
        raise stream.error(f"Unknown codepage: {token.text}", token) from None
    return name

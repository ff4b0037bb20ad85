"""Load-script statements as plain data, built by `script_parser` and run by `script/`.

Every node keeps the position (in the user's text) of the part an execution error would
point at: a field reference, the source path, the LOAD keyword. Expressions are the AST of
`openqix.lang.expression` (typed `Any` here so this module stays free of the expression
grammar); `ExprText` keeps an expression's source text with it for naming and messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openqix.lang.tokens import Position

SPACES = "spaces"  # `delimiter is spaces`: fields are separated by runs of blanks


@dataclass(frozen=True)
class ExprText:
    """A parsed expression with its text as written (after `$(...)` expansion)."""

    expr: Any
    text: str
    position: Position


@dataclass(frozen=True)
class SetVariable:
    """`SET name = text;` — the text is stored unevaluated (one pair of quotes removed)."""

    name: str
    value: str
    position: Position


@dataclass(frozen=True)
class LetVariable:
    """`LET name = expr;` — the expression is evaluated once; None (`LET x = ;`) empties x."""

    name: str
    value: ExprText | None
    position: Position


@dataclass(frozen=True)
class FieldItem:
    """One item of a LOAD field list: an expression with an optional `as` alias.

    `name` is the source field for a plain field reference (None for other expressions);
    the output name is the alias, else the field name, else the expression text.
    """

    name: str | None
    alias: str | None
    position: Position
    value: ExprText | None = None

    @property
    def output_name(self) -> str:
        if self.alias is not None:
            return self.alias
        if self.name is not None:
            return self.name
        return self.value.text if self.value is not None else ""


@dataclass(frozen=True)
class AllFields:
    """`*` in a LOAD field list: every source field, in source order."""

    position: Position


@dataclass(frozen=True)
class InlineSource:
    data: str
    position: Position


@dataclass(frozen=True)
class FileSource:
    path: str
    position: Position


@dataclass(frozen=True)
class ResidentSource:
    table: str
    position: Position


@dataclass(frozen=True)
class AutogenerateSource:
    count: ExprText
    position: Position


@dataclass(frozen=True)
class SqlSource:
    """`SQL SELECT ...` (or any SQL text) sent as written to the current connection."""

    text: str
    position: Position


@dataclass(frozen=True)
class FieldValueSource:
    """`LOAD ... FROM_FIELD (table, field)` — rows from the values of a loaded field."""

    table: str
    field_name: str
    position: Position


Source = (
    InlineSource | FileSource | ResidentSource | AutogenerateSource | SqlSource | FieldValueSource
)


@dataclass(frozen=True)
class FormatSpec:
    """The `(txt, ...)` items of a LOAD; None means "not given, use the default".

    Read by the SOURCES helper's readers (script/sources): `file_type` is one of txt, qvd,
    parquet, ooxml, json, fix, ... (lower case); `header_lines` lines are skipped before the
    labels; `table` is `table is Sheet1` (XLSX sheet / JSON path); `comment` lines starting
    with it are skipped; `record` is `record is N lines` for fixed records.
    """

    file_type: str | None = None
    delimiter: str | None = None  # one character, or SPACES
    labels: str | None = None  # "embedded" | "explicit" | "none"
    quoting: str | None = None  # "msq" | "none" | "standard"
    encoding: str | None = None  # a Python codec name
    header_lines: int | None = None
    table: str | None = None
    comment: str | None = None
    record_lines: int | None = None
    no_eof: bool = False
    record_length: int | None = None  # `record is N` (characters per record, fix)
    # `@start:end` fields of a fixed-record LOAD: (field name as written, 0-based start,
    # exclusive end or None for `@start:n`), set by the parser from the field list
    positions: tuple[tuple[str, int, int | None], ...] = ()


@dataclass(frozen=True)
class OrderItem:
    value: ExprText
    descending: bool


@dataclass(frozen=True)
class Prefixes:
    """The prefixes of one LOAD / SELECT; all off by default."""

    mapping: bool = False
    concatenate: bool = False
    concatenate_to: str | None = None
    no_concatenate: bool = False
    join: str | None = None  # "outer" | "left" | "right" | "inner"
    keep: str | None = None  # "left" | "right" | "inner"
    target: str | None = None  # (T) of Join / Keep
    crosstable: tuple[str, str, int] | None = None  # attribute field, data field, qualifiers
    generic: bool = False
    interval_match: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # (fields, keys)
    hierarchy: tuple[str, ...] | None = None  # Hierarchy(...) arguments
    hierarchy_belongs_to: tuple[str, ...] | None = None
    first: ExprText | None = None
    sample: ExprText | None = None
    partial: str | None = None  # "add" | "replace" | "merge"
    only: bool = False  # `Add Only` / `Replace Only` / `Merge Only`: only in a partial reload
    merge_keys: tuple[str, ...] = ()  # Merge ... On key, ...
    merge_sequence: str | None = None  # Merge (SequenceNoField [, SequenceNoVar]) ...
    merge_variable: str | None = None
    buffer: bool = False


@dataclass(frozen=True)
class LoadStatement:
    label: str | None
    no_concatenate: bool
    fields: tuple[FieldItem | AllFields, ...]
    source: Source | None  # None: a preceding load fed by the next LOAD / SELECT
    text_format: FormatSpec
    position: Position
    prefixes: Prefixes = field(default_factory=Prefixes)
    distinct: bool = False
    where: ExprText | None = None
    while_: ExprText | None = None
    group_by: tuple[ExprText, ...] = ()
    order_by: tuple[OrderItem, ...] = ()
    source_position: Position | None = None


@dataclass(frozen=True)
class DropTables:
    names: tuple[str, ...]
    position: Position


@dataclass(frozen=True)
class DropFields:
    names: tuple[str, ...]
    tables: tuple[str, ...]  # `FROM t1, t2`; empty = every table
    position: Position


@dataclass(frozen=True)
class Rename:
    """RENAME TABLE/FIELD old TO new, ...  or  RENAME ... USING mapname."""

    kind: str  # "table" | "field"
    pairs: tuple[tuple[str, str], ...]
    using: str | None
    position: Position


@dataclass(frozen=True)
class Store:
    table: str
    fields: tuple[str, ...]  # empty = every field
    path: str
    text_format: FormatSpec
    position: Position


@dataclass(frozen=True)
class Connect:
    """`LIB CONNECT TO 'name'` / `CONNECT TO '...'` / `DISCONNECT` (name None)."""

    name: str | None
    position: Position


@dataclass(frozen=True)
class Trace:
    text: str
    position: Position


@dataclass(frozen=True)
class Sleep:
    milliseconds: ExprText
    position: Position


@dataclass(frozen=True)
class Comment:
    """COMMENT FIELD/TABLE name WITH text, or COMMENT ... USING mapname."""

    kind: str  # "field" | "table"
    names: tuple[str, ...]
    text: str | None
    using: str | None
    position: Position


@dataclass(frozen=True)
class Tag:
    """TAG / UNTAG FIELD(S) names WITH tags, or USING mapname."""

    untag: bool
    names: tuple[str, ...]
    tags: tuple[str, ...]
    using: str | None
    position: Position


@dataclass(frozen=True)
class Qualify:
    unqualify: bool
    names: tuple[str, ...]  # may contain `*` and `?` wildcards
    position: Position


@dataclass(frozen=True)
class MapUsing:
    """MAP fields USING mapname (UNMAP fields: mapname None)."""

    names: tuple[str, ...]
    mapname: str | None
    position: Position


@dataclass(frozen=True)
class Alias:
    pairs: tuple[tuple[str, str], ...]
    position: Position


@dataclass(frozen=True)
class Binary:
    path: str
    position: Position


@dataclass(frozen=True)
class Call:
    name: str
    arguments: tuple[ExprText, ...]
    position: Position


@dataclass(frozen=True)
class Exit:
    """EXIT SCRIPT / FOR / DO / SUB [WHEN | UNLESS condition]."""

    kind: str  # "script" | "for" | "do" | "sub"
    condition: ExprText | None
    unless: bool
    position: Position


@dataclass(frozen=True)
class NullAsValue:
    """NULLASVALUE fields (NULLASNULL: `as_value` False): NULL becomes the NullValue text."""

    as_value: bool
    names: tuple[str, ...]  # may contain `*` and `?` wildcards
    position: Position


@dataclass(frozen=True)
class Loosen:
    """LOOSEN TABLE[S] a, b: the tables are loosely coupled in the model."""

    names: tuple[str, ...]
    position: Position


@dataclass(frozen=True)
class Noop:
    """A statement accepted and ignored (`Section Application`, `Directory`, `Force ...`)."""

    keyword: str
    position: Position


Statement = (
    SetVariable
    | LetVariable
    | LoadStatement
    | DropTables
    | DropFields
    | Rename
    | Store
    | Connect
    | Trace
    | Sleep
    | Comment
    | Tag
    | Qualify
    | MapUsing
    | Alias
    | Binary
    | Call
    | Exit
    | Loosen
    | NullAsValue
    | Noop
)


# -- control statement headers (their bodies live in the executor's program tree) -----------
@dataclass(frozen=True)
class Condition:
    """IF / ELSEIF / DO WHILE|UNTIL / LOOP WHILE|UNTIL: `until` negates the condition."""

    value: ExprText | None
    until: bool
    position: Position


@dataclass(frozen=True)
class ForHeader:
    variable: str
    start: ExprText
    stop: ExprText
    step: ExprText | None
    position: Position


@dataclass(frozen=True)
class FileList:
    mask: ExprText


@dataclass(frozen=True)
class FieldValueList:
    field_name: ExprText


@dataclass(frozen=True)
class DirList:
    mask: ExprText


@dataclass(frozen=True)
class ForEachHeader:
    variable: str
    items: tuple[ExprText | FileList | FieldValueList | DirList, ...]
    position: Position


@dataclass(frozen=True)
class SubHeader:
    name: str
    parameters: tuple[str, ...]
    position: Position


@dataclass(frozen=True)
class SwitchHeader:
    value: ExprText
    position: Position


@dataclass(frozen=True)
class CaseHeader:
    values: tuple[ExprText, ...]  # empty = DEFAULT
    position: Position

"""Load-script statements as plain data, built by `script_parser` and run by `script/`.

Every node keeps the position (in the user's text) of the part an execution error would
point at: a field reference, the source path, the LOAD keyword.
"""

from __future__ import annotations

from dataclasses import dataclass

from openqix.lang.tokens import Position

SPACES = "spaces"  # `delimiter is spaces`: fields are separated by runs of blanks


@dataclass(frozen=True)
class SetVariable:
    """`SET name = text;` — the text is stored unevaluated (one pair of quotes removed)."""

    name: str
    value: str
    position: Position


@dataclass(frozen=True)
class LetVariable:
    """`LET name = expr;` — only a number or a quoted string literal for now."""

    name: str
    value: float | str
    position: Position


@dataclass(frozen=True)
class FieldItem:
    """`Field` or `Field as Alias` in a LOAD field list."""

    name: str
    alias: str | None
    position: Position

    @property
    def output_name(self) -> str:
        return self.name if self.alias is None else self.alias


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
class FormatSpec:
    """The `(txt, ...)` items of a LOAD; None means "not given, use the default"."""

    file_type: str | None = None
    delimiter: str | None = None  # one character, or SPACES
    labels: str | None = None  # "embedded" | "explicit" | "none"
    quoting: str | None = None  # "msq" | "none"
    encoding: str | None = None  # a Python codec name


@dataclass(frozen=True)
class LoadStatement:
    label: str | None
    no_concatenate: bool
    fields: tuple[FieldItem | AllFields, ...]
    source: InlineSource | FileSource
    text_format: FormatSpec
    position: Position


Statement = SetVariable | LetVariable | LoadStatement

"""Delimited text (CSV and the like) into columns of texts, the way Qlik reads `txt` files.

Unquoted values are trimmed of surrounding blanks; an empty value is an empty string, never
NULL; rows shorter than the header get empty strings in the missing fields (text files hold no
NULL: qix-semantics-resolved 7d), longer rows are cut; blank
lines are skipped. Quotes (`"`, doubled inside) open a value only at its start; `msq` lets a
quoted value span lines, `no quotes` makes quotes plain text. `header is N lines` skips N lines
before the labels, `comment is X` skips lines starting with X. A delimiter may be several
characters. Files take the multi-threaded pyarrow path of text_fast.py when its reading agrees
with these rules; anything else goes through the Python parser below.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from openqix.lang.script_ast import SPACES
from openqix.script.errors import CannotOpenFileError
from openqix.script.sources import text_fast
from openqix.script.sources.options import ReadOptions
from openqix.script.sources.table import SourceTable

_QUOTE = '"'
_SPACED_VALUE = re.compile(r'"((?:[^"]|"")*)"|(\S+)')


@dataclass(frozen=True)
class TextFormat:
    """How to read one text source: `delimiter` is one character or `SPACES`."""

    delimiter: str = ","
    labels: str = "embedded"  # embedded | explicit | none (fields @1, @2, ...)
    quoting: str = "standard"  # standard | msq | none
    encoding: str = "utf-8"
    header_lines: int = 0
    comment: str | None = None


@dataclass(frozen=True)
class TextTable:
    """Field names and one sequence of texts per field, all of the same length."""

    field_names: tuple[str, ...]
    columns: tuple[Sequence[str | None], ...]

    @property
    def n_rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def rows(self) -> list[tuple[str | None, ...]]:
        return list(zip(*self.columns, strict=True))


def read_delimited_file(path: Path, text_format: TextFormat) -> TextTable:
    """Read and parse one file; a UTF-8 byte order mark wins over the given encoding."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CannotOpenFileError(f"Cannot open file: '{path.name}'") from error
    return parse_delimited(decode_text(data, text_format.encoding), text_format)


def decode_text(data: bytes, encoding: str) -> str:
    """Bytes to text: a byte order mark (UTF-8 or UTF-16) wins over the given encoding."""
    if data.startswith(b"\xef\xbb\xbf") or encoding in ("utf-8", "utf8", "utf_8"):
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16", errors="replace")
        return data.decode("utf-8-sig", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and not encoding.startswith("utf"):
        return data.decode("utf-16", errors="replace")
    return data.decode(encoding, errors="replace").removeprefix("\ufeff")


def parse_delimited(text: str, text_format: TextFormat) -> TextTable:
    """Parse text already decoded; CRLF and LF line ends are both accepted."""
    text = _skip_lines(text.replace("\r\n", "\n"), text_format)
    labelled = text_format.labels != "none"
    if text_format.delimiter == SPACES:
        return _from_records(_spaced_records(text, text_format.quoting != "none"), labelled)
    dialect = _Dialect(text_format)
    grid = dialect.bulk_split(text)
    if grid is None:
        return _from_records(dialect.records(text), labelled)
    width, values = grid
    body = width if labelled else 0
    names = _names(values[:width]) if labelled else _names([""] * width)
    return TextTable(names, tuple(values[body + j :: width] for j in range(width)))


def _skip_lines(text: str, text_format: TextFormat) -> str:
    """Drop `header is N lines` and the lines starting with the comment string."""
    if text_format.header_lines > 0:
        parts = text.split("\n", text_format.header_lines)
        text = parts[-1] if len(parts) > text_format.header_lines else ""
    comment = text_format.comment
    if comment and comment in text:
        text = "\n".join(line for line in text.split("\n") if not line.startswith(comment))
    return text


def _names(header: Sequence[str]) -> tuple[str, ...]:
    """Field names of a header; a column without one is `@n` (its 1-based number)."""
    return tuple(name or f"@{i}" for i, name in enumerate(header, start=1))


def _from_records(records: Iterator[list[str]], labelled: bool) -> TextTable:
    if labelled:
        header = next(records, [])
        rows = list(records)
        width = len(header)
    else:
        rows = list(records)
        width = max(map(len, rows), default=0)
        header = [""] * width
    return TextTable(_names(header), _columns(rows, width))


def _columns(rows: list[list[str]], width: int) -> tuple[Sequence[str | None], ...]:
    if width == 0:
        return ()
    padded: list[list[str | None]] = []
    for row in rows:
        if len(row) == width:
            padded.append(row)  # type: ignore[arg-type]
        else:
            missing: list[str | None] = [""] * (width - len(row))
            padded.append([*row[:width], *missing])
    if not padded:
        return tuple([] for _ in range(width))
    return tuple(zip(*padded, strict=True))


def _spaced_records(text: str, quoted: bool) -> Iterator[list[str]]:
    """`delimiter is spaces`: runs of blanks separate values; quotes may hold blanks."""
    for line in text.split("\n"):
        if quoted and _QUOTE in line:
            values = [
                m.group(2) if m.group(1) is None else m.group(1).replace('""', '"')
                for m in _SPACED_VALUE.finditer(line)
            ]
        else:
            values = line.split()
        if values:
            yield values


class _Dialect:
    """A one-character delimiter with its quoting; blanks are the trim set minus it."""

    def __init__(self, text_format: TextFormat) -> None:
        self.delimiter = text_format.delimiter
        self.blanks = " \t\r".replace(self.delimiter, "")
        self.leading = re.compile(f"[{re.escape(self.blanks)}]*" if self.blanks else "")
        self.quoted = text_format.quoting != "none" and self.delimiter != _QUOTE
        self.multiline = text_format.quoting == "msq"
        self.value_edges = [
            pair for b in self.blanks for e in (self.delimiter, "\n") for pair in (b + e, e + b)
        ]

    def bulk_split(self, text: str) -> tuple[int, list[str]] | None:
        """(width, all values row by row) of a quote-free text whose lines all hold the same
        number (> 1) of values, split in bulk at C speed; None: read it line by line."""
        if self.quoted and _QUOTE in text:
            return None
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        width = lines[0].count(self.delimiter) + 1 if lines else 1
        if width == 1 or any(line.count(self.delimiter) != width - 1 for line in lines):
            return None
        values = self.delimiter.join(lines).split(self.delimiter)
        if self._has_edge_blank(text):
            values = [value.strip(self.blanks) for value in values]
        return width, values

    def _has_edge_blank(self, text: str) -> bool:
        """Whether some value may start or end with a blank (substring searches, C speed)."""
        if text[:1] in self.blanks or text.rstrip("\n")[-1:] in self.blanks:
            return True
        return any(pair in text for pair in self.value_edges)

    def records(self, text: str) -> Iterator[list[str]]:
        pos, n = 0, len(text)
        while pos < n:
            eol = _line_end(text, pos)
            line = text[pos:eol]
            if not line.strip(self.blanks):
                pos = eol + 1
            elif self.quoted and _QUOTE in line:
                values, pos = self._quoted_record(text, pos)
                yield values
            else:
                yield [value.strip(self.blanks) for value in line.split(self.delimiter)]
                pos = eol + 1

    def _quoted_record(self, text: str, start: int) -> tuple[list[str], int]:
        """One record that holds a quote; returns its values and where the next one starts."""
        values: list[str] = []
        i, eol = start, _line_end(text, start)
        while True:
            blank = self.leading.match(text, i, eol)
            j = blank.end() if blank else i
            close = -1
            if j < eol and text[j] == _QUOTE:
                close = _closing_quote(text, j + 1, len(text) if self.multiline else eol)
            if close > eol:  # a multi-line value moves the end of the record
                eol = _line_end(text, close)
            value_end = close + 1 if close >= 0 else i
            cut = text.find(self.delimiter, value_end, eol)
            stop = eol if cut < 0 else cut
            tail = text[value_end:stop].strip(self.blanks)
            values.append(text[j + 1 : close].replace('""', '"') + tail if close >= 0 else tail)
            if cut < 0:
                return values, eol + 1
            i = cut + len(self.delimiter)


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _closing_quote(text: str, pos: int, limit: int) -> int:
    """The offset of the quote closing a value opened before `pos`, or -1 (`""` is escaped)."""
    while True:
        q = text.find(_QUOTE, pos, limit)
        if q < 0:
            return -1
        if q + 1 < limit and text[q + 1] == _QUOTE:
            pos = q + 2
            continue
        return q


def _text_format(options: ReadOptions, name: str) -> tuple[TextFormat, Callable[[str], list[str]]]:
    text_format = TextFormat(
        delimiter=options.text_delimiter(name),
        labels=options.labels or "embedded",
        quoting=options.quoting or "standard",
        encoding=options.codec(),
        header_lines=options.header_lines,
        comment=options.comment,
    )
    header_format = TextFormat(text_format.delimiter, "none", text_format.quoting)

    def header_values(line: str) -> list[str]:
        return next(_Dialect(header_format).records(line), [""])

    return text_format, header_values


def stream_text_file(
    path: Path, options: ReadOptions, name: str, block_size: int = 1 << 24
) -> text_fast.TextStream | None:
    """A large `txt` file block by block (text_fast.stream_file), or None where only the
    whole-file reading (`read_text_table`) applies."""
    text_format, header_values = _text_format(options, name)
    return text_fast.stream_file(path, text_format, header_values, block_size)


def read_text_table(source: Path | bytes, options: ReadOptions, name: str) -> SourceTable:
    """A `txt` file (or its bytes) as a SourceTable of raw texts (to be interpreted)."""
    text_format, header_values = _text_format(options, name)
    if isinstance(source, Path):
        fast = text_fast.read_file_fast(source, text_format, header_values)
    else:
        fast = text_fast.arrow_text_table(source, text_format, header_values)
    if fast is not None:
        return fast
    data = source if isinstance(source, bytes) else _file_bytes(source, name)
    table = parse_delimited(decode_text(data, text_format.encoding), text_format)
    return SourceTable.of_texts(table.field_names, table.columns)


def _file_bytes(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CannotOpenFileError(f"Cannot open file: '{name}'") from error

"""The multi-threaded pyarrow reading of delimited text, used where it agrees with the Python
parser's rules (delimited.py): a one-character delimiter, UTF-8, no comment lines, quotes in
pairs with no blank next to them (and, without `msq`, no line end inside quotes), line ends
LF or CRLF, rectangular rows. Anything else returns None and the Python parser reads the text.

The checks scan the bytes in chunks with numpy (a file is memory-mapped, never copied) and
pyarrow then reads the file itself from the first data line, so a large file is not held in
memory twice.
"""

from __future__ import annotations

import mmap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from openqix.script.sources.table import SourceTable

FAST_MIN_BYTES = 1 << 16  # below this the Python parser is as fast and needs no set-up
_CHUNK = 1 << 26
_QUOTE, _NEWLINE, _CR, _SPACE, _TAB = 34, 10, 13, 32, 9
_MAX_QUOTES = 8_000_000  # above this, line ends inside quotes are checked after reading
_MAX_QUOTED_BYTES = 1 << 23

Buffer = bytes | mmap.mmap


class _Format(Protocol):
    @property
    def delimiter(self) -> str: ...
    @property
    def labels(self) -> str: ...
    @property
    def quoting(self) -> str: ...
    @property
    def encoding(self) -> str: ...
    @property
    def header_lines(self) -> int: ...
    @property
    def comment(self) -> str | None: ...


HeaderParser = Callable[[str], list[str]]


@dataclass(frozen=True)
class _Plan:
    """What the checks found: where the data starts, the header, what to do after reading."""

    start: int
    header_values: list[str]
    delimiter: str
    quoted: bool
    labelled: bool
    check_line_ends: bool
    trim: bool


def read_file_fast(
    path: Path, text_format: _Format, header_parser: HeaderParser
) -> SourceTable | None:
    """The fast reading of a file: checks on a memory map (closed before pyarrow reads the
    file, so its pages never add to the reading's peak); None: use the parser."""
    try:
        with path.open("rb") as file:
            if path.stat().st_size < FAST_MIN_BYTES:
                return None
            with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                plan = _plan(mapped, text_format, header_parser)
    except (OSError, ValueError):
        return None
    if plan is None:
        return None
    stream = pa.OSFile(str(path))
    try:
        stream.seek(plan.start)
        return _read(stream, plan)
    finally:
        stream.close()


def arrow_text_table(
    data: bytes, text_format: _Format, header_parser: HeaderParser
) -> SourceTable | None:
    """The pyarrow reading of `data`, or None where it would differ from the Python
    parser's rules."""
    plan = _plan(data, text_format, header_parser)
    if plan is None:
        return None
    return _read(pa.py_buffer(memoryview(data)[plan.start :]), plan)


def _plan(data: Buffer, text_format: _Format, header_parser: HeaderParser) -> _Plan | None:
    delimiter = text_format.delimiter
    if (
        len(data) < FAST_MIN_BYTES
        or len(delimiter) != 1
        or delimiter in '"\r\n'
        or text_format.comment
        or text_format.encoding not in ("utf-8", "utf_8")
    ):
        return None
    start = _data_start(data, text_format.header_lines)
    if start >= len(data):
        return None
    line_end = data.find(b"\n", start)
    line_end = len(data) if line_end < 0 else line_end
    try:
        header = data[start:line_end].decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return None
    quoted = text_format.quoting != "none"
    if quoted and header.count('"') % 2:
        return None  # a quoted header value spans lines: leave it to the Python parser
    scan = _scan(data, start, delimiter, quoted, text_format.quoting == "msq")
    if scan is None:
        return None
    labelled = text_format.labels != "none"
    return _Plan(start, header_parser(header), delimiter, quoted, labelled, *scan)


def _read(source: pa.NativeFile | pa.Buffer, plan: _Plan) -> SourceTable | None:
    width = len(plan.header_values)
    names = [f"f{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1 if plan.labelled else 0, block_size=1 << 24
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=plan.delimiter,
                quote_char='"' if plan.quoted else False,
                double_quote=True,
                newlines_in_values=plan.quoted,
                ignore_empty_lines=True,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None  # ragged rows, bad UTF-8: the Python parser's rules apply
    columns = list(table.columns)
    del table  # columns are replaced one by one below: one copy at a time
    if plan.check_line_ends and any(pc.any(pc.match_substring(c, "\n")).as_py() for c in columns):
        return None
    blanks = " \t\r".replace(plan.delimiter, "")
    for i, column in enumerate(columns):
        # one chunk per column: engine columns then share its buffers instead of copying
        column = pc.utf8_trim(column, blanks) if plan.trim else column
        columns[i] = pa.chunked_array([column.combine_chunks()], type=column.type)
        del column
    labels = [v or "" for v in plan.header_values] if plan.labelled else [""] * width
    field_names = tuple(name or f"@{i}" for i, name in enumerate(labels, start=1))
    return SourceTable(field_names, tuple(columns))


def _data_start(data: Buffer, header_lines: int) -> int:
    """Offset of the first line after the BOM, `header is N lines` and blank lines."""
    pos = 3 if data[:3] == b"\xef\xbb\xbf" else 0
    for _ in range(header_lines):
        end = data.find(b"\n", pos)
        if end < 0:
            return len(data)
        pos = end + 1
    while pos < len(data) and data[pos : pos + 1] in (b"\r", b"\n"):
        pos += 1
    return pos


def _scan(
    data: Buffer, start: int, delimiter: str, quoted: bool, multiline: bool
) -> tuple[bool, bool] | None:
    """Quote pairing and blanks next to quotes, lone CRs, and whether any value has an edge
    blank. Returns (check line ends after reading, trim) or None. Byte searches run at C
    speed; numpy passes only happen when the data holds quotes or CRs."""
    raw = np.frombuffer(data, dtype=np.uint8)
    if data.find(b"\r", start) >= 0 and not _crlf_only(raw, start):
        return None  # a CR that does not end a line is a blank to the Python parser
    quotes = _quotes(raw, start) if quoted and data.find(b'"', start) >= 0 else None
    if quotes is not None:
        if len(quotes) % 2 or _blank_beside(raw, quotes):
            return None
        if len(quotes) > _MAX_QUOTES:
            quotes = None
            check_line_ends = not multiline
        else:
            if not multiline and _line_end_in_quotes(raw, quotes):
                return None  # a quoted value over several lines without msq: Python rules
            check_line_ends = False
    else:
        check_line_ends = quoted and not multiline and data.find(b'"', start) >= 0
    return check_line_ends, _needs_trim(data, start, delimiter, quotes)


def _crlf_only(raw: npt.NDArray[np.uint8], start: int) -> bool:
    for chunk_start in range(start, len(raw), _CHUNK):
        chunk = raw[chunk_start : chunk_start + _CHUNK]
        crs = np.flatnonzero(chunk == _CR) + chunk_start
        if len(crs) and (crs[-1] + 1 >= len(raw) or bool((raw[crs + 1] != _NEWLINE).any())):
            return False
    return True


def _quotes(raw: npt.NDArray[np.uint8], start: int) -> npt.NDArray[np.intp]:
    parts = [
        np.flatnonzero(raw[s : s + _CHUNK] == _QUOTE) + s for s in range(start, len(raw), _CHUNK)
    ]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.intp)


def _line_end_in_quotes(raw: npt.NDArray[np.uint8], quotes: npt.NDArray[np.intp]) -> bool:
    """Whether a line end lies between an opening and its closing quote."""
    opens, closes = quotes[0::2] + 1, quotes[1::2]
    lengths = closes - opens
    total = int(lengths.sum())
    if total == 0:
        return False
    if total > _MAX_QUOTED_BYTES:
        return True  # too much quoted text to check here: the Python parser decides
    shifts = np.repeat(opens - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return bool((raw[shifts + np.arange(total)] == _NEWLINE).any())


def _needs_trim(
    data: Buffer, start: int, delimiter: str, quotes: npt.NDArray[np.intp] | None
) -> bool:
    """Whether some unquoted value starts or ends with a blank: a blank beside a delimiter,
    a line end or the data's ends; one beside a delimiter inside quotes ("Lund, SE") is none."""
    raw = np.frombuffer(data, dtype=np.uint8)
    delim = ord(delimiter)
    for chunk_start in range(start, len(raw), _CHUNK):
        chunk = raw[chunk_start : chunk_start + _CHUNK]
        blanks = (chunk == _SPACE) | (chunk == _TAB)
        if delim in (_SPACE, _TAB):
            blanks &= chunk != delim
        positions = np.flatnonzero(blanks) + chunk_start
        if not len(positions):
            continue
        before = raw[np.maximum(positions - 1, start)]
        after = raw[np.minimum(positions + 1, len(raw) - 1)]
        edge = (before == delim) | (before == _NEWLINE) | (after == delim)
        edge |= (after == _NEWLINE) | (after == _CR)
        edge |= (positions == start) | (positions == len(raw) - 1)
        found = positions[edge]
        if not len(found):
            continue
        if quotes is None:
            return True
        inside = np.searchsorted(quotes, found, side="right") % 2 == 1
        if not bool(inside.all()):
            return True
    return False


def _blank_beside(raw: npt.NDArray[np.uint8], positions: npt.NDArray[np.intp]) -> bool:
    before = raw[np.maximum(positions - 1, 0)]
    after = raw[np.minimum(positions + 1, len(raw) - 1)]
    blank = (before == _SPACE) | (before == _TAB) | (after == _SPACE) | (after == _TAB)
    return bool(blank.any())

"""The multi-threaded pyarrow reading of delimited text, used where it agrees with the Python
parser's rules (delimited.py): a one-character delimiter, UTF-8, no comment lines, quotes in
pairs with no blank next to them (and, without `msq`, no line end inside quotes), line ends
LF or CRLF, rectangular rows. Anything else returns None and the Python parser reads the text.

The checks scan the bytes in chunks with numpy (a file is memory-mapped, never copied) and
pyarrow then reads the file itself from the first data line, so a large file is not held in
memory twice.
"""

from __future__ import annotations

import contextlib
import mmap
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

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


def _csv_options(
    plan: _Plan, block_size: int = 1 << 24
) -> tuple[pacsv.ReadOptions, pacsv.ParseOptions, pacsv.ConvertOptions]:
    names = [f"f{i}" for i in range(len(plan.header_values))]
    return (
        pacsv.ReadOptions(
            column_names=names, skip_rows=1 if plan.labelled else 0, block_size=block_size
        ),
        pacsv.ParseOptions(
            delimiter=plan.delimiter,
            quote_char='"' if plan.quoted else False,
            double_quote=True,
            newlines_in_values=plan.quoted,
            ignore_empty_lines=True,
        ),
        pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _read(source: pa.NativeFile | pa.Buffer, plan: _Plan) -> SourceTable | None:
    read_options, parse_options, convert_options = _csv_options(plan)
    try:
        table = pacsv.read_csv(
            source,
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
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
    return SourceTable(_field_names(plan), tuple(columns))


def _field_names(plan: _Plan) -> tuple[str, ...]:
    width = len(plan.header_values)
    labels = [v or "" for v in plan.header_values] if plan.labelled else [""] * width
    return tuple(name or f"@{i}" for i, name in enumerate(labels, start=1))


# -- streamed reading ------------------------------------------------------------------------


class StreamFailed(Exception):
    """A streamed reading met what the whole-file reading hands to the Python parser (ragged
    rows, bad UTF-8, a line end inside quotes): read the file the whole-file way instead."""


@dataclass(frozen=True)
class TextStream:
    """A large file read block by block: field names and, per block, one string array per
    field (iterating may raise StreamFailed)."""

    field_names: tuple[str, ...]
    batches: Iterator[list[pa.Array]]
    size: int = 0  # bytes of the file (to estimate its rows)


def stream_file(
    path: Path, text_format: _Format, header_parser: HeaderParser, block_size: int = 1 << 24
) -> TextStream | None:
    """The same reading as `read_file_fast`, block by block: the file is memory-mapped one
    window at a time, cut at record ends; each block gets the same byte checks (`_scan`) and
    is parsed by pyarrow, so neither the file nor its texts are ever held whole (and no
    block is copied). None where the fast reading does not apply to the first block."""
    try:
        file = path.open("rb")
    except OSError:
        return None
    try:
        size = max(block_size, 2 * FAST_MIN_BYTES)
        first = file.read(size)
        quoted = text_format.quoting != "none"
        start = _data_start(first, text_format.header_lines)
        cut = _record_cut(first, start, quoted) if len(first) == size else len(first)
        plan = _plan(first[:cut], text_format, header_parser) if cut > start else None
    except (OSError, ValueError):
        plan = None
    if plan is None:
        file.close()
        return None
    batches = _batches(file, plan, first[plan.start : cut], cut, block_size, text_format)
    return TextStream(_field_names(plan), batches, path.stat().st_size)


def _record_cut(data: Buffer, start: int, quoted: bool) -> int:
    """The offset just after the last line end of `data` that ends a record (not inside
    quotes, counting quotes from `start`); `start` or less when there is none."""
    last = data.rfind(b"\n")
    if not quoted or last < start or data.find(b'"', start) < 0:
        return last + 1
    raw = np.frombuffer(data, dtype=np.uint8)
    if int(np.count_nonzero(raw[start:last] == _QUOTE)) % 2 == 0:
        return last + 1  # the common case: the last line end is outside quotes
    quotes = np.flatnonzero(raw[start:] == _QUOTE)
    ends = np.flatnonzero(raw[start:] == _NEWLINE)
    even = ends[np.searchsorted(quotes, ends) % 2 == 0]
    return int(even[-1]) + 1 + start if len(even) else 0


def _batches(
    file: BinaryIO, plan: _Plan, head: bytes, offset: int, block_size: int, text_format: _Format
) -> Iterator[list[pa.Array]]:
    """The head's batch, then one per window of the file from `offset` on."""
    try:
        yield _parse_block(head, 0, plan, plan.labelled, plan.check_line_ends, plan.trim)
        del head
        size = os.fstat(file.fileno()).st_size
        window = block_size
        while offset < size:
            base = offset - offset % mmap.ALLOCATIONGRANULARITY
            start = offset - base
            end = min(size, offset + window)
            mapped = mmap.mmap(file.fileno(), end - base, offset=base, access=mmap.ACCESS_READ)
            try:
                cut = _record_cut(mapped, start, plan.quoted) if end < size else end - base
            finally:
                mapped.close()
            if cut <= start:  # a record longer than the window
                if window > 4 * block_size:
                    raise StreamFailed("no record end found")
                window *= 2
                continue
            window = block_size
            block = mmap.mmap(file.fileno(), cut, offset=base, access=mmap.ACCESS_READ)
            try:
                checked = _checks(block, start, plan.quoted, text_format.quoting == "msq")
                if checked is None:
                    raise StreamFailed("the Python parser's rules apply")
                check_line_ends, quotes = checked
                del checked, quotes  # found again in the rare block that needs them
                columns = _parse_block(block, start, plan, False, check_line_ends, None)
            finally:
                _close(block)
            offset = base + cut
            yield columns
    finally:
        file.close()


def _close(mapped: mmap.mmap) -> None:
    with contextlib.suppress(BufferError):  # still exported: unmapped once unreferenced
        mapped.close()


def _parse_block(
    block: Buffer,
    start: int,
    plan: _Plan,
    skip_header: bool,
    check_line_ends: bool,
    trim: bool | None,
) -> list[pa.Array]:
    """One block (from `start`) as one string array per field. `trim` None: whether values
    are trimmed is decided after parsing (`_needs_trim` only when a value has a blank at an
    edge, far cheaper than looking at every blank of the block)."""
    # one parse block (one chunk per column, no copy to join them): the stream's own threads
    # read the next block while this one is encoded
    read_options, parse_options, convert_options = _csv_options(plan, len(block) - start + 1)
    read_options.skip_rows = 1 if skip_header else 0
    read_options.use_threads = False
    view = memoryview(block)[start:]
    source = pa.py_buffer(view)
    try:
        table = pacsv.read_csv(
            source,
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        raise StreamFailed(str(error)) from error
    finally:
        del source
        with contextlib.suppress(BufferError):
            view.release()
    # one chunk each (one parse block): taken as it is, joining would copy it
    columns = [c.chunk(0) if c.num_chunks == 1 else c.combine_chunks() for c in table.columns]
    del table
    if check_line_ends and any(pc.any(pc.match_substring(c, "\n")).as_py() for c in columns):
        raise StreamFailed("a line end inside quotes")
    if trim is None:
        trim = _edge_blank(columns, plan.delimiter) and _block_needs_trim(block, start, plan)
    if trim:
        blanks = " \t\r".replace(plan.delimiter, "")
        columns = [pc.utf8_trim(c, blanks) for c in columns]
    return columns


def _edge_blank(columns: list[pa.Array], delimiter: str) -> bool:
    """Whether a parsed value starts or ends with a blank (space or tab but the delimiter):
    every edge blank `_needs_trim` finds is one (and one inside quotes too)."""
    blanks = [b for b in (_SPACE, _TAB) if b != ord(delimiter)]
    for column in columns:
        _, offset_buffer, data_buffer = column.buffers()
        if offset_buffer is None or data_buffer is None or not len(column):
            continue
        n = len(column)
        offsets = np.frombuffer(offset_buffer, np.int32, count=n + 1, offset=4 * column.offset)
        lo, hi = int(offsets[0]), int(offsets[-1])
        data = np.frombuffer(data_buffer, dtype=np.uint8)[lo:hi]
        found = [b for b in blanks if bool((data == b).any())]
        if not found:
            continue  # the common column: no blank at all
        # an empty value's own bytes are none: clipped, it is masked out below
        first = data[np.minimum(offsets[:-1] - lo, len(data) - 1)]
        last = data[np.maximum(offsets[1:] - lo - 1, 0)]
        filled = offsets[1:] > offsets[:-1]
        for b in found:
            if bool((((first == b) | (last == b)) & filled).any()):
                return True
    return False


def _block_needs_trim(block: Buffer, start: int, plan: _Plan) -> bool:
    """`_needs_trim` of a block, its quotes found as `_scan` finds them."""
    quotes = None
    if plan.quoted and block.find(b'"', start) >= 0:
        quotes = _quotes(np.frombuffer(block, dtype=np.uint8), start)
        if len(quotes) > _MAX_QUOTES:
            quotes = None
    return _needs_trim(block, start, plan.delimiter, quotes)


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
    checked = _checks(data, start, quoted, multiline)
    if checked is None:
        return None
    check_line_ends, quotes = checked
    return check_line_ends, _needs_trim(data, start, delimiter, quotes)


def _checks(
    data: Buffer, start: int, quoted: bool, multiline: bool
) -> tuple[bool, npt.NDArray[np.intp] | None] | None:
    """`_scan` but the edge blanks: (check line ends after reading, the quotes' positions
    for `_needs_trim`, None: no quotes or too many to tell inside from outside) or None."""
    raw = np.frombuffer(data, dtype=np.uint8)
    has_cr = data.find(b"\r", start) >= 0
    if has_cr and not _crlf_only(raw, start):
        return None  # a CR that does not end a line is a blank to the Python parser
    quotes = _quotes(raw, start) if quoted and data.find(b'"', start) >= 0 else None
    if quotes is not None:
        if len(quotes) % 2 or _blank_beside(raw, quotes):
            return None
        if len(quotes) > _MAX_QUOTES:
            if multiline and has_cr:
                return None  # a CRLF inside an msq value reads as LF: Python rules
            quotes = None
            check_line_ends = not multiline
        else:
            if (not multiline or has_cr) and _line_end_in_quotes(raw, quotes):
                # a quoted value over several lines without msq, or with CRLF line ends
                # (the Python parser reads them as LF inside the value): Python rules
                return None
            check_line_ends = False
    else:
        check_line_ends = quoted and not multiline and data.find(b'"', start) >= 0
    return check_line_ends, quotes


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

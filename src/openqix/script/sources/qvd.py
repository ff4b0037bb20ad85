"""QVD files (QlikView Data), read and written here.

Layout: an XML header (`<QvdTableHeader>`, ended by `\\r\\n` and a NUL byte), then the
symbol tables of all fields back to back, then the index table: one record of
`RecordByteSize` bytes per row, read as a little-endian bit string in which each field owns
`BitWidth` bits from `BitOffset`. A row's symbol index is those bits plus the field's `Bias`;
a negative index is NULL (writers use Bias -2 and store index + 2 when a field has NULLs).
Symbols start with a type byte: 1 int32, 2 float64, 4 NUL-terminated UTF-8 text, 5 int32 +
text, 6 float64 + text (the last two are duals). Everything is little-endian.

Reading decodes the index table with numpy (no loop per row); symbol tables are parsed with a
loop per distinct value, with bulk paths for all-integer, all-float and all-text tables.
"""

from __future__ import annotations

import datetime as dt
import struct
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from openqix.calc.values import none_mask
from openqix.script.sources.errors import BadQvdError
from openqix.script.sources.table import DUAL_TYPE, DualColumn, SourceTable, StoreTable

_HEADER_END = b"</QvdTableHeader>"
_INT32 = (-(2**31), 2**31 - 1)


@dataclass(frozen=True)
class _FieldHeader:
    name: str
    bit_offset: int
    bit_width: int
    bias: int
    n_symbols: int
    offset: int
    length: int


# -- reading ---------------------------------------------------------------------------------


def read_qvd(data: bytes, name: str) -> SourceTable:
    """A QVD file's bytes as a SourceTable of dictionary-encoded duals (`DUAL_TYPE`)."""
    root, body = _split_header(data, name)
    fields = [_field_header(node, name) for node in root.iterfind("Fields/QvdFieldHeader")]
    compression = (root.findtext("Compression") or "").strip()
    if compression:
        raise BadQvdError(f"Cannot read QVD file '{name}': compression '{compression}'")
    record_size = _int(root, "RecordByteSize", name)
    n_records = _int(root, "NoOfRecords", name)
    symbols_length = _int(root, "Offset", name)
    index_length = _int(root, "Length", name)
    if min(record_size, n_records, symbols_length, index_length) < 0:
        raise BadQvdError(f"Cannot read QVD file '{name}': negative sizes in the header")
    if len(body) < symbols_length + n_records * record_size:
        raise BadQvdError(f"Cannot read QVD file '{name}': the file is truncated")
    symbol_bytes = body[:symbols_length]
    records = np.frombuffer(
        body, dtype=np.uint8, count=n_records * record_size, offset=symbols_length
    ).reshape(n_records, record_size)
    columns = []
    for field in fields:
        if field.offset < 0 or field.offset + field.length > symbols_length:
            raise BadQvdError(f"Cannot read QVD file '{name}': bad symbols of '{field.name}'")
        if field.bit_offset < 0 or field.bit_width < 0 or field.bit_width > 32:
            raise BadQvdError(f"Cannot read QVD file '{name}': bad bits of '{field.name}'")
        if field.bit_offset + field.bit_width > record_size * 8:
            raise BadQvdError(f"Cannot read QVD file '{name}': bad bits of '{field.name}'")
        try:
            texts, numbers = _symbols(symbol_bytes[field.offset : field.offset + field.length])
        except (struct.error, ValueError, UnicodeDecodeError) as error:
            raise BadQvdError(
                f"Cannot read QVD file '{name}': bad symbols of '{field.name}' ({error})"
            ) from error
        if len(texts) != field.n_symbols:
            raise BadQvdError(
                f"Cannot read QVD file '{name}': '{field.name}' has {len(texts)} symbols, "
                f"the header says {field.n_symbols}"
            )
        index = _field_indices(records, field)
        if len(index) and int(index.max(initial=-1)) >= len(texts):
            raise BadQvdError(f"Cannot read QVD file '{name}': bad index in '{field.name}'")
        columns.append(_dual_dictionary(texts, numbers, index))
    return SourceTable(tuple(f.name for f in fields), tuple(columns))


def _split_header(data: bytes, name: str) -> tuple[ET.Element, bytes]:
    end = data.find(_HEADER_END)
    if end < 0:
        raise BadQvdError(f"Cannot read QVD file '{name}': no QVD header")
    end += len(_HEADER_END)
    nul = data.find(b"\0", end)
    if nul < 0 or data[end:nul].strip(b"\r\n\t ") != b"":
        raise BadQvdError(f"Cannot read QVD file '{name}': the header is not terminated")
    try:
        root = ET.fromstring(data[:end])
    except ET.ParseError as error:
        raise BadQvdError(f"Cannot read QVD file '{name}': bad header ({error})") from error
    if root.tag != "QvdTableHeader":
        raise BadQvdError(f"Cannot read QVD file '{name}': no QVD header")
    return root, data[nul + 1 :]


def _int(node: ET.Element, tag: str, name: str) -> int:
    text = node.findtext(tag)
    try:
        return int((text or "").strip())
    except ValueError:
        raise BadQvdError(f"Cannot read QVD file '{name}': bad or missing <{tag}>") from None


def _field_header(node: ET.Element, name: str) -> _FieldHeader:
    return _FieldHeader(
        node.findtext("FieldName") or "",
        _int(node, "BitOffset", name),
        _int(node, "BitWidth", name),
        _int(node, "Bias", name),
        _int(node, "NoOfSymbols", name),
        _int(node, "Offset", name),
        _int(node, "Length", name),
    )


def _field_indices(records: npt.NDArray[np.uint8], field: _FieldHeader) -> npt.NDArray[np.int32]:
    """Each row's symbol index (negative = NULL), from the field's bits of every record."""
    n = len(records)
    if field.bit_width == 0:
        return np.full(n, field.bias, dtype=np.int32)
    first = field.bit_offset // 8
    shift = field.bit_offset % 8
    n_bytes = (shift + field.bit_width + 7) // 8
    window = np.zeros((n, 8), dtype=np.uint8)
    window[:, :n_bytes] = records[:, first : first + n_bytes]
    words = window.view("<u8").reshape(n)
    raw = (words >> np.uint64(shift)) & np.uint64((1 << field.bit_width) - 1)
    index = raw.astype(np.int64) + field.bias
    return np.where(index < 0, -1, index).astype(np.int32)


def _symbols(data: bytes) -> tuple[list[str | None], npt.NDArray[np.float64]]:
    """(texts, numbers) of one field's symbol table; text None = a number without text."""
    if not data:
        return [], np.empty(0)
    bulk = _bulk_symbols(data)
    if bulk is not None:
        return bulk
    texts: list[str | None] = []
    numbers: list[float] = []
    pos, n = 0, len(data)
    nan = float("nan")
    while pos < n:
        kind = data[pos]
        pos += 1
        number = nan
        if kind in (1, 5):
            (number,) = struct.unpack_from("<i", data, pos)
            pos += 4
        elif kind in (2, 6):
            (number,) = struct.unpack_from("<d", data, pos)
            pos += 8
        elif kind != 4:
            raise ValueError(f"unknown symbol type {kind} at byte {pos - 1}")
        text: str | None = None
        if kind >= 4:
            end = data.index(b"\0", pos)
            text = data[pos:end].decode("utf-8")
            pos = end + 1
        texts.append(text)
        numbers.append(float(number))
    return texts, np.asarray(numbers, dtype=np.float64)


def _bulk_symbols(data: bytes) -> tuple[list[str | None], npt.NDArray[np.float64]] | None:
    """All-int32, all-float64 or all-text symbol tables without a loop in Python."""
    kind = data[0]
    if kind in (1, 2):
        size = 5 if kind == 1 else 9
        if len(data) % size:
            return None
        raw = np.frombuffer(data, dtype=np.uint8).reshape(-1, size)
        if not bool(np.all(raw[:, 0] == kind)):
            return None
        values = np.ascontiguousarray(raw[:, 1:]).view("<i4" if kind == 1 else "<f8")
        return [None] * len(raw), values.reshape(-1).astype(np.float64)
    if kind == 4 and data.endswith(b"\0"):
        parts = data[:-1].split(b"\0")
        if all(part[:1] == b"\x04" for part in parts):
            return [part[1:].decode("utf-8") for part in parts], np.full(len(parts), np.nan)
    return None


def _dual_dictionary(
    texts: Sequence[str | None], numbers: npt.NDArray[np.float64], index: npt.NDArray[np.int32]
) -> pa.ChunkedArray:
    dictionary = pa.StructArray.from_arrays(
        [pa.array(texts, type=pa.string()), pa.array(numbers, from_pandas=True)],
        fields=list(DUAL_TYPE),
    )
    indices = pa.array(index, mask=index < 0, type=pa.int32())
    return pa.chunked_array([pa.DictionaryArray.from_arrays(indices, dictionary)])


# -- writing ---------------------------------------------------------------------------------


def write_qvd(table: StoreTable, table_name: str = "") -> bytes:
    """The bytes of a QVD holding `table` (values, duals and NULLs exactly)."""
    encoded = [_encode(column) for column in table.columns]
    symbol_parts: list[bytes] = []
    headers: list[str] = []
    bit_offset = 0
    offset = 0
    for field_name, (symbols, raw, bias, tags) in zip(table.field_names, encoded, strict=True):
        width = int(raw.max(initial=0)).bit_length()
        headers.append(_field_xml(field_name, bit_offset, width, bias, symbols, offset, tags))
        symbol_parts.append(symbols.data)
        offset += len(symbols.data)
        bit_offset += width
    record_size = (bit_offset + 7) // 8
    records = _pack_records([raw for _, raw, _, _ in encoded], record_size, table.n_rows)
    header = _table_xml(table_name, headers, record_size, table.n_rows, offset, len(records))
    return header + b"".join(symbol_parts) + records


@dataclass(frozen=True)
class _Symbols:
    data: bytes
    count: int


def _encode(
    column: DualColumn,
) -> tuple[_Symbols, npt.NDArray[np.uint64], int, list[str]]:
    """Symbols in first-seen order (identity by number, else by text), each row's stored
    index (symbol + 2 when the field has NULLs) and the field's bias and tags."""
    numbers = column.numbers
    n = len(numbers)
    is_num = ~np.isnan(numbers)
    is_null = ~is_num & none_mask(column.texts)
    is_txt = ~is_num & ~is_null
    positions = np.arange(n, dtype=np.int64)
    num_index, num_dict = _first_seen(pa.array(numbers[is_num] + 0.0), positions[is_num])
    txt_index, txt_dict = _first_seen(
        pa.array(column.texts[is_txt], type=pa.string()), positions[is_txt]
    )
    # merge the two dictionaries by first position
    num_first = _first_positions(num_index, positions[is_num], len(num_dict))
    txt_first = _first_positions(txt_index, positions[is_txt], len(txt_dict))
    order = np.argsort(np.concatenate([num_first, txt_first]), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    bias = -2 if bool(is_null.any()) else 0
    raw = np.zeros(n, dtype=np.uint64)
    raw[is_num] = rank[num_index] - bias
    raw[is_txt] = rank[len(num_dict) + txt_index] - bias
    first_texts = column.texts[num_first] if len(num_first) else np.empty(0, dtype=object)
    num_values = np.asarray(num_dict.to_numpy(zero_copy_only=False), dtype=np.float64)
    txt_values = txt_dict.to_pylist()
    tags = _tags(num_values, txt_values)
    bulk = _bulk_numbers(num_values[order], first_texts) if not txt_values else None
    if bulk is not None:
        return _Symbols(bulk, len(order)), raw, bias, tags
    parts: list[bytes] = []
    n_num = len(num_values)
    for symbol in order.tolist():
        if symbol < n_num:
            parts.append(_number_symbol(float(num_values[symbol]), first_texts[symbol]))
        else:
            parts.append(b"\x04" + _utf8(str(txt_values[symbol - n_num])) + b"\0")
    return _Symbols(b"".join(parts), len(parts)), raw, bias, tags


def _first_seen(
    values: pa.Array, positions: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], pa.Array]:
    encoded = pc.dictionary_encode(values)
    index = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    return index, encoded.dictionary


def _first_positions(
    index: npt.NDArray[np.int64], positions: npt.NDArray[np.int64], size: int
) -> npt.NDArray[np.int64]:
    first = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
    if len(index):
        np.minimum.at(first, index, positions)
    return first


def _bulk_numbers(numbers: npt.NDArray[np.float64], texts: npt.NDArray[np.object_]) -> bytes | None:
    """Symbols of numbers without own texts in one numpy pass: all int32 or all float64."""
    if len(numbers) == 0 or not bool(none_mask(texts).all()):
        return None
    if bool(np.all(np.mod(numbers, 1) == 0)) and bool(
        np.all((numbers >= _INT32[0]) & (numbers <= _INT32[1]))
    ):
        records = np.empty(len(numbers), dtype=[("kind", "u1"), ("value", "<i4")])
        records["kind"] = 1
    else:
        records = np.empty(len(numbers), dtype=[("kind", "u1"), ("value", "<f8")])
        records["kind"] = 2
    records["value"] = numbers
    return records.tobytes()


def _number_symbol(number: float, text: str | None) -> bytes:
    is_int = number.is_integer() and _INT32[0] <= number <= _INT32[1]
    if text is None:
        return (
            b"\x01" + struct.pack("<i", int(number))
            if is_int
            else b"\x02" + struct.pack("<d", number)
        )
    encoded = _utf8(text) + b"\0"
    if is_int:
        return b"\x05" + struct.pack("<i", int(number)) + encoded
    return b"\x06" + struct.pack("<d", number) + encoded


def _utf8(text: str) -> bytes:
    """A symbol text: NUL ends a symbol in QVD, so it cannot be part of one."""
    return text.replace("\0", "").encode("utf-8", errors="replace")


def _tags(numbers: npt.NDArray[np.float64], texts: list[str]) -> list[str]:
    if len(numbers) and not texts:
        integer = bool(np.all(np.mod(numbers, 1) == 0))
        return ["$numeric", "$integer"] if integer else ["$numeric"]
    if texts and not len(numbers):
        return ["$ascii", "$text"] if all(t.isascii() for t in texts) else ["$text"]
    return []


def _pack_records(raws: list[npt.NDArray[np.uint64]], record_size: int, n_rows: int) -> bytes:
    """Little-endian bit records: each field's index at its bit offset, no loop per row."""
    out = np.zeros((n_rows, max(record_size, 1)), dtype=np.uint8)
    bit_offset = 0
    for raw in raws:
        width = int(raw.max(initial=0)).bit_length()
        if width:
            first, shift = divmod(bit_offset, 8)
            shifted = raw << np.uint64(shift)
            for k in range((shift + width + 7) // 8):
                out[:, first + k] |= ((shifted >> np.uint64(8 * k)) & np.uint64(0xFF)).astype(
                    np.uint8
                )
        bit_offset += width
    return out[:, :record_size].tobytes()


def _field_xml(
    name: str,
    bit_offset: int,
    width: int,
    bias: int,
    symbols: _Symbols,
    offset: int,
    tags: list[str],
) -> str:
    tag_xml = "".join(f"<String>{t}</String>" for t in tags)
    return (
        "    <QvdFieldHeader>\r\n"
        f"      <FieldName>{escape(name)}</FieldName>\r\n"
        f"      <BitOffset>{bit_offset}</BitOffset>\r\n"
        f"      <BitWidth>{width}</BitWidth>\r\n"
        f"      <Bias>{bias}</Bias>\r\n"
        "      <NumberFormat><Type>UNKNOWN</Type><nDec>0</nDec><UseThou>0</UseThou>"
        "<Fmt></Fmt><Dec></Dec><Thou></Thou></NumberFormat>\r\n"
        f"      <NoOfSymbols>{symbols.count}</NoOfSymbols>\r\n"
        f"      <Offset>{offset}</Offset>\r\n"
        f"      <Length>{len(symbols.data)}</Length>\r\n"
        "      <Comment></Comment>\r\n"
        f"      <Tags>{tag_xml}</Tags>\r\n"
        "    </QvdFieldHeader>\r\n"
    )


def _table_xml(
    table_name: str, fields: list[str], record_size: int, n_rows: int, offset: int, length: int
) -> bytes:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    text = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        "<QvdTableHeader>\r\n"
        "  <QvBuildNo>50699</QvBuildNo>\r\n"
        "  <CreatorDoc>openqix</CreatorDoc>\r\n"
        f"  <CreateUtcTime>{now}</CreateUtcTime>\r\n"
        "  <SourceCreateUtcTime></SourceCreateUtcTime>\r\n"
        "  <SourceFileUtcTime></SourceFileUtcTime>\r\n"
        "  <SourceFileSize>-1</SourceFileSize>\r\n"
        "  <StaleUtcTime></StaleUtcTime>\r\n"
        f"  <TableName>{escape(table_name)}</TableName>\r\n"
        "  <Fields>\r\n" + "".join(fields) + "  </Fields>\r\n"
        "  <Compression></Compression>\r\n"
        f"  <RecordByteSize>{record_size}</RecordByteSize>\r\n"
        f"  <NoOfRecords>{n_rows}</NoOfRecords>\r\n"
        f"  <Offset>{offset}</Offset>\r\n"
        f"  <Length>{length}</Length>\r\n"
        "  <Lineage></Lineage>\r\n"
        "  <Comment></Comment>\r\n"
        "</QvdTableHeader>\r\n"
    )
    return text.encode("utf-8") + b"\0"

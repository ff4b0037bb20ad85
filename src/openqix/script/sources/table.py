"""The shapes every source reader returns and every STORE writer takes.

A reader returns a `SourceTable`: field names and one Arrow column per field. The Arrow type
says how the executor turns the column into values:

- `string` / `large_string` (or a dictionary of strings): raw texts as read from a text-like
  source (txt, fix, XLSX text cells, JSON and Parquet strings); null = NULL. The executor runs
  automatic number/date interpretation on them (with the script's formats).
- integers, floats, decimals: plain numbers (no text of their own).
- `date32`/`date64`/`timestamp`/`time`: dates and times; `dual_numbers` gives Qlik serials.
- `bool`: -1 (true) / 0 (false), as Qlik stores them.
- `struct<text: string, num: float64>` (`DUAL_TYPE`): duals exactly as stored (QVD); never
  re-interpreted. text null + num null = NULL; text null + num = a number without own text.

A STORE writer takes a `StoreTable`: field names and per field a `DualColumn` (texts with None
for "no own text", numbers with NaN for "no number"), the shape of `calc.values.Duals`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from openqix.calc.values import none_mask
from openqix.engine.model import Column
from openqix.engine.symbols import ColumnEncoder

DUAL_TYPE = pa.struct([("text", pa.string()), ("num", pa.float64())])
ArrowColumn: TypeAlias = pa.ChunkedArray

# Qlik serial dates count days from 1899-12-30; the Unix epoch is day 25569.
UNIX_EPOCH_SERIAL = 25569.0


@dataclass(frozen=True)
class SourceTable:
    """What a reader produced: one Arrow column per field, all of `n_rows` rows."""

    field_names: tuple[str, ...]
    columns: tuple[ArrowColumn, ...]

    @property
    def n_rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    @classmethod
    def from_arrow(cls, table: pa.Table) -> SourceTable:
        return cls(tuple(table.column_names), tuple(table.columns))

    @classmethod
    def of_texts(cls, names: Sequence[str], columns: Sequence[Sequence[str | None]]) -> SourceTable:
        """Raw texts (to be interpreted), e.g. from the Python text parser."""
        arrays = tuple(pa.chunked_array([pa.array(c, type=pa.string())]) for c in columns)
        return cls(tuple(names), arrays)

    def is_raw_text(self, i: int) -> bool:
        """Whether column i holds raw texts that automatic interpretation still has to read."""
        return is_text_type(self.columns[i].type)

    def texts(self, i: int) -> list[str | None]:
        """Column i as Python texts (None = NULL) — slow, for small tables and tests."""
        values: list[str | None] = dual_column(self.columns[i]).texts_or_display()
        return values


def is_text_type(arrow_type: pa.DataType) -> bool:
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    return bool(pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type))


@dataclass(frozen=True)
class DualColumn:
    """Texts (None = no own text) and numbers (NaN = no number); both absent = NULL."""

    texts: npt.NDArray[np.object_]
    numbers: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.numbers)

    @classmethod
    def of(cls, texts: Sequence[str | None], numbers: npt.ArrayLike) -> DualColumn:
        text_array = np.empty(len(texts), dtype=object)
        text_array[:] = list(texts)
        return cls(text_array, np.asarray(numbers, dtype=np.float64))

    def is_null(self) -> npt.NDArray[np.bool_]:
        return none_mask(self.texts) & np.isnan(self.numbers)

    def texts_or_display(self) -> list[str | None]:
        """Own text, else the number in its shortest form, else None."""
        out: list[str | None] = []
        for text, number in zip(self.texts.tolist(), self.numbers.tolist(), strict=True):
            if text is not None:
                out.append(text)
            elif number == number:
                out.append(number_text(number))
            else:
                out.append(None)
        return out


class DualsLike(Protocol):
    """`calc.values.Duals` (num/text) — accepted wherever a DualColumn is."""

    @property
    def num(self) -> npt.NDArray[np.float64]: ...

    @property
    def text(self) -> npt.NDArray[np.object_]: ...


@dataclass(frozen=True)
class StoreTable:
    """A table to STORE: field names and their dual columns, all of the same length."""

    field_names: tuple[str, ...]
    columns: tuple[DualColumn, ...]

    @property
    def n_rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    @classmethod
    def of(
        cls, names: Sequence[str], columns: Sequence[DualColumn | DualsLike | Any]
    ) -> StoreTable:
        """Accepts DualColumns, `Duals` (num/text) and engine `Column`s (texts/numbers)."""
        converted: list[DualColumn] = []
        for column in columns:
            if isinstance(column, DualColumn):
                converted.append(column)
            elif hasattr(column, "num") and hasattr(column, "text"):
                converted.append(DualColumn.of(list(column.text), column.num))
            else:
                texts = getattr(column, "texts")  # noqa: B009 - an engine Column
                converted.append(DualColumn.of(list(texts), getattr(column, "numbers")))  # noqa: B009
        return cls(tuple(names), tuple(converted))


def plain(column: ArrowColumn | pa.Array) -> pa.Array:
    """One Arrow array, dictionary-decoded (also for dictionaries of DUAL_TYPE)."""
    if isinstance(column, pa.ChunkedArray):
        chunks = [plain(chunk) for chunk in column.chunks]
        if len(chunks) == 1:
            return chunks[0]
        if not chunks:
            return pa.array([], type=_value_type(column.type))
        return pa.concat_arrays(chunks)
    if pa.types.is_dictionary(column.type):
        return column.dictionary.take(column.indices)
    return column


def _value_type(arrow_type: pa.DataType) -> pa.DataType:
    return arrow_type.value_type if pa.types.is_dictionary(arrow_type) else arrow_type


def dual_parts(column: ArrowColumn | pa.Array) -> tuple[pa.Array, pa.Array]:
    """(texts, numbers) of a DUAL_TYPE column; a NULL row has both null."""
    flat = plain(column)
    texts = flat.field("text")
    nums = flat.field("num")
    if flat.null_count:
        valid = flat.is_valid()
        texts = pc.if_else(valid, texts, pa.scalar(None, pa.string()))
        nums = pc.if_else(valid, nums, pa.scalar(None, pa.float64()))
    return texts, nums


def dual_column(column: ArrowColumn | pa.Array) -> DualColumn:
    """Any source column as duals WITHOUT interpretation: raw texts stay texts."""
    arrow_type = _value_type(column.type)
    if arrow_type == DUAL_TYPE:
        texts, nums = dual_parts(column)
        return DualColumn.of(texts.to_pylist(), float_numbers(nums))
    column = plain(column)
    n = len(column)
    if is_text_type(arrow_type):
        return DualColumn.of(column.to_pylist(), np.full(n, np.nan))
    numbers = dual_numbers(column)
    return DualColumn.of([None] * n, numbers)


def dual_numbers(column: ArrowColumn | pa.Array) -> npt.NDArray[np.float64]:
    """Numbers of a typed column as Qlik sees them: dates as serial days, bool as -1/0."""
    arrow_type = column.type
    if pa.types.is_boolean(arrow_type):
        column = pc.if_else(column, -1.0, 0.0)
    elif pa.types.is_date(arrow_type):
        days = pc.cast(pc.cast(column, pa.date32()), pa.int32())
        column = pc.add(pc.cast(days, pa.float64()), UNIX_EPOCH_SERIAL)
    elif pa.types.is_timestamp(arrow_type):
        micros = pc.cast(pc.cast(column, pa.timestamp("us", arrow_type.tz)), pa.int64())
        column = pc.add(pc.divide(pc.cast(micros, pa.float64()), 86_400e6), UNIX_EPOCH_SERIAL)
    elif pa.types.is_time(arrow_type):
        micros = pc.cast(pc.cast(column, pa.time64("us")), pa.int64())
        column = pc.divide(pc.cast(micros, pa.float64()), 86_400e6)
    elif pa.types.is_null(arrow_type):
        return np.full(len(column), np.nan)
    else:
        column = pc.cast(column, pa.float64())
    return float_numbers(column)


def float_numbers(column: ArrowColumn | pa.Array) -> npt.NDArray[np.float64]:
    filled = pc.fill_null(column, np.nan) if column.null_count else column
    if isinstance(filled, pa.ChunkedArray):
        filled = filled.combine_chunks() if filled.num_chunks != 1 else filled.chunk(0)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=np.float64)


def number_text(value: float) -> str:
    """The shortest text of a number (`3`, `2.5`, `1e+20`), as written to text files."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def column_from_python(values: Sequence[Any]) -> ArrowColumn:
    """Cells of a typed source (XLSX, JSON, SQL) as one Arrow column: one type when all
    non-null cells share it (texts stay raw texts), else DUAL_TYPE (texts as text, numbers,
    booleans and dates as numbers)."""
    kinds = {_kind(v) for v in values if v is not None}
    if kinds == {"date", "datetime"}:  # a sheet column of whole days and times
        values = [_as_datetime(v) for v in values]
        kinds = {"datetime"}
    if not kinds or kinds == {"text"}:
        array = pa.array([None if v is None else str(v) for v in values], type=pa.string())
    elif len(kinds) == 1 and kinds != {"other"}:
        try:
            array = pa.array(list(values))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            array = _duals_of(values)
    elif kinds <= {"int", "float"}:
        array = pa.array([None if v is None else float(v) for v in values], type=pa.float64())
    else:
        array = _duals_of(values)
    return pa.chunked_array([array])


def _as_datetime(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dt.time):
        return "time"
    if isinstance(value, dt.timedelta):
        return "timedelta"
    return "other"


def _duals_of(values: Sequence[Any]) -> pa.Array:
    texts: list[str | None] = []
    numbers: list[float | None] = []
    for value in values:
        number = _serial(value)
        if value is None:
            texts.append(None)
        elif number is None:
            texts.append(value if isinstance(value, str) else _text_of(value))
        else:
            texts.append(None if isinstance(value, (bool, int, float)) else _text_of(value))
        numbers.append(number)
    mask = pa.array([v is None for v in values])
    return pa.StructArray.from_arrays(
        [pa.array(texts, type=pa.string()), pa.array(numbers, type=pa.float64())],
        fields=list(DUAL_TYPE),
        mask=mask,
    )


def _serial(value: Any) -> float | None:
    """The Qlik number of a cell: numbers, booleans (-1/0), dates as serial days."""
    if isinstance(value, bool):
        return -1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        base = dt.datetime(1899, 12, 30, tzinfo=value.tzinfo)
        return (value - base).total_seconds() / 86_400.0
    if isinstance(value, dt.date):
        return float((value - dt.date(1899, 12, 30)).days)
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86_400.0 + (
            value.microsecond / 86_400e6
        )
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86_400.0
    return None


def _text_of(value: Any) -> str:
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return str(value)


Interpreter = Callable[[pa.Array], npt.NDArray[np.float64]]


def to_column(column: ArrowColumn | pa.Array, interpret: Interpreter | None = None) -> Column:
    """A source column as an engine Column, vectorised. Raw texts get their numbers from
    `interpret` (strings -> float64, NaN = not a number; default: plain numbers only)."""
    arrow_type = _value_type(column.type)
    if arrow_type == DUAL_TYPE:
        texts, nums = dual_parts(column)
        numbers = float_numbers(nums)
        is_null = _null_mask(texts) & np.isnan(numbers)
        return Column.from_arrow(pa.array(numbers, mask=is_null), texts=texts)
    if is_text_type(arrow_type):
        if not pa.types.is_dictionary(column.type):
            # chunks stay chunks: from_arrow joins them once. With the script's own
            # interpreter only whole numbers take this path: `-12`, `007` read the same
            # under any number format, `1.234` does not.
            fast = _fast_numbers(column, integers_only=interpret is not None)
            if fast is not None:
                values, canonical = fast
                return Column.from_arrow(values, texts=None if canonical else column)
        texts = plain(column)
        if pa.types.is_large_string(texts.type):
            texts = texts.cast(pa.string())
        numbers = (interpret or interpret_numbers)(texts)
        if bool(np.isnan(numbers).all()):
            return Column.from_arrow(texts)
        values = pa.array(numbers, mask=_null_mask(texts))
        return Column.from_arrow(values, texts=texts)
    flat = plain(column)
    if pa.types.is_boolean(arrow_type) or pa.types.is_time(arrow_type):
        numbers = dual_numbers(flat)
        return Column.from_arrow(pa.array(numbers, mask=_null_mask(flat)))
    if pa.types.is_null(arrow_type):
        return Column.from_arrow(pa.nulls(len(flat), pa.string()))
    return Column.from_arrow(flat)


NUMBER_PATTERN = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"


def _fast_numbers(
    texts: ArrowColumn | pa.Array, integers_only: bool = False
) -> tuple[pa.Array, bool] | None:
    """(numbers, whether every text is the number's canonical text) when every non-null text
    is a plain finite number; None otherwise. One cast, no hashing: the common numeric column."""
    if len(texts) == 0 or texts.null_count == len(texts):
        return None
    # a failing cast of a whole column is slow: decide the type on a sample first (and a
    # failing cast costs as much as a whole one: on its first texts before that)
    sample = texts.slice(0, 4096)
    head = sample.slice(0, 16)
    kinds = (pa.int64(),) if integers_only else (pa.int64(), pa.float64())
    kind = next((k for k in kinds if _casts(head, k) and _casts(sample, k)), None)
    if kind is None:
        return None
    try:
        values = pc.cast(texts, kind)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if kind == pa.int64():
        signed = _any(pc.starts_with(texts, "+"))
        if signed and integers_only:
            return None  # whether `+5` is a number is the interpreter's call
        canonical = not signed and not _leading_zero(texts)
        return pc.cast(values, pa.float64()), canonical
    floats = values
    if not _all(pc.is_finite(floats)):
        return None  # inf, nan and the like: the interpretation rules decide
    return pc.add(floats, 0.0), False  # -0 reads as 0


def _casts(texts: pa.Array, kind: pa.DataType) -> bool:
    try:
        pc.cast(texts, kind)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def _any(mask: pa.Array) -> bool:
    return bool(pc.any(mask).as_py())


def _all(mask: pa.Array) -> bool:
    return bool(pc.all(mask).as_py() is not False)


def _leading_zero(texts: pa.Array) -> bool:
    """`007`, `-0`, `-07`: integers whose text is not the canonical one."""
    zero = pc.or_(pc.starts_with(texts, "0"), pc.starts_with(texts, "-0"))
    if not _any(zero):
        return False
    return _any(pc.and_(zero, pc.not_equal(texts, "0")))


def interpret_numbers(texts: pa.Array) -> npt.NDArray[np.float64]:
    """Plain numbers (`12`, `-1.5`, `.5`, `1e3`), NaN otherwise; a column with few distinct
    texts is read once per distinct text, one with many row by row."""
    sample = texts.slice(0, 1 << 16)
    if len(sample) > 1024 and len(pc.unique(sample)) > len(sample) // 2:
        return _numbers_by_row(texts)
    encoded = pc.dictionary_encode(texts)
    dictionary = encoded.dictionary
    if len(dictionary) == 0:
        return np.full(len(texts), np.nan)
    is_number = pc.fill_null(pc.match_substring_regex(dictionary, NUMBER_PATTERN), False)
    values = np.full(len(dictionary), np.nan)
    mask = np.asarray(is_number.to_numpy(zero_copy_only=False), dtype=bool)
    if mask.any():
        parsed = pc.cast(dictionary.filter(is_number), pa.float64())
        parsed_values = parsed.to_numpy(zero_copy_only=False) + 0.0
        parsed_values[~np.isfinite(parsed_values)] = np.nan
        values[mask] = parsed_values
    indices = encoded.indices
    if indices.null_count:
        indices = pc.fill_null(indices, 0)
    out: npt.NDArray[np.float64] = values[np.asarray(indices.to_numpy(zero_copy_only=False))]
    if encoded.indices.null_count:
        out[_null_mask(encoded.indices)] = np.nan
    return out


def _numbers_by_row(texts: pa.Array) -> npt.NDArray[np.float64]:
    numbers = np.full(len(texts), np.nan)
    is_number = pc.fill_null(pc.match_substring_regex(texts, NUMBER_PATTERN), False)
    mask = _true_mask(is_number)
    if mask.any():
        parsed = np.asarray(
            pc.cast(texts.filter(is_number), pa.float64()).to_numpy(zero_copy_only=False)
        )
        parsed = parsed + 0.0
        parsed[~np.isfinite(parsed)] = np.nan
        numbers[mask] = parsed
    return numbers


def _true_mask(mask: pa.Array) -> npt.NDArray[np.bool_]:
    return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)


def _null_mask(array: pa.Array) -> npt.NDArray[np.bool_]:
    return np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)


def to_columns(
    columns: Sequence[ArrowColumn | pa.Array], interpret: Interpreter | None = None
) -> list[Column]:
    """`to_column` of several columns on a small thread pool (Arrow and numpy release the
    GIL); the list of inputs is emptied as it goes so each raw column can be freed early."""
    todo = list(columns)
    if len(todo) < 2 or sum(len(c) for c in todo) < 1_000_000:
        return [to_column(c, interpret) for c in todo]
    workers = min(len(todo), max(1, os.cpu_count() or 1), 4)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(to_column, c, interpret) for c in todo]
        del todo
        return [future.result() for future in futures]


# -- streamed conversion -------------------------------------------------------------------------


def stream_columns(
    batches: Iterable[Sequence[pa.Array]],
    width: int,
    interpret: Interpreter | None = None,
    prepare: Callable[[pa.Array], pa.Array] | None = None,
    size_hint: int = 0,
    plain_decimals: bool = False,
) -> list[Column]:
    """Raw-text batches (one string array per field) straight into encoded engine Columns:
    each batch is dictionary-encoded (or taken row by row when nearly all distinct), numbers
    are interpreted once per distinct text and the batch is folded into the column's symbol
    table, so no column is ever held as rows of texts. The result equals `to_column` of the
    whole column (`Column.from_encoded`). `prepare` maps each raw batch column first
    (NullInterpret); `size_hint` (bytes of the source) lets the encoders reserve their room
    once; `plain_decimals`: `interpret` reads `1.5` as 1.5 (the decimal separator is `.`),
    so a batch of plain numbers is cast without it. The next batch is read by a thread while
    others are encoded on two more."""
    with _stream_memory():
        return _stream_columns(batches, width, interpret, prepare, size_hint, plain_decimals)


class _Memory:
    lock = threading.Lock()
    users = 0  # streams under way
    huge_pages: bool | None = None  # numpy's setting before the first of them
    pool: pa.MemoryPool | None = None  # Arrow's default pool before the first of them


@contextlib.contextmanager
def _stream_memory() -> Iterator[None]:
    """While streams are encoded: numpy's large arrays without transparent huge pages, and
    Arrow's allocations from jemalloc (where the wheel has it and ARROW_DEFAULT_MEMORY_POOL
    does not choose). The encoders' many fresh arrays and the parser's blocks then cost
    less to fault in: on the 2-core VM of bench/reload_csv.py each measured about a tenth
    of a 10M-row reload faster, with a lower peak. Both settings are restored when the
    last stream ends (buffers keep the pool they came from)."""
    multiarray = getattr(getattr(np, "_core", None), "multiarray", None)
    set_huge_pages = getattr(multiarray, "_set_madvise_hugepage", None)
    with _Memory.lock:
        if not _Memory.users:
            if set_huge_pages is not None:
                _Memory.huge_pages = bool(set_huge_pages(False))
            if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
                with contextlib.suppress(NotImplementedError):
                    pool = pa.jemalloc_memory_pool()
                    _Memory.pool = pa.default_memory_pool()
                    pa.set_memory_pool(pool)
        _Memory.users += 1
    try:
        yield
    finally:
        with _Memory.lock:
            _Memory.users -= 1
            if not _Memory.users:
                if set_huge_pages is not None and _Memory.huge_pages is not None:
                    set_huge_pages(_Memory.huge_pages)
                if _Memory.pool is not None:
                    pa.set_memory_pool(_Memory.pool)
                _Memory.huge_pages = _Memory.pool = None


def _stream_columns(
    batches: Iterable[Sequence[pa.Array]],
    width: int,
    interpret: Interpreter | None,
    prepare: Callable[[pa.Array], pa.Array] | None,
    size_hint: int,
    plain_decimals: bool,
) -> list[Column]:
    encoders = [ColumnEncoder() for _ in range(width)]
    caches = [_NumberCache() for _ in range(width)]
    # a column's batches are folded in order; interpreting a batch needs no order, so a
    # worker can start the next batch while the other folds a long column of this one
    turns = [threading.Condition() for _ in range(width)]
    folded = [0] * width

    def add(i: int, k: int, texts: pa.Array) -> None:
        if prepare is not None:
            texts = prepare(texts)
        entries, numbers, codes, canonical, decimals = _entries(
            texts, interpret, caches[i], plain_decimals
        )
        del texts
        with turns[i]:
            turns[i].wait_for(lambda: folded[i] >= k)
            if folded[i] != k:
                return  # the reading was abandoned
            try:
                encoders[i].add(
                    entries,
                    numbers,
                    codes,
                    canonical,
                    distinct=codes is not None,
                    decimals=decimals,
                )
            finally:
                folded[i] = k + 1
                turns[i].notify_all()

    workers = min(width, 2, max(1, os.cpu_count() or 1))
    pending: list[list[Future[None]]] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            for k, batch in enumerate(_read_ahead(batches)):
                if len(batch) != width:
                    raise ValueError("a batch has the wrong number of columns")
                if size_hint and not k and len(batch) and len(batch[0]):
                    rows = _estimate_rows(batch, size_hint)
                    for encoder in encoders:
                        encoder.reserve(rows)
                pending.append([pool.submit(add, i, k, c) for i, c in enumerate(batch)])
                del batch
                while len(pending) > 1:  # at most two batches in the works
                    for future in pending.pop(0):
                        future.result()
            for futures in pending:
                for future in futures:
                    future.result()
        except BaseException:
            for futures in pending:
                for future in futures:
                    future.cancel()
            for i in range(width):  # let waiting folds through: the result is dropped
                with turns[i]:
                    folded[i] = 1 << 62
                    turns[i].notify_all()
            raise
    return [Column.from_encoded(*encoder.finish()) for encoder in encoders]


def _estimate_rows(batch: Sequence[pa.Array], size: int) -> int:
    """Rows of a delimited source of `size` bytes, from the bytes per row of a batch."""
    rows = len(batch[0])
    data = 0
    for column in batch:
        buffers = column.buffers()
        if len(buffers) > 2 and buffers[2] is not None:
            data += int(buffers[2].size)
    per_row = max(1.0, (data + rows * len(batch)) / rows)
    return int(size / per_row * 1.1) + rows


_DONE = object()


def _read_ahead(batches: Iterable[Sequence[pa.Array]]) -> Iterator[Sequence[pa.Array]]:
    """The batches, the next one read by a thread while the current one is encoded (reading
    and parsing release the GIL); at most one batch waits."""
    ready: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        ready.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(_DONE)
        except BaseException as error:  # handed to the consumer
            ready.put(error)

    thread = threading.Thread(target=produce, name="openqix-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
            del item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                ready.get_nowait()
            except queue.Empty:
                thread.join(0.05)


class _NumberCache:
    """The numbers of a column's distinct texts seen so far, while they are few (dates,
    codes): each text is interpreted once per reading, not once per batch. Also whether the
    column's texts are mostly distinct, looked at again every `RECHECK` batches only."""

    LIMIT = 1 << 16
    RECHECK = 8

    def __init__(self) -> None:
        self.texts = pa.array([], type=pa.string())
        self.numbers = np.zeros(0, dtype=np.float64)
        self.active = True
        self.lock = threading.Lock()  # two batches of a column may be interpreted at once
        self.distinct = False
        self.asked = 0

    def mostly_distinct(self, texts: pa.Array) -> bool:
        """`_mostly_distinct` of the column's batches (either answer gives the same
        encoding: it only picks entries per row or per distinct text)."""
        with self.lock:
            if self.asked % self.RECHECK == 0:
                self.distinct = _mostly_distinct(texts)
            self.asked += 1
            return self.distinct

    def numbers_of(
        self, entries: pa.Array, interpret: Callable[[pa.Array], npt.NDArray[np.float64]]
    ) -> npt.NDArray[np.float64]:
        if not self.active:
            return interpret(entries)
        with self.lock:
            return self._numbers_of(entries, interpret)

    def _numbers_of(
        self, entries: pa.Array, interpret: Callable[[pa.Array], npt.NDArray[np.float64]]
    ) -> npt.NDArray[np.float64]:
        if not self.active:
            return interpret(entries)
        hit = pc.index_in(entries, value_set=self.texts)
        positions = np.asarray(hit.fill_null(-1).to_numpy(zero_copy_only=False), np.int64)
        out = np.append(self.numbers, np.nan)[np.where(positions >= 0, positions, -1)]
        missing = np.flatnonzero(positions < 0)
        if len(missing):
            new_texts = entries.take(pa.array(missing))
            new_numbers = np.asarray(interpret(new_texts), dtype=np.float64)
            out[missing] = new_numbers
            if len(self.texts) + len(missing) > self.LIMIT:
                self.active = False
                self.texts, self.numbers = pa.array([], type=pa.string()), np.zeros(0)
            else:
                self.texts = pa.concat_arrays([self.texts, new_texts])
                self.numbers = np.concatenate([self.numbers, new_numbers])
        return out


Entries: TypeAlias = tuple[
    pa.Array,
    npt.NDArray[np.float64],
    npt.NDArray[np.int32] | None,
    npt.NDArray[np.bool_],
    npt.NDArray[np.int8] | None,
]


def _entries(
    texts: pa.Array | pa.ChunkedArray,
    interpret: Interpreter | None,
    cache: _NumberCache | None = None,
    plain_decimals: bool = False,
) -> Entries:
    """(entries, the number of each, per row its entry (-1 = NULL), whether each entry is
    its number's canonical text, its fixed decimals (`_fixed_decimals`)). Entries are the
    distinct texts in first-occurrence order, or the rows themselves (codes None) when they
    are integers or nearly all distinct: hashing them would gain nothing."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks != 1 else texts.chunk(0)
    codes: npt.NDArray[np.int32] | None = None
    if pa.types.is_dictionary(texts.type):
        codes = _first_occurrence_codes(texts)
        if codes is None:
            texts = texts.dictionary_decode()
    if codes is None and not pa.types.is_string(texts.type):
        texts = texts.cast(pa.string())
    integers_only = interpret is not None and not plain_decimals
    distinct = _mostly_distinct if cache is None else cache.mostly_distinct
    if codes is None and not texts.null_count and distinct(texts):
        fast = _fast_numbers(texts, integers_only=integers_only)
        if fast is not None:
            row_numbers = float_numbers(fast[0])
            if fast[1]:
                return texts, row_numbers, None, np.ones(len(texts), dtype=bool), None
            row_decimals = _fixed_decimals(texts, row_numbers)
        else:
            row_numbers = np.asarray((interpret or interpret_numbers)(texts), dtype=np.float64)
            row_decimals = None
        return texts, row_numbers, None, _canonical_entries(texts, row_numbers), row_decimals
    if codes is None:
        encoded = pc.dictionary_encode(texts)
        entries = encoded.dictionary
        indices = encoded.indices
        if indices.null_count:
            indices = indices.fill_null(-1)
        codes = np.asarray(indices.to_numpy(zero_copy_only=False), dtype=np.int32)
    else:
        entries = texts.dictionary
    numbers: npt.NDArray[np.float64] | None = None
    canonical: npt.NDArray[np.bool_] | None = None
    decimals: npt.NDArray[np.int8] | None = None
    fast = _fast_numbers(entries, integers_only=integers_only)
    if fast is not None:
        values, all_canonical = fast
        numbers = float_numbers(values)
        if all_canonical:
            canonical = np.ones(len(entries), dtype=bool)
        else:
            decimals = _fixed_decimals(entries, numbers)
    if numbers is None:
        reader = interpret or interpret_numbers
        if cache is not None:
            numbers = cache.numbers_of(entries, reader)
        else:
            numbers = np.asarray(reader(entries), dtype=np.float64)
    if canonical is None:
        canonical = _canonical_entries(entries, numbers)
    return entries, numbers, codes, canonical, decimals


_MINUS, _POINT, _SLASH, _ZERO, _NINE = 45, 46, 47, 48, 57
_MAX_DIGITS = 15  # decimal texts of at most 15 digits are distinct float64 numbers


def _fixed_decimals(
    texts: pa.Array, numbers: npt.NDArray[np.float64]
) -> npt.NDArray[np.int8] | None:
    """Per text d > 0 when it is its number written with exactly d decimals, the form
    `ColumnEncoder.add` takes as `decimals` (`-?(0|[1-9][0-9]*)[.][0-9]{d}`, at most 15 digits,
    not a negative zero), else 0; None when the texts are not all of that shape with the first
    text's d. `numbers` must be the texts read as decimal numbers (Arrow's cast): two such
    texts of one number are then the same text. A few passes over the texts' bytes."""
    n = len(texts)
    if not n or texts.null_count or not pa.types.is_string(texts.type):
        return None
    _, offset_buffer, data_buffer = texts.buffers()
    if offset_buffer is None or data_buffer is None:
        return None
    offsets = np.frombuffer(offset_buffer, dtype=np.int32, count=n + 1, offset=4 * texts.offset)
    base = int(offsets[0])
    data = np.frombuffer(data_buffer, dtype=np.uint8)[base : int(offsets[-1])]
    starts, ends = offsets[:-1] - base, offsets[1:] - base
    first = data[starts[0] : ends[0]].tobytes()
    if b"." not in first:
        return None
    d = len(first) - first.rfind(b".") - 1
    if not 0 < d < _MAX_DIGITS:
        return None
    lengths = ends - starts
    if bool((lengths < d + 2).any()):
        return None
    shifted = data - np.uint8(_MINUS)  # '-', '.', '/', digits: 0..12
    if int(shifted.max()) > _NINE - _MINUS or bool((data == _SLASH).any()):
        return None  # a byte other than a digit, '.' or '-' ('/' is 47)
    if bool((data[ends - d - 1] != _POINT).any()) or np.count_nonzero(data == _POINT) != n:
        return None  # the decimal point of each text, and no other
    negative = data[starts] == _MINUS
    if np.count_nonzero(data == _MINUS) != np.count_nonzero(negative):
        return None  # a minus sign not in front
    lead = starts + negative
    head = data[lead]
    if bool((head == _POINT).any()):
        return None  # `-.50`
    fits = (head != _ZERO) | (data[lead + 1] == _POINT)  # no leading zero but `0.50`
    fits &= lengths - negative - 1 <= _MAX_DIGITS
    fits &= ~(negative & (numbers == 0))  # -0.00 reads as 0.00
    return np.where(fits, d, 0).astype(np.int8)


def _first_occurrence_codes(array: pa.Array) -> npt.NDArray[np.int32] | None:
    """The codes of a dictionary array of strings (-1 = NULL) when its dictionary is as
    `dictionary_encode` makes it (each text once, all used, in first-occurrence order: what
    the CSV parser gives); else None."""
    dictionary = array.dictionary
    if not pa.types.is_string(dictionary.type) or dictionary.null_count:
        return None
    indices = array.indices
    if indices.null_count:
        indices = indices.fill_null(-1)
    codes = np.asarray(indices.to_numpy(zero_copy_only=False), dtype=np.int32)
    seen = np.maximum.accumulate(codes) if len(codes) else codes
    if len(seen) and (int(seen[-1]) != len(dictionary) - 1 or bool((np.diff(seen) > 1).any())):
        return None
    if len(seen) and int(seen[np.argmax(codes >= 0)]) != 0 and bool((codes >= 0).any()):
        return None
    if not len(seen) and len(dictionary):
        return None
    if len(pc.unique(dictionary)) != len(dictionary):
        return None
    return codes


def _mostly_distinct(texts: pa.Array) -> bool:
    """Whether a sample from the middle of `texts` is nearly all distinct (an ID, a price)."""
    n = len(texts)
    if n < 4096:
        return False
    sample = texts.slice(max(0, n // 2 - 4096), 8192)
    return bool(pc.count_distinct(sample).as_py() > 0.9 * len(sample))


def _canonical_entries(
    entries: pa.Array, numbers: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """Whether each text is exactly its integer number's canonical text (`12`, not `012`).
    Decimals are left False: checking their form costs about what it saves."""
    with np.errstate(invalid="ignore"):
        is_int = (numbers == np.trunc(numbers)) & (np.abs(numbers) < 1e15)
    out = np.zeros(len(entries), dtype=bool)
    where = np.flatnonzero(is_int)
    if not len(where):
        return out
    canonical = pc.cast(pa.array(numbers[where].astype(np.int64)), pa.string())
    chosen = entries if len(where) == len(entries) else entries.take(pa.array(where))
    same = pc.fill_null(pc.equal(canonical, chosen), False)
    out[where] = np.asarray(same.to_numpy(zero_copy_only=False), dtype=bool)
    return out

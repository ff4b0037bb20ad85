"""XLSX workbooks (`ooxml`) through python-calamine: `table is Sheet1` picks the sheet (the
first one by default), `embedded labels` takes field names from the first row, `header is N
lines` skips rows before it. Empty cells are NULL; numbers, dates and booleans keep their
type, text cells are raw texts (interpreted like text files)."""

from __future__ import annotations

import io
from typing import Any

from openqix.script.sources.errors import BadFileError
from openqix.script.sources.options import ReadOptions
from openqix.script.sources.table import SourceTable, column_from_python


def read_xlsx(data: bytes, options: ReadOptions, name: str) -> SourceTable:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError as error:  # pragma: no cover - a declared dependency
        raise BadFileError.of(name, "XLSX", "python-calamine is not installed") from error
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_name = _sheet(workbook.sheet_names, options.table, name)
        rows: list[list[Any]] = workbook.get_sheet_by_name(sheet_name).to_python(
            skip_empty_area=False
        )
    except BadFileError:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as error:  # calamine's own errors, and a Rust panic (BaseException)
        raise BadFileError.of(name, "XLSX", str(error) or type(error).__name__) from error
    rows = rows[options.header_lines :]
    while rows and all(cell == "" or cell is None for cell in rows[-1]):
        rows.pop()
    labelled = (options.labels or "embedded") != "none"
    header = [str(cell).strip() for cell in rows[0]] if labelled and rows else []
    body = rows[1:] if labelled else rows
    width = max([len(header), *map(len, body)], default=0)
    names = [header[i] if i < len(header) and header[i] else f"@{i + 1}" for i in range(width)]
    columns = []
    for i in range(width):
        cells = [_cell(row[i]) if i < len(row) else None for row in body]
        columns.append(column_from_python(cells))
    return SourceTable(tuple(names), tuple(columns))


def _sheet(sheet_names: list[str], wanted: str | None, name: str) -> str:
    if not sheet_names:
        raise BadFileError.of(name, "XLSX", "the workbook has no sheets")
    if not wanted:
        return sheet_names[0]
    key = wanted.strip().strip("[]").removesuffix("$").casefold()
    for sheet in sheet_names:
        if sheet.casefold() == key:
            return sheet
    raise BadFileError.of(name, "XLSX", f"no sheet named '{wanted}'")


def _cell(value: Any) -> Any:
    """Empty cells are NULL; whole floats stay floats (Excel has no integers)."""
    if value == "" or value is None:
        return None
    return value

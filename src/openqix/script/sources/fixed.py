"""Fixed-record text (`fix`): columns by character position.

With `embedded labels` each field starts where its label starts in the header line and ends
where the next one starts. Positions in the field list (`@1:5`, `@6:n`, read by the parser
into `ReadOptions.positions`) give explicit spans instead (`split_fixed`); then the header
line is skipped unless `no labels`. Values are trimmed; short lines give empty texts;
`record is N lines` joins N lines into one record, `record is N` cuts records of N characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from openqix.script.sources.delimited import decode_text
from openqix.script.sources.errors import BadFileError
from openqix.script.sources.options import ReadOptions
from openqix.script.sources.table import SourceTable

_LABEL = re.compile(r"\S+(?: \S+)*")


def read_fixed(data: bytes, options: ReadOptions, name: str) -> SourceTable:
    lines = fixed_lines(data, options)
    if options.positions:
        if (options.labels or "embedded") != "none":
            lines = lines[1:]  # the header line
        names = [field_name for field_name, _, _ in options.positions]
        spans = [(start, end) for _, start, end in options.positions]
        return SourceTable.of_texts(names, split_fixed(lines, spans))
    if (options.labels or "embedded") == "none" or not lines:
        if not lines:
            return SourceTable((), ())
        raise BadFileError.of(
            name, "fixed-record", "`fix` without embedded labels needs @start:end fields"
        )
    header, body = lines[0], lines[1:]
    starts = [m.start() for m in _LABEL.finditer(header)]
    labels = [m.group() for m in _LABEL.finditer(header)]
    spans = [(s, starts[i + 1] if i + 1 < len(starts) else None) for i, s in enumerate(starts)]
    return SourceTable.of_texts(labels, split_fixed(body, spans))


def fixed_lines(data: bytes, options: ReadOptions) -> list[str]:
    """The records of a fixed-record file: header lines and comments skipped, blank lines
    dropped, `record is N lines` joined."""
    text = decode_text(data, options.codec())
    if options.record_length:  # `record is N`: records of N characters, line ends included
        size = options.record_length
        parts = text.split("\n", options.header_lines)
        rest = parts[-1] if len(parts) > options.header_lines else ""
        lines = [rest[i : i + size].rstrip("\r\n") for i in range(0, len(rest), size)]
    else:
        lines = text.replace("\r\n", "\n").split("\n")[options.header_lines :]
    if options.comment:
        lines = [line for line in lines if not line.startswith(options.comment)]
    lines = [line for line in lines if line.strip()]
    per_record = options.record_lines or 1
    if per_record > 1:
        lines = ["".join(lines[i : i + per_record]) for i in range(0, len(lines), per_record)]
    return lines


def split_fixed(
    lines: Sequence[str], spans: Sequence[tuple[int, int | None]]
) -> list[list[str | None]]:
    """Per span (0-based start, exclusive end or None for the rest) the trimmed texts."""
    columns: list[list[str | None]] = []
    for start, end in spans:
        columns.append([line[start:end].strip() if len(line) > start else "" for line in lines])
    return columns

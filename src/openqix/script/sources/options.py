"""`ReadOptions`: the format specification of a LOAD as the readers need it.

Built from the script's `FormatSpec` (any object with some of these attributes; missing ones
take the default) so the parser can grow items without breaking the readers.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, fields
from typing import Any

from openqix.script.errors import SourceError

FILE_TYPES = ("txt", "qvd", "parquet", "ooxml", "json", "fix")
_BY_EXTENSION = {
    "qvd": "qvd",
    "parquet": "parquet",
    "xlsx": "ooxml",
    "xlsm": "ooxml",
    "json": "json",
    "ndjson": "json",
    "jsonl": "json",
}
_TAB_EXTENSIONS = ("tab", "tsv")


@dataclass(frozen=True)
class ReadOptions:
    """One LOAD's format items; None = not given (the reader's default applies)."""

    file_type: str | None = None  # txt | qvd | parquet | ooxml | json | fix; None: by extension
    delimiter: str | None = None  # a character (`\t` for tab), several characters, or SPACES
    labels: str | None = None  # embedded | explicit | none
    quoting: str | None = None  # standard | msq | none
    encoding: str | None = None  # a Python codec name (utf-8, cp1252, utf-16 ...)
    header_lines: int = 0  # `header is N lines`: lines skipped before the labels / data
    comment: str | None = None  # `comment is '#'`: lines starting with it are skipped
    table: str | None = None  # `table is Sheet1` (XLSX sheet)
    record_lines: int | None = None  # `record is N lines` (fix)
    record_length: int | None = None  # `record is N`: N characters per record (fix)
    positions: tuple[tuple[str, int, int | None], ...] | None = None  # `@1:5` fields (fix)

    @classmethod
    def from_spec(cls, spec: Any) -> ReadOptions:
        if isinstance(spec, ReadOptions):
            return spec
        if spec is None:
            return cls()
        values = {f.name: getattr(spec, f.name, None) for f in fields(cls)}
        values["header_lines"] = int(values["header_lines"] or 0)
        if isinstance(values["file_type"], str):
            values["file_type"] = values["file_type"].lower()
        return cls(**values)  # type: ignore[arg-type]

    def resolved_type(self, file_name: str) -> str:
        """The file type: the one given, else by extension, else txt."""
        if self.file_type:
            kind = "ooxml" if self.file_type in ("xlsx", "biff") else self.file_type
            if kind not in FILE_TYPES:
                raise SourceError(f"File format '{self.file_type}' is not supported")
            return kind
        extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
        return _BY_EXTENSION.get(extension, "txt")

    def text_delimiter(self, file_name: str) -> str:
        if self.delimiter:
            return self.delimiter
        extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
        return "\t" if extension in _TAB_EXTENSIONS else ","

    def codec(self) -> str:
        """The Python codec, normalised (`utf8` -> `utf-8`)."""
        name = self.encoding or "utf-8"
        try:
            return codecs.lookup(name).name
        except LookupError:
            raise SourceError(f"Unknown codepage or encoding: '{name}'") from None

"""INLINE data: the text between the brackets (or quotes) of `LOAD ... INLINE [...]`, read
exactly like a delimited text file. Defaults per Qlik: `txt`, `delimiter is ','`,
`embedded labels`, standard quoting.
"""

from __future__ import annotations

from openqix.script.sources.delimited import TextFormat, TextTable, parse_delimited

INLINE_FORMAT = TextFormat()


def read_inline(data: str, text_format: TextFormat = INLINE_FORMAT) -> TextTable:
    """The table held by inline data; an empty or blank text is a table without fields."""
    return parse_delimited(data, text_format)

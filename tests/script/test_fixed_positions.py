"""Fixed-record files with `@start:end` positions in the field list: parsing into the
format spec and reading with `split_fixed` (labels, `record is N`, `record is N lines`)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.lang.errors import ScriptSyntaxError
from openqix.lang.script_ast import FieldItem, LoadStatement
from openqix.lang.script_parser import parse_statement, split_script
from openqix.script.sources import read_table
from openqix.script.sources.options import ReadOptions


def _load(text: str) -> LoadStatement:
    (statement,) = split_script(text)
    node = parse_statement(statement)
    assert isinstance(node, LoadStatement)
    return node


def test_positions_parse_into_the_format_spec() -> None:
    load = _load(
        "LOAD @1:2 as ID, @3:25T as Name, @26:n AS Rest, @1:2 as Again "
        "FROM [lib://d/x.fix] (fix, codepage is 1252, record is 3 lines);"
    )
    items = [item for item in load.fields if isinstance(item, FieldItem)]
    assert [(i.name, i.alias) for i in items] == [
        ("@1:2", "ID"),
        ("@3:25", "Name"),
        ("@26:n", "Rest"),
        ("@1:2", "Again"),
    ]
    spec = load.text_format
    assert spec.positions == (("@1:2", 0, 2), ("@3:25", 2, 25), ("@26:n", 25, None))
    assert (spec.file_type, spec.encoding, spec.record_lines) == ("fix", "cp1252", 3)
    assert _load("LOAD @1:3 FROM x.fix (fix, record is 40);").text_format.record_length == 40


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("LOAD @5:2 FROM x.fix (fix);", "Invalid field position: @5:2"),
        ("LOAD @1:2I FROM x.fix (fix);", "Binary field type 'I' is not supported"),
        ("LOAD @1: 2 FROM x.fix (fix);", "expected: an end position"),
    ],
)
def test_position_errors(text: str, message: str) -> None:
    with pytest.raises(ScriptSyntaxError, match=message):
        _load(text)


def test_plain_at_fields_stay_field_references() -> None:
    load = _load("LOAD @1, @2 as B FROM x.csv (txt, no labels);")
    assert load.text_format.positions == ()
    assert [i.name for i in load.fields if isinstance(i, FieldItem)] == ["@1", "@2"]


def _read(data: bytes, **options: object) -> list[list[str | None]]:
    table = read_table(data, ReadOptions(file_type="fix", **options))  # type: ignore[arg-type]
    return [table.texts(i) for i in range(len(table.field_names))]


def test_reading_by_positions() -> None:
    data = "HEAD\r\nab123\r\ncd4\r\n".encode("cp1252")
    spans = (("@1:2", 0, 2), ("@3:n", 2, None))
    assert _read(data, positions=spans) == [["ab", "cd"], ["123", "4"]]
    assert _read(data, positions=spans, labels="none") == [["HE", "ab", "cd"], ["AD", "123", "4"]]
    assert _read(data, positions=spans, labels="none", header_lines=1) == [
        ["ab", "cd"],
        ["123", "4"],
    ]


def test_record_length_and_record_lines() -> None:
    spans = (("@1:2", 0, 2), ("@3:4", 2, 4))
    assert _read(b"aabbccdd", positions=spans, labels="none", record_length=4) == [
        ["aa", "cc"],
        ["bb", "dd"],
    ]
    crlf = b"aabb\r\nccdd\r\n"  # the line ends are part of each 6-character record
    assert _read(crlf, positions=spans, labels="none", record_length=6) == [
        ["aa", "cc"],
        ["bb", "dd"],
    ]
    two_lines = b"aa\nbb\ncc\ndd\n"
    assert _read(two_lines, positions=spans, labels="none", record_lines=2) == [
        ["aa", "cc"],
        ["bb", "dd"],
    ]


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.text("abc xyz", max_size=4), st.text("0123456789", max_size=6)),
        min_size=1,
        max_size=8,
    )
)
def test_positions_agree_with_slicing(rows: list[tuple[str, str]]) -> None:
    lines = [f"{a:<4}{b:<6}" for a, b in rows]
    data = ("\r\n".join(["H" * 10, *lines]) + "\r\n").encode("cp1252")
    got = _read(data, positions=(("@1:4", 0, 4), ("@5:n", 4, None)))
    kept = [line for line in lines if line.strip()]  # blank records are skipped
    assert got == [[line[:4].strip() for line in kept], [line[4:].strip() for line in kept]]

"""Delimited and fixed text through `read_table`: format-spec options, codepages, the pyarrow
fast path agreeing with the Python parser, and STORE (txt) round trips."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.lang.script_ast import SPACES
from openqix.script.sources import (
    DualColumn,
    ReadOptions,
    SourceTable,
    StoreTable,
    delimited,
    read_table,
    text_fast,
    write_table,
)
from openqix.script.sources.delimited import TextFormat, _Dialect, parse_delimited
from openqix.script.sources.errors import BadFileError
from openqix.script.sources.writers import delimited_bytes


def rows(table: SourceTable) -> list[list[str | None]]:
    return [list(r) for r in zip(*(table.texts(i) for i in range(len(table.columns))), strict=True)]


def txt(**items: object) -> ReadOptions:
    return ReadOptions(file_type="txt", **items)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "options", "names", "expected"),
    [
        (b"A\tB\n1\t2\n", txt(delimiter="\t"), ("A", "B"), [["1", "2"]]),
        (b"A||B\n1||x|y\n", txt(delimiter="||"), ("A", "B"), [["1", "x|y"]]),
        (b"A  B\n1   2\n", txt(delimiter=SPACES), ("A", "B"), [["1", "2"]]),
        (b"junk\nmore junk\nA,B\n1,2\n", txt(header_lines=2), ("A", "B"), [["1", "2"]]),
        (b"A,B\n#1,2\n3,4\n", txt(comment="#"), ("A", "B"), [["3", "4"]]),
        (b"1,2\n3\n", txt(labels="none"), ("@1", "@2"), [["1", "2"], ["3", ""]]),
        (b"A,B,C\n1,2\n\n4,5,6,7\n", txt(), ("A", "B", "C"), [["1", "2", ""], ["4", "5", "6"]]),
        (b'A,B\n1,"x\n y"\n', txt(quoting="msq"), ("A", "B"), [["1", "x\n y"]]),
        (b'A,B\n"1","a,""b"""\n', txt(), ("A", "B"), [["1", 'a,"b"']]),
        (b'A,B\n"1",x"y\n', txt(quoting="none"), ("A", "B"), [['"1"', 'x"y']]),
        ("A\nMalmö\n".encode("cp1252"), txt(encoding="cp1252"), ("A",), [["Malmö"]]),
        ("A\nMalmö\n".encode("utf-16"), txt(encoding="utf-16"), ("A",), [["Malmö"]]),
        (b"\xef\xbb\xbfA\nx\n", txt(encoding="cp1252"), ("A",), [["x"]]),
        ("A\nMalmö\n".encode("utf-16"), txt(), ("A",), [["Malmö"]]),
        ("A\nMalmö\n".encode("utf-16"), txt(encoding="cp1252"), ("A",), [["Malmö"]]),
        (b"A;B\n1;2", ReadOptions(delimiter=";"), ("A", "B"), [["1", "2"]]),
    ],
)
def test_format_spec_options(
    data: bytes, options: ReadOptions, names: tuple[str, ...], expected: list[list[str | None]]
) -> None:
    table = read_table(data, options, name="x.csv")
    assert table.field_names == names
    assert rows(table) == expected
    assert all(table.is_raw_text(i) for i in range(len(names)))


def test_tab_files_default_to_tab_and_unknown_codepages_fail() -> None:
    assert read_table(b"A\tB\n1\t2\n", None, name="x.tab").field_names == ("A", "B")
    with pytest.raises(BadFileError.__mro__[1], match="codepage"):
        read_table(b"A\n", txt(encoding="nope"), name="x.csv")


@pytest.fixture
def always_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_fast, "FAST_MIN_BYTES", 0)


def test_big_files_take_the_arrow_path(always_fast: None, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(delimited, "parse_delimited", lambda *a: calls.append("slow"))
    table = read_table(b"\xef\xbb\xbf A , B\r\n 1 , x y \r\n\r\n3,\r\n", txt(), name="x.csv")
    assert (table.field_names, rows(table), calls) == (("A", "B"), [["1", "x y"], ["3", ""]], [])


def header_of(text_format: TextFormat) -> text_fast.HeaderParser:
    header_format = TextFormat(text_format.delimiter, "none", text_format.quoting)
    return lambda line: next(_Dialect(header_format).records(line), [""])


CELL = st.text(alphabet=st.sampled_from(list('ab ,;"\n\r\t1é')), max_size=4)
FAST_FORMATS = st.builds(
    TextFormat,
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    labels=st.sampled_from(["embedded", "none"]),
    quoting=st.sampled_from(["standard", "msq", "none"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(CELL, min_size=2, max_size=2), min_size=1, max_size=6), FAST_FORMATS)
def test_the_arrow_path_agrees_with_the_python_parser(
    grid: list[list[str]], text_format: TextFormat
) -> None:
    text = "\n".join(text_format.delimiter.join(row) for row in grid)
    data = text.encode()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text_fast, "FAST_MIN_BYTES", 0)
        fast = text_fast.arrow_text_table(data, text_format, header_of(text_format))
    if fast is None:
        return
    slow = parse_delimited(text, text_format)
    assert fast.field_names == slow.field_names
    assert rows(fast) == [list(r) for r in slow.rows()]


def test_fixed_records_with_embedded_labels() -> None:
    data = b"Id  Name      City\n1   Ann Lee   Lund\n22  Bo        Malmo\n3\n"
    table = read_table(data, ReadOptions(file_type="fix"), name="x.txt")
    assert table.field_names == ("Id", "Name", "City")
    assert rows(table) == [["1", "Ann Lee", "Lund"], ["22", "Bo", "Malmo"], ["3", "", ""]]
    with pytest.raises(BadFileError, match=r"x\.txt"):
        read_table(data, ReadOptions(file_type="fix", labels="none"), name="x.txt")


def test_store_txt_writes_a_csv_that_python_reads(tmp_path: Path) -> None:
    table = StoreTable(
        ("Id", "Note, with comma"),
        (
            DualColumn.of([None, "007", None], [1.5, 7, math.nan]),
            DualColumn.of(['say "hi"', " pad", "two\nlines"], [math.nan] * 3),
        ),
    )
    path = tmp_path / "out.csv"
    write_table(table, path, "txt")
    text = path.read_bytes().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["Id", "Note, with comma"],
        ["1.5", 'say "hi"'],
        ["007", " pad"],
        ["", "two\nlines"],
    ]
    loaded = read_table(path, txt(quoting="msq"))
    assert rows(loaded) == [["1.5", 'say "hi"'], ["007", " pad"], ["", "two\nlines"]]
    write_table(table, tmp_path / "out.tab", spec=txt(delimiter="\t"))
    assert (tmp_path / "out.tab").read_bytes().splitlines()[1] == b'1.5\t"say ""hi"""'


TEXT_VALUES = st.one_of(
    st.none(), st.text(alphabet=st.sampled_from(list('ab ,"\n\t1.é-')), max_size=5)
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            TEXT_VALUES,
            st.one_of(
                st.just(math.nan),
                st.integers(-99, 99),
                st.floats(allow_nan=False, allow_infinity=False),
            ),
        ),
        max_size=12,
    )
)
def test_csv_round_trip_with_nulls_and_duals(
    tmp_path_factory: pytest.TempPathFactory, values: list[tuple[str | None, float]]
) -> None:
    """What STORE (txt) writes, LOAD (txt, msq) reads back as the same display texts;
    NULL comes back as the empty text (text files have no NULL)."""
    column = DualColumn.of([v[0] for v in values], [float(v[1]) for v in values])
    path = tmp_path_factory.mktemp("csv") / "r.csv"
    write_table(StoreTable(("V",), (column,)), path)
    loaded = read_table(path, txt(quoting="msq"))
    expected = [text or "" for text in column.texts_or_display()]
    if not values:
        assert loaded.n_rows == 0
        return
    # a one-field row whose value is empty is an empty line, and the reader skips those
    assert [t or "" for t in loaded.texts(0)] == [e for e in expected if e != ""]


def test_files_are_read_from_disk_by_the_arrow_path(
    always_fast: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b'\xef\xbb\xbfskip me\n\nA,"B, b"\r\n1,"x, y"\r\n2,\r\n')
    calls: list[str] = []
    monkeypatch.setattr(delimited, "parse_delimited", lambda *a: calls.append("slow"))
    table = read_table(path, txt(header_lines=1))
    assert (table.field_names, rows(table), calls) == (
        ("A", "B, b"),
        [["1", "x, y"], ["2", ""]],
        [],
    )


QUOTED_CELL = st.text(alphabet=st.sampled_from(list("ab ,;\n\t1")), max_size=5)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.lists(QUOTED_CELL, min_size=3, max_size=3), min_size=1, max_size=8),
    st.sampled_from(["standard", "msq"]),
)
def test_the_arrow_path_agrees_on_csv_writer_output(grid: list[list[str]], quoting: str) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["A", "B", "C"], *grid])
    text_format = TextFormat(quoting=quoting)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text_fast, "FAST_MIN_BYTES", 0)
        fast = text_fast.arrow_text_table(
            out.getvalue().encode(), text_format, header_of(text_format)
        )
    if fast is None:
        return
    slow = parse_delimited(out.getvalue(), text_format)
    assert (fast.field_names, rows(fast)) == (slow.field_names, [list(r) for r in slow.rows()])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
def test_stored_numbers_are_written_in_the_engines_shortest_form(numbers: list[float]) -> None:
    column = DualColumn.of([None] * len(numbers), numbers)
    data = delimited_bytes(StoreTable(("V",), (column,)), ReadOptions(), "x.csv")
    written = data.decode("utf-8-sig").split("\r\n")[1:-1]
    assert written == column.texts_or_display()


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_a_crlf_inside_an_msq_value_reads_as_lf_on_both_paths(line_end: str) -> None:
    text = f'A,B{line_end}"x\r\ny",1{line_end}'
    fmt = TextFormat(delimiter=",", quoting="msq")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text_fast, "FAST_MIN_BYTES", 0)
        fast = text_fast.arrow_text_table(text.encode(), fmt, header_of(fmt))
    slow = parse_delimited(text, fmt)
    assert [list(r) for r in slow.rows()] == [["x\ny", "1"]]
    assert fast is None or rows(fast) == [["x\ny", "1"]]

"""The delimited-text reader on its own: Qlik's reading rules, an oracle check against Python's
csv writer, and that any text gives a rectangular table without an exception."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openqix.lang.script_ast import SPACES
from openqix.script.sources.delimited import TextFormat, _Dialect, decode_text, parse_delimited
from openqix.script.sources.inline import read_inline

MSQ = TextFormat(quoting="msq")


@pytest.mark.parametrize(
    ("text", "fmt", "names", "rows"),
    [
        ("A,B\n1,2", TextFormat(), ("A", "B"), [("1", "2")]),
        ("A,B\r\n1,2\r\n", TextFormat(), ("A", "B"), [("1", "2")]),
        (" A , B \n 1 , 2 ", TextFormat(), ("A", "B"), [("1", "2")]),
        ("A,,C\n1,2,3", TextFormat(), ("A", "@2", "C"), [("1", "2", "3")]),
        ("A,B\n1\n1,2,3", TextFormat(), ("A", "B"), [("1", ""), ("1", "2")]),
        (
            "1\n1,2,3",
            TextFormat(labels="none"),
            ("@1", "@2", "@3"),
            [("1", "", ""), ("1", "2", "3")],
        ),
        ('A\n"x"y', TextFormat(), ("A",), [("xy",)]),
        ('A\n" pad "', TextFormat(), ("A",), [(" pad ",)]),
        ('A\n"open', TextFormat(), ("A",), [('"open',)]),
        ('A\n"open', MSQ, ("A",), [('"open',)]),
        ('A,B\n1,"a\n\nb",2\n3,4', MSQ, ("A", "B"), [("1", "a\n\nb"), ("3", "4")]),
        ('A\tB\n\t"x"', TextFormat(delimiter="\t"), ("A", "B"), [("", "x")]),
        ("A B\n x  'y' ", TextFormat(delimiter=" "), ("A", "B"), [("", "x")]),
        ('A  B\n"a b"  c', TextFormat(delimiter=SPACES), ("A", "B"), [("a b", "c")]),
        (
            'A  B\n"a b"  c',
            TextFormat(delimiter=SPACES, quoting="none"),
            ("A", "B"),
            [('"a', 'b"')],
        ),
        ('A"B\n1"2', TextFormat(delimiter='"'), ("A", "B"), [("1", "2")]),
        ("", TextFormat(), (), []),
        ("\n \n", TextFormat(labels="none"), (), []),
    ],
)
def test_reading_rules(
    text: str, fmt: TextFormat, names: tuple[str, ...], rows: list[tuple[str, ...]]
) -> None:
    table = parse_delimited(text, fmt)
    assert (table.field_names, table.rows()) == (names, rows)


def test_decoding() -> None:
    assert decode_text(b"\xef\xbb\xbfA", "cp1252") == "A"
    assert decode_text("Ö".encode("cp1252"), "cp1252") == "Ö"
    assert decode_text(b"\xff", "utf-8") == "\ufffd"
    assert decode_text("\ufeffA".encode("utf-16"), "utf-16") == "A"


def test_inline_is_the_same_reader() -> None:
    assert read_inline("\n  A, B\n  1, 2\n").rows() == [("1", "2")]


VALUES = st.text(alphabet=st.sampled_from(list('ab ,;"\n\tx\u00e9')), max_size=6)


@given(st.lists(st.lists(VALUES, min_size=3, max_size=3), min_size=1, max_size=8))
def test_msq_reads_back_what_a_fully_quoting_csv_writer_wrote(rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    table = parse_delimited(out.getvalue(), TextFormat(labels="none", quoting="msq"))
    assert [list(row) for row in table.rows()] == rows


FORMATS = st.builds(
    TextFormat,
    delimiter=st.sampled_from([",", ";", "\t", " ", '"', SPACES]),
    labels=st.sampled_from(["embedded", "none"]),
    quoting=st.sampled_from(["standard", "msq", "none"]),
)


@given(st.text(alphabet=st.sampled_from(list('a1 ,;"\n\r\t')), max_size=120), FORMATS)
def test_any_text_gives_a_rectangular_table(text: str, fmt: TextFormat) -> None:
    table = parse_delimited(text, fmt)
    assert len(table.columns) == len(table.field_names)
    assert len({len(column) for column in table.columns}) <= 1


@st.composite
def grids(draw: st.DrawFn) -> str:
    """Rectangular text: the shape the bulk splitter takes, with blanks at value edges."""
    width = draw(st.integers(2, 4))
    cell = st.text(alphabet=st.sampled_from(list("ab \t\r")), max_size=3)
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), max_size=5))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(",".join(row) for row in rows)
    return text + newline if draw(st.booleans()) else text


@given(st.one_of(grids(), st.text(alphabet=st.sampled_from(list("ab ,;\n\t\r")))), FORMATS)
def test_bulk_split_agrees_with_the_line_reader(text: str, fmt: TextFormat) -> None:
    fast = parse_delimited(text, fmt)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_Dialect, "bulk_split", lambda self, text: None)
        slow = parse_delimited(text, fmt)
    assert (fast.field_names, fast.rows()) == (slow.field_names, slow.rows())

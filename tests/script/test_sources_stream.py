"""The streamed reading of large delimited files (block by block, encoded as it is read)
against the whole-file reading: the same model and the same per-row values."""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import openqix.script.sources as sources
from openqix.calc.format import FormatSettings
from openqix.calc.interpret import interpret_numbers
from openqix.engine.model import Column, DataModel, LoadedTable
from openqix.script.executor import run_script
from openqix.script.sources import ConnectionResolver, FolderConnection, read_table, stream_table
from openqix.script.sources.table import _fixed_decimals, stream_columns, to_column

CELLS = [
    "1",
    "007",
    "-3",
    "+4",
    "12345",
    "1.5",
    "1.50",
    "2.25",
    "0.10",
    "2024-01-31",
    "31/01/2024",
    "abc",
    "Abc",
    "",
    "NULL",
    '"x, y"',
    '"q""r"',
    "1e3",
    "x y",
    "5.",
    ".5",
    "+.5",
    "-0",
    "inf",
    "1e400",
    "0001.50",
]
FORMATS = FormatSettings()


def interpret(texts):  # type: ignore[no-untyped-def]
    return interpret_numbers(texts, FORMATS)


def write_csv(path: Path, columns: list[list[str]], size: int, seed: int) -> None:
    """About `size` bytes of rows picked from `columns`' cells."""
    rng = random.Random(seed)
    lines = [",".join(f"F{i}" for i in range(len(columns)))]
    written = 0
    while written < size:
        lines.append(",".join(rng.choice(cells) for cells in columns))
        written += len(lines[-1]) + 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def model_of(columns: list[Column]) -> DataModel:
    names = tuple(f"F{i}" for i in range(len(columns)))
    return DataModel.build([LoadedTable("T", names, tuple(columns))])


def assert_same(streamed: list[Column], whole: list[Column]) -> None:
    a, b = model_of(streamed), model_of(whole)
    for name in a.fields:
        assert a.fields[name].symbols.text_list() == b.fields[name].symbols.text_list()
        np.testing.assert_array_equal(
            a.fields[name].symbols.numbers, b.fields[name].symbols.numbers
        )
        assert a.fields[name].tags == b.fields[name].tags
        np.testing.assert_array_equal(a.tables["T"].columns[name], b.tables["T"].columns[name])
    for s, w in zip(streamed, whole, strict=True):
        assert list(s.texts) == list(w.texts)
        np.testing.assert_array_equal(s.numbers, w.numbers)


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(CELLS), min_size=1, max_size=6), min_size=1, max_size=3),
    st.integers(0, 1000),
    st.sampled_from([4096, 20_000]),
    st.booleans(),
)
def test_a_streamed_file_gives_what_the_whole_file_gives(
    tmp_path_factory, columns, seed, block, plain
):
    path = tmp_path_factory.mktemp("stream") / "big.csv"
    write_csv(path, columns, 300_000, seed)
    stream = stream_table(path, None, name="big.csv", min_bytes=0, block_size=block)
    assert stream is not None
    width = len(stream.field_names)
    streamed = stream_columns(stream.batches, width, interpret, None, stream.size, plain)
    source = read_table(path, None)
    assert stream.field_names == source.field_names
    whole = [to_column(c, interpret) for c in source.columns]
    assert_same(streamed, whole)


def test_a_file_the_fast_reading_refuses_is_not_streamed(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("A,B\n" + "1,2\n" * 20_000 + "3\n" + "4,5\n" * 10, encoding="utf-8")
    stream = stream_table(path, None, name="ragged.csv", min_bytes=0, block_size=4096)
    assert stream is not None
    with pytest.raises(sources.StreamFailed):
        stream_columns(stream.batches, 2, interpret)
    small = tmp_path / "small.csv"
    small.write_text("A\n1\n", encoding="utf-8")
    assert stream_table(small, None, min_bytes=0) is None  # too small for the fast reading
    assert stream_table(path, None) is None  # below STREAM_MIN_BYTES


SCRIPT = """
SET NullInterpret='NULL';
T: LOAD * FROM [lib://data/{name}] (txt, utf8, embedded labels, delimiter is ',');
U: NoConcatenate LOAD F0 AS G0, Text(F0) AS Shown, Len(F1) AS L RESIDENT T WHERE Len(F0) > 1;
"""


@pytest.mark.parametrize("name", ["big.csv", "ragged.csv"])
def test_a_reload_streams_large_files_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    path = tmp_path / name
    write_csv(path, [CELLS, CELLS[5:12]], 300_000, 3)
    if name == "ragged.csv":  # the fast reading refuses it: read whole by the Python parser
        with path.open("a", encoding="utf-8") as file:
            file.write("9\n")
    connections = ConnectionResolver([FolderConnection("data", tmp_path)])
    whole = run_script(SCRIPT.format(name=name), connections)
    monkeypatch.setattr(sources, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(sources, "STREAM_BLOCK_BYTES", 8192)
    streamed = run_script(SCRIPT.format(name=name), connections)
    for a, b in zip(streamed.tables, whole.tables, strict=True):
        assert a.field_names == b.field_names
        for x, y in zip(a.columns, b.columns, strict=True):
            assert list(x.texts) == list(y.texts)
            np.testing.assert_array_equal(x.numbers, y.numbers)
    if name == "big.csv":
        assert streamed.tables[0].columns[0].encoded is not None


def test_only_first_occurrence_dictionaries_are_taken_as_they_are() -> None:
    from openqix.script.sources.table import _first_occurrence_codes

    def dictionary(indices: list[int | None], values: list[str]) -> pa.Array:
        return pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), pa.array(values))

    good = _first_occurrence_codes(dictionary([None, 0, 1, 0, 2], ["a", "b", "c"]))
    assert good is not None and good.tolist() == [-1, 0, 1, 0, 2]
    assert _first_occurrence_codes(dictionary([1, 0], ["a", "b"])) is None  # order
    assert _first_occurrence_codes(dictionary([0, 0], ["a", "b"])) is None  # unused
    assert _first_occurrence_codes(dictionary([0, 1], ["a", "a"])) is None  # repeated
    streamed = stream_columns([[dictionary([1, 0, 1], ["x", "7"])]], 1, interpret)
    assert list(streamed[0].texts) == ["7", "x", "7"]
    assert streamed[0].numbers[0] == 7


def _fixed_decimals_brute(texts: list[str], numbers: np.ndarray) -> np.ndarray | None:
    """`_fixed_decimals` by its definition, text by text."""
    if not texts or "." not in texts[0]:
        return None
    d = len(texts[0]) - texts[0].rfind(".") - 1
    if not 0 < d < 15 or not all(re.fullmatch(rf"-?[0-9]+[.][0-9]{{{d}}}", t) for t in texts):
        return None
    out = []
    for text, number in zip(texts, numbers.tolist(), strict=True):
        negative = text.startswith("-")
        fits = re.fullmatch(rf"-?(0|[1-9][0-9]*)[.][0-9]{{{d}}}", text) is not None
        fits = fits and len(text) - negative - 1 <= 15 and not (negative and number == 0)
        out.append(d if fits else 0)
    return np.array(out, dtype=np.int8)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "-", "+"]),
            st.sampled_from(["0", "00", "1", "12", "012", "", "1234567890123", "9" * 14]),
            st.sampled_from([".", "", "..", ",", " "]),
            st.sampled_from(["5", "50", "05", "", "500", "5e1", "x"]),
        ).map("".join),
        min_size=1,
        max_size=12,
    ),
    st.integers(0, 3),
)
def test_fixed_decimals_are_found_as_their_definition_says(texts, offset):
    """The fixed-decimals form (`1.50`, not `01.50`, `-0.00`, `+1.50` or 16 digits) the
    encoder trusts to tell equal texts of equal numbers without comparing them."""
    numbers = np.array(
        [float(t) if re.fullmatch(r"[+-]?[0-9]*[.]?[0-9]+", t) else np.nan for t in texts]
    )
    array = pa.array(["pad"] * offset + texts).slice(offset)  # a sliced array too
    found = _fixed_decimals(array, numbers)
    expected = _fixed_decimals_brute(texts, numbers)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        np.testing.assert_array_equal(found, expected)


def test_prices_in_fixed_decimals_stream_as_the_whole_column_reads():
    """Mostly distinct 2-decimal prices over blocks (one entry per row), then the same
    numbers with 1 and 3 decimals and negative zeros: each row keeps its own text."""
    rng = np.random.default_rng(5)
    cents = rng.integers(-50_000, 50_000, 30_000)
    two = [f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}" for c in cents.tolist()]
    one = [f"{c / 100:.1f}" for c in cents[:6_000].tolist()]
    three = [f"{c / 100:.3f}" for c in cents[6_000:12_000].tolist()]
    blocks = [two[:10_000], two[10_000:20_000], one, ["-0.00", "0.00"] * 3_000, three, two[20_000:]]
    batches = [[pa.array(block)] for block in blocks]
    streamed = stream_columns(batches, 1, interpret, None, 0, True)
    whole = to_column(pa.chunked_array([b[0] for b in batches]), interpret)
    assert_same(streamed, [whole])


def test_values_with_blanks_at_their_edges_in_a_later_block_are_trimmed(tmp_path: Path):
    path = tmp_path / "blanks.csv"
    rows = ["A,B,C"] + ['1,x,"p, q"'] * 15_000 + [' 7,x y ,"p, q"', "8,\tz,w"] * 50
    rows += ["1,x,y"] * 3_000
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    stream = stream_table(path, None, name="blanks.csv", min_bytes=0, block_size=4096)
    assert stream is not None
    streamed = stream_columns(stream.batches, 3, interpret)
    whole = [to_column(c, interpret) for c in read_table(path, None).columns]
    assert_same(streamed, whole)
    assert "7" in list(streamed[0].texts) and "x y" in list(streamed[1].texts)
    assert "z" in list(streamed[1].texts) and "p, q" in list(streamed[2].texts)

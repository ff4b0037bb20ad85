"""LOAD ... INLINE through run_script: quoting forms, format items, values as Qlik reads them."""

from __future__ import annotations

import math

import pytest

from openqix.app import EMPTY_SCRIPT
from openqix.engine.model import LoadedTable
from openqix.script.executor import ReloadResult, run_script
from openqix.script.sources.connections import ConnectionResolver

from .conftest import table_rows

NO_CONNECTIONS = ConnectionResolver()


def run(text: str, variables: dict[str, str] | None = None) -> ReloadResult:
    return run_script(text, NO_CONNECTIONS, variables)


def only_table(text: str) -> LoadedTable:
    (table,) = run(text).tables
    return table


@pytest.mark.parametrize(
    "data",
    ["[\nA,B\n1,x\n]", '"\nA,B\n1,x\n"', "'\nA,B\n1,x\n'", "`\nA,B\n1,x\n`"],
)
def test_inline_data_in_brackets_quotes_or_backticks(data: str) -> None:
    table = only_table(f"LOAD * INLINE {data};")
    assert (table.name, table.field_names, table_rows(table)) == (
        "INLINE01",
        ("A", "B"),
        [["1", "x"]],
    )


def test_values_are_trimmed_empty_is_empty_text_and_short_rows_are_padded() -> None:
    table = only_table("LOAD * INLINE [\n  A ,B,  C\n  1 , , x y \n2\n\n   \n3,4,5,6\n];")
    assert table.field_names == ("A", "B", "C")
    assert table_rows(table) == [["1", "", "x y"], ["2", "", ""], ["3", "4", "5"]]


def test_loaded_values_are_duals_that_keep_their_text() -> None:
    table = only_table("LOAD * INLINE [\nV\n1.50\n007\n-2e1\nabc\n\n 1,000\n] (delimiter is '|');")
    (column,) = table.columns
    assert list(column.texts) == ["1.50", "007", "-2e1", "abc", "1,000"]
    assert column.numbers[:3].tolist() == [1.5, 7.0, -20.0]
    assert math.isnan(column.numbers[3])
    assert column.numbers[4] == 1000.0  # ThousandSep ',' (the default header) reads 1,000


def test_no_labels_names_fields_by_column_number() -> None:
    table = only_table("LOAD @2, @1 as First INLINE [\na,b\nc\n] (no labels);")
    assert table.field_names == ("@2", "First")
    assert table_rows(table) == [["b", "a"], ["", "c"]]


@pytest.mark.parametrize(
    ("spec", "data"),
    [
        ("delimiter is '\\t'", "A\tB\n1\t2"),
        ("delimiter is tab", "A\tB\n1\t2"),
        ("delimiter is ';'", "A;B\n1;2"),
        ("delimiter is spaces", "A   B\n  1 \t 2  "),
        ("txt, delimiter is '|', embedded labels, utf8", "A|B\n1|2"),
    ],
)
def test_delimiters(spec: str, data: str) -> None:
    table = only_table(f"LOAD * INLINE [\n{data}\n] ({spec});")
    assert (table.field_names, table_rows(table)) == (("A", "B"), [["1", "2"]])


def test_quotes_standard_msq_and_none() -> None:
    data = '[\nA,B\n"x, y", "say ""hi"""\n  "q" , z\n]'
    assert table_rows(only_table(f"LOAD * INLINE {data};")) == [["x, y", 'say "hi"'], ["q", "z"]]
    multi = '[\nA,B\n"one\ntwo",3\n]'
    assert table_rows(only_table(f"LOAD * INLINE {multi} (msq);")) == [["one\ntwo", "3"]]
    rows = table_rows(only_table(f"LOAD * INLINE {multi};"))
    assert rows == [['"one', ""], ['two"', "3"]]
    raw = only_table('LOAD * INLINE [\nA,B\n"x, y"\n] (no quotes);')
    assert table_rows(raw) == [['"x', 'y"']]


def test_missing_trailing_values_are_empty_text_not_null() -> None:
    rows = table_rows(only_table("LOAD * INLINE [\nA,B\n1\n];"))
    assert rows == [["1", ""]]


def test_field_selection_and_aliases_keep_load_order() -> None:
    table = only_table("LOAD C, [A] as [Big A], A INLINE [\nA,B,C\n1,2,3\n];")
    assert (table.field_names, table_rows(table)) == (("C", "Big A", "A"), [["3", "1", "1"]])


def test_header_only_gives_an_empty_table() -> None:
    table = only_table("T: LOAD * INLINE [\nA,B\n];")
    assert (table.name, table.field_names, table.n_rows) == ("T", ("A", "B"), 0)
    assert [c.numbers.shape for c in table.columns] == [(0,), (0,)]


def test_variables_set_let_and_expansion_into_inline_data() -> None:
    result = run(
        "SET vSep=';';\nLET vN = 3;\nLOAD * INLINE [\nA;B\n$(vN);$(vMissing)x\n] "
        "(delimiter is '$(vSep)');",
        {"vOld": "kept"},
    )
    assert result.variables == {"vOld": "kept", "vSep": ";", "vN": "3"}
    assert table_rows(result.tables[0]) == [["3", "x"]]


def test_log_lines() -> None:
    result = run(
        "A: LOAD * INLINE [\nX\n1\n2\n];\nLOAD * INLINE [\nY\n];\nLOAD * INLINE [\nX\n3\n];"
    )
    assert result.log == [
        "A << INLINE01",
        "2 Lines fetched",
        "INLINE02 << INLINE02",
        "0 Lines fetched",
        "A << INLINE03",
        "1 Lines fetched",
    ]


def test_let_stores_numbers_in_their_shortest_text() -> None:
    result = run("LET a = 1.50; LET b = 1e20; LET c = -0.5; LET d = 0.1; LET e = 007;")
    assert result.variables == {"a": "1.5", "b": "1e+20", "c": "-0.5", "d": "0.1", "e": "7"}


def test_the_script_of_a_new_app_sets_its_variables() -> None:
    result = run(EMPTY_SCRIPT)
    assert (result.tables, result.log) == ([], [])
    assert len(result.variables) == 19
    assert result.variables["MoneyFormat"] == "$ ###0.00;-$ ###0.00"
    assert result.variables["TimestampFormat"] == "M/D/YYYY h:mm:ss[.fff] TT"
    assert result.variables["FirstWeekDay"] == "6"
    assert result.variables["NumericalAbbreviation"].startswith("3:k;6:M;9:G;12:T;")
    assert result.variables["LongDayNames"].split(";")[0] == "Monday"

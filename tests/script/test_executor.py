"""Executor behaviour checked against brute-force oracles on generated data: GROUP BY
aggregations, joins and keeps, DISTINCT, WHILE expansion; plus progress, cancel, ErrorMode."""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.engine.model import LoadedTable
from openqix.script.errors import ScriptError
from openqix.script.executor import run_script
from openqix.script.sources.connections import ConnectionResolver

from .conftest import table_rows

NONE = ConnectionResolver()
ROWS = st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.integers(-5, 5)), max_size=25)


def inline(name: str, fields: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    body = "\n".join(", ".join(str(v) for v in row) for row in rows)
    return f"{name}:\nLOAD * INLINE [\n{', '.join(fields)}\n{body}\n];\n"


def tables(script: str) -> dict[str, LoadedTable]:
    return {t.name: t for t in run_script(script, NONE).tables}


@settings(max_examples=40, deadline=None)
@given(ROWS)
def test_group_by_matches_brute_force(rows: list[tuple[str, int]]) -> None:
    if not rows:
        return
    script = inline("Src", ("G", "V"), rows) + (
        "Agg:\nLOAD G, Sum(V) AS S, Count(DISTINCT V) AS D, Count(V) AS C, Min(V) AS Lo\n"
        "RESIDENT Src GROUP BY G;\n"
        "ByValue:\nLOAD V AS W, Count(DISTINCT G) AS DG, Sum(DISTINCT V) AS SV\n"
        "RESIDENT Src GROUP BY V;\n"
    )
    result = tables(script)
    by_value: dict[int, set[str]] = defaultdict(set)
    for g, v in rows:
        by_value[v].add(g)
    assert table_rows(result["ByValue"]) == [
        [str(v), str(len(gs)), str(v)] for v, gs in by_value.items()
    ]
    got = table_rows(result["Agg"])
    groups: dict[str, list[int]] = defaultdict(list)
    for g, v in rows:
        groups[g].append(v)
    expected = [
        [g, str(sum(vs)), str(len(set(vs))), str(len(vs)), str(min(vs))]
        for g, vs in groups.items()  # first-seen order
    ]
    assert got == expected


@settings(max_examples=30, deadline=None)
@given(ROWS, ROWS, st.sampled_from(["LEFT", "RIGHT", "INNER", "OUTER"]))
def test_joins_match_brute_force(
    left: list[tuple[str, int]], right: list[tuple[str, int]], how: str
) -> None:
    if not left or not right:
        return
    script = inline("L", ("K", "A"), left) + f"{how} JOIN (L) " + inline("R", ("K", "B"), right)[3:]
    got = sorted(tuple(r) for r in table_rows(tables(script)["L"]))
    expected: list[tuple[str | None, ...]] = []
    for k, a in left:
        matches = [b for rk, b in right if rk == k]
        if matches:
            expected.extend((k, str(a), str(b)) for b in matches)
        elif how in ("LEFT", "OUTER"):
            expected.append((k, str(a), None))
    if how in ("RIGHT", "OUTER"):
        keys = {k for k, _ in left}
        expected.extend((k, None, str(b)) for k, b in right if k not in keys)
    assert got == sorted(expected, key=lambda r: tuple("" if v is None else v for v in r))


@settings(max_examples=30, deadline=None)
@given(ROWS, ROWS)
def test_inner_keep_reduces_both_sides(
    left: list[tuple[str, int]], right: list[tuple[str, int]]
) -> None:
    if not left or not right:
        return
    script = (
        inline("L", ("K", "A"), left) + "R:\nINNER KEEP (L) " + inline("R", ("K", "B"), right)[3:]
    )
    result = tables(script)
    both = {k for k, _ in left} & {k for k, _ in right}
    assert table_rows(result["L"]) == [[k, str(a)] for k, a in left if k in both]
    if "R" in result:
        assert table_rows(result["R"]) == [[k, str(b)] for k, b in right if k in both]


@settings(max_examples=30, deadline=None)
@given(ROWS)
def test_distinct_keeps_first_occurrences(rows: list[tuple[str, int]]) -> None:
    if not rows:
        return
    script = (
        inline("Src", ("G", "V"), rows) + "D:\nNoConcatenate LOAD DISTINCT G, V RESIDENT Src;\n"
    )
    seen = list(dict.fromkeys((g, str(v)) for g, v in rows))
    assert [tuple(r) for r in table_rows(tables(script)["D"])] == seen


def test_while_repeats_rows_in_order() -> None:
    script = (
        "T:\nLOAD Name, IterNo() AS I INLINE [\nName, N\nx, 2\ny, 0\nz, 3\n] WHILE IterNo() <= N;"
    )
    assert table_rows(tables(script)["T"]) == [
        ["x", "1"],
        ["x", "2"],
        ["z", "1"],
        ["z", "2"],
        ["z", "3"],
    ]


def test_progress_lines_come_live_and_cancel_stops() -> None:
    lines: list[str] = []
    script = "A:\nLOAD * INLINE [\nX\n1\n];\nTRACE hello;\nB:\nLOAD * INLINE [\nY\n2\n];\n"
    run_script(script, NONE, progress=lines.append)
    assert lines == [
        "A << INLINE01",
        "1 Lines fetched",
        "hello",
        "B << INLINE02",
        "1 Lines fetched",
    ]

    class Stop(ScriptError):
        pass

    calls = itertools.count()

    def check() -> None:
        if next(calls) == 2:
            raise Stop("cancelled")

    with pytest.raises(Stop):
        run_script(script, NONE, check=check)


def test_error_mode_zero_continues() -> None:
    script = "SET ErrorMode = 0;\nT: LOAD * RESIDENT Missing;\nLET after = 1;\n"
    result = run_script(script, NONE)
    assert result.variables["after"] == "1"
    assert result.variables["ScriptErrorCount"] == "1"
    assert "Table 'Missing' not found" in result.variables["ScriptError"]


def test_variables_expand_at_each_statement_in_loops() -> None:
    script = "FOR i = 1 TO 3\n  T$(i):\n  LOAD $(i) AS N$(i) AUTOGENERATE $(i);\nNEXT i\n"
    result = tables(script)
    assert {name: t.n_rows for name, t in result.items()} == {"T1": 1, "T2": 2, "T3": 3}


def test_mapping_tables_never_reach_the_model() -> None:
    script = "M:\nMAPPING LOAD * INLINE [\nA, B\n1, x\n];\n"
    script += "T:\nLOAD ApplyMap('M', 1) AS V AUTOGENERATE 1;"
    result = tables(script)
    assert list(result) == ["T"]
    assert table_rows(result["T"]) == [["x"]]


@pytest.mark.parametrize(
    ("script", "message", "line", "column"),
    [
        ("FOR i = 1 TO 2\nNEXT j\n", "NEXT j does not match FOR i", 1, 1),
        ("END IF\n", "Unexpected 'END' here", 1, 1),
        ("SUB a\nCALL b;\nEND SUB\nCALL a;", "Subroutine not found: b", 2, 1),
        ("LET x = 1 +;", "Unexpected token: ';'", 1, 12),
        ("T: LOAD Sum(A) AS S INLINE [\nA\n1\n];", "Aggregation functions need a GROUP BY", 1, 9),
        ("LOAD * INLINE [\nA\n1\n] WHERE Nope > 1;", "Field 'Nope' not found", 4, 9),
        ("LOAD A;", "A preceding LOAD has no LOAD or SELECT below it", 1, 1),
    ],
)
def test_execution_errors_are_located(script: str, message: str, line: int, column: int) -> None:
    with pytest.raises(ScriptError) as caught:
        run_script(script, NONE)
    assert message in caught.value.message
    assert (caught.value.line, caught.value.column) == (line, column)


def test_tags_reach_the_model() -> None:
    from openqix.engine.model import DataModel

    script = "T:\nLOAD * INLINE [\nA\n1\n];\nTAG FIELD A WITH 'mine', '$dimension';\n"
    model = DataModel.build(run_script(script, NONE).tables)
    assert {"mine", "$dimension"} <= set(model.fields["A"].tags)


def test_transient_progress_names_the_running_statement() -> None:
    seen: list[str] = []
    run_script("SET a = 1;\nT: LOAD * INLINE [\nX\n1\n];\nTRACE $(a);", NONE, transient=seen.append)
    assert seen == ["SET a = 1;", "T: LOAD * INLINE [", "TRACE 1;"]

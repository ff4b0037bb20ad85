"""Any text fed to run_script ends in a result or a typed ScriptError, never another exception
(nor a hang): raw random text, and scripts assembled from real statement fragments."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openqix.script.errors import ScriptError
from openqix.script.executor import run_script
from openqix.script.sources.connections import ConnectionResolver, FolderConnection

FRAGMENTS = [
    "SET v = 1;",
    "SET d = '|';",
    "LET n = -2.5;",
    "LET s = 'x';",
    "T:",
    "NoConcatenate",
    "LOAD",
    "*",
    "A",
    "[A] as B",
    ",",
    "INLINE [\nA,B\n1,2\n]",
    'INLINE "\nA|B\n1|$(v)\n"',
    "INLINE [",
    "FROM [lib://data/t.csv]",
    "FROM lib://data/../t.csv",
    "FROM 'lib://other/t.csv'",
    "(txt, delimiter is '$(d)', msq)",
    "(no labels)",
    "(",
    ")",
    ";",
    "$(v)",
    "$(",
    "REM x;",
    "// c\n",
    "/*",
    "'",
    "\n",
    # control flow, expressions, clauses and prefixes
    "IF v = 1 THEN",
    "ELSEIF 1 THEN",
    "ELSE",
    "END IF",
    "FOR i = 1 TO 3",
    "FOR EACH f IN 'a', FieldValueList('A')",
    "NEXT",
    "DO WHILE v < 0",
    "LOOP",
    "SUB s(p)",
    "END SUB",
    "CALL s(1);",
    "EXIT FOR;",
    "EXIT SCRIPT;",
    "SWITCH v",
    "CASE 1",
    "DEFAULT",
    "END SWITCH",
    "A + 1 as C",
    "Sum(A) as S",
    "Count(DISTINCT B) as N",
    "GROUP BY A",
    "WHERE A > 0",
    "WHILE IterNo() < 3",
    "ORDER BY A DESC",
    "RESIDENT T",
    "AUTOGENERATE 3",
    "DISTINCT",
    "LEFT JOIN (T)",
    "INNER KEEP",
    "Concatenate",
    "Mapping",
    "Crosstable(X, Y)",
    "Generic",
    "IntervalMatch(A)",
    "Hierarchy(A, B, A)",
    "First 1",
    "ApplyMap('T', A) as M",
    "RangeSum(Peek('C'), A) as C",
    "Previous(A) as P",
    "SubField(B, ',') as SF",
    "RowNo() as R",
    "DROP TABLE T;",
    "DROP FIELD A;",
    "RENAME FIELD A TO Z;",
    "QUALIFY *;",
    "STORE T INTO [lib://data/o.qvd];",
    "LET w = $(=1+1);",
    "$(Include=lib://data/t.csv)",
    "SET ErrorMode = 0;",
]


@pytest.fixture(scope="module")
def connections(tmp_path_factory: pytest.TempPathFactory) -> ConnectionResolver:
    root: Path = tmp_path_factory.mktemp("fuzz")
    (root / "t.csv").write_text('A,B\n1,"x\ny"\n2\n', "utf-8")
    return ConnectionResolver([FolderConnection("data", root)])


def run_or_typed_error(text: str, connections: ConnectionResolver) -> None:
    try:
        result = run_script(text, connections)
    except ScriptError as error:
        assert isinstance(error.message, str) and error.message
        assert error.line >= 1 and error.column >= 1
        assert 0 <= error.offset <= len(text)
        return
    for table in result.tables:
        assert all(len(c.texts) == table.n_rows == len(c.numbers) for c in table.columns)


@given(text=st.text(max_size=200))
def test_random_text(connections: ConnectionResolver, text: str) -> None:
    run_or_typed_error(text, connections)


@settings(max_examples=300)
@given(
    parts=st.lists(st.sampled_from(FRAGMENTS), max_size=14),
    separator=st.sampled_from([" ", "", "\n"]),
)
def test_scripts_from_fragments(
    connections: ConnectionResolver, parts: list[str], separator: str
) -> None:
    run_or_typed_error(separator.join(parts), connections)


RESIDENT_BASE = (
    "T:\nLOAD * INLINE [\nA, B, C\n1, x, 2\n2, y, \n3, , 5\n1, x, 7\n];\n"
    "M:\nMAPPING LOAD * INLINE [\nK, V\n1, one\n];\n"
)
PREFIXES = [
    "",
    "NoConcatenate",
    "Concatenate (T)",
    "LEFT JOIN (T)",
    "OUTER JOIN",
    "RIGHT KEEP (T)",
    "Crosstable(Att, Val, 2)",
    "Generic",
    "IntervalMatch(A)",
    "Hierarchy(A, C, B)",
    "HierarchyBelongsTo(A, C, B, Anc, AncName)",
    "First 2",
    "Mapping",
    "Replace",
]
FIELD_ITEMS = [
    "*",
    "A",
    "B",
    "A + C AS S",
    "If(A > 1, B, C) AS I",
    "ApplyMap('M', A, 'z') AS MA",
    "RangeSum(Peek('R'), A) AS R",
    "Previous(B) AS PB",
    "RowNo() AS RN",
    "SubField(B, 'x') AS SF",
    "Exists(A) AS EX",
    "AutoNumber(B) AS AN",
    "Sum(A) AS SA",
    "Count(DISTINCT B) AS CB",
    "Lookup('B', 'A', A, 'T') AS LK",
]
CLAUSES = ["", "WHERE A > 1", "WHILE IterNo() <= 2", "GROUP BY A", "GROUP BY A, B", "ORDER BY B"]


@settings(max_examples=150, deadline=None)
@given(
    prefix=st.sampled_from(PREFIXES),
    distinct=st.booleans(),
    fields=st.lists(st.sampled_from(FIELD_ITEMS), min_size=1, max_size=4, unique=True),
    clause=st.sampled_from(CLAUSES),
)
def test_resident_loads_give_tables_or_typed_errors(
    prefix: str, distinct: bool, fields: list[str], clause: str
) -> None:
    from openqix.engine.model import DataModel

    load = f"X:\n{prefix} LOAD {'DISTINCT' if distinct else ''} {', '.join(fields)}"
    text = f"{RESIDENT_BASE}{load} RESIDENT T {clause};\n"
    try:
        result = run_script(text, ConnectionResolver())
    except ScriptError as error:
        assert "Internal error" not in error.message, error.message
        assert error.line >= 1
        return
    DataModel.build(result.tables)

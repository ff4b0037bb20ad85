"""RecNo() counts the rows read from the source, also after WHERE and SubField drop or
repeat rows (the executor makes the record numbers only where rows are dropped)."""

from __future__ import annotations

from openqix.script.executor import run_script

SCRIPT = """
T: LOAD * INLINE [
a, s
5, x
6, y;z
7, w
8, v;u
];
U: NoConcatenate LOAD a, RecNo() AS r, RowNo() AS n RESIDENT T WHERE a > 5;
V: NoConcatenate LOAD a, RecNo() AS r RESIDENT T;
W: NoConcatenate LOAD SubField(s, ';') AS p, RecNo() AS r RESIDENT T WHERE a <> 7;
X: NoConcatenate LOAD a, RecNo() AS r, IterNo() AS i RESIDENT T WHILE IterNo() <= 2;
"""


def test_record_numbers_follow_the_source_rows() -> None:
    result = run_script(SCRIPT, None)
    tables = {t.name: t for t in result.tables}

    def numbers(table: str, field: int) -> list[float]:
        return [float(v) for v in tables[table].columns[field].numbers]

    assert numbers("U", 1) == [2, 3, 4] and numbers("U", 2) == [1, 2, 3]
    assert numbers("V", 1) == [1, 2, 3, 4]
    assert list(tables["W"].columns[0].texts) == ["x", "y", "z", "v", "u"]
    assert numbers("W", 1) == [1, 2, 2, 4, 4]
    assert numbers("X", 1) == [1, 1, 2, 2, 3, 3, 4, 4] and numbers("X", 2) == [1, 2] * 4

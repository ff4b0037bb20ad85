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

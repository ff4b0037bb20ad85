"""CheckScriptSyntax's engine: every syntax error, located by tab, without false alarms
from variables only the reload knows."""

from __future__ import annotations

from openqix.script.syntax import check_syntax


def test_all_errors_are_reported_with_tab_positions() -> None:
    script = "SET a = 1;\nBogus;\n///$tab Two\nLOAD A B INLINE [x];\nIF THEN\nEND IF\n"
    problems = check_syntax(script)
    assert [(p.tab, p.line_in_tab, p.column, p.message.split(":")[0]) for p in problems] == [
        (0, 1, 0, "Unknown statement"),
        (1, 0, 7, "Unexpected token"),
        (1, 1, 7, "Unexpected token"),  # `THEN` read as a field; the line ends
    ]


def test_set_variables_are_expanded_and_unknown_ones_skip_the_statement() -> None:
    script = (
        "SET vFile = [lib://data/a.csv];\nLOAD * FROM $(vFile);\n"
        "LET vPath = 'lib://data/b.csv';\nLOAD * FROM $(vPath);\n"
        "LET x = $(=1+1);\n"
        "SET vBad = A B;\nLOAD $(vBad) INLINE [x];\n"
    )
    problems = check_syntax(script)
    assert [(p.line_in_tab, p.message) for p in problems] == [
        (6, "Unexpected token: 'B', expected: ',', 'AS', 'FROM', 'RESIDENT', 'INLINE' or ';'")
    ]


def test_unbalanced_blocks_and_tokenizer_errors_are_one_error() -> None:
    (problem,) = check_syntax("FOR i = 1 TO 3\nSET a = 1;\n")
    assert problem.message == "'FOR' without a matching 'NEXT'"
    (problem,) = check_syntax("LOAD * INLINE [\nA\n")
    assert problem.message.startswith("Unterminated")


def test_a_good_script_has_no_errors() -> None:
    script = (
        "///$tab Main\nSET ThousandSep=',';\nSUB s(p)\n  TRACE $(p);\nEND SUB\n"
        "FOR EACH f IN FileList('lib://data/*.csv')\n  CALL s('$(f)');\nNEXT f\n"
        "T: LOAD A, Sum(B) AS S RESIDENT X GROUP BY A;\n"
    )
    assert check_syntax(script) == []

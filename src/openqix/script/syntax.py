"""CheckScriptSyntax: every syntax error of a script, located by editor tab.

The script is split and its control blocks are built as for a reload; then every statement
(control headers included) is expanded with the variables that SET statements define, in
script order, and parsed. A statement whose `$(...)` cannot be expanded without running the
script (`$(=...)`) is skipped. Errors of different statements are all reported.

Tabs are the `///$tab Name` sections: `tab` counts them from 0 (text before the first marker
belongs to tab 0), `line_in_tab` and `column` are 0-based with line 0 the first line after
the marker, and `text_position` is the 0-based offset inside the tab's text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from openqix.lang.errors import ScriptError
from openqix.lang.script_ast import SetVariable
from openqix.lang.script_parser import (
    IfBlock,
    Leaf,
    LoopBlock,
    Node,
    SubBlock,
    SwitchBlock,
    build_program,
    expand_statement,
    parse_case,
    parse_condition,
    parse_for,
    parse_next,
    parse_statement,
    parse_sub,
    parse_switch,
    split_script,
)
from openqix.lang.stream import StatementText

_TAB = re.compile(r"^///\$tab[^\n]*\n?", re.MULTILINE)


@dataclass(frozen=True)
class SyntaxProblem:
    message: str
    tab: int
    line_in_tab: int
    column: int
    text_position: int
    length: int

    def as_qix(self) -> dict[str, int]:
        return {
            "qErrLen": self.length,
            "qTabIx": self.tab,
            "qLineInTab": self.line_in_tab,
            "qColInLine": self.column,
            "qTextPos": self.text_position,
        }


class _Tabs:
    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]  # content start offset of each tab
        markers = list(_TAB.finditer(text))
        if markers and markers[0].start() == 0:
            self.starts = []
        for marker in markers:
            self.starts.append(marker.end())

    def locate(self, error: ScriptError) -> SyntaxProblem:
        offset = max(error.offset, 0)
        tab = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        start = self.starts[tab] if self.starts else 0
        before = self.text[start:offset]
        line = before.count("\n")
        column = len(before) - (before.rfind("\n") + 1)
        return SyntaxProblem(error.message, tab, line, column, offset - start, error.length)


class _Known(dict[str, str]):
    """The SET variables seen so far; remembers when an expansion used an unknown one."""

    missing = False

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        if key not in self:
            self.missing = True
        return super().get(key, default)


def check_syntax(text: str) -> list[SyntaxProblem]:
    """All syntax errors of `text` (an empty list when it parses)."""
    tabs = _Tabs(text)
    try:
        program = build_program(split_script(text))
    except ScriptError as error:
        return [tabs.locate(error)]
    variables = _Known()
    problems: list[SyntaxProblem] = []
    for statement, parse in _walk(program):
        variables.missing = False
        try:
            parts = expand_statement(statement, variables)
        except ScriptError:
            continue  # needs the running script ($(=...), includes); checked at reload
        if variables.missing:
            continue  # a variable whose value only the reload knows (LET, parameters)
        for part in parts:
            try:
                node = parse(part)
            except ScriptError as error:
                if error.has_position:
                    problems.append(tabs.locate(error))
                continue
            if isinstance(node, SetVariable):
                variables[node.name] = node.value
    return problems


_Parse = Callable[[StatementText], object]


def _walk(nodes: list[Node]) -> list[tuple[StatementText, _Parse]]:
    out: list[tuple[StatementText, _Parse]] = []
    for node in nodes:
        if isinstance(node, Leaf):
            out.append((node.statement, parse_statement))
        elif isinstance(node, IfBlock):
            for header, body in node.branches:
                out.append((header, parse_condition))
                out.extend(_walk(body))
            if node.otherwise is not None:
                out.extend(_walk(node.otherwise))
        elif isinstance(node, LoopBlock):
            if node.kind == "for":
                out.append((node.header, parse_for))
                out.extend(_walk(node.body))
                out.append((node.end, parse_next))
            else:
                out.append((node.header, parse_condition))
                out.extend(_walk(node.body))
                out.append((node.end, parse_condition))
        elif isinstance(node, SubBlock):
            out.append((node.header, parse_sub))
            out.extend(_walk(node.body))
        elif isinstance(node, SwitchBlock):
            out.append((node.header, parse_switch))
            for case, body in node.cases:
                out.append((case, parse_case))
                out.extend(_walk(body))
    return out

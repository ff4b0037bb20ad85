"""Run a load script: statement by statement, expand `$(...)` with the variables set so far,
parse, execute. The result is the loaded tables, the final variables and a progress log; any
error is a `ScriptError` located in the original script, and nothing of the run is kept.

Log lines per LOAD: `<table> << <source>` then `<n> Lines fetched`, where source is the file
name (`orders.csv`) or `INLINEnn` (the n-th INLINE load of the script, labelled or not).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from openqix.calc.interpret import interpret_texts
from openqix.engine.model import Column, LoadedTable
from openqix.lang.script_ast import (
    AllFields,
    FormatSpec,
    InlineSource,
    LetVariable,
    LoadStatement,
    SetVariable,
    Statement,
)
from openqix.lang.script_parser import expand_statement, parse_statement, split_script
from openqix.script.errors import (
    DuplicateFieldError,
    FieldNotFoundError,
    ScriptError,
    SourceError,
)
from openqix.script.sources.connections import ConnectionResolver
from openqix.script.sources.delimited import TextFormat, TextTable, read_delimited_file
from openqix.script.sources.inline import read_inline
from openqix.script.tables import TableSet, file_name, file_table_name, inline_table_name


@dataclass
class ReloadResult:
    tables: list[LoadedTable]
    variables: dict[str, str]
    log: list[str]


def run_script(
    text: str, connections: ConnectionResolver, variables: Mapping[str, str] | None = None
) -> ReloadResult:
    """Run `text`; `variables` are those defined before the run (they are not modified)."""
    run = _Run(connections, dict(variables or {}))
    for raw in split_script(text):
        for statement in expand_statement(raw, run.variables):
            node = parse_statement(statement)
            if node is not None:
                run.execute(node)
    return ReloadResult(run.tables.loaded_tables(), run.variables, run.log)


class _Run:
    """The state of one reload: variables, tables so far, log lines, INLINE counter."""

    def __init__(self, connections: ConnectionResolver, variables: dict[str, str]) -> None:
        self.connections = connections
        self.variables = variables
        self.tables = TableSet()
        self.log: list[str] = []
        self.inline_count = 0

    def execute(self, statement: Statement) -> None:
        match statement:
            case SetVariable(name, value):
                self.variables[name] = value
            case LetVariable(name, value):
                self.variables[name] = value if isinstance(value, str) else number_text(value)
            case LoadStatement():
                self._load(statement)

    def _load(self, load: LoadStatement) -> None:
        source_name, default_name, data = self._read(load)
        names, texts = _project(load, data)
        if not names:
            raise ScriptError("The LOAD has no fields").at(load.position)
        columns = _interpret(texts)
        table = self.tables.store(
            names, columns, load.label or default_name, not load.no_concatenate
        )
        self.log.append(f"{table} << {source_name}")
        self.log.append(f"{data.n_rows} Lines fetched")

    def _read(self, load: LoadStatement) -> tuple[str, str, TextTable]:
        """(source name for the log, default table name, the data)."""
        text_format = _text_format(load.text_format)
        source = load.source
        if isinstance(source, InlineSource):
            self.inline_count += 1
            name = inline_table_name(self.inline_count)
            return name, name, read_inline(source.data, text_format)
        try:
            data = read_delimited_file(self.connections.resolve(source.path), text_format)
        except SourceError as error:
            raise error.at(source.position) from error
        return file_name(source.path), file_table_name(source.path), data


def number_text(value: float) -> str:
    """The text LET stores for a number: an integer without decimals, else 14 digits."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.14g}"


def _text_format(spec: FormatSpec) -> TextFormat:
    default = TextFormat()
    return TextFormat(
        delimiter=spec.delimiter or default.delimiter,
        labels=spec.labels or default.labels,
        quoting=spec.quoting or default.quoting,
        encoding=spec.encoding or default.encoding,
    )


def _project(load: LoadStatement, data: TextTable) -> tuple[list[str], list[Sequence[str]]]:
    """The LOAD's output fields: `*` expands to the source fields, names are case sensitive."""
    by_name: dict[str, Sequence[str]] = {}
    for name, column in zip(data.field_names, data.columns, strict=True):
        by_name.setdefault(name, column)
    names: list[str] = []
    texts: list[Sequence[str]] = []
    seen: set[str] = set()
    for item in load.fields:
        if isinstance(item, AllFields):
            pairs = list(zip(data.field_names, data.columns, strict=True))
        elif item.name in by_name:
            pairs = [(item.output_name, by_name[item.name])]
        else:
            raise FieldNotFoundError(f"Field '{item.name}' not found").at(item.position)
        for name, column in pairs:
            if name in seen:
                message = f"Field names must be unique within table: '{name}'"
                raise DuplicateFieldError(message).at(item.position)
            seen.add(name)
            names.append(name)
            texts.append(column)
    return names, texts


def _interpret(texts: list[Sequence[str]]) -> list[Column]:
    """Number interpretation per column; a source column loaded twice is read once."""
    done: dict[int, Column] = {}
    for column in texts:
        if id(column) not in done:
            done[id(column)] = interpret_texts(column)
    return [done[id(column)] for column in texts]

"""Run a load script: build the control-flow tree, then per statement expand `$(...)` with
the variables set so far, parse and execute. The result is the loaded tables, the final
variables, comments/tags and a progress log; any error is a `ScriptError` located in the
original script, and nothing of the run is kept by the caller.

Log lines per LOAD: `<table> << <source>` then `<n> Lines fetched`, where source is the file
name (`orders.csv`), `INLINEnn`, `AUTOGENERATEnn`, the resident table or the SQL text. The
same lines go to the `progress` sink the caller passes (the App's reload progress).
"""

from __future__ import annotations

import fnmatch
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openqix.calc.errors import CalcError
from openqix.calc.evaluate import contains_aggregation
from openqix.calc.format import FORMAT_VARIABLES, FormatSettings
from openqix.calc.functions._common import booleans, display_objects
from openqix.calc.functions.registry import FunctionContext
from openqix.calc.interpret import interpret_numbers
from openqix.calc.values import Duals, none_mask, object_array
from openqix.engine.model import Column, DataModel, LoadedTable
from openqix.errors import QixError
from openqix.lang.expression import Call as ExprCall
from openqix.lang.expression import FieldRef, parse_expression
from openqix.lang.script_ast import (
    Alias,
    AllFields,
    AutogenerateSource,
    Binary,
    Call,
    Comment,
    Connect,
    DirList,
    DropFields,
    DropTables,
    Exit,
    ExprText,
    FieldItem,
    FieldValueList,
    FieldValueSource,
    FileList,
    FileSource,
    ForHeader,
    FormatSpec,
    InlineSource,
    LetVariable,
    LoadStatement,
    Loosen,
    MapUsing,
    Noop,
    NullAsValue,
    Qualify,
    Rename,
    ResidentSource,
    SetVariable,
    Sleep,
    SqlSource,
    Statement,
    Store,
    SubHeader,
    Tag,
    Trace,
)
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
    statement_word,
)
from openqix.lang.stream import StatementText
from openqix.lang.tokens import Position
from openqix.script import joins, transforms
from openqix.script.errors import (
    CannotOpenFileError,
    DuplicateFieldError,
    FieldNotFoundError,
    ScriptError,
    SourceError,
)
from openqix.script.functions import (
    GrowingTable,
    LoadEnv,
    MapTable,
    ScriptEvaluator,
    ScriptGrouped,
    ScriptState,
    evaluate_constant,
    refers_to_output,
)
from openqix.script.merge import max_sequence, merge_frames
from openqix.script.sources import (
    ConnectionResolver,
    SourceTable,
    StoreTable,
    StreamFailed,
    read_table,
    run_sql,
    stream_table,
    write_table,
)
from openqix.script.sources.table import stream_columns
from openqix.script.sources.table import to_column as source_column
from openqix.script.tables import (
    ColumnData,
    Frame,
    IntArray,
    STable,
    TableSet,
    autogenerate_table_name,
    dense_in_order,
    file_name,
    file_table_name,
    first_occurrence,
    inline_table_name,
    row_codes,
    take_or_null,
    value_codes,
)

ProgressSink = Callable[[str], None]
_T = TypeVar("_T")
_MAX_LOOP = 10_000_000


@dataclass
class ReloadResult:
    tables: list[LoadedTable]
    variables: dict[str, str]
    log: list[str]
    field_comments: dict[str, str] = field(default_factory=dict)
    table_comments: dict[str, str] = field(default_factory=dict)
    field_tags: dict[str, list[str]] = field(default_factory=dict)
    exited: bool = False


class BinaryNotSupportedError(ScriptError):
    """Binary of an app whose data model is not available (data models are not persisted
    yet: the app must have been reloaded in this engine), or not as the first statement."""

    code = 11020


# Binary: the tables of another app's data model by reference (id or title), None if unknown.
BinarySource = Callable[[str], Sequence[LoadedTable] | None]


class _ExitSignal(Exception):
    def __init__(self, kind: str, position: Position | None = None) -> None:
        super().__init__(kind)
        self.position = position
        self.kind = kind


def run_script(
    text: str,
    connections: ConnectionResolver,
    variables: Mapping[str, str] | None = None,
    *,
    progress: ProgressSink | None = None,
    partial: bool = False,
    previous: Sequence[LoadedTable] = (),
    check: Callable[[], None] | None = None,
    continue_on_error: bool = False,
    transient: ProgressSink | None = None,
    binary: BinarySource | None = None,
) -> ReloadResult:
    """Run `text`; `variables` are those defined before the run (they are not modified).

    `partial`: a partial reload — only LOADs with an Add/Replace prefix run, on top of the
    `previous` tables (the current model's); other statements run as usual. `check` is
    called before every statement (it raises to cancel the reload); `transient` receives the
    first line of the statement that runs (the reload's transient progress)."""
    program = build_program(split_script(text))
    run = _Run(connections, dict(variables or {}), progress, partial)
    run.check = check
    run.continue_on_error = continue_on_error
    run.transient = transient
    run.binary = binary
    if partial:
        for table in previous:
            frame = Frame(
                list(table.field_names),
                dict(zip(table.field_names, table.columns, strict=True)),
                table.n_rows,
            )
            run.tables.create(table.name, frame)
    try:
        run.block(program)
    except _ExitSignal as signal:
        if signal.kind != "script":
            error = ScriptError(f"EXIT {signal.kind.upper()} outside a matching block")
            raise (error.at(signal.position) if signal.position else error) from None
        run.exited = True
    if run.pending:
        load = run.pending[0][0]
        raise ScriptError("A preceding LOAD has no LOAD or SELECT below it").at(load.position)
    return ReloadResult(
        _with_tags(run.tables.loaded_tables(), run.field_tags),
        run.variables,
        run.log,
        run.field_comments,
        run.table_comments,
        run.field_tags,
        run.exited,
    )


class _Run:
    """The state of one reload: variables, tables so far, log lines, counters."""

    def __init__(
        self,
        connections: ConnectionResolver,
        variables: dict[str, str],
        progress: ProgressSink | None,
        partial: bool,
    ) -> None:
        self.connections = connections
        self.variables = variables
        self.progress = progress
        self.partial = partial
        self.tables = TableSet()
        self.state = ScriptState(self.tables, variables=variables)
        self._update_formats()
        self.log: list[str] = []
        self.inline_count = 0
        self.autogenerate_count = 0
        self.pending: list[tuple[LoadStatement, StatementText]] = []
        self.subs: dict[str, tuple[SubHeader, list[Node]]] = {}
        self.connection: str | None = None
        self.qualify_rules: list[tuple[str, bool]] = []
        self.null_rules: list[tuple[str, bool]] = []
        self.map_using: dict[str, str] = {}
        self.aliases: dict[str, str] = {}
        self.field_comments: dict[str, str] = {}
        self.table_comments: dict[str, str] = {}
        self.field_tags: dict[str, list[str]] = {}
        self.exited = False
        self.check: Callable[[], None] | None = None
        self.continue_on_error = False
        self.transient: ProgressSink | None = None
        self.binary: BinarySource | None = None
        self.statements_run = 0  # Binary must come first

    def binary_load(self, path: str, position: Position) -> None:
        """`Binary app;`: start from the tables of another app's data model (first statement
        only). `app` is an app id or title, optionally as `lib://.../<app>[.qvf]`."""
        if self.statements_run or self.tables.tables:
            raise BinaryNotSupportedError("Binary must be the first statement").at(position)
        ref = path.rsplit("/", 1)[-1]
        ref = ref[:-4] if ref.lower().endswith(".qvf") else ref
        tables = self.binary(ref) if self.binary is not None else None
        if tables is None:
            raise BinaryNotSupportedError(
                f"Binary: no data model of app {ref!r} in this engine (data models are not"
                " saved yet: the app must be open and reloaded)"
            ).at(position)
        for table in tables:
            frame = Frame(
                list(table.field_names),
                dict(zip(table.field_names, table.columns, strict=True)),
                table.n_rows,
            )
            self.tables.create(table.name, frame)
            self.emit(f"{table.name} << {ref} (binary) {table.n_rows:,} Lines fetched")

    # -- output ----------------------------------------------------------------------------------
    def emit(self, line: str) -> None:
        self.log.append(line)
        if self.progress is not None:
            self.progress(line)

    def _update_formats(self) -> None:
        formats = FormatSettings.from_variables(self.variables)
        self.state.context = FunctionContext(formats=formats)

    # -- statements --------------------------------------------------------------------------
    def expanded(self, statement: StatementText) -> list[StatementText]:
        return expand_statement(statement, self.variables, self._dollar_expression, self._include)

    def _include(self, path: str, must: bool) -> str:
        """The text of an include file (`$(Include=lib://conn/file.qvs)`); a missing file is
        empty text for Include and an error for Must_Include."""
        try:
            data = self.connections.resolve(path).read_bytes()
        except (SourceError, OSError) as error:
            if must:
                raise CannotOpenFileError(f"Cannot open include file: '{path}'") from error
            return ""
        return data.decode("utf-8-sig", errors="replace")

    def _dollar_expression(self, text: str) -> str:
        try:
            return self.evaluate_text(parse_expression(text))
        except CalcError as error:  # the expansion places it at the `$(`
            raise ScriptError(getattr(error, "message", None) or str(error)) from error

    def header(self, statement: StatementText) -> StatementText:
        parts = self.expanded(statement)
        if len(parts) != 1:
            token = statement.tokens[0]
            where = statement.locator.locate(token.offset, token.length)
            raise ScriptError("A control statement cannot expand to several statements").at(where)
        return parts[0]

    def block(self, nodes: list[Node]) -> None:
        for node in nodes:
            if self.check is not None:
                self.check()
            if isinstance(node, Leaf):
                self.leaf(node.statement)
            elif isinstance(node, IfBlock):
                self.if_block(node)
            elif isinstance(node, LoopBlock):
                if node.kind == "for":
                    self.for_block(node)
                else:
                    self.do_block(node)
            elif isinstance(node, SubBlock):
                header = self.guard(node.header, lambda s: parse_sub(s))
                self.subs[header.name.lower()] = (header, node.body)
            elif isinstance(node, SwitchBlock):
                self.switch_block(node)

    def guard(self, statement: StatementText, action: Callable[[StatementText], _T]) -> _T:
        """Run `action` on the expanded statement; errors come out located."""
        try:
            return action(self.header(statement))
        except CalcError as error:
            raise self.locate(error, statement) from error
        except (_ExitSignal, QixError):
            raise
        except Exception as error:  # a bug or an unexpected input: a located error
            token = statement.tokens[0]
            where = statement.locator.locate(token.offset, token.length)
            message = f"Internal error in this statement: {type(error).__name__}: {error}"
            raise ScriptError(message).at(where) from error

    def locate(self, error: CalcError, statement: StatementText) -> ScriptError:
        offset = getattr(error, "offset", -1)
        token = statement.tokens[0]
        if isinstance(offset, int) and offset >= 0:
            where = statement.locator.locate(offset, len(str(error.parameter or "")))
        else:
            where = statement.locator.locate(token.offset, token.length)
        message = getattr(error, "message", None) or str(error)
        if "not found" in message.lower() and "field" in message.lower():
            return FieldNotFoundError(message).at(where)
        return ScriptError(message).at(where)

    def leaf(self, statement: StatementText) -> None:
        try:
            parts = self.expanded(statement)
        except ScriptError as error:
            self.failed(error)
            return
        if len(parts) > 1 and any(statement_word(p) for p in parts):
            self.block(build_program(parts))  # an include file with control statements
            return
        for part in parts:
            if self.transient is not None:
                first, last = part.tokens[0], part.tokens[-1]
                self.transient(part.text[first.offset : last.end].split("\n", 1)[0][:200])
            try:
                node = parse_statement(part)
                if node is not None:
                    self.execute(node, part)
                    self.statements_run += 1
            except CalcError as error:
                self.failed(self.locate(error, part))
            except ScriptError as error:
                if not error.has_position:
                    token = part.tokens[0]
                    error = error.at(part.locator.locate(token.offset, token.length))
                self.failed(error)
            except (_ExitSignal, QixError):
                raise
            except Exception as error:  # a bug or an unexpected input: a located error
                token = part.tokens[0]
                where = part.locator.locate(token.offset, token.length)
                message = f"Internal error in this statement: {type(error).__name__}: {error}"
                self.failed(ScriptError(message).at(where))

    def failed(self, error: ScriptError) -> None:
        """ErrorMode 0 logs the error and goes on; otherwise the reload stops."""
        if self.continue_on_error or self.variables.get("ErrorMode", "1").strip() == "0":
            count = int(self.variables.get("ScriptErrorCount", "0") or 0) + 1
            self.variables["ScriptErrorCount"] = str(count)
            self.variables["ScriptError"] = error.message
            listed = self.variables.get("ScriptErrorList", "")
            self.variables["ScriptErrorList"] = (
                f"{listed}\n{error.message}" if listed else error.message
            )
            self.emit(f"Error: {error}")
            return
        raise error

    def execute(self, node: Statement, statement: StatementText) -> None:
        match node:
            case SetVariable(name, value):
                self.set_variable(name, value)
            case LetVariable(name, value):
                self.set_variable(name, "" if value is None else self.evaluate_text(value.expr))
            case LoadStatement():
                self.load(node, statement)
            case DropTables(names):
                for name in names:
                    self.table(name, node.position)
                    self.tables.drop(name)
            case DropFields():
                self.drop_fields(node)
            case Rename():
                self.rename(node)
            case Store():
                self.store(node)
            case Connect(name):
                self.connection = name
                if name is not None:
                    self.emit("Connected")
            case Trace(text):
                self.emit(text)
            case Sleep(value):
                milliseconds = float(evaluate_constant(value.expr, self.state).num[0])
                if milliseconds == milliseconds and milliseconds > 0:
                    self.sleep(min(milliseconds, 3_600_000) / 1000.0)
            case Comment():
                self.comment(node)
            case Tag():
                self.tag(node)
            case Qualify(unqualify, names):
                if unqualify and names == ("*",):
                    self.qualify_rules = []
                else:
                    self.qualify_rules.extend((name, not unqualify) for name in names)
            case MapUsing(names, mapname):
                for name in names:
                    if mapname is None:
                        self.map_using.pop(name, None)
                    else:
                        self.map_using[name] = mapname
            case Alias(pairs):
                for old, new in pairs:
                    self.aliases[old] = new
            case Binary(path):
                self.binary_load(path, node.position)
            case Call():
                self.call(node)
            case Exit(kind, condition, unless):
                if condition is not None:
                    truth = bool(booleans(evaluate_constant(condition.expr, self.state))[0])
                    if truth == unless:
                        return
                raise _ExitSignal(kind, node.position)
            case NullAsValue(as_value, names):
                self.null_rules.extend((name, as_value) for name in names)
            case Loosen(names):
                for name in names:
                    self.table(name, node.position).loose = True
            case Noop():
                pass

    def sleep(self, seconds: float) -> None:
        """SLEEP in short slices so that a cancel stops it."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if self.check is not None:
                self.check()
            time.sleep(min(left, 0.1))

    def set_variable(self, name: str, value: str) -> None:
        self.variables[name] = value
        if name in FORMAT_VARIABLES:
            self._update_formats()

    def evaluate_text(self, expr: object) -> str:
        value = evaluate_constant(expr, self.state)
        return value_text(value)

    def truth(self, value: ExprText | None) -> bool:
        if value is None:
            return True
        return bool(booleans(evaluate_constant(value.expr, self.state))[0])

    # -- control flow ----------------------------------------------------------------------------
    def if_block(self, node: IfBlock) -> None:
        for header, body in node.branches:
            condition = self.guard(header, parse_condition)
            if self.guard(header, lambda _s, c=condition: self.truth(c.value)):  # type: ignore[misc]
                self.block(body)
                return
        if node.otherwise is not None:
            self.block(node.otherwise)

    def for_block(self, node: LoopBlock) -> None:
        header = self.guard(node.header, parse_for)
        next_name = self.guard(node.end, parse_next)
        if next_name is not None and next_name != header.variable:
            raise ScriptError(f"NEXT {next_name} does not match FOR {header.variable}").at(
                header.position
            )
        if isinstance(header, ForHeader):
            values = self.guard(node.header, lambda _s: self.for_range(header))
        else:
            values = self.guard(node.header, lambda _s: self.for_each_values(header.items))
        for value in values:
            self.set_variable(header.variable, value)
            try:
                self.block(node.body)
            except _ExitSignal as signal:
                if signal.kind == "for":
                    return
                raise

    def for_range(self, header: ForHeader) -> list[str]:
        start = float(evaluate_constant(header.start.expr, self.state).num[0])
        stop = float(evaluate_constant(header.stop.expr, self.state).num[0])
        step = 1.0
        if header.step is not None:
            step = float(evaluate_constant(header.step.expr, self.state).num[0])
        if start != start or stop != stop or step != step or step == 0:
            raise ScriptError("FOR needs numeric bounds and a non-zero step").at(header.position)
        count = int(np.floor((stop - start) / step + 1e-9)) + 1
        if count > _MAX_LOOP:
            raise ScriptError("FOR loop too long").at(header.position)
        return [number_text(start + i * step) for i in range(max(count, 0))]

    def for_each_values(self, items: Sequence[object]) -> list[str]:
        values: list[str] = []
        for item in items:
            if isinstance(item, (FileList, DirList)):
                mask = self.evaluate_text(item.mask.expr)
                values.extend(self.file_list(mask, dirs=isinstance(item, DirList)))
            elif isinstance(item, FieldValueList):
                name = self.evaluate_text(item.field_name.expr)
                texts = display_objects(self.state.field_values(name))
                values.extend(str(t) for t in texts.tolist() if t is not None)
            elif isinstance(item, ExprText):
                values.append(self.evaluate_text(item.expr))
        return values

    def file_list(self, mask: str, dirs: bool) -> list[str]:
        """`lib://conn/sub/*.csv` -> matching lib:// paths, sorted, confined to the root."""
        head, _, pattern = mask.replace("\\", "/").rpartition("/")
        root, folder = self.connections.folder(f"{head}/")
        if not folder.is_dir():
            return []
        out: list[str] = []
        for entry in sorted(folder.iterdir()):
            if entry.is_dir() != dirs or not fnmatch.fnmatch(entry.name, pattern or "*"):
                continue
            resolved = entry.resolve()
            if resolved.is_relative_to(root):
                out.append(f"{head}/{entry.name}")
        return out

    def do_block(self, node: LoopBlock) -> None:
        top = self.guard(node.header, parse_condition)
        bottom = self.guard(node.end, parse_condition)
        for _ in range(_MAX_LOOP):
            if top.value is not None and self.truth(top.value) == top.until:
                return
            try:
                self.block(node.body)
            except _ExitSignal as signal:
                if signal.kind == "do":
                    return
                raise
            if bottom.value is not None and self.truth(bottom.value) == bottom.until:
                return
        raise ScriptError("DO loop did not end").at(top.position)

    def switch_block(self, node: SwitchBlock) -> None:
        header = self.guard(node.header, parse_switch)
        value = self.guard(
            node.header,
            lambda _s: evaluate_constant(header.value.expr, self.state),
        )
        for case_statement, body in node.cases:
            case = self.guard(case_statement, parse_case)
            if not case.values:
                self.block(body)
                return
            for candidate in case.values:
                other = self.guard(
                    case_statement,
                    lambda _s, c=candidate: evaluate_constant(c.expr, self.state),  # type: ignore[misc]
                )
                if _same_value(value, other):
                    self.block(body)
                    return

    def call(self, node: Call) -> None:
        found = self.subs.get(node.name.lower())
        if found is None:
            raise ScriptError(f"Subroutine not found: {node.name}").at(node.position)
        header, body = found
        values = [self.evaluate_text(a.expr) for a in node.arguments]
        saved = {p: self.variables.get(p) for p in header.parameters}
        for i, name in enumerate(header.parameters):
            self.variables[name] = values[i] if i < len(values) else ""
        try:
            self.block(body)
        except _ExitSignal as signal:
            if signal.kind != "sub":
                raise
        finally:
            for name, old in saved.items():
                if old is None:
                    self.variables.pop(name, None)
                else:
                    self.variables[name] = old

    # -- tables ----------------------------------------------------------------------------------
    def table(self, name: str, position: Position) -> STable:
        table = self.tables.get(name)
        if table is None:
            raise ScriptError(f"Table '{name}' not found").at(position)
        return table

    def drop_fields(self, node: DropFields) -> None:
        targets = (
            [self.table(t, node.position) for t in node.tables]
            if node.tables
            else self.tables.ordered()
        )
        for name in node.names:
            hit = False
            for table in targets:
                if name in table.parts:
                    table.drop_field(name)
                    hit = True
            if not hit:
                raise FieldNotFoundError(f"Field '{name}' not found").at(node.position)
        for table in list(self.tables.ordered()):
            if not table.names:
                self.tables.drop(table.name)
        self.tables.version += 1

    def rename(self, node: Rename) -> None:
        pairs = list(node.pairs)
        if node.using is not None:
            mapping = self.mapping(node.using, node.position)
            keys = display_objects(mapping.keys).tolist()
            values = display_objects(mapping.values).tolist()
            candidates = (
                list(self.tables.tables)
                if node.kind == "table"
                else sorted({n for t in self.tables.ordered() for n in t.names})
            )
            lookup: dict[str, str] = {}
            for key, value in zip(keys, values, strict=True):
                if key is not None and value is not None:
                    lookup.setdefault(str(key), str(value))
            pairs = [(c, lookup[c]) for c in candidates if c in lookup]
        for old, new in pairs:
            if node.kind == "table":
                self.table(old, node.position)
                if new in self.tables and new != old:
                    raise ScriptError(f"Table '{new}' already exists").at(node.position)
                self.tables.rename(old, new)
                continue
            owners = self.tables.field_tables(old)
            if not owners and node.using is None:
                raise FieldNotFoundError(f"Field '{old}' not found").at(node.position)
            for table in owners:
                if new in table.parts:
                    raise DuplicateFieldError(
                        f"Field names must be unique within table: '{new}'"
                    ).at(node.position)
                table.rename_field(old, new)
            self.tables.version += 1

    def mapping(self, name: str, position: Position) -> MapTable:
        found = self.state.mappings.get(name)
        if found is None:
            raise ScriptError(f"Mapping table not found: {name}").at(position)
        return found

    def store(self, node: Store) -> None:
        table = self.table(node.table, node.position)
        names = list(node.fields) or list(table.names)
        for name in names:
            if name not in table.parts:
                raise FieldNotFoundError(f"Field '{name}' not found").at(node.position)
        store_table = StoreTable.of(names, [table.column(n) for n in names])
        try:
            path = self.connections.resolve_for_write(node.path)
            write_table(store_table, path, node.text_format.file_type, spec=node.text_format)
        except SourceError as error:
            raise error.at(node.position) from error
        self.emit(f"{table.name} >> {file_name(node.path)}")
        self.emit(f"{table.n:,} Lines stored")

    def comment(self, node: Comment) -> None:
        target = self.field_comments if node.kind == "field" else self.table_comments
        if node.using is not None:
            mapping = self.mapping(node.using, node.position)
            keys = display_objects(mapping.keys).tolist()
            values = display_objects(mapping.values).tolist()
            for key, value in zip(keys, values, strict=True):
                if key is not None:
                    target[str(key)] = "" if value is None else str(value)
            return
        for name in node.names:
            target[name] = node.text or ""

    def tag(self, node: Tag) -> None:
        pairs: list[tuple[str, str]] = [(n, t) for n in node.names for t in node.tags]
        if node.using is not None:
            mapping = self.mapping(node.using, node.position)
            keys = display_objects(mapping.keys).tolist()
            values = display_objects(mapping.values).tolist()
            pairs = [
                (str(k), str(v))
                for k, v in zip(keys, values, strict=True)
                if k is not None and v is not None
            ]
        for name, tag in pairs:
            tags = self.field_tags.setdefault(name, [])
            if node.untag:
                if tag in tags:
                    tags.remove(tag)
            elif tag not in tags:
                tags.append(tag)

    # -- LOAD --------------------------------------------------------------------------------
    def load(self, load: LoadStatement, statement: StatementText) -> None:
        if load.source is None:
            self.pending.append((load, statement))
            return
        stack, self.pending = self.pending, []
        top = stack[0][0] if stack else load
        partial_kind = top.prefixes.partial
        if self.partial and partial_kind is None:
            return  # a partial reload runs only Add / Replace loads
        if not self.partial and top.prefixes.only:
            return
        frame, source_name, default_name = self.read(load)
        fetched = frame.n
        label = top.label or next((s.label for s, _ in stack if s.label), None) or load.label
        name = label or default_name
        target = top.prefixes.concatenate_to or top.prefixes.target or name
        self.state.current_table = target if target in self.tables else None
        steps = [(load, statement), *reversed(stack)]
        out = frame
        try:
            for i, (step, step_statement) in enumerate(steps):
                is_top = i == len(steps) - 1
                base = self.rowno_base(top, out) if is_top else None
                out = self.transform(step, out, step_statement, base)
        finally:
            self.state.current_table = None
        self.save(top, name, out, source_name, fetched)

    def read(self, load: LoadStatement) -> tuple[Frame, str, str]:
        """(source frame, source name for the log, default table name)."""
        source = load.source
        self.state.current_file = None
        if isinstance(source, InlineSource):
            self.inline_count += 1
            name = inline_table_name(self.inline_count)
            spec = load.text_format
            data = read_table(source.data.encode("utf-8"), _inline_spec(spec), name=name)
            return self.source_frame(data), name, name
        if isinstance(source, FileSource):
            try:
                path = self.connections.resolve(source.path)
                frame = self.streamed_frame(path, load, file_name(source.path))
                if frame is None:
                    data = read_table(path, load.text_format, name=file_name(source.path))
                    frame = self.source_frame(data)
            except SourceError as error:
                raise error.at(source.position) from error
            self.state.current_file = path
            return frame, file_name(source.path), file_table_name(source.path)
        if isinstance(source, ResidentSource):
            table = self.table(source.table, source.position)
            frame = table.frame()
            if load.order_by:
                frame = self.order(frame, load)
            return frame, table.name, table.name
        if isinstance(source, AutogenerateSource):
            count = float(evaluate_constant(source.count.expr, self.state).num[0])
            if count != count or count < 0:
                raise ScriptError("AUTOGENERATE needs a non-negative number").at(source.position)
            self.autogenerate_count += 1
            name = autogenerate_table_name(self.autogenerate_count)
            return Frame([], {}, int(count)), name, name
        if isinstance(source, SqlSource):
            if self.connection is None:
                raise ScriptError("SQL statement without a connection (LIB CONNECT TO)").at(
                    source.position
                )
            try:
                connection = self.connections.sql_connection(self.connection)
                data = run_sql(connection, source.text)
            except SourceError as error:
                raise error.at(source.position) from error
            name = _sql_table_name(source.text)
            return self.source_frame(data), "SQL SELECT", name
        if isinstance(source, FieldValueSource):
            self.table(source.table, source.position)
            values = self.state.field_values(source.field_name)
            return (
                Frame([source.field_name], {source.field_name: values}, len(values)),
                (source.field_name),
                source.field_name,
            )
        raise ScriptError("Unsupported source").at(load.position)

    def streamed_frame(self, path: Path, load: LoadStatement, name: str) -> Frame | None:
        """A large delimited file read block by block into encoded Columns (the file's texts
        are never all held); None: read it whole (`source_frame`)."""
        stream = stream_table(path, load.text_format, name=name)
        if stream is None:
            return None
        formats = self.state.context.formats
        null_text = self.variables.get("NullInterpret")
        names = list(stream.field_names)
        for i, field_name in enumerate(names):
            if field_name in names[:i]:
                raise DuplicateFieldError(
                    f"Field names must be unique within table: '{field_name}'"
                )
        try:
            columns = stream_columns(
                stream.batches,
                len(names),
                lambda a: interpret_numbers(a, formats),
                None if null_text is None else lambda c: _null_interpret(c, null_text),
                stream.size,
                formats.decimal_sep == "." and formats.thousand_sep != ".",
            )
        except StreamFailed:
            return None
        n = len(columns[0]) if columns else 0
        return Frame(names, dict(zip(names, columns, strict=True)), n)

    def source_frame(self, data: SourceTable) -> Frame:
        """The source's columns as engine Columns (Arrow texts, interpreted numbers); they
        become Duals only when an expression, a clause or a prefix needs their values."""
        formats = self.state.context.formats
        null_text = self.variables.get("NullInterpret")
        names: list[str] = []
        columns: list[Column] = []
        for i, name in enumerate(data.field_names):
            if name in names:
                raise DuplicateFieldError(f"Field names must be unique within table: '{name}'")
            names.append(name)
            column = data.columns[i]
            if null_text is not None and data.is_raw_text(i):
                column = _null_interpret(column, null_text)
            columns.append(source_column(column, lambda a: interpret_numbers(a, formats)))
        return Frame(names, dict(zip(names, columns, strict=True)), data.n_rows)

    def order(self, frame: Frame, load: LoadStatement) -> Frame:
        env = LoadEnv(frame, self.state)
        keys: list[np.ndarray] = []
        for item in reversed(load.order_by):
            values = ScriptEvaluator(env).eval(item.value.expr)
            codes = _sort_codes(values)
            keys.append(-codes if item.descending else codes)
        if not keys:
            return frame
        return frame.take(np.lexsort(keys))

    def rowno_base(self, top: LoadStatement, source: Frame) -> int:
        """RowNo() continues the rows of the table the LOAD will append to."""
        p = top.prefixes
        if p.mapping or p.join or p.keep or p.generic or p.crosstable or p.interval_match:
            return 0
        if p.concatenate:
            target = self.tables.get(p.concatenate_to or self.tables.last or "")
            return target.n if target is not None else 0
        if p.no_concatenate:
            return 0
        names: list[str] = []
        for item in top.fields:
            if isinstance(item, AllFields):
                names.extend(source.names)
            else:
                names.append(self.aliases.get(item.output_name, item.output_name))
        same = self.tables.find_same_fields(names)
        return same.n if same is not None else 0

    def transform(
        self, load: LoadStatement, frame: Frame, statement: StatementText, rowno: int | None
    ) -> Frame:
        """One LOAD step: WHILE, WHERE, the field list (GROUP BY), DISTINCT, First/Sample."""
        try:
            return self._transform(load, frame, rowno)
        except CalcError as error:
            raise self.locate(error, statement) from error

    def _transform(self, load: LoadStatement, frame: Frame, rowno: int | None) -> Frame:
        recno: IntArray | None = None  # None: 1, 2, ... (made only where rows are dropped)
        iterno: IntArray | None = None
        outputs = frozenset(item.output_name for item in load.fields if isinstance(item, FieldItem))
        if load.while_ is not None:
            first = np.arange(1, frame.n + 1, dtype=np.int64)
            frame, recno, iterno = self.expand_while(load.while_, frame, first, outputs)
        if load.where is not None:
            env = LoadEnv(frame, self.state, recno, iterno, output_fields=outputs)
            mask = booleans(ScriptEvaluator(env).eval(load.where.expr))
            keep = np.flatnonzero(mask)
            frame = frame.take(keep)
            recno = keep.astype(np.int64) + 1 if recno is None else recno[keep]
            iterno = None if iterno is None else iterno[keep]
        overrides: dict[int, Duals] = {}
        split = _subfield_items(load)
        if split and not load.group_by:
            index, call = split[0]
            env = LoadEnv(frame, self.state, recno, iterno, output_fields=outputs)
            rows, parts = _split_rows(ScriptEvaluator(env), call)
            frame = frame.take(rows)
            recno = rows.astype(np.int64) + 1 if recno is None else recno[rows]
            iterno = None if iterno is None else iterno[rows]
            overrides[index] = parts
        env = LoadEnv(frame, self.state, recno, iterno, rowno, outputs)
        sequential = not load.group_by and any(
            isinstance(item, FieldItem)
            and item.value is not None
            and refers_to_output(item.value.expr, outputs)
            for item in load.fields
        )
        if sequential:
            out = self.fields_row_by_row(load, env, overrides)
        else:
            out = self.fields(load, env, overrides)
        if load.distinct and out.n:
            codes, k = row_codes([out.columns[n] for n in out.names], out.n)
            out = out.take(first_occurrence(codes, k))
        prefixes = load.prefixes
        if prefixes.first is not None:
            count = float(evaluate_constant(prefixes.first.expr, self.state).num[0])
            if count == count:
                out = out.take(np.arange(min(max(int(count), 0), out.n)))
        if prefixes.sample is not None:
            share = float(evaluate_constant(prefixes.sample.expr, self.state).num[0])
            rng = np.random.default_rng()
            out = out.take(np.flatnonzero(rng.random(out.n) < share))
        return out

    def expand_while(
        self, condition: ExprText, frame: Frame, recno: IntArray, outputs: frozenset[str]
    ) -> tuple[Frame, IntArray, IntArray]:
        """Repeat each row while the condition holds; one vectorised pass per IterNo."""
        rows_out: list[IntArray] = []
        iters_out: list[IntArray] = []
        active = np.arange(frame.n, dtype=np.int64)
        iteration = 1
        while active.size:
            sub = frame.take(active)
            iterno = np.full(active.size, iteration, dtype=np.int64)
            env = LoadEnv(sub, self.state, recno[active], iterno, output_fields=outputs)
            ok = booleans(ScriptEvaluator(env).eval(condition.expr))
            active = active[ok]
            rows_out.append(active)
            iters_out.append(np.full(active.size, iteration, dtype=np.int64))
            iteration += 1
            if iteration > _MAX_LOOP:
                raise ScriptError("WHILE clause never ends").at(condition.position)
        rows = np.concatenate(rows_out) if rows_out else np.empty(0, dtype=np.int64)
        iters = np.concatenate(iters_out) if iters_out else np.empty(0, dtype=np.int64)
        order = np.lexsort((iters, rows))
        rows, iters = rows[order], iters[order]
        return frame.take(rows), recno[rows], iters

    def fields_row_by_row(
        self, load: LoadStatement, env: LoadEnv, overrides: dict[int, Duals]
    ) -> Frame:
        """A LOAD whose fields peek at its own earlier output rows: one row at a time."""
        frame = env.frame
        names = [item.output_name for item in load.fields if isinstance(item, FieldItem)]
        building = GrowingTable(names)
        self.state.building = building
        parts: list[Frame] = []
        try:
            for i in range(frame.n):
                rows = np.array([i], dtype=np.int64)
                recno = env.recno[rows] if env.recno is not None else None
                iterno = env.iterno[rows] if env.iterno is not None else None
                base = None if env.rowno_base is None else env.rowno_base + i
                one = LoadEnv(frame.take(rows), self.state, recno, iterno, base, env.output_fields)
                row_overrides = {k: v.take(rows) for k, v in overrides.items()}
                out = self.fields(load, one, row_overrides)
                building.add({name: out.columns[name].item(0) for name in out.names})
                parts.append(out)
        finally:
            self.state.building = None
        if not parts:
            return self.fields(load, env, overrides)
        first = parts[0]
        columns = {n: Duals.concat([p.columns[n] for p in parts]) for n in first.names}
        return Frame(list(first.names), columns, frame.n)

    def fields(
        self, load: LoadStatement, env: LoadEnv, overrides: dict[int, Duals] | None = None
    ) -> Frame:
        frame = env.frame
        names: list[str] = []
        columns: list[ColumnData] = []
        grouped: tuple[IntArray, int] | None = None
        if load.group_by:
            keys = [ScriptEvaluator(env).eval(g.expr) for g in load.group_by]
            codes, k = row_codes(keys, frame.n)
            grouped = dense_in_order(codes, k)
        for position, item in enumerate(load.fields):
            pairs: list[tuple[str, ColumnData]]
            if overrides and position in overrides:
                pairs = [
                    (item.output_name if isinstance(item, FieldItem) else "", overrides[position])
                ]
            elif isinstance(item, AllFields):
                if grouped is not None:
                    raise ScriptError("LOAD * cannot be used with GROUP BY").at(item.position)
                pairs = [(name, frame.raw(name)) for name in frame.names]
            else:
                pairs = [(item.output_name, self.field_value(item, env, grouped))]
            for name, column in pairs:
                name = self.aliases.get(name, name)
                if name in names:
                    message = f"Field names must be unique within table: '{name}'"
                    raise DuplicateFieldError(message).at(item.position)
                names.append(name)
                columns.append(column)
        if not names:
            raise ScriptError("The LOAD has no fields").at(load.position)
        n = grouped[1] if grouped is not None else frame.n
        return Frame(names, dict(zip(names, columns, strict=True)), n)

    def field_value(
        self, item: FieldItem, env: LoadEnv, grouped: tuple[IntArray, int] | None
    ) -> ColumnData:
        value = item.value
        assert value is not None
        if grouped is not None:
            return ScriptGrouped(env, grouped[0], grouped[1]).eval(value.expr)
        if isinstance(value.expr, FieldRef):
            if value.expr.name in env.frame.columns:
                return env.frame.raw(value.expr.name)
            if env.state.variables.get(value.expr.name) is None:
                raise FieldNotFoundError(f"Field '{value.expr.name}' not found").at(item.position)
        if contains_aggregation(value.expr):
            raise ScriptError("Aggregation functions need a GROUP BY clause").at(item.position)
        return ScriptEvaluator(env).eval(value.expr)

    # -- storing a LOAD's result -----------------------------------------------------------------
    def save(self, top: LoadStatement, name: str, frame: Frame, source: str, fetched: int) -> None:
        p = top.prefixes
        frame = self.apply_map_using(frame)
        frame = self.null_as_value(frame)
        if p.mapping:
            if len(frame.names) < 2:
                raise ScriptError("A mapping table needs two fields").at(top.position)
            self.state.mappings[name] = MapTable(
                frame.columns[frame.names[0]], frame.columns[frame.names[1]]
            )
            self.emit(f"{name} << {source}")
            self.emit(f"{frame.n:,} Lines fetched")
            return
        if p.crosstable is not None:
            attribute, data, qualifiers = p.crosstable
            frame = transforms.crosstable(
                frame,
                attribute,
                data,
                qualifiers,
                lambda d: interpret_duals(d, self.state.context.formats),
            )
        if p.hierarchy is not None:
            frame = transforms.hierarchy(frame, p.hierarchy)
        if p.hierarchy_belongs_to is not None:
            frame = transforms.hierarchy_belongs_to(frame, p.hierarchy_belongs_to)
        if p.interval_match is not None:
            frame = self.interval_match(frame, p.interval_match, top.position)
        frame = self.qualify(frame, name)
        if p.generic:
            for attribute, part in transforms.generic(frame):
                table = self.tables.create(f"{name}.{attribute}", part)
                self.emit(f"{table.name} << {source}")
            self.emit(f"{fetched:,} Lines fetched")
            return
        if p.join is not None or p.keep is not None:
            target_name = p.target or self.tables.last
            if target_name is None:
                raise ScriptError("Join/Keep needs a previously loaded table").at(top.position)
            target = self.table(target_name, top.position)
            if p.join is not None:
                target.replace(joins.join(target.frame(), frame, p.join))
                self.tables.version += 1
                self.emit(f"{target.name} << {source}")
            else:
                self.keep(target, frame, p.keep or "inner", name, source)
            self.emit(f"{fetched:,} Lines fetched")
            return
        if p.partial == "merge":
            self.merge(top, name, frame, source)
            return
        if p.partial == "replace" and self.partial:
            existing = self.tables.get(name)
            if existing is not None:
                existing.replace(frame)
                self.tables.version += 1
                self.emit(f"{existing.name} << {source}")
                self.emit(f"{frame.n:,} Lines fetched")
                return
        if p.concatenate or (p.partial == "add" and self.partial and name in self.tables):
            target_name = p.concatenate_to or (name if p.partial else self.tables.last)
            if target_name is None:
                table = self.tables.create(name, frame)
            else:
                table = self.table(target_name, top.position)
                table.append(frame)
                self.tables.version += 1
        else:
            table = self.tables.store(frame, name, not p.no_concatenate)
        self.emit(f"{table.name} << {source}")
        self.emit(f"{frame.n:,} Lines fetched")

    def merge(self, top: LoadStatement, name: str, frame: Frame, source: str) -> None:
        """`Merge ... On keys`: the change log applied to the target table (docs/script.md)."""
        p = top.prefixes
        target: STable | None
        if p.concatenate:
            target = self.table(p.concatenate_to or self.tables.last or name, top.position)
        else:
            target = self.tables.find_same_fields(frame.names[1:])
        try:
            merged = merge_frames(
                None if target is None else target.frame(), frame, p.merge_keys, p.merge_sequence
            )
        except ScriptError as error:
            raise error.at(top.position) from error
        if target is None:
            target = self.tables.create(name, merged)
        else:
            target.replace(merged)
            self.tables.last = target.name
            self.tables.version += 1
        if p.merge_sequence is not None and p.merge_variable is not None:
            highest = max_sequence(frame, p.merge_sequence)
            if highest is not None:
                self.set_variable(p.merge_variable, number_text(highest))
        self.emit(f"{target.name} << {source}")
        self.emit(f"{frame.n:,} Lines fetched")

    def keep(self, target: STable, frame: Frame, kind: str, name: str, source: str) -> None:
        left_rows, right_rows = joins.keep_masks(target.frame(), frame)
        if kind in ("inner", "right"):
            target.replace(target.frame().take(left_rows))
        if kind in ("inner", "left"):
            frame = frame.take(right_rows)
        table = self.tables.create(name, frame)
        self.tables.version += 1
        self.emit(f"{table.name} << {source}")

    def interval_match(
        self, frame: Frame, spec: tuple[tuple[str, ...], tuple[str, ...]], position: Position
    ) -> Frame:
        (match_name,), keys = spec
        owners = [
            t for t in self.tables.field_tables(match_name) if all(k in t.parts for k in keys)
        ]
        if not owners:
            raise FieldNotFoundError(f"Field '{match_name}' not found").at(position)
        wanted = [*keys, match_name]
        parts = [t.frame() for t in owners]
        combined = Frame(
            wanted,
            {n: Duals.concat([p.columns[n] for p in parts]) for n in wanted},
            sum(p.n for p in parts),
        )
        codes, k = row_codes([combined.columns[n] for n in wanted], combined.n)
        distinct = combined.take(first_occurrence(codes, k))
        distinct = distinct.take(np.flatnonzero(~distinct.columns[match_name].is_null))
        return transforms.interval_match(frame, match_name, distinct, list(keys))

    def apply_map_using(self, frame: Frame) -> Frame:
        if not self.map_using:
            return frame
        columns: dict[str, ColumnData] = {n: frame.raw(n) for n in frame.names}
        for name in frame.names:
            mapname = self.map_using.get(name)
            if mapname is None or mapname not in self.state.mappings:
                continue
            table = self.state.mappings[mapname]
            values = frame.columns[name]
            codes, k = value_codes(values)
            texts = display_objects(values)
            lookup = np.full(k, -1, dtype=np.int64)
            for row in first_occurrence(codes, k).tolist():
                lookup[codes[row]] = table.find(float(values.num[row]), texts[row])
            index = lookup[codes]
            mapped = take_or_null(table.values, index)
            missing = index < 0
            columns[name] = Duals(
                np.where(missing, values.num, mapped.num),
                np.where(missing, values.text, mapped.text).astype(object),
            )
        return Frame(list(frame.names), columns, frame.n)

    def null_as_value(self, frame: Frame) -> Frame:
        """NULLASVALUE fields: their NULLs become the text of the NullValue variable."""
        if not any(on for _, on in self.null_rules):
            return frame
        text = self.variables.get("NullValue", "")
        columns: dict[str, ColumnData] = {n: frame.raw(n) for n in frame.names}
        for name in frame.names:
            on = False
            for pattern, as_value in self.null_rules:
                if fnmatch.fnmatchcase(name, pattern):
                    on = as_value
            if not on:
                continue
            values = frame.columns[name]
            null = values.is_null
            if null.any():
                columns[name] = Duals(values.num, np.where(null, text, values.text).astype(object))
        return Frame(list(frame.names), columns, frame.n)

    def qualify(self, frame: Frame, table_name: str) -> Frame:
        if not self.qualify_rules:
            return frame
        renamed: list[str] = []
        for name in frame.names:
            qualified = False
            for pattern, on in self.qualify_rules:
                if fnmatch.fnmatchcase(name, pattern):
                    qualified = on
            renamed.append(f"{table_name}.{name}" if qualified else name)
        columns = {new: frame.raw(old) for old, new in zip(frame.names, renamed, strict=True)}
        return Frame(renamed, columns, frame.n)


# -- values ----------------------------------------------------------------------------------
def _with_tags(tables: list[LoadedTable], tags: Mapping[str, list[str]]) -> list[LoadedTable]:
    """TAG FIELD tags go into the model as extra column tags."""
    if not any(tags.values()):
        return tables
    out: list[LoadedTable] = []
    for table in tables:
        columns = tuple(
            column.with_tags(tuple(dict.fromkeys((*column.tags, *tags[name]))))
            if tags.get(name)
            else column
            for name, column in zip(table.field_names, table.columns, strict=True)
        )
        out.append(replace(table, columns=columns))
    return out


def _subfield_items(load: LoadStatement) -> list[tuple[int, ExprCall]]:
    """Field items that are `SubField(text, delimiter)` without an index: they make rows."""
    found: list[tuple[int, ExprCall]] = []
    for index, item in enumerate(load.fields):
        if isinstance(item, FieldItem) and item.value is not None:
            expr = item.value.expr
            if isinstance(expr, ExprCall) and expr.upper == "SUBFIELD" and len(expr.args) == 2:
                found.append((index, expr))
    return found


def _split_rows(evaluator: ScriptEvaluator, call: ExprCall) -> tuple[IntArray, Duals]:
    """(source row of each part, the parts) of `SubField(text, delimiter)` over all rows; a
    NULL text gives one NULL part."""
    texts = display_objects(evaluator.eval(call.args[0]))
    delimiters = display_objects(evaluator.eval(call.args[1]))
    distinct = set(delimiters.tolist())
    if len(distinct) == 1 and next(iter(distinct)):
        # one delimiter for every row (the usual case): split in pyarrow
        array = pa.array(texts, type=pa.string())
        lists = pc.split_pattern(array, pattern=str(next(iter(distinct))))
        lengths = np.asarray(
            pc.list_value_length(lists).fill_null(1).to_numpy(zero_copy_only=False), np.int64
        )
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        out = np.full(len(rows), None, dtype=object)
        valid = ~none_mask(texts)[rows]
        flat = pc.list_flatten(lists).to_numpy(zero_copy_only=False)
        out[valid] = flat
        return rows, Duals.of_texts(out)
    row_list: list[int] = []
    parts: list[str | None] = []
    for i, (text, delimiter) in enumerate(zip(texts.tolist(), delimiters.tolist(), strict=True)):
        if text is None:
            row_list.append(i)
            parts.append(None)
            continue
        pieces = str(text).split(str(delimiter)) if delimiter else [str(text)]
        row_list.extend([i] * len(pieces))
        parts.extend(pieces)
    return np.asarray(row_list, dtype=np.int64), Duals.of_texts(object_array(parts))


def number_text(value: float) -> str:
    """The text LET stores for a number: an integer without decimals, else 14 digits."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.14g}"


def value_text(value: Duals) -> str:
    """A one-row result as variable text: its own text, else its number, else empty."""
    text = value.text[0]
    if text is not None:
        return str(text)
    number = float(value.num[0])
    return "" if number != number else number_text(number)


def _same_value(a: Duals, b: Duals) -> bool:
    an, bn = float(a.num[0]), float(b.num[0])
    if an == an and bn == bn:
        return an == bn
    at, bt = display_objects(a)[0], display_objects(b)[0]
    return at is not None and at == bt


def _sort_codes(values: Duals) -> np.ndarray:
    """Sort keys: numbers ascending first, then texts, then NULL."""
    n = len(values)
    key = np.empty(n, dtype=np.float64)
    has_num = ~np.isnan(values.num)
    order_num = np.argsort(values.num[has_num], kind="stable")
    ranks = np.empty(order_num.size, dtype=np.float64)
    ranks[order_num] = np.arange(order_num.size)
    key[has_num] = ranks
    rest = np.flatnonzero(~has_num)
    if rest.size:
        texts = values.text[rest]
        codes = np.full(rest.size, np.inf)
        valid = np.array([t is not None for t in texts.tolist()], dtype=bool)
        if valid.any():
            _uniq, inverse = np.unique(texts[valid].astype(str), return_inverse=True)
            codes[valid] = inverse + order_num.size
        key[rest] = codes
    return key


def interpret_arrow(column: pa.ChunkedArray | pa.Array, formats: FormatSettings) -> Duals:
    """Raw texts read from a source: each text kept, with the number it automatically reads
    as under the script's formats (numbers, money, dates, times, timestamps)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    numbers = interpret_numbers(column, formats)
    texts = column.to_numpy(zero_copy_only=False)
    if texts.dtype != object:
        texts = object_array(list(texts))
    return Duals(numbers, texts)


def interpret_duals(values: Duals, formats: FormatSettings) -> Duals:
    """Automatic number interpretation of texts without a number (crosstable attributes)."""
    return interpret_arrow(pa.array(display_objects(values), type=pa.string()), formats)


def _null_interpret(column: pa.ChunkedArray, null_text: str) -> pa.ChunkedArray:
    """`SET NullInterpret=...`: texts equal to it (after trimming) read as NULL."""
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    equal = pc.equal(pc.utf8_trim_whitespace(column), null_text.strip())
    return pc.if_else(pc.fill_null(equal, False), pa.scalar(None, column.type), column)


def _inline_spec(spec: FormatSpec) -> FormatSpec:
    return replace(spec, file_type=spec.file_type or "txt")


def _sql_table_name(sql: str) -> str:
    words = sql.replace("\n", " ").split()
    upper = [w.upper() for w in words]
    if "FROM" in upper:
        index = upper.index("FROM")
        if index + 1 < len(words):
            return words[index + 1].strip('[]"`;').split(".")[-1][:32]
    return "SQL"


def model_tables(model: DataModel) -> list[LoadedTable]:
    """The tables of a built model back as loaded tables (for partial reloads)."""
    from openqix.engine.model import Column

    out: list[LoadedTable] = []
    for table_name, field_names, indices in model.source_tables():  # synthetic keys undone
        columns: list[Column] = []
        for name in field_names:
            symbols = model.fields[name].symbols
            values = Duals.of_symbols(list(symbols.texts), symbols.numbers, indices[name])
            columns.append(Column(list(display_objects(values)), values.num))
        out.append(LoadedTable(table_name, field_names, tuple(columns)))
    return out

"""An app: script, connections, data model and persisted properties, shared by its sessions.

`App` is also the embedded API (`openqix.App.from_script(...)`): it carries a default
`Selections` so that `select` and `hypercube` work without any session or socket.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openqix.calc.format import DEFAULT_FORMATS, FormatSettings
from openqix.calc.format import locale_info as format_locale_info
from openqix.engine.model import DataModel, LoadedTable
from openqix.errors import (
    ConnectionAlreadyExists,
    ConnectionNameInvalid,
    ConnectionNotFound,
    QixError,
    ReloadInProgress,
)
from openqix.objects.bookmarks import BookmarkStore
from openqix.objects.variables import VariableStore
from openqix.progress import ReloadCancelled, ReloadProgress
from openqix.script.errors import error_line
from openqix.script.executor import model_tables, run_script
from openqix.script.sources.connections import SQL_TYPES, ConnectionResolver, FolderConnection
from openqix.selections import Selections
from openqix.storage.store import ScriptLogs


@dataclass
class DataConnection:
    id: str
    name: str
    connection_string: str
    type: str
    modified: str = ""

    def as_qix(self) -> dict[str, Any]:
        out: dict[str, Any] = {"qId": self.id, "qName": self.name}
        out["qConnectionString"] = self.connection_string
        out["qType"] = self.type
        if self.modified:
            out["qModifiedDate"] = self.modified
        out["qMeta"] = {"qName": self.name}
        return out


@dataclass
class ReloadOutcome:
    success: bool
    log: list[str]
    error: QixError | None = None
    log_file: str = ""


@dataclass
class App:
    id: str
    title: str = ""
    script: str = ""
    is_session_app: bool = False
    model: DataModel = field(default_factory=DataModel.empty)
    connections: dict[str, DataConnection] = field(default_factory=dict)
    last_reload_time: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    alternate_states: list[str] = field(default_factory=list)  # AddAlternateState
    variables: VariableStore = field(default_factory=VariableStore)  # docs/variables.md
    bookmarks: BookmarkStore = field(default_factory=BookmarkStore)  # docs/bookmarks.md
    script_logs: ScriptLogs | None = field(default=None, repr=False)  # None: no log files
    # other apps' data models for `Binary` (by id or title), given by the engine's registry
    binary_source: Callable[[str], DataModel | None] | None = field(default=None, repr=False)
    # COMMENT TABLE / COMMENT FIELD of the last successful reload (qComment in the API)
    table_comments: dict[str, str] = field(default_factory=dict)
    field_comments: dict[str, str] = field(default_factory=dict)
    _reload_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _default: Selections | None = field(default=None, repr=False)

    # -- embedded API ------------------------------------------------------------------
    @classmethod
    def from_script(cls, script: str, connections: dict[str, str | Path] | None = None) -> App:
        """Build an app from a load script; folder connections map a name to a directory."""
        app = cls(id=f"embedded_{uuid.uuid4().hex}", is_session_app=True, script=script)
        for name, root in (connections or {}).items():
            app.create_connection(name, str(root), "folder")
        outcome = app.reload()
        if outcome.error is not None:
            raise outcome.error
        return app

    @property
    def selections(self) -> Selections:
        if self._default is None:
            self._default = Selections(self)
        return self._default

    def select(self, field_name: str, values: Sequence[str | float], state: str = "$") -> bool:
        """Select `values` (texts or numbers) in a field, replacing its selection."""
        return self.selections.select_values(field_name, list(values), state=state)

    def clear(self, state: str = "$") -> None:
        self.selections.clear_all(locked_also=False, state=state)

    def hypercube(
        self, dimensions: Sequence[str], measures: Sequence[str], state: str = "$"
    ) -> list[tuple[Any, ...]]:
        """Rows of a straight table: dimension texts (None for NULL), measure numbers."""
        return self.selections.hypercube_rows(list(dimensions), list(measures), state)

    # -- reload ----------------------------------------------------------------------------
    def reload(
        self, progress: ReloadProgress | None = None, *, partial: bool = False, mode: int = 0
    ) -> ReloadOutcome:
        """Run the script; on success swap in the new model, on failure keep the old one.

        `progress` receives the log lines as they come and can cancel the reload (it then
        fails at its next check point and the previous model stays)."""
        if not self._reload_lock.acquire(blocking=False):
            raise ReloadInProgress(self.id)
        progress = progress if progress is not None else ReloadProgress()
        try:
            outcome = self._reload(progress, partial, mode)
        finally:
            self._reload_lock.release()
        if not outcome.success:
            message = str(outcome.error) if outcome.error else "Reload failed"
            progress.error(message, line=error_line(self.script, outcome.error))
        if self.script_logs is not None:
            outcome.log_file = self.script_logs.write(
                self.id, progress.timed_lines(), outcome.success
            )
        progress.finish()
        return outcome

    def _binary_tables(self, ref: str) -> list[LoadedTable] | None:
        """`Binary ref;`: the tables of another app's data model (None: not available)."""
        if self.binary_source is None or ref in (self.id, self.title):
            return None
        model = self.binary_source(ref)
        return model_tables(model) if model is not None and model.tables else None

    def _reload(
        self, progress: ReloadProgress, partial: bool = False, mode: int = 0
    ) -> ReloadOutcome:
        resolver = ConnectionResolver(
            (
                FolderConnection(c.name, Path(c.connection_string))
                for c in self.connections.values()
                if c.type.lower() == "folder"
            ),
            sql=(
                (c.name, c.type.lower(), c.connection_string)
                for c in self.connections.values()
                if c.type.lower() in SQL_TYPES
            ),
        )
        try:
            before = self.variables.definitions()  # the script reads them (docs/variables.md)
            result = run_script(
                self.script,
                resolver,
                before,
                progress=progress.line,  # the executor's lines go out live
                partial=partial,
                previous=model_tables(self.model) if partial else (),
                continue_on_error=mode == 2,  # qMode 2: ignore errors and go on
                transient=progress.transient,
                check=progress.check_cancelled,
                binary=self._binary_tables,
            )
            model = DataModel.build(result.tables)
        except QixError as exc:
            return ReloadOutcome(False, [str(exc)], exc)
        except ValueError as exc:
            return ReloadOutcome(False, [str(exc)], QixError(str(exc)))
        if progress.cancelled:
            return ReloadOutcome(False, list(result.log), ReloadCancelled())
        self.model = model
        self.table_comments = dict(result.table_comments)
        self.field_comments = dict(result.field_comments)
        self.variables.apply_script(result.variables, before)  # flagged qIsScriptCreated
        self.last_reload_time = _now_iso()
        for warning in model.warnings:  # circular references (engine/model.py)
            progress.error(warning, kind="EDC_CIRCULAR_REFERENCE")
        return ReloadOutcome(True, [*result.log, *model.warnings])

    # -- connections ---------------------------------------------------------------------
    def create_connection(self, name: str, connection_string: str, kind: str) -> str:
        if not name or "/" in name or ":" in name:
            raise ConnectionNameInvalid(name)
        if self.find_connection(name) is not None:
            raise ConnectionAlreadyExists(name)
        if kind.lower() != "folder" and kind.lower() not in SQL_TYPES:
            raise QixError(f"connection type not supported: {kind}", code=2002)
        conn = DataConnection(uuid.uuid4().hex, name, connection_string, kind, _now_iso())
        self.connections[conn.id] = conn
        return conn.id

    def find_connection(self, name: str) -> DataConnection | None:
        for conn in self.connections.values():
            if conn.name.lower() == name.lower():
                return conn
        return None

    def connection(self, connection_id: str) -> DataConnection:
        conn = self.connections.get(connection_id)
        if conn is None:
            raise ConnectionNotFound(connection_id)
        return conn

    def delete_connection(self, connection_id: str) -> None:
        self.connection(connection_id)
        del self.connections[connection_id]

    def modify_connection(self, connection_id: str, name: str, connection_string: str) -> None:
        conn = self.connection(connection_id)
        if name and name.lower() != conn.name.lower() and self.find_connection(name):
            raise ConnectionAlreadyExists(name)
        conn.name = name or conn.name
        conn.connection_string = connection_string or conn.connection_string
        conn.modified = _now_iso()


def _now_iso() -> str:
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


# The script a new app starts with (GetEmptyScript), en-US, as the Qlik engine writes it.
EMPTY_SCRIPT = "\r\n".join(
    [
        "///$tab Main",
        "SET ThousandSep=',';",
        "SET DecimalSep='.';",
        "SET MoneyThousandSep=',';",
        "SET MoneyDecimalSep='.';",
        "SET MoneyFormat='$ ###0.00;-$ ###0.00';",
        "SET TimeFormat='h:mm:ss TT';",
        "SET DateFormat='M/D/YYYY';",
        "SET TimestampFormat='M/D/YYYY h:mm:ss[.fff] TT';",
        "SET FirstWeekDay=6;",
        "SET BrokenWeeks=1;",
        "SET ReferenceDay=0;",
        "SET FirstMonthOfYear=1;",
        "SET CollationLocale='en-US';",
        "SET CreateSearchIndexOnReload=1;",
        "SET MonthNames='Jan;Feb;Mar;Apr;May;Jun;Jul;Aug;Sep;Oct;Nov;Dec';",
        "SET LongMonthNames='January;February;March;April;May;June;July;August;September;"
        "October;November;December';",
        "SET DayNames='Mon;Tue;Wed;Thu;Fri;Sat;Sun';",
        "SET LongDayNames='Monday;Tuesday;Wednesday;Thursday;Friday;Saturday;Sunday';",
        "SET NumericalAbbreviation='3:k;6:M;9:G;12:T;15:P;18:E;21:Z;24:Y;-3:m;-6:μ;-9:n;"
        "-12:p;-15:f;-18:a;-21:z;-24:y';",
    ]
)


def locale_info(app: App | None = None) -> dict[str, Any]:
    """LocaleInfo of an app: its script's format variables (en-US without them)."""
    formats = FormatSettings.from_variables(app.variables.definitions()) if app else DEFAULT_FORMATS
    return format_locale_info(formats, dt.datetime.now(dt.UTC).year)

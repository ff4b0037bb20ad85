"""Live progress of one reload, shared between the thread running it and the callers asking.

The script executor writes lines (`Orders << orders.csv`, `12,345 Lines fetched`, errors) and
transient progress while it runs; `Global.GetProgress` reads them from another thread at any
time, each persistent line once; `Global.CancelReload` asks the reload to stop, and the
executor stops at its next check point with `ReloadCancelled`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from openqix.errors import QixError


class ReloadCancelled(QixError):
    code = 15  # LOCERR_GENERIC_ABORTED; DoReload itself answers false

    def __init__(self, reason: str = ""):
        super().__init__(f"Reload cancelled{': ' + reason if reason else ''}")


@dataclass
class ReloadProgress:
    request_id: Any = None  # the DoReload request, for AbortRequest
    queued: bool = False  # the DoReload frame arrived but waits behind earlier calls
    started_at: float = field(default_factory=time.monotonic)
    _lines: list[str] = field(default_factory=list)
    _stamps: list[float] = field(default_factory=list)  # wall-clock time of each line
    _read: int = 0
    _transient: str = ""
    _errors: list[dict[str, Any]] = field(default_factory=list)
    _finished: bool = False
    _cancel_reason: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- written by the reload ---------------------------------------------------------------
    def line(self, text: str) -> None:
        """One persistent line of the reload log."""
        with self._lock:
            self._lines.append(text)
            self._stamps.append(time.time())

    def transient(self, text: str) -> None:
        with self._lock:
            self._transient = text

    def error(self, text: str, line: str = "", kind: str = "EDC_ERROR") -> None:
        """An error or warning (kind EDC_WARNING, EDC_CIRCULAR_REFERENCE): a persistent line
        and an entry of `qErrorData`; `line` is the script text of the failing statement."""
        with self._lock:
            self._lines.append(text)
            self._stamps.append(time.time())
            self._errors.append(
                {"qErrorString": text, "qLineEnd": "", "qLine": line, "qErrorDataCode": kind}
            )

    def finish(self) -> None:
        with self._lock:
            self._finished = True
            self._transient = ""

    def check_cancelled(self) -> None:
        """Raise ReloadCancelled when a cancel was asked; the executor calls this often."""
        if self._cancel_reason is not None:
            raise ReloadCancelled(self._cancel_reason)

    # -- read by the API -----------------------------------------------------------------------
    def cancel(self, reason: str = "") -> None:
        self._cancel_reason = reason

    @property
    def cancelled(self) -> bool:
        return self._cancel_reason is not None

    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def lines(self) -> list[str]:
        with self._lock:
            return list(self._lines)

    def timed_lines(self) -> list[tuple[float, str]]:
        """Every persistent line with the time it was written (for the script log)."""
        with self._lock:
            return list(zip(self._stamps, self._lines, strict=True))

    def take_new_lines(self) -> list[str]:
        """Persistent lines not yet handed out (GetProgress reports each line once)."""
        with self._lock:
            new = self._lines[self._read :]
            self._read = len(self._lines)
            return new

    def snapshot(self) -> dict[str, Any]:
        """`qProgressData` of GetProgress: new persistent lines since the last call."""
        if self.queued:
            return {**idle_progress(), "qFinished": self._finished}
        new = self.take_new_lines()
        with self._lock:
            return {
                "qStarted": True,
                "qFinished": self._finished,
                "qCompleted": 0,
                "qTotal": 0,
                "qKB": 0,
                "qMillisecs": int((time.monotonic() - self.started_at) * 1000),
                "qUserInteractionWanted": False,
                "qPersistentProgress": "\n".join(new),
                "qTransientProgress": self._transient,
                "qErrorData": list(self._errors),
                "qPersistentProgressMessages": [],
            }


def idle_progress() -> dict[str, Any]:
    """`qProgressData` when no reload has run in the session."""
    return {
        "qStarted": False,
        "qFinished": False,
        "qCompleted": 0,
        "qTotal": 0,
        "qKB": 0,
        "qMillisecs": 0,
        "qUserInteractionWanted": False,
        "qPersistentProgress": "",
        "qTransientProgress": "",
        "qErrorData": [],
        "qPersistentProgressMessages": [],
    }

"""The app store: `<data-dir>/apps/<app-id>/app.json`, and the reloads' script logs under
`<data-dir>/logs/`. The only writer of app files.

Writes are atomic (temp file, fsync, rename), so a crash mid-write keeps the previous file.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from openqix.storage.format import AppDocument, CorruptAppFile, decode, encode

_SAFE_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")
APP_FILE = "app.json"


class AppStore:
    def __init__(self, data_dir: Path):
        self.root = Path(data_dir) / "apps"

    def _dir(self, app_id: str) -> Path | None:
        if not _SAFE_ID.match(app_id) or app_id in (".", ".."):
            return None
        return self.root / app_id

    def exists(self, app_id: str) -> bool:
        path = self._dir(app_id)
        return path is not None and (path / APP_FILE).is_file()

    def load(self, app_id: str) -> AppDocument | None:
        path = self._dir(app_id)
        if path is None or not (path / APP_FILE).is_file():
            return None
        return decode((path / APP_FILE).read_bytes())

    def save(self, doc: AppDocument) -> None:
        path = self._dir(doc.id)
        if path is None:
            raise ValueError(f"invalid app id: {doc.id!r}")
        path.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".app-", dir=path)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(encode(doc))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path / APP_FILE)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def delete(self, app_id: str) -> bool:
        path = self._dir(app_id)
        if path is None or not path.is_dir():
            return False
        shutil.rmtree(path)
        return True

    def list(self) -> list[AppDocument]:
        docs: list[AppDocument] = []
        if not self.root.is_dir():
            return docs
        for child in sorted(self.root.iterdir()):
            try:
                doc = self.load(child.name)
            except (CorruptAppFile, OSError):
                continue  # a broken app file never hides the others
            if doc is not None:
                docs.append(doc)
        return docs


class ScriptLogs:
    """Script log files of reloads: `<data-dir>/logs/<app-id>/<UTC time>.log`, the newest
    `keep` per app (older ones are removed when a new one is written)."""

    def __init__(self, data_dir: Path, keep: int = 20):
        self.root = Path(data_dir) / "logs"
        self.keep = keep

    def write(self, app_id: str, lines: Sequence[tuple[float, str]], success: bool) -> str:
        """Write one reload's log (a time per line); its path, or "" when it can't be."""
        if not _SAFE_ID.match(app_id) or app_id in (".", ".."):
            return ""
        now = dt.datetime.now(dt.UTC)
        body = [f"{now.isoformat(timespec='milliseconds')} Reload of {app_id}"]
        body += [f"{_clock(stamp)} {line}" for stamp, line in lines]
        body.append("Execution finished." if success else "Execution failed.")
        try:
            directory = self.root / app_id
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / f"{now.strftime('%Y%m%dT%H%M%S%fZ')}.log"
            path.write_text("\n".join(body) + "\n", encoding="utf-8")
            for old in sorted(directory.glob("*.log"))[: -self.keep]:
                old.unlink(missing_ok=True)
        except OSError:
            return ""
        return str(path)


def _clock(stamp: float) -> str:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).strftime("%H:%M:%S")

"""The script log file of a reload: the progress lines with a header and a time stamp per
line, written to `OPENQIX_SCRIPT_LOG_DIR` (default: `<tmp>/openqix-script-logs`)."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def log_directory() -> Path:
    configured = os.environ.get("OPENQIX_SCRIPT_LOG_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("TMPDIR") or "/tmp") / "openqix-script-logs"


def write_script_log(app_id: str, lines: Sequence[str], success: bool) -> str:
    """Write one reload's log; returns its path ('' when it cannot be written)."""
    now = dt.datetime.now(dt.UTC)
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    name = f"{_UNSAFE.sub('_', app_id)[:80]}.{stamp}.log"
    body = [f"{now.isoformat()} Reload of {app_id}"]
    body.extend(f"{now.strftime('%H:%M:%S')} {line}" for line in lines)
    body.append("Execution finished." if success else "Execution failed.")
    try:
        directory = log_directory()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / name
        path.write_text("\n".join(body) + "\n", encoding="utf-8")
    except OSError:
        return ""
    return str(path)

"""Behaviour pinned by text fixtures: every tests/fixtures/scripts/NAME.qvs runs against the
connection `data` (tests/fixtures/data) and must give what NAME.json describes: tables with
names, fields and rows as texts (optionally the log and variables), or an error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from openqix.engine.model import DataModel
from openqix.script.errors import ScriptError
from openqix.script.executor import run_script
from openqix.script.sources.connections import ConnectionResolver

from .conftest import FIXTURES, table_rows

SCRIPTS = sorted((FIXTURES / "scripts").glob("*.qvs"))


def test_there_are_fixtures() -> None:
    assert len(SCRIPTS) >= 5


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_script_fixture(script: Path, fixture_connections: ConnectionResolver) -> None:
    expected: dict[str, Any] = json.loads(script.with_suffix(".json").read_text("utf-8"))
    text = script.read_text("utf-8")
    if "error" in expected:
        _check_error(text, fixture_connections, expected["error"])
        return
    result = run_script(text, fixture_connections)
    got = [
        {"name": t.name, "fields": list(t.field_names), "rows": table_rows(t)}
        for t in result.tables
    ]
    assert got == expected["tables"]
    if "log" in expected:
        assert result.log == expected["log"]
    if "variables" in expected:
        assert result.variables == expected["variables"]
    DataModel.build(result.tables)  # the engine accepts what the script produced


def _check_error(text: str, connections: ConnectionResolver, error: dict[str, Any]) -> None:
    with pytest.raises(ScriptError) as caught:
        run_script(text, connections)
    assert type(caught.value).__name__ == error["type"]
    assert caught.value.message == error["message"]
    assert (caught.value.line, caught.value.column) == (error["line"], error["column"])

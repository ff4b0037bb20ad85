"""Runs tests/fixtures/expressions/*.txt (format in that directory's README.md): expressions
with their expected text, alone or per chart row, over small hand-checkable data sets."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from openqix.calc.chart import ChartContext, evaluate_text
from openqix.calc.errors import CalcError
from openqix.calc.format import format_number
from openqix.engine.inference import infer
from openqix.engine.model import Column, DataModel, LoadedTable
from openqix.engine.selection import SelectionState, select_symbols
from openqix.errors import QixError
from openqix.objects.cube import compute_cube

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "expressions"


@dataclass
class Case:
    file: str
    line: int
    text: str
    expected: str
    model: DataModel
    state: SelectionState
    variables: dict[str, str]
    dims: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}"


def _cell(raw: str) -> str | float | None:
    raw = raw.strip()
    if raw == "":
        return None
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1]
    try:
        return float(raw)
    except ValueError:
        return raw


def _select(model: DataModel, state: SelectionState, spec: str) -> SelectionState:
    name, _, values = spec.partition("=")
    name = name.strip()
    symbols = model.fields[name].symbols
    wanted = [symbols.texts.index(v.strip()) for v in values.split(",")]
    state, ok = select_symbols(model, state, name, wanted, False, False)
    assert ok, spec
    return state


def load_cases(path: Path) -> list[Case]:
    tables: list[LoadedTable] = []
    model = DataModel.build([])
    state = SelectionState.empty()
    variables: dict[str, str] = {}
    cases: list[Case] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line, number = lines[i].strip(), i + 1
        i += 1
        if not line or line.startswith("#"):
            continue
        if line.startswith("@table"):
            name, _, header = line[len("@table") :].partition(":")
            fields = [f.strip() for f in header.split(",")]
            rows: list[list[str | float | None]] = []
            while lines[i].strip() != "@end":
                rows.append([_cell(c) for c in lines[i].split(",")])
                i += 1
            i += 1
            columns = tuple(Column.from_values([r[k] for r in rows]) for k in range(len(fields)))
            tables.append(LoadedTable(name.strip(), tuple(fields), columns))
            model = DataModel.build(tables)
            continue
        if line.startswith("@select"):
            state = _select(model, state, line[len("@select") :])
            continue
        if line == "@clear":
            state = SelectionState.empty()
            continue
        if line.startswith("@variable"):
            name, _, value = line[len("@variable") :].partition("=")
            variables[name.strip()] = value.strip()
            continue
        text, _, expected = line.rpartition(" => ")
        dims: list[str] = []
        if text.startswith("by ") and " :: " in text:
            head, _, text = text.partition(" :: ")
            dims = [d.strip() for d in head[3:].split(",")]
        cases.append(
            Case(path.name, number, text, expected.strip(), model, state, dict(variables), dims)
        )
    return cases


CASES = [c for p in sorted(FIXTURES.glob("*.txt")) for c in load_cases(p)]


def _display(text: str | None, number: float) -> str:
    if text is not None:
        return text
    return "-" if math.isnan(number) else format_number(number)


def per_row(case: Case, ctx: ChartContext) -> str:
    definition: dict[str, Any] = {
        "qDimensions": [{"qDef": {"qFieldDefs": [d]}} for d in case.dims],
        "qMeasures": [{"qDef": {"qDef": case.text}}],
    }
    cube = compute_cube(case.model, infer(case.model, case.state), definition, case.state, ctx)
    spec = cube.measures[0]
    if spec.error is not None:
        raise spec.error
    parts = []
    for r in range(cube.n_rows):
        keys = []
        for d, name in enumerate(case.dims):
            symbol = int(cube.dim_symbols[d][r])
            keys.append(case.model.fields[name].symbols.texts[symbol] if symbol >= 0 else "-")
        value = _display(cube.measure_texts[0][r], float(cube.measure_values[0][r]))
        parts.append(f"{'/'.join(keys)}: {value}")
    return "; ".join(parts)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fixture(case: Case) -> None:
    ctx = ChartContext(case.model, case.state, variables=case.variables)
    if case.expected.startswith("!error"):
        fragment = case.expected[len("!error") :].strip()
        with pytest.raises(QixError) as caught:
            per_row(case, ctx) if case.dims else evaluate_text(case.text, ctx)
        assert fragment in str(caught.value), caught.value
        return
    got = per_row(case, ctx) if case.dims else evaluate_text(case.text, ctx)
    if case.dims:
        assert sorted(got.split("; ")) == sorted(case.expected.split("; ")), got
    else:
        assert got == case.expected


def test_fixtures_were_found() -> None:
    assert len(CASES) > 100
    assert all(isinstance(c.model, DataModel) for c in CASES)
    assert CalcError.code == 7000

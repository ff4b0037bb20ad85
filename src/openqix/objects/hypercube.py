"""Straight hypercubes (`qHyperCubeDef` -> `qHyperCube`, qMode "S"): the layout with
dimension/measure infos, grand totals and initial pages, and GetHyperCubeData pages.

Computing a cube (objects/cube.py) is shared by the layout and the data calls through a
small cache keyed by model version, inference identity and the def (without its pages).
Other modes report qError 20 (not implemented) and no data pages.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from openqix.calc.chart import ChartContext, uses_other_states
from openqix.calc.errors import CalcError
from openqix.calc.format import (
    DEFAULT_FORMATS,
    auto_number_format,
    format_datetimes,
    format_intervals,
    format_number,
    format_numbers_with,
)
from openqix.calc.values import Duals, none_mask
from openqix.engine.inference import Inference
from openqix.engine.model import DataModel
from openqix.engine.selection import SelectionState
from openqix.engine.states import STATE_LETTERS
from openqix.objects.cube import Cube, compute_cube
from openqix.objects.dimension_info import dimension_info, dynamic_keys
from openqix.objects.paging import (
    Area,
    Cell,
    clip_pages,
    measure_cell,
    null_cell,
    total_cell,
    value_cell,
)
from openqix.objects.sorting import sort_indicator

NOT_IMPLEMENTED = 20  # LOCERR_GENERIC_NOT_IMPLEMENTED, for cube modes other than S
_GLYPH_SAMPLE = 10_000
_CACHE_SIZE = 32
_cache: OrderedDict[tuple[int, int, bytes], tuple[Inference, Cube]] = OrderedDict()
_cache_lock = threading.Lock()


def hypercube(
    model: DataModel,
    inference: Inference,
    state: SelectionState,
    definition: Mapping[str, Any],
    context: ChartContext | None = None,
) -> dict[str, Any]:
    """The `qHyperCube` layout of a HyperCubeDef (shapes §2.5, sem §2.4).

    `context` (optional) resolves set identifiers other than `$`/`1` and variables."""
    cube = cached_cube(model, inference, definition, state, context)
    mode = _mode(definition)
    layout: dict[str, Any] = {}
    if definition.get("qStateName"):
        layout["qStateName"] = definition["qStateName"]
    layout["qSize"] = {"qcx": cube.width, "qcy": cube.n_rows}
    if cube.error is not None:
        layout["qError"] = cube.error.validation_error()
    elif mode != "S":
        layout["qError"] = {"qErrorCode": NOT_IMPLEMENTED, "qContext": f"qMode {mode}"}
    layout["qDimensionInfo"] = [
        dimension_info(model, inference, state, dim, cube.hypercube_cardinal(i))
        for i, dim in enumerate(cube.dimensions)
    ]
    layout["qMeasureInfo"] = [_measure_info(cube, j) for j in range(len(cube.measures))]
    layout["qEffectiveInterColumnSortOrder"] = cube.sort_order
    layout["qGrandTotalRow"] = [
        _text_cell(total_cell(value), _total_text(cube, j, value, text))
        for j, (value, text) in enumerate(
            zip(cube.totals, _padded(cube.total_texts, cube.totals), strict=True)
        )
    ]
    layout["qDataPages"] = _initial_pages(model, inference, cube, definition, layout, mode)
    layout["qPivotDataPages"] = []
    layout["qStackedDataPages"] = []
    layout["qMode"] = mode
    layout["qNoOfLeftDims"] = -1
    layout["qTreeNodesOnDim"] = []
    layout["qColumnOrder"] = list(definition.get("qColumnOrder") or [])
    layout.update(dynamic_keys(definition))
    return layout


def hypercube_data(
    model: DataModel,
    inference: Inference,
    state: SelectionState,
    definition: Mapping[str, Any],
    pages: Sequence[Mapping[str, Any]],
    context: ChartContext | None = None,
) -> list[dict[str, Any]]:
    """GetHyperCubeData: one NxDataPage per page; raises PagesTooLarge (7009)."""
    cube = cached_cube(model, inference, definition, state, context)
    return data_pages(model, inference, cube, pages)


def cached_cube(
    model: DataModel,
    inference: Inference,
    definition: Mapping[str, Any],
    state: SelectionState | None = None,
    context: ChartContext | None = None,
) -> Cube:
    """compute_cube, shared between a layout and the data calls that follow it.

    With a context the key also holds the versions of every state and the variables."""
    try:
        body = {k: v for k, v in definition.items() if k != "qInitialDataFetch"}
        blob = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
        if context is not None:
            blob += orjson.dumps(dict(context.variables), option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return compute_cube(model, inference, definition, state, context)
    if context is not None and _uses_other_sets(body, context.state_name):
        return compute_cube(model, inference, definition, state, context)
    key = (model.version, id(inference), blob)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] is inference:
            _cache.move_to_end(key)
            return hit[1]
    # A private copy of the def: a cached cube must not see later in-place edits of it.
    cube = compute_cube(model, inference, orjson.loads(orjson.dumps(body)), state, context)
    with _cache_lock:
        _cache[key] = (inference, cube)  # holding `inference` keeps its id from being reused
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return cube


def _uses_other_sets(definition: Mapping[str, Any], state_name: str = "$") -> bool:
    """Set identifiers other than `$`/`1` depend on more than this state: not cached. In an
    alternate state `$` is another state too, so any set expression counts."""
    texts: list[str] = []
    for measure in definition.get("qMeasures") or []:
        qdef = measure.get("qDef") if isinstance(measure, Mapping) else None
        if isinstance(qdef, Mapping):
            texts.append(str(qdef.get("qDef") or ""))
    for dimension in definition.get("qDimensions") or []:
        qdef = dimension.get("qDef") if isinstance(dimension, Mapping) else None
        if isinstance(qdef, Mapping):
            texts.extend(str(t) for t in qdef.get("qFieldDefs") or [])
    if state_name != "$":
        return any("{" in t for t in texts)
    return any(uses_other_states(t) for t in texts)


def _padded(texts: Sequence[str | None], values: Sequence[float]) -> list[str | None]:
    return list(texts) if len(texts) == len(values) else [None] * len(values)


def _text_cell(cell: Cell, text: str | None) -> Cell:
    """A measure or total cell carrying the value's own text (Only, Concat, Date ...)."""
    if text is not None:
        cell["qText"] = text
        cell.pop("qIsNull", None)
    return cell


def data_pages(
    model: DataModel, inference: Inference, cube: Cube, pages: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    tails = [{"qUp": 0, "qDown": 0} for _ in cube.dimensions]
    return [
        {"qMatrix": _matrix(model, inference, cube, area), "qTails": tails, "qArea": area.rect()}
        for area in clip_pages(pages, cube.width, cube.n_rows)
    ]


def _mode(definition: Mapping[str, Any]) -> str:
    mode = str(definition.get("qMode") or "S")
    long_forms = {"DATA_MODE_STRAIGHT": "S", "DATA_MODE_PIVOT": "P", "DATA_MODE_PIVOT_STACK": "K"}
    long_forms |= {"DATA_MODE_TREE": "T", "DATA_MODE_DYNAMIC": "D"}
    return long_forms.get(mode, mode)


def _initial_pages(
    model: DataModel,
    inference: Inference,
    cube: Cube,
    definition: Mapping[str, Any],
    layout: dict[str, Any],
    mode: str,
) -> list[dict[str, Any]]:
    if mode != "S":
        return []
    try:
        return data_pages(model, inference, cube, definition.get("qInitialDataFetch") or [])
    except CalcError as error:
        layout.setdefault("qError", error.validation_error())
        return []


def _matrix(model: DataModel, inference: Inference, cube: Cube, area: Area) -> list[list[Cell]]:
    if area.width == 0 or area.height == 0:
        return []
    n_dims = len(cube.dimensions)
    window = slice(area.top, area.top + area.height)
    columns: list[list[Cell]] = []
    for column in area.columns:
        if column < n_dims:
            columns.append(_dimension_cells(model, inference, cube, column, window))
        else:
            m = column - n_dims
            numbers = cube.measure_values[m][window]
            texts = _measure_texts(cube, m, numbers, window)
            columns.append(
                [
                    _text_cell(measure_cell(v), t)
                    for v, t in zip(numbers.tolist(), texts, strict=True)
                ]
            )
    return [list(row) for row in zip(*columns, strict=True)]


def _measure_texts(
    cube: Cube, m: int, numbers: npt.NDArray[np.float64], window: slice
) -> list[str | None]:
    """Per cell the value's own text, else its number in the measure's explicit qNumFormat;
    None leaves the auto format (10 significant digits)."""
    own = cube.measure_texts[m][window] if m < len(cube.measure_texts) else None
    formatted = formatted_numbers(cube.measures[m].qdef.get("qNumFormat"), numbers)
    if own is None and formatted is None:
        return [None] * len(numbers)
    out = np.full(len(numbers), None, dtype=object) if formatted is None else formatted
    if own is not None:
        has_own = ~none_mask(own)
        out[has_own] = own[has_own]
    return list(out.tolist())


def _total_text(cube: Cube, m: int, value: float, own: str | None) -> str | None:
    if own is not None:
        return own
    formatted = formatted_numbers(cube.measures[m].qdef.get("qNumFormat"), np.array([value]))
    return None if formatted is None else formatted[0]


def formatted_numbers(
    number_format: Any, values: npt.NDArray[np.float64]
) -> npt.NDArray[np.object_] | None:
    """Texts of numbers in an NxFieldAttributes format (F, M, R, I, D, T, TS, IV with a
    qFmt); None for the automatic format. NaN stays None (the cell shows "-")."""
    explicit = _explicit_format(number_format)
    pattern = str(explicit.get("qFmt") or "") if explicit else ""
    if explicit is None or not pattern:
        return None
    kind = explicit.get("qType")
    if kind in ("D", "T", "TS"):
        return format_datetimes(values, pattern, DEFAULT_FORMATS)
    if kind == "IV":
        return format_intervals(values, pattern, DEFAULT_FORMATS)
    dec = str(explicit.get("qDec") or ".")
    thou = str(explicit.get("qThou") or ",")  # clients send qUseThou 0 with "#,##0" too
    return format_numbers_with(values, pattern, dec, thou)


def _dimension_cells(
    model: DataModel, inference: Inference, cube: Cube, index: int, window: slice
) -> list[Cell]:
    symbols = cube.dim_symbols[index][window].tolist()
    name = cube.dimensions[index].field
    calculated = cube.dim_values[index] if index < len(cube.dim_values) else None
    if calculated is not None:
        return _calculated_cells(calculated, symbols)
    if name is None:
        return [null_cell() for _ in symbols]
    table = model.fields[name].symbols
    states = inference.states[name]
    cells: list[Cell] = []
    for s in symbols:
        if s < 0:
            cells.append(null_cell())
        else:
            letter = STATE_LETTERS[int(states[s])]
            cells.append(value_cell(table.text(s), table.number(s), s, letter))
    return cells


def _calculated_cells(values: Duals, codes: list[int]) -> list[Cell]:
    """Cells of a calculated dimension: the value, its code as element number, state O."""
    cells: list[Cell] = []
    for code in codes:
        if code < 0:
            cells.append(null_cell())
            continue
        value = values.item(code)
        text = value.display(format_number) or ""
        cells.append(value_cell(text, value.num, code, "O"))
    return cells


def _measure_info(cube: Cube, index: int) -> dict[str, Any]:
    """NxMeasureInfo in schema key order, dynamic keys of the measure's qDef last (R8)."""
    spec = cube.measures[index]
    values = cube.measure_values[index]
    finite = values[~np.isnan(values)]
    explicit = spec.qdef.get("qNumFormat")
    explicit_format = _explicit_format(explicit)
    info: dict[str, Any] = {
        "qFallbackTitle": spec.title,
        "qApprMaxGlyphCount": _glyph_count(values, cube.totals[index]),
        "qCardinal": 0,
        "qSortIndicator": sort_indicator(spec.sort_by),
        "qNumFormat": explicit_format or auto_number_format(values),
        "qMin": float(finite.min()) if finite.size else math.nan,
        "qMax": float(finite.max()) if finite.size else math.nan,
    }
    if spec.error is not None:
        info["qError"] = spec.error.validation_error()
    if spec.qdef.get("qReverseSort"):
        info["qReverseSort"] = True
    if explicit_format is None:
        info["qIsAutoFormat"] = True
    info["qAttrExprInfo"] = []
    info["qAttrDimInfo"] = []
    if spec.measure.get("qLibraryId"):
        info["qLibraryId"] = spec.measure["qLibraryId"]
    info["qTrendLines"] = []
    info.update(dynamic_keys(spec.qdef))
    return info


def _explicit_format(number_format: Any) -> dict[str, Any] | None:
    """A qNumFormat set on the measure, unless it is the "U" (automatic) type."""
    if isinstance(number_format, Mapping) and number_format.get("qType", "U") != "U":
        return dict(number_format)
    return None


def _glyph_count(values: np.ndarray[Any, np.dtype[np.float64]], total: float) -> int:
    """Length of the longest formatted value (approximate beyond the first 10 000 rows)."""
    sample = values[:_GLYPH_SAMPLE].tolist()
    if len(values) > _GLYPH_SAMPLE:
        finite = values[~np.isnan(values)]
        sample += [float(finite.min()), float(finite.max())] if finite.size else []
    return max((len(format_number(v)) for v in [*sample, total]), default=0)

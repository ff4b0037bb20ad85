"""The QIX method table (derived from the enigma.js schema) and parameter binding.

Clients send `params` as a positional array (possibly shorter than the schema list, with
nulls for omitted arguments) or as an object keyed by parameter name. Both bind to one dict
with the schema's defaults filled in; a value of the wrong JSON type is -32602.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from openqix.errors import InvalidParameters


@dataclass(frozen=True)
class MethodSpec:
    qix_type: str
    name: str
    params: tuple[str, ...]
    defaults: dict[str, Any]
    optional: frozenset[str]
    out: tuple[str, ...]


@cache
def method_table() -> dict[str, dict[str, MethodSpec]]:
    raw = json.loads(resources.files(__package__).joinpath("qix_methods.json").read_text())
    table: dict[str, dict[str, MethodSpec]] = {}
    for qix_type, methods in raw["methods"].items():
        table[qix_type] = {
            name: MethodSpec(
                qix_type,
                name,
                tuple(m["params"]),
                dict(m["defaults"]),
                frozenset(m.get("optional", [])),
                tuple(m["out"]),
            )
            for name, m in methods.items()
        }
    return table


def find_method(qix_type: str, name: str) -> MethodSpec | None:
    return method_table().get(qix_type, {}).get(name)


def bind_params(spec: MethodSpec, params: Any) -> dict[str, Any]:
    """Bind array or object params to the schema's names, defaults filled in."""
    if params is None:
        params = []
    if isinstance(params, list):
        if len(params) > len(spec.params):
            raise InvalidParameters(
                f"{spec.name} takes at most {len(spec.params)} parameters, got {len(params)}"
            )
        given = dict(zip(spec.params, params, strict=False))
    elif isinstance(params, dict):
        unknown = [k for k in params if k not in spec.params]
        if unknown:
            raise InvalidParameters(f"{spec.name}: unknown parameter {unknown[0]}")
        given = params
    else:
        raise InvalidParameters(f"{spec.name}: params must be an array or an object")
    bound: dict[str, Any] = {}
    for name in spec.params:
        template = spec.defaults.get(name)
        value = given.get(name)
        if value is None:
            bound[name] = copy.deepcopy(template)
        else:
            bound[name] = _check_type(spec.name, name, template, value)
    return bound


def _check_type(method: str, name: str, template: Any, value: Any) -> Any:
    ok: bool
    if isinstance(template, bool):
        ok = isinstance(value, bool) or (type(value) is int and value in (0, 1))
        if ok:
            return bool(value)
    elif isinstance(template, int | float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif isinstance(template, str):
        ok = isinstance(value, str)
    elif isinstance(template, list):
        ok = isinstance(value, list)
    elif isinstance(template, dict):
        ok = isinstance(value, dict)
    else:
        ok = True
    if not ok:
        expected = _json_type(template)
        raise InvalidParameters(f"{method}: {name} must be {expected}, got {_json_type(value)}")
    return value


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null"

"""`qFieldListDef` → `qFieldList`: the fields of the data model for a field picker (sem §2.9,
shapes §6.6).

Fields come in load order (as the tables were loaded, before synthetic keys) with their
cardinal and tags. Synthetic keys (`$Syn N`, tag `$syn`)
and the system fields (`$Field`, `$Table`, `$Rows`, `$Fields`) are listed only with
`qShowSystem`, flagged `qIsSystem`; fields tagged `$hidden` only with `qShowHidden`, flagged
`qIsHidden`; `qShowSrcTables` adds the tables holding each field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openqix.engine.model import DataModel, Field

_SYSTEM_TAGS = frozenset({"$system", "$syn"})


def field_list(model: DataModel, definition: Mapping[str, Any]) -> dict[str, Any]:
    show_system = definition.get("qShowSystem") is True
    show_hidden = definition.get("qShowHidden") is True
    show_tables = definition.get("qShowSrcTables") is True
    fields = _load_order(model)
    if show_system:
        fields += model.system_fields().values()
    items: list[dict[str, Any]] = []
    for f in fields:
        is_system = not _SYSTEM_TAGS.isdisjoint(f.tags)
        is_hidden = "$hidden" in f.tags
        if (is_system and not show_system) or (is_hidden and not show_hidden):
            continue
        item: dict[str, Any] = {"qName": f.name, "qCardinal": f.cardinal, "qTags": list(f.tags)}
        if is_system:
            item["qIsSystem"] = True
        if is_hidden:
            item["qIsHidden"] = True
        if show_tables:
            item["qSrcTables"] = list(f.tables)
        items.append(item)
    return {"qItems": items}


def _load_order(model: DataModel) -> list[Field]:
    order: dict[str, None] = {}
    for table in model.tables.values():
        if not table.is_synthetic:
            order.update(dict.fromkeys(table.source_fields or table.field_names))
    order.update(dict.fromkeys(model.fields))  # synthetic keys last
    return [model.fields[name] for name in order if name in model.fields]

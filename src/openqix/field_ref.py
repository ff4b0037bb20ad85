"""A reference to a field in one selection state: the target of a Field handle."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, eq=False)
class FieldRef:
    name: str
    state_name: str

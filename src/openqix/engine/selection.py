"""Selection state of one state name: per field a mask over its symbols and a lock flag.

Snapshots are immutable and versioned: every change makes a new `SelectionState`, so history
(Back/Forward), rollback and result caching fall out of keeping old ones around.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

BoolMask = npt.NDArray[np.bool_]
_versions = itertools.count(1)


@dataclass(frozen=True)
class FieldSelection:
    """Selected symbols of one field (a read-only bool mask) and whether the field is locked."""

    selected: BoolMask
    locked: bool = False

    @property
    def count(self) -> int:
        return int(np.count_nonzero(self.selected))


@dataclass(frozen=True)
class SelectionState:
    """Fields with a selection (or a lock), in the order the selections were made."""

    fields: Mapping[str, FieldSelection] = field(default_factory=dict)
    version: int = field(default_factory=lambda: next(_versions))

    @classmethod
    def empty(cls) -> SelectionState:
        return cls({})

    def selection(self, name: str) -> FieldSelection | None:
        return self.fields.get(name)

    def is_locked(self, name: str) -> bool:
        sel = self.fields.get(name)
        return sel is not None and sel.locked

    def selected_fields(self) -> list[str]:
        """Names of fields with at least one selected value, in selection order."""
        return [name for name, sel in self.fields.items() if sel.count]

"""Logical inference: from a selection state, the possible rows of every table and the state
(S/O/A/X/XS/L/XL) of every field value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from openqix.engine.model import DataModel
from openqix.engine.selection import SelectionState

StateArray = npt.NDArray[np.int8]


@dataclass(frozen=True)
class Inference:
    """Result of inference for one (model, selection state) pair.

    possible_rows[table]: bool mask over the table's rows that survive all selections.
    states[field]: ValueState code per symbol of the field.
    """

    possible_rows: Mapping[str, npt.NDArray[np.bool_]]
    states: Mapping[str, StateArray]


def infer(model: DataModel, state: SelectionState) -> Inference:
    raise NotImplementedError("being implemented")

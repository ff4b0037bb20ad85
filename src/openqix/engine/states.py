"""Value states of field values (StateEnumType), as small integer codes in numpy arrays."""

from __future__ import annotations

from enum import IntEnum


class ValueState(IntEnum):
    """Order follows the QIX StateEnumType enum; `letter` is the wire form."""

    LOCKED = 0
    SELECTED = 1
    OPTION = 2
    DESELECTED = 3
    ALTERNATIVE = 4
    EXCLUDED = 5
    EXCL_SELECTED = 6
    EXCL_LOCKED = 7

    @property
    def letter(self) -> str:
        return STATE_LETTERS[self]


STATE_LETTERS: tuple[str, ...] = ("L", "S", "O", "D", "A", "X", "XS", "XL")

# NxStateCounts keys, indexed by ValueState.
STATE_COUNT_KEYS: tuple[str, ...] = (
    "qLocked",
    "qSelected",
    "qOption",
    "qDeselected",
    "qAlternative",
    "qExcluded",
    "qSelectedExcluded",
    "qLockedExcluded",
)

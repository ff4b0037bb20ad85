"""Typed calculation errors, each with its QIX error code.

Layouts do not fail on these: objects/ turns them into `qError` (NxValidationError) on the
dimension, measure or cube concerned. Data calls (GetHyperCubeData ...) raise them instead.
"""

from __future__ import annotations

from typing import Any

from openqix.errors import QixError


class CalcError(QixError):
    """A definition the engine cannot calculate. 7000 = LOCERR_CALC_INVALID_DEF."""

    code = 7000

    def validation_error(self) -> dict[str, Any]:
        """The NxValidationError shape: code, then context and message when known (R2)."""
        error: dict[str, Any] = {"qErrorCode": self.code}
        if self.parameter:
            error["qContext"] = self.parameter
        if self.message:
            error["qExtendedMessage"] = self.message
        return error


class UnsupportedExpression(CalcError):
    """An expression outside what this engine evaluates yet (or not parseable at all)."""


class UnknownField(CalcError):
    """A dimension or list object names a field the data model does not have."""


class UnknownLibraryItem(CalcError):
    """An unresolved `qLibraryId` (no inline definition). 7001 = LOCERR_CALC_NOT_IN_LIB."""

    code = 7001


class DisconnectedFields(CalcError):
    """Dimensions whose tables are not linked by keys. 6000 = LOCERR_HC_INVALID_OBJECT."""

    code = 6000


class PagesTooLarge(CalcError):
    """A data page of more than 10 000 cells. 7009 = LOCERR_CALC_PAGES_TOO_LARGE."""

    code = 7009

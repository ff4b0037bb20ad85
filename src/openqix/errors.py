"""The error base class shared by every room.

Each error carries its QIX wire code as a class attribute; protocol/ is the one place that turns
any `QixError` into the wire shape `{code, parameter, message}`. This module imports nothing
from the project, so every room may raise these.
"""

from __future__ import annotations


class QixError(Exception):
    """An error with a QIX error code; `parameter` names what failed."""

    code: int = -1  # LOCERR_GENERIC_UNKNOWN

    def __init__(self, parameter: str = "", message: str | None = None, code: int | None = None):
        super().__init__(message or parameter)
        if code is not None:
            self.code = code
        self.parameter = parameter
        self.message = message


class ParseError(QixError):
    code = -32700


class InvalidRequest(QixError):
    code = -32600


class MethodNotFound(QixError):
    code = -32601


class InvalidParameters(QixError):
    code = -32602


class InternalError(QixError):
    code = -32603


class NotFound(QixError):
    code = 2  # LOCERR_GENERIC_NOT_FOUND


class InvalidParameterValue(QixError):
    code = 8  # LOCERR_GENERIC_INVALID_PARAMETERS


class NotImplementedMethod(QixError):
    code = 20  # LOCERR_GENERIC_NOT_IMPLEMENTED


class AppAlreadyExists(QixError):
    code = 1000


class AppNotFound(QixError):
    code = 1003


class AppInvalid(QixError):
    code = 1007


class ConnectionAlreadyExists(QixError):
    code = 2000


class ConnectionNotFound(QixError):
    code = 2001


class ConnectionNameInvalid(QixError):
    code = 2004


class ReloadInProgress(QixError):
    code = 11000


class PersistenceNotSupportedForSessionApp(QixError):
    code = 9009

"""Errors raised by the Stratus SDK.

The API answers every error as ``{"error": {"code": ..., "message": ...}}``;
:class:`StratusError` carries the HTTP status, that stable dotted code and the
message (which names the offending field), so callers can branch on ``code``.
"""

from __future__ import annotations

from typing import Optional


class StratusError(Exception):
    """An error answered by the Stratus API, or a failure to reach it (``status`` is None then)."""

    def __init__(self, status: Optional[int], code: str, message: str) -> None:
        super().__init__(f"{message} ({code}{'' if status is None else f', HTTP {status}'})")
        self.status = status
        self.code = code
        self.message = message
        #: Seconds the server asked us to wait (Retry-After of a 429/503), if it did.
        self.retry_after: Optional[float] = None

    @property
    def retryable(self) -> bool:
        """True for outages and overload (no answer, 429, 5xx): the same request may succeed later."""
        return self.status is None or self.status == 429 or self.status >= 500


class StratusConnectionError(StratusError):
    """The service could not be reached (refused, reset, timed out, DNS)."""

    def __init__(self, message: str, *, request_sent: bool = True) -> None:
        super().__init__(None, "connection.failed", message)
        #: False when the connection was refused, so the request certainly did nothing.
        self.request_sent = request_sent


class AuthenticationError(StratusError):
    """401: no token, or an unknown, malformed or revoked one."""


class PermissionDeniedError(StratusError):
    """403: the token's scope does not allow the operation."""


class NotFoundError(StratusError):
    """404: no such experiment, run or artifact in this workspace."""


class ConflictError(StratusError):
    """409: e.g. a param logged again with another value, or a run that already ended."""


class ValidationError(StratusError):
    """400/413: the request was malformed; the message names the field."""


def error_for(status: int, code: str, message: str) -> StratusError:
    """The most specific error class for an HTTP status."""
    cls = {
        400: ValidationError,
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
        409: ConflictError,
        413: ValidationError,
    }.get(status, StratusError)
    return cls(status, code, message)

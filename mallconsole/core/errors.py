"""Domain errors raised by services, mapped to HTTP statuses in one place (``web/errors.py``)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every expected business error; ``status`` is its HTTP status."""

    status = 400
    title = "Bad request"

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class Forbidden(DomainError):
    status = 403
    title = "Not allowed"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class InvalidTransition(Conflict):
    """A state change the state machine does not allow from the current state."""

    title = "Not possible in this state"


class ValidationError(DomainError):
    status = 422
    title = "Please check the form"


class ConfigError(RuntimeError):
    """The configuration cannot start the console (e.g. production without SECRET_KEY)."""

"""Errors raised by services, one class per kind of refusal.

Each carries a translatable message and a stable machine-readable `code`. The API turns
them into problem+json; the HTML views turn them into form errors and messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A refusal. `field_errors` (field name → messages) names the fields it concerns, if
    any: a form shows them next to those fields and a problem lists them under `errors`."""

    code = "application_error"
    status = 400
    default_message = _("The request could not be carried out.")

    def __init__(
        self,
        message: Any = None,
        *,
        code: str | None = None,
        extra: Mapping[str, Any] | None = None,
        field_errors: Mapping[str, Sequence[Any]] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.extra = dict(extra or {})
        self.field_errors = {
            name: [str(m) for m in msgs] for name, msgs in (field_errors or {}).items()
        }
        super().__init__(str(self.message))


class ValidationFailed(ApplicationError):
    """The payload is incomplete or wrong; `field_errors` maps field names to messages."""

    code = "validation_failed"
    status = 400
    default_message = _("Some fields are missing or invalid.")

    def __init__(
        self, field_errors: Mapping[str, Sequence[Any]], message: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(message, field_errors=field_errors, **kwargs)


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    status = 403
    default_message = _("You are not allowed to do this.")


class NotFound(ApplicationError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class Conflict(ApplicationError):
    """The object changed under the caller (another user moved the case first, say)."""

    code = "conflict"
    status = 409
    default_message = _("The case was changed by someone else. Reload it and try again.")


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"

    def __init__(self, message: Any = None, *, allowed: Sequence[str] = (), **kwargs: Any):
        self.allowed = list(allowed)
        super().__init__(message, **kwargs)

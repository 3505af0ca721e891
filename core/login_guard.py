"""Password guessing: django-axes locks a username at one address after repeated failures.

Failed and refused log-ins go to the audit log (`auth.login_failed`, `auth.locked_out`); the
locked page answers 429 with Retry-After. A lock ends when the cool-off has passed, or when a
superuser deletes the access attempt in the admin (or runs `manage.py axes_reset_username`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .audit import audit_log

LOGIN_FAILED = "auth.login_failed"
LOCKED_OUT = "auth.locked_out"
AUDIT_ACTIONS = {
    LOGIN_FAILED: _("Failed log-in as %(object)s"),
    LOCKED_OUT: _("Log-in as %(object)s refused: locked after repeated failures"),
}


class LoginGuardBackend(AxesStandaloneBackend):
    """Axes' check, first in AUTHENTICATION_BACKENDS. A call without a request (the shell,
    the test client's login) has no address to count, so it is not counted; every log-in
    form passes its request."""

    def authenticate(self, request: Any, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def cool_off() -> timedelta:
    return settings.AXES_COOLOFF_TIME


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The page a locked log-in gets: 429, in the reader's language, with Retry-After."""
    minutes = max(1, int(cool_off().total_seconds() // 60))
    response = render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    response["Retry-After"] = str(int(cool_off().total_seconds()))
    return response


def record_login_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """user_login_failed receiver, connected after axes' own: by then axes has marked the
    request as locked out when this failure locked it or it was refused as locked."""
    field = get_user_model().USERNAME_FIELD
    typed = str(credentials.get(field) or credentials.get("username") or "")[:150]
    # Whatever was typed is stored as text: no NUL, no lone surrogate (PostgreSQL takes neither).
    username = typed.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    user = get_user_model()._default_manager.filter(**{field: username}).first()
    locked = bool(getattr(request, "axes_locked_out", False))
    audit_log(
        actor=None,
        action=LOCKED_OUT if locked else LOGIN_FAILED,
        target=user,
        dealer_id=None,
        data={
            "username": username,
            "ip_address": getattr(request, "axes_ip_address", None)
            or (request.META.get("REMOTE_ADDR", "") if request is not None else ""),
        },
    )

"""Errors as `application/problem+json` (RFC 9457), for every API response that is not 2xx.

Each problem has a machine-readable `type` (a URN ending in a stable code), a `title`, the
HTTP `status`, a human `detail`, field `errors` (field name → messages; nested fields are
joined with dots) and, for an illegal transition, `allowed_transitions`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.exceptions import ApplicationError, TransitionNotAllowed

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:complaint-desk:problem:"

TITLES = {
    400: _("Bad request"),
    401: _("Not authenticated"),
    403: _("Forbidden"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    409: _("Conflict"),
    412: _("Precondition failed"),
    413: _("Content too large"),
    415: _("Unsupported media type"),
    422: _("Unprocessable content"),
    429: _("Too many requests"),
    500: _("Server error"),
    503: _("Service unavailable"),
}

# The database cannot be reached (down, restarting, refusing connections) or dropped the
# connection mid-request: the request failed before changing anything, and the same request
# will work once the database is back (CONN_HEALTH_CHECKS reconnects), so the answer is a 503
# that says when to retry, never a 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


class BodyTooLarge(drf.APIException):
    status_code = 413
    default_detail = _("The request body is too large.")
    default_code = "body_too_large"


# DRF's own exceptions: status → stable code.
DRF_CODES = {
    BodyTooLarge: "body_too_large",
    drf.ParseError: "malformed_request",
    drf.AuthenticationFailed: "authentication_failed",
    drf.NotAuthenticated: "not_authenticated",
    drf.PermissionDenied: "permission_denied",
    drf.NotFound: "not_found",
    drf.MethodNotAllowed: "method_not_allowed",
    drf.NotAcceptable: "not_acceptable",
    drf.UnsupportedMediaType: "unsupported_media_type",
    drf.Throttled: "throttled",
    drf.ValidationError: "validation_failed",
}


class PreconditionFailed(ApplicationError):
    code = "precondition_failed"
    status = 412
    default_message = _("The case changed since you read it: fetch it again (see its ETag).")


class IdempotencyKeyReused(ApplicationError):
    code = "idempotency_key_reused"
    status = 422
    default_message = _(
        "This Idempotency-Key was already used with a different request: use a new key."
    )


class RequestInFlight(ApplicationError):
    code = "request_in_flight"
    status = 409
    default_message = _(
        "A request with this Idempotency-Key is still being processed: retry in a moment."
    )


def problem(
    status: int,
    code: str,
    detail: Any,
    *,
    title: Any = None,
    errors: Mapping[str, list[str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"{TYPE_PREFIX}{code}",
        "title": str(title or TITLES.get(status, _("Error"))),
        "status": status,
        "detail": str(detail),
    }
    if errors:
        body["errors"] = {name: [str(m) for m in messages] for name, messages in errors.items()}
    body.update(extra)
    return body


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure → {"customer.name": ["…"], "non_field_errors": […]}."""
    result: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in flatten_errors(value, name).items():
                result.setdefault(field, []).extend(messages)
    elif isinstance(detail, list | tuple):
        for index, item in enumerate(detail):
            if isinstance(item, Mapping | list | tuple):
                name = f"{prefix}.{index}" if prefix else str(index)
                for field, messages in flatten_errors(item, name).items():
                    result.setdefault(field, []).extend(messages)
            else:
                result.setdefault(prefix or "non_field_errors", []).append(str(item))
    else:
        result.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return result


def _application_problem(exc: ApplicationError) -> dict[str, Any]:
    extra = {k: v for k, v in exc.extra.items() if k not in {"type", "title", "status", "detail"}}
    status = exc.status
    code = exc.code
    if code == "stale_version":
        # A service, under the row lock, found another version than the If-Match named.
        status, code = 412, PreconditionFailed.code
    errors = exc.field_errors or None
    if isinstance(exc, TransitionNotAllowed):
        extra["allowed_transitions"] = exc.allowed
    return problem(status, code, exc.message, errors=errors, **extra)


def problem_exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every refusal becomes problem+json; anything else is a 500
    that Django logs and `server_error` below answers."""
    headers: dict[str, str] = {}
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Raised by Django when a view reads request.body beyond DATA_UPLOAD_MAX_MEMORY_SIZE.
        exc = BodyTooLarge()

    if isinstance(exc, DATABASE_UNAVAILABLE):
        logger.warning("Database unavailable, answering 503: %s", exc)
        set_rollback()
        return Response(
            database_unavailable_problem(),
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            content_type=PROBLEM_CONTENT_TYPE,
        )
    if isinstance(exc, ApplicationError):
        body = _application_problem(exc)
    elif isinstance(exc, drf.APIException):
        status = exc.status_code
        code = next((c for cls, c in DRF_CODES.items() if isinstance(exc, cls)), "error")
        if isinstance(exc, drf.ValidationError):
            body = problem(
                status,
                code,
                gettext("Some fields are missing or invalid."),
                errors=flatten_errors(exc.detail),
            )
        else:
            body = problem(status, code, exc.detail)
        # Only some APIException subclasses carry these (NotAuthenticated, Throttled).
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
        wait = getattr(exc, "wait", None)
        if wait is not None:
            headers["Retry-After"] = str(max(1, int(wait + 0.999)))
    else:
        return None
    set_rollback()
    return Response(body, status=body["status"], headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def problem_response(body: Mapping[str, Any]) -> JsonResponse:
    return JsonResponse(
        dict(body),
        status=body["status"],
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt  # it changes nothing, so any method gets the JSON 404, not the CSRF page
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any unknown path under /api/: a JSON 404, never Django's HTML page."""
    return problem_response(problem(404, "not_found", gettext("There is nothing at this URL.")))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> Any:
    """handler404: problem+json under /api/, Django's page elsewhere (a 404 raised before
    URL resolution, e.g. by core.middleware.RefuseUnstorablePathMiddleware)."""
    if request.path.startswith("/api/"):
        return not_found(request)
    from django.views.defaults import page_not_found as html_page_not_found

    return html_page_not_found(request, exception or Http404())


def database_unavailable_problem() -> dict[str, Any]:
    return problem(
        503,
        "database_unavailable",
        gettext("The service is briefly unavailable: try again in a few seconds."),
    )


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """A 503 with Retry-After: problem+json under /api/, a plain page elsewhere. The page
    needs nothing from the database (no user, no session, no navigation)."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = problem_response(database_unavailable_problem())
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
    """handler500: problem+json under /api/, Django's page elsewhere; a 503 instead when the
    database is unavailable (Django calls this while handling the exception, so it is the
    current one, whether a view or a middleware such as the session's raised it)."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable(request)
    if request.path.startswith("/api/"):
        return problem_response(
            problem(500, "server_error", gettext("Something went wrong on our side."))
        )
    from django.views.defaults import server_error as html_server_error

    return html_server_error(request)

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation


class UserLanguageMiddleware:
    """Activate the language a signed-in user chose, over the browser's preference."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if language:
            response.headers.setdefault("Content-Language", language)
        return response


class ObservabilityMiddleware:
    """First of all: time every request for the metrics (core.metrics) and give the log lines
    written meanwhile its context (core.logs): a request id, kept from the load balancer's
    `X-Request-ID` or made here, and sent back in the response's `X-Request-ID`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from core.logs import log_context, request_id_from
        from core.metrics import request_observe

        started = time.perf_counter()
        request_id = request_id_from(request.headers.get("X-Request-ID"))
        # Until the response is closed (core.logs.log_context_end, on request_finished), so
        # that the lines Django writes after the middleware ("Not Found: /path") and the
        # server's access line carry the request id too.
        log_context.set({"request_id": request_id, "request": request})
        response = self.get_response(request)
        request_observe(request, response.status_code, time.perf_counter() - started)
        response.headers.setdefault("X-Request-ID", request_id)
        return response


class HealthCheckMiddleware:
    """Answer the health checks and /metrics (core.views.PATHS) first: over plain HTTP whatever
    SECURE_SSL_REDIRECT says, for any Host header (a probe addresses the container by its IP),
    without a session or a language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from core.views import PATHS

        view = PATHS.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)


class RefuseUnstorablePathMiddleware:
    """A path with a NUL character names nothing that can be stored (PostgreSQL refuses NUL in
    text, and every view would pass it on to a query): 404 before any view runs. Lone
    surrogates cannot reach here: Django re-escapes bytes that are not UTF-8."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info:
            raise Http404()
        return self.get_response(request)

"""Health checks for container orchestrators and load balancers.

`/health/live`: the process answers (no database, no Redis): restart it when this fails.
`/health/ready`: the database answers (else 503: send no traffic); the broker and the cache
are reported as "ok" or "degraded" in the body, with a 200, because the application works
without them (publishing falls back to the outbox sweep, the cache to no throttling).
`/health/` is the readiness check under its former name.

core.middleware.HealthCheckMiddleware answers these paths before any other middleware, so
they work over plain HTTP from inside the container network whatever SECURE_SSL_REDIRECT and
ALLOWED_HOSTS say.
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .metrics import metrics_view

OK = "ok"
DEGRADED = "degraded"


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means not ready
        return False
    return True


def cache_status() -> tuple[str, dict[str, Any]]:
    cache = caches["default"]
    try:
        if hasattr(cache, "ping"):
            status = OK if cache.ping() else DEGRADED
        else:
            cache.get("health-check")
            status = OK
    except Exception:  # noqa: BLE001 - a cache that raises is degraded, not fatal
        status = DEGRADED
    # core.cache.DegradingRedisCache counts the calls it answered without Redis.
    details = {"cache_failures": cache.failures} if hasattr(cache, "failures") else {}
    return status, details


def broker_status() -> str:
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
    except Exception:  # noqa: BLE001 - publishing falls back to the outbox sweep
        return DEGRADED
    return OK


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """The process answers; nothing else is checked."""
    return JsonResponse({"status": OK})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """200 while the database answers (broker and cache reported), 503 when it does not."""
    if not database_ok():
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    cache, details = cache_status()
    broker = broker_status()
    status = OK if cache == OK and broker == OK else DEGRADED
    return JsonResponse(
        {"status": status, "database": OK, "cache": cache, "broker": broker, **details}
    )


# The former single check, kept under its old name and URL.
health = ready

# Answered before SSL redirects and host checks (core.middleware.HealthCheckMiddleware):
# probes and the metrics scraper address a container by its IP over plain HTTP. /metrics
# checks its own token or networks (core.metrics.metrics_access).
PATHS = {
    "/metrics": metrics_view,
    "/metrics/": metrics_view,
    "/health/live": live,
    "/health/live/": live,
    "/health/ready": ready,
    "/health/ready/": ready,
    "/health/": ready,
}


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico whatever a page links (the admin's pages link none).
    Resolved per request: in production the static file's hashed name exists only after
    collectstatic, not when the URLs are imported."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))

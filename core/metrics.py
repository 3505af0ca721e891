"""Prometheus metrics: what the processes count, what the database tells at scrape time, and
the protected endpoints that expose them.

Two sources, never mixed up:

- *Counted in the processes* (request latency, the sweep, outbox attempts): counters and
  histograms defined here. Under gunicorn and a prefork Celery worker each process counts
  on its own; with `PROMETHEUS_MULTIPROC_DIR` set, prometheus_client writes each process's
  values to a file in that folder and an exposition adds the files up. Each service (the web
  container, each worker container) has a folder of its own, emptied when it starts
  (`gunicorn.conf.py`, `metrics_worker_starting`): a folder shared by two services would be
  emptied by one under the other's feet, and two containers' process ids collide.
- *Read from the database at scrape time* (messages waiting, deadlines overdue): gauges that
  `DatabaseCollector` computes with a few queries on partial indexes when `/metrics` is
  read. They describe the shared database, so only the web's `/metrics` reports them; the
  worker's endpoint reports what its processes counted.

The web serves `/metrics` (core.middleware answers it before SSL redirects and host checks,
as it does the health checks); a worker serves the same format on `METRICS_PORT` when that
is set. Both answer only a request that `metrics_access` lets in: 404 while neither
`METRICS_TOKEN` nor `METRICS_ALLOWED_NETWORKS` is set, 403 for a wrong or missing token or an
address outside the networks.

This module imports no app: the apps register their scrape-time gauges
(`metrics_register_gauges`) when they are ready, as they register their outbox kinds.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from .scoping import unscoped

logger = logging.getLogger(__name__)

MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
if MULTIPROCESS_DIR:
    # prometheus_client writes its files there from the first metric defined below on.
    Path(MULTIPROCESS_DIR).mkdir(parents=True, exist_ok=True)


# --- counted in the processes ---------------------------------------------------------

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time from the request reaching Django to its response, by route, method and status.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)

SWEEP_DURATION = Histogram(
    "deadline_sweep_duration_seconds",
    "Duration of one deadline sweep (breaches, escalations, reminders).",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
SWEEP_BREACHES = Counter(
    "deadline_sweep_breaches",
    "Deadlines the sweep found breached, by deadline kind.",
    ["kind"],
)
SWEEP_ESCALATIONS = Counter(
    "deadline_sweep_escalations",
    "Breached deadlines the sweep escalated to regional staff, by deadline kind.",
    ["kind"],
)
SWEEP_REMINDERS = Counter(
    "deadline_sweep_reminders",
    "Due-soon reminders the sweep sent, by deadline kind.",
    ["kind"],
)

OUTBOX_SENT = Counter(
    "outbox_sent",
    "Messages sent by the outbox, by outbox kind and channel.",
    ["outbox", "channel"],
)
OUTBOX_FAILURES = Counter(
    "outbox_attempt_failures",
    "Failed attempts to send a message (each retried until given up), by outbox kind, "
    "channel and reason (`refused` for an answer like an HTTP 500, else the error's type).",
    ["outbox", "channel", "reason"],
)
OUTBOX_GIVEN_UP = Counter(
    "outbox_given_up",
    "Messages given up after their last attempt, by outbox kind and channel.",
    ["outbox", "channel"],
)


def request_route(request: HttpRequest) -> str:
    """The URL pattern that answered (`cases/<str:reference>/`), never the path itself: a
    path carries references and would make a series per case. Paths answered before URL
    resolution (health checks, /metrics) are few and fixed; anything else is `unmatched`."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.route or match.view_name or "unmatched"
    from .views import PATHS

    if request.path_info in PATHS:
        return request.path_info
    return "unmatched"


def request_observe(request: HttpRequest, status: int, seconds: float) -> None:
    method = request.method if request.method in HTTP_METHODS else "other"
    route = request_route(request)
    REQUEST_DURATION.labels(route=route, method=method, status=str(status)).observe(seconds)


# --- read from the database at scrape time --------------------------------------------

# A source of scrape-time gauges: called with the time of the scrape, returns metrics.
GaugeSource = Callable[[Any], Iterable[Metric]]
_GAUGE_SOURCES: dict[str, GaugeSource] = {}


def metrics_register_gauges(name: str, source: GaugeSource) -> None:
    """Add gauges computed from the database when /metrics is read (called from an app's
    `ready()`). A source must cost a few indexed queries, whatever the size of the data."""
    _GAUGE_SOURCES[name] = source


# The gauges read from the database count at most this many rows: a scrape reads the first
# rows of a partial index in due order and stops there, so it stays cheap while a backlog
# grows (a figure this large means an outage, whatever its exact size).
COUNT_LIMIT = 10_000


def backlog_figures(rows: QuerySet[Any], field: str, now: datetime) -> dict[str, float]:
    """How many of `rows` there are, how many have `field` at or before `now`, and how long
    the earliest has waited: one query reading the first COUNT_LIMIT rows in `field` order
    (a partial index on `field` serves it), aggregated in the database."""
    figures = (
        rows.order_by(field)
        .values(field)[:COUNT_LIMIT]
        .aggregate(
            count=Count("*"),
            due=Count(field, filter=Q(**{f"{field}__lte": now})),
            first=Min(field),
        )
    )
    first = figures["first"]
    age = max((now - first).total_seconds(), 0.0) if first is not None else 0.0
    return {"count": figures["count"], "due": figures["due"], "age": age}


@unscoped("metrics")
def outbox_backlog_gauges(now: datetime) -> list[Metric]:
    """Messages waiting in every outbox kind: owed and neither sent nor given up (including
    those waiting for their backoff or quiet hours), how many of them are due now, and how
    long the longest-due one has waited. Each kind is one query on its partial index of owed
    rows (`outbox_due_index`), which holds the backlog only, never the sent history, read in
    due order up to COUNT_LIMIT rows."""
    from .outbox import outbox_owed_q, outboxes

    labels = ["outbox", "channel"]
    waiting = GaugeMetricFamily(
        "outbox_messages_waiting",
        "Messages owed and not yet sent or given up, by outbox kind and channel "
        f"(counted up to {COUNT_LIMIT}).",
        labels=labels,
    )
    due = GaugeMetricFamily(
        "outbox_messages_due",
        "Messages whose next attempt is due now, by outbox kind and channel "
        f"(counted up to {COUNT_LIMIT}).",
        labels=labels,
    )
    oldest = GaugeMetricFamily(
        "outbox_oldest_due_age_seconds",
        "How long the longest-due message has been due (0 when none is), by outbox kind "
        "and channel.",
        labels=labels,
    )
    for outbox in outboxes():
        owed = outbox.model._default_manager.filter(outbox_owed_q())
        by_channel = (
            [
                (channel, owed.filter(**{outbox.channel_field: channel}))
                for channel in outbox.channels
            ]
            if outbox.channel_field
            else [(outbox.channel, owed)]
        )
        for channel, rows in by_channel:
            figures = backlog_figures(rows, "outbox_due_at", now)
            values = [outbox.name, channel]
            waiting.add_metric(values, figures["count"])
            due.add_metric(values, figures["due"])
            oldest.add_metric(values, figures["age"])
    return [waiting, due, oldest]


class DatabaseCollector:
    """The gauges read at scrape time: the database and cache answering, the outbox's
    backlog and whatever the apps registered. A source that fails is logged and left out;
    the rest of the scrape still answers."""

    def collect(self) -> Iterator[Metric]:
        from .views import OK, cache_status, database_ok

        started = time.perf_counter()
        database = database_ok()
        yield _gauge("database_up", "1 while the database answers a query, else 0.", database)
        cache, _details = cache_status()
        yield _gauge("cache_up", "1 while the cache (Redis) answers, else 0.", cache == OK)
        if database:
            now = timezone.now()
            for name, source in [("outbox", outbox_backlog_gauges), *_GAUGE_SOURCES.items()]:
                try:
                    yield from source(now)
                except Exception:
                    logger.warning("Metrics: the %s gauges could not be read", name, exc_info=True)
        yield _gauge(
            "metrics_database_scrape_seconds",
            "Time this scrape spent reading the gauges above.",
            time.perf_counter() - started,
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=float(value))


class _ProcessMetrics:
    """The metrics the process itself counted: the multiprocess folder's files added up, or,
    without a folder (one process: runserver, tests), the default registry."""

    def collect(self) -> Iterator[Metric]:
        if MULTIPROCESS_DIR:
            yield from multiprocess.MultiProcessCollector(None, path=MULTIPROCESS_DIR).collect()
        else:
            yield from REGISTRY.collect()


def process_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ProcessMetrics())
    return registry


def web_registry() -> CollectorRegistry:
    registry = process_registry()
    registry.register(DatabaseCollector())
    return registry


# --- who may read them ----------------------------------------------------------------


def metrics_access(headers: Mapping[str, str], remote_addr: str) -> int:
    """200 when the caller may read the metrics, 404 while the endpoint is off (neither a
    token nor networks configured), 403 otherwise. With both set, both must match."""
    token = settings.METRICS_TOKEN
    networks = settings.METRICS_ALLOWED_NETWORKS
    if not token and not networks:
        return 404
    if token:
        scheme, _space, given = (headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return 403
    if networks and not _address_in(remote_addr, networks):
        return 403
    return 200


def _address_in(remote_addr: str, networks: Iterable[str]) -> bool:
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)


_WEB_REGISTRY: CollectorRegistry | None = None


def metrics_view(request: HttpRequest) -> HttpResponse:
    """GET /metrics on the web: what the web processes counted and the database's gauges."""
    global _WEB_REGISTRY
    status = metrics_access(request.headers, request.META.get("REMOTE_ADDR", ""))
    if status != 200:
        return HttpResponse(status=status, content_type="text/plain")
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    if _WEB_REGISTRY is None:
        _WEB_REGISTRY = web_registry()
    response = HttpResponse(generate_latest(_WEB_REGISTRY), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


# --- the worker's endpoint ------------------------------------------------------------


def multiprocess_dir_reset() -> None:
    """Empty the multiprocess folder: a service's counts start again when it starts
    (files of processes that no longer exist would otherwise be added up for ever)."""
    if not MULTIPROCESS_DIR:
        return
    folder = Path(MULTIPROCESS_DIR)
    for entry in folder.glob("*.db"):
        entry.unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)


def metrics_worker_starting() -> None:
    """Called in a Celery worker's main process before it starts its pool: empties the
    folder and, with METRICS_PORT set, serves the worker's metrics on that port."""
    multiprocess_dir_reset()
    port = settings.METRICS_PORT
    if port:
        metrics_serve(port=port, address=settings.METRICS_ADDRESS)


def metrics_serve(*, port: int, address: str = "0.0.0.0") -> Any:  # noqa: S104 - a container's port
    """Serve the process metrics (no database gauges) on `port` in a background thread,
    behind the same access check as /metrics. Returns the server (tests shut it down)."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from prometheus_client.exposition import ThreadingWSGIServer, make_wsgi_app

    inner = make_wsgi_app(process_registry())

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        headers = {"Authorization": environ.get("HTTP_AUTHORIZATION", "")}
        status = metrics_access(headers, environ.get("REMOTE_ADDR", ""))
        if status != 200:
            reason = "Not Found" if status == 404 else "Forbidden"
            start_response(f"{status} {reason}", [("Content-Type", "text/plain")])
            return [b""]
        return inner(environ, start_response)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    server = make_server(address, port, app, ThreadingWSGIServer, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="metrics", daemon=True)
    thread.start()
    logger.info("Serving the worker's metrics on port %s", port)
    return server

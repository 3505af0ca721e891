"""One scrape of the web's /metrics: its database gauges (messages waiting in each outbox,
deadlines overdue) read through partial indexes, so its cost follows the backlog, not the
size of the tables. Measured on whatever the bench database holds; the row counts of the
tables it reads are printed with it (PostgreSQL's estimates)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from prometheus_client import generate_latest

from bench import Result, measure, median
from core.metrics import web_registry

TABLES = (
    "followups_notification",
    "api_webhookdelivery",
    "messaging_customermessage",
    "followups_deadline",
)


def _sizes() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)",
            [list(TABLES)],
        )
        sizes = dict(cursor.fetchall())
    return ", ".join(f"{table} ~{sizes.get(table, 0):,}" for table in TABLES)


def run() -> list[Result]:
    registry = web_registry()
    generate_latest(registry)  # connect, warm the caches
    with CaptureQueriesContext(connection) as queries:
        generate_latest(registry)
    timings = measure(lambda: generate_latest(registry), repeat=21)
    return [
        Result(
            "/metrics scrape (database gauges)",
            median(timings),
            len(timings),
            f"{len(queries)} queries; {_sizes()}",
            min_ms=min(timings),
        )
    ]

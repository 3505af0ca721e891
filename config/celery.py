"""The Celery application: one worker pool and exactly one effective beat process.

Beat only ticks; the truth about what is due lives in the database (followups.Deadline),
so a lost message or a restarted broker delays work but never loses it.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("complaint_desk")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        value = -1
    if value <= 0:
        raise ValueError(f"{name}={raw!r} is not a positive number of seconds.")
    return value


# How often beat ticks the sweep (one minute; integration tests use a second).
SWEEP_INTERVAL_SECONDS = _seconds("SWEEP_INTERVAL_SECONDS", 60)
# Web requests publish with this connection timeout and no retries: a broker that is down
# must not hold up a request (the outbox keeps the work for the next sweep).
app.conf.broker_connection_timeout = _seconds("CELERY_PUBLISH_TIMEOUT", 2)
# Only the beat that holds the database lease sends (core.beat): a second beat, started by
# mistake or as a standby on another machine, waits and takes over when the first one dies.
app.conf.beat_scheduler = "core.beat:LeasedScheduler"
app.conf.beat_schedule = {
    "sweep-deadlines": {
        "task": "followups.sweep_deadlines",
        "schedule": SWEEP_INTERVAL_SECONDS,
        # A tick that waited longer than an interval is superseded by the next one. Each
        # tick also asks for the outbox's delivery (e-mails, webhooks) when rows are due.
        "options": {"expires": SWEEP_INTERVAL_SECONDS},
    },
    "purge-idempotency-records": {
        "task": "api.purge_idempotency_records",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
    # Does nothing unless CLOSED_CASE_ANONYMISE_AFTER_YEARS is set.
    "anonymise-closed-customers": {
        "task": "dealers.anonymise_closed_customers",
        "schedule": 86400.0,
        "options": {"expires": 86400.0},
    },
}
app.autodiscover_tasks()


# Each task's log lines carry its name and id (core.logs), nested inside a request's context
# when a task runs eagerly within one.
_task_contexts: dict[str, Any] = {}


@signals.task_prerun.connect
def _task_log_context(task_id: str, task: Any, **kwargs: Any) -> None:
    from core.logs import log_context

    _task_contexts[task_id] = log_context.set(
        {**(log_context.get() or {}), "task": task.name, "task_id": task_id}
    )


@signals.task_postrun.connect
def _task_log_context_end(task_id: str, **kwargs: Any) -> None:
    from core.logs import log_context

    token = _task_contexts.pop(task_id, None)
    if token is not None:
        log_context.reset(token)


@signals.setup_logging.connect
def _logging(**kwargs: Any) -> None:
    """Workers and beat log as the web does (LOG_FORMAT): Django's LOGGING, not Celery's own
    format, so that JSON lines stay JSON."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@signals.worker_init.connect
def _worker_metrics(**kwargs: Any) -> None:
    """Before the pool starts: empty the metrics folder, serve METRICS_PORT (core.metrics)."""
    from core.metrics import metrics_worker_starting

    metrics_worker_starting()

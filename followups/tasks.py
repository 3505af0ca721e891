"""Celery tasks: a thin wrapper around the sweep (the outbox has its own, core.tasks).

Beat runs `sweep_deadlines` every minute. No deadline is ever scheduled as an ETA or
countdown task: the sweep reads due times from the database, so a lost message or a
restarted broker only delays work until the next tick.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError

from core.outbox import outbox_pending_count, outbox_publish

from .sweep import deadline_sweep

logger = logging.getLogger(__name__)


@shared_task(
    name="followups.sweep_deadlines",
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=3,
)
def sweep_deadlines() -> str:
    result = deadline_sweep()
    logger.info("Deadline sweep: %s", result)
    # Catch up on messages whose delivery was never asked for (broker down, worker killed)
    # and on failed ones whose backoff ran out.
    if outbox_pending_count():
        outbox_publish()
    return str(result)

"""Celery tasks: thin wrappers around the sweep and the outbox delivery.

Beat runs `sweep_deadlines` every minute. No deadline is ever scheduled as an ETA or
countdown task: the sweep reads due times from the database, so a lost message or a
restarted broker only delays work until the next tick.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError

from .notify import publish_delivery
from .sweep import deadline_sweep, outbox_deliver, outbox_pending_count

logger = logging.getLogger(__name__)

DELIVERY_BATCH = 200


@shared_task(
    name="followups.sweep_deadlines",
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=3,
)
def sweep_deadlines() -> str:
    result = deadline_sweep()
    logger.info("Deadline sweep: %s", result)
    # Catch up on e-mails whose delivery message was lost (broker down, worker killed).
    if outbox_pending_count():
        publish_delivery()
    return str(result)


@shared_task(
    name="followups.deliver_outbox",
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=5,
)
def deliver_outbox() -> int:
    sent = outbox_deliver(limit=DELIVERY_BATCH)
    if sent == DELIVERY_BATCH:
        publish_delivery()
    return sent

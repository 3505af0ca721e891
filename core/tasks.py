"""Tasks every deployment has, whatever the apps do."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError

from . import outbox

logger = logging.getLogger(__name__)

# Messages of each kind one task sends before it hands the rest to a fresh task, so that a
# long backlog never holds one worker process for good.
DELIVERY_BATCH = 200


@shared_task(name="core.ping", ignore_result=True)
def ping() -> str:
    """Prove that a worker consumes from the broker: `celery -A config call core.ping`,
    then look for "pong" in the worker's log."""
    logger.info("pong")
    return "pong"


@shared_task(
    name="core.deliver_outbox",
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=5,
)
def deliver_outbox() -> int:
    """Send the due e-mails and webhooks (see core.outbox); idempotent."""
    sent = outbox.outbox_deliver(limit=DELIVERY_BATCH)
    if outbox.outbox_pending_count():
        outbox.outbox_publish()
    return sent

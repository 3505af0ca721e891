"""Tasks every deployment has, whatever the apps do."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="core.ping", ignore_result=True)
def ping() -> str:
    """Prove that a worker consumes from the broker: `celery -A config call core.ping`,
    then look for "pong" in the worker's log."""
    logger.info("pong")
    return "pong"

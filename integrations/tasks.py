"""Celery tasks of the API: thin wrappers. Webhooks are delivered by the outbox's task
(core.tasks.deliver_outbox)."""

from __future__ import annotations

from celery import shared_task

from . import idempotency


@shared_task(name="api.purge_idempotency_records", ignore_result=True)
def purge_idempotency_records() -> int:
    """Periodic: drop idempotency records past their 24 hours (idempotent)."""
    return idempotency.purge_expired()

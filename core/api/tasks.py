"""Celery tasks of the API: thin wrappers around core.api.webhooks."""

from __future__ import annotations

from celery import shared_task

from . import idempotency, webhooks


@shared_task(name="api.deliver_webhook", ignore_result=True)
def deliver_webhook(delivery_id: int) -> str | None:
    return webhooks.deliver(delivery_id)


@shared_task(name="api.retry_webhooks", ignore_result=True)
def retry_webhooks() -> int:
    """Periodic: send every delivery whose backoff has run out (idempotent)."""
    ids = webhooks.due_delivery_ids()
    for delivery_id in ids:
        webhooks.deliver(delivery_id)
    return len(ids)


@shared_task(name="api.purge_idempotency_records", ignore_result=True)
def purge_idempotency_records() -> int:
    """Periodic: drop idempotency records past their 24 hours (idempotent)."""
    return idempotency.purge_expired()

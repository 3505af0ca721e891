"""Celery tasks of dealers: thin wrappers."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="dealers.anonymise_closed_customers", ignore_result=True)
def anonymise_closed_customers() -> int:
    """Periodic (daily): the retention rule of CLOSED_CASE_ANONYMISE_AFTER_YEARS."""
    return len(services.customers_anonymise_closed())

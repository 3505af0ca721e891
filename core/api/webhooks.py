"""Outbound webhooks: rows written with the change, sent and retried by Celery.

A delivery is written in the transaction of the change it reports (so a rolled-back
change sends nothing), sent once that transaction commits, and retried with exponential
backoff from its `next_attempt_at` by the periodic `retry_due` sweep: the due time lives in
the database, never in the broker. Each send first claims the row with a conditional
UPDATE, so two workers never send one delivery at the same time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.scoping import unscoped

from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, validate_webhook_url
from .network import check_resolved

logger = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)
# A delivery "sending" for longer than this lost its worker: send it again.
SENDING_TIMEOUT = timedelta(minutes=5)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<body>">` — what X-Signature carries."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300) -> bool:
    """What a receiver does: recompute the HMAC and refuse stale timestamps (replays)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def delivery_body(delivery: WebhookDelivery) -> bytes:
    return json.dumps(
        {
            "id": str(delivery.payload.get("id", delivery.pk)),
            "type": delivery.event_type,
            "created_at": delivery.created_at.isoformat(),
            "data": delivery.payload.get("data", {}),
        },
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def enqueue(*, endpoints: list[WebhookEndpoint], event_type: str, data: dict[str, Any]) -> None:
    """Write one delivery per endpoint in the caller's transaction; send after commit."""
    enqueue_many(events=[(endpoints, event_type, data)])


def enqueue_many(*, events: Sequence[tuple[list[WebhookEndpoint], str, dict[str, Any]]]) -> None:
    """Write one delivery per endpoint of each event, all with one INSERT in the caller's
    transaction; send them after commit. Each event has its own id, shared by its
    deliveries to several endpoints."""
    deliveries: list[WebhookDelivery] = []
    for endpoints, event_type, data in events:
        event_id = str(uuid.uuid4())
        deliveries.extend(
            WebhookDelivery(
                endpoint=endpoint,
                event_type=event_type,
                payload={"id": event_id, "data": data},
            )
            for endpoint in endpoints
        )
    if not deliveries:
        return
    ids = [d.pk for d in WebhookDelivery.objects.bulk_create(deliveries)]

    def send_after_commit() -> None:
        from .tasks import deliver_webhook

        for delivery_id in ids:
            try:
                deliver_webhook.delay(delivery_id)
            except Exception:  # noqa: BLE001 - the broker is down: the sweep sends it later
                logger.warning("webhook %s not queued; the retry sweep will send it", delivery_id)

    transaction.on_commit(send_after_commit)


def _claim(delivery_id: int) -> WebhookDelivery | None:
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if claimed != 1:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


@unscoped("outbox")
def deliver(delivery_id: int, *, session: Any = requests) -> str | None:
    """Send one due delivery; returns its new status, or None if it was not ours to send."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    body = delivery_body(delivery)
    timestamp = int(time.time())
    started = time.monotonic()
    status_code: int | None = None
    error = ""
    try:
        validate_webhook_url(endpoint.url)
        if not endpoint.is_active:
            raise ValidationError("endpoint deactivated")
        # Again now: the name may point somewhere else than when it was registered.
        check_resolved(endpoint.url)
        response = session.post(
            endpoint.url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "complaint-desk-webhooks/1",
                "X-Webhook-Event": delivery.event_type,
                "X-Webhook-Id": str(delivery.payload.get("id", delivery.pk)),
                "X-Signature": sign(endpoint.secret, timestamp, body),
            },
            timeout=getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10),
            allow_redirects=False,
        )
        status_code = response.status_code
        ok = 200 <= status_code < 300
        if not ok:
            error = f"HTTP {status_code}"
    except (requests.RequestException, ValidationError) as exc:
        ok = False
        error = f"{type(exc).__name__}: {exc}"[:500]
    duration_ms = round((time.monotonic() - started) * 1000)

    now = timezone.now()
    entry = {
        "attempt": delivery.attempts,
        "at": now.isoformat(),
        "status": status_code,
        "error": error,
        "ms": duration_ms,
    }
    if ok:
        new_status = DeliveryStatus.DELIVERED
        changes: dict[str, Any] = {"delivered_at": now}
    elif delivery.attempts >= getattr(settings, "WEBHOOK_MAX_ATTEMPTS", 8):
        new_status = DeliveryStatus.FAILED
        changes = {}
    else:
        new_status = DeliveryStatus.PENDING
        changes = {"next_attempt_at": now + backoff(delivery.attempts)}
    WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=new_status,
        last_status_code=status_code,
        last_error=error,
        log=[*delivery.log, entry][-20:],
        **changes,
    )
    logger.info(
        "webhook delivery %s %s to %s: attempt %s, %s",
        delivery.pk,
        delivery.event_type,
        endpoint.url,
        delivery.attempts,
        new_status if ok else f"{new_status} ({error})",
    )
    return new_status


@unscoped("outbox")
def due_delivery_ids(limit: int = 500) -> list[int]:
    """Deliveries to (re)send now; also frees those a dead worker left 'sending'."""
    now = timezone.now()
    WebhookDelivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
    ).update(status=DeliveryStatus.PENDING)
    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )

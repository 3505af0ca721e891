"""Outbound webhooks: rows written with the change, sent and retried by the outbox.

A delivery is written in the transaction of the change it reports (so a rolled-back
change sends nothing) and is one kind of message of the outbox (core.outbox): claimed,
sent, retried with backoff and given up there, like the e-mails. This module says what
sending one delivery means: sign it, check where it goes, POST it, log the attempt.

Delivery is at least once: a receiver drops a repeated `X-Webhook-Id` (the event's id, the
same in every attempt).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Sequence
from functools import partial
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from core.outbox import (
    OutboxState,
    SendFailed,
    outbox_deliver_one,
    outbox_publish_on_commit,
)

from .models import WebhookDelivery, WebhookEndpoint, validate_webhook_url
from .network import check_resolved

logger = logging.getLogger(__name__)

# The name of webhooks among the outbox's kinds of message.
OUTBOX_NAME = "webhook"


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


def webhook_id(delivery: WebhookDelivery) -> str:
    """The event's id: the same in every attempt (and for every endpoint of the event)."""
    return str(delivery.payload.get("id", delivery.pk))


def delivery_body(delivery: WebhookDelivery) -> bytes:
    return json.dumps(
        {
            "id": webhook_id(delivery),
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
    now = timezone.now()
    deliveries: list[WebhookDelivery] = []
    for endpoints, event_type, data in events:
        event_id = str(uuid.uuid4())
        deliveries.extend(
            WebhookDelivery(
                endpoint=endpoint,
                event_type=event_type,
                payload={"id": event_id, "data": data},
                outbox_due_at=now,
            )
            for endpoint in endpoints
        )
    if not deliveries:
        return
    WebhookDelivery.objects.bulk_create(deliveries)
    outbox_publish_on_commit()


def deliver(delivery_id: int, *, session: Any = requests) -> OutboxState | None:
    """Send one due delivery now; returns its state afterwards, or None if it was not due
    (see core.outbox.outbox_deliver_one)."""
    return outbox_deliver_one(
        name=OUTBOX_NAME, pk=delivery_id, send=partial(webhook_send, session=session)
    )


def webhook_send(delivery: WebhookDelivery, *, session: Any = requests) -> dict[str, Any]:
    """POST one claimed delivery, signed, to its endpoint; what the outbox calls. Returns
    (or raises with SendFailed) the attempt's HTTP status and log to store with the outcome."""
    endpoint = delivery.endpoint
    body = delivery_body(delivery)
    timestamp = int(time.time())
    started = time.monotonic()
    status_code: int | None = None
    error = reason = ""
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
                "X-Webhook-Id": webhook_id(delivery),
                "X-Signature": sign(endpoint.secret, timestamp, body),
            },
            timeout=getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10),
            allow_redirects=False,
        )
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
            reason = f"http_{status_code // 100}xx"
    except (requests.RequestException, ValidationError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
        reason = type(exc).__name__
    entry = {
        "attempt": delivery.outbox_attempts,
        "at": timezone.now().isoformat(),
        "status": status_code,
        "error": error,
        "ms": round((time.monotonic() - started) * 1000),
    }
    logger.info(
        "webhook delivery %s %s to %s: attempt %s, %s",
        delivery.pk,
        delivery.event_type,
        endpoint.url,
        delivery.outbox_attempts,
        error or status_code,
    )
    outcome = {"last_status_code": status_code, "log": [*delivery.log, entry][-20:]}
    if error:
        raise SendFailed(error, reason=reason, **outcome)
    return outcome

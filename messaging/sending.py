"""What the outbox (core.outbox) calls to send one claimed message to a customer."""

from __future__ import annotations

from typing import Any

from .models import CustomerMessage
from .senders import Outgoing, backend_for
from .services import message_mark_delivered

# The name of customer messages among the outbox's kinds of message.
OUTBOX_NAME = "customer_message"


def customer_message_send(message: CustomerMessage) -> dict[str, Any]:
    """Hand the message to its channel's backend; raises when refused (the outbox retries).
    A backend that reports no receipts has delivered the message once it took it."""
    handed = backend_for(message.channel).send(
        Outgoing(
            key=str(message.key),
            channel=message.channel,
            to=message.recipient,
            subject=message.subject,
            body=message.body,
        )
    )
    if handed.delivered:
        message_mark_delivered(message=message)
    return {"provider_id": handed.provider_id}

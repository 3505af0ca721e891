"""A message on the case's timeline: its event (a customer contact) stores the message's
key; the text, with the message's delivery state as it is now, is put together when read,
in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext

from complaints.models import CaseEvent

from .choices import MessageChannel, MessagePurpose
from .models import CustomerMessage


def message_event_text(event: CaseEvent) -> str:
    payload = event.payload if isinstance(event.payload, dict) else {}
    key = payload.get("message")
    if not key:
        return ""
    # The event was reached through the reader's scope; its message belongs to its case.
    message = (
        CustomerMessage.objects.unscoped(reason="instance")
        .filter(key=key, complaint_id=event.complaint_id)
        .first()
    )
    if message is None:
        return ""
    purpose = payload.get("purpose", "")
    channel = payload.get("channel", "")
    return gettext("%(purpose)s by %(channel)s · %(state)s\n%(text)s") % {
        "purpose": MessagePurpose(purpose).label if purpose in MessagePurpose.values else purpose,
        "channel": MessageChannel(channel).label if channel in MessageChannel.values else channel,
        "state": message.get_delivery_state_display(),
        "text": message.body,
    }

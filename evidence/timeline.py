"""How an evidence event reads on the timeline, in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext

from complaints.choices import EventKind
from complaints.models import CaseEvent
from complaints.timeline import register_event_text

from .choices import AttachmentKind


def _attachment_text(event: CaseEvent) -> str:
    payload = event.payload or {}
    kind = payload.get("kind", "")
    label = AttachmentKind(kind).label if kind in AttachmentKind.values else kind
    text = gettext("Added %(kind)s “%(name)s”") % {
        "kind": str(label).lower(),
        "name": payload.get("name", ""),
    }
    if payload.get("caption"):
        text = f"{text}: {payload['caption']}"
    return text


def register() -> None:
    register_event_text(EventKind.ATTACHMENT, _attachment_text)

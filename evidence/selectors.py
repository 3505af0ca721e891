"""Every read of evidence, scoped to what the reader may see: another dealer's file, or a
case the reader may not read, is simply not found."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet

from complaints.models import CaseEvent, Complaint
from core.actors import Actor
from core.exceptions import NotFound
from core.scoping import scoped

from .models import Attachment, Citation


def attachment_list(*, actor: Actor, complaint: Complaint) -> QuerySet[Attachment]:
    return scoped(Attachment, actor).filter(complaint=complaint).order_by("created_at", "id")


def attachment_get(*, actor: Actor, reference: str, attachment_id: int) -> Attachment:
    """The attachment of that case, or NotFound when either does not exist *or* is not the
    reader's."""
    attachment = (
        scoped(Attachment, actor)
        .select_related("complaint", "complaint__dealer")
        .filter(pk=attachment_id, complaint__reference=reference)
        .first()
    )
    if attachment is None:
        raise NotFound()
    return attachment


def citations_by_event(*, actor: Actor, events: list[CaseEvent]) -> dict[int, list[Attachment]]:
    """The attachments each of these events cites, by event id."""
    result: dict[int, list[Attachment]] = defaultdict(list)
    ids = [event.pk for event in events]
    if not ids:
        return {}
    citations = (
        scoped(Citation, actor)
        .filter(event_id__in=ids)
        .select_related("attachment")
        .order_by("attachment__created_at", "attachment_id")
    )
    for citation in citations:
        result[citation.event_id].append(citation.attachment)
    return dict(result)

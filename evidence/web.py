"""What the case page shows of a case's evidence (called by complaints.views.case_page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from complaints.models import CaseEvent, Complaint, can_contribute

from . import selectors
from .forms import AttachmentForm


def case_evidence(
    request: HttpRequest, complaint: Complaint, events: list[CaseEvent]
) -> dict[str, Any]:
    """The case's attachments, whether the reader may add to them, and on each decision
    event the attachments it cites (`event.cited`)."""
    cited = selectors.citations_by_event(actor=request.user, events=events)
    for event in events:
        event.cited = cited.get(event.pk, [])  # type: ignore[attr-defined]
    return {
        "attachments": list(selectors.attachment_list(actor=request.user, complaint=complaint)),
        "contributes": complaint.is_open and can_contribute(complaint, request.user),
        "attachment_form": AttachmentForm(),
    }

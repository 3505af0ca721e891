"""What every page of the case work shares: finding the case, its URL, its version."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse

from core.exceptions import NotFound

from .. import selectors

PAGE_SIZE = 25
# Transitions that move the case on, shown as the step's main form; the others (rejecting,
# reopening, withdrawing) are offered beside it.
MAIN_TRANSITIONS = (
    "start_listening",
    "start_investigation",
    "record_findings",
    "decide",
    "submit_for_approval",
    "approve",
    "complete_action",
    "confirm_resolved",
    "close",
)
DECISION_TRANSITIONS = ("decide", "submit_for_approval")


def case_or_404(request: HttpRequest, reference: str) -> Any:
    """The case if the user may see it; another dealer's case does not exist for them."""
    try:
        return selectors.complaint_get(actor=request.user, reference=reference)
    except NotFound:
        raise Http404 from None


def _expected_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def case_url(complaint: Any) -> str:
    return reverse("complaint_detail", args=[complaint.reference])

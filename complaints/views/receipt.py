"""The complaint receipt (投诉回执) handed to the customer at intake: what was recorded in
their words, what was promised and by when, who owns the case and how to reach the dealer.
Printed from the browser (a print stylesheet), in the language the customer reads."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from followups import selectors as followup_selectors
from followups.choices import DeadlineKind

from .common import case_or_404

# Deadlines the customer was told about: promises made to them and the repair date.
RECEIPT_KINDS = (DeadlineKind.COMMITMENT, DeadlineKind.REPAIR_COMPLETION)


def receipt_language(request: HttpRequest, customer: Any) -> str:
    """The language picked on the page (`?lang=`), else the customer's when the record holds
    one, else the page's."""
    codes = [code for code, _name in settings.LANGUAGES]
    for candidate in (
        request.GET.get("lang", ""),
        getattr(customer, "language", ""),
        translation.get_language(),
    ):
        if candidate in codes:
            return candidate
    return settings.LANGUAGE_CODE


@login_required
@require_GET
def complaint_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = case_or_404(request, reference)
    dealer = complaint.dealer
    zone = dealer.tzinfo
    promises = [
        {
            "deadline": deadline,
            "due": timezone.localtime(deadline.due_at, zone),
            "kept": deadline.satisfied_at is not None,
        }
        for deadline in followup_selectors.deadline_list(actor=request.user, complaint=complaint)
        if deadline.kind in RECEIPT_KINDS and deadline.cancelled_at is None
    ]
    language = receipt_language(request, complaint.customer)
    with translation.override(language):
        return render(
            request,
            "complaints/receipt.html",
            {
                "complaint": complaint,
                "dealer": dealer,
                "customer": complaint.customer,
                "vehicle": complaint.vehicle,
                "received": timezone.localtime(complaint.created_at, zone),
                "printed": timezone.localtime(timezone.now(), zone),
                "promises": promises,
                "owner": complaint.assignee,
                "language": language,
                "languages": settings.LANGUAGES,
            },
        )

"""Deadlines, contacts and notifications as the pages of the case work show them: the
header's unread count, each case's next deadline in the cases list, and the case page's
follow-up panel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from complaints.models import Complaint

from . import selectors
from .choices import KIND_STATES, DeadlineKind
from .forms import ContactForm, PromiseForm, RepairPromiseForm
from .models import Deadline
from .services import REPAIR_PROMISE_STATES

# A repair date is offered where the service accepts one and where the deadline it makes
# stays open: a promise made in a state it does not belong to is cancelled at the next step.
REPAIR_PROMISE_OFFERED = (
    frozenset(REPAIR_PROMISE_STATES) & KIND_STATES[DeadlineKind.REPAIR_COMPLETION]
)


def mark_overdue(deadline: Deadline, now: datetime) -> Deadline:
    """Flag the deadline for the templates: open and missed (or past due, before the sweep)."""
    deadline.is_overdue = deadline.is_open and (  # type: ignore[attr-defined]
        deadline.breached_at is not None or deadline.due_at <= now
    )
    return deadline


def next_deadlines(request: HttpRequest, complaints: list[Complaint]) -> dict[int, Deadline]:
    """The earliest open deadline of each case, by case id."""
    if not complaints:
        return {}
    now = timezone.now()
    result: dict[int, Deadline] = {}
    for deadline in selectors.deadline_list(actor=request.user, open_only=True).filter(
        complaint__in=complaints
    ):
        result.setdefault(deadline.complaint_id, mark_overdue(deadline, now))
    return result


def repair_promise_offered(complaint: Complaint) -> bool:
    return complaint.is_open and complaint.state in REPAIR_PROMISE_OFFERED


def case_followups(request: HttpRequest, complaint: Complaint) -> dict[str, Any]:
    """Deadlines, promises and contacts of one case, for its page, with the forms to add
    to them and the hand-over checks the signed-in user owes."""
    now = timezone.now()
    deadlines = [
        mark_overdue(d, now)
        for d in selectors.deadline_list(actor=request.user, complaint=complaint)
    ]
    open_deadlines = [d for d in deadlines if d.is_open]
    repair = next((d for d in open_deadlines if d.kind == DeadlineKind.REPAIR_COMPLETION), None)
    return {
        "open_deadlines": open_deadlines,
        "closed_deadlines": [d for d in deadlines if not d.is_open],
        "handover_checks": [
            d
            for d in open_deadlines
            if d.kind == DeadlineKind.TRANSFER_CHECK and d.owner_id == request.user.pk
        ],
        "contacts": list(selectors.contact_list(actor=request.user, complaint=complaint)),
        "contact_form": ContactForm(prefix="contact"),
        "promise_form": PromiseForm(prefix="promise", tzinfo=complaint.dealer.tzinfo),
        "repair_promise": repair,
        "repair_form": (
            RepairPromiseForm(
                prefix="repair",
                tzinfo=complaint.dealer.tzinfo,
                current=repair.due_at if repair else None,
            )
            if repair_promise_offered(complaint)
            else None
        ),
    }

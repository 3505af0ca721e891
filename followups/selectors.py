"""Every read of deadlines, contacts and notifications, always scoped to the actor."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from complaints.choices import EventKind, State
from complaints.models import CaseEvent, Complaint
from core.actors import Actor
from core.exceptions import NotFound
from core.scoping import scoped
from dealers.models import Customer, Dealer

from .models import OPEN, ContactAttempt, Deadline, DeadlineRule, Notification


def deadline_list(
    *, actor: Actor, complaint: Complaint | None = None, open_only: bool = False
) -> QuerySet[Deadline]:
    """The deadlines the actor may see, earliest due first."""
    queryset = scoped(Deadline, actor).select_related("complaint__dealer", "owner")
    if complaint is not None:
        queryset = queryset.filter(complaint=complaint)
    if open_only:
        queryset = queryset.filter(OPEN)
    return queryset.order_by("due_at", "id")


def deadline_get(*, actor: Actor, pk: int) -> Deadline:
    deadline = deadline_list(actor=actor).filter(pk=pk).first()
    if deadline is None:
        raise NotFound()
    return deadline


def overdue_deadlines(
    *, actor: Actor, dealer: Dealer | None = None, at_risk_within: timedelta | None = None
) -> QuerySet[Deadline]:
    """Open deadlines already missed, then (with `at_risk_within`) those due within that
    time; the most urgent first: the longest overdue, then the soonest due."""
    now = timezone.now()
    horizon = now + at_risk_within if at_risk_within else now
    # A breached deadline is due (due times only move earlier, and never once breached):
    # the due time alone decides, read from the dealer's open deadlines by due time.
    queryset = (
        scoped(Deadline, actor)
        .filter(OPEN, due_at__lte=horizon)
        .select_related("complaint__dealer", "complaint__customer", "complaint__assignee", "owner")
    )
    if dealer is not None:
        queryset = queryset.filter(dealer=dealer)
    return queryset.order_by("due_at", "id")


def contact_list(*, actor: Actor, complaint: Complaint) -> QuerySet[ContactAttempt]:
    """The case's contact log, newest first."""
    return (
        scoped(ContactAttempt, actor)
        .filter(complaint=complaint)
        .select_related("actor")
        .order_by("-contacted_at", "-id")
    )


def customer_contact_history(*, actor: Actor, customer: Customer) -> QuerySet[ContactAttempt]:
    """Every contact with the customer over all their cases (step 6: record every contact
    in the customer's history)."""
    return (
        scoped(ContactAttempt, actor)
        .filter(complaint__customer=customer)
        .select_related("complaint", "actor")
        .order_by("-contacted_at", "-id")
    )


def follow_up_started_at(*, actor: Actor, complaint: Complaint) -> datetime | None:
    """When the case last entered the follow-up step, from its timeline."""
    return (
        scoped(CaseEvent, actor)
        .filter(complaint=complaint, kind=EventKind.TRANSITION, to_state=State.FOLLOWING_UP)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )


def follow_up_contact(
    *, actor: Actor, complaint: Complaint, outcome: str, contact_id: int | None = None
) -> ContactAttempt | None:
    """The contact with this outcome logged since the case entered the follow-up step: the
    one named, or else the latest. Used by the `confirm_resolved` and `reopen` payloads."""
    queryset = scoped(ContactAttempt, actor).filter(complaint=complaint, outcome=outcome)
    since = follow_up_started_at(actor=actor, complaint=complaint)
    if since is not None:
        queryset = queryset.filter(contacted_at__gte=since)
    if contact_id is not None:
        queryset = queryset.filter(pk=contact_id)
    return queryset.order_by("-contacted_at", "-id").first()


def _recipient(user: Any, actor: Actor | None) -> Any:
    return user if user is not None else actor


def notification_list(
    *, user: Any = None, actor: Actor | None = None, unread_only: bool = False
) -> QuerySet[Notification]:
    """The user's own notifications, newest first (`actor=` is accepted as an alias)."""
    user = _recipient(user, actor)
    queryset = scoped(Notification, user).filter(recipient_id=getattr(user, "pk", None))
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.select_related("complaint", "deadline").order_by("-created_at", "-id")


def notification_get(*, user: Any, pk: int) -> Notification:
    notification = notification_list(user=user).filter(pk=pk).first()
    if notification is None:
        raise NotFound()
    return notification


def unread_count(*, user: Any = None, actor: Actor | None = None) -> int:
    user = _recipient(user, actor)
    if not getattr(user, "is_authenticated", False):
        return 0
    return notification_list(user=user, unread_only=True).count()


def manager_queue_counts(*, actor: Actor, dealer: Dealer) -> dict[str, int]:
    """The counts beside the managers' menu, on every page: decisions waiting for approval
    and open deadlines already due, at the dealer. Each is counted from one index alone
    (the dealer's cases by state; the dealer's open deadlines by due time)."""
    waiting = scoped(Complaint, actor).filter(dealer=dealer, state=State.AWAITING_APPROVAL).count()
    missed = scoped(Deadline, actor).filter(OPEN, dealer=dealer, due_at__lte=timezone.now()).count()
    return {"approvals": waiting, "overdue": missed}


def deadline_rule_list(*, actor: Actor, dealer: Dealer) -> QuerySet[DeadlineRule]:
    return scoped(DeadlineRule, actor).filter(dealer=dealer).order_by("kind")

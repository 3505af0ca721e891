"""Every read of cases, always scoped to what the actor may see."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from core.actors import Actor
from core.exceptions import NotFound
from core.scoping import scoped
from dealers.selectors import spelled_q
from followups.models import OPEN, Deadline

from .choices import OPEN_STATES, STEP_OF_STATE, STEPS, Severity, State
from .models import CaseEvent, Complaint


def regional_complaint_q(region_ids: frozenset[int], prefix: str = "") -> Q:
    """Regional staff read the serious and safety-related cases of their regions' dealers."""
    return Q(**{f"{prefix}dealer__region_id__in": sorted(region_ids)}) & (
        Q(**{f"{prefix}severity": Severity.SERIOUS}) | Q(**{f"{prefix}is_safety_related": True})
    )


def complaint_list(
    *, actor: Actor, filters: Mapping[str, Any] | None = None
) -> QuerySet[Complaint]:
    filters = filters or {}
    queryset = scoped(Complaint, actor).select_related("dealer", "customer", "vehicle", "assignee")
    if filters.get("state"):
        queryset = queryset.filter(state=filters["state"])
    if filters.get("open"):
        queryset = queryset.filter(state__in=OPEN_STATES)
    if filters.get("dealer"):
        queryset = queryset.filter(dealer_id=filters["dealer"])
    if filters.get("assignee"):
        queryset = queryset.filter(assignee_id=filters["assignee"])
    if filters.get("q"):
        term = str(filters["q"]).strip()
        queryset = queryset.filter(
            Q(reference__icontains=term)
            | Q(customer__name__icontains=term)
            | Q(customer__phone__icontains=term)
            | Q(vehicle__plate__icontains=term)
            | spelled_q(phone="customer__phone", plate="vehicle__plate", term=term)
            | Q(vehicle__vin__icontains=term)
        )
    return queryset.order_by("-created_at", "-id")


def complaint_get(*, actor: Actor, reference: str, write: bool = False) -> Complaint:
    """The case by reference, or NotFound when it does not exist *or* is not the actor's."""
    complaint = (
        scoped(Complaint, actor, write=write)
        .select_related("dealer", "customer", "vehicle", "assignee", "co_owner")
        .filter(reference=reference)
        .first()
    )
    if complaint is None:
        raise NotFound()
    return complaint


def complaint_events(*, actor: Actor, complaint: Complaint) -> QuerySet[CaseEvent]:
    # The dealer's time zone is read by the texts rendered from system events' facts.
    return (
        scoped(CaseEvent, actor)
        .filter(complaint=complaint)
        .select_related("actor", "complaint__dealer")
    )


def complaint_worklist(
    *, actor: Actor, dealer: Any, filters: Mapping[str, Any] | None = None
) -> QuerySet[Complaint]:
    """The cases list of the browser application: complaint_list plus its finer filters."""
    filters = dict(filters or {})
    queryset = complaint_list(actor=actor, filters={**filters, "dealer": dealer.pk})
    if filters.get("severity"):
        queryset = queryset.filter(severity=filters["severity"])
    if filters.get("safety"):
        queryset = queryset.filter(is_safety_related=True)
    if filters.get("step"):
        states = [state for state, step in STEP_OF_STATE.items() if step == filters["step"]]
        queryset = queryset.filter(state__in=states)
    return _most_urgent_first(queryset)


def _most_urgent_first(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    # The earliest open deadline first puts overdue cases on top; cases without one follow,
    # newest first.
    next_due = (
        Deadline.objects.filter(OPEN, complaint=OuterRef("pk")).order_by("due_at").values("due_at")
    )
    return queryset.annotate(next_due_at=Subquery(next_due[:1])).order_by(
        F("next_due_at").asc(nulls_last=True), "-created_at", "-id"
    )


def related_complaints(*, actor: Actor, complaint: Complaint) -> QuerySet[Complaint]:
    """Other cases of the same customer or vehicle: a repeat complaint when any exist."""
    condition = Q(customer_id=complaint.customer_id)
    if complaint.vehicle_id:
        condition |= Q(vehicle_id=complaint.vehicle_id)
    return (
        scoped(Complaint, actor)
        .filter(condition)
        .exclude(pk=complaint.pk)
        .select_related("vehicle")
        .order_by("-created_at", "-id")
    )


def dealer_overview(*, actor: Actor, dealer: Any) -> dict[str, Any]:
    """Counts per step and open safety and serious cases, over the cases of one dealer the
    actor may read: where the cases are now. How fast they move over a period is for
    `analytics.selectors`."""
    cases = scoped(Complaint, actor).filter(dealer=dealer)
    per_state = dict(
        cases.order_by().values("state").annotate(n=Count("id")).values_list("state", "n")
    )
    per_step = {step: 0 for step, _label in STEPS}
    for state, count in per_state.items():
        step = STEP_OF_STATE.get(state)
        if step is not None and state in OPEN_STATES:
            per_step[step] += count
    open_cases = cases.filter(state__in=OPEN_STATES)
    per_category = dict(
        open_cases.order_by()
        .values("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    return {
        "per_step": per_step,
        "per_state": per_state,
        "per_category": per_category,
        "open": open_cases.count(),
        "safety": open_cases.filter(is_safety_related=True).count(),
        "serious": open_cases.filter(severity=Severity.SERIOUS).count(),
        "escalated": open_cases.filter(escalated=True).count(),
        "awaiting_approval": per_state.get(State.AWAITING_APPROVAL, 0),
        "closed": per_state.get(State.CLOSED, 0),
    }

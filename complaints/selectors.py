"""Every read of cases, always scoped to what the actor may see."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from core.exceptions import NotFound
from core.scoping import scoped

from .choices import OPEN_STATES, Severity
from .models import CaseEvent, Complaint


def regional_complaint_q(region_ids: frozenset[int], prefix: str = "") -> Q:
    """Regional staff read the serious and safety-related cases of their regions' dealers."""
    return Q(**{f"{prefix}dealer__region_id__in": sorted(region_ids)}) & (
        Q(**{f"{prefix}severity": Severity.SERIOUS}) | Q(**{f"{prefix}is_safety_related": True})
    )


def complaint_list(*, actor: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Complaint]:
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
            | Q(vehicle__vin__icontains=term)
        )
    return queryset.order_by("-created_at", "-id")


def complaint_get(*, actor: Any, reference: str, write: bool = False) -> Complaint:
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


def complaint_events(*, actor: Any, complaint: Complaint) -> QuerySet[CaseEvent]:
    return scoped(CaseEvent, actor).filter(complaint=complaint).select_related("actor")

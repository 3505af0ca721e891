"""Accepting a complaint (step 1): a new case with its reference, its owner and its first
deadline. complaints.intake matches the customer and vehicle first."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actors import Actor
from core.exceptions import (
    PermissionDenied,
    ValidationFailed,
)
from core.scoping import WORK_ROLES, roles_for
from core.text import MAX_TEXT_LENGTH, require_storable
from dealers.models import Customer, Dealer, Vehicle
from followups.deadlines import deadlines_after_intake

from ..choices import SAFETY_COMPONENTS, EventKind
from ..models import (
    Complaint,
    ReferenceSequence,
    actor_user_id,
)
from .case import (
    _is_worker,
    _record,
)


def _next_reference(dealer: Dealer) -> str:
    # The row UPDATE takes a lock that serialises concurrent intakes of one dealer and year;
    # a rolled-back intake leaves a gap, which is allowed, but never a duplicate.
    year = timezone.localtime(timezone.now(), dealer.tzinfo).year
    ReferenceSequence.objects.bulk_create(
        [ReferenceSequence(dealer=dealer, year=year, last_value=0)], ignore_conflicts=True
    )
    ReferenceSequence.objects.filter(dealer=dealer, year=year).update(
        last_value=F("last_value") + 1
    )
    number = ReferenceSequence.objects.get(dealer=dealer, year=year).last_value
    return f"{dealer.code}-{year}-{number:06d}"


def complaint_create(
    *,
    dealer: Dealer,
    actor: Actor,
    customer: Customer,
    channel: str,
    category: str,
    description: str,
    customer_request: str = "",
    component: str = "none",
    is_safety_related: bool | None = None,
    vehicle: Vehicle | None = None,
    assignee: Any = None,
) -> Complaint:
    """Accept a complaint (step 1). The customer's words are kept as first recorded, and
    whoever records it owns it (第一责任人) unless an assignee is named."""
    if not roles_for(actor, dealer.pk) & WORK_ROLES:
        raise PermissionDenied(_("Only advisors and managers of this dealer may log a case."))
    errors: dict[str, list[str]] = {}
    if customer.dealer_id != dealer.pk:
        errors["customer"] = [_("This customer belongs to another dealer.")]
    if vehicle is not None and vehicle.dealer_id != dealer.pk:
        errors["vehicle"] = [_("This vehicle belongs to another dealer.")]
    if assignee is None and actor_user_id(actor) is not None:
        assignee = actor
    if assignee is not None and not _is_worker(assignee, dealer.pk):
        errors["assignee"] = [_("The assignee must be an advisor or manager of this dealer.")]
    if errors:
        raise ValidationFailed(errors)
    require_storable(
        {
            "channel": channel,
            "category": category,
            "component": component,
            "description": description,
            "customer_request": customer_request,
        },
        max_length=MAX_TEXT_LENGTH,
    )
    if is_safety_related is None:
        is_safety_related = component in SAFETY_COMPONENTS

    complaint = Complaint(
        dealer=dealer,
        customer=customer,
        vehicle=vehicle,
        channel=channel,
        category=category,
        component=component,
        description=description,
        original_description=description,
        customer_request=customer_request,
        is_safety_related=is_safety_related,
        assignee=assignee,
        created_by_id=actor_user_id(actor),
    )
    try:
        complaint.full_clean(
            exclude=["reference", "dealer", "customer", "vehicle", "assignee", "state"]
        )
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from None
    with transaction.atomic():
        complaint.reference = _next_reference(dealer)
        complaint.save()
        _record(
            complaint=complaint,
            actor=actor,
            kind=EventKind.CREATED,
            to_state=complaint.state,
            payload={
                "channel": channel,
                "category": category,
                "component": component,
                "is_safety_related": is_safety_related,
            },
        )
        deadlines_after_intake(complaint=complaint, actor=actor)
    return complaint

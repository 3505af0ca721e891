"""Accepting a complaint (step 1): a new case with its reference, its owner and its first
deadline. complaints.intake matches the customer and vehicle first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
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
from followups import notify
from followups.deadlines import deadlines_after_intake

from ..choices import SAFETY_COMPONENTS, EventKind, SeriousReason, Severity
from ..models import (
    Complaint,
    ReferenceSequence,
    actor_user_id,
)
from ..stored_facts import repeat_at_intake
from .case import (
    _is_worker,
    _record,
)

_NEXT_NUMBER = """
    INSERT INTO {table} (dealer_id, year, last_value) VALUES (%s, %s, 1)
    ON CONFLICT (dealer_id, year) DO UPDATE SET last_value = {table}.last_value + 1
    RETURNING last_value
"""


def _next_reference(dealer: Dealer) -> str:
    # One statement: the first case of a year inserts the counter, the others increment it.
    # The row lock it takes serialises the rest of concurrent intakes of one dealer and year,
    # so complaint_create takes it as late as it can (just before the case's INSERT); a
    # rolled-back intake leaves a gap, which is allowed, but never a duplicate.
    year = timezone.localtime(timezone.now(), dealer.tzinfo).year
    table = connection.ops.quote_name(ReferenceSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_NUMBER.format(table=table), [dealer.pk, year])
        number = cursor.fetchone()[0]
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
    serious_reasons: Sequence[str] = (),
    serious_note: str = "",
) -> Complaint:
    """Accept a complaint (step 1). The customer's words are kept as first recorded, and
    whoever records it owns it (第一责任人) unless an assignee is named.

    With `serious_reasons` the case is marked serious at once (the green channel: the
    customer threatens the media, a lawyer or an authority, or reports an injury): the
    dealer's managers and the region's staff are told in the same transaction (in-app and
    by e-mail through the outbox), and step 4 reassesses it as for any case."""
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
    reasons = list(dict.fromkeys(str(reason) for reason in serious_reasons))
    serious_note = str(serious_note or "").strip()
    if any(reason not in SeriousReason.values for reason in reasons):
        errors["serious_reasons"] = [_("Choose the reasons from the list.")]
    elif SeriousReason.OTHER in reasons and not serious_note:
        errors["serious_note"] = [_("Say what makes the complaint serious.")]
    elif serious_note and not reasons:
        errors["serious_reasons"] = [_("Tick why the complaint is serious, or leave the note out.")]
    if errors:
        raise ValidationFailed(errors)
    require_storable({"serious_note": serious_note}, max_length=MAX_TEXT_LENGTH)
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
        severity=Severity.SERIOUS if reasons else Severity.NORMAL,
        serious_reasons=reasons,
        assignee=assignee,
        created_by_id=actor_user_id(actor),
    )
    try:
        # A new case has no compensation yet: its table constraints cannot fail, and
        # checking them would cost a query.
        complaint.full_clean(
            exclude=["reference", "dealer", "customer", "vehicle", "assignee", "state"],
            validate_constraints=False,
        )
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from None
    # No savepoint: a failure here fails the caller's transaction as well.
    with transaction.atomic(savepoint=False):
        complaint.reference = _next_reference(dealer)
        # Whether it repeats an earlier case of the customer or vehicle (the analytics'
        # repeat complaints), evaluated by the INSERT itself.
        complaint.is_repeat = repeat_at_intake(
            customer_id=customer.pk,
            vehicle_id=None if vehicle is None else vehicle.pk,
            at=timezone.now(),
        )
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
                **(
                    {
                        "severity": Severity.SERIOUS,
                        "serious_reasons": reasons,
                        "serious_note": serious_note,
                    }
                    if reasons
                    else {}
                ),
            },
        )
        complaint.opened_at_intake = deadlines_after_intake(complaint=complaint, actor=actor)
        if reasons:
            notify.serious_case(complaint=complaint, note=serious_note)
    return complaint

"""Step 5, the repair (维修处理时的注意事项): who does it, who was consulted, the emergency
parts it waits for, and what was agreed with the customer. One service per use case; each
locks the case, checks the actor, and leaves one timeline event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.choices import EventKind, State
from complaints.models import Complaint, actor_user_id
from complaints.services.case import _lock, _record, _require_worker, _save, _snapshot
from core.actors import Actor
from core.exceptions import NotFound, TransitionNotAllowed, ValidationFailed
from core.scoping import TECHNICIAN, WORK_ROLES, roles_for
from core.text import MAX_TEXT_LENGTH, require_storable
from followups.deadlines import deadlines_after_parts_arrived, deadlines_after_parts_order

from .choices import AcceptanceMethod
from .models import Agreement, PartsOrder

# The steps in which parts may be ordered (the fault is known) and the repair worked on.
# An emergency order is a few parts; anything above is a typing slip (and past the column).
MAX_PARTS_QUANTITY = 999
PARTS_STATES = (State.ASSESSING, State.AWAITING_APPROVAL, State.RESOLVING)


def _require_open(complaint: Complaint) -> None:
    if not complaint.is_open:
        raise TransitionNotAllowed(_("A closed case cannot be changed."))


def _is_staff(user: Any, dealer_id: int, roles: frozenset[str]) -> bool:
    return bool(getattr(user, "is_active", False) and roles_for(user, dealer_id) & roles)


def repair_assign_technician(*, complaint: Complaint, actor: Actor, technician: Any) -> Complaint:
    """Assign the repair to a technician of the dealer (or take it away with None).

    Invariant: only advisors and managers assign; the technician is an active technician of
    the case's dealer; from then on that technician reads this case and adds notes and
    evidence to it, nothing else."""
    with transaction.atomic():
        locked = _lock(complaint, actor)
        _require_worker(locked, actor)
        _require_open(locked)
        if technician is not None and not _is_staff(
            technician, locked.dealer_id, frozenset({TECHNICIAN})
        ):
            raise ValidationFailed(
                {"technician": [_("Choose a technician of this dealer.")]}, code="not_technician"
            )
        new_id = getattr(technician, "pk", None)
        if new_id == locked.technician_id:
            return locked
        before = _snapshot(locked)
        previous = locked.technician_id
        locked.technician = technician
        _save(locked, before)
        _record(
            complaint=locked,
            actor=actor,
            kind=EventKind.REPAIR,
            payload={
                "action": "technician_assigned",
                "technician": new_id,
                "name": str(technician) if technician is not None else "",
                "previous": previous,
            },
        )
    return locked


def repair_consult_lead(
    *, complaint: Complaint, actor: Actor, lead: Any, conclusion: str
) -> Complaint:
    """Record that the technical lead was consulted because the repair's result was
    uncertain (step 5), with their conclusion."""
    conclusion = str(conclusion or "").strip()
    if not conclusion:
        raise ValidationFailed({"conclusion": [_("Write the technical lead's conclusion.")]})
    require_storable({"conclusion": conclusion}, max_length=MAX_TEXT_LENGTH)
    with transaction.atomic():
        locked = _lock(complaint, actor)
        _require_worker(locked, actor)
        _require_open(locked)
        if lead is None or not _is_staff(
            lead, locked.dealer_id, frozenset({*WORK_ROLES, TECHNICIAN})
        ):
            raise ValidationFailed({"lead": [_("Choose a staff member of this dealer.")]})
        before = _snapshot(locked)
        locked.technical_lead = lead
        locked.technical_lead_conclusion = conclusion
        _save(locked, before)
        _record(
            complaint=locked,
            actor=actor,
            kind=EventKind.REPAIR,
            comment=conclusion,
            payload={"action": "lead_consulted", "lead": lead.pk, "name": str(lead)},
        )
    return locked


def parts_order_place(
    *,
    complaint: Complaint,
    actor: Actor,
    part: str,
    quantity: int,
    order_number: str,
    expected_at: datetime,
) -> PartsOrder:
    """Record an emergency parts order (紧急订单). Invariant: its expected arrival is an open
    deadline of the case, owned by the case's owner, warned of before it is late and
    breached like any other when the part has not arrived."""
    part = " ".join(str(part or "").split())
    order_number = str(order_number or "").strip()
    errors: dict[str, list[str]] = {}
    if not part:
        errors["part"] = [_("Name the part.")]
    if not order_number:
        errors["order_number"] = [_("Give the order number.")]
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        errors["quantity"] = [_("Order at least one.")]
    elif quantity > MAX_PARTS_QUANTITY:
        errors["quantity"] = [_("Order at most %(count)d at once.") % {"count": MAX_PARTS_QUANTITY}]
    if expected_at is None or timezone.is_naive(expected_at):
        errors["expected_at"] = [_("Give the expected arrival.")]
    if errors:
        raise ValidationFailed(errors)
    require_storable({"part": part}, max_length=200)
    require_storable({"order_number": order_number}, max_length=64)
    with transaction.atomic():
        locked = _lock(complaint, actor)
        _require_worker(locked, actor)
        if locked.state not in PARTS_STATES:
            raise TransitionNotAllowed(
                _("Parts are ordered once the fault is found and until the repair is done."),
                code="parts_not_now",
            )
        description = f"{part} ×{quantity} ({order_number})"
        deadline = deadlines_after_parts_order(
            complaint=locked, actor=actor, description=description, expected_at=expected_at
        )
        order = PartsOrder.objects.create(
            complaint=locked,
            part=part,
            quantity=quantity,
            order_number=order_number,
            expected_at=expected_at,
            deadline=deadline,
            created_by_id=actor_user_id(actor),
        )
        _record(
            complaint=locked,
            actor=actor,
            kind=EventKind.REPAIR,
            payload={
                "action": "parts_ordered",
                "order": order.pk,
                "part": part,
                "quantity": quantity,
                "order_number": order_number,
                "expected_at": expected_at,
            },
        )
    return order


def parts_order_arrived(*, complaint: Complaint, actor: Actor, order_id: int) -> PartsOrder:
    """The ordered part arrived: its deadline is met."""
    with transaction.atomic():
        locked = _lock(complaint, actor)
        _require_worker(locked, actor)
        order = locked.parts_orders.select_for_update().filter(pk=order_id).first()
        if order is None:
            raise NotFound()
        if order.received_at is not None:
            return order
        order.received_at = timezone.now()
        order.save(update_fields=["received_at"])
        if order.deadline is not None:
            deadlines_after_parts_arrived(deadline=order.deadline, at=order.received_at)
        _record(
            complaint=locked,
            actor=actor,
            kind=EventKind.REPAIR,
            payload={
                "action": "parts_arrived",
                "order": order.pk,
                "part": order.part,
                "quantity": order.quantity,
                "order_number": order.order_number,
            },
        )
    return order


def agreement_record(
    *,
    complaint: Complaint,
    actor: Actor,
    customer_expectation: str,
    gap: str = "",
    accepted: bool | None = None,
    acceptance_method: str = "",
    customer_now_asks: str = "",
) -> Agreement:
    """Record the agreement of step 5: what the customer expected, the gap to our proposal,
    whether and how the customer accepted; at a reopen, what they now ask for.

    Invariant: an acceptance says how it was given (in person, by phone, signed), and only
    an acceptance does."""
    texts = {
        "customer_expectation": str(customer_expectation or "").strip(),
        "gap": str(gap or "").strip(),
        "customer_now_asks": str(customer_now_asks or "").strip(),
    }
    require_storable(texts, max_length=MAX_TEXT_LENGTH)
    errors: dict[str, list[str]] = {}
    if not texts["customer_expectation"]:
        errors["customer_expectation"] = [_("Write what the customer expected.")]
    if acceptance_method and acceptance_method not in AcceptanceMethod.values:
        errors["acceptance_method"] = [_("Choose how the customer accepted.")]
    if accepted is True and not acceptance_method:
        errors["acceptance_method"] = [_("Say how the customer accepted.")]
    if accepted is not True and acceptance_method:
        errors["acceptance_method"] = [_("Only an accepted agreement is accepted somehow.")]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        locked = _lock(complaint, actor)
        _require_worker(locked, actor)
        _require_open(locked)
        agreement = Agreement.objects.create(
            complaint=locked,
            accepted=accepted,
            acceptance_method=acceptance_method,
            recorded_by_id=actor_user_id(actor),
            **texts,
        )
        _record(
            complaint=locked,
            actor=actor,
            kind=EventKind.REPAIR,
            payload={
                "action": "agreement_recorded",
                "agreement": agreement.pk,
                "accepted": accepted,
                "method": acceptance_method,
                **texts,
            },
        )
    return agreement

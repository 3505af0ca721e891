"""Every write to a case goes through these functions, from every entry point.

Each function opens a transaction, locks the case row, checks the actor's permission and
the payload, changes the case, writes one CaseEvent, applies what the change does to the
case's deadlines (followups.deadlines) and tells whom it must (followups.notify), and sends
`case_changed` for listeners, all inside the same transaction. None of the web views, API
views, admin actions or tasks changes a case itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.forms import ModelChoiceField, ModelForm, modelform_factory
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from core.actors import Actor
from core.exceptions import (
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from core.scoping import MANAGER, WORK_ROLES, roles_for, scoped
from core.text import MAX_TEXT_LENGTH, StorableInputMixin, require_storable
from dealers.models import Customer, Dealer, Vehicle
from followups import notify
from followups.deadlines import (
    deadlines_after_hand_over,
    deadlines_after_intake,
    deadlines_after_transition,
    deadlines_after_update,
)

from .choices import SAFETY_COMPONENTS, EventKind, Severity, State
from .models import (
    SUPPLIER_MAX_LENGTH,
    CaseEvent,
    Complaint,
    ReferenceSequence,
    actor_user_id,
)
from .payloads import PAYLOADS
from .signals import case_changed

TRANSITION_NAMES = tuple(PAYLOADS)

# Fields a user may still correct in each state; decisions are made by transitions only.
_INTAKE = (
    "channel",
    "category",
    "component",
    "description",
    "customer_request",
    "is_safety_related",
    "vehicle",
)
EDITABLE_FIELDS: dict[str, tuple[str, ...]] = {
    State.RECEIVED: _INTAKE,
    State.LISTENING: _INTAKE,
    State.INVESTIGATING: (*_INTAKE, "fault_finding", "root_cause"),
    State.ASSESSING: (
        "category",
        "component",
        "description",
        "customer_request",
        "is_safety_related",
        "root_cause",
    ),
    State.AWAITING_APPROVAL: ("is_safety_related",),
    State.RESOLVING: ("is_safety_related", "agreed_resolution", "actions_taken"),
    State.FOLLOWING_UP: ("is_safety_related",),
    State.REVIEWING: ("is_safety_related", "review_why", "review_handling", "review_prevention"),
    State.CLOSED: (),
    State.WITHDRAWN: (),
}


def actor_label(actor: Actor) -> str:
    if actor is None:
        return _("System")
    label = getattr(actor, "actor_label", None)
    if label:
        return str(label)
    return str(actor)


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, models.Model):
            value = value.pk
        result[key] = value
    return result


def _snapshot(complaint: Complaint) -> dict[str, Any]:
    return {f.attname: getattr(complaint, f.attname) for f in complaint._meta.concrete_fields}


def _changed(before: Mapping[str, Any], complaint: Complaint) -> list[str]:
    after = _snapshot(complaint)
    return [name for name, value in after.items() if before[name] != value]


def _save(complaint: Complaint, before: Mapping[str, Any]) -> list[str]:
    # The row is locked by _lock, so a plain increment cannot race.
    changed = _changed(before, complaint)
    complaint.version += 1
    complaint.save(update_fields=[*changed, "version", "updated_at"])
    return changed


def _record(
    *,
    complaint: Complaint,
    actor: Actor,
    kind: str,
    comment: str = "",
    payload: Mapping[str, Any] | None = None,
    transition: str = "",
    from_state: str = "",
    to_state: str = "",
) -> CaseEvent:
    event = CaseEvent.objects.create(
        complaint=complaint,
        kind=kind,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        actor_id=actor_user_id(actor),
        api_key_id=getattr(getattr(actor, "api_key", None), "pk", None),
        actor_label=actor_label(actor),
        comment=comment,
        payload=_jsonable(payload or {}),
    )
    case_changed.send(
        sender=Complaint,
        complaint=complaint,
        event=event,
        actor=actor,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
    )
    return event


def _lock(complaint: Complaint, actor: Actor, *, expected_version: int | None = None) -> Complaint:
    """Lock the case row for this transaction; refuse when the caller saw an old version."""
    try:
        locked = (
            scoped(Complaint, actor)
            .select_for_update(of=("self",))
            .select_related("dealer")
            .get(pk=complaint.pk)
        )
    except Complaint.DoesNotExist:
        raise NotFound(_("No such case.")) from None
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Someone else changed case %(reference)s in the meantime. Here it is as it is now.")
            % {"reference": locked.reference},
            code="stale_version",
            extra={"version": locked.version, "state": locked.state},
        )
    return locked


def _require_worker(complaint: Complaint, actor: Actor) -> None:
    if not roles_for(actor, complaint.dealer_id) & WORK_ROLES:
        raise PermissionDenied(_("Only advisors and managers of this dealer may change a case."))


# --- intake ---------------------------------------------------------------------------


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


def _is_worker(user: Any, dealer_id: int) -> bool:
    return bool(getattr(user, "is_active", False) and roles_for(user, dealer_id) & WORK_ROLES)


# --- the state machine ----------------------------------------------------------------


def available_transitions(*, complaint: Complaint, actor: Actor) -> list[str]:
    """Transitions the actor may run on the case as it is now."""
    return [t.name for t in complaint.get_available_user_state_transitions(actor)]


def _denial_reason(complaint: Complaint, name: str, actor: Actor) -> str:
    roles = roles_for(actor, complaint.dealer_id)
    if name == "approve" and MANAGER in roles:
        return _("You submitted this decision; another manager must approve it.")
    if not roles & WORK_ROLES:
        return _("Only advisors and managers of this dealer may change a case.")
    return _("Only a manager may do this (%(transition)s).") % {"transition": name}


def complaint_transition(
    *,
    complaint: Complaint,
    name: str,
    actor: Actor,
    data: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Complaint:
    """Run one step of the seven-step method.

    Invariant: the case moves only along the state machine, only by an actor the
    transition allows, only with a valid payload, and every move leaves exactly one
    transition event. Of two concurrent transitions of one case exactly one wins; the other
    is refused with the state it found.
    """
    if name not in PAYLOADS:
        raise NotFound(
            _("There is no transition called %(name)s.") % {"name": name}, code="unknown_transition"
        )
    data = {} if data is None else data
    if not isinstance(data, Mapping):
        raise ValidationFailed({"non_field_errors": [_("The payload must be an object.")]})

    with transaction.atomic():
        locked = _lock(complaint, actor, expected_version=expected_version)
        # Regional staff may read the case but never move it, whatever its state.
        _require_worker(locked, actor)
        method = getattr(locked, name)
        if not can_proceed(method):
            raise TransitionNotAllowed(
                _(
                    "Case %(reference)s is in step “%(state)s”: %(transition)s is not possible "
                    "from there."
                )
                % {
                    "reference": locked.reference,
                    "state": locked.get_state_display(),
                    "transition": name,
                },
                allowed=available_transitions(complaint=locked, actor=actor),
                extra={"state": locked.state},
            )
        if not has_transition_perm(method, cast(Any, actor)):
            raise PermissionDenied(_denial_reason(locked, name, actor))

        form = PAYLOADS[name](data, complaint=locked, actor=actor)
        unknown = form.unknown_fields()
        if unknown or not form.is_valid():
            errors = {k: list(v) for k, v in form.errors.items()} if form.is_bound else {}
            for field in unknown:
                errors[field] = [_("Unknown field for %(transition)s.") % {"transition": name}]
            # A decision that needs a manager is not a typo: give clients its own code.
            codes = {e.code for e in form.non_field_errors().as_data()}
            raise ValidationFailed(
                errors, code="approval_required" if "approval_required" in codes else None
            )

        before = _snapshot(locked)
        from_state = locked.state
        method(actor=actor, **form.cleaned_data)
        changed = _save(locked, before)
        cleaned = {k: v for k, v in form.cleaned_data.items() if k not in ("comment", "reason")}
        comment = form.cleaned_data.get("reason") or form.cleaned_data.get("comment") or ""
        payload = {**cleaned, "changed": [c for c in changed if c != "state"]}
        if form.cleaned_data.get("reason") and form.cleaned_data.get("comment"):
            payload["comment"] = form.cleaned_data["comment"]
        event = _record(
            complaint=locked,
            actor=actor,
            kind=EventKind.TRANSITION,
            transition=name,
            from_state=from_state,
            to_state=locked.state,
            comment=comment,
            payload=payload,
        )
        deadlines_after_transition(complaint=locked, name=name, actor=actor, at=event.created_at)
        if "severity" in changed and locked.severity == Severity.SERIOUS:
            notify.serious_case(complaint=locked)
        if name == "reopen" and locked.co_owner is not None:
            # Still dissatisfied: resolved again with management's support (step 6), so the
            # co-owning manager hears of it at once.
            notify.case_escalated(
                complaint=locked,
                actor=actor,
                who=event.actor_label,
                reason=comment,
                recipients=[locked.co_owner],
            )
    return locked


# --- corrections, ownership and escalation --------------------------------------------


class _CorrectionForm(StorableInputMixin, ModelForm):
    pass


def complaint_update(
    *,
    complaint: Complaint,
    actor: Actor,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> Complaint:
    """Correct the fields the current step allows; the original description never changes."""
    if not isinstance(data, Mapping):
        raise ValidationFailed({"non_field_errors": [_("The payload must be an object.")]})
    with transaction.atomic():
        locked = _lock(complaint, actor, expected_version=expected_version)
        _require_worker(locked, actor)
        allowed = EDITABLE_FIELDS[locked.state]
        refused = {
            name: [
                _("Cannot be changed in step “%(state)s”.") % {"state": locked.get_state_display()}
            ]
            for name in data
            if name not in allowed
        }
        if refused:
            raise ValidationFailed(refused)
        if not data:
            return locked
        fields = [name for name in allowed if name in data]
        form_class = modelform_factory(Complaint, form=_CorrectionForm, fields=fields)
        current = {
            name: getattr(locked, "vehicle_id" if name == "vehicle" else name) for name in fields
        }
        form = form_class({**current, **data}, instance=locked)
        if "vehicle" in form.fields:
            vehicle_field = cast(ModelChoiceField, form.fields["vehicle"])
            vehicle_field.queryset = scoped(Vehicle, actor, write=True).filter(
                dealer_id=locked.dealer_id
            )
        before = _snapshot(locked)
        if not form.is_valid():
            raise ValidationFailed({k: list(v) for k, v in form.errors.items()})
        form.save(commit=False)
        changed = _changed(before, locked)
        if not changed:
            return locked
        diff = {name: {"from": before[name], "to": getattr(locked, name)} for name in changed}
        _save(locked, before)
        _record(complaint=locked, actor=actor, kind=EventKind.UPDATE, payload=diff)
        deadlines_after_update(complaint=locked, changed=set(changed))
    return locked


def _require_hand_over_right(complaint: Complaint, actor: Actor) -> None:
    """A case is handed over (to a colleague or a supplier) by its owner or a manager, and
    only while it is open; a case nobody owns yet may be handed over by anyone working it."""
    _require_worker(complaint, actor)
    is_owner = complaint.assignee_id is not None and complaint.assignee_id == actor_user_id(actor)
    if (
        MANAGER not in roles_for(actor, complaint.dealer_id)
        and not is_owner
        and complaint.assignee_id is not None
    ):
        raise PermissionDenied(_("Only the case's owner or a manager may hand it over."))
    if not complaint.is_open:
        raise TransitionNotAllowed(_("A closed case cannot be handed over."))


def complaint_reassign(
    *, complaint: Complaint, actor: Actor, assignee: Any, reason: str = ""
) -> Complaint:
    """Hand a case over explicitly: its owner or a manager names the next owner."""
    require_storable({"reason": reason}, max_length=MAX_TEXT_LENGTH)
    with transaction.atomic():
        locked = _lock(complaint, actor)
        _require_hand_over_right(locked, actor)
        if assignee is None or not _is_worker(assignee, locked.dealer_id):
            raise ValidationFailed(
                {"assignee": [_("The assignee must be an advisor or manager of this dealer.")]}
            )
        if assignee.pk == locked.assignee_id:
            return locked
        before = _snapshot(locked)
        previous = locked.assignee
        locked.assignee = assignee
        _save(locked, before)
        _record(
            complaint=locked,
            actor=actor,
            kind=EventKind.REASSIGNMENT,
            comment=reason,
            payload={"from": getattr(previous, "pk", None), "to": assignee.pk},
        )
        deadlines_after_hand_over(complaint=locked, actor=actor, previous_owner=previous)
    return locked


def complaint_hand_to_supplier(
    *, complaint: Complaint, actor: Actor, supplier: str, reason: str = ""
) -> Complaint:
    """Hand the work on a case to an outside supplier (外包供应商), or take it back with an
    empty `supplier`. The case keeps its owner, who stays answerable to the customer; a
    hand-over to a supplier opens a hand-over check for them."""
    require_storable({"supplier": supplier, "reason": reason}, max_length=MAX_TEXT_LENGTH)
    supplier = " ".join(supplier.split())
    require_storable({"supplier": supplier}, max_length=SUPPLIER_MAX_LENGTH)
    with transaction.atomic():
        locked = _lock(complaint, actor)
        _require_hand_over_right(locked, actor)
        if supplier == locked.supplier:
            if not supplier:
                raise ValidationFailed(
                    {"supplier": [_("Name the outside supplier the work goes to.")]}
                )
            return locked
        before = _snapshot(locked)
        previous = locked.supplier
        locked.supplier = supplier
        _save(locked, before)
        if supplier:
            summary = _("Handed to the outside supplier %(supplier)s.") % {"supplier": supplier}
        else:
            summary = _("Work taken back from the outside supplier %(supplier)s.") % {
                "supplier": previous
            }
        _record(
            complaint=locked,
            actor=actor,
            kind=EventKind.REASSIGNMENT,
            comment=f"{summary}\n{reason}".strip(),
            payload={"supplier": supplier, "previous_supplier": previous},
        )
        deadlines_after_hand_over(complaint=locked, actor=actor, supplier=supplier)
    return locked


def complaint_escalate(*, complaint: Complaint, actor: Actor, reason: str) -> Complaint:
    """Bring a case to the managers' attention; anyone working the case may do it."""
    if not str(reason).strip():
        raise ValidationFailed({"reason": [_("Say why the case needs a manager.")]})
    require_storable({"reason": str(reason)}, max_length=MAX_TEXT_LENGTH)
    with transaction.atomic():
        locked = _lock(complaint, actor)
        _require_worker(locked, actor)
        if not locked.is_open:
            raise TransitionNotAllowed(_("A closed case cannot be escalated."))
        before = _snapshot(locked)
        locked.escalated = True
        _save(locked, before)
        event = _record(complaint=locked, actor=actor, kind=EventKind.ESCALATION, comment=reason)
        notify.case_escalated(
            complaint=locked, actor=actor, who=event.actor_label, reason=event.comment
        )
    return locked


def complaint_add_note(*, complaint: Complaint, actor: Actor, comment: str) -> CaseEvent:
    if not str(comment).strip():
        raise ValidationFailed({"comment": [_("Write something.")]})
    require_storable({"comment": str(comment)}, max_length=MAX_TEXT_LENGTH)
    with transaction.atomic():
        locked = _lock(complaint, actor)
        _require_worker(locked, actor)
        return _record(complaint=locked, actor=actor, kind=EventKind.NOTE, comment=comment)


# --- facts recorded by the follow-up app (contacts, promises, deadlines) ---------------

FOLLOW_UP_EVENT_KINDS = (EventKind.CONTACT, EventKind.COMMITMENT, EventKind.DEADLINE)


def complaint_record_event(
    *,
    complaint: Complaint,
    actor: Actor,
    kind: str,
    comment: str = "",
    payload: Mapping[str, Any] | None = None,
) -> CaseEvent:
    """Append a contact, promise or deadline fact to the case's timeline.

    Invariant: the case row is locked for the caller's transaction and only someone working
    the case may add to it; the case's fields do not change.
    """
    if kind not in FOLLOW_UP_EVENT_KINDS:
        raise ValueError(f"{kind} events are written by their own service.")
    with transaction.atomic():
        locked = _lock(complaint, actor)
        _require_worker(locked, actor)
        return _record(
            complaint=locked, actor=actor, kind=kind, comment=comment, payload=payload or {}
        )


def complaint_record_system_events(
    *, entries: Sequence[tuple[int, Mapping[str, Any]]], at: datetime
) -> int:
    """Append deadline events written by the system (the sweep) to many timelines at once:
    one (case id, payload) per event, all at `at`. Returns how many were written.

    Invariant: these events store facts only, no words: their text and their actor ("System")
    are rendered when read, in the reader's language (see complaints.timeline). They record
    what the sweep did to a deadline; the case itself (its state, its version) does not
    change, so no `case_changed` is sent. The sweep announces its breaches with
    `followups.signals.deadlines_breached`.
    """
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                complaint_id=complaint_id,
                kind=EventKind.DEADLINE,
                payload=_jsonable(payload),
                created_at=at,
            )
            for complaint_id, payload in entries
        ]
    )
    return len(entries)

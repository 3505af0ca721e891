"""The seven steps: one transition of the state machine, checked and recorded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from core.actors import Actor
from core.exceptions import (
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from core.scoping import MANAGER, WORK_ROLES, roles_for
from followups import notify
from followups.deadlines import deadlines_after_transition

from ..choices import EventKind, Severity
from ..models import Complaint
from ..payloads import PAYLOADS
from ..stored_facts import record_transition_facts
from .case import (
    _lock,
    _record,
    _require_worker,
    _save,
    _snapshot,
)

TRANSITION_NAMES = tuple(PAYLOADS)

# Fields a user may still correct in each state; decisions are made by transitions only.


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
        submitter = locked.submitted_by  # a rejection forgets who asked for the approval
        method(actor=actor, **form.cleaned_data)
        # The facts the analytics read (first arrival in follow-up and in the review, first
        # reopening) carry the time of this transition's event, written in the same save.
        at = timezone.now()
        facts = record_transition_facts(locked, name=name, at=at)
        changed = _save(locked, before)
        cleaned = {k: v for k, v in form.cleaned_data.items() if k not in ("comment", "reason")}
        comment = form.cleaned_data.get("reason") or form.cleaned_data.get("comment") or ""
        payload = {**cleaned, "changed": [c for c in changed if c != "state" and c not in facts]}
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
            at=at,
        )
        if form.cleaned_data.get("evidence"):
            from evidence.services import attachments_cite

            attachments_cite(event=event, attachment_ids=form.cleaned_data["evidence"])
        deadlines_after_transition(complaint=locked, name=name, actor=actor, at=event.created_at)
        if name == "close":
            # Step 7's review, its corrective actions and their deadlines (learning).
            from learning.services import case_review_write

            case_review_write(
                complaint=locked, actor=actor, review=form.cleaned_data, at=event.created_at
            )
        if "severity" in changed and locked.severity == Severity.SERIOUS:
            notify.serious_case(complaint=locked)
        if name == "submit_for_approval":
            notify.approval_requested(complaint=locked, actor=actor, who=event.actor_label)
        elif name in notify.DECIDED_KINDS:
            notify.case_decided(
                complaint=locked,
                transition=name,
                actor=actor,
                who=event.actor_label,
                reason=comment if name == "reject" else "",
                submitter=submitter,
            )
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

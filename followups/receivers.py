"""Deadlines follow the case: receivers of `complaints.signals.case_changed`.

The signal is sent inside the service's transaction with the case row locked, so every
deadline opened, satisfied or cancelled here commits or rolls back with the change itself.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.choices import EventKind, Severity, State
from complaints.models import CaseEvent, Complaint, actor_user_id

from . import notify
from .choices import DeadlineKind, NotificationKind
from .models import OPEN, Deadline
from .services import deadline_open_by_rule, deadlines_cancel_outside, deadlines_satisfy

# Which deadline a transition fulfils, and the reason written on it.
SATISFIED_BY = {
    "start_listening": (DeadlineKind.FIRST_RESPONSE, gettext_lazy("Listening started")),
    "approve": (DeadlineKind.APPROVAL, gettext_lazy("Approved")),
    "reject": (DeadlineKind.APPROVAL, gettext_lazy("Rejected")),
    "complete_action": (DeadlineKind.REPAIR_COMPLETION, gettext_lazy("Action completed")),
    "confirm_resolved": (DeadlineKind.FOLLOW_UP, gettext_lazy("Customer confirmed satisfied")),
    "reopen": (DeadlineKind.FOLLOW_UP, gettext_lazy("Customer still dissatisfied: reopened")),
}


def on_case_changed(
    sender: Any, *, complaint: Complaint, event: CaseEvent, actor: Any, **kwargs: Any
) -> None:
    if event.kind == EventKind.CREATED:
        deadline_open_by_rule(
            complaint=complaint,
            kind=DeadlineKind.FIRST_RESPONSE,
            started_at=complaint.created_at,
            created_by=actor,
        )
    elif event.kind == EventKind.TRANSITION:
        _on_transition(complaint, event, actor)
    elif event.kind == EventKind.UPDATE:
        _on_update(complaint, event)
    elif event.kind == EventKind.REASSIGNMENT:
        _on_reassignment(complaint, event, actor)
    elif event.kind == EventKind.ESCALATION:
        _notify_escalation(complaint, event, actor)


def _on_transition(complaint: Complaint, event: CaseEvent, actor: Any) -> None:
    name = event.transition
    if name in SATISFIED_BY:
        kind, reason = SATISFIED_BY[name]
        deadlines_satisfy(complaint=complaint, kinds=[kind], reason=str(reason))
    deadlines_cancel_outside(
        complaint=complaint,
        state=complaint.state,
        reason=_("Case moved to step “%(state)s”") % {"state": complaint.get_state_display()},
    )
    if complaint.state == State.AWAITING_APPROVAL:
        deadline_open_by_rule(complaint=complaint, kind=DeadlineKind.APPROVAL, created_by=actor)
    elif complaint.state == State.RESOLVING:
        deadline_open_by_rule(
            complaint=complaint, kind=DeadlineKind.INTERIM_REPORT, created_by=actor
        )
    elif complaint.state == State.FOLLOWING_UP and name == "complete_action":
        # 24 h when safety-related, 72 h otherwise (step 6), from the moment of completion.
        deadline_open_by_rule(
            complaint=complaint,
            kind=DeadlineKind.FOLLOW_UP,
            started_at=event.created_at,
            created_by=actor,
        )
    changed = event.payload.get("changed", []) if isinstance(event.payload, dict) else []
    if "severity" in changed and complaint.severity == Severity.SERIOUS:
        _notify_serious(complaint)
    if name == "reopen" and complaint.co_owner is not None:
        _notify_escalation(complaint, event, actor, only=[complaint.co_owner])


def _on_update(complaint: Complaint, event: CaseEvent) -> None:
    change = event.payload.get("is_safety_related") if isinstance(event.payload, dict) else None
    if not change or not complaint.is_safety_related:
        return
    # A case that becomes safety-related while following up is followed up within 24 h of
    # the completed action, not 72 h: pull the open follow-up deadline in.
    for deadline in complaint.deadlines.filter(OPEN, kind=DeadlineKind.FOLLOW_UP):
        from .rules import due_by_rule

        due_at, rule = due_by_rule(
            dealer_id=complaint.dealer_id,
            kind=DeadlineKind.FOLLOW_UP,
            start=deadline.started_at,
            safety=True,
        )
        if due_at < deadline.due_at:
            Deadline.objects.unscoped(reason="instance").filter(
                pk=deadline.pk, breached_at=None
            ).update(due_at=due_at, rule=rule)


def _on_reassignment(complaint: Complaint, event: CaseEvent, actor: Any) -> None:
    payload = event.payload if isinstance(event.payload, dict) else {}
    if payload.get("supplier"):
        # Handed to an outside supplier: the case's owner (or whoever handed it over)
        # confirms within 24 h that the customer was told (step 6).
        deadline_open_by_rule(
            complaint=complaint,
            kind=DeadlineKind.TRANSFER_CHECK,
            owner=complaint.assignee if complaint.assignee_id else _person(actor),
            created_by=actor,
        )
        return
    previous_id = payload.get("from")
    if previous_id is None:
        return
    from django.contrib.auth import get_user_model

    previous = get_user_model().objects.filter(pk=previous_id).first()
    # The previous owner confirms within 24 h that the customer was contacted (step 6).
    deadline_open_by_rule(
        complaint=complaint,
        kind=DeadlineKind.TRANSFER_CHECK,
        owner=previous,
        created_by=actor,
    )


def _person(actor: Any) -> Any:
    """The actor if a person (not an API client or the system), else None."""
    return actor if actor_user_id(actor) is not None else None


def _notify_serious(complaint: Complaint) -> None:
    managers = notify.managers_by_dealer([complaint.dealer_id]).get(complaint.dealer_id, [])
    regional = notify.regional_by_region([complaint.dealer.region_id]).get(
        complaint.dealer.region_id, []
    )
    notify.notifications_write(
        [
            notify.Draft(
                recipient=user,
                kind=NotificationKind.SERIOUS_CASE,
                complaint=complaint,
                message=lambda: notify.serious_message(complaint),
                cache_key="serious",
            )
            for user in notify.unique_users(managers, regional)
        ]
    )


def _notify_escalation(
    complaint: Complaint, event: CaseEvent, actor: Any, only: list[Any] | None = None
) -> None:
    if only is None:
        only = notify.managers_by_dealer([complaint.dealer_id]).get(complaint.dealer_id, [])
    actor_id = getattr(actor, "pk", None)
    reason = event.comment or _("No reason given.")
    notify.notifications_write(
        [
            notify.Draft(
                recipient=user,
                kind=NotificationKind.CASE_ESCALATED,
                complaint=complaint,
                message=lambda: notify.escalated_message(complaint, event.actor_label, reason),
                cache_key="escalated",
            )
            for user in only
            if user.pk != actor_id
        ]
    )

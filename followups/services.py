"""Every write of the follow-up app: contacts, promises, deadlines, notifications, rules.

Facts that belong to the case's timeline (a contact, a promise, a kept promise) are written
through `complaints.services.complaint_record_event`, which locks the case row first: what
is decided here (unreachable streaks, satisfied deadlines) is decided under that lock.
What each fact does to the case's deadlines is followups.deadlines' table, applied by its
`deadlines_after_*` functions. The sweep and the outbox delivery live in followups.sweep.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import services as complaint_services
from complaints.choices import EventKind, State
from complaints.models import Complaint, actor_user_id
from core.actors import Actor
from core.audit import audit_log, snapshot
from core.exceptions import (
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from core.scoping import MANAGER, roles_for, scoped
from core.text import MAX_TEXT_LENGTH, require_storable, text_problem
from dealers.models import Dealer

from .choices import (
    PROMISE_MINUTES,
    REACHED,
    ContactChannel,
    ContactOutcome,
    DeadlineKind,
    PromiseCode,
)
from .deadlines import (
    deadline_done,
    deadlines_after_contact,
    deadlines_after_promise,
    deadlines_after_repair_promise,
)
from .models import ContactAttempt, Deadline, DeadlineRule, Notification
from .rules import DEFAULT_LIMITS, FIRM_KINDS

UNREACHABLE_ESCALATION = 3
# A contact time may run a little ahead of the server's clock (a phone's clock), not more.
CLOCK_SKEW = timedelta(minutes=5)

# --- contacts ---------------------------------------------------------------------------


def _check_time(value: datetime | None, field: str, errors: dict[str, list[str]]) -> None:
    if value is not None and (not isinstance(value, datetime) or timezone.is_naive(value)):
        errors[field] = [_("Give a date and time with its time zone.")]


def contact_record(
    *,
    complaint: Complaint,
    actor: Actor,
    channel: str,
    outcome: str,
    note: str = "",
    contacted_at: datetime | None = None,
) -> ContactAttempt:
    """Log an attempt to reach the customer, on the timeline and in the customer's history.

    Invariant: a contact in which the customer was reached satisfies the case's open
    first-response, interim-report, follow-up and hand-over deadlines; the third
    unreachable attempt in a row escalates the case to the managers, once.
    """
    errors: dict[str, list[str]] = {}
    if channel not in ContactChannel.values:
        errors["channel"] = [
            _("Choose one of: %(values)s.") % {"values": ", ".join(ContactChannel.values)}
        ]
    if outcome not in ContactOutcome.values:
        errors["outcome"] = [
            _("Choose one of: %(values)s.") % {"values": ", ".join(ContactOutcome.values)}
        ]
    if problem := text_problem(str(note)):
        errors["note"] = [str(problem)]
    elif len(str(note)) > MAX_TEXT_LENGTH:
        errors["note"] = [
            _("A note may have at most %(limit)d characters.") % {"limit": MAX_TEXT_LENGTH}
        ]
    _check_time(contacted_at, "contacted_at", errors)
    now = timezone.now()
    contacted_at = contacted_at or now
    if "contacted_at" not in errors and contacted_at > now + CLOCK_SKEW:
        errors["contacted_at"] = [_("A contact cannot be in the future.")]
    if "contacted_at" not in errors and contacted_at < complaint.created_at - CLOCK_SKEW:
        errors["contacted_at"] = [_("This contact is older than the case.")]
    if errors:
        raise ValidationFailed(errors)

    with transaction.atomic():
        event = complaint_services.complaint_record_event(
            complaint=complaint,
            actor=actor,
            kind=EventKind.CONTACT,
            comment=note,
            payload={"channel": channel, "outcome": outcome, "contacted_at": contacted_at},
        )
        locked = event.complaint
        if not locked.is_open:
            raise TransitionNotAllowed(_("The case is closed: no more contacts can be logged."))
        contact = ContactAttempt.objects.create(
            complaint=locked,
            channel=channel,
            outcome=outcome,
            note=note,
            contacted_at=contacted_at,
            actor_id=actor_user_id(actor),
            actor_label=event.actor_label,
        )
        deadlines_after_contact(complaint=locked, contact=contact)
        if outcome not in REACHED and _unreachable_streak(locked) == UNREACHABLE_ESCALATION:
            complaint_services.complaint_escalate(
                complaint=locked,
                actor=actor,
                reason=_("The customer could not be reached %(count)d times in a row.")
                % {"count": UNREACHABLE_ESCALATION},
            )
    return contact


def _unreachable_streak(complaint: Complaint) -> int:
    streak = 0
    outcomes = complaint.contacts.order_by("-contacted_at", "-id")
    for outcome in outcomes.values_list("outcome", flat=True)[: UNREACHABLE_ESCALATION + 1]:
        if outcome != ContactOutcome.UNREACHABLE:
            break
        streak += 1
    return streak


# --- promises ---------------------------------------------------------------------------


def _check_promise_time(due_at: Any) -> None:
    errors: dict[str, list[str]] = {}
    _check_time(due_at, "due_at", errors)
    if not errors and due_at is None:
        errors["due_at"] = [_("Say when it is due.")]
    if not errors and due_at <= timezone.now():
        errors["due_at"] = [_("A promise must be due in the future.")]
    if errors:
        raise ValidationFailed(errors)


def commitment_create(
    *,
    complaint: Complaint,
    actor: Actor,
    promise: str = "",
    due_at: datetime | None = None,
    code: str = "",
) -> Deadline:
    """Record a concrete promise made to the customer: one of the one-click promises
    (`code`, due that long from now unless `due_at` says otherwise) or the words said to
    the customer (`promise`, stored as typed) with the time it is due.

    Invariant: every promise has words or a code and a due time in the future, appears on
    the timeline, and is a deadline the sweep watches until it is marked kept; its owner is
    warned before it falls due.
    """
    promise = (promise or "").strip()
    code = (code or "").strip()
    if code:
        if code not in PromiseCode.values:
            raise ValidationFailed(
                {"code": [_("Choose one of: %(values)s.") % {"values": ", ".join(PromiseCode)}]}
            )
        if promise:
            raise ValidationFailed(
                {"promise": [_("Pick a quick promise or write your own words, not both.")]}
            )
        if due_at is None:
            due_at = timezone.now() + timedelta(minutes=PROMISE_MINUTES[code])
    elif not promise:
        raise ValidationFailed({"promise": [_("Write down what was promised.")]})
    require_storable({"promise": promise}, max_length=MAX_TEXT_LENGTH)
    _check_promise_time(due_at)
    assert due_at is not None  # noqa: S101 - checked just above, for the type checker
    with transaction.atomic():
        # The words said are the person's own (the comment); a one-click promise is a fact
        # (its code), read in the reader's language.
        event = complaint_services.complaint_record_event(
            complaint=complaint,
            actor=actor,
            kind=EventKind.COMMITMENT,
            comment=promise,
            payload={"action": "made", "due_at": due_at, "code": code},
        )
        if not event.complaint.is_open:
            raise TransitionNotAllowed(_("The case is closed: no more promises can be made."))
        return deadlines_after_promise(
            complaint=event.complaint,
            actor=actor,
            promise=promise,
            promise_code=code,
            due_at=due_at,
        )


def commitment_keep(*, deadline: Deadline, actor: Actor, note: str = "") -> Deadline:
    """Mark a promise kept. Invariant: only an open promise, only once."""
    if deadline.kind != DeadlineKind.COMMITMENT:
        raise ValidationFailed({"deadline": [_("Only a promise can be marked kept.")]})
    require_storable({"note": note}, max_length=MAX_TEXT_LENGTH)
    return _deadline_done(
        deadline=deadline,
        actor=actor,
        event_kind=EventKind.COMMITMENT,
        note=note,
        payload={
            "action": "kept",
            "deadline": deadline.pk,
            "promise": deadline.promise,
            "code": deadline.promise_code,
            "due_at": deadline.due_at,
        },
        done_by="promise_kept",
        closed_message=_("This promise was already kept or cancelled."),
    )


def _deadline_done(
    *,
    deadline: Deadline,
    actor: Actor,
    event_kind: str,
    note: str,
    payload: dict[str, Any],
    done_by: str,
    closed_message: str,
) -> Deadline:
    """Satisfy one open deadline by hand, with its timeline event, exactly once."""
    with transaction.atomic():
        complaint_services.complaint_record_event(
            complaint=deadline.complaint,
            actor=actor,
            kind=event_kind,
            comment=note,
            payload=payload,
        )
        if not deadline_done(deadline=deadline, event=done_by, note=note):
            raise Conflict(closed_message, code="deadline_closed")
    deadline.refresh_from_db()
    return deadline


REPAIR_PROMISE_STATES = (State.ASSESSING, State.AWAITING_APPROVAL, State.RESOLVING)


def repair_promise_set(*, complaint: Complaint, actor: Actor, due_at: datetime) -> Deadline:
    """Record the promised repair completion time, replacing an earlier promise.

    Invariant: one open repair-completion deadline per case; staff are reminded before it
    is due (4 h by default) so they can warn the customer in advance.
    """
    _check_promise_time(due_at)
    with transaction.atomic():
        event = complaint_services.complaint_record_event(
            complaint=complaint,
            actor=actor,
            kind=EventKind.COMMITMENT,
            # Facts only: "Repair promised by …" is said when read, in the reader's language.
            payload={"action": "repair_promised", "due_at": due_at},
        )
        locked = event.complaint
        if locked.state not in REPAIR_PROMISE_STATES:
            raise TransitionNotAllowed(
                _("A repair date can be promised while assessing or resolving the case.")
            )
        return deadlines_after_repair_promise(complaint=locked, actor=actor, due_at=due_at)


def transfer_check_confirm(*, deadline: Deadline, actor: Actor, note: str = "") -> Deadline:
    """The previous owner (or a manager) confirms the customer was contacted after a hand-over."""
    if deadline.kind != DeadlineKind.TRANSFER_CHECK:
        raise ValidationFailed({"deadline": [_("This is not a hand-over check.")]})
    require_storable({"note": note}, max_length=MAX_TEXT_LENGTH)
    is_owner = deadline.owner_id is not None and deadline.owner_id == actor_user_id(actor)
    if not is_owner and MANAGER not in roles_for(actor, deadline.complaint.dealer_id):
        raise PermissionDenied(_("Only the previous owner or a manager confirms a hand-over."))
    return _deadline_done(
        deadline=deadline,
        actor=actor,
        event_kind=EventKind.DEADLINE,
        note=note,
        payload={"action": "confirmed", "deadline": deadline.pk, "kind": deadline.kind},
        done_by="hand_over_confirmed",
        closed_message=_("This check is already closed."),
    )


# --- notifications --------------------------------------------------------------------


def notification_mark_read(*, notification: Notification, user: Any) -> Notification:
    """Mark one of the user's own notifications read; somebody else's does not exist."""
    if notification.recipient_id != getattr(user, "pk", None):
        raise NotFound()
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.unscoped(reason="instance").filter(
            pk=notification.pk, read_at=None
        ).update(read_at=now)
        notification.read_at = now
    return notification


def notification_mark_all_read(*, user: Any) -> int:
    """Mark all the user's notifications read."""
    # The recipient's own rows, through the user: notifications are read only by them.
    return user.notifications.filter(read_at=None).update(read_at=timezone.now())


# --- rules ------------------------------------------------------------------------------

RULE_LIMITS = ("hours", "safety_hours", "remind_before_hours")


def deadline_rule_update(
    *,
    dealer: Dealer,
    actor: Actor,
    kind: str,
    hours: int | None = None,
    safety_hours: int | None = None,
    remind_before_hours: int | None = None,
) -> DeadlineRule:
    """Set a dealer's own limit for one kind of deadline (managers only).

    Invariant: the seeds' firm rules (first response within 24 h, follow-up within 72 h or
    24 h when safety-related) can be tightened, never loosened. New limits apply to
    deadlines started from now on.
    """
    if MANAGER not in roles_for(actor, dealer.pk):
        raise PermissionDenied(_("Only a manager of this dealer may change its time limits."))
    if kind not in DeadlineKind.values:
        raise ValidationFailed({"kind": [_("Unknown kind of deadline.")]})
    default = DEFAULT_LIMITS[kind]
    errors: dict[str, list[str]] = {}
    values = {
        "hours": hours,
        "safety_hours": safety_hours,
        "remind_before_hours": remind_before_hours,
    }
    for name, value in values.items():
        if value is None:
            continue
        # The same bounds as the model's validators, which the admin applies.
        most = 24 * 7 if name == "remind_before_hours" else 24 * 30
        if getattr(default, name) is None:
            errors[name] = [_("This kind of deadline has no such limit.")]
        elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= most:
            errors[name] = [
                _("Give a whole number of hours between 1 and %(most)d.") % {"most": most}
            ]
        elif kind in FIRM_KINDS and value > getattr(default, name):
            errors[name] = [
                _("The rule is at most %(hours)d hours; a dealer may only shorten it.")
                % {"hours": getattr(default, name)}
            ]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        rules = scoped(DeadlineRule, actor, write=True)
        current = rules.select_for_update().filter(dealer=dealer, kind=kind).first()
        before = snapshot(current, RULE_LIMITS) if current is not None else {}
        rule, _created = rules.update_or_create(dealer=dealer, kind=kind, defaults=values)
        audit_log(
            actor=actor,
            action="deadline_rule.changed",
            target=rule,
            dealer_id=dealer.pk,
            before=before,
            after=snapshot(rule, RULE_LIMITS),
            data={"kind": kind},
        )
    return rule


def deadline_rule_delete(*, rule: DeadlineRule, actor: Actor) -> None:
    """Drop a dealer's own limits for one kind: the defaults apply again (managers only).

    Invariant: going back to the defaults never loosens a firm rule beyond the seeds'
    limits, since the defaults are those limits; the removal is in the audit log.
    """
    if MANAGER not in roles_for(actor, rule.dealer_id):
        raise PermissionDenied(_("Only a manager of this dealer may change its time limits."))
    with transaction.atomic():
        locked = (
            scoped(DeadlineRule, actor, write=True).select_for_update().filter(pk=rule.pk).first()
        )
        if locked is None:
            return
        audit_log(
            actor=actor,
            action="deadline_rule.deleted",
            target=locked,
            dealer_id=locked.dealer_id,
            before=snapshot(locked, RULE_LIMITS),
            data={"kind": locked.kind},
        )
        locked.delete()

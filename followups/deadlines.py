"""The deadline service: what every step of a case, and every fact recorded about it, does
to the case's deadlines.

`EFFECTS` below is the whole policy, one row per transition or event; the functions after
it apply a row and are called directly by the services that change a case
(complaints.services) or record a fact about it (followups.services), inside their
transaction with the case row locked. The time limits come from `followups.rules`
(`DEFAULT_LIMITS`, overridable per dealer within the firm rules).

The seeds' rules (DOMAIN.md) that the table implements:
- first response (第一时间): feedback to the customer within 24 h of intake (step 1);
- a promise to the customer is concrete, recorded and due when promised (step 1);
- a decision that needs approval is answered by a manager within 8 h;
- a promised repair date: staff are reminded 4 h before so they can warn the customer in
  advance, and interim reports are due every 24 h while a repair goes on (step 5);
- follow-up after service within 24 h when safety-related, 72 h otherwise, counted from the
  completed action (step 6); still dissatisfied: reopened with management's support;
- after a hand-over to a colleague or an outside supplier, a check within 24 h that the
  customer was not lost (step 6, 第一责任人).

What the table cannot say in one row, and the functions below add (each tested):
- a contact meets only the deadlines started by the time of the contact (a call logged
  late does not meet a deadline opened after it);
- the next interim report after a contact opens only while the repair goes on (resolving);
- a hand-over check is owned by the previous owner (to a colleague) or by the case's owner
  (to a supplier; by whoever handed it over when the case has no owner);
- a promised repair date is reminded 4 h before it falls due (followups.rules);
- rows with no effect (`contact_not_reached`, `taken_back_from_supplier`) are there to say
  so: nothing opens or closes.

This module must not import complaints.services: that module calls into this one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from complaints.choices import State
from complaints.models import Complaint, actor_user_id
from core.actors import Actor

from .choices import REACHED, DeadlineKind
from .models import OPEN, ContactAttempt, Deadline
from .rules import due_by_rule, limit_for

FIRST_RESPONSE = DeadlineKind.FIRST_RESPONSE
COMMITMENT = DeadlineKind.COMMITMENT
APPROVAL = DeadlineKind.APPROVAL
REPAIR_COMPLETION = DeadlineKind.REPAIR_COMPLETION
INTERIM_REPORT = DeadlineKind.INTERIM_REPORT
FOLLOW_UP = DeadlineKind.FOLLOW_UP
TRANSFER_CHECK = DeadlineKind.TRANSFER_CHECK
CORRECTIVE_ACTION = DeadlineKind.CORRECTIVE_ACTION
REFLECTION_REPORT = DeadlineKind.REFLECTION_REPORT
EVERY_KIND = tuple(DeadlineKind)
# Step 7's deadlines are owed by a closed case (learning): closing opens them, not ends them.
STEP7_KINDS = (CORRECTIVE_ACTION, REFLECTION_REPORT)
CASE_KINDS = tuple(kind for kind in DeadlineKind if kind not in STEP7_KINDS)

# The reason written on the deadlines a transition cancels.
CASE_MOVED = _("Case moved to step “%(state)s”")


@dataclass(frozen=True)
class Effect:
    """What one transition or event does to a case's open deadlines, applied in this order:
    the kinds in `satisfies` are met (`satisfied_because` is written on them), those in
    `cancels` are dropped (`cancelled_because`), those in `moves` get a new due time, and
    one deadline of each kind in `opens` starts, due after the kind's time limit
    (followups.rules) or, for a promise, when promised."""

    satisfies: tuple[str, ...] = ()
    satisfied_because: str | Promise = ""
    cancels: tuple[str, ...] = ()
    cancelled_because: str | Promise = CASE_MOVED
    moves: tuple[str, ...] = ()
    opens: tuple[str, ...] = ()


# fmt: off
EFFECTS: dict[str, Effect] = {
    # --- the seven steps (complaints.services.complaint_transition) ----------------------
    # A transition cancels every kind that has no place in the step the case moves to; most
    # of them cannot be open there anyway, and are listed so that nothing stays open by
    # mistake (a deadline a transition satisfies is listed there instead). Step 7's kinds
    # belong to a closed case only.
    # Step 2: listening to the customer is the first response.
    "start_listening": Effect(
        satisfies=(FIRST_RESPONSE,), satisfied_because=_("Listening started"),
        cancels=(APPROVAL, REPAIR_COMPLETION, INTERIM_REPORT, FOLLOW_UP, *STEP7_KINDS),
    ),
    "start_investigation": Effect(
        cancels=(
            FIRST_RESPONSE, APPROVAL, REPAIR_COMPLETION, INTERIM_REPORT, FOLLOW_UP, *STEP7_KINDS,
        ),
    ),
    # From findings on, a repair date may be promised (repair_date_promised): it survives
    # deciding and approval, and is met by the completed action.
    "record_findings": Effect(
        cancels=(FIRST_RESPONSE, APPROVAL, INTERIM_REPORT, FOLLOW_UP, *STEP7_KINDS),
    ),
    # Step 5 starts: interim reports every 24 h while the repair goes on.
    "decide": Effect(
        cancels=(FIRST_RESPONSE, APPROVAL, FOLLOW_UP, *STEP7_KINDS),
        opens=(INTERIM_REPORT,),
    ),
    # A manager answers within 8 h.
    "submit_for_approval": Effect(
        cancels=(FIRST_RESPONSE, INTERIM_REPORT, FOLLOW_UP, *STEP7_KINDS),
        opens=(APPROVAL,),
    ),
    "approve": Effect(
        satisfies=(APPROVAL,), satisfied_because=_("Approved"),
        cancels=(FIRST_RESPONSE, FOLLOW_UP, *STEP7_KINDS),
        opens=(INTERIM_REPORT,),
    ),
    "reject": Effect(
        satisfies=(APPROVAL,), satisfied_because=_("Rejected"),
        cancels=(FIRST_RESPONSE, INTERIM_REPORT, FOLLOW_UP, *STEP7_KINDS),
    ),
    # Step 6: follow up within 24 h (safety-related) or 72 h, from the completion.
    "complete_action": Effect(
        satisfies=(REPAIR_COMPLETION,), satisfied_because=_("Action completed"),
        cancels=(FIRST_RESPONSE, APPROVAL, INTERIM_REPORT, *STEP7_KINDS),
        opens=(FOLLOW_UP,),
    ),
    "confirm_resolved": Effect(
        satisfies=(FOLLOW_UP,), satisfied_because=_("Customer confirmed satisfied"),
        cancels=(FIRST_RESPONSE, APPROVAL, REPAIR_COMPLETION, INTERIM_REPORT, *STEP7_KINDS),
    ),
    # Still dissatisfied: the repair starts again, with its daily interim reports.
    "reopen": Effect(
        satisfies=(FOLLOW_UP,), satisfied_because=_("Customer still dissatisfied: reopened"),
        cancels=(FIRST_RESPONSE, APPROVAL, *STEP7_KINDS),
        opens=(INTERIM_REPORT,),
    ),
    # A closed or withdrawn case owes the customer nothing more, promises included; a
    # closed one owes the dealership its step 7 (the events below).
    "close": Effect(cancels=CASE_KINDS),
    "withdraw": Effect(cancels=EVERY_KIND),

    # --- facts about the case ---------------------------------------------------------------
    # Step 1, first-time (第一时间): feedback within 24 h of intake.
    "intake": Effect(opens=(FIRST_RESPONSE,)),
    # Reaching the customer (satisfied or not) is the feedback, the interim report, the
    # follow-up call and the proof that a hand-over lost nobody, for every deadline started
    # by the time of the contact. While the repair goes on, the next interim report is due
    # 24 h after this one.
    "contact_reached": Effect(
        satisfies=(FIRST_RESPONSE, INTERIM_REPORT, FOLLOW_UP, TRANSFER_CHECK),
        satisfied_because=_("Customer reached by %(channel)s"),
        opens=(INTERIM_REPORT,),
    ),
    # Meets nothing; the third in a row escalates the case (followups.services).
    "contact_not_reached": Effect(),
    # Due when promised; owned by whoever promised.
    "promise_made": Effect(opens=(COMMITMENT,)),
    # That one promise; the note, when given, is the reason.
    "promise_kept": Effect(satisfies=(COMMITMENT,), satisfied_because=_("Promise kept")),
    # Due at the promised time, reminder 4 h before; a new date replaces the old one.
    "repair_date_promised": Effect(
        satisfies=(REPAIR_COMPLETION,), satisfied_because=_("Replaced by a new promised date"),
        opens=(REPAIR_COMPLETION,),
    ),
    # Checked within 24 h by the previous owner.
    "handed_to_colleague": Effect(opens=(TRANSFER_CHECK,)),
    # Checked within 24 h by the case's owner, who stays the customer's contact.
    "handed_to_supplier": Effect(opens=(TRANSFER_CHECK,)),
    "taken_back_from_supplier": Effect(),
    # That one check; the note, when given, is the reason.
    "hand_over_confirmed": Effect(
        satisfies=(TRANSFER_CHECK,), satisfied_because=_("Hand-over confirmed"),
    ),
    # The follow-up is due 24 h after the completed action, not 72 h, if that is earlier.
    "became_safety_related": Effect(moves=(FOLLOW_UP,)),

    # --- step 7, after the close (learning.services) ------------------------------------
    # Each corrective action is checked by its owner when due (PDCA's Check), reminded a
    # day before; a failed check opens a new round with a new due date (Act).
    "corrective_action_set": Effect(opens=(CORRECTIVE_ACTION,)),
    "corrective_action_checked": Effect(
        satisfies=(CORRECTIVE_ACTION,), satisfied_because=_("Corrective action checked"),
    ),
    # A manager required the advisor's reflection report when closing the case.
    "reflection_required": Effect(opens=(REFLECTION_REPORT,)),
    "reflection_submitted": Effect(
        satisfies=(REFLECTION_REPORT,), satisfied_because=_("Reflection report submitted"),
    ),
}
# fmt: on


# --- the building blocks --------------------------------------------------------------


def deadline_open(
    *,
    complaint: Complaint,
    kind: str,
    due_at: datetime,
    rule: str,
    started_at: datetime | None = None,
    promise: str = "",
    owner: Any = None,
    created_by: Any = None,
    remind_at: datetime | None = None,
) -> Deadline:
    """Start a deadline for a case. Invariant: at most one open deadline of a rule-made kind
    per case (a database constraint); promises and hand-over checks may be many."""
    return Deadline.objects.create(
        complaint=complaint,
        kind=kind,
        started_at=started_at or timezone.now(),
        due_at=due_at,
        rule=rule,
        promise=promise,
        owner=owner,
        created_by_id=actor_user_id(created_by),
        remind_at=remind_at,
    )


def deadline_open_by_rule(
    *,
    complaint: Complaint,
    kind: str,
    started_at: datetime | None = None,
    owner: Any = None,
    created_by: Any = None,
) -> Deadline:
    """Start a rule-made deadline, due after the dealer's (or the default) time limit."""
    started_at = started_at or timezone.now()
    safety = kind == FOLLOW_UP and complaint.is_safety_related
    due_at, rule = due_by_rule(
        dealer_id=complaint.dealer_id, kind=kind, start=started_at, safety=safety
    )
    return deadline_open(
        complaint=complaint,
        kind=kind,
        due_at=due_at,
        rule=rule,
        started_at=started_at,
        owner=owner,
        created_by=created_by,
    )


def deadlines_satisfy(
    *,
    complaint: Complaint,
    kinds: Iterable[str],
    reason: str,
    since: datetime | None = None,
    at: datetime | None = None,
) -> list[Deadline]:
    """Mark the case's open deadlines of these kinds satisfied (late ones too); with `since`,
    only those started by then."""
    queryset = complaint.deadlines.filter(OPEN, kind__in=list(kinds))
    if since is not None:
        queryset = queryset.filter(started_at__lte=since)
    satisfied = list(queryset)
    if satisfied:
        at = at or timezone.now()
        Deadline.objects.unscoped(reason="instance").filter(
            OPEN, pk__in=[d.pk for d in satisfied]
        ).update(satisfied_at=at, outcome_reason=reason[:200])
        for deadline in satisfied:
            deadline.satisfied_at, deadline.outcome_reason = at, reason[:200]
    return satisfied


def deadlines_cancel(
    *, complaint: Complaint, kinds: Iterable[str], reason: str, at: datetime | None = None
) -> int:
    """Cancel the case's open deadlines of these kinds."""
    return complaint.deadlines.filter(OPEN, kind__in=list(kinds)).update(
        cancelled_at=at or timezone.now(), outcome_reason=reason[:200]
    )


def _apply(
    effect: Effect,
    *,
    complaint: Complaint,
    actor: Actor,
    at: datetime,
    facts: dict[str, Any],
) -> None:
    """Apply a row of the table that needs nothing but the case and the moment."""
    if effect.satisfies:
        deadlines_satisfy(
            complaint=complaint,
            kinds=effect.satisfies,
            reason=str(effect.satisfied_because) % facts,
            at=at,
        )
    if effect.cancels:
        deadlines_cancel(
            complaint=complaint,
            kinds=effect.cancels,
            reason=str(effect.cancelled_because) % facts,
            at=at,
        )
    for kind in effect.opens:
        deadline_open_by_rule(complaint=complaint, kind=kind, started_at=at, created_by=actor)


# --- what the services call -------------------------------------------------------------


def deadlines_after_intake(*, complaint: Complaint, actor: Actor) -> None:
    """A new case: its first response is due from the moment it was received."""
    _apply(EFFECTS["intake"], complaint=complaint, actor=actor, at=complaint.created_at, facts={})


def deadlines_after_transition(
    *, complaint: Complaint, name: str, actor: Actor, at: datetime
) -> None:
    """The case has just moved by transition `name` (it is in its new state): apply the
    transition's row of the table, at `at`, the moment of the move."""
    _apply(
        EFFECTS[name],
        complaint=complaint,
        actor=actor,
        at=at,
        facts={"state": complaint.get_state_display()},
    )


def deadlines_after_update(*, complaint: Complaint, changed: Iterable[str]) -> None:
    """Fields of the case were corrected: a case that became safety-related is followed up
    within the safety limit of its completed action, if that is sooner."""
    if "is_safety_related" not in changed or not complaint.is_safety_related:
        return
    for kind in EFFECTS["became_safety_related"].moves:
        for deadline in complaint.deadlines.filter(OPEN, kind=kind):
            due_at, rule = due_by_rule(
                dealer_id=complaint.dealer_id, kind=kind, start=deadline.started_at, safety=True
            )
            if due_at < deadline.due_at:
                # An already breached deadline keeps the due time it was breached at.
                Deadline.objects.unscoped(reason="instance").filter(
                    pk=deadline.pk, breached_at=None
                ).update(due_at=due_at, rule=rule)


def deadlines_after_hand_over(
    *,
    complaint: Complaint,
    actor: Actor,
    previous_owner: Any = None,
    supplier: str = "",
) -> Deadline | None:
    """The case was handed to a colleague (`previous_owner` gave it up) or its work to an
    outside supplier (`supplier`; empty when the work was taken back). Returns the hand-over
    check it opened, if any."""
    if supplier:
        effect = EFFECTS["handed_to_supplier"]
        # The case's owner stays the customer's contact; a case without one is checked by
        # the person who handed it over (an API client or the system checks nothing).
        owner: Any = None
        if complaint.assignee_id is not None:
            owner = complaint.assignee
        elif actor_user_id(actor) is not None:
            owner = actor
    elif previous_owner is not None:
        effect = EFFECTS["handed_to_colleague"]
        owner = previous_owner
    else:
        # Taken back from the supplier, or a case nobody owned before.
        return None
    (kind,) = effect.opens
    return deadline_open_by_rule(complaint=complaint, kind=kind, owner=owner, created_by=actor)


def deadlines_after_contact(*, complaint: Complaint, contact: ContactAttempt) -> list[Deadline]:
    """A contact was logged: if the customer was reached, it meets the deadlines started by
    the time of the contact, and while the repair goes on the next interim report is due a
    day after it. Returns the deadlines it satisfied."""
    if contact.outcome not in REACHED:
        return []
    effect = EFFECTS["contact_reached"]
    satisfied = deadlines_satisfy(
        complaint=complaint,
        kinds=effect.satisfies,
        reason=str(effect.satisfied_because) % {"channel": contact.get_channel_display()},
        since=contact.contacted_at,
    )
    met = {deadline.kind for deadline in satisfied}
    if complaint.state == State.RESOLVING:
        for kind in effect.opens:
            if kind in met:
                deadline_open_by_rule(
                    complaint=complaint, kind=kind, started_at=contact.contacted_at
                )
    return satisfied


def deadlines_after_promise(
    *, complaint: Complaint, actor: Actor, promise: str, due_at: datetime
) -> Deadline:
    """A promise was made to the customer: a deadline due when promised, owned by whoever
    promised (nobody, when an API client recorded it)."""
    (kind,) = EFFECTS["promise_made"].opens
    return deadline_open(
        complaint=complaint,
        kind=kind,
        due_at=due_at,
        rule="promise",
        promise=promise,
        owner=actor if actor_user_id(actor) else None,
        created_by=actor,
    )


def deadlines_after_repair_promise(
    *, complaint: Complaint, actor: Actor, due_at: datetime
) -> Deadline:
    """A repair completion date was promised: it replaces an earlier one, is owned by the
    case's owner, and is reminded of before it is due (4 h by default)."""
    effect = EFFECTS["repair_date_promised"]
    deadlines_satisfy(
        complaint=complaint, kinds=effect.satisfies, reason=str(effect.satisfied_because)
    )
    (kind,) = effect.opens
    limit, _source = limit_for(complaint.dealer_id, kind)
    remind_at = None
    if limit.remind_before_hours:
        # A date promised for sooner than that is reminded of at the next sweep.
        remind_at = max(due_at - timedelta(hours=limit.remind_before_hours), timezone.now())
    return deadline_open(
        complaint=complaint,
        kind=kind,
        due_at=due_at,
        rule="promise",
        owner=complaint.assignee,
        created_by=actor,
        remind_at=remind_at,
    )


def deadline_after_step7(
    *, complaint: Complaint, event: str, actor: Actor, owner: Any, due_at: datetime, what: str
) -> Deadline:
    """Step 7 owes something after the close (`event` is "corrective_action_set" or
    "reflection_required"): one deadline, due when set, owned by whoever must do it, with a
    reminder before (a day, by default) and the sweep's breach and escalation. `what` is
    shown as the deadline's promise text."""
    (kind,) = EFFECTS[event].opens
    limit, _source = limit_for(complaint.dealer_id, kind)
    remind_at = None
    if limit.remind_before_hours:
        remind_at = max(due_at - timedelta(hours=limit.remind_before_hours), timezone.now())
    return deadline_open(
        complaint=complaint,
        kind=kind,
        due_at=due_at,
        rule="step7",
        promise=what,
        owner=owner,
        created_by=actor,
        remind_at=remind_at,
    )


def deadline_done(*, deadline: Deadline, event: str, note: str = "") -> bool:
    """Satisfy one deadline by hand (`event` is "promise_kept", "hand_over_confirmed",
    "corrective_action_checked" or "reflection_submitted"),
    with the note as its reason or else the table's. Returns False when it was no longer
    open: a deadline is met at most once."""
    effect = EFFECTS[event]
    if deadline.kind not in effect.satisfies:
        raise ValueError(f"{event} does not satisfy {deadline.kind} deadlines.")
    reason = note.strip()[:200] or str(effect.satisfied_because)
    done = (
        Deadline.objects.unscoped(reason="instance")
        .filter(OPEN, pk=deadline.pk)
        .update(satisfied_at=timezone.now(), outcome_reason=reason)
    )
    return done == 1

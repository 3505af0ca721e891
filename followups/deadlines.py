"""The deadline service: what every step of a case, and every fact recorded about it, does
to the case's deadlines.

`EFFECTS` below is the whole policy, one row per transition or event; the functions after
it apply a row and are called directly by the services that change a case
(complaints.services) or record a fact about it (followups.services), inside their
transaction with the case row locked. The time limits come from `followups.rules`
(`DEFAULT_LIMITS`, overridable per dealer within the firm rules).

The seeds' rules (DOMAIN.md) that the table implements:
- first response (第一时间): feedback to the customer within 24 h of intake (step 1), met
  only by reaching the customer (002: 24 小时内必须有反馈), never by a step change;
- a promise to the customer is concrete, recorded and due when promised (step 1);
- a decision that needs approval is answered by a manager within 8 h;
- a promised repair date: staff are reminded 4 h before so they can warn the customer in
  advance (step 5);
- progress updates (interim reports) every 24 h while the case waits on the dealer, from
  the investigation to the completed repair (step 5, 002: 定期向他通报处理进度);
- follow-up after service within 24 h when safety-related, 72 h otherwise, counted from the
  completed action (step 6); still dissatisfied: reopened with management's support;
- after a hand-over to a colleague or an outside supplier, a check within 24 h that the
  customer was not lost (step 6, 第一责任人).

What the table cannot say in one row, and the functions below add (each tested):
- a contact meets only the deadlines started by the time of the contact (a call logged
  late does not meet a deadline opened after it);
- the next progress update (interim report) after a contact or a delivered message opens only
  while the case still waits (investigating, assessing, awaiting approval, resolving);
- a step that opens a kind of which the case has one running keeps that one: the progress
  update's clock runs across the waiting steps, a step change is no news to the customer;
- the first time the customer is reached is the case's `first_response_at`;
- a hand-over check is owned by the previous owner (to a colleague) or by the case's owner
  (to a supplier; by whoever handed it over when the case has no owner);
- a promised repair date is reminded 4 h before it falls due, a promise to the customer at
  80 % of its time (followups.rules; one path: `deadline_remind_at`);
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

from .choices import REACHED, SINGLE_KINDS, WAITING_STATES, ContactChannel, DeadlineKind
from .models import OPEN, ContactAttempt, Deadline
from .rules import DEFAULT_LIMITS, due_by_rule, limit_for

FIRST_RESPONSE = DeadlineKind.FIRST_RESPONSE
COMMITMENT = DeadlineKind.COMMITMENT
APPROVAL = DeadlineKind.APPROVAL
REPAIR_COMPLETION = DeadlineKind.REPAIR_COMPLETION
INTERIM_REPORT = DeadlineKind.INTERIM_REPORT
FOLLOW_UP = DeadlineKind.FOLLOW_UP
TRANSFER_CHECK = DeadlineKind.TRANSFER_CHECK
PARTS_ARRIVAL = DeadlineKind.PARTS_ARRIVAL
CORRECTIVE_ACTION = DeadlineKind.CORRECTIVE_ACTION
REFLECTION_REPORT = DeadlineKind.REFLECTION_REPORT
EVERY_KIND = tuple(DeadlineKind)
# Step 7's deadlines are owed by a closed case (learning): closing opens them, not ends them.
STEP7_KINDS = (CORRECTIVE_ACTION, REFLECTION_REPORT)
CASE_KINDS = tuple(kind for kind in DeadlineKind if kind not in STEP7_KINDS)

# The reason written on the deadlines a transition cancels.
CASE_MOVED = _("Case moved to step “%(state)s”")
# A deadline's outcome is stored as the table's row that met or dropped it, with its fact
# ("@contact_reached:phone", "@close:closed"), and read in the reader's language
# (`outcome_text`); a person's note is stored as typed.
OUTCOME_CODE = "@"


def outcome_code(name: str, fact: str = "") -> str:
    """The stored outcome of a deadline met or dropped by the table's row `name`."""
    return f"{OUTCOME_CODE}{name}:{fact}" if fact else f"{OUTCOME_CODE}{name}"


def outcome_text(reason: str, *, cancelled: bool = False) -> str:
    """A deadline's stored outcome in the active language: the row's reason with its fact
    put in words; a person's note (or an outcome stored before the codes) as written."""
    name, _sep, fact = reason.removeprefix(OUTCOME_CODE).partition(":")
    effect = EFFECTS.get(name) if reason.startswith(OUTCOME_CODE) else None
    if effect is None:
        return reason
    facts = {
        "state": State(fact).label if fact in State.values else fact,
        "channel": ContactChannel(fact).label if fact in ContactChannel.values else fact,
    }
    because = effect.cancelled_because if cancelled else effect.satisfied_because
    return str(because) % facts


@dataclass(frozen=True)
class Effect:
    """What one transition or event does to a case's open deadlines, applied in this order:
    the kinds in `satisfies` are met (`satisfied_because` is their outcome, stored as the
    row's code and read when read), those in `cancels` are dropped (`cancelled_because`),
    those in `moves` get a new due time, and one deadline of each kind in `opens` starts,
    due after the kind's time limit (followups.rules) or, for a promise, when promised."""

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
    # Step 2: listening is no answer to the customer (002: 24 小时内必须有反馈): the first
    # response stays open until the customer is reached (contact_reached, message_delivered).
    "start_listening": Effect(
        cancels=(
            APPROVAL, REPAIR_COMPLETION, INTERIM_REPORT, FOLLOW_UP, PARTS_ARRIVAL, *STEP7_KINDS,
        ),
    ),
    # From here until follow-up the case waits on the dealer: the customer is told how it
    # goes every 24 h (定期向他通报处理进度). One progress update runs across the waiting
    # steps; a step that "opens" it keeps a running one (see _apply).
    "start_investigation": Effect(
        cancels=(APPROVAL, REPAIR_COMPLETION, FOLLOW_UP, PARTS_ARRIVAL, *STEP7_KINDS),
        opens=(INTERIM_REPORT,),
    ),
    # From findings on, a repair date may be promised (repair_date_promised): it survives
    # deciding and approval, and is met by the completed action.
    "record_findings": Effect(
        cancels=(APPROVAL, FOLLOW_UP, *STEP7_KINDS),
        opens=(INTERIM_REPORT,),
    ),
    # Step 5 starts: the progress updates go on while the repair does.
    "decide": Effect(
        cancels=(APPROVAL, FOLLOW_UP, *STEP7_KINDS),
        opens=(INTERIM_REPORT,),
    ),
    # A manager answers within 8 h.
    "submit_for_approval": Effect(
        cancels=(FOLLOW_UP, *STEP7_KINDS),
        opens=(APPROVAL, INTERIM_REPORT),
    ),
    "approve": Effect(
        satisfies=(APPROVAL,), satisfied_because=_("Approved"),
        cancels=(FOLLOW_UP, *STEP7_KINDS),
        opens=(INTERIM_REPORT,),
    ),
    "reject": Effect(
        satisfies=(APPROVAL,), satisfied_because=_("Rejected"),
        cancels=(FOLLOW_UP, *STEP7_KINDS),
        opens=(INTERIM_REPORT,),
    ),
    # Step 6: follow up within 24 h (safety-related) or 72 h, from the completion.
    "complete_action": Effect(
        satisfies=(REPAIR_COMPLETION,), satisfied_because=_("Action completed"),
        cancels=(APPROVAL, INTERIM_REPORT, PARTS_ARRIVAL, *STEP7_KINDS),
        opens=(FOLLOW_UP,),
    ),
    "confirm_resolved": Effect(
        satisfies=(FOLLOW_UP,), satisfied_because=_("Customer confirmed satisfied"),
        cancels=(
            FIRST_RESPONSE, APPROVAL, REPAIR_COMPLETION, INTERIM_REPORT, PARTS_ARRIVAL,
            *STEP7_KINDS,
        ),
    ),
    # Still dissatisfied: the repair starts again, with its progress updates.
    "reopen": Effect(
        satisfies=(FOLLOW_UP,), satisfied_because=_("Customer still dissatisfied: reopened"),
        cancels=(APPROVAL, *STEP7_KINDS),
        opens=(INTERIM_REPORT,),
    ),
    # A closed or withdrawn case owes the customer nothing more, promises included; a
    # closed one owes the dealership its step 7 (the events below).
    "close": Effect(cancels=CASE_KINDS),
    "withdraw": Effect(cancels=EVERY_KIND),

    # --- facts about the case ---------------------------------------------------------------
    # Step 1, first-time (第一时间): feedback within 24 h of intake.
    "intake": Effect(opens=(FIRST_RESPONSE,)),
    # Reaching the customer (satisfied or not) is the feedback, the progress update, the
    # follow-up call and the proof that a hand-over lost nobody, for every deadline started
    # by the time of the contact. While the case still waits, the next progress update is
    # due 24 h after this one.
    "contact_reached": Effect(
        satisfies=(FIRST_RESPONSE, INTERIM_REPORT, FOLLOW_UP, TRANSFER_CHECK),
        satisfied_because=_("Customer reached by %(channel)s"),
        opens=(INTERIM_REPORT,),
    ),
    # A message the customer received (the provider's receipt, or a channel that reports
    # none once it was handed over) is feedback and a progress update; it asks nothing, so
    # it is no follow-up and no proof that a hand-over lost nobody. The next progress
    # update is due 24 h after it while the case still waits.
    "message_delivered": Effect(
        satisfies=(FIRST_RESPONSE, INTERIM_REPORT),
        satisfied_because=_("Message delivered to the customer by %(channel)s"),
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
    # Step 5, 紧急订单: due when the part is expected, the owner warned a day before (so the
    # customer hears of a delay before the promised date); met when the part arrives.
    "parts_ordered": Effect(opens=(PARTS_ARRIVAL,)),
    "parts_arrived": Effect(satisfies=(PARTS_ARRIVAL,), satisfied_because=_("Parts arrived")),
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


def deadline_remind_at(
    *, complaint: Complaint, kind: str, started_at: datetime, due_at: datetime
) -> datetime | None:
    """When the owner of a deadline of this kind is warned that it falls due, or None: a
    fixed time before it (a promised repair date) or a share of its time after it started
    (a promise to the customer). A warning whose time has passed is given at the next sweep."""
    if not DEFAULT_LIMITS[kind].reminds:
        return None
    limit, _source = limit_for(complaint.dealer_id, kind)
    if limit.remind_before_hours:
        remind_at = due_at - timedelta(hours=limit.remind_before_hours)
    elif limit.remind_at_share:
        remind_at = started_at + (due_at - started_at) * limit.remind_at_share
    else:
        return None
    return max(remind_at, min(timezone.now(), due_at))


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
    promise_code: str = "",
) -> Deadline:
    """Start a deadline for a case, with the warning its kind gives before it falls due.
    Invariant: at most one open deadline of a rule-made kind per case (a database
    constraint); promises and hand-over checks may be many."""
    started_at = started_at or timezone.now()
    return Deadline.objects.create(
        complaint=complaint,
        kind=kind,
        started_at=started_at,
        due_at=due_at,
        rule=rule,
        promise=promise,
        promise_code=promise_code,
        owner=owner,
        created_by_id=actor_user_id(created_by),
        remind_at=deadline_remind_at(
            complaint=complaint, kind=kind, started_at=started_at, due_at=due_at
        ),
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
    name: str,
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
            reason=outcome_code(name, facts.get("state", "")),
            at=at,
        )
    if effect.cancels:
        deadlines_cancel(
            complaint=complaint,
            kinds=effect.cancels,
            reason=outcome_code(name, facts.get("state", "")),
            at=at,
        )
    for kind in effect.opens:
        if kind in SINGLE_KINDS and complaint.deadlines.filter(OPEN, kind=kind).exists():
            # Already running (a progress update across the waiting steps): kept as it is.
            continue
        deadline_open_by_rule(complaint=complaint, kind=kind, started_at=at, created_by=actor)


# --- what the services call -------------------------------------------------------------


def deadlines_after_intake(*, complaint: Complaint, actor: Actor) -> list[Deadline]:
    """A new case: its first response is due from the moment it was received. A new case
    has no deadline to meet, cancel or keep running, so the row's openings are all it does
    (and no query asks what is open)."""
    effect = EFFECTS["intake"]
    assert not (effect.satisfies or effect.cancels or effect.moves)  # noqa: S101
    return [
        deadline_open_by_rule(
            complaint=complaint, kind=kind, started_at=complaint.created_at, created_by=actor
        )
        for kind in effect.opens
    ]


def deadlines_after_transition(
    *, complaint: Complaint, name: str, actor: Actor, at: datetime
) -> None:
    """The case has just moved by transition `name` (it is in its new state): apply the
    transition's row of the table, at `at`, the moment of the move."""
    _apply(
        EFFECTS[name],
        name=name,
        complaint=complaint,
        actor=actor,
        at=at,
        facts={"state": complaint.state},
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
    the time of the contact, and while the case still waits the next progress update is due
    a day after it. Returns the deadlines it satisfied."""
    if contact.outcome not in REACHED:
        return []
    return _customer_reached(
        "contact_reached", complaint=complaint, at=contact.contacted_at, channel=contact.channel
    )


def deadlines_after_message_delivered(
    *, complaint: Complaint, delivered_at: datetime, channel: str
) -> list[Deadline]:
    """A message reached the customer (`channel` its ContactChannel value): it meets the
    first response and the progress update started by then, and while the case still waits
    the next progress update is due a day after it. Returns the deadlines it satisfied."""
    return _customer_reached(
        "message_delivered",
        complaint=complaint,
        at=delivered_at,
        channel=channel,
        satisfied_at=delivered_at,
    )


def _customer_reached(
    name: str,
    *,
    complaint: Complaint,
    at: datetime,
    channel: str,
    satisfied_at: datetime | None = None,
) -> list[Deadline]:
    """The customer was reached at `at`: the deadlines started by then are met (marked met
    at `satisfied_at`, or now), the case's first response is `at` if it had none."""
    effect = EFFECTS[name]
    satisfied = deadlines_satisfy(
        complaint=complaint,
        kinds=effect.satisfies,
        reason=outcome_code(name, channel),
        since=at,
        at=satisfied_at,
    )
    # The case's first response is the first time the customer heard from the dealer.
    Complaint.objects.unscoped(reason="instance").filter(
        pk=complaint.pk, first_response_at=None
    ).update(first_response_at=at)
    met = {deadline.kind for deadline in satisfied}
    if complaint.state in WAITING_STATES:
        for kind in effect.opens:
            if kind in met and not complaint.deadlines.filter(OPEN, kind=kind).exists():
                deadline_open_by_rule(complaint=complaint, kind=kind, started_at=at)
    return satisfied


def deadlines_after_promise(
    *, complaint: Complaint, actor: Actor, promise: str, due_at: datetime, promise_code: str = ""
) -> Deadline:
    """A promise was made to the customer: a deadline due when promised, owned by whoever
    promised (nobody, when an API client recorded it: then the case's owner is warned), who
    is warned at 80 % of its time."""
    (kind,) = EFFECTS["promise_made"].opens
    return deadline_open(
        complaint=complaint,
        kind=kind,
        due_at=due_at,
        rule="promise",
        promise=promise,
        promise_code=promise_code,
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
        complaint=complaint, kinds=effect.satisfies, reason=outcome_code("repair_date_promised")
    )
    (kind,) = effect.opens
    return deadline_open(
        complaint=complaint,
        kind=kind,
        due_at=due_at,
        rule="promise",
        owner=complaint.assignee,
        created_by=actor,
    )


def deadlines_after_parts_order(
    *, complaint: Complaint, actor: Actor, description: str, expected_at: datetime
) -> Deadline:
    """An emergency part was ordered: a deadline due at its expected arrival, owned by the
    case's owner (or whoever ordered it), who is warned before it is late."""
    (kind,) = EFFECTS["parts_ordered"].opens
    # The warning (a day before, by default) comes from the kind's limit, as for a repair date.
    owner = complaint.assignee or (actor if actor_user_id(actor) else None)
    return deadline_open(
        complaint=complaint,
        kind=kind,
        due_at=expected_at,
        rule="parts order",
        promise=description,
        owner=owner,
        created_by=actor,
    )


def deadlines_after_parts_arrived(*, deadline: Deadline, at: datetime | None = None) -> bool:
    """The ordered part arrived: its deadline is met (late or not). False when it was no
    longer open."""
    effect = EFFECTS["parts_arrived"]
    done = (
        Deadline.objects.unscoped(reason="instance")
        .filter(OPEN, pk=deadline.pk, kind__in=effect.satisfies)
        .update(satisfied_at=at or timezone.now(), outcome_reason=str(effect.satisfied_because))
    )
    return done == 1


def deadline_after_step7(
    *, complaint: Complaint, event: str, actor: Actor, owner: Any, due_at: datetime, what: str
) -> Deadline:
    """Step 7 owes something after the close (`event` is "corrective_action_set" or
    "reflection_required"): one deadline, due when set, owned by whoever must do it, with a
    reminder before (a day, by default) and the sweep's breach and escalation. `what` is
    shown as the deadline's promise text."""
    (kind,) = EFFECTS[event].opens
    return deadline_open(
        complaint=complaint,
        kind=kind,
        due_at=due_at,
        rule="step7",
        promise=what,
        owner=owner,
        created_by=actor,
    )


def deadline_done(*, deadline: Deadline, event: str, note: str = "") -> bool:
    """Satisfy one deadline by hand (`event` is "promise_kept", "hand_over_confirmed",
    "corrective_action_checked" or "reflection_submitted"),
    with the note as its reason or else the table's. Returns False when it was no longer
    open: a deadline is met at most once."""
    effect = EFFECTS[event]
    if deadline.kind not in effect.satisfies:
        raise ValueError(f"{event} does not satisfy {deadline.kind} deadlines.")
    # The person's note as typed, else the table's reason, read when read.
    reason = note.strip()[:200] or outcome_code(event)
    done = (
        Deadline.objects.unscoped(reason="instance")
        .filter(OPEN, pk=deadline.pk)
        .update(satisfied_at=timezone.now(), outcome_reason=reason)
    )
    return done == 1

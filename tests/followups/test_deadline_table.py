"""The deadline table (followups.deadlines.EFFECTS) against the seeds' rules, and every row of
it carried out through the services that change a case or record a fact about it.

The hours below are written out from the training material (DOMAIN.md), independently of the
code: the tests compare the code's limits and the deadlines the services open against them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest

from complaints import services as complaint_services
from complaints.choices import State
from complaints.services import TRANSITION_NAMES
from complaints.signals import case_changed
from followups import services
from followups.choices import KIND_STATES, SINGLE_KINDS, DeadlineKind
from followups.deadlines import EFFECTS, Effect, deadline_open
from followups.models import Deadline
from followups.rules import DEFAULT_LIMITS, FIRM_KINDS

from ..complaints.rules import MANAGER, TABLE, VALID_PAYLOADS
from ..factories import ComplaintFactory
from .conftest import START

K = DeadlineKind

# The seeds' rules, in hours (DOMAIN.md): feedback within 24 h of the complaint (第一时间);
# follow-up after service within 1 day when safety-related, within 3 days otherwise; a
# manager's approval within 8 h; interim reports every day of a long repair; a hand-over to a
# colleague or a supplier checked within 24 h; a promised repair date reminded of 4 h before.
DOMAIN_HOURS = {
    K.FIRST_RESPONSE: 24,
    K.APPROVAL: 8,
    K.INTERIM_REPORT: 24,
    K.FOLLOW_UP: 72,
    K.TRANSFER_CHECK: 24,
}
DOMAIN_SAFETY_FOLLOW_UP_HOURS = 24
DOMAIN_REPAIR_REMINDER_HOURS = 4

STEP7_EVENTS = (
    "corrective_action_set",
    "corrective_action_checked",
    "reflection_required",
    "reflection_submitted",
)
EVENTS = (
    "intake",
    "contact_reached",
    "contact_not_reached",
    "promise_made",
    "promise_kept",
    "repair_date_promised",
    "handed_to_colleague",
    "handed_to_supplier",
    "taken_back_from_supplier",
    "hand_over_confirmed",
    "became_safety_related",
    # Step 7, after the close: exercised by tests/learning/test_corrective_actions.py.
    *STEP7_EVENTS,
)

# Deadlines opened before the step under test start here; those it opens start at START.
EARLIER = START - timedelta(hours=1)


# --- the table itself ------------------------------------------------------------------


def test_the_table_has_a_row_for_every_transition_and_every_event():
    assert set(EFFECTS) == set(TRANSITION_NAMES) | set(EVENTS)
    assert set(TRANSITION_NAMES) == set(TABLE)


def test_the_default_limits_are_the_seeds_rules():
    assert DEFAULT_LIMITS[K.FIRST_RESPONSE].hours == 24
    assert DEFAULT_LIMITS[K.FOLLOW_UP].hours == 72
    assert DEFAULT_LIMITS[K.FOLLOW_UP].safety_hours == 24
    for kind, hours in DOMAIN_HOURS.items():
        assert DEFAULT_LIMITS[kind].hours == hours, kind
    assert DEFAULT_LIMITS[K.FOLLOW_UP].safety_hours == DOMAIN_SAFETY_FOLLOW_UP_HOURS
    assert DEFAULT_LIMITS[K.REPAIR_COMPLETION].remind_before_hours == 4
    # A dealer may tighten the seeds' firm rules, never loosen them.
    assert {K.FIRST_RESPONSE, K.FOLLOW_UP} <= FIRM_KINDS


@pytest.mark.parametrize("name", sorted(TABLE))
def test_a_transition_ends_exactly_the_deadlines_that_have_no_place_in_the_new_step(name):
    """What a transition cancels is what does not belong to the step it leads to, and
    nothing that does; what it opens belongs there."""
    target = TABLE[name][1]
    effect = EFFECTS[name]
    misplaced = {kind for kind, states in KIND_STATES.items() if target not in states}
    assert set(effect.cancels) == misplaced - set(effect.satisfies)
    assert not set(effect.cancels) & set(effect.satisfies)
    for kind in effect.opens:
        assert target in KIND_STATES[kind], kind


def test_every_kind_of_deadline_is_opened_and_met_somewhere():
    opened = {kind for effect in EFFECTS.values() for kind in effect.opens}
    met = {kind for effect in EFFECTS.values() for kind in effect.satisfies}
    assert opened == set(DeadlineKind) == met


# --- the table, carried out by the services ------------------------------------------------


@pytest.fixture
def no_listeners(monkeypatch):
    """Nobody hears `case_changed`: what happens to deadlines is the services' own doing."""
    monkeypatch.setattr(case_changed, "send", lambda *args, **kwargs: [])


@pytest.fixture
def advisor2(alice):
    from dealers.models import Role

    from ..factories import MembershipFactory, UserFactory

    user = UserFactory(username="sh01_advisor2")
    MembershipFactory(user=user, dealer=alice.dealer, role=Role.ADVISOR)
    return user


def _open_every_kind(complaint, effect: Effect) -> dict[str, Deadline]:
    """One open deadline of every kind, started an hour ago and due in three days, except a
    kind the step opens without ending it first (a case has one of those at a time)."""
    skip = {
        kind
        for kind in effect.opens
        if kind in SINGLE_KINDS and kind not in effect.satisfies + effect.cancels
    }
    return {
        kind: deadline_open(
            complaint=complaint,
            kind=kind,
            started_at=EARLIER,
            due_at=EARLIER + timedelta(hours=72),
            rule="earlier",
        )
        for kind in DeadlineKind
        if kind not in skip
    }


@dataclass
class Expected:
    """What the step opens: kind -> (due time, owner); the facts its reason is filled with."""

    opened: dict[str, tuple[datetime, Any]] = field(default_factory=dict)
    facts: dict[str, str] = field(default_factory=dict)


def _check(effect: Effect, complaint, before: dict[str, Deadline], expected: Expected) -> None:
    for kind, deadline in before.items():
        original_due = deadline.due_at
        deadline.refresh_from_db()
        if kind in effect.satisfies:
            assert deadline.satisfied_at == START and deadline.cancelled_at is None, kind
            assert deadline.outcome_reason == str(effect.satisfied_because) % expected.facts
        elif kind in effect.cancels:
            assert deadline.cancelled_at == START and deadline.satisfied_at is None, kind
            assert deadline.outcome_reason == str(effect.cancelled_because) % expected.facts
        elif kind in effect.moves:
            assert deadline.is_open, kind
            assert deadline.due_at == EARLIER + timedelta(hours=DOMAIN_SAFETY_FOLLOW_UP_HOURS)
        else:
            assert deadline.is_open and deadline.outcome_reason == "", kind
            assert deadline.due_at == original_due, kind
    new = Deadline.objects.filter(complaint=complaint).exclude(
        pk__in=[d.pk for d in before.values()]
    )
    assert sorted(d.kind for d in new) == sorted(effect.opens)
    assert set(expected.opened) == set(effect.opens)
    for deadline in new:
        due_at, owner = expected.opened[deadline.kind]
        assert deadline.is_open and deadline.breached_at is None
        assert deadline.started_at == START
        assert (deadline.due_at, deadline.owner) == (due_at, owner), deadline.kind


TRANSITION_CASES = [
    (name, source)
    for name, (sources, _target, _role) in TABLE.items()
    for source in sorted(sources)
]


@pytest.mark.parametrize(("name", "source"), TRANSITION_CASES)
def test_each_transition_does_to_deadlines_what_the_table_says(
    name, source, alice, clock, no_listeners
):
    complaint = ComplaintFactory(
        dealer=alice.dealer, assignee=alice.advisor, state=source, is_safety_related=False
    )
    effect = EFFECTS[name]
    before = _open_every_kind(complaint, effect)
    actor = alice.manager if TABLE[name][2] == MANAGER else alice.advisor
    complaint = complaint_services.complaint_transition(
        complaint=complaint, name=name, actor=actor, data=VALID_PAYLOADS[name]
    )
    assert complaint.state == TABLE[name][1]
    expected = Expected(
        opened={kind: (START + timedelta(hours=DOMAIN_HOURS[kind]), None) for kind in effect.opens},
        facts={"state": State(complaint.state).label},
    )
    if name == "close":
        # Step 7: the close also opens one check per corrective action (learning), tested
        # in tests/learning; here, only the case's own deadlines.
        Deadline.objects.filter(
            complaint=complaint, kind=K.CORRECTIVE_ACTION, rule="step7"
        ).exclude(pk__in=[d.pk for d in before.values()]).delete()
    _check(effect, complaint, before, expected)


def test_a_safety_related_case_is_followed_up_within_24_hours_of_completion(
    alice, clock, no_listeners
):
    complaint = ComplaintFactory(
        dealer=alice.dealer, assignee=alice.advisor, state=State.RESOLVING, is_safety_related=True
    )
    complaint_services.complaint_transition(
        complaint=complaint,
        name="complete_action",
        actor=alice.advisor,
        data=VALID_PAYLOADS["complete_action"],
    )
    follow_up = Deadline.objects.get(complaint=complaint, kind=K.FOLLOW_UP)
    assert follow_up.due_at == START + timedelta(hours=DOMAIN_SAFETY_FOLLOW_UP_HOURS)


def test_intake_opens_the_first_response_due_24_hours_later(
    alice, customer, vehicle, clock, no_listeners
):
    complaint = complaint_services.complaint_create(
        dealer=alice.dealer,
        actor=alice.advisor,
        customer=customer,
        vehicle=vehicle,
        channel="phone",
        category="workmanship",
        description="The screen goes black.",
    )
    _check(
        EFFECTS["intake"],
        complaint,
        {},
        Expected(
            opened={
                K.FIRST_RESPONSE: (START + timedelta(hours=DOMAIN_HOURS[K.FIRST_RESPONSE]), None)
            }
        ),
    )


# Each event, recorded through its service on a case in `state`; `run` returns what the
# event is expected to open.
@dataclass
class Scenario:
    state: str
    run: Callable[..., Expected]
    fields: dict[str, Any] = field(default_factory=dict)


def _contact(outcome: str) -> Callable[..., Expected]:
    def run(complaint, alice, before, advisor2) -> Expected:
        services.contact_record(
            complaint=complaint, actor=alice.advisor, channel="phone", outcome=outcome
        )
        if outcome == "unreachable":
            return Expected()
        # The repair goes on: the next interim report is due a day after this one.
        return Expected(
            opened={K.INTERIM_REPORT: (START + timedelta(hours=24), None)},
            facts={"channel": "Phone"},
        )

    return run


def _promise_made(complaint, alice, before, advisor2) -> Expected:
    due = START + timedelta(minutes=20)
    services.commitment_create(
        complaint=complaint, actor=alice.advisor, promise="We will call you back", due_at=due
    )
    return Expected(opened={K.COMMITMENT: (due, alice.advisor)})


def _promise_kept(complaint, alice, before, advisor2) -> Expected:
    services.commitment_keep(deadline=before[K.COMMITMENT], actor=alice.advisor)
    return Expected()


def _repair_date_promised(complaint, alice, before, advisor2) -> Expected:
    due = START + timedelta(days=4)
    services.repair_promise_set(complaint=complaint, actor=alice.advisor, due_at=due)
    repair = Deadline.objects.get(complaint=complaint, kind=K.REPAIR_COMPLETION, started_at=START)
    assert repair.remind_at == due - timedelta(hours=DOMAIN_REPAIR_REMINDER_HOURS)
    return Expected(opened={K.REPAIR_COMPLETION: (due, alice.advisor)})


def _handed_to_colleague(complaint, alice, before, advisor2) -> Expected:
    complaint_services.complaint_reassign(
        complaint=complaint, actor=alice.advisor, assignee=advisor2, reason="Holiday"
    )
    # The previous owner confirms the customer was told.
    due = START + timedelta(hours=DOMAIN_HOURS[K.TRANSFER_CHECK])
    return Expected(opened={K.TRANSFER_CHECK: (due, alice.advisor)})


def _handed_to_supplier(complaint, alice, before, advisor2) -> Expected:
    complaint_services.complaint_hand_to_supplier(
        complaint=complaint, actor=alice.manager, supplier="Jade Body Shop"
    )
    # The case's owner stays the customer's contact and confirms.
    due = START + timedelta(hours=DOMAIN_HOURS[K.TRANSFER_CHECK])
    return Expected(opened={K.TRANSFER_CHECK: (due, alice.advisor)})


def _taken_back(complaint, alice, before, advisor2) -> Expected:
    complaint_services.complaint_hand_to_supplier(
        complaint=complaint, actor=alice.advisor, supplier=""
    )
    return Expected()


def _hand_over_confirmed(complaint, alice, before, advisor2) -> Expected:
    services.transfer_check_confirm(deadline=before[K.TRANSFER_CHECK], actor=alice.manager)
    return Expected()


def _became_safety_related(complaint, alice, before, advisor2) -> Expected:
    complaint_services.complaint_update(
        complaint=complaint, actor=alice.advisor, data={"is_safety_related": True}
    )
    return Expected()


SCENARIOS = {
    "contact_reached": Scenario(State.RESOLVING, _contact("satisfied")),
    "contact_not_reached": Scenario(State.RESOLVING, _contact("unreachable")),
    "promise_made": Scenario(State.RESOLVING, _promise_made),
    "promise_kept": Scenario(State.RESOLVING, _promise_kept),
    "repair_date_promised": Scenario(State.RESOLVING, _repair_date_promised),
    "handed_to_colleague": Scenario(State.RESOLVING, _handed_to_colleague),
    "handed_to_supplier": Scenario(State.RESOLVING, _handed_to_supplier),
    "taken_back_from_supplier": Scenario(
        State.RESOLVING, _taken_back, {"supplier": "Jade Body Shop"}
    ),
    "hand_over_confirmed": Scenario(State.RESOLVING, _hand_over_confirmed),
    "became_safety_related": Scenario(
        State.FOLLOWING_UP, _became_safety_related, {"is_safety_related": False}
    ),
}


def test_every_event_of_the_table_has_a_scenario():
    assert set(SCENARIOS) | {"intake", *STEP7_EVENTS} == set(EVENTS)


@pytest.mark.parametrize("event", sorted(SCENARIOS))
def test_each_event_does_to_deadlines_what_the_table_says(
    event, alice, advisor2, clock, no_listeners
):
    scenario = SCENARIOS[event]
    complaint = ComplaintFactory(
        dealer=alice.dealer, assignee=alice.advisor, state=scenario.state, **scenario.fields
    )
    effect = EFFECTS[event]
    before = _open_every_kind(complaint, effect)
    expected = scenario.run(complaint, alice, before, advisor2)
    _check(effect, complaint, before, expected)


def test_a_contact_meets_only_the_deadlines_started_by_the_time_of_the_contact(
    alice, clock, no_listeners
):
    complaint = ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.RESOLVING)
    later = [
        deadline_open(complaint=complaint, kind=kind, due_at=START + timedelta(hours=24), rule="t")
        for kind in EFFECTS["contact_reached"].satisfies
    ]
    services.contact_record(
        complaint=complaint,
        actor=alice.advisor,
        channel="phone",
        outcome="satisfied",
        contacted_at=START - timedelta(minutes=2),
    )
    assert all(Deadline.objects.get(pk=d.pk).is_open for d in later)

"""Progress updates (进度通报, 002: 定期向他通报处理进度): while the case waits on the dealer
(investigating, assessing, awaiting approval, resolving) the customer hears how it goes every
24 h (or the dealer's own limit). Only reaching the customer meets one; the next is then due
24 h later while the case still waits; leaving those steps ends it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaints import services as complaint_services
from complaints.choices import State
from followups import services
from followups.choices import WAITING_STATES
from followups.models import Deadline, DeadlineRule
from messaging import services as messaging_services

from ..complaints.rules import VALID_PAYLOADS
from .conftest import START

# How each waiting step is reached by its transition, from the step before it.
INTO = {
    State.INVESTIGATING: ("start_investigation", State.LISTENING),
    State.ASSESSING: ("record_findings", State.INVESTIGATING),
    State.AWAITING_APPROVAL: ("submit_for_approval", State.ASSESSING),
    State.RESOLVING: ("decide", State.ASSESSING),
}


def _open_updates(complaint):
    return Deadline.objects.filter(
        complaint=complaint, kind="interim_report", satisfied_at=None, cancelled_at=None
    )


def test_every_waiting_step_is_covered():
    assert set(INTO) == set(WAITING_STATES)


@pytest.mark.parametrize("state", sorted(INTO))
def test_a_progress_update_is_due_24_hours_into_each_waiting_step(state, to_state, clock):
    name, source = INTO[state]
    complaint = to_state(name, from_state=source)
    assert complaint.state == state
    (update,) = _open_updates(complaint)
    assert update.due_at == START + timedelta(hours=24)


@pytest.mark.parametrize("state", sorted(INTO))
def test_reaching_the_customer_meets_the_update_and_opens_the_next_one(
    state, to_state, alice, clock, sweep
):
    name, source = INTO[state]
    complaint = to_state(name, from_state=source)
    (first,) = _open_updates(complaint)
    clock.shift(timedelta(hours=20))
    services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="phone", outcome="dissatisfied"
    )
    first.refresh_from_db()
    assert first.satisfied_at == START + timedelta(hours=20)
    (second,) = _open_updates(complaint)
    assert second.due_at == START + timedelta(hours=44)
    # A transition alone tells the customer nothing: the second update is missed.
    clock.shift(timedelta(hours=24, seconds=1))
    assert sweep().breached >= 1  # a manager's approval may be missed too
    second.refresh_from_db()
    assert second.breached_at is not None and second.is_open


@pytest.mark.parametrize("state", sorted(INTO))
def test_a_delivered_message_meets_the_update_and_opens_the_next_one(state, to_state, alice, clock):
    name, source = INTO[state]
    complaint = to_state(name, from_state=source)
    (first,) = _open_updates(complaint)
    clock.shift(timedelta(hours=3))
    message = messaging_services.message_send(
        complaint=complaint, actor=alice.advisor, purpose="progress", channel="sms"
    )
    # Queued is not told: nothing is met yet.
    assert _open_updates(complaint).get() == first
    clock.shift(timedelta(hours=1))
    messaging_services.message_mark_delivered(message=message)
    first.refresh_from_db()
    assert first.satisfied_at == START + timedelta(hours=4)
    assert first.outcome_text == "Message delivered to the customer by SMS"
    (second,) = _open_updates(complaint)
    assert second.due_at == START + timedelta(hours=28)


def test_one_update_runs_across_the_waiting_steps_and_ends_at_follow_up(to_state, alice, clock):
    complaint = to_state("start_investigation", from_state=State.LISTENING)
    (update,) = _open_updates(complaint)
    walk = [
        ("record_findings", alice.advisor),
        ("submit_for_approval", alice.advisor),
        ("reject", alice.manager),
        ("submit_for_approval", alice.advisor),
        ("approve", alice.manager2),
    ]
    for name, actor in walk:
        clock.shift(timedelta(hours=1))
        complaint = complaint_services.complaint_transition(
            complaint=complaint, name=name, actor=actor, data=VALID_PAYLOADS[name]
        )
        # A step change is no news to the customer: the same update keeps its due time.
        assert list(_open_updates(complaint)) == [update], name
    assert complaint.state == State.RESOLVING
    complaint_services.complaint_transition(
        complaint=complaint,
        name="complete_action",
        actor=alice.advisor,
        data=VALID_PAYLOADS["complete_action"],
    )
    update.refresh_from_db()
    assert update.cancelled_at is not None and update.satisfied_at is None
    assert not _open_updates(complaint).exists()


def test_withdrawing_a_waiting_case_cancels_its_update(to_state, alice, clock):
    complaint = to_state("start_investigation", from_state=State.LISTENING)
    complaint_services.complaint_transition(
        complaint=complaint, name="withdraw", actor=alice.manager, data={"reason": "Duplicate"}
    )
    assert not _open_updates(complaint).exists()
    assert Deadline.objects.get(complaint=complaint, kind="interim_report").cancelled_at


def test_a_reached_customer_after_the_case_stopped_waiting_opens_no_update(
    following_up, alice, clock
):
    complaint = following_up()
    services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="phone", outcome="satisfied"
    )
    assert not _open_updates(complaint).exists()


def test_the_dealer_sets_how_often_the_customer_is_updated(to_state, alice, clock):
    DeadlineRule.objects.create(dealer=alice.dealer, kind="interim_report", hours=12)
    complaint = to_state("start_investigation", from_state=State.LISTENING)
    assert _open_updates(complaint).get().due_at == START + timedelta(hours=12)
    clock.shift(timedelta(hours=2))
    services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="visit", outcome="dissatisfied"
    )
    assert _open_updates(complaint).get().due_at == START + timedelta(hours=14)

"""Every kind of deadline is created, satisfied, cancelled and breached at the right moment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaints import services as complaint_services
from complaints.choices import EventKind, State
from complaints.models import CaseEvent
from core.exceptions import Conflict, PermissionDenied, TransitionNotAllowed, ValidationFailed
from followups import services
from followups.models import Deadline, Notification

from ..complaints.rules import VALID_PAYLOADS
from .conftest import START


def _open(complaint, kind):
    return Deadline.objects.filter(
        complaint=complaint, kind=kind, satisfied_at=None, cancelled_at=None
    )


def _only(complaint, kind):
    return Deadline.objects.get(complaint=complaint, kind=kind)


@pytest.fixture
def intake(alice, customer, vehicle, clock):
    def make(**kwargs):
        kwargs.setdefault("component", "infotainment")
        return complaint_services.complaint_create(
            dealer=alice.dealer,
            actor=alice.advisor,
            customer=customer,
            vehicle=vehicle,
            channel="phone",
            category="workmanship",
            description="The screen goes black.",
            **kwargs,
        )

    return make


# --- first_response ---------------------------------------------------------------------


def test_first_response_is_due_24_hours_after_the_case_is_received(intake):
    complaint = intake()
    deadline = _only(complaint, "first_response")
    assert deadline.due_at == START + timedelta(hours=24)
    assert deadline.is_open and deadline.breached_at is None


def test_start_listening_satisfies_the_first_response(intake, alice, clock):
    complaint = intake()
    clock.shift(timedelta(hours=3))
    complaint_services.complaint_transition(
        complaint=complaint, name="start_listening", actor=alice.advisor
    )
    deadline = _only(complaint, "first_response")
    assert deadline.satisfied_at == START + timedelta(hours=3)
    assert deadline.outcome_reason == "Listening started"


def test_reaching_the_customer_satisfies_the_first_response_but_an_unreachable_call_does_not(
    intake, alice, clock
):
    complaint = intake()
    services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="phone", outcome="unreachable"
    )
    assert _open(complaint, "first_response").exists()
    services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="sms", outcome="dissatisfied"
    )
    assert not _open(complaint, "first_response").exists()


def test_first_response_is_breached_only_once_it_is_past_due(intake, alice, clock, sweep):
    complaint = intake()
    clock.shift(timedelta(hours=23, minutes=59))
    assert sweep().breached == 0
    clock.shift(timedelta(minutes=1))
    assert sweep().breached == 1
    deadline = _only(complaint, "first_response")
    assert deadline.breached_at == START + timedelta(hours=24)
    assert deadline.escalation_level == 1
    event = CaseEvent.objects.get(complaint=complaint, kind=EventKind.DEADLINE)
    assert event.payload["kind"] == "first_response" and event.actor is None
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"sh01_advisor", "sh01_manager", "sh01_manager2"}


def test_withdrawing_a_case_cancels_its_first_response_with_the_reason(intake, alice, clock):
    complaint = intake()
    complaint_services.complaint_transition(
        complaint=complaint, name="withdraw", actor=alice.manager, data={"reason": "Duplicate"}
    )
    deadline = _only(complaint, "first_response")
    assert deadline.cancelled_at is not None and deadline.satisfied_at is None
    assert "Withdrawn" in deadline.outcome_reason


# --- commitment -------------------------------------------------------------------------


def test_a_promise_is_a_deadline_on_the_timeline_until_kept(make_complaint, alice, clock, sweep):
    complaint = make_complaint(alice, state=State.LISTENING)
    deadline = services.commitment_create(
        complaint=complaint,
        actor=alice.advisor,
        promise="We will call you back within 20 minutes",
        due_at=START + timedelta(minutes=20),
    )
    assert deadline.kind == "commitment" and deadline.promise.startswith("We will call")
    event = CaseEvent.objects.get(complaint=complaint, kind=EventKind.COMMITMENT)
    assert event.comment == "We will call you back within 20 minutes"
    clock.shift(timedelta(minutes=15))
    services.commitment_keep(deadline=deadline, actor=alice.advisor, note="Called back")
    clock.shift(timedelta(hours=1))
    assert sweep().breached == 0
    deadline.refresh_from_db()
    assert deadline.satisfied_at == START + timedelta(minutes=15)
    assert deadline.outcome_reason == "Called back"


def test_a_broken_promise_is_breached_and_the_words_reach_the_managers(
    make_complaint, alice, clock, sweep
):
    complaint = make_complaint(alice, state=State.RESOLVING)
    services.commitment_create(
        complaint=complaint,
        actor=alice.advisor,
        promise="Your car will be ready by 3 pm",
        due_at=START + timedelta(hours=6),
    )
    clock.shift(timedelta(hours=6, seconds=1))
    assert sweep().breached == 1
    body = Notification.objects.get(recipient=alice.manager).body
    assert "Your car will be ready by 3 pm" in body
    assert complaint.reference in body


def test_a_promise_cannot_be_kept_twice(make_complaint, alice, clock):
    complaint = make_complaint(alice, state=State.LISTENING)
    deadline = services.commitment_create(
        complaint=complaint, actor=alice.advisor, promise="Call", due_at=START + timedelta(hours=1)
    )
    services.commitment_keep(deadline=deadline, actor=alice.advisor)
    with pytest.raises(Conflict):
        services.commitment_keep(deadline=deadline, actor=alice.advisor)


@pytest.mark.parametrize(
    ("promise", "offset", "field"),
    [("", timedelta(hours=1), "promise"), ("Call back", timedelta(hours=-1), "due_at")],
)
def test_a_vague_or_past_promise_is_refused_and_changes_nothing(
    promise, offset, field, make_complaint, alice, clock
):
    complaint = make_complaint(alice, state=State.LISTENING)
    with pytest.raises(ValidationFailed) as refused:
        services.commitment_create(
            complaint=complaint, actor=alice.advisor, promise=promise, due_at=START + offset
        )
    assert field in refused.value.field_errors
    assert not Deadline.objects.exists() and not CaseEvent.objects.exists()


def test_a_naive_due_time_is_refused(make_complaint, alice, clock):
    complaint = make_complaint(alice, state=State.LISTENING)
    with pytest.raises(ValidationFailed) as refused:
        services.commitment_create(
            complaint=complaint,
            actor=alice.advisor,
            promise="Call back",
            due_at=(START + timedelta(hours=1)).replace(tzinfo=None),
        )
    assert "due_at" in refused.value.field_errors


def test_regional_staff_and_other_dealers_cannot_record_promises(make_complaint, alice, bob, clock):
    complaint = make_complaint(alice, state=State.LISTENING, severity="serious")
    with pytest.raises(PermissionDenied):
        services.commitment_create(
            complaint=complaint,
            actor=alice.regional,
            promise="Call",
            due_at=START + timedelta(hours=1),
        )
    from core.exceptions import NotFound

    with pytest.raises(NotFound):
        services.commitment_create(
            complaint=complaint,
            actor=bob.advisor,
            promise="Call",
            due_at=START + timedelta(hours=1),
        )
    assert not Deadline.objects.exists()


def test_closing_a_case_cancels_its_open_promises(make_complaint, alice, clock):
    complaint = make_complaint(alice, state=State.REVIEWING)
    deadline = services.commitment_create(
        complaint=complaint,
        actor=alice.advisor,
        promise="Send the report",
        due_at=START + timedelta(days=2),
    )
    complaint_services.complaint_transition(
        complaint=complaint,
        name="close",
        actor=alice.manager,
        data=VALID_PAYLOADS["close"],
    )
    deadline.refresh_from_db()
    assert deadline.cancelled_at is not None and "Closed" in deadline.outcome_reason


# --- approval -----------------------------------------------------------------------------


def test_approval_is_due_8_hours_after_submission_and_satisfied_by_the_decision(
    to_state, alice, clock, sweep
):
    complaint = to_state("submit_for_approval", from_state=State.ASSESSING)
    deadline = _only(complaint, "approval")
    assert deadline.due_at == START + timedelta(hours=8)
    clock.shift(timedelta(hours=2))
    complaint_services.complaint_transition(
        complaint=complaint, name="approve", actor=alice.manager
    )
    deadline.refresh_from_db()
    assert deadline.satisfied_at == START + timedelta(hours=2)
    assert deadline.outcome_reason == "Approved"


def test_rejection_also_answers_the_approval(to_state, alice, clock):
    complaint = to_state("submit_for_approval", from_state=State.ASSESSING)
    complaint_services.complaint_transition(
        complaint=complaint, name="reject", actor=alice.manager, data={"reason": "Second option"}
    )
    assert _only(complaint, "approval").outcome_reason == "Rejected"


def test_an_unanswered_approval_is_breached_after_8_hours(to_state, alice, clock, sweep):
    complaint = to_state("submit_for_approval", from_state=State.ASSESSING)
    clock.shift(timedelta(hours=8))
    assert sweep().breached == 1
    assert _only(complaint, "approval").breached_at is not None


# --- repair_completion ------------------------------------------------------------------


def test_promised_repair_date_reminds_4_hours_before_and_breaches_after(
    to_state, alice, clock, sweep
):
    complaint = to_state("decide", from_state=State.ASSESSING)
    due = START + timedelta(days=4)
    services.repair_promise_set(complaint=complaint, actor=alice.advisor, due_at=due)
    clock.move_to(due - timedelta(hours=4, minutes=1))
    assert sweep().reminded == 0
    clock.move_to(due - timedelta(hours=4))
    result = sweep()
    assert result.reminded == 1 and result.breached == 0
    reminder = Notification.objects.get(kind="deadline_due_soon")
    assert reminder.recipient == alice.advisor
    assert "contact the customer in advance" in reminder.body
    assert sweep().reminded == 0
    clock.move_to(due + timedelta(seconds=1))
    assert sweep().breached == 1
    assert _only(complaint, "repair_completion").breached_at is not None


def test_a_new_promised_date_replaces_the_old_one(to_state, alice, clock):
    complaint = to_state("decide", from_state=State.ASSESSING)
    services.repair_promise_set(
        complaint=complaint, actor=alice.advisor, due_at=START + timedelta(days=4)
    )
    services.repair_promise_set(
        complaint=complaint, actor=alice.advisor, due_at=START + timedelta(days=5)
    )
    deadlines = Deadline.objects.filter(complaint=complaint, kind="repair_completion")
    assert deadlines.count() == 2
    assert _open(complaint, "repair_completion").get().due_at == START + timedelta(days=5)


def test_completing_the_action_satisfies_the_promised_repair(to_state, alice, clock):
    complaint = to_state("decide", from_state=State.ASSESSING)
    services.repair_promise_set(
        complaint=complaint, actor=alice.advisor, due_at=START + timedelta(days=1)
    )
    complaint_services.complaint_transition(
        complaint=complaint,
        name="complete_action",
        actor=alice.advisor,
        data={"agreed_resolution": "Repaired", "actions_taken": "New screen"},
    )
    assert _only(complaint, "repair_completion").outcome_reason == "Action completed"


def test_a_repair_date_promised_while_deciding_survives_approval(make_complaint, alice, clock):
    complaint = make_complaint(alice, state=State.ASSESSING)
    due = START + timedelta(days=3)
    services.repair_promise_set(complaint=complaint, actor=alice.advisor, due_at=due)
    for name, actor in (("submit_for_approval", alice.advisor), ("approve", alice.manager)):
        complaint = complaint_services.complaint_transition(
            complaint=complaint, name=name, actor=actor, data=VALID_PAYLOADS[name]
        )
    assert complaint.state == State.RESOLVING
    assert _open(complaint, "repair_completion").get().due_at == due


def test_a_repair_date_cannot_be_promised_for_a_case_under_review(make_complaint, alice, clock):
    complaint = make_complaint(alice, state=State.REVIEWING)
    with pytest.raises(TransitionNotAllowed):
        services.repair_promise_set(
            complaint=complaint, actor=alice.advisor, due_at=START + timedelta(days=1)
        )
    assert not Deadline.objects.exists() and not CaseEvent.objects.exists()


# --- interim_report -----------------------------------------------------------------------


def test_interim_reports_are_due_every_day_of_the_repair(to_state, alice, clock, sweep):
    complaint = to_state("decide", from_state=State.ASSESSING)
    first = _only(complaint, "interim_report")
    assert first.due_at == START + timedelta(hours=24)
    clock.shift(timedelta(hours=20))
    services.contact_record(
        complaint=complaint,
        actor=alice.advisor,
        channel="phone",
        outcome="dissatisfied",
        note="Parts arrive tomorrow",
    )
    first.refresh_from_db()
    assert first.satisfied_at is not None
    second = _open(complaint, "interim_report").get()
    assert second.due_at == START + timedelta(hours=44)
    clock.shift(timedelta(hours=24, seconds=1))
    assert sweep().breached == 1
    second.refresh_from_db()
    assert second.breached_at is not None


def test_completing_the_repair_cancels_the_pending_interim_report(to_state, alice, clock):
    complaint = to_state("decide", from_state=State.ASSESSING)
    complaint_services.complaint_transition(
        complaint=complaint,
        name="complete_action",
        actor=alice.advisor,
        data={"agreed_resolution": "Repaired", "actions_taken": "New screen"},
    )
    deadline = _only(complaint, "interim_report")
    assert deadline.cancelled_at is not None and deadline.satisfied_at is None


# --- follow_up ----------------------------------------------------------------------------


def test_follow_up_is_due_72_hours_after_completion_for_an_ordinary_case(following_up, clock):
    complaint = following_up(is_safety_related=False)
    assert _only(complaint, "follow_up").due_at == START + timedelta(hours=72)


def test_follow_up_is_due_24_hours_after_completion_for_a_safety_case(following_up, clock):
    complaint = following_up(is_safety_related=True)
    assert _only(complaint, "follow_up").due_at == START + timedelta(hours=24)


def test_a_case_that_becomes_safety_related_is_followed_up_within_24_hours_of_completion(
    following_up, alice, clock, sweep
):
    complaint = following_up(is_safety_related=False)
    clock.shift(timedelta(hours=30))
    complaint_services.complaint_update(
        complaint=complaint, actor=alice.advisor, data={"is_safety_related": True}
    )
    deadline = _only(complaint, "follow_up")
    assert deadline.due_at == START + timedelta(hours=24)
    # Already past: the next sweep reports it.
    assert sweep().breached == 1


def test_a_satisfied_call_satisfies_the_follow_up_and_allows_confirming(following_up, alice, clock):
    complaint = following_up()
    clock.shift(timedelta(hours=5))
    contact = services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="phone", outcome="satisfied"
    )
    assert _only(complaint, "follow_up").satisfied_at == START + timedelta(hours=5)
    complaint = complaint_services.complaint_transition(
        complaint=complaint, name="confirm_resolved", actor=alice.advisor
    )
    assert complaint.state == State.REVIEWING
    event = CaseEvent.objects.filter(complaint=complaint, transition="confirm_resolved").get()
    assert event.payload["contact"] == contact.pk


def test_an_unanswered_follow_up_is_breached(following_up, clock, sweep):
    complaint = following_up(is_safety_related=True)
    clock.shift(timedelta(hours=24))
    assert sweep().breached == 1
    assert _only(complaint, "follow_up").breached_at is not None


# --- transfer_check -----------------------------------------------------------------------


@pytest.fixture
def advisor2(alice):
    from dealers.models import Role

    from ..factories import MembershipFactory, UserFactory

    user = UserFactory(username="sh01_advisor2")
    MembershipFactory(user=user, dealer=alice.dealer, role=Role.ADVISOR)
    return user


def test_a_hand_over_asks_the_previous_owner_to_confirm_within_24_hours(
    make_complaint, alice, advisor2, clock, sweep
):
    complaint = make_complaint(alice, state=State.RESOLVING)
    complaint_services.complaint_reassign(
        complaint=complaint, actor=alice.advisor, assignee=advisor2, reason="Holiday"
    )
    check = _only(complaint, "transfer_check")
    assert check.owner == alice.advisor and check.due_at == START + timedelta(hours=24)
    clock.shift(timedelta(hours=2))
    services.transfer_check_confirm(deadline=check, actor=alice.advisor, note="Wang informed")
    check.refresh_from_db()
    assert check.satisfied_at == START + timedelta(hours=2)
    with pytest.raises(Conflict):
        services.transfer_check_confirm(deadline=check, actor=alice.advisor)


def test_an_unconfirmed_hand_over_is_breached_and_told_to_the_previous_owner(
    make_complaint, alice, advisor2, clock, sweep
):
    complaint = make_complaint(alice, state=State.RESOLVING)
    complaint_services.complaint_reassign(
        complaint=complaint, actor=alice.manager, assignee=advisor2
    )
    clock.shift(timedelta(hours=24))
    sweep()
    breach = Notification.objects.filter(deadline__kind="transfer_check")
    assert set(breach.values_list("recipient__username", flat=True)) == {
        "sh01_advisor",
        "sh01_manager",
        "sh01_manager2",
    }


def test_only_the_previous_owner_or_a_manager_confirms_a_hand_over(
    make_complaint, alice, advisor2, clock
):
    complaint = make_complaint(alice, state=State.RESOLVING)
    complaint_services.complaint_reassign(
        complaint=complaint, actor=alice.advisor, assignee=advisor2
    )
    check = _only(complaint, "transfer_check")
    with pytest.raises(PermissionDenied):
        services.transfer_check_confirm(deadline=check, actor=advisor2)
    services.transfer_check_confirm(deadline=check, actor=alice.manager)


def test_handing_the_work_to_a_supplier_asks_the_owner_to_confirm_within_24_hours(
    make_complaint, alice, clock, sweep
):
    complaint = make_complaint(alice, state=State.RESOLVING)
    complaint_services.complaint_hand_to_supplier(
        complaint=complaint, actor=alice.manager, supplier="Jade Body Shop"
    )
    check = _only(complaint, "transfer_check")
    # The advisor stays the customer's contact, so the advisor confirms.
    assert check.owner == alice.advisor and check.due_at == START + timedelta(hours=24)
    # Taking the work back asks for nothing more.
    complaint_services.complaint_hand_to_supplier(
        complaint=complaint, actor=alice.advisor, supplier=""
    )
    assert Deadline.objects.filter(complaint=complaint, kind="transfer_check").count() == 1
    clock.shift(timedelta(hours=24))
    assert sweep().breached == 1
    assert set(
        Notification.objects.filter(deadline=check).values_list("recipient__username", flat=True)
    ) == {"sh01_advisor", "sh01_manager", "sh01_manager2"}
    services.transfer_check_confirm(deadline=check, actor=alice.advisor, note="Wang informed")
    check.refresh_from_db()
    assert check.satisfied_at == START + timedelta(hours=24)


# --- leaving a state ---------------------------------------------------------------------


def test_nothing_stays_open_once_a_case_is_closed(following_up, alice, clock):
    complaint = following_up()
    services.commitment_create(
        complaint=complaint,
        actor=alice.advisor,
        promise="Send photos",
        due_at=START + timedelta(days=1),
    )
    services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="phone", outcome="satisfied"
    )
    complaint_services.complaint_transition(
        complaint=complaint, name="confirm_resolved", actor=alice.advisor
    )
    complaint_services.complaint_transition(
        complaint=complaint,
        name="close",
        actor=alice.manager,
        data=VALID_PAYLOADS["close"],
    )
    # What stays open is step 7's: the corrective action's check.
    assert set(
        Deadline.objects.filter(
            complaint=complaint, satisfied_at=None, cancelled_at=None
        ).values_list("kind", flat=True)
    ) == {"corrective_action"}
    assert all(
        d.outcome_reason
        for d in Deadline.objects.filter(complaint=complaint).exclude(kind="corrective_action")
    )

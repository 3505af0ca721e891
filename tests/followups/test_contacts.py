"""The contact log: the timeline, the customer's history, and step 6's decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaints import services as complaint_services
from complaints.choices import EventKind, State
from complaints.models import CaseEvent, Complaint
from core.exceptions import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from followups import selectors, services
from followups.models import ContactAttempt

from ..factories import ComplaintFactory
from .conftest import START


def test_a_contact_is_written_to_the_timeline_and_the_customers_history(
    make_complaint, alice, customer, clock
):
    first = make_complaint(alice, state=State.LISTENING, customer=customer)
    second = make_complaint(alice, state=State.RESOLVING, customer=customer)
    services.contact_record(
        complaint=first, actor=alice.advisor, channel="wechat", outcome="dissatisfied", note="Angry"
    )
    clock.shift(timedelta(hours=1))
    services.contact_record(
        complaint=second, actor=alice.advisor, channel="visit", outcome="satisfied"
    )
    event = CaseEvent.objects.get(complaint=first, kind=EventKind.CONTACT)
    assert event.comment == "Angry" and event.payload["channel"] == "wechat"
    assert event.actor == alice.advisor
    history = selectors.customer_contact_history(actor=alice.manager, customer=customer)
    assert [c.channel for c in history] == ["visit", "wechat"]
    assert [c.outcome for c in selectors.contact_list(actor=alice.advisor, complaint=first)] == [
        "dissatisfied"
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"outcome": "maybe"}, "outcome"),
        ({"contacted_at": START + timedelta(hours=1)}, "contacted_at"),
        ({"contacted_at": (START - timedelta(hours=1)).replace(tzinfo=None)}, "contacted_at"),
    ],
)
def test_a_wrong_contact_is_refused_with_the_field_named_and_changes_nothing(
    changes, field, make_complaint, alice, clock
):
    complaint = make_complaint(alice, state=State.LISTENING)
    data = {"channel": "phone", "outcome": "satisfied", **changes}
    with pytest.raises(ValidationFailed) as refused:
        services.contact_record(complaint=complaint, actor=alice.advisor, **data)
    assert field in refused.value.field_errors
    assert not ContactAttempt.objects.exists() and not CaseEvent.objects.exists()


def test_a_contact_older_than_the_case_is_refused(alice, clock):
    complaint = ComplaintFactory(dealer=alice.dealer, state=State.LISTENING)
    with pytest.raises(ValidationFailed):
        services.contact_record(
            complaint=complaint,
            actor=alice.advisor,
            channel="phone",
            outcome="satisfied",
            contacted_at=START - timedelta(days=2),
        )


def test_others_cannot_log_contacts(make_complaint, alice, bob, stranger, clock):
    complaint = make_complaint(alice, state=State.LISTENING, is_safety_related=True)
    with pytest.raises(PermissionDenied):
        services.contact_record(
            complaint=complaint, actor=alice.regional, channel="phone", outcome="satisfied"
        )
    for outsider in (bob.advisor, stranger):
        with pytest.raises(NotFound):
            services.contact_record(
                complaint=complaint, actor=outsider, channel="phone", outcome="satisfied"
            )
    assert not ContactAttempt.objects.exists()
    assert not selectors.contact_list(actor=bob.manager, complaint=complaint).exists()


def test_no_contact_can_be_logged_on_a_closed_case(make_complaint, alice, clock):
    complaint = make_complaint(alice, state=State.CLOSED)
    with pytest.raises(TransitionNotAllowed):
        services.contact_record(
            complaint=complaint, actor=alice.advisor, channel="phone", outcome="satisfied"
        )
    assert not ContactAttempt.objects.exists() and not CaseEvent.objects.exists()


def test_confirm_resolved_needs_a_satisfied_contact_since_the_follow_up_began(
    to_state, alice, clock
):
    complaint = ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.RESOLVING)
    # Satisfied during the repair: not the follow-up of step 6.
    services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="phone", outcome="satisfied"
    )
    clock.shift(timedelta(hours=1))
    complaint_services.complaint_transition(
        complaint=complaint,
        name="complete_action",
        actor=alice.advisor,
        data={"agreed_resolution": "Repaired", "actions_taken": "New pads"},
    )
    with pytest.raises(ValidationFailed) as refused:
        complaint_services.complaint_transition(
            complaint=complaint, name="confirm_resolved", actor=alice.advisor
        )
    assert "satisfied" in refused.value.field_errors["contact"][0]
    assert Complaint.objects.get(pk=complaint.pk).state == State.FOLLOWING_UP
    clock.shift(timedelta(hours=1))
    services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="phone", outcome="satisfied"
    )
    complaint_services.complaint_transition(
        complaint=complaint, name="confirm_resolved", actor=alice.advisor
    )
    assert Complaint.objects.get(pk=complaint.pk).state == State.REVIEWING


def test_a_named_contact_must_be_a_satisfied_one_of_this_case(following_up, alice, clock):
    complaint = following_up()
    other = following_up()
    unhappy = services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="phone", outcome="dissatisfied"
    )
    elsewhere = services.contact_record(
        complaint=other, actor=alice.advisor, channel="phone", outcome="satisfied"
    )
    for contact in (unhappy, elsewhere):
        with pytest.raises(ValidationFailed) as refused:
            complaint_services.complaint_transition(
                complaint=complaint,
                name="confirm_resolved",
                actor=alice.advisor,
                data={"contact": contact.pk},
            )
        assert "contact" in refused.value.field_errors


def test_reopen_needs_a_dissatisfied_contact(following_up, alice, clock):
    complaint = following_up()
    with pytest.raises(ValidationFailed) as refused:
        complaint_services.complaint_transition(
            complaint=complaint, name="reopen", actor=alice.advisor, data={"reason": "Noise"}
        )
    assert "dissatisfied" in refused.value.field_errors["contact"][0]
    services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="phone", outcome="dissatisfied"
    )
    complaint = complaint_services.complaint_transition(
        complaint=complaint, name="reopen", actor=alice.advisor, data={"reason": "Noise"}
    )
    assert complaint.state == State.RESOLVING and complaint.escalated

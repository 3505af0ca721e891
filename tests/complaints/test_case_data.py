"""The data rules of a case outside the state machine: intake, references, the customer's
original words, corrections, hand-overs, escalation and notes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from complaints import services
from complaints.choices import EventKind, State
from complaints.models import CaseEvent, Complaint
from core.exceptions import (
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from dealers.models import Role
from tests.factories import CustomerFactory, MembershipFactory, UserFactory, VehicleFactory

from .rules import snapshot

UTC = dt.UTC


def _intake(staff, customer=None, **kwargs):
    kwargs.setdefault("channel", "phone")
    kwargs.setdefault("category", "attitude")
    kwargs.setdefault("description", "The advisor was rude to me.")
    return services.complaint_create(
        dealer=staff.dealer,
        actor=kwargs.pop("actor", staff.advisor),
        customer=customer or CustomerFactory(dealer=staff.dealer),
        **kwargs,
    )


# --- intake and references ----------------------------------------------------------------


def test_references_count_per_dealer_and_year(alice, bob):
    with time_machine.travel(dt.datetime(2026, 6, 1, 4, 0, tzinfo=UTC), tick=False):
        first, second = _intake(alice), _intake(alice)
        other = _intake(bob)
    assert (first.reference, second.reference) == ("SH01-2026-000001", "SH01-2026-000002")
    assert other.reference == "GZ02-2026-000001"
    for complaint in (first, second, other):
        assert re.fullmatch(r"[A-Z0-9]{2,12}-\d{4}-\d{6}", complaint.reference)


def test_the_year_of_a_reference_is_the_dealers_local_year(alice, bob):
    bob.dealer.timezone = "Europe/Berlin"
    bob.dealer.save()
    with time_machine.travel(dt.datetime(2026, 12, 31, 15, 0, tzinfo=UTC), tick=False):
        assert _intake(alice).reference == "SH01-2026-000001"
    # 16:30 UTC is already 00:30 on 1 January in Shanghai, still 17:30 the day before in Berlin.
    with time_machine.travel(dt.datetime(2026, 12, 31, 16, 30, tzinfo=UTC), tick=False):
        assert _intake(alice).reference == "SH01-2027-000001"
        assert _intake(bob).reference == "GZ02-2026-000001"


def test_intake_records_a_created_event_and_the_owner(alice, customer, vehicle):
    complaint = _intake(alice, customer=customer, vehicle=vehicle, component="airbags_restraints")
    assert complaint.state == State.RECEIVED
    assert complaint.assignee == alice.advisor
    assert complaint.is_safety_related is True
    event = CaseEvent.objects.get(complaint=complaint)
    assert (event.kind, event.to_state, event.actor) == (
        EventKind.CREATED,
        State.RECEIVED,
        alice.advisor,
    )


def test_the_advisor_confirms_or_overrides_the_safety_proposal(alice):
    assert _intake(alice, component="brakes", is_safety_related=False).is_safety_related is False
    assert _intake(alice, component="hvac").is_safety_related is False
    assert _intake(alice, component="hvac", is_safety_related=True).is_safety_related is True


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"category": "weather"}, "category"),
        ({"component": "wings"}, "component"),
        ({"description": ""}, "description"),
    ],
)
def test_bad_intake_is_refused_and_creates_nothing(changes, field, alice):
    with pytest.raises(ValidationFailed) as refused:
        _intake(alice, **changes)
    assert field in refused.value.field_errors
    assert not Complaint.objects.exists()
    assert not CaseEvent.objects.exists()


def test_intake_refuses_another_dealers_customer_vehicle_or_assignee(alice, bob):
    foreign_customer = CustomerFactory(dealer=bob.dealer)
    foreign_vehicle = VehicleFactory(dealer=bob.dealer)
    with pytest.raises(ValidationFailed) as refused:
        _intake(alice, customer=foreign_customer)
    assert "customer" in refused.value.field_errors
    with pytest.raises(ValidationFailed) as refused:
        _intake(alice, vehicle=foreign_vehicle)
    assert "vehicle" in refused.value.field_errors
    for assignee in (bob.advisor, alice.regional):
        with pytest.raises(ValidationFailed) as refused:
            _intake(alice, assignee=assignee)
        assert "assignee" in refused.value.field_errors
    assert not Complaint.objects.exists()


def test_only_the_dealers_staff_log_a_case(alice, bob, stranger):
    for actor in (bob.advisor, alice.regional, stranger):
        with pytest.raises(PermissionDenied):
            _intake(alice, actor=actor)
    assert not Complaint.objects.exists()


# --- the customer's original words ---------------------------------------------------------


def test_original_description_survives_confirmation_and_corrections(alice):
    complaint = _intake(alice, description="保养后刹车一直响")
    services.complaint_update(
        complaint=complaint, actor=alice.advisor, data={"description": "Brakes squeal"}
    )
    services.complaint_transition(complaint=complaint, name="start_listening", actor=alice.advisor)
    services.complaint_transition(
        complaint=complaint,
        name="start_investigation",
        actor=alice.advisor,
        data={"description": "Front brakes squeal when braking lightly"},
    )
    services.complaint_update(
        complaint=complaint, actor=alice.advisor, data={"description": "Front left brake"}
    )
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.description == "Front left brake"
    assert stored.original_description == "保养后刹车一直响"


def test_original_description_cannot_be_corrected(alice):
    complaint = _intake(alice)
    before = snapshot(complaint)
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_update(
            complaint=complaint, actor=alice.manager, data={"original_description": "Nicer"}
        )
    assert "original_description" in refused.value.field_errors
    assert snapshot(complaint) == before


# --- corrections ----------------------------------------------------------------------------


def test_a_correction_records_from_and_to_values(alice):
    complaint = _intake(alice, customer_request="Apology")
    updated = services.complaint_update(
        complaint=complaint,
        actor=alice.advisor,
        data={"customer_request": "Apology and a free wash", "category": "attitude"},
    )
    assert updated.version == complaint.version + 1
    event = CaseEvent.objects.get(complaint=complaint, kind=EventKind.UPDATE)
    assert event.actor == alice.advisor
    assert event.payload == {
        "customer_request": {"from": "Apology", "to": "Apology and a free wash"}
    }


def test_a_correction_that_changes_nothing_leaves_no_event(alice):
    complaint = _intake(alice, customer_request="Apology")
    services.complaint_update(
        complaint=complaint, actor=alice.advisor, data={"customer_request": "Apology"}
    )
    assert not CaseEvent.objects.filter(complaint=complaint, kind=EventKind.UPDATE).exists()
    assert Complaint.objects.get(pk=complaint.pk).version == complaint.version


@pytest.mark.parametrize(
    ("state", "field", "value"),
    [
        (State.RECEIVED, "root_cause", "Pads"),
        (State.RECEIVED, "severity", "serious"),
        (State.RECEIVED, "state", "closed"),
        (State.RECEIVED, "assignee", 1),
        (State.RECEIVED, "escalated", True),
        (State.ASSESSING, "channel", "email"),
        (State.ASSESSING, "chosen_resolution", "Refund"),
        (State.RESOLVING, "description", "Changed"),
        (State.RESOLVING, "compensation_amount", "99999"),
        (State.CLOSED, "is_safety_related", True),
        (State.WITHDRAWN, "customer_request", "x"),
    ],
)
def test_only_the_fields_of_the_current_step_may_be_corrected(
    state, field, value, alice, make_complaint
):
    complaint = make_complaint(alice, state=state)
    before = snapshot(complaint)
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_update(
            complaint=complaint,
            actor=alice.manager,
            data={"customer_request": "Also this", field: value},
        )
    # The refused field is named; an allowed field sent with it is not applied either.
    assert field in refused.value.field_errors
    assert snapshot(complaint) == before


@pytest.mark.parametrize(
    ("state", "field", "value"),
    [
        (State.INVESTIGATING, "root_cause", "Glazed pads"),
        (State.ASSESSING, "root_cause", "Glazed pads"),
        (State.RESOLVING, "actions_taken", "Pads ordered"),
        (State.REVIEWING, "review_why", "Rushed inspection"),
    ],
)
def test_the_fields_of_the_current_step_may_be_corrected(
    state, field, value, alice, make_complaint
):
    complaint = make_complaint(alice, state=state)
    services.complaint_update(complaint=complaint, actor=alice.advisor, data={field: value})
    assert getattr(Complaint.objects.get(pk=complaint.pk), field) == value


def test_a_correction_with_a_bad_value_is_refused(alice, bob):
    complaint = _intake(alice)
    before = snapshot(complaint)
    for data in (
        {"channel": "fax"},
        {"description": ""},
        {"vehicle": VehicleFactory(dealer=bob.dealer).pk},
    ):
        with pytest.raises(ValidationFailed) as refused:
            services.complaint_update(complaint=complaint, actor=alice.advisor, data=data)
        assert list(refused.value.field_errors) == list(data)
    with pytest.raises(ValidationFailed):
        services.complaint_update(complaint=complaint, actor=alice.advisor, data=["channel"])
    assert snapshot(complaint) == before


def test_a_correction_can_attach_the_dealers_vehicle(alice):
    complaint = _intake(alice)
    vehicle = VehicleFactory(dealer=alice.dealer)
    services.complaint_update(
        complaint=complaint, actor=alice.advisor, data={"vehicle": vehicle.pk}
    )
    assert Complaint.objects.get(pk=complaint.pk).vehicle == vehicle


def test_a_correction_based_on_an_old_version_is_refused(alice):
    complaint = _intake(alice)
    seen = complaint.version
    services.complaint_update(complaint=complaint, actor=alice.advisor, data={"description": "A"})
    with pytest.raises(Conflict):
        services.complaint_update(
            complaint=complaint,
            actor=alice.manager,
            data={"description": "B"},
            expected_version=seen,
        )
    assert Complaint.objects.get(pk=complaint.pk).description == "A"


# --- hand-over, escalation, notes ---------------------------------------------------------------


@pytest.fixture
def second_advisor(alice):
    user = UserFactory(username="sh01_advisor2")
    MembershipFactory(user=user, dealer=alice.dealer, role=Role.ADVISOR)
    return user


def test_the_owner_hands_a_case_over(alice, second_advisor):
    complaint = _intake(alice)
    services.complaint_reassign(
        complaint=complaint, actor=alice.advisor, assignee=second_advisor, reason="On leave"
    )
    assert Complaint.objects.get(pk=complaint.pk).assignee == second_advisor
    event = CaseEvent.objects.get(complaint=complaint, kind=EventKind.REASSIGNMENT)
    assert event.payload == {"from": alice.advisor.pk, "to": second_advisor.pk}
    assert event.comment == "On leave" and event.actor == alice.advisor


def test_a_manager_hands_over_anyones_case(alice, second_advisor):
    complaint = _intake(alice)
    services.complaint_reassign(complaint=complaint, actor=alice.manager, assignee=second_advisor)
    assert Complaint.objects.get(pk=complaint.pk).assignee == second_advisor


def test_another_advisor_cannot_take_over_a_case(alice, second_advisor):
    complaint = _intake(alice)
    before = snapshot(complaint)
    with pytest.raises(PermissionDenied):
        services.complaint_reassign(
            complaint=complaint, actor=second_advisor, assignee=second_advisor
        )
    assert snapshot(complaint) == before


def test_the_new_owner_must_work_at_the_dealer(alice, bob, stranger):
    complaint = _intake(alice)
    inactive = UserFactory(username="gone", is_active=False)
    MembershipFactory(user=inactive, dealer=alice.dealer, role=Role.ADVISOR)
    before = snapshot(complaint)
    for assignee in (bob.advisor, bob.manager, alice.regional, stranger, inactive, None):
        with pytest.raises(ValidationFailed) as refused:
            services.complaint_reassign(complaint=complaint, actor=alice.manager, assignee=assignee)
        assert "assignee" in refused.value.field_errors
    assert snapshot(complaint) == before


def test_an_ended_case_is_not_handed_over(alice, make_complaint):
    for state in (State.CLOSED, State.WITHDRAWN):
        complaint = make_complaint(alice, state=state)
        with pytest.raises(TransitionNotAllowed):
            services.complaint_reassign(
                complaint=complaint, actor=alice.manager, assignee=alice.manager2
            )


def test_the_owner_hands_the_work_to_an_outside_supplier_and_takes_it_back(alice):
    complaint = _intake(alice)
    version = complaint.version
    services.complaint_hand_to_supplier(
        complaint=complaint, actor=alice.advisor, supplier="  Jade  Body Shop ", reason="Paint"
    )
    handed = Complaint.objects.get(pk=complaint.pk)
    assert (handed.supplier, handed.assignee, handed.version) == (
        "Jade Body Shop",
        alice.advisor,
        version + 1,
    )
    services.complaint_hand_to_supplier(complaint=handed, actor=alice.manager, supplier="")
    assert Complaint.objects.get(pk=complaint.pk).supplier == ""
    first, back = CaseEvent.objects.filter(complaint=complaint, kind=EventKind.REASSIGNMENT)
    assert first.payload == {"supplier": "Jade Body Shop", "previous_supplier": ""}
    assert first.comment == "Handed to the outside supplier Jade Body Shop.\nPaint"
    assert back.payload == {"supplier": "", "previous_supplier": "Jade Body Shop"}
    assert back.comment == "Work taken back from the outside supplier Jade Body Shop."
    assert back.actor == alice.manager


def test_handing_to_the_same_supplier_again_changes_nothing(alice):
    complaint = _intake(alice)
    services.complaint_hand_to_supplier(complaint=complaint, actor=alice.advisor, supplier="X")
    before = snapshot(complaint)
    services.complaint_hand_to_supplier(complaint=complaint, actor=alice.advisor, supplier="X")
    assert snapshot(complaint) == before


def test_a_supplier_hand_over_is_refused_with_the_reason_and_changes_nothing(
    alice, bob, second_advisor, make_complaint
):
    complaint = _intake(alice)
    before = snapshot(complaint)
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_hand_to_supplier(complaint=complaint, actor=alice.advisor, supplier=" ")
    assert "supplier" in refused.value.field_errors
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_hand_to_supplier(
            complaint=complaint, actor=alice.advisor, supplier="x" * 201
        )
    assert "supplier" in refused.value.field_errors
    with pytest.raises(PermissionDenied):
        services.complaint_hand_to_supplier(
            complaint=complaint, actor=second_advisor, supplier="Jade Body Shop"
        )
    with pytest.raises((PermissionDenied, NotFound)):
        services.complaint_hand_to_supplier(
            complaint=complaint, actor=bob.manager, supplier="Jade Body Shop"
        )
    assert snapshot(complaint) == before
    for state in (State.CLOSED, State.WITHDRAWN):
        ended = make_complaint(alice, state=state)
        with pytest.raises(TransitionNotAllowed):
            services.complaint_hand_to_supplier(
                complaint=ended, actor=alice.manager, supplier="Jade Body Shop"
            )


def test_escalation_flags_the_case_and_leaves_an_event(alice):
    complaint = _intake(alice)
    services.complaint_escalate(complaint=complaint, actor=alice.advisor, reason="Customer angry")
    assert Complaint.objects.get(pk=complaint.pk).escalated is True
    event = CaseEvent.objects.get(complaint=complaint, kind=EventKind.ESCALATION)
    assert event.comment == "Customer angry" and event.actor == alice.advisor


def test_escalation_needs_a_reason_and_an_open_case(alice, make_complaint):
    complaint = _intake(alice)
    before = snapshot(complaint)
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_escalate(complaint=complaint, actor=alice.advisor, reason="  ")
    assert "reason" in refused.value.field_errors
    assert snapshot(complaint) == before
    closed = make_complaint(alice, state=State.CLOSED)
    with pytest.raises(TransitionNotAllowed):
        services.complaint_escalate(complaint=closed, actor=alice.manager, reason="Too late")
    assert Complaint.objects.get(pk=closed.pk).escalated is False


def test_a_note_is_added_to_the_timeline_without_changing_the_case(alice):
    complaint = _intake(alice)
    before = snapshot(complaint)
    event = services.complaint_add_note(
        complaint=complaint, actor=alice.manager, comment="Called the customer back"
    )
    assert (event.kind, event.comment, event.actor) == (
        EventKind.NOTE,
        "Called the customer back",
        alice.manager,
    )
    after = snapshot(complaint)
    assert after.pop("#events") == before.pop("#events") + 1
    assert after == before


def test_an_empty_note_is_refused(alice):
    complaint = _intake(alice)
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_add_note(complaint=complaint, actor=alice.advisor, comment=" ")
    assert "comment" in refused.value.field_errors
    assert CaseEvent.objects.filter(complaint=complaint).count() == 1


def test_an_unknown_transition_is_not_found(alice):
    complaint = _intake(alice)
    with pytest.raises(NotFound) as refused:
        services.complaint_transition(complaint=complaint, name="teleport", actor=alice.manager)
    assert refused.value.code == "unknown_transition"

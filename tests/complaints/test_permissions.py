"""Who may run which transition: advisors, managers (four eyes on approval), superusers;
regional staff and strangers run none; another dealer's staff do not even find the case."""

from __future__ import annotations

import pytest

from complaints import selectors, services
from complaints.choices import State
from complaints.models import Complaint
from core.exceptions import ApplicationError, NotFound, PermissionDenied
from tests.factories import UserFactory

from .rules import (
    ADVISOR,
    ADVISOR_TRANSITIONS,
    MANAGER,
    MANAGER_ONLY_TRANSITIONS,
    STATES,
    TABLE,
    TRANSITIONS,
    VALID_PAYLOADS,
    allowed_from,
    snapshot,
)


def _source(name):
    return sorted(TABLE[name][0])[0]


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.mark.parametrize("name", sorted(MANAGER_ONLY_TRANSITIONS))
def test_advisor_cannot_run_a_manager_transition(name, alice, make_complaint):
    complaint = make_complaint(alice, state=_source(name))
    before = snapshot(complaint)
    with pytest.raises(PermissionDenied) as refused:
        services.complaint_transition(
            complaint=complaint, name=name, actor=alice.advisor, data=VALID_PAYLOADS[name]
        )
    assert "manager" in str(refused.value.message).lower()
    assert snapshot(complaint) == before


@pytest.mark.parametrize("name", sorted(ADVISOR_TRANSITIONS))
def test_manager_can_do_what_an_advisor_does(name, alice, make_complaint):
    complaint = make_complaint(alice, state=_source(name))
    services.complaint_transition(
        complaint=complaint, name=name, actor=alice.manager2, data=VALID_PAYLOADS[name]
    )
    assert Complaint.objects.get(pk=complaint.pk).state == TABLE[name][1]


def _submitted_by(actor, alice, make_complaint):
    complaint = make_complaint(alice, state=State.ASSESSING)
    return services.complaint_transition(
        complaint=complaint,
        name="submit_for_approval",
        actor=actor,
        data=VALID_PAYLOADS["submit_for_approval"],
    )


def test_manager_cannot_approve_own_submission(alice, make_complaint):
    complaint = _submitted_by(alice.manager, alice, make_complaint)
    before = snapshot(complaint)
    with pytest.raises(PermissionDenied) as refused:
        services.complaint_transition(complaint=complaint, name="approve", actor=alice.manager)
    assert "another manager" in str(refused.value.message)
    assert snapshot(complaint) == before
    assert "approve" not in services.available_transitions(complaint=complaint, actor=alice.manager)


def test_another_manager_approves_a_managers_submission(alice, make_complaint):
    complaint = _submitted_by(alice.manager, alice, make_complaint)
    services.complaint_transition(complaint=complaint, name="approve", actor=alice.manager2)
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.state == State.RESOLVING
    assert stored.approved_by == alice.manager2
    assert stored.submitted_by == alice.manager


def test_the_submitter_may_still_reject_their_own_submission(alice, make_complaint):
    complaint = _submitted_by(alice.manager, alice, make_complaint)
    services.complaint_transition(
        complaint=complaint, name="reject", actor=alice.manager, data={"reason": "Rethink it"}
    )
    assert Complaint.objects.get(pk=complaint.pk).state == State.ASSESSING


def test_a_resubmission_after_rejection_is_approved_by_someone_else(alice, make_complaint):
    complaint = _submitted_by(alice.manager, alice, make_complaint)
    services.complaint_transition(
        complaint=complaint, name="reject", actor=alice.manager2, data={"reason": "Rethink"}
    )
    services.complaint_transition(
        complaint=complaint,
        name="submit_for_approval",
        actor=alice.manager,
        data=VALID_PAYLOADS["submit_for_approval"],
    )
    with pytest.raises(PermissionDenied):
        services.complaint_transition(complaint=complaint, name="approve", actor=alice.manager)


def test_superuser_can_run_transitions(superuser, alice, make_complaint):
    for name in TRANSITIONS:
        complaint = make_complaint(alice, state=_source(name))
        services.complaint_transition(
            complaint=complaint, name=name, actor=superuser, data=VALID_PAYLOADS[name]
        )
        assert Complaint.objects.get(pk=complaint.pk).state == TABLE[name][1], name


def test_superuser_cannot_approve_own_submission(superuser, alice, make_complaint):
    complaint = _submitted_by(superuser, alice, make_complaint)
    before = snapshot(complaint)
    with pytest.raises(PermissionDenied) as refused:
        services.complaint_transition(complaint=complaint, name="approve", actor=superuser)
    assert "another manager" in str(refused.value.message)
    assert snapshot(complaint) == before


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("who", ["regional", "stranger"])
def test_regional_staff_and_strangers_run_no_transition(
    who, state, alice, stranger, make_complaint
):
    actor = alice.regional if who == "regional" else stranger
    # Serious and safety-related: a case the regional staff may read.
    complaint = make_complaint(
        alice, state=state, is_safety_related=True, severity="serious", serious_reasons=["x"]
    )
    assert services.available_transitions(complaint=complaint, actor=actor) == []
    before = snapshot(complaint)
    for name in TRANSITIONS:
        with pytest.raises((PermissionDenied, NotFound)):
            services.complaint_transition(
                complaint=complaint, name=name, actor=actor, data=VALID_PAYLOADS[name]
            )
    assert snapshot(complaint) == before


def test_regional_staff_cannot_change_a_case_they_can_read(alice, make_complaint):
    complaint = make_complaint(alice, state=State.RESOLVING, is_safety_related=True)
    assert selectors.complaint_get(actor=alice.regional, reference=complaint.reference)
    before = snapshot(complaint)
    with pytest.raises(ApplicationError):
        services.complaint_update(
            complaint=complaint, actor=alice.regional, data={"is_safety_related": False}
        )
    with pytest.raises(ApplicationError):
        services.complaint_escalate(complaint=complaint, actor=alice.regional, reason="Why?")
    with pytest.raises(ApplicationError):
        services.complaint_add_note(complaint=complaint, actor=alice.regional, comment="Hi")
    with pytest.raises(ApplicationError):
        services.complaint_reassign(
            complaint=complaint, actor=alice.regional, assignee=alice.manager
        )
    assert snapshot(complaint) == before


def _other_dealer_calls(complaint, actor):
    for name in TRANSITIONS:
        yield (
            name,
            lambda name=name: services.complaint_transition(
                complaint=complaint, name=name, actor=actor, data=VALID_PAYLOADS[name]
            ),
        )
    yield (
        "update",
        lambda: services.complaint_update(
            complaint=complaint, actor=actor, data={"customer_request": "x"}
        ),
    )
    yield (
        "reassign",
        lambda: services.complaint_reassign(complaint=complaint, actor=actor, assignee=actor),
    )
    yield (
        "escalate",
        lambda: services.complaint_escalate(complaint=complaint, actor=actor, reason="Because"),
    )
    yield (
        "note",
        lambda: services.complaint_add_note(complaint=complaint, actor=actor, comment="Hello"),
    )
    yield "get", lambda: selectors.complaint_get(actor=actor, reference=complaint.reference)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ["advisor", "manager", "regional"])
def test_another_dealers_staff_get_not_found_never_permission_denied(
    role, state, alice, bob, make_complaint
):
    actor = getattr(bob, role)
    complaint = make_complaint(alice, state=state, is_safety_related=True)
    before = snapshot(complaint)
    for label, call in _other_dealer_calls(complaint, actor):
        with pytest.raises(ApplicationError) as refused:
            call()
        assert type(refused.value) is NotFound, label
    assert snapshot(complaint) == before
    assert services.available_transitions(complaint=complaint, actor=actor) == []


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", [ADVISOR, MANAGER])
def test_available_transitions_lists_exactly_what_the_role_may_do(
    role, state, alice, make_complaint
):
    complaint = make_complaint(alice, state=state)
    actor = alice.advisor if role == ADVISOR else alice.manager
    offered = services.available_transitions(complaint=complaint, actor=actor)
    assert sorted(offered) == sorted(allowed_from(state, role))
    for name in offered:
        services.complaint_transition(
            complaint=make_complaint(alice, state=state),
            name=name,
            actor=actor,
            data=VALID_PAYLOADS[name],
        )


def test_available_transitions_hide_approval_from_the_submitter(superuser, alice, make_complaint):
    complaint = _submitted_by(alice.manager, alice, make_complaint)
    assert set(services.available_transitions(complaint=complaint, actor=alice.manager)) == {
        "reject"
    }
    for other in (alice.manager2, superuser):
        assert set(services.available_transitions(complaint=complaint, actor=other)) == {
            "approve",
            "reject",
        }
    assert services.available_transitions(complaint=complaint, actor=alice.advisor) == []


def test_inactive_manager_can_do_nothing(alice, make_complaint):
    alice.manager.is_active = False
    alice.manager.save()
    complaint = make_complaint(alice, state=State.RECEIVED)
    assert services.available_transitions(complaint=complaint, actor=alice.manager) == []
    with pytest.raises((NotFound, PermissionDenied)):
        services.complaint_transition(
            complaint=complaint, name="withdraw", actor=alice.manager, data={"reason": "x"}
        )

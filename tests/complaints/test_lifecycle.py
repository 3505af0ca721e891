"""A case travels the seven steps through the service layer, as every entry point uses it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from complaints import services
from complaints.choices import EventKind, State
from complaints.models import CaseEvent
from followups.services import contact_record

DECISION = {
    "severity": "normal",
    "responsibility": "dealer",
    "responsibility_reason": "faulty_repair",
    "resolution_options": ["Replace pads free of charge", "Refund the last service"],
    "chosen_resolution": "Replace pads free of charge",
    "compensation_amount": "0",
}


@pytest.fixture
def intake(alice, customer, vehicle):
    return services.complaint_create(
        dealer=alice.dealer,
        actor=alice.advisor,
        customer=customer,
        vehicle=vehicle,
        channel="walk_in",
        category="workmanship",
        component="brakes",
        description="刹车异响，上次保养后开始。",
        customer_request="免费修好",
    )


def test_intake_keeps_original_words_and_owner_and_proposes_safety(intake, alice):
    assert intake.state == State.RECEIVED
    assert intake.original_description == "刹车异响，上次保养后开始。"
    assert intake.assignee == alice.advisor
    assert intake.is_safety_related is True  # brakes propose safety-related
    assert intake.reference.startswith("SH01-")
    assert intake.reference.endswith("-000001")
    event = CaseEvent.objects.get(complaint=intake)
    assert event.kind == EventKind.CREATED and event.actor == alice.advisor


def test_full_walk_through_all_seven_steps(intake, alice):
    advisor, manager = alice.advisor, alice.manager
    c = services.complaint_transition(complaint=intake, name="start_listening", actor=advisor)
    assert c.first_response_at is not None
    c = services.complaint_transition(
        complaint=c,
        name="start_investigation",
        actor=advisor,
        data={"description": "Front brakes squeal when braking lightly."},
    )
    assert c.original_description == "刹车异响，上次保养后开始。"
    c = services.complaint_transition(
        complaint=c,
        name="record_findings",
        actor=advisor,
        data={"fault_finding": "fault", "root_cause": "Pads"},
    )
    c = services.complaint_transition(
        complaint=c,
        name="submit_for_approval",
        actor=advisor,
        data={**DECISION, "severity": "serious", "serious_reasons": ["safety_function"]},
    )
    assert c.state == State.AWAITING_APPROVAL and c.submitted_by == advisor
    c = services.complaint_transition(complaint=c, name="approve", actor=manager)
    assert c.approved_by == manager
    c = services.complaint_transition(
        complaint=c,
        name="complete_action",
        actor=advisor,
        data={"agreed_resolution": "Pads replaced", "actions_taken": "New pads, test drive"},
    )
    contact_record(complaint=c, actor=advisor, channel="phone", outcome="satisfied")
    c = services.complaint_transition(complaint=c, name="confirm_resolved", actor=advisor)
    c = services.complaint_transition(
        complaint=c,
        name="close",
        actor=manager,
        data={
            "review_why": "Pads not checked",
            "handled_well": True,
            "review_handling": "Fast",
            "review_prevention": "Brake checklist at every service",
            "root_cause_category": "workmanship",
            "cause_lies_with": "system",
            "corrective_actions": [
                {"cause": "Pads not checked", "action": "Brake checklist", "due": "2099-01-31"}
            ],
        },
    )
    assert c.state == State.CLOSED and c.closed_at is not None
    transitions = list(
        CaseEvent.objects.filter(complaint=c, kind=EventKind.TRANSITION).values_list(
            "transition", flat=True
        )
    )
    assert transitions == [
        "start_listening",
        "start_investigation",
        "record_findings",
        "submit_for_approval",
        "approve",
        "complete_action",
        "confirm_resolved",
        "close",
    ]
    assert c.version == 9


def test_compensation_over_limit_cannot_be_decided_alone(make_complaint, alice):
    complaint = make_complaint(alice, state=State.ASSESSING)
    from core.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        services.complaint_transition(
            complaint=complaint,
            name="decide",
            actor=alice.advisor,
            data={
                **DECISION,
                "compensation_amount": str(alice.dealer.approval_limit + Decimal("0.01")),
            },
        )
    assert "__all__" in exc.value.field_errors
    assert exc.value.code == "approval_required"
    complaint.refresh_from_db()
    assert complaint.state == State.ASSESSING

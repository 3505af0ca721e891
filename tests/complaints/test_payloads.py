"""What each transition needs: a missing or wrong field is refused, named, and changes
nothing; the decision rules of step 4 hold."""

from __future__ import annotations

from decimal import Decimal

import pytest

from complaints import services
from complaints.choices import State
from complaints.models import Complaint
from core.exceptions import ValidationFailed

from .rules import DECISION, MANAGER, SERIOUS_DECISION, TABLE, VALID_PAYLOADS, snapshot

REQUIRED = {
    "start_investigation": ["description"],
    "record_findings": ["fault_finding", "root_cause"],
    "decide": ["severity", "responsibility", "resolution_options", "chosen_resolution"],
    "submit_for_approval": [
        "severity",
        "responsibility",
        "resolution_options",
        "chosen_resolution",
    ],
    "reject": ["reason"],
    "complete_action": ["agreed_resolution", "actions_taken"],
    "reopen": ["reason"],
    "close": [
        "review_why",
        "handled_well",
        "review_handling",
        "root_cause_category",
        "cause_lies_with",
        "corrective_actions",
    ],
    "withdraw": ["reason"],
}
MISSING = [(name, field) for name, fields in REQUIRED.items() for field in fields]


def _case_for(name, staff, make_complaint, **fields):
    state = sorted(TABLE[name][0])[0]
    return make_complaint(staff, state=state, **fields)


def _actor_for(staff, name):
    return staff.manager if TABLE[name][2] == MANAGER else staff.advisor


def _refused(complaint, name, actor, data):
    """Run the transition, expect a refusal, check nothing changed; return the field errors."""
    before = snapshot(complaint)
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_transition(complaint=complaint, name=name, actor=actor, data=data)
    assert snapshot(complaint) == before
    return refused.value.field_errors


@pytest.mark.parametrize(("name", "field"), MISSING)
def test_missing_required_field_is_named_and_changes_nothing(name, field, alice, make_complaint):
    complaint = _case_for(name, alice, make_complaint)
    data = {k: v for k, v in VALID_PAYLOADS[name].items() if k != field}
    errors = _refused(complaint, name, _actor_for(alice, name), data)
    assert field in errors and errors[field]


@pytest.mark.parametrize(("name", "field"), MISSING)
def test_blank_required_field_counts_as_missing(name, field, alice, make_complaint):
    complaint = _case_for(name, alice, make_complaint)
    data = {**VALID_PAYLOADS[name], field: "   "}
    errors = _refused(complaint, name, _actor_for(alice, name), data)
    assert field in errors


@pytest.mark.parametrize("name", list(TABLE))
def test_unknown_payload_field_is_refused(name, alice, make_complaint):
    complaint = _case_for(name, alice, make_complaint)
    data = {**VALID_PAYLOADS[name], "state": "closed"}
    errors = _refused(complaint, name, _actor_for(alice, name), data)
    assert list(errors) == ["state"]


@pytest.mark.parametrize("payload", [["description"], "description", 42, ("a", "b")])
def test_a_payload_that_is_not_an_object_is_refused(payload, alice, make_complaint):
    complaint = make_complaint(alice, state=State.LISTENING)
    errors = _refused(complaint, "start_investigation", alice.advisor, payload)
    assert "non_field_errors" in errors


@pytest.mark.parametrize("name", ["decide", "submit_for_approval"])
class TestDecision:
    def _decide(self, name, alice, make_complaint, **changes):
        complaint = make_complaint(alice, state=State.ASSESSING)
        data = {**DECISION, **changes}
        data = {k: v for k, v in data.items() if v is not None}
        return complaint, data

    def test_serious_needs_serious_reasons(self, name, alice, make_complaint):
        complaint, data = self._decide(name, alice, make_complaint, severity="serious")
        errors = _refused(complaint, name, alice.advisor, data)
        assert "serious_reasons" in errors

    def test_normal_refuses_serious_reasons(self, name, alice, make_complaint):
        complaint, data = self._decide(name, alice, make_complaint, serious_reasons=["third_party"])
        errors = _refused(complaint, name, alice.advisor, data)
        assert "serious_reasons" in errors

    def test_unknown_serious_reason_is_refused(self, name, alice, make_complaint):
        complaint, data = self._decide(
            name, alice, make_complaint, severity="serious", serious_reasons=["bad_mood"]
        )
        errors = _refused(complaint, name, alice.advisor, data)
        assert "serious_reasons" in errors

    @pytest.mark.parametrize(
        ("responsibility", "reason"),
        [("dealer", "design"), ("manufacturer", "misoperation"), ("customer", "faulty_repair")],
    )
    def test_responsibility_reason_must_belong_to_the_responsibility(
        self, name, responsibility, reason, alice, make_complaint
    ):
        complaint, data = self._decide(
            name,
            alice,
            make_complaint,
            responsibility=responsibility,
            responsibility_reason=reason,
            responsibility_evidence="Photos of the worn tyre",
        )
        errors = _refused(complaint, name, alice.advisor, data)
        assert "responsibility_reason" in errors

    def test_responsibility_with_reasons_needs_a_reason(self, name, alice, make_complaint):
        complaint, data = self._decide(name, alice, make_complaint, responsibility_reason="")
        errors = _refused(complaint, name, alice.advisor, data)
        assert "responsibility_reason" in errors

    def test_holding_the_customer_responsible_needs_evidence(self, name, alice, make_complaint):
        complaint, data = self._decide(
            name,
            alice,
            make_complaint,
            responsibility="customer",
            responsibility_reason="no_maintenance",
            responsibility_evidence="  ",
        )
        errors = _refused(complaint, name, alice.advisor, data)
        assert "responsibility_evidence" in errors

    @pytest.mark.parametrize(
        "options",
        [["Only one"], ["One", "Two", "Three", "Four"], ["Same", "Same"], ["One", "  "]],
    )
    def test_two_or_three_distinct_resolution_options(self, name, options, alice, make_complaint):
        complaint, data = self._decide(
            name, alice, make_complaint, resolution_options=options, chosen_resolution=options[0]
        )
        errors = _refused(complaint, name, alice.advisor, data)
        assert "resolution_options" in errors

    def test_chosen_resolution_must_be_one_of_the_options(self, name, alice, make_complaint):
        complaint, data = self._decide(
            name, alice, make_complaint, chosen_resolution="Something else"
        )
        errors = _refused(complaint, name, alice.advisor, data)
        assert "chosen_resolution" in errors

    @pytest.mark.parametrize("amount", ["-1", "abc", "1.234"])
    def test_bad_compensation_amount_is_refused(self, name, amount, alice, make_complaint):
        complaint, data = self._decide(name, alice, make_complaint, compensation_amount=amount)
        errors = _refused(complaint, name, alice.advisor, data)
        assert "compensation_amount" in errors

    def test_a_valid_decision_is_stored(self, name, alice, make_complaint):
        complaint, data = self._decide(
            name,
            alice,
            make_complaint,
            severity="serious",
            serious_reasons=["safety_function", "third_party"],
            responsibility="customer",
            responsibility_reason="improper_use",
            responsibility_evidence="Tyre pressure log",
            resolution_options=["  Replace tyre at cost  ", "Goodwill 50%"],
            chosen_resolution="Goodwill 50%",
            compensation_amount="300.50",
        )
        if name == "decide":
            with pytest.raises(ValidationFailed):
                services.complaint_transition(
                    complaint=complaint, name=name, actor=alice.advisor, data=data
                )
            return
        services.complaint_transition(
            complaint=complaint, name=name, actor=alice.advisor, data=data
        )
        stored = Complaint.objects.get(pk=complaint.pk)
        assert stored.severity == "serious"
        assert stored.serious_reasons == ["safety_function", "third_party"]
        assert stored.responsibility == "customer"
        assert stored.responsibility_reason == "improper_use"
        assert stored.responsibility_evidence == "Tyre pressure log"
        assert stored.resolution_options == ["Replace tyre at cost", "Goodwill 50%"]
        assert stored.chosen_resolution == "Goodwill 50%"
        assert stored.compensation_amount == Decimal("300.50")
        assert stored.submitted_by == alice.advisor


def test_undetermined_responsibility_needs_no_reason_or_evidence(alice, make_complaint):
    complaint = make_complaint(alice, state=State.ASSESSING)
    data = {**DECISION, "responsibility": "undetermined", "responsibility_reason": ""}
    services.complaint_transition(
        complaint=complaint, name="decide", actor=alice.advisor, data=data
    )
    assert Complaint.objects.get(pk=complaint.pk).state == State.RESOLVING


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param(SERIOUS_DECISION, id="serious"),
        pytest.param({**DECISION, "compensation_amount": "2000.01"}, id="over-limit"),
    ],
)
def test_decide_is_refused_when_approval_is_required(changes, alice, make_complaint):
    complaint = make_complaint(alice, state=State.ASSESSING)
    before = snapshot(complaint)
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_transition(
            complaint=complaint, name="decide", actor=alice.manager, data=changes
        )
    assert refused.value.field_errors["__all__"]
    assert "approval" in refused.value.field_errors["__all__"][0]
    assert snapshot(complaint) == before


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param(SERIOUS_DECISION, id="serious"),
        pytest.param({**DECISION, "compensation_amount": "2000.01"}, id="over-limit"),
    ],
)
def test_submit_for_approval_accepts_what_needs_approval(changes, alice, make_complaint):
    complaint = make_complaint(alice, state=State.ASSESSING)
    services.complaint_transition(
        complaint=complaint, name="submit_for_approval", actor=alice.advisor, data=changes
    )
    assert Complaint.objects.get(pk=complaint.pk).state == State.AWAITING_APPROVAL


def test_compensation_up_to_the_limit_is_decided_without_approval(alice, make_complaint):
    complaint = make_complaint(alice, state=State.ASSESSING)
    data = {**DECISION, "compensation_amount": str(alice.dealer.approval_limit)}
    services.complaint_transition(
        complaint=complaint, name="decide", actor=alice.advisor, data=data
    )
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.state == State.RESOLVING
    assert stored.compensation_amount == alice.dealer.approval_limit


def test_the_approval_limit_is_the_dealers_own(alice, make_complaint):
    alice.dealer.approval_limit = Decimal("100.00")
    alice.dealer.save()
    complaint = make_complaint(alice, state=State.ASSESSING)
    with pytest.raises(ValidationFailed):
        services.complaint_transition(
            complaint=complaint,
            name="decide",
            actor=alice.advisor,
            data={**DECISION, "compensation_amount": "100.01"},
        )


def test_customer_still_dissatisfied_cannot_be_confirmed_resolved(alice, make_complaint):
    complaint = make_complaint(alice, state=State.FOLLOWING_UP, follow_up_contacts=["dissatisfied"])
    errors = _refused(complaint, "confirm_resolved", alice.advisor, {})
    assert "contact" in errors


def test_start_investigation_keeps_the_original_words(alice, make_complaint):
    complaint = make_complaint(alice, state=State.LISTENING, description="原话：刹车响")
    services.complaint_transition(
        complaint=complaint,
        name="start_investigation",
        actor=alice.advisor,
        data={"description": "Front brakes squeal", "customer_request": "Free repair"},
    )
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.description == "Front brakes squeal"
    assert stored.customer_request == "Free repair"
    assert stored.original_description == "原话：刹车响"


def test_reopen_escalates_and_makes_a_manager_co_owner(alice, make_complaint):
    complaint = make_complaint(alice, state=State.FOLLOWING_UP)
    services.complaint_transition(
        complaint=complaint, name="reopen", actor=alice.advisor, data=VALID_PAYLOADS["reopen"]
    )
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.state == State.RESOLVING
    assert stored.escalated is True
    assert stored.co_owner in (alice.manager, alice.manager2)


def test_reopen_refuses_a_co_owner_who_is_not_a_manager_of_the_dealer(alice, bob, make_complaint):
    complaint = make_complaint(alice, state=State.FOLLOWING_UP)
    for candidate in (alice.advisor, bob.manager):
        errors = _refused(
            complaint,
            "reopen",
            alice.advisor,
            {**VALID_PAYLOADS["reopen"], "co_owner": candidate.pk},
        )
        assert "co_owner" in errors


def test_close_stores_the_review(alice, make_complaint):
    complaint = make_complaint(alice, state=State.REVIEWING)
    services.complaint_transition(
        complaint=complaint, name="close", actor=alice.manager, data=VALID_PAYLOADS["close"]
    )
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.review_prevention == VALID_PAYLOADS["close"]["review_prevention"]
    assert stored.closed_at is not None

"""The timeline shows what each step decided, from the facts its event stored: findings,
decision, actions, review; a reopened case keeps its first round readable; each reader reads
the labels in their own language, in the browser and through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from complaints import services
from complaints.choices import FaultFinding, Responsibility, State
from complaints.payloads import PAYLOADS
from tests.complaints.rules import DECISION, VALID_PAYLOADS
from tests.factories import ContactAttemptFactory

pytestmark = pytest.mark.django_db


def run(complaint, name, actor, data):
    return services.complaint_transition(complaint=complaint, name=name, actor=actor, data=data)


def case_page(client, user, complaint):
    client.force_login(user)
    response = client.get(reverse("complaint_detail", args=[complaint.reference]))
    assert response.status_code == 200
    return response.content.decode()


def timeline(body):
    return body[body.index('id="timeline-heading"') :]


def test_the_timeline_shows_the_findings_and_the_decision(client, alice, make_complaint):
    complaint = make_complaint(alice, state=State.INVESTIGATING)
    run(complaint, "record_findings", alice.advisor, VALID_PAYLOADS["record_findings"])
    run(
        complaint,
        "decide",
        alice.advisor,
        {**DECISION, "compensation_amount": "300", "comment": ""},
    )
    body = timeline(case_page(client, alice.manager, complaint))
    assert "Pads glazed at last service" in body  # root cause
    assert str(FaultFinding.FAULT.label) in body
    assert str(Responsibility.DEALER.label) in body
    assert "Replace pads free of charge" in body and "Refund the last service" in body
    assert "300" in body and alice.dealer.currency in body
    assert "Not needed" in body  # no manager's approval was needed


def test_the_timeline_shows_a_submitted_decision_and_its_approval(client, alice, make_complaint):
    complaint = make_complaint(alice, state=State.ASSESSING)
    run(complaint, "submit_for_approval", alice.advisor, VALID_PAYLOADS["submit_for_approval"])
    run(complaint, "approve", alice.manager, {})
    body = timeline(case_page(client, alice.advisor, complaint))
    assert "Quality problem affecting a safety function" in body  # why it is serious
    assert "Requested from a manager" in body
    assert "Approved" in body


def test_the_first_rounds_actions_stay_readable_after_a_reopen(client, alice, make_complaint):
    complaint = make_complaint(alice, state=State.RESOLVING)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        run(
            complaint,
            "complete_action",
            alice.advisor,
            {"agreed_resolution": "Replace pads", "actions_taken": "First round: pads replaced"},
        )
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        ContactAttemptFactory(complaint=complaint, outcome="dissatisfied")
        run(complaint, "reopen", alice.advisor, {"reason": "Still squeals"})
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        run(
            complaint,
            "complete_action",
            alice.advisor,
            {"agreed_resolution": "Replace discs", "actions_taken": "Second round: discs replaced"},
        )
    body = timeline(case_page(client, alice.advisor, complaint))
    assert "First round: pads replaced" in body
    assert "Second round: discs replaced" in body
    assert body.index("First round") < body.index("Second round")


def test_the_review_is_shown_on_the_timeline(client, alice, make_complaint):
    complaint = make_complaint(alice, state=State.REVIEWING)
    run(complaint, "close", alice.manager, VALID_PAYLOADS["close"])
    body = timeline(case_page(client, alice.advisor, complaint))
    for name in ("review_why", "review_handling", "review_prevention"):
        assert VALID_PAYLOADS["close"][name] in body
    assert "Was it handled well?" in body
    assert "Workmanship" in body  # the root-cause category by its name, not its code
    assert "The company&#x27;s system" in body


def test_a_chinese_reader_reads_the_facts_labels_in_chinese(client, alice, make_complaint):
    complaint = make_complaint(alice, state=State.INVESTIGATING)
    run(complaint, "record_findings", alice.advisor, VALID_PAYLOADS["record_findings"])
    alice.advisor.language = "zh-hans"
    alice.advisor.save(update_fields=["language"])
    with translation.override("zh-hans"):
        label = str(FaultFinding.FAULT.label)
        value = str(PAYLOADS["record_findings"].base_fields["root_cause"].label)
    assert label != str(FaultFinding.FAULT.label)  # the catalogue has it in Chinese
    body = timeline(case_page(client, alice.advisor, complaint))
    assert label in body and value in body
    assert "A fault exists" not in body

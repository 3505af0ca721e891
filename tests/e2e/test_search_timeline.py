"""In a real browser: a closed case is found by its reference with "include closed" off,
and its timeline shows what was decided, not only the comments."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from complaints import services
from complaints.choices import State
from tests.complaints.rules import DECISION, VALID_PAYLOADS
from tests.factories import ContactAttemptFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def use_english(*users):
    for user in users:
        user.language = "en"
        user.save(update_fields=["language"])


def _closed_case(alice, make_complaint):
    complaint = make_complaint(alice, state=State.ASSESSING)
    steps = [
        ("decide", alice.advisor, {**DECISION, "compensation_amount": "200"}),
        ("complete_action", alice.advisor, VALID_PAYLOADS["complete_action"]),
    ]
    for name, actor, data in steps:
        services.complaint_transition(complaint=complaint, name=name, actor=actor, data=data)
    ContactAttemptFactory(complaint=complaint, outcome="satisfied")
    services.complaint_transition(
        complaint=complaint, name="confirm_resolved", actor=alice.advisor, data={}
    )
    services.complaint_transition(
        complaint=complaint, name="close", actor=alice.manager, data=VALID_PAYLOADS["close"]
    )
    return complaint


def test_a_closed_cases_reference_finds_it_and_its_timeline_shows_the_decision(
    page, live_server, alice, make_complaint, log_in, shoot
):
    use_english(alice.advisor)
    closed = _closed_case(alice, make_complaint)
    open_case = make_complaint(alice, state=State.LISTENING)
    log_in(alice.advisor)
    expect(page.locator(".case-table tbody")).to_contain_text(open_case.reference)
    expect(page.locator(".case-table tbody")).not_to_contain_text(closed.reference)
    expect(page.get_by_label("Include closed cases")).not_to_be_checked()

    page.get_by_label("Search").fill(closed.reference)
    rows = page.locator(".case-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(closed.reference)
    expect(rows.first).to_contain_text("Closed")
    shoot("search-closed-case-by-reference")

    rows.first.get_by_role("link", name=closed.reference).click()
    decided = page.locator(".timeline-item", has_text="Assessing → Resolving")
    facts = decided.locator(".event-facts")
    expect(facts).to_contain_text("Responsibility")
    expect(facts).to_contain_text("Dealer")
    expect(facts).to_contain_text("Replace pads free of charge")
    expect(facts).to_contain_text("Refund the last service")
    expect(facts).to_contain_text(f"200.00 {alice.dealer.currency}")
    acted = page.locator(".timeline-item", has_text="Resolving → Following up")
    expect(acted.locator(".event-facts")).to_contain_text(
        VALID_PAYLOADS["complete_action"]["actions_taken"]
    )
    shoot("timeline-shows-the-decision")

"""In a real browser: a promise in the customer's own words and time recorded at intake, its
warning reaching the advisor before it falls due, and a contact logged with no outcome
chosen for the user."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from complaints.choices import State
from complaints.models import Complaint
from followups.models import ContactAttempt
from followups.sweep import deadline_sweep

from .test_browser import press, use_english

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_promise_in_the_customers_words_warns_the_advisor_before_it_falls_due(
    page, live_server, alice, log_in, shoot
):
    use_english(alice.advisor)
    log_in(alice.advisor)
    page.get_by_role("link", name="New complaint").first.click()
    page.get_by_label("Customer name").fill("Chen Jing")
    page.locator("#id_new_phone").fill("13911112222")
    page.locator("#id_channel").select_option("walk_in")
    page.locator("#id_category").select_option("workmanship")
    page.get_by_label("Description in the customer's words").fill(
        "The air conditioning blows warm air since the service."
    )
    # "Call back within 30 minutes": none of the quick promises says that.
    due = (timezone.localtime(timezone.now(), alice.dealer.tzinfo) + timedelta(minutes=31)).replace(
        second=0, microsecond=0
    )
    page.get_by_label("Another promise, in your own words").fill("Call back within 30 minutes")
    page.get_by_label("Due by").fill(due.strftime("%Y-%m-%dT%H:%M"))
    shoot("promises-01-intake-own-words")
    page.get_by_role("button", name="Log the complaint").click()
    expect(page.locator("h1")).to_contain_text(re.compile(r"SH01-\d{4}-\d{6}"))
    complaint = Complaint.objects.get()
    deadline = complaint.deadlines.get(kind="commitment")
    assert deadline.promise == "Call back within 30 minutes" and deadline.due_at == due
    deadlines = page.locator(".deadlines")
    expect(deadlines).to_contain_text("“Call back within 30 minutes”")
    expect(deadlines).to_contain_text(due.strftime("%m-%d %H:%M"))
    expect(deadlines.locator(".promise-status")).to_have_text("Open")
    expect(page.locator(".timeline")).to_contain_text("Promised: “Call back within 30 minutes”")
    shoot("promises-02-case-with-promise")

    # Not yet at 80 % of its time: no warning. Then the sweep (Celery beat's task) passes
    # 25 minutes later, before it falls due: the advisor who promised is warned.
    assert deadline_sweep(now=deadline.started_at + timedelta(minutes=20)).reminded == 0
    result = deadline_sweep(now=deadline.started_at + timedelta(minutes=25))
    assert (result.reminded, result.breached) == (1, 0)
    page.goto(f"{live_server.url}{reverse('notifications')}")
    warning = page.locator(".list-group-item", has_text="Due soon")
    expect(warning).to_contain_text(
        f"Due soon: Promise to the customer of case {complaint.reference}"
    )
    expect(warning).to_contain_text("What was promised: “Call back within 30 minutes”.")
    expect(warning).to_contain_text("contact the customer in advance")
    shoot("promises-03-warning-before-due")

    # Kept: the case page says so.
    page.goto(f"{live_server.url}/cases/{complaint.reference}/")
    page.locator(".deadlines").get_by_role("button", name="Kept").click()
    expect(page.locator(".alert-success")).to_contain_text("marked as kept")
    expect(page.locator(".deadlines .promise-status")).to_have_text("Promise kept")
    expect(page.locator(".timeline")).to_contain_text("Promise kept: “Call back within 30 minutes”")
    shoot("promises-04-promise-kept")


def test_a_contact_has_no_default_outcome_and_informing_does_not_confirm_resolved(
    page, live_server, alice, make_complaint, log_in, shoot
):
    use_english(alice.advisor)
    complaint = make_complaint(alice, state=State.FOLLOWING_UP, follow_up_contacts=[])
    log_in(alice.advisor)
    page.goto(f"{live_server.url}/cases/{complaint.reference}/")
    contact = page.locator("#contact-form")
    expect(contact.get_by_label("Outcome")).to_have_value("")
    # A quick call logged without thinking: refused, nothing recorded.
    contact.get_by_label("What the customer said").fill("Told him the part is ordered.")
    contact.get_by_role("button", name="Record contact").click()
    expect(page.locator("#contact-form")).to_contain_text("Choose what came of the contact.")
    expect(page.locator("#contact-form").get_by_label("What the customer said")).to_have_value(
        "Told him the part is ordered."
    )
    assert not ContactAttempt.objects.filter(complaint=complaint).exists()
    shoot("promises-05-contact-outcome-required")

    contact = page.locator("#contact-form")
    contact.get_by_label("Outcome").select_option(label="Reached, informed of progress")
    contact.get_by_role("button", name="Record contact").click()
    expect(page.locator(".alert-success")).to_contain_text("The contact has been recorded.")
    expect(page.locator(".contacts")).to_contain_text("Reached, informed of progress")
    shoot("promises-06-informed-of-progress")

    # Being informed is not being satisfied: the case cannot be confirmed resolved.
    press(page, "confirm_resolved")
    expect(page.locator('form[data-transition~="confirm_resolved"]')).to_contain_text(
        "Log the follow-up contact in which the customer said they are satisfied first"
    )
    expect(page.locator(".state-badge")).to_have_text("Following up")
    complaint.refresh_from_db()
    assert complaint.state == State.FOLLOWING_UP
    shoot("promises-07-confirm-resolved-refused")

"""End to end in a real browser: step 7's review with corrective actions, a training case
assigned as required reading, read by another advisor, and the manager's read receipt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from complaints.choices import State
from dealers.models import Role
from learning.models import CorrectiveAction, LibraryCase, RequiredReading
from tests.factories import CustomerFactory, MembershipFactory, UserFactory, VehicleFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

CUSTOMER, PHONE, PLATE = "Li Na", "13700137000", "沪B54321"


def test_review_training_case_required_reading_and_read_receipt(
    page, live_server, alice, make_complaint, log_in, shoot
):
    advisor2 = UserFactory(username="sh01_advisor2", first_name="Chen", last_name="Jie")
    MembershipFactory(user=advisor2, dealer=alice.dealer, role=Role.ADVISOR)
    for user in (alice.manager, advisor2):
        user.language = "en"
        user.save(update_fields=["language"])
    customer = CustomerFactory(dealer=alice.dealer, name=CUSTOMER, phone=PHONE)
    vehicle = VehicleFactory(dealer=alice.dealer, owner=customer, plate=PLATE)
    complaint = make_complaint(
        alice,
        state=State.REVIEWING,
        customer=customer,
        vehicle=vehicle,
        description=f"{CUSTOMER} ({PHONE}): rattling from the dashboard after the repair.",
    )
    due = (timezone.localdate() + timedelta(days=14)).isoformat()

    # The manager closes the case with its review and two causes, each with an action.
    log_in(alice.manager)
    page.goto(f"{live_server.url}/cases/{complaint.reference}/")
    page.get_by_label("Why did it become a complaint?").fill("The clip was not refitted.")
    page.locator('input[name="handled_well"][value="no"]').check()
    page.get_by_label("How was it handled?").fill("The customer came back twice.")
    page.get_by_label("Root-cause category").select_option("workmanship")
    page.locator('input[name="cause_lies_with"][value="person"]').check()
    causes = page.locator('input[name="corrective_actions-cause"]')
    actions = page.locator('input[name="corrective_actions-action"]')
    owners = page.locator('select[name="corrective_actions-owner"]')
    dues = page.locator('input[name="corrective_actions-due"]')
    causes.nth(0).fill("Clip not refitted")
    actions.nth(0).fill("Check all clips before handing over")
    dues.nth(0).fill(due)
    causes.nth(1).fill("No test drive on the rough road")
    actions.nth(1).fill("Rough-road test drive for rattles")
    owners.nth(1).select_option(str(alice.manager2.pk))
    dues.nth(1).fill(due)
    shoot("learning-01-close-with-review")
    page.locator('button[data-transition="close"]').click()
    page.wait_for_load_state()
    expect(page.locator(".state-badge")).to_have_text("Closed")
    panel = page.locator(".learning-panel")
    expect(panel).to_contain_text("Workmanship")
    expect(panel.locator(".corrective-action")).to_have_count(2)
    assert CorrectiveAction.objects.filter(complaint=complaint, state="open").count() == 2

    # It becomes a training case, assigned to the second advisor.
    panel.get_by_text("Mark as a training case").click()
    page.locator("#library-add-form").get_by_label("Title").fill(f"Rattles: {CUSTOMER}")
    page.get_by_role("button", name="Add to the case library").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text("Rattles")
    body = page.content()
    assert CUSTOMER not in body and PHONE not in body and PLATE not in body
    page.locator("#assign-form").get_by_label(str(advisor2)).check()
    page.get_by_role("button", name="Assign as required reading").click()
    page.wait_for_load_state()
    expect(page.locator(f'.read-receipts li[data-user="{advisor2.username}"]')).to_have_attribute(
        "data-read", "no"
    )
    shoot("learning-02-training-case-assigned")

    # The second advisor finds it on the home screen and confirms reading it.
    log_in(advisor2)
    inbox = page.locator(".learning-inbox")
    expect(inbox).to_contain_text("Required reading")
    inbox.get_by_role("link", name="Rattles").click()
    page.wait_for_load_state()
    assert CUSTOMER not in page.content()
    shoot("learning-03-required-reading")
    page.locator("#confirm-reading").click()
    page.wait_for_load_state()
    expect(page.locator(".my-reading")).to_contain_text("You confirmed reading")
    library_case = LibraryCase.objects.get(complaint=complaint)
    assert RequiredReading.objects.get(library_case=library_case, user=advisor2).read_at

    # The manager sees the read receipt.
    log_in(alice.manager)
    page.goto(f"{live_server.url}/learning/library/{library_case.pk}/")
    expect(page.locator(f'.read-receipts li[data-user="{advisor2.username}"]')).to_have_attribute(
        "data-read", "yes"
    )
    shoot("learning-04-read-receipt")

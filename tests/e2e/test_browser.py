"""End to end in a real browser: a complaint from the reception desk to its closure."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from complaints.choices import State
from complaints.models import Complaint
from tests.factories import make_vin

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def use_english(*users):
    for user in users:
        user.language = "en"
        user.save(update_fields=["language"])


def press(page, transition: str) -> None:
    page.locator(f'button[data-transition="{transition}"]').click()
    page.wait_for_load_state()


def test_a_complaint_from_intake_to_closure(page, live_server, alice, log_in, shoot):
    use_english(alice.advisor, alice.manager)
    # Every script and style comes from static/: the browser reports no CSP violation.
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    # The advisor logs the complaint of a new customer, with a promise.
    page.goto(f"{live_server.url}/accounts/login/")
    shoot("01-login")
    log_in(alice.advisor)
    shoot("02-my-cases-empty")
    page.get_by_role("link", name="New complaint").first.click()
    page.get_by_label("Find the customer").fill("Zhang")
    expect(page.locator("#customer-results")).to_contain_text("No customer found")
    page.get_by_label("Customer name").fill("Zhang Wei")
    page.locator("#id_new_phone").fill("13912345678")
    page.get_by_label("VIN").fill(make_vin())
    page.get_by_label("Model").fill("Camry")
    page.get_by_label("Plate").fill("沪A88888")
    page.locator("#id_channel").select_option("walk_in")
    page.locator("#id_category").select_option("workmanship")
    page.locator("#id_component").select_option("brakes")
    expect(page.get_by_label("Safety-related")).to_be_checked()
    page.get_by_label("Description in the customer's words").fill(
        "Since the brake service last week the car pulls to the left when braking."
    )
    page.get_by_label("Customer's request").fill("Check it today and lend me a car.")
    page.get_by_label("Call back within 20 minutes").check()
    shoot("03-new-complaint")
    page.get_by_role("button", name="Log the complaint").click()
    expect(page.locator("h1")).to_contain_text(re.compile(r"SH01-\d{4}-\d{6}"))
    complaint = Complaint.objects.get()
    assert complaint.is_safety_related
    expect(page.locator(".deadlines")).to_contain_text("Call back within 20 minutes")
    shoot("04-case-received")

    # Steps 2 to 4.
    press(page, "start_listening")
    expect(page.locator(".state-badge")).to_have_text("Listening")
    press(page, "start_investigation")
    expect(page.locator(".state-badge")).to_have_text("Investigating")
    page.get_by_label("A fault exists").check()
    page.get_by_label("Root cause").fill("Caliper guide pin not greased at the last service.")
    press(page, "record_findings")
    expect(page.locator(".state-badge")).to_have_text("Assessing")
    # A decision with a missing field is refused next to the field, keeping what was typed.
    page.get_by_label("Serious", exact=True).check()
    page.get_by_label("Chosen resolution").fill("Repair free of charge and lend a car")
    press(page, "submit_for_approval")
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    expect(page.get_by_label("Chosen resolution")).to_have_value(
        "Repair free of charge and lend a car"
    )
    shoot("05-decision-errors")
    page.get_by_label("Quality problem affecting a safety function").check()
    page.locator("#id_responsibility").select_option("dealer")
    page.get_by_label("Responsibility reason").select_option("faulty_repair")
    page.get_by_label("Option 1").fill("Repair free of charge and lend a car")
    page.get_by_label("Option 2").fill("Repair free of charge")
    page.get_by_label("Goodwill or compensation").fill("800")
    press(page, "submit_for_approval")
    expect(page.locator(".state-badge")).to_have_text("Awaiting approval")
    shoot("06-awaiting-approval")

    # The manager approves.
    log_in(alice.manager)
    page.get_by_role("link", name="Approvals").click()
    shoot("07-approval-queue")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".alert-success")).to_be_visible()
    complaint.refresh_from_db()
    assert complaint.state == State.RESOLVING

    # The repair date promised to the customer, typed in the dealer's time zone, becomes a
    # deadline; completing the action fulfils it.
    page.goto(f"{live_server.url}/cases/{complaint.reference}/")
    promised = (
        timezone.localtime(timezone.now(), alice.dealer.tzinfo) + timedelta(days=2)
    ).replace(hour=17, minute=0, second=0, microsecond=0)
    page.get_by_label("Promised repair completion").fill(promised.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Record repair date").click()
    expect(page.locator(".alert-success")).to_contain_text("promised repair completion")
    expect(page.locator(".deadlines")).to_contain_text("Promised repair completion")
    expect(page.locator(".deadlines")).to_contain_text(promised.strftime("%m-%d 17:00"))
    assert complaint.deadlines.get(kind="repair_completion").due_at == promised
    shoot("07b-repair-promised")

    # Action, follow-up contact, review and closure.
    page.get_by_label("Actions taken").fill("Guide pins cleaned and greased, test drive done.")
    press(page, "complete_action")
    expect(page.locator(".state-badge")).to_have_text("Following up")
    contact = page.locator("#contact-form")
    contact.get_by_label("Outcome").select_option("satisfied")
    contact.get_by_label("What the customer said").fill("Brakes are fine now, thank you.")
    contact.get_by_role("button", name="Record contact").click()
    expect(page.locator(".contacts")).to_contain_text("Satisfied")
    shoot("08-follow-up")
    press(page, "confirm_resolved")
    expect(page.locator(".state-badge")).to_have_text("Reviewing")
    page.get_by_label("Why did it become a complaint?").fill("Guide pins skipped in service.")
    page.locator('input[name="handled_well"][value="yes"]').check()
    page.get_by_label("How was it handled?").fill("Same day.")
    page.get_by_label("Root-cause category").select_option("workmanship")
    page.locator('input[name="cause_lies_with"][value="system"]').check()
    page.locator('input[name="corrective_actions-cause"]').first.fill("Guide pins skipped")
    page.locator('input[name="corrective_actions-action"]').first.fill("Brake service checklist")
    page.locator('input[name="corrective_actions-due"]').first.fill(
        (timezone.localdate() + timedelta(days=14)).isoformat()
    )
    press(page, "close")
    expect(page.locator(".state-badge")).to_have_text("Closed")
    shoot("09-closed")
    complaint.refresh_from_db()
    assert complaint.state == State.CLOSED
    assert complaint.closed_at is not None
    assert complaint.deadlines.get(kind="repair_completion").satisfied_at is not None
    assert violations == []


def test_manager_screens(page, live_server, alice, make_complaint, log_in, shoot):
    from followups.deadlines import deadline_open

    use_english(alice.manager)
    late = make_complaint(alice, is_safety_related=True, severity="serious")
    make_complaint(alice, state=State.RESOLVING)
    deadline_open(
        complaint=late,
        kind="commitment",
        due_at=timezone.now() - timedelta(hours=3),
        rule="promise",
        promise="Call back within 20 minutes",
    )
    log_in(alice.manager)
    page.get_by_role("link", name="Dealer overview").click()
    expect(page.locator("canvas#chart-steps")).to_be_visible()
    expect(page.locator('[data-kpi="overdue"]')).to_have_text("1")
    shoot("10-dealer-overview")
    page.get_by_role("link", name="Overdue board").click()
    expect(page.locator("#overdue-board")).to_contain_text(late.reference)
    expect(page.locator("#overdue-board")).to_contain_text("overdue")
    shoot("11-overdue-board")
    page.get_by_role("link", name="My cases").click()
    first_row = page.locator(".case-table tbody tr").first
    expect(first_row).to_contain_text(late.reference)
    expect(first_row).to_have_class(re.compile("table-danger"))
    shoot("12-cases-manager")
    # The search narrows the list as one types (htmx swaps the results only).
    page.get_by_label("Search").fill(late.customer.phone)
    expect(page.locator(".case-table tbody tr")).to_have_count(1)
    expect(page.locator(".case-table tbody")).to_contain_text(late.reference)
    # The dealer's own time limits: the firm first-response rule may only be shortened.
    page.locator("#user-menu").click()  # the dealer's settings are in the user menu
    page.get_by_role("link", name="Deadline rules").click()
    rule = page.locator("#rule-first_response")
    rule.get_by_label("Hours allowed").fill("30")
    rule.get_by_role("button", name="Save").click()
    expect(page.locator("#rule-first_response .invalid-feedback")).to_contain_text("at most 24")
    shoot("19-deadline-rules-refused")
    page.locator("#rule-first_response").get_by_label("Hours allowed").fill("12")
    page.locator("#rule-first_response").get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#rule-first_response .rule-override")).to_have_text("12 hours")
    # The change is in the dealer's audit log, with the value before and after.
    page.locator("#user-menu").click()
    page.get_by_role("link", name="Audit log").click()
    newest = page.locator(".audit-line").first
    expect(newest).to_contain_text("changed the deadline rule “First response”")
    expect(newest.locator(".audit-changes")).to_contain_text("12")
    shoot("20-audit-log")
    page.locator("#notifications-link").click()
    expect(page.locator("h1")).to_have_text("Notifications")
    shoot("15-notifications")
    page.locator("#user-menu").click()
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_label("Old password")).to_be_visible()
    shoot("16-change-password")
    # A tablet held upright: the navigation folds away, the case page stacks its columns.
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(f"{live_server.url}/cases/{late.reference}/")
    expect(page.locator(".navbar-toggler")).to_be_visible()
    expect(page.locator(".stepper")).to_be_visible()
    shoot("17-tablet-case")


# Key strings of the zh-hans interface, checked against the compiled catalogue.
KEY_STRINGS = ["My cases", "New complaint", "Log out", "Received"]


def test_the_zh_hans_interface_renders_in_chinese(page, live_server, alice, make_complaint, log_in):
    use_english(alice.advisor)
    make_complaint(alice)
    with translation.override("zh-hans"):
        expected = {text: translation.gettext(text) for text in KEY_STRINGS}
    log_in(alice.advisor)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # The switcher in the header saves the choice on the user.
    page.locator("#language-switch").click()
    page.locator('button[name=language][value="zh-hans"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    alice.advisor.refresh_from_db()
    assert alice.advisor.language == "zh-hans"
    page.screenshot(path=str(_shots() / "13-my-cases-zh-hans.png"), full_page=True)
    missing = [text for text, translated in expected.items() if translated == text]
    assert not missing, f"the zh-hans catalogue has no translation for {missing}"
    body = page.locator("body")
    for translated in expected.values():
        expect(body).to_contain_text(translated)


def _shots():
    from tests.e2e.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def test_an_advisor_of_another_dealer_cannot_open_the_case(
    page, live_server, alice, bob, make_complaint, log_in, shoot
):
    use_english(bob.advisor)
    complaint = make_complaint(alice)
    log_in(bob.advisor)
    response = page.goto(f"{live_server.url}/cases/{complaint.reference}/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(complaint.customer.name)
    shoot("14-foreign-case-404")


def test_intake_for_a_customer_found_as_you_type(
    page, live_server, alice, customer, vehicle, log_in, shoot
):
    use_english(alice.advisor)
    log_in(alice.advisor)
    page.goto(f"{live_server.url}/cases/new/")
    page.get_by_label("Find the customer").fill(vehicle.plate)
    choice = page.locator(f'input[name=pick][value="{customer.pk}:{vehicle.pk}"]')
    expect(choice).to_be_visible()
    choice.check()
    expect(page.locator("#new-customer")).to_be_hidden()
    shoot("18-intake-existing-customer")
    page.locator("#id_channel").select_option("phone")
    page.locator("#id_category").select_option("waiting_time")
    page.get_by_label("Description in the customer's words").fill("Waited three hours.")
    page.get_by_role("button", name="Log the complaint").click()
    expect(page.locator("h1")).to_contain_text("SH01-")
    complaint = Complaint.objects.get()
    assert (complaint.customer, complaint.vehicle) == (customer, vehicle)


def test_a_manager_exports_and_erases_a_customers_data(
    page, live_server, alice, make_complaint, log_in, shoot
):
    use_english(alice.manager)
    complaint = make_complaint(alice, description="Wang Fang reports a rattle")
    customer = complaint.customer
    log_in(alice.manager)
    page.goto(f"{live_server.url}/cases/{complaint.reference}/")
    page.get_by_role("link", name="Personal data: export or erase").click()
    expect(page.get_by_role("heading", name=re.compile("Customer's data"))).to_be_visible()
    expect(page.locator("main")).to_contain_text(customer.name)
    expect(page.locator(".export-case")).to_contain_text(complaint.reference)
    shoot("30-customer-data")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download (JSON)").click()
    assert download.value.suggested_filename == f"customer-{customer.pk}.json"
    page.get_by_role("link", name="Erase personal data").click()
    page.get_by_label("The customer's request").fill("Letter of 2026-11-30")
    page.get_by_role("button", name="Erase personal data").click()
    expect(page.locator(".is-invalid").first).to_be_visible()  # not confirmed yet
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Erase personal data").click()
    expect(page.get_by_role("status").first).to_contain_text("erased")
    expect(page.locator("main")).not_to_contain_text(customer.name)
    shoot("31-customer-erased")

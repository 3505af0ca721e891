"""In a real browser: an approval reaches the managers and then the advisor, and regional
staff land on their region's serious and safety cases."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from complaints.choices import Severity, State
from tests.factories import ComplaintFactory, DealerFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def use(language, *users):
    for user in users:
        user.language = language
        user.save(update_fields=["language"])


def test_an_approval_notifies_the_managers_and_then_the_advisor(
    page, live_server, alice, log_in, shoot
):
    use("en", alice.advisor, alice.manager)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    complaint = ComplaintFactory(
        dealer=alice.dealer,
        assignee=alice.advisor,
        state=State.ASSESSING,
        severity=Severity.NORMAL,
    )

    # A normal complaint, but the goodwill is above the dealer's limit of 2,000.
    log_in(alice.advisor)
    page.goto(f"{live_server.url}/cases/{complaint.reference}/")
    page.locator("#id_responsibility").select_option("dealer")
    page.get_by_label("Responsibility reason").select_option("faulty_repair")
    page.get_by_label("Option 1").fill("Replace the pads free of charge")
    page.get_by_label("Option 2").fill("Refund the last service")
    page.get_by_label("Chosen resolution").fill("Replace the pads free of charge")
    page.get_by_label("Goodwill or compensation").fill("2500")
    page.locator('button[data-transition="submit_for_approval"]').click()
    expect(page.locator(".state-badge")).to_have_text("Awaiting approval")
    expect(page.locator(".alert-success")).to_contain_text("the dealer's managers have been told")

    # Each manager sees the count beside the menu and a notification.
    log_in(alice.manager)
    expect(page.locator("#approvals-count")).to_contain_text("1")
    expect(page.locator("#notifications-link .badge")).to_be_visible()
    page.locator("#notifications-link").click()
    expect(page.locator("main")).to_contain_text(f"Approval needed: case {complaint.reference}")
    shoot("desk-approval-notification-manager")
    page.get_by_role("link", name="Approvals").first.click()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".alert-success")).to_contain_text("decision approved")
    expect(page.locator("#approvals-count")).to_have_count(0)

    # The advisor hears of it.
    log_in(alice.advisor)
    page.locator("#notifications-link").click()
    expect(page.locator("main")).to_contain_text(f"Approved: case {complaint.reference}")
    shoot("desk-approval-notification-advisor")
    assert [p for p in problems if "favicon" in p or "Content Security Policy" in p] == []


def test_regional_staff_land_on_their_regions_serious_and_safety_cases(
    page, live_server, alice, log_in, shoot
):
    use("zh-hans", alice.regional)
    sister = DealerFactory(code="SH03", name="Dealer SH03", region=alice.dealer.region)
    serious = ComplaintFactory(dealer=alice.dealer, severity=Severity.SERIOUS)
    safety = ComplaintFactory(dealer=sister, is_safety_related=True)
    log_in(alice.regional)
    expect(page.locator("h1")).to_have_text("本区域的严重及安全类投诉")
    expect(page.locator("main")).to_contain_text(serious.reference)
    expect(page.locator("main")).to_contain_text(safety.reference)
    expect(page.locator("main")).not_to_contain_text("仅我的案件")
    shoot("desk-regional-home-zh")

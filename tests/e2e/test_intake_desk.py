"""End to end at the reception desk: a walk-in with a plate and no VIN, a serious case flagged
at intake that the managers see at once, and the complaint receipt printed for the customer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint
from dealers.models import Vehicle
from tests.factories import make_vin

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def use_english(*users):
    for user in users:
        user.language = "en"
        user.save(update_fields=["language"])


def fill_walk_in(page, *, name: str, phone: str, plate: str, description: str) -> None:
    page.get_by_role("link", name="New complaint").first.click()
    page.get_by_label("Customer name").fill(name)
    page.locator("#id_new_phone").fill(phone)
    page.get_by_label("Plate").fill(plate)
    page.get_by_label("Model").fill("RAV4")
    page.locator("#id_channel").select_option("walk_in")
    page.locator("#id_category").select_option("product_quality")
    page.get_by_label("Description in the customer's words").fill(description)


def test_a_walk_in_with_a_plate_and_no_vin_is_logged_and_completed_later(
    page, live_server, alice, log_in, shoot
):
    use_english(alice.advisor)
    log_in(alice.advisor)
    fill_walk_in(
        page,
        name="Zhou Min",
        phone="13911112222",
        plate="沪A 54321",
        description="The air conditioning smells of mould.",
    )
    shoot("intake-desk-01-plate-only-walk-in")
    page.get_by_role("button", name="Log the complaint").click()

    expect(page.locator("h1")).to_contain_text(re.compile(r"SH01-\d{4}-\d{6}"))
    expect(page.get_by_text("VIN missing").first).to_be_visible()
    vehicle = Vehicle.objects.get()
    assert (vehicle.plate, vehicle.vin) == ("沪A54321", None)
    shoot("intake-desk-02-case-with-vin-missing")

    # Later the papers arrive: the advisor adds the VIN on the customer's page.
    page.locator('[data-action="customer-page"]').click()
    vin = make_vin()
    page.locator(f"#id_vehicle-{vehicle.pk}-vin").fill(vin)
    shoot("intake-desk-02b-customer-page-add-vin")
    page.locator('[data-action="save-vehicle"]').click()
    expect(page.locator(".alert-success")).to_contain_text("The vehicle was saved.")
    vehicle.refresh_from_db()
    assert vehicle.vin == vin
    page.locator('[data-action="back-to-case"]').click()
    expect(page.locator(".list-group-item-primary")).to_contain_text(vin)


def test_a_serious_case_flagged_at_intake_alerts_the_manager_at_once(
    page, live_server, alice, log_in, shoot
):
    use_english(alice.advisor, alice.manager)
    log_in(alice.advisor)
    fill_walk_in(
        page,
        name="Qian Hao",
        phone="13933334444",
        plate="沪B12345",
        description="The car caught fire in my garage; I have called a journalist.",
    )
    page.get_by_text("Serious or urgent case (green channel)").click()
    page.get_by_label("The customer threatens to go to the media").check()
    page.get_by_label("What makes it serious").fill("Shanghai Evening Post")
    shoot("intake-desk-03-green-channel")
    page.get_by_role("button", name="Log the complaint").click()
    expect(page.locator("h1")).to_contain_text(re.compile(r"SH01-\d{4}-\d{6}"))
    expect(page.locator(".case-header")).to_contain_text("Serious complaint")
    reference = Complaint.objects.get().reference

    log_in(alice.manager)
    expect(page.locator("#notifications-link")).to_contain_text("1")
    page.locator("#notifications-link").click()
    expect(page.locator("main")).to_contain_text(f"Serious complaint: case {reference}")
    expect(page.locator("main")).to_contain_text("The customer threatens to go to the media")
    shoot("intake-desk-04-manager-alerted")


def test_the_complaint_receipt_is_printed_for_the_customer_in_their_language(
    page, live_server, alice, log_in, shoot
):
    alice.dealer.phone = "021-5888 0101"
    alice.dealer.save()
    use_english(alice.advisor)
    log_in(alice.advisor)
    fill_walk_in(
        page,
        name="Sun Li",
        phone="13955556666",
        plate="沪C77777",
        description="刹车时方向盘抖动。",
    )
    page.get_by_role("button", name="Log the complaint").click()

    # Right after intake: the receipt, offered with the confirmation.
    page.locator('.alert-success [data-action="receipt"]').click()
    reference = Complaint.objects.get().reference
    expect(page.locator("h1")).to_have_text("Complaint receipt")
    expect(page.locator(".receipt-reference")).to_have_text(reference)
    expect(page.locator(".receipt-words")).to_have_text("刹车时方向盘抖动。")
    expect(page.locator(".receipt-dealer-phone")).to_have_text("021-5888 0101")

    # The customer reads Chinese: the receipt switches, whatever the advisor's language.
    page.locator('[data-lang="zh-hans"]').click()
    expect(page.locator("h1")).to_have_text("投诉回执")
    shoot("intake-desk-05-receipt-zh-hans")

    # On paper the toolbar is gone.
    page.emulate_media(media="print")
    expect(page.locator(".receipt-toolbar")).to_be_hidden()
    shoot("intake-desk-06-receipt-print")

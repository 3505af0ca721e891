"""Personal data (China's PIPL): erasure on request, and an audit log without personal values."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse

from complaints.choices import State
from complaints.models import Complaint
from core.exceptions import PermissionDenied, ValidationFailed
from core.models import AuditEntry
from dealers.models import Customer, Vehicle
from dealers.services import (
    ERASED,
    customer_create,
    customer_erase,
    customer_update,
    vehicle_upsert,
)
from dealers.tasks import anonymise_closed_customers
from tests.factories import CustomerFactory, RepairOrderFactory, VehicleFactory, make_vin

PERSONAL = ("Wang Fang", "13800138000", "wang@example.com", "C-77", "teacher", "two kids", "AB123")


@pytest.fixture
def known_customer(alice, make_complaint):
    customer = CustomerFactory(
        dealer=alice.dealer,
        name="Wang Fang",
        phone="13800138000",
        email="wang@example.com",
        dms_id="C-77",
        occupation="teacher",
        family="two kids",
        notes="prefers mornings",
    )
    vehicle = VehicleFactory(dealer=alice.dealer, owner=customer, plate="AB123")
    case = make_complaint(
        alice,
        customer=customer,
        vehicle=vehicle,
        state=State.INVESTIGATING,
        description="Wang Fang says the brakes squeal",
        customer_request="Call Wang Fang back",
    )
    return customer, vehicle, case


def audit_text() -> str:
    return json.dumps(
        [[e.object_label, e.data] for e in AuditEntry.objects.all()], ensure_ascii=False
    )


def test_erasure_replaces_every_personal_field_and_plate_and_keeps_the_cases(alice, known_customer):
    customer, vehicle, case = known_customer
    customer_erase(customer=customer, actor=alice.manager, reason="Request of 2026-11-30")

    customer.refresh_from_db()
    assert customer.name == ERASED
    assert (customer.phone, customer.email, customer.dms_id) == ("", "", None)
    assert (customer.occupation, customer.family, customer.notes) == ("", "", "")
    assert customer.erased_at is not None
    vehicle.refresh_from_db()
    assert vehicle.plate == "" and vehicle.vin  # the vehicle stays, without its plate
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING and case.customer_id == customer.pk
    assert case.description == case.original_description == case.customer_request == ERASED
    assert case.category

    entry = AuditEntry.objects.get(action="customer.erased")
    assert entry.actor == alice.manager
    assert set(entry.data["fields"]) >= {"name", "phone", "email", "dms_id", "notes"}
    text = audit_text()
    for value in PERSONAL:
        assert value not in text


def test_erasure_is_idempotent(alice, known_customer):
    customer, _, _ = known_customer
    customer_erase(customer=customer, actor=alice.manager, reason="request")
    customer_erase(customer=customer, actor=alice.manager, reason="request")
    assert AuditEntry.objects.filter(action="customer.erased").count() == 1
    assert Customer.objects.unscoped(reason="test").get(pk=customer.pk).name == ERASED


def test_two_erased_customers_keep_the_dms_id_constraint_valid(alice):
    first = CustomerFactory(dealer=alice.dealer, dms_id="C-1")
    second = CustomerFactory(dealer=alice.dealer, dms_id="C-2")
    customer_erase(customer=first, actor=alice.manager, reason="request")
    customer_erase(customer=second, actor=alice.manager, reason="request")
    assert set(Customer.objects.unscoped(reason="test").values_list("dms_id", flat=True)) == {None}


@pytest.mark.parametrize("who", ["advisor", "other_manager"])
def test_erasure_is_refused_for_advisors_and_other_dealers(who, alice, bob, known_customer):
    customer, _, _ = known_customer
    actor = alice.advisor if who == "advisor" else bob.manager
    with pytest.raises(PermissionDenied):
        customer_erase(customer=customer, actor=actor, reason="request")
    assert Customer.objects.unscoped(reason="test").get(pk=customer.pk).name == "Wang Fang"
    assert not AuditEntry.objects.filter(action="customer.erased").exists()


def test_erasure_needs_a_reason(alice, known_customer):
    customer, _, _ = known_customer
    with pytest.raises(ValidationFailed):
        customer_erase(customer=customer, actor=alice.manager, reason="  ")
    assert Customer.objects.unscoped(reason="test").get(pk=customer.pk).name == "Wang Fang"


def test_audit_snapshots_of_customer_and_vehicle_changes_hold_no_personal_values(alice):
    customer = customer_create(
        dealer=alice.dealer,
        actor=alice.advisor,
        name="Wang Fang",
        phone="13800138000",
        email="wang@example.com",
        dms_id="C-77",
        family="two kids",
    )
    customer_update(
        customer=customer, actor=alice.advisor, fields={"phone": "13900139000", "notes": "VIP"}
    )
    vehicle_upsert(
        dealer=alice.dealer,
        actor=alice.advisor,
        vin=make_vin(),
        owner=customer,
        fields={"plate": "AB123"},
    )
    text = audit_text()
    for value in (*PERSONAL, "13900139000", "VIP"):
        assert value not in text
    changed = AuditEntry.objects.get(action="customer.changed")
    # Which fields changed is still visible, and that the values differ.
    assert set(changed.data["after"]) == {"phone", "notes"}
    assert changed.data["before"]["phone"] != changed.data["after"]["phone"]
    assert changed.data["before"]["notes"] == ""
    assert Vehicle.objects.unscoped(reason="test").get(owner=customer).plate == "AB123"
    assert Complaint.objects.count() == 0


# --- the retention rule ------------------------------------------------------------------

NOW = dt.datetime(2030, 6, 1, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def three_customers(alice, make_complaint):
    """Ended 3 years ago; ended 3 years ago but another case is open; ended a month ago."""
    long_ago = NOW - dt.timedelta(days=3 * 365)
    old = CustomerFactory(dealer=alice.dealer, name="Old Closed", phone="13800000001")
    make_complaint(alice, customer=old, state=State.CLOSED)
    make_complaint(alice, customer=old, state=State.WITHDRAWN)
    still_open = CustomerFactory(dealer=alice.dealer, name="Still Open")
    make_complaint(alice, customer=still_open, state=State.CLOSED)
    make_complaint(alice, customer=still_open, state=State.INVESTIGATING)
    recent = CustomerFactory(dealer=alice.dealer, name="Recently Closed")
    make_complaint(alice, customer=recent, state=State.CLOSED)
    cases = Complaint.objects.unscoped(reason="test")
    cases.filter(customer__in=[old, still_open]).update(closed_at=long_ago)
    cases.filter(customer=still_open, state=State.INVESTIGATING).update(closed_at=None)
    cases.filter(customer=recent).update(closed_at=NOW - dt.timedelta(days=30))
    CustomerFactory(dealer=alice.dealer, name="No Case")
    return old, still_open, recent


def names() -> set[str]:
    return set(Customer.objects.unscoped(reason="test").values_list("name", flat=True))


def test_the_retention_rule_is_off_by_default(three_customers):
    with time_machine.travel(NOW, tick=False):
        anonymise_closed_customers()
    assert names() == {"Old Closed", "Still Open", "Recently Closed", "No Case"}


def test_the_retention_rule_erases_customers_whose_cases_all_ended_long_ago(
    settings, three_customers
):
    settings.CLOSED_CASE_ANONYMISE_AFTER_YEARS = 2
    old, _, _ = three_customers
    with time_machine.travel(NOW, tick=False):
        assert anonymise_closed_customers() == 1
        assert anonymise_closed_customers() == 0  # idempotent
    assert names() == {ERASED, "Still Open", "Recently Closed", "No Case"}
    erased = Customer.objects.unscoped(reason="test").get(pk=old.pk)
    assert erased.phone == "" and erased.erased_at == NOW
    cases = Complaint.objects.unscoped(reason="test").filter(customer=old)
    assert sorted(cases.values_list("state", flat=True)) == [State.CLOSED, State.WITHDRAWN]
    entry = AuditEntry.objects.get(action="customer.erased")
    assert entry.actor is None and entry.object_id == str(old.pk)


# --- the browser: export and erasure -----------------------------------------------------


def test_a_manager_exports_everything_about_the_customer(client, alice, known_customer):
    customer, vehicle, case = known_customer
    RepairOrderFactory(dealer=alice.dealer, vehicle=vehicle, number="RO-9")
    client.force_login(alice.manager)
    page = client.get(reverse("customer_data", args=[customer.pk]))
    assert page.status_code == 200
    for text in ("Wang Fang", "13800138000", "teacher", "AB123", "RO-9", case.reference):
        assert text in page.text
    download = client.get(reverse("customer_data", args=[customer.pk]), {"format": "json"})
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    data = json.loads(download.content)
    assert data["customer"]["name"] == "Wang Fang" and data["customer"]["family"] == "two kids"
    assert [v["plate"] for v in data["vehicles"]] == ["AB123"]
    assert data["vehicles"][0]["repair_orders"][0]["number"] == "RO-9"
    assert [c["reference"] for c in data["cases"]] == [case.reference]
    assert data["cases"][0]["description"] == "Wang Fang says the brakes squeal"
    assert {"events", "contacts", "deadlines"} <= set(data["cases"][0])
    entries = AuditEntry.objects.filter(action="customer.exported")
    assert entries.count() == 2 and {e.actor for e in entries} == {alice.manager}
    assert "Wang Fang" not in audit_text()


@pytest.mark.parametrize("who", ["advisor", "other_manager", "regional"])
def test_only_a_manager_of_the_dealer_sees_the_export_or_the_erasure(
    who, client, alice, bob, known_customer
):
    customer, _, _ = known_customer
    client.force_login(
        {"advisor": alice.advisor, "other_manager": bob.manager}.get(who, alice.regional)
    )
    for name in ("customer_data", "customer_erase"):
        assert client.get(reverse(name, args=[customer.pk])).status_code == 404
    response = client.post(
        reverse("customer_erase", args=[customer.pk]), {"reason": "x", "confirm": "on"}
    )
    assert response.status_code == 404
    assert Customer.objects.unscoped(reason="test").get(pk=customer.pk).name == "Wang Fang"
    assert not AuditEntry.objects.filter(action__in=["customer.exported", "customer.erased"])


def test_the_case_page_links_managers_to_the_customers_data(client, alice, known_customer):
    customer, _, case = known_customer
    link = reverse("customer_data", args=[customer.pk])
    client.force_login(alice.manager)
    assert link in client.get(reverse("complaint_detail", args=[case.reference])).text
    client.force_login(alice.advisor)
    assert link not in client.get(reverse("complaint_detail", args=[case.reference])).text


def test_a_manager_erases_through_the_confirmation_form(client, alice, known_customer):
    customer, _, _ = known_customer
    client.force_login(alice.manager)
    url = reverse("customer_erase", args=[customer.pk])
    assert client.get(url).status_code == 200
    unconfirmed = client.post(url, {"reason": "Letter of 2026-11-30"})
    assert unconfirmed.status_code == 200 and "is-invalid" in unconfirmed.text
    assert Customer.objects.unscoped(reason="test").get(pk=customer.pk).name == "Wang Fang"
    response = client.post(url, {"reason": "Letter of 2026-11-30", "confirm": "on"})
    assert response.status_code == 302
    assert Customer.objects.unscoped(reason="test").get(pk=customer.pk).name == ERASED
    entry = AuditEntry.objects.get(action="customer.erased")
    assert entry.data["reason"] == "Letter of 2026-11-30"
